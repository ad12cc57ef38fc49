/// RESP request encoding: a command is an array of bulk strings,
/// `*<count>\r\n` then `$<length>\r\n<bytes>\r\n` per argument. Length-prefixed, so any byte
/// (NUL, "\r\n") may appear inside an argument.
///
/// swiftbeat formats requests itself and hands hiredis finished bytes
/// (`redisAppendFormattedCommand`) rather than argv arrays: a batch of thousands of commands
/// becomes one contiguous buffer and one copy into hiredis, instead of per-argument C
/// pointers and lengths that Swift would have to pin and hiredis would re-encode.
enum RESPEncoding {
    static func appendCommand<each Argument: RedisArgument>(
        to buffer: inout [UInt8], _ name: String, _ arguments: repeat each Argument
    ) {
        var count = 1
        for _ in repeat each arguments { count += 1 }
        appendArrayHeader(count: count, to: &buffer)
        appendBulk(name, to: &buffer)
        for argument in repeat each arguments { appendBulk(argument, to: &buffer) }
    }

    static func appendCommand(to buffer: inout [UInt8], _ name: String, arguments: [any RedisArgument]) {
        appendArrayHeader(count: 1 + arguments.count, to: &buffer)
        appendBulk(name, to: &buffer)
        for argument in arguments { appendBulk(argument, to: &buffer) }
    }

    private static func appendArrayHeader(count: Int, to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "*"))
        buffer.appendDecimal(count)
        buffer.append(UInt8(ascii: "\r"))
        buffer.append(UInt8(ascii: "\n"))
    }

    private static func appendBulk(_ argument: some RedisArgument, to buffer: inout [UInt8]) {
        let length = argument.redisByteCount
        buffer.append(UInt8(ascii: "$"))
        buffer.appendDecimal(length)
        buffer.append(UInt8(ascii: "\r"))
        buffer.append(UInt8(ascii: "\n"))
        let start = buffer.count
        argument.appendRedisBytes(to: &buffer)
        // A wrong count would desynchronise the whole connection, not just this command.
        precondition(buffer.count - start == length, "RedisArgument wrote \(buffer.count - start) bytes after announcing \(length)")
        buffer.append(UInt8(ascii: "\r"))
        buffer.append(UInt8(ascii: "\n"))
    }
}
