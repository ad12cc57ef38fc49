/// A value that can be one argument of a redis command.
///
/// Redis puts each argument's length before its bytes, so a conforming type tells its byte
/// count first and then appends exactly that many bytes. That lets a pipeline encode every
/// argument straight into its one buffer: no intermediate `[UInt8]` or `String` per argument,
/// and binary data is never converted to text.
public protocol RedisArgument {
    /// The number of bytes `appendRedisBytes(to:)` appends.
    var redisByteCount: Int { get }
    func appendRedisBytes(to buffer: inout [UInt8])
}

extension String: RedisArgument {
    @inlinable public var redisByteCount: Int { utf8.count }
    @inlinable public func appendRedisBytes(to buffer: inout [UInt8]) { buffer.append(contentsOf: utf8) }
}

extension Substring: RedisArgument {
    @inlinable public var redisByteCount: Int { utf8.count }
    @inlinable public func appendRedisBytes(to buffer: inout [UInt8]) { buffer.append(contentsOf: utf8) }
}

extension Array: RedisArgument where Element == UInt8 {
    @inlinable public var redisByteCount: Int { count }
    @inlinable public func appendRedisBytes(to buffer: inout [UInt8]) { buffer.append(contentsOf: self) }
}

extension ArraySlice: RedisArgument where Element == UInt8 {
    @inlinable public var redisByteCount: Int { count }
    @inlinable public func appendRedisBytes(to buffer: inout [UInt8]) { buffer.append(contentsOf: self) }
}

/// Integers travel as decimal text, which is what redis parses for counts, TTLs and scores.
extension Int: RedisArgument {
    @inlinable public var redisByteCount: Int { decimalDigitCount(self) }
    @inlinable public func appendRedisBytes(to buffer: inout [UInt8]) { buffer.appendDecimal(self) }
}

extension Int64: RedisArgument {
    @inlinable public var redisByteCount: Int { decimalDigitCount(Int(self)) }
    @inlinable public func appendRedisBytes(to buffer: inout [UInt8]) { buffer.appendDecimal(Int(self)) }
}

@inlinable
func decimalDigitCount(_ value: Int) -> Int {
    var remaining = value.magnitude
    var digits = value < 0 ? 2 : 1
    while remaining >= 10 {
        remaining /= 10
        digits += 1
    }
    return digits
}

extension [UInt8] {
    /// Decimal text without going through `String`, because every RESP header needs one.
    @inlinable
    mutating func appendDecimal(_ value: Int) {
        if value < 0 { append(UInt8(ascii: "-")) }
        var remaining = value.magnitude
        let start = count
        repeat {
            append(UInt8(truncatingIfNeeded: remaining % 10) &+ UInt8(ascii: "0"))
            remaining /= 10
        } while remaining != 0
        self[start...].reverse()
    }
}
