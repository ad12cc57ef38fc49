import CeleryMessage
import JSON
import Testing
import TestSupport

/// swiftbeat's headers and body against what real Celery 5.3 and 5.7 sent for the same call
/// (Fixtures/golden, captured by scripts/capture-golden).
@Suite struct GoldenMessageTests {
    static let fixtures: [(minor: String, broker: String, name: String)] = GoldenCases.celeryMinors.flatMap { minor in
        ["redis", "amqp"].flatMap { broker in GoldenCases.names.map { (minor, broker, $0) } }
    }

    @Test(arguments: fixtures)
    func headersBodyAndOrderMatchRealCelery(fixture: (minor: String, broker: String, name: String)) throws {
        let golden = try #require(try Fixtures.json("golden/celery-\(fixture.minor)-\(fixture.broker)-\(fixture.name).json").objectValue)
        let message = GoldenCases.message(fixture.name)

        let goldenHeaders = try #require(
            fixture.broker == "redis" ? golden["envelope"]?.objectValue?["headers"]?.objectValue : golden["headers"]?.objectValue)
        var ours = GoldenCases.normalised(headers: message.headers)
        // The one difference between Celery minors: 5.3 sends ignore_result false, 5.7 null (unset).
        if fixture.minor == "5.3" { ours["ignore_result"] = .bool(false) }
        #expect(ours == goldenHeaders)

        let order = try #require(golden["header_order"]?.arrayValue).compactMap(\.stringValue)
        #expect(Array(message.headers.keys.prefix(order.count)) == order)

        #expect(String(decoding: message.body, as: UTF8.self) == golden["body_text"]?.stringValue)
    }
}
