import CivilTime
import JSON
import Logging
import Testing
@testable import swiftbeat

/// `--log-format json`: one object per line that a log pipeline parses back into its fields.
@Suite struct JSONLogHandlerTests {
    private func parsed(_ message: Logger.Message, _ metadata: Logger.Metadata) throws -> JSONObject {
        let event = LogEvent(level: .info, message: message, metadata: metadata, source: "swiftbeat", file: "", function: "", line: 0)
        let line = JSONLogHandler.line(event, metadata: [:], time: Instant(secondsSinceEpoch: 1_700_000_000))
        #expect(!line.contains("\n"))
        return try #require(try JSONParser.parse(line).objectValue)
    }

    @Test func fieldsSitBesideTimeLevelAndMessage() throws {
        let object = try parsed("sent add", ["task": "tasks.add", "id": "1f0c", "queue": "celery", "entry": "line\nbreak \"q\""])
        #expect(object["time"]?.stringValue == "2023-11-14T22:13:20+00:00")
        #expect(object["level"]?.stringValue == "info")
        #expect(object["message"]?.stringValue == "sent add")
        #expect(object["task"]?.stringValue == "tasks.add")
        #expect(object["queue"]?.stringValue == "celery")
        #expect(object["entry"]?.stringValue == "line\nbreak \"q\"")
    }

    @Test func aFieldNamedLikeAFixedOneIsKeptApart() throws {
        let object = try parsed("hello", ["message": "not the message"])
        #expect(object["message"]?.stringValue == "hello")
        #expect(object["fields"]?.objectValue?["message"]?.stringValue == "not the message")
    }
}
