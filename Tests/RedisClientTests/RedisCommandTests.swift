import RedisClient
import Testing

@Suite("Commands and pipelines encode to RESP byte for byte")
struct RedisCommandTests {
    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test("a command is an array of length-prefixed bulk strings")
    func commandEncoding() {
        let command = RedisCommand("SET", "key", "value")
        #expect(text(command.bytes) == "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n")
        #expect(command.name == "SET")
    }

    @Test("integers are decimal text, negative and multi-digit included")
    func integers() {
        let command = RedisCommand("X", 0, -12, 1_234_567_890, Int64.min, Int.max)
        #expect(
            text(command.bytes)
                == "*6\r\n$1\r\nX\r\n$1\r\n0\r\n$3\r\n-12\r\n$10\r\n1234567890\r\n"
                + "$20\r\n-9223372036854775808\r\n$19\r\n9223372036854775807\r\n")
    }

    @Test("binary arguments keep NUL, CR, LF and bytes that are not UTF-8")
    func binarySafe() {
        let value: [UInt8] = [0x00, 0x0D, 0x0A, 0xFF, 0x24, 0x2A, 0x0D, 0x0A]
        let command = RedisCommand("SET", "k", value)
        #expect(command.bytes == Array("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$8\r\n".utf8) + value + Array("\r\n".utf8))
    }

    @Test("multi-byte UTF-8 is counted in bytes, not characters")
    func utf8Length() {
        #expect(text(RedisCommand("SET", "k", "héllo🙂").bytes) == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$10\r\nhéllo🙂\r\n")
    }

    @Test("empty arguments, slices and substrings are encoded like their contents")
    func otherArgumentTypes() {
        let bytes: [UInt8] = Array("abcdef".utf8)
        let command = RedisCommand("X", "", bytes[2..<4], "hello world".split(separator: " ")[1], [UInt8]())
        #expect(text(command.bytes) == "*5\r\n$1\r\nX\r\n$0\r\n\r\n$2\r\ncd\r\n$5\r\nworld\r\n$0\r\n\r\n")
    }

    @Test("a runtime argument list encodes the same as a literal one")
    func dynamicArguments() {
        let keys: [any RedisArgument] = ["a", "b", 3]
        #expect(RedisCommand("DEL", arguments: keys) == RedisCommand("DEL", "a", "b", 3))
        #expect(text(RedisCommand("PING", arguments: []).bytes) == "*1\r\n$4\r\nPING\r\n")
    }

    @Test("a pipeline is its commands back to back, counted")
    func pipeline() {
        var pipeline = RedisPipeline()
        #expect(pipeline.isEmpty)
        pipeline.append("SET", "a", 1)
        pipeline.append(RedisCommand("GET", "a"))
        pipeline.append("DEL", arguments: ["a", "b"])
        #expect(pipeline.count == 3)
        #expect(
            pipeline.bytes
                == RedisCommand("SET", "a", 1).bytes + RedisCommand("GET", "a").bytes + RedisCommand("DEL", "a", "b").bytes)
        pipeline.removeAll()
        #expect(pipeline.isEmpty && pipeline.bytes.isEmpty)
    }
}
