internal import CRabbitMQ

extension AMQPFieldTable {
    /// The table as librabbitmq's `amqp_table_t`, every entry and string allocated in `pool`.
    func encoded(in pool: AMQPPool) throws(AMQPEncodingError) -> amqp_table_t {
        if entries.isEmpty { return amqp_table_t(num_entries: 0, entries: nil) }
        guard entries.count <= Int(Int32.max) else { throw AMQPEncodingError("a field table has too many entries") }
        let target = try pool.allocate(amqp_table_entry_t.self, count: entries.count)
        for (index, entry) in entries.enumerated() {
            guard entry.key.utf8.count <= 255 else {
                throw AMQPEncodingError("field table key \"\(entry.key.prefix(40))...\" is longer than 255 bytes")
            }
            let key = try pool.bytes(entry.key)
            let value = try entry.value.encoded(in: pool)
            (target + index).initialize(to: amqp_table_entry_t(key: key, value: value))
        }
        return amqp_table_t(num_entries: Int32(entries.count), entries: target)
    }
}

extension AMQPFieldValue {
    /// The value as librabbitmq's `amqp_field_value_t`; the kind byte is the tag written on the wire.
    func encoded(in pool: AMQPPool) throws(AMQPEncodingError) -> amqp_field_value_t {
        var field = amqp_field_value_t()
        switch self {
        case .string(let string):
            field.kind = Self.kind(AMQP_FIELD_KIND_UTF8)
            field.value.bytes = try pool.bytes(string)
        case .bool(let bool):
            field.kind = Self.kind(AMQP_FIELD_KIND_BOOLEAN)
            field.value.boolean = bool ? 1 : 0
        case .int32(let int):
            field.kind = Self.kind(AMQP_FIELD_KIND_I32)
            field.value.i32 = int
        case .int64(let int):
            // `L`, not librabbitmq's I64 (`l`): see `AMQPFieldValue.int64`.
            field.kind = Self.kind(AMQP_FIELD_KIND_U64)
            field.value.u64 = UInt64(bitPattern: int)
        case .double(let double):
            field.kind = Self.kind(AMQP_FIELD_KIND_F64)
            field.value.f64 = double
        case .null:
            field.kind = Self.kind(AMQP_FIELD_KIND_VOID)
        case .array(let values):
            field.kind = Self.kind(AMQP_FIELD_KIND_ARRAY)
            guard values.count <= Int(Int32.max) else { throw AMQPEncodingError("a field array has too many values") }
            let target = try pool.allocate(amqp_field_value_t.self, count: values.count)
            for (index, value) in values.enumerated() {
                (target + index).initialize(to: try value.encoded(in: pool))
            }
            field.value.array = amqp_array_t(num_entries: Int32(values.count), entries: values.isEmpty ? nil : target)
        case .table(let table):
            field.kind = Self.kind(AMQP_FIELD_KIND_TABLE)
            field.value.table = try table.encoded(in: pool)
        }
        return field
    }

    private static func kind(_ kind: amqp_field_value_kind_t) -> UInt8 {
        UInt8(truncatingIfNeeded: kind.rawValue)
    }
}
