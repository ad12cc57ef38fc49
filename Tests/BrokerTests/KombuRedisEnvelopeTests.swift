import Broker
import CeleryMessage
import JSON
import Testing
import TestSupport

@Suite struct KombuRedisEnvelopeTests {
    static let fixtures: [(minor: String, name: String)] = GoldenCases.celeryMinors.flatMap { minor in
        GoldenCases.names.map { (minor, $0) }
    }

    /// The whole envelope, not just the headers, against what kombu pushed for real Celery.
    @Test(arguments: fixtures)
    func envelopeMatchesWhatKombuPushed(fixture: (minor: String, name: String)) throws {
        let golden = try #require(try Fixtures.json("golden/celery-\(fixture.minor)-redis-\(fixture.name).json").objectValue)
        let message = GoldenCases.message(fixture.name)
        let envelope = KombuRedisEnvelope()
        let bytes = envelope.encode(message, deliveryTag: "5d1a0c4e-8f1b-4d7e-9a55-1c2b3d4e5f60")
        var ours = try #require(try JSONParser.parse(bytes).objectValue)

        #expect(ours.keys == (try #require(golden["envelope_keys"]?.arrayValue)).compactMap(\.stringValue))
        let body = try #require(ours["body"]?.stringValue)
        #expect(Array(body.utf8) == base64(message.body))
        ours["body"] = nil

        var properties = try #require(ours["properties"]?.objectValue)
        #expect(properties["correlation_id"] == .string(message.id))
        #expect(properties["delivery_tag"] == .string("5d1a0c4e-8f1b-4d7e-9a55-1c2b3d4e5f60"))
        properties["correlation_id"] = .string("<task-id>")
        properties["reply_to"] = .string("<reply-to>")
        properties["delivery_tag"] = .string("<delivery-tag>")
        ours["properties"] = .object(properties)
        var headers = GoldenCases.normalised(headers: try #require(ours["headers"]?.objectValue))
        if fixture.minor == "5.3" { headers["ignore_result"] = .bool(false) }
        ours["headers"] = .object(headers)
        #expect(ours == golden["envelope"]?.objectValue)

        #expect(envelope.listKey(queue: message.destination.queue, priority: message.priority) == golden["list"]?.stringValue)
    }

    @Test(arguments: [(0, "q"), (2, "q"), (3, "q\u{06}\u{16}3"), (5, "q\u{06}\u{16}3"), (6, "q\u{06}\u{16}6"), (9, "q\u{06}\u{16}9"), (200, "q\u{06}\u{16}9"), (-4, "q")])
    func priorityListsFollowKombuSteps(priority: Int, list: String) {
        #expect(KombuRedisEnvelope().listKey(queue: "q", priority: priority) == list)
    }

    @Test func customStepsAndGlobalKeyPrefixNameTheListAsKombuDoes() {
        let envelope = KombuRedisEnvelope(prioritySteps: [0, 5], globalKeyPrefix: "app:")
        #expect(envelope.listKey(queue: "celery", priority: 4) == "app:celery")
        #expect(envelope.listKey(queue: "celery", priority: 7) == "app:celery\u{06}\u{16}5")
    }

    /// Python's base64.b64encode, written independently for the test.
    private func base64(_ bytes: [UInt8]) -> [UInt8] {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        for start in stride(from: 0, to: bytes.count, by: 3) {
            let chunk = Array(bytes[start..<min(start + 3, bytes.count)])
            let n = chunk.enumerated().reduce(0) { $0 | Int($1.element) << (16 - 8 * $1.offset) }
            for i in 0..<4 {
                out.append(i <= chunk.count ? table[n >> (18 - 6 * i) & 63] : UInt8(ascii: "="))
            }
        }
        return out
    }
}
