public import CivilTime
public import JSON

extension CeleryMessage {
    /// The application headers, in the order and with the types Celery 5.7's `as_task_v2` uses.
    ///
    /// `ignore_result` is null because `send_task` (the call beat makes) leaves it unset;
    /// `replaced_task_nesting`, `stamped_headers` and `stamps` came with Celery 5.3/5.4 and
    /// older workers keep them as harmless custom headers.
    public var headers: JSONObject {
        var members: [JSONObject.Member] = []
        members.reserveCapacity(Self.celeryHeaderNames.count + extraHeaders.count)
        func add(_ key: String, _ value: JSONValue) {
            members.append(JSONObject.Member(key: key, value: value))
        }
        add("lang", .string("py"))
        add("task", .string(task))
        add("id", .string(id))
        add("shadow", Self.optional(shadow))
        add("eta", Self.timestamp(eta))
        add("expires", Self.timestamp(expires))
        add("group", Self.optional(group))
        add("group_index", .null)
        add("retries", .integer(0))
        add("timelimit", .array([timeLimit.map(JSONValue.number) ?? .null, softTimeLimit.map(JSONValue.number) ?? .null]))
        add("root_id", .string(rootID))
        add("parent_id", Self.optional(parentID))
        add("argsrepr", .string(argsRepr))
        add("kwargsrepr", .string(PythonRepr.of(.object(kwargs))))
        add("origin", .string(origin))
        add("ignore_result", .null)
        add("replaced_task_nesting", .integer(0))
        add("stamped_headers", .null)
        add("stamps", .object([:]))
        for extra in extraHeaders.members {
            // An extra header may override one of Celery's; otherwise it is appended, as dict.update would.
            if Self.celeryHeaderNames.contains(extra.key), let index = members.firstIndex(where: { $0.key == extra.key }) {
                members[index].value = extra.value
            } else {
                members.append(extra)
            }
        }
        return JSONObject(members: members)
    }

    static let celeryHeaderNames: Set<String> = [
        "lang", "task", "id", "shadow", "eta", "expires", "group", "group_index", "retries", "timelimit", "root_id",
        "parent_id", "argsrepr", "kwargsrepr", "origin", "ignore_result", "replaced_task_nesting", "stamped_headers", "stamps",
    ]

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
