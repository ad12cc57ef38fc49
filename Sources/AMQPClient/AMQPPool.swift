internal import CRabbitMQ

/// Owns one librabbitmq `amqp_pool_t`: the memory that outgoing C structures (header tables,
/// strings, properties) point into while librabbitmq encodes them.
///
/// `amqp_basic_publish` and the RPC calls have written their frames to the socket by the time they
/// return, so everything allocated here only has to live until then; `recycle()` reuses the pages
/// for the next message and `deinit` is the one place the pages are freed.
final class AMQPPool {
    private let pool: UnsafeMutablePointer<amqp_pool_t>

    init(pageSize: Int = 16 * 1024) {
        pool = .allocate(capacity: 1)
        init_amqp_pool(pool, pageSize)
    }

    deinit {
        empty_amqp_pool(pool)
        pool.deallocate()
    }

    /// Makes every earlier allocation invalid and keeps the pages for the next ones.
    func recycle() {
        recycle_amqp_pool(pool)
    }

    /// `count` uninitialised values of `T`, aligned for `T`.
    func allocate<T>(_: T.Type, count: Int) throws(AMQPEncodingError) -> UnsafeMutablePointer<T> {
        let size = max(1, MemoryLayout<T>.stride * count)
        // amqp_pool_alloc aligns to 8 bytes, enough for every librabbitmq structure.
        guard MemoryLayout<T>.alignment <= 8, let raw = amqp_pool_alloc(pool, size) else {
            throw AMQPEncodingError("out of memory encoding an AMQP frame")
        }
        return raw.bindMemory(to: T.self, capacity: count)
    }

    /// A copy of the string's UTF-8 bytes (no terminating NUL) as `amqp_bytes_t`.
    func bytes(_ string: String) throws(AMQPEncodingError) -> amqp_bytes_t {
        let count = string.utf8.count
        if count == 0 { return amqp_bytes_t(len: 0, bytes: nil) }
        let target = try allocate(UInt8.self, count: count)
        _ = UnsafeMutableBufferPointer(start: target, count: count).initialize(from: string.utf8)
        return amqp_bytes_t(len: count, bytes: UnsafeMutableRawPointer(target))
    }

    /// A copy of the bytes as `amqp_bytes_t`.
    func bytes(_ source: UnsafeBufferPointer<UInt8>) throws(AMQPEncodingError) -> amqp_bytes_t {
        if source.isEmpty { return amqp_bytes_t(len: 0, bytes: nil) }
        let target = try allocate(UInt8.self, count: source.count)
        target.initialize(from: source.baseAddress!, count: source.count)
        return amqp_bytes_t(len: source.count, bytes: UnsafeMutableRawPointer(target))
    }

    /// A NUL-terminated copy, for the librabbitmq calls that take `const char *`.
    func cString(_ string: String) throws(AMQPEncodingError) -> UnsafePointer<CChar> {
        let utf8 = Array(string.utf8)
        if utf8.contains(0) { throw AMQPEncodingError("\"\(string)\" contains a NUL character") }
        let target = try allocate(CChar.self, count: utf8.count + 1)
        for (index, byte) in utf8.enumerated() { target[index] = CChar(bitPattern: byte) }
        target[utf8.count] = 0
        return UnsafePointer(target)
    }
}

/// Why a Swift value could not be turned into AMQP wire structures; wrapped in `AMQPClientError`.
struct AMQPEncodingError: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}
