@testable import AMQPClient
import CRabbitMQ
import Testing

/// The bytes librabbitmq writes for our tables (`amqp_encode_table`), checked against what
/// py-amqp 5.x `loads` expects for each tag (celery-protocol.md §2.4).
@Suite("Header tables encode to the tags py-amqp decodes")
struct AMQPFieldTableEncodingTests {
    /// The wire form of `table`: a 4-byte big-endian length, then `key-length key tag value` entries.
    private func wireBytes(_ table: AMQPFieldTable) throws -> [UInt8] {
        let pool = AMQPPool()
        var encoded = try table.encoded(in: pool)
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var offset = 0
        let status = buffer.withUnsafeMutableBytes { raw in
            amqp_encode_table(amqp_bytes_t(len: raw.count, bytes: raw.baseAddress), &encoded, &offset)
        }
        try #require(status == 0)
        return Array(buffer[..<offset])
    }

    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
    private func entry(_ key: String, _ tag: Character, _ value: [UInt8]) -> [UInt8] {
        [UInt8(key.utf8.count)] + bytes(key) + [tag.asciiValue!] + value
    }
    private func length(_ count: Int) -> [UInt8] {
        withUnsafeBytes(of: UInt32(count).bigEndian, Array.init)
    }

    @Test("Each type has its tag and big-endian value")
    func scalarTypes() throws {
        let table: AMQPFieldTable = [
            "s": "ü€", "t": true, "f": false, "i": .int32(-5), "d": 1.5, "n": .null,
        ]
        let body =
            entry("s", "S", length(5) + [0xC3, 0xBC, 0xE2, 0x82, 0xAC])
            + entry("t", "t", [1]) + entry("f", "t", [0])
            + entry("i", "I", [0xFF, 0xFF, 0xFF, 0xFB])
            + entry("d", "d", [0x3F, 0xF8, 0, 0, 0, 0, 0, 0])
            + entry("n", "V", [])
        #expect(try wireBytes(table) == length(body.count) + body)
    }

    @Test("64-bit integers go out as L (signed to py-amqp), never l, with two's complement bytes")
    func int64UsesCapitalL() throws {
        let table: AMQPFieldTable = ["neg": .int64(-2), "big": .int64(1 << 40), "min": .int64(.min)]
        let body =
            entry("neg", "L", [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE])
            + entry("big", "L", [0, 0, 0x01, 0, 0, 0, 0, 0])
            + entry("min", "L", [0x80, 0, 0, 0, 0, 0, 0, 0])
        #expect(try wireBytes(table) == length(body.count) + body)
    }

    @Test("Integers pick I when they fit in 32 bits and L beyond, as Python does")
    func integerChoosesWidth() {
        #expect(AMQPFieldValue.integer(0) == .int32(0))
        #expect(AMQPFieldValue.integer(-2_147_483_648) == .int32(.min))
        #expect(AMQPFieldValue.integer(2_147_483_648) == .int64(2_147_483_648))
        #expect(AMQPFieldValue.integer(-2_147_483_649) == .int64(-2_147_483_649))
        let literal: AMQPFieldValue = 7
        #expect(literal == .int32(7))
    }

    @Test("Arrays and tables nest, as Celery's timelimit [null, null] and stamps {} need")
    func nesting() throws {
        let table: AMQPFieldTable = [
            "a": [1, "x", [.null]],
            "f": ["k": .int64(-1), "e": [:]],
            "timelimit": [.null, .null],
            "empty": [],
        ]
        let innerArray: [UInt8] = [UInt8(ascii: "A")] + length(1) + [UInt8(ascii: "V")]
        let arrayBody: [UInt8] =
            [UInt8(ascii: "I"), 0, 0, 0, 1] + [UInt8(ascii: "S")] + length(1) + bytes("x") + innerArray
        let nestedBody = entry("k", "L", [UInt8](repeating: 0xFF, count: 8)) + entry("e", "F", length(0))
        let body =
            entry("a", "A", length(arrayBody.count) + arrayBody)
            + entry("f", "F", length(nestedBody.count) + nestedBody)
            + entry("timelimit", "A", length(2) + [UInt8(ascii: "V"), UInt8(ascii: "V")])
            + entry("empty", "A", length(0))
        #expect(try wireBytes(table) == length(body.count) + body)
    }

    @Test("Entries keep their order; setting a key replaces it in place")
    func order() throws {
        var table: AMQPFieldTable = ["b": 1, "a": 2]
        table["b"] = "two"
        table["c"] = .null
        #expect(table.entries.map(\.key) == ["b", "a", "c"])
        #expect(table["b"] == .string("two"))
        table["a"] = nil
        #expect(table.entries.map(\.key) == ["b", "c"])
    }

    @Test("A key over 255 bytes is refused, not truncated")
    func longKey() {
        let table = AMQPFieldTable([.init(key: String(repeating: "k", count: 256), value: .null)])
        #expect(throws: AMQPEncodingError.self) { try table.validate() }
        #expect(throws: AMQPEncodingError.self) { try table.encoded(in: AMQPPool()) }
    }
}
