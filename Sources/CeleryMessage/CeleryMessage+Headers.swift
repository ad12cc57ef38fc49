public import CivilTime
public import JSON

extension CeleryMessage {
    /// The application headers, in the order and with the types Celery 5.7's `as_task_v2` uses.
    ///
    /// `ignore_result` is null because `send_task` (the call beat makes) leaves it unset;
    /// `replaced_task_nesting`, `stamped_headers` and `stamps` came with Celery 5.3/5.4 and
    /// older workers keep them as harmless custom headers.
    public var headers: JSONObject {
        var headers: JSONObject = [
            "lang": .string("py"),
            "task": .string(task),
            "id": .string(id),
            "shadow": Self.optional(shadow),
            "eta": Self.timestamp(eta),
            "expires": Self.timestamp(expires),
            "group": Self.optional(group),
            "group_index": .null,
            "retries": .integer(0),
            "timelimit": .array([timeLimit.map(JSONValue.number) ?? .null, softTimeLimit.map(JSONValue.number) ?? .null]),
            "root_id": .string(rootID),
            "parent_id": Self.optional(parentID),
            "argsrepr": .string(argsRepr),
            "kwargsrepr": .string(PythonRepr.of(.object(kwargs))),
            "origin": .string(origin),
            "ignore_result": .null,
            "replaced_task_nesting": .integer(0),
            "stamped_headers": .null,
            "stamps": .object([:]),
        ]
        for member in extraHeaders.members {
            headers[member.key] = member.value
        }
        return headers
    }

    /// `send_task` without arguments sends the empty tuple `()`; given arguments are a list.
    private var argsRepr: String {
        args.isEmpty ? "()" : PythonRepr.of(.array(args))
    }

    private static func optional(_ string: String?) -> JSONValue {
        string.map(JSONValue.string) ?? .null
    }

    private static func timestamp(_ instant: Instant?) -> JSONValue {
        instant.map { .string(ISO8601.format($0, utcOffsetSeconds: 0)) } ?? .null
    }
}
