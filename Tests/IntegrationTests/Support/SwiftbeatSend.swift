import CivilTime
import Foundation
import JSON
import Testing
import TestSupport

/// Runs the real `swiftbeat send TASK ARGUMENTS... --broker-url URL` and returns the task id it
/// printed, after checking that it succeeded quietly and printed exactly one UUID.
func send(
    _ arguments: [String], task: String = "probe.record", to url: String,
    sourceLocation: SourceLocation = #_sourceLocation
) async throws -> String {
    let result = try await offloaded { try SwiftbeatBinary.run(["send", task] + arguments + ["--broker-url", url]) }
    try #require(
        result.status == 0, "swiftbeat send exited \(result.status): \(result.stderr)", sourceLocation: sourceLocation)
    #expect(result.stderr.isEmpty, "swiftbeat send wrote to stderr: \(result.stderr)", sourceLocation: sourceLocation)
    let id = result.stdout.trimmingCharacters(in: .newlines)
    try #require(UUID(uuidString: id) != nil, "swiftbeat send printed \(result.stdout.debugDescription), not one task id",
        sourceLocation: sourceLocation)
    return id
}

/// Reading a worker's record (see Tests/Python/probe.py).
extension JSONObject {
    /// A record's field that holds an ISO 8601 time (`eta`, `expires`), as an instant.
    func instant(_ key: String) throws -> Instant {
        let text = try #require(self[key]?.stringValue, "\(key) is \(self[key].map { "\($0)" } ?? "missing")")
        return try ISO8601.parse(text).instantAssumingUTC
    }

    /// When the task started in the worker (`time.time()` in the task).
    var startedAt: Instant? {
        self["started_at"]?.numberValue.map { Instant(microsecondsSinceEpoch: Int64(($0.doubleValue * 1e6).rounded())) }
    }

    func object(_ key: String) -> JSONObject? { self[key]?.objectValue }
}

/// `text` parsed as JSON; a test's own literals, so a parse failure is a bug in the test.
func json(_ text: String) throws -> JSONValue {
    try JSONParser.parse(text)
}
