public import CivilTime
public import JSON

extension CeleryMessage {
    /// Celery's own headers, in the order Celery 5.7's `as_task_v2` writes them.
    ///
    /// An encoding can prepare each name once (the Redis envelope writes them as ready-made
    /// bytes): every firing writes all of them.
    public enum Header: Int, CaseIterable, Sendable {
        case lang, task, id, shadow, eta, expires, group, groupIndex, retries, timelimit, rootID, parentID
        case argsrepr, kwargsrepr, origin, ignoreResult, replacedTaskNesting, stampedHeaders, stamps

        /// The header's name in the message.
        public var name: String { Self.names[rawValue] }

        /// The value Celery gives this header in every message; nil when it depends on the
        /// message. An encoding may prepare such a header, name and value, once.
        public var constantValue: HeaderValue? {
            switch self {
            case .lang: .string("py")
            case .groupIndex, .ignoreResult, .stampedHeaders: .null
            case .retries, .replacedTaskNesting: .integer(0)
            case .stamps: .json(.object([:]))
            default: nil
            }
        }

        static let names = [
            "lang", "task", "id", "shadow", "eta", "expires", "group", "group_index", "retries", "timelimit", "root_id",
            "parent_id", "argsrepr", "kwargsrepr", "origin", "ignore_result", "replaced_task_nesting", "stamped_headers",
            "stamps",
        ]
        /// Bit n set when a name is n bytes long: most extra headers (`celery_beat_task`,
        /// `periodic_task_name`) are told apart by their length alone, without hashing them.
        private static let nameLengths = names.reduce(UInt64(0)) { $0 | 1 << $1.utf8.count }

        /// The header called `name`, if Celery has one.
        static func named(_ name: String) -> Header? {
            let length = name.utf8.count
            guard length < 64, nameLengths & 1 << length != 0 else { return nil }
            return names.firstIndex(of: name).flatMap(Header.init(rawValue:))
        }
    }

    /// A header's name: one of Celery's, with Celery's value, or an extra one (which may
    /// replace one of Celery's in place).
    public enum HeaderName {
        case celery(Header)
        case extra(String)

        public var text: String {
            switch self {
            case .celery(let header): header.name
            case .extra(let name): name
            }
        }
    }

    /// One header's value, in a form both encodings can write without building a JSON tree first.
    public enum HeaderValue {
        case string(String)
        case null
        case integer(Int64)
        /// `eta` and `expires`: Python's `isoformat()` in UTC, written by the encoding straight
        /// into its output rather than as a string first.
        case instant(Instant)
        /// `timelimit`: `[hard, soft]`, each a number of seconds or null.
        case timeLimit(hard: JSONNumber?, soft: JSONNumber?)
        case json(JSONValue)

        public var json: JSONValue {
            switch self {
            case .string(let string): .string(string)
            case .null: .null
            case .integer(let integer): .integer(integer)
            case .instant(let instant): .string(ISO8601.format(instant, utcOffsetSeconds: 0))
            case .timeLimit(let hard, let soft): .array([hard.map(JSONValue.number) ?? .null, soft.map(JSONValue.number) ?? .null])
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
    public func forEachHeader(_ visit: (HeaderName, HeaderValue) -> Void) {
        let overrides = extraHeaders.members.contains { Header.named($0.key) != nil }
        for header in Header.allCases {
            if overrides, let replacement = extraHeaders[header.name] {
                visit(.extra(header.name), .json(replacement))
            } else {
                visit(.celery(header), value(of: header))
            }
        }
        for extra in extraHeaders.members where !(overrides && Header.named(extra.key) != nil) {
            visit(.extra(extra.key), .json(extra.value))
        }
    }

    /// The headers as one JSON object (what the AMQP field table is built from).
    public var headers: JSONObject {
        var members: [JSONObject.Member] = []
        members.reserveCapacity(Header.allCases.count + extraHeaders.count)
        forEachHeader { name, value in members.append(JSONObject.Member(key: name.text, value: value.json)) }
        return JSONObject(members: members)
    }

    /// Celery's value of `header` for this message.
    private func value(of header: Header) -> HeaderValue {
        if let constant = header.constantValue { return constant }
        return switch header {
        case .task: .string(task)
        case .id: .string(id)
        case .shadow: Self.optional(shadow)
        case .eta: eta.map(HeaderValue.instant) ?? .null
        case .expires: expires.map(HeaderValue.instant) ?? .null
        case .group: Self.optional(group)
        case .timelimit: .timeLimit(hard: timeLimit, soft: softTimeLimit)
        case .rootID: .string(rootID)
        case .parentID: Self.optional(parentID)
        case .argsrepr: .string(argsRepr)
        case .kwargsrepr: .string(kwargsRepr)
        case .origin: .string(origin)
        case .lang, .groupIndex, .retries, .ignoreResult, .replacedTaskNesting, .stampedHeaders, .stamps:
            preconditionFailure("\(header.name) has a constant value, returned above")
        }
    }

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
}
