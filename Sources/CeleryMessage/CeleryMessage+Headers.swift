import CivilTime
public import JSON

extension CeleryMessage {
    /// One header's value, in a form both encodings can write without building a JSON tree first.
    public enum HeaderValue {
        case string(String)
        case null
        case integer(Int64)
        case json(JSONValue)

        public var json: JSONValue {
            switch self {
            case .string(let string): .string(string)
            case .null: .null
            case .integer(let integer): .integer(integer)
            case .json(let value): value
            }
        }
    }

    /// Visits the application headers in the order and with the types Celery 5.7's `as_task_v2`
    /// uses, then the extra headers. The one list of Celery's headers; both brokers write from it.
    ///
    /// `ignore_result` is null because `send_task` (the call beat makes) leaves it unset;
    /// `replaced_task_nesting`, `stamped_headers` and `stamps` came with Celery 5.3/5.4 and
    /// older workers keep them as harmless custom headers. An extra header named like one of
    /// Celery's replaces it in place, as `dict.update` would.
    public func forEachHeader(_ visit: (String, HeaderValue) -> Void) {
        let overrides = extraHeaders.members.contains { Self.celeryHeaderNames.contains($0.key) }
        func header(_ key: String, _ value: @autoclosure () -> HeaderValue) {
            if overrides, let replacement = extraHeaders[key] {
                visit(key, .json(replacement))
            } else {
                visit(key, value())
            }
        }
        header("lang", .string("py"))
        header("task", .string(task))
        header("id", .string(id))
        header("shadow", Self.optional(shadow))
        header("eta", Self.timestamp(eta))
        header("expires", Self.timestamp(expires))
        header("group", Self.optional(group))
        header("group_index", .null)
        header("retries", .integer(0))
        header("timelimit", .json(.array([timeLimit.map(JSONValue.number) ?? .null, softTimeLimit.map(JSONValue.number) ?? .null])))
        header("root_id", .string(rootID))
        header("parent_id", Self.optional(parentID))
        header("argsrepr", .string(argsRepr))
        header("kwargsrepr", .string(kwargsRepr))
        header("origin", .string(origin))
        header("ignore_result", .null)
        header("replaced_task_nesting", .integer(0))
        header("stamped_headers", .null)
        header("stamps", .json(.object([:])))
        for extra in extraHeaders.members where !(overrides && Self.celeryHeaderNames.contains(extra.key)) {
            visit(extra.key, .json(extra.value))
        }
    }

    /// The headers as one JSON object (what the AMQP field table is built from).
    public var headers: JSONObject {
        var members: [JSONObject.Member] = []
        members.reserveCapacity(Self.celeryHeaderNames.count + extraHeaders.count)
        forEachHeader { key, value in members.append(JSONObject.Member(key: key, value: value.json)) }
        return JSONObject(members: members)
    }

    static let celeryHeaderNames: Set<String> = [
        "lang", "task", "id", "shadow", "eta", "expires", "group", "group_index", "retries", "timelimit", "root_id",
        "parent_id", "argsrepr", "kwargsrepr", "origin", "ignore_result", "replaced_task_nesting", "stamped_headers", "stamps",
    ]

    /// Most beat entries have no keyword arguments: their repr needs no pass over a tree.
    private var kwargsRepr: String {
        kwargs.members.isEmpty ? "{}" : PythonRepr.of(.object(kwargs))
    }

    /// `send_task` without arguments sends the empty tuple `()`; given arguments are a list.
    private var argsRepr: String {
        args.isEmpty ? "()" : PythonRepr.of(.array(args))
    }

    private static func optional(_ string: String?) -> HeaderValue {
        string.map(HeaderValue.string) ?? .null
    }

    private static func timestamp(_ instant: Instant?) -> HeaderValue {
        instant.map { .string(ISO8601.format($0, utcOffsetSeconds: 0)) } ?? .null
    }
}
