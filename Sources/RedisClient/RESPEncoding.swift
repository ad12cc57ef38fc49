/// RESP request encoding: a command is an array of bulk strings,
/// `*<count>\r\n` then `$<length>\r\n<bytes>\r\n` per argument. Length-prefixed, so any byte
/// (NUL, "\r\n") may appear inside an argument.
///
/// swiftbeat formats requests itself and writes the finished bytes to the socket (or TLS) as
/// they are, rather than argv arrays for a C library: a batch of thousands of commands becomes
/// one contiguous buffer, instead of per-argument C pointers and lengths that Swift would have to
/// pin and a library would encode again.
///
/// `@inlinable` so that a caller's `append("LPUSH", key, body)` is specialised for its
/// argument types in the caller's module; unspecialised, the variadic generic costs about
/// three times as much per command, which shows in batches of 100,000.
@usableFromInline
enum RESPEncoding {
    @inlinable
    static func appendCommand<each Argument: RedisArgument>(
        to buffer: inout [UInt8], _ name: String, _ arguments: repeat each Argument
    ) {
        var count = 1
        for _ in repeat each arguments { count += 1 }
        appendHeader(UInt8(ascii: "*"), count, to: &buffer)
        appendBulk(name, to: &buffer)
        for argument in repeat each arguments { appendBulk(argument, to: &buffer) }
    }

    @inlinable
    static func appendCommand(to buffer: inout [UInt8], _ name: String, arguments: [any RedisArgument]) {
        appendHeader(UInt8(ascii: "*"), 1 + arguments.count, to: &buffer)
        appendBulk(name, to: &buffer)
        for argument in arguments { appendBulk(argument, to: &buffer) }
    }

    @inlinable
    static func appendBulk(_ argument: some RedisArgument, to buffer: inout [UInt8]) {
        let length = argument.redisByteCount
        appendHeader(UInt8(ascii: "$"), length, to: &buffer)
        let start = buffer.count
        argument.appendRedisBytes(to: &buffer)
        // A wrong count would desynchronise the whole connection, not just this command.
        precondition(buffer.count - start == length, "RedisArgument wrote \(buffer.count - start) bytes after announcing \(length)")
        buffer.append(UInt8(ascii: "\r"))
        buffer.append(UInt8(ascii: "\n"))
    }

    /// `*3\r\n` or `$700\r\n`, built on the stack and appended with one copy.
    @inlinable
    static func appendHeader(_ marker: UInt8, _ value: Int, to buffer: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { scratch in
            var index = scratch.count
            index -= 1
            scratch[index] = UInt8(ascii: "\n")
            index -= 1
            scratch[index] = UInt8(ascii: "\r")
            var remaining = value.magnitude
            repeat {
                index -= 1
                scratch[index] = UInt8(truncatingIfNeeded: remaining % 10) &+ UInt8(ascii: "0")
                remaining /= 10
            } while remaining != 0
            index -= 1
            scratch[index] = marker
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[index...]))
        }
    }
}
