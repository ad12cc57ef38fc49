/// Names of object members to look for, kept as bytes: finding them compares bytes and builds no
/// key strings. Loading 100,000 entries meets a dozen keys in each, so prepare the names once.
public struct JSONMemberNames: Sendable {
    /// Every name's bytes, one after the other, and where each starts.
    private let bytes: [UInt8]
    private let starts: [Int]
    /// The positions of the names, shortest first; those `length` bytes long are
    /// `byLength[firstOfLength[length]..<firstOfLength[length + 1]]`. A key is compared with a
    /// name or two at most, and flat arrays cost no retain per lookup (this runs for every key).
    private let byLength: [Int]
    private let firstOfLength: [Int]

    public init(_ names: [String]) {
        bytes = names.flatMap { Array($0.utf8) }
        var start = 0
        starts = names.map { name in
            defer { start += name.utf8.count }
            return start
        }
        byLength = names.indices.sorted { (names[$0].utf8.count, $0) < (names[$1].utf8.count, $1) }
        let longest = names.map(\.utf8.count).max() ?? 0
        firstOfLength = (0...longest + 1).map { length in names.filter { $0.utf8.count < length }.count }
    }

    public var count: Int { starts.count }

    /// The position of the name spelt by `key`'s bytes, if it is one of them.
    func position(of key: UnsafeBufferPointer<UInt8>) -> Int? {
        let length = key.count
        guard length + 1 < firstOfLength.count, let keyStart = key.baseAddress else { return nil }
        return bytes.withUnsafeBufferPointer { names -> Int? in
            for candidate in firstOfLength[length]..<firstOfLength[length + 1] {
                let position = byLength[candidate]
                if memcmpEqual(names.baseAddress! + starts[position], keyStart, length) { return position }
            }
            return nil
        }
    }
}

/// Where the named members of one object are.
public struct JSONMemberLocations: Sendable {
    /// Per name, where its value's text starts and ends; -1 when the object has no such member.
    /// Plain integers: an array of optional ranges costs a generic allocation per object.
    private var bounds: [Int]
    /// Offset of the closing `}`: where new members are inserted.
    public var closingBrace: Int
    public var memberCount: Int

    init(count: Int) {
        bounds = [Int](repeating: -1, count: 2 * count)
        closingBrace = 0
        memberCount = 0
    }

    /// The byte range of the value of the name at `position`, or nil when the object has no such
    /// member. A name that occurs twice gives its last occurrence, as `json.loads` keeps the last.
    public subscript(position: Int) -> Range<Int>? {
        get {
            let start = bounds[2 * position]
            return start < 0 ? nil : start..<bounds[2 * position + 1]
        }
        set {
            bounds[2 * position] = newValue?.lowerBound ?? -1
            bounds[2 * position + 1] = newValue?.upperBound ?? -1
        }
    }

    public var ranges: [Range<Int>?] { (0..<bounds.count / 2).map { self[$0] } }

    mutating func offset(by offset: Int) {
        for index in bounds.indices where bounds[index] >= 0 { bounds[index] += offset }
        closingBrace += offset
    }
}

extension JSONParser {
    /// Finds the values of the named members of the object in `range` of `bytes` (the whole text
    /// when nil) in one pass, checking the syntax of every value but building none: for hot paths
    /// that need a few members of an object and can read each from its text.
    public static func locateMembers(
        _ names: JSONMemberNames, in bytes: [UInt8], range: Range<Int>? = nil
    ) throws(JSONError) -> JSONMemberLocations {
        var found = try read(bytes, in: range) { reader throws(JSONError) in try reader.locateMembers(names) }
        if let offset = range?.lowerBound, offset != 0 { found.offset(by: offset) }
        return found
    }

    /// Parses the value whose text is `range` of `bytes`: typically a member found by `locateMembers`.
    public static func parse(_ bytes: [UInt8], range: Range<Int>) throws(JSONError) -> JSONValue {
        try read(bytes, in: range) { reader throws(JSONError) in try reader.readValue(depth: 0) }
    }

    /// The string whose JSON text is `range` of `bytes`, or nil when that text is not a string.
    public static func string(_ bytes: [UInt8], range: Range<Int>) -> String? {
        guard range.first.map({ bytes[$0] }) == UInt8(ascii: "\"") else { return nil }
        return try? read(bytes, in: range) { reader throws(JSONError) in try reader.readString() }
    }

    /// The integer whose JSON text is `range` of `bytes`, or nil when that text is not an integer
    /// literal that fits 64 bits (what `JSONNumber.int64Value` gives, without building the number).
    public static func int64(_ bytes: [UInt8], range: Range<Int>) -> Int64? {
        bytes.withUnsafeBufferPointer { JSONNumber.int64(literal: UnsafeBufferPointer(rebasing: $0[range])) }
    }
}

extension JSONReader {
    mutating func locateMembers(_ names: JSONMemberNames) throws(JSONError) -> JSONMemberLocations {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else {
            throw error("expected an object")
        }
        var found = JSONMemberLocations(count: names.count)
        var count = 0
        found.closingBrace = try forEachMember(depth: 1, key: { reader throws(JSONError) in try reader.readKey(among: names) }) {
            position, reader throws(JSONError) in
            let start = reader.index
            try reader.skipValueInline(depth: 1)
            if let position { found[position] = start..<reader.index }
            count += 1
        }
        found.memberCount = count
        return found
    }

    /// Reads a key and tells which of `names` it is; only a key with escapes becomes a string.
    mutating func readKey(among names: JSONMemberNames) throws(JSONError) -> Int? {
        let start = index
        if let content = try readUnescapedString() {
            let key = UnsafeBufferPointer(rebasing: bytes[content.range])
            if !content.isASCII, String(validating: key, as: UTF8.self) == nil {
                throw JSONError(offset: content.range.lowerBound, reason: "string is not valid UTF-8")
            }
            return names.position(of: key)
        }
        index = start
        let key = Array(try readString().utf8)
        return key.withUnsafeBufferPointer { names.position(of: $0) }
    }
}
