/// A JSON object that keeps its members in document order.
///
/// Lookups are linear: the objects swiftbeat handles (entries, headers, options) have a dozen
/// members or fewer, where a scan beats hashing, and order must survive a round trip anyway.
public struct JSONObject: Equatable, Sendable, ExpressibleByDictionaryLiteral {
    public struct Member: Equatable, Sendable {
        public var key: String
        public var value: JSONValue

        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    public private(set) var members: [Member]

    public init() {
        members = []
    }

    public init(members: [Member]) {
        self.members = members
    }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        members = elements.map { Member(key: $0.0, value: $0.1) }
    }

    /// Each key once, at its first place, with its last value: what Python's `json.loads` (and
    /// `subscript`) make of an object with duplicate keys. For writers whose format has no
    /// duplicate keys (YAML refuses them), so that the text they write means what this object means.
    public var distinctMembers: [Member] {
        var seen: Set<String> = []
        var distinct: [Member] = []
        for member in members where seen.insert(member.key).inserted {
            distinct.append(Member(key: member.key, value: self[member.key]!))
        }
        return distinct
    }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public var keys: [String] { members.map(\.key) }

    /// The value for `key`; setting replaces it in place or appends it, and `nil` removes it.
    /// With duplicate keys, the last one wins, as in Python's `json.loads`.
    public subscript(key: String) -> JSONValue? {
        get {
            members.last { $0.key == key }?.value
        }
        set {
            if let newValue {
                if let index = members.lastIndex(where: { $0.key == key }) {
                    members[index].value = newValue
                } else {
                    members.append(Member(key: key, value: newValue))
                }
            } else {
                members.removeAll { $0.key == key }
            }
        }
    }

    /// Objects are equal when they have the same keys with equal values, in any order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        let leftKeys = Set(lhs.keys)
        guard leftKeys == Set(rhs.keys) else { return false }
        return leftKeys.allSatisfy { lhs[$0] == rhs[$0] }
    }
}
