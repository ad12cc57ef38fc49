public import CeleryMessage
public import CivilTime
public import JSON

/// The messages of Tests/Python/capture_golden.py's CASES, built the swiftbeat way, so the golden
/// tests can compare them with what real Celery sent for the same call.
public enum GoldenCases {
    public static let names = ["beat-entry", "rich-arguments", "defaults"]
    public static let celeryMinors = ["5.3", "5.7"]

    public static func message(_ name: String, now: Instant = Instant(secondsSinceEpoch: 1_800_000_000)) -> CeleryMessage {
        switch name {
        case "beat-entry":
            return CeleryMessage(
                task: "tasks.add", id: "9b2c3c1e-5a0e-4c39-9a39-0c1d2e3f4a5b",
                args: [.integer(2), .integer(2)], kwargs: ["z": .string("ü")],
                destination: .init(queue: "golden"),
                expires: now + .seconds(60), timeLimit: JSONNumber(Int64(30)), softTimeLimit: JSONNumber(Int64(20)),
                extraHeaders: ["celery_beat_task": .bool(true), "periodic_task_name": .string("add-every-10s")],
                origin: "gen1@host", replyTo: "0f1e2d3c-4b5a-3968-8776-655443322110", now: now)
        case "rich-arguments":
            let args: [JSONValue] = [
                .object(["nested": .array([.integer(1), .array([.integer(2), .object(["deep": .null])])])]),
                .string("unicode: ü € 😀 \"q\" 'a'"),
                .number(JSONNumber(literal: "12345678901234567890")!),
                .integer(-1_099_511_627_776),
                .double(0.1), .double(1e-07), .bool(true), .null,
            ]
            let kwargs: JSONObject = [
                "big": .integer(Int64.max), "float": .double(2.5), "list": .array([]),
                "obj": .object(["k": .string("v")]), "none": .null,
            ]
            return CeleryMessage(
                task: "tasks.echo", id: "9b2c3c1e-5a0e-4c39-9a39-0c1d2e3f4a5b", args: args, kwargs: kwargs,
                destination: .init(queue: "golden"), eta: now + .seconds(30), priority: 7,
                origin: "gen1@host", replyTo: "0f1e2d3c-4b5a-3968-8776-655443322110", now: now)
        default:
            return CeleryMessage(
                task: "tasks.noop", id: "9b2c3c1e-5a0e-4c39-9a39-0c1d2e3f4a5b",
                origin: "gen1@host", replyTo: "0f1e2d3c-4b5a-3968-8776-655443322110", now: now)
        }
    }

    /// Replaces what changes on every send, as capture_golden.py does, after checking its shape.
    public static func normalised(headers: JSONObject) -> JSONObject {
        var headers = headers
        for key in ["id", "root_id"] where headers[key] != nil {
            headers[key] = .string("<task-id>")
        }
        headers["origin"] = .string("<origin>")
        for key in ["eta", "expires"] {
            if let text = headers[key]?.stringValue, (try? ISO8601.parse(text))?.utcOffsetSeconds != nil {
                headers[key] = .string("<timestamp>")
            }
        }
        return headers
    }
}
