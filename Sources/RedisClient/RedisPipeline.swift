/// Commands encoded back to back into one buffer, to be written in one go and answered in
/// order by `RedisConnection.pipeline(_:)`.
///
/// One contiguous buffer is written from where it is, in as few `send(2)` calls (or TLS records)
/// as the socket allows; a batch of 100,000 `LPUSH` is one round trip instead of 100,000. Reuse a
/// pipeline across batches with `removeAll()` to keep its capacity.
public struct RedisPipeline: Sendable, Equatable {
    /// The RESP encoding of all commands, in order.
    public var bytes: [UInt8] { encoded }
    /// The number of commands, and so of replies `pipeline(_:)` returns.
    public var count: Int { commandCount }

    // Stored under other names so that the `@inlinable` appends can write them while
    // callers can only read `bytes` and `count`.
    @usableFromInline var encoded: [UInt8] = []
    @usableFromInline var commandCount = 0

    public init() {}

    /// Reserves room for `byteCount` bytes of RESP up front, when the batch size is known.
    public init(reservingCapacity byteCount: Int) {
        encoded.reserveCapacity(byteCount)
    }

    public var isEmpty: Bool { count == 0 }

    @inlinable
    public mutating func append<each Argument: RedisArgument>(_ name: String, _ arguments: repeat each Argument) {
        RESPEncoding.appendCommand(to: &encoded, name, repeat each arguments)
        commandCount += 1
    }

    @inlinable
    public mutating func append(_ name: String, arguments: [any RedisArgument]) {
        RESPEncoding.appendCommand(to: &encoded, name, arguments: arguments)
        commandCount += 1
    }

    /// Starts a command whose `argumentCount` arguments follow, each added with `appendArgument`:
    /// for a command of many arguments of several types (WATCH or LPUSH of a group, MGET of a
    /// page), without boxing each one. Exactly `argumentCount` must follow, or the connection
    /// would read the next command as arguments.
    @inlinable
    public mutating func beginCommand(_ name: String, argumentCount: Int) {
        RESPEncoding.appendHeader(UInt8(ascii: "*"), 1 + argumentCount, to: &encoded)
        RESPEncoding.appendBulk(name, to: &encoded)
        commandCount += 1
    }

    @inlinable
    public mutating func appendArgument(_ argument: some RedisArgument) {
        RESPEncoding.appendBulk(argument, to: &encoded)
    }

    public mutating func append(_ command: RedisCommand) {
        encoded.append(contentsOf: command.bytes)
        commandCount += 1
    }

    public mutating func removeAll(keepingCapacity: Bool = true) {
        encoded.removeAll(keepingCapacity: keepingCapacity)
        commandCount = 0
    }
}
