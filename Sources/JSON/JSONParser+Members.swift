/// Names of object members to look for, kept as bytes: finding them compares bytes and builds no
/// key strings. Loading 100,000 entries meets a dozen keys in each, so prepare the names once.
public struct JSONMemberNames: Sendable {
    let utf8: [[UInt8]]

    public init(_ names: [String]) {
        utf8 = names.map { Array($0.utf8) }
    }

    public var count: Int { utf8.count }

    /// The position of the name spelt by `key`'s bytes, if it is one of them.
    func position(of key: UnsafeBufferPointer<UInt8>) -> Int? {
        for (position, name) in utf8.enumerated() where name.count == key.count {
            if name.withUnsafeBufferPointer({ $0.elementsEqual(key) }) { return position }
        }
        return nil
    }
}

/// Where the named members of one object are.
public struct JSONMemberLocations: Sendable {
    /// For each name, the byte range of its value's text, or nil when the object has no such member.
    /// A name that occurs twice gives its last occurrence, as `json.loads` keeps the last.
    public var ranges: [Range<Int>?]
    /// Offset of the closing `}`: where new members are inserted.
    public var closingBrace: Int
    public var memberCount: Int

    public subscript(position: Int) -> Range<Int>? { ranges[position] }
}

extension JSONParser {
    /// Finds the values of the named members of the object in `range` of `bytes` (the whole text
    /// when nil) in one pass, checking the syntax of every value but building none: for hot paths
    /// that need a few members of an object and can read each from its text.
    public static func locateMembers(
        _ names: JSONMemberNames, in bytes: [UInt8], range: Range<Int>? = nil
    ) throws(JSONError) -> JSONMemberLocations {
        var found = try read(bytes, in: range) { reader throws(JSONError) in try reader.locateMembers(names) }
        if let offset = range?.lowerBound, offset != 0 {
            found.ranges = found.ranges.map { $0.map { ($0.lowerBound + offset)..<($0.upperBound + offset) } }
            found.closingBrace += offset
        }
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
        var ranges = [Range<Int>?](repeating: nil, count: names.count)
        var count = 0
        let closing = try forEachMember(depth: 1, key: { reader throws(JSONError) in try reader.readKey(among: names) }) {
            position, reader throws(JSONError) in
            let start = reader.index
            try reader.skipValue(depth: 1)
            if let position { ranges[position] = start..<reader.index }
            count += 1
        }
        return JSONMemberLocations(ranges: ranges, closingBrace: closing, memberCount: count)
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
