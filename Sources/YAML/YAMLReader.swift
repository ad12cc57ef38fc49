public import JSON

/// Reads the subset of YAML 1.2 that people write for schedules, into JSON values.
///
/// swiftbeat cannot use Yams (it brings Foundation, and the beat must stay a few MB), so this is
/// a small reader for what schedule files need:
/// - block mappings and block sequences (a sequence may sit at its key's indentation), compact
///   mappings in sequences (`- task: x`), `key:` with nothing after it (null);
/// - flow collections `[a, b]` and `{a: 1}`, over several lines if need be;
/// - plain, single-quoted (`''` is a quote) and double-quoted scalars (with YAML's escapes), each
///   of them possibly folded over several lines; literal `|` and folded `>` block scalars with
///   chomping (`-`, `+`) and indentation indicators;
/// - comments, one document (an optional `---` before it and `...` after it).
///
/// Scalars resolve as YAML 1.2's core schema says: `null`, `~` and nothing are null; `true`/`false`
/// (also capitalised) are booleans; `07`, `+3`, `0x1F`, `0o17` are integers, `1.5`, `.5`, `1e3`
/// floats; anything else (`yes`, `on`, `2024-01-01`, `1_000`) is a string, and so is anything quoted.
/// Numbers become JSON number literals (`07` is `7`, `1.` is `1.0`); `.inf` and `.nan` are errors
/// because JSON cannot hold them.
///
/// Refused, with the line: anchors (`&`), aliases (`*`), tags (`!`), complex keys (`?`), directives
/// (`%`), several documents, tabs used for indentation, and duplicate keys.
public enum YAML {
    /// A document's value, and the line on which each key of its top-level mapping is written
    /// (so that a problem found later in an entry can still name its line).
    public struct Document: Sendable {
        public var value: JSONValue
        public var keyLines: [String: Int]
    }

    /// Collections nest at most this deep, so a hostile file cannot exhaust the stack.
    public static let maximumDepth = 200

    public static func parse(_ text: String) throws(YAMLError) -> JSONValue {
        try parseDocument(text).value
    }

    public static func parseDocument(_ text: String) throws(YAMLError) -> Document {
        var reader = YAMLReader(Array(text.utf8))
        let value = try reader.readDocument()
        return Document(value: value, keyLines: reader.topLevelKeyLines)
    }

    /// The JSON literal of a YAML 1.2 core-schema number (`07` is `7`, `+1.` is `1.0`, `0x1F` is
    /// `31`), or nil when `text` is not one (or is too large).
    public static func numberLiteral(_ text: String) -> String? {
        try? YAMLReader.number(text)
    }
}

/// The cursor behind `YAML`: a recursive-descent reader over the UTF-8 bytes, which keeps the
/// line and the column (in bytes; indentation is ASCII spaces) of its position.
///
/// Convention: a function that reads a block node returns either just after the line break that
/// ends the node's last line or at the first content of a later line; callers then call
/// `skipBlankLines()`, which is a no-op at content, and look at `column` to decide what follows.
struct YAMLReader {
    let bytes: [UInt8]
    var position = 0
    var line = 1
    var lineStart = 0
    var depth = 0
    var topLevelKeyLines: [String: Int] = [:]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {  // a UTF-8 byte order mark
            position = 3
            lineStart = 3
        }
    }

    // MARK: Document

    mutating func readDocument() throws(YAMLError) -> JSONValue {
        try skipBlankLines()
        if byte() == UInt8(ascii: "%") {
            throw fail("directives (%) are not supported")
        }
        if isDocumentMarker("---") {
            position += 3
            try skipSpacesInLine()
            if !isLineEnd() && byte() != UInt8(ascii: "#") {
                throw fail("write the document on the line after \"---\"")
            }
            try expectLineEnd(after: "\"---\"")
            try skipBlankLines()
        }
        var value = JSONValue.null
        if !isAtEnd && !isDocumentMarker("...") && !isDocumentMarker("---") {
            value = try readBlockNode(parentIndent: -1)
            try skipBlankLines()
        }
        if isDocumentMarker("...") {
            position += 3
            try expectLineEnd(after: "\"...\"")
            try skipBlankLines()
        }
        if isDocumentMarker("---") {
            throw fail("a schedule file holds one document; found a second \"---\"")
        }
        if !isAtEnd {
            throw fail("unexpected content at this indentation")
        }
        return value
    }

    // MARK: Block structure

    /// A node that starts its own line, at `column`, inside a collection indented `parentIndent`.
    mutating func readBlockNode(parentIndent: Int) throws(YAMLError) -> JSONValue {
        if isSequenceEntry() {
            return try readBlockSequence(indent: column)
        }
        if looksLikeKey() {
            return try readBlockMapping(indent: column)
        }
        return try readInlineNode(parentIndent: parentIndent)
    }

    /// The value after `key:` or `- `: on the same line, or on the following lines.
    ///
    /// - `inSequenceEntry`: a mapping or sequence may start on the same line (`- a: 1`, `- - x`).
    /// - `mappingIndent`: a block sequence may sit at the key's own indentation (`args:\n- 1`).
    mutating func readValue(parentIndent: Int, inSequenceEntry: Bool, mappingIndent: Int?) throws(YAMLError) -> JSONValue {
        try skipSpacesInLine()
        if isLineEnd() || byte() == UInt8(ascii: "#") {
            try expectLineEnd(after: "the value")
            try skipBlankLines()
            if isAtEnd { return .null }
            if column > parentIndent && !isDocumentMarker("---") && !isDocumentMarker("...") {
                return try readBlockNode(parentIndent: parentIndent)
            }
            if let mappingIndent, column == mappingIndent, isSequenceEntry() {
                return try readBlockSequence(indent: column)
            }
            return .null
        }
        if isSequenceEntry() {
            guard inSequenceEntry else {
                throw fail("a block sequence cannot start on the line of its key; start it on the next line")
            }
            return try readBlockSequence(indent: column)
        }
        if looksLikeKey() {
            guard inSequenceEntry else {
                throw fail("a mapping cannot start on the line of its key; start it on the next line, indented")
            }
            return try readBlockMapping(indent: column)
        }
        return try readInlineNode(parentIndent: parentIndent)
    }

    mutating func readBlockMapping(indent: Int) throws(YAMLError) -> JSONValue {
        try enterCollection()
        defer { depth -= 1 }
        var object = JSONObject()
        var seen = Set<String>()
        while true {
            let keyLine = line
            let key = try readKey()
            guard seen.insert(key).inserted else {
                throw YAMLError(line: keyLine, reason: "duplicate key \"\(key)\"")
            }
            if depth == 1 { topLevelKeyLines[key] = keyLine }
            object[key] = try readValue(parentIndent: indent, inSequenceEntry: false, mappingIndent: indent)
            try skipBlankLines()
            if isAtEnd || column < indent { break }
            if column > indent { throw fail("unexpected indentation (the mapping above is indented \(indent))") }
            if isDocumentMarker("---") || isDocumentMarker("...") { break }
            if isSequenceEntry() { throw fail("expected a key, found a sequence entry \"- \"") }
        }
        return .object(object)
    }

    mutating func readBlockSequence(indent: Int) throws(YAMLError) -> JSONValue {
        try enterCollection()
        defer { depth -= 1 }
        var elements: [JSONValue] = []
        while true {
            position += 1  // the "-"
            elements.append(try readValue(parentIndent: indent, inSequenceEntry: true, mappingIndent: nil))
            try skipBlankLines()
            if isAtEnd || column < indent { break }
            if column > indent { throw fail("unexpected indentation (the sequence above is indented \(indent))") }
            if !isSequenceEntry() { break }
        }
        return .array(elements)
    }

    /// A scalar or a flow collection, followed by nothing but a comment on its (last) line.
    mutating func readInlineNode(parentIndent: Int) throws(YAMLError) -> JSONValue {
        guard let first = byte() else { return .null }
        switch first {
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            let value = try readFlowCollection()
            try expectLineEnd(after: "the closing \(first == UInt8(ascii: "[") ? "]" : "}")")
            return value
        case UInt8(ascii: "|"), UInt8(ascii: ">"):
            return .string(try readBlockScalar(parentIndent: parentIndent))
        case UInt8(ascii: "\""):
            let text = try readDoubleQuoted()
            try expectLineEnd(after: "the closing quote")
            return .string(text)
        case UInt8(ascii: "'"):
            let text = try readSingleQuoted()
            try expectLineEnd(after: "the closing quote")
            return .string(text)
        default:
            try rejectIndicator(first)
            let (text, stoppedAtColon) = try readPlain(continuationIndent: parentIndent + 1, flow: false)
            if stoppedAtColon {
                throw fail("a mapping cannot start here (\": \" inside a value); quote the value if \": \" is part of it")
            }
            try expectLineEnd(after: "the value")
            return try resolve(text)
        }
    }

    /// A mapping key on one line, plain or quoted, and the `:` after it.
    mutating func readKey() throws(YAMLError) -> String {
        guard let first = byte() else { throw fail("expected a key") }
        let key: String
        switch first {
        case UInt8(ascii: "\""):
            key = try readDoubleQuoted()
        case UInt8(ascii: "'"):
            key = try readSingleQuoted()
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            throw fail("a flow collection cannot be a key")
        default:
            try rejectIndicator(first)
            let (text, stoppedAtColon) = try readPlain(continuationIndent: Int.max, flow: false)
            guard stoppedAtColon else { throw fail("expected \"key: value\", found \"\(text)\"") }
            key = try Self.keyText(try resolve(text))
        }
        try skipSpacesInLine()
        guard byte() == UInt8(ascii: ":"), isBlankOrEnd(at: position + 1) else {
            throw fail("expected \":\" after the key \"\(key)\"")
        }
        position += 1
        return key
    }

    /// A key as Python's json.dumps writes a non-string dictionary key: `30`, `true`, `null`.
    static func keyText(_ value: JSONValue) throws(YAMLError) -> String {
        switch value {
        case .string(let text): text
        case .number(let number): number.literal
        case .bool(let flag): flag ? "true" : "false"
        case .null: "null"
        case .array, .object: ""
        }
    }

    /// Whether the line from here reads `key:` followed by a space or the line end.
    func looksLikeKey() -> Bool {
        var index = position
        guard index < bytes.count else { return false }
        let first = bytes[index]
        if first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") {
            index += 1
            while index < bytes.count, !isBreak(bytes[index]) {
                if first == UInt8(ascii: "\"") && bytes[index] == UInt8(ascii: "\\") {
                    index += 2
                    continue
                }
                if bytes[index] == first {
                    if first == UInt8(ascii: "'"), index + 1 < bytes.count, bytes[index + 1] == first {
                        index += 2
                        continue
                    }
                    break
                }
                index += 1
            }
            guard index < bytes.count, bytes[index] == first else { return false }
            index += 1
            while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") {
                index += 1
            }
            return index < bytes.count && bytes[index] == UInt8(ascii: ":") && isBlankOrEnd(at: index + 1)
        }
        if "[{|>&*!?#".utf8.contains(first) { return false }
        while index < bytes.count, !isBreak(bytes[index]) {
            let byte = bytes[index]
            if byte == UInt8(ascii: ":"), isBlankOrEnd(at: index + 1) { return true }
            if byte == UInt8(ascii: "#"), index > position, isBlank(bytes[index - 1]) { return false }
            index += 1
        }
        return false
    }

    // MARK: Flow collections

    mutating func readFlowCollection() throws(YAMLError) -> JSONValue {
        try enterCollection()
        defer { depth -= 1 }
        let opening = bytes[position]
        let closing = opening == UInt8(ascii: "[") ? UInt8(ascii: "]") : UInt8(ascii: "}")
        let openedOn = line
        position += 1
        var elements: [JSONValue] = []
        var object = JSONObject()
        var seen = Set<String>()
        while true {
            try skipFlowSpace(openedOn: openedOn, closing: closing)
            if byte() == closing {
                position += 1
                break
            }
            if byte() == UInt8(ascii: ",") { throw fail("expected a value before \",\"") }
            let keyLine = line
            let (node, isScalar) = try readFlowNode(openedOn: openedOn, closing: closing)
            try skipFlowSpace(openedOn: openedOn, closing: closing)
            var value: JSONValue?
            if byte() == UInt8(ascii: ":") {
                guard isScalar else { throw fail("a flow collection cannot be a key") }
                position += 1
                try skipFlowSpace(openedOn: openedOn, closing: closing)
                if byte() == UInt8(ascii: ",") || byte() == closing {
                    value = .null
                } else {
                    value = try readFlowNode(openedOn: openedOn, closing: closing).value
                    try skipFlowSpace(openedOn: openedOn, closing: closing)
                }
            }
            if opening == UInt8(ascii: "[") {
                if let value {
                    elements.append(.object([try Self.keyText(node): value]))  // `[a: 1]` is `[{a: 1}]`
                } else {
                    elements.append(node)
                }
            } else {
                guard isScalar else { throw fail("a flow collection cannot be a key") }
                let key = try Self.keyText(node)
                guard seen.insert(key).inserted else {
                    throw YAMLError(line: keyLine, reason: "duplicate key \"\(key)\"")
                }
                object[key] = value ?? .null
            }
            if byte() == UInt8(ascii: ",") {
                position += 1
            } else if byte() != closing {
                throw fail("expected \",\" or \"\(Character(Unicode.Scalar(closing)))\" in the collection opened on line \(openedOn)")
            }
        }
        return opening == UInt8(ascii: "[") ? .array(elements) : .object(object)
    }

    /// A value inside a flow collection, and whether it is a scalar (which may be a key).
    mutating func readFlowNode(openedOn: Int, closing: UInt8) throws(YAMLError) -> (value: JSONValue, isScalar: Bool) {
        guard let first = byte() else {
            throw fail("the collection opened on line \(openedOn) is not closed")
        }
        switch first {
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            return (try readFlowCollection(), false)
        case UInt8(ascii: "\""):
            return (.string(try readDoubleQuoted()), true)
        case UInt8(ascii: "'"):
            return (.string(try readSingleQuoted()), true)
        case UInt8(ascii: "|"), UInt8(ascii: ">"):
            throw fail("block scalars (\(Character(Unicode.Scalar(first)))) cannot be used inside [ ] or { }")
        case UInt8(ascii: "]"), UInt8(ascii: "}"):
            throw fail("unexpected \"\(Character(Unicode.Scalar(first)))\"")
        default:
            if first == UInt8(ascii: "-"), isBlankOrEnd(at: position + 1) {
                throw fail("block sequence entries (\"- \") cannot be used inside [ ] or { }")
            }
            try rejectIndicator(first)
            let (text, _) = try readPlain(continuationIndent: 0, flow: true)
            return (try resolve(text), true)
        }
    }

    /// Skips spaces, line breaks and comments inside a flow collection.
    mutating func skipFlowSpace(openedOn: Int, closing: UInt8) throws(YAMLError) {
        while let byte = byte() {
            if isBlank(byte) {
                position += 1
            } else if isBreak(byte) {
                consumeBreak()
            } else if byte == UInt8(ascii: "#") {
                skipToLineEnd()
            } else {
                return
            }
        }
        throw fail("the collection opened on line \(openedOn) is not closed with \"\(Character(Unicode.Scalar(closing)))\"")
    }

    // MARK: Lines, blanks, positions

    var isAtEnd: Bool { position >= bytes.count }
    var column: Int { position - lineStart }

    func byte(at index: Int? = nil) -> UInt8? {
        let index = index ?? position
        return index < bytes.count ? bytes[index] : nil
    }

    func isBreak(_ byte: UInt8) -> Bool { byte == 0x0A || byte == 0x0D }
    func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    func isBlankOrEnd(at index: Int) -> Bool {
        guard index < bytes.count else { return true }
        return isBlank(bytes[index]) || isBreak(bytes[index])
    }

    func isLineEnd() -> Bool {
        guard let byte = byte() else { return true }
        return isBreak(byte)
    }

    /// `- ` (or a `-` that ends its line): the start of a block sequence entry.
    func isSequenceEntry() -> Bool {
        byte() == UInt8(ascii: "-") && isBlankOrEnd(at: position + 1)
    }

    /// `---` or `...` at the start of a line, followed by a blank or the line end.
    func isDocumentMarker(_ marker: String) -> Bool {
        guard column == 0 else { return false }
        let markerBytes = Array(marker.utf8)
        guard position + 3 <= bytes.count, Array(bytes[position..<position + 3]) == markerBytes else { return false }
        return isBlankOrEnd(at: position + 3)
    }

    mutating func consumeBreak() {
        if byte() == 0x0D { position += 1 }
        if byte() == 0x0A { position += 1 }
        line += 1
        lineStart = position
    }

    mutating func skipToLineEnd() {
        while let byte = byte(), !isBreak(byte) { position += 1 }
    }

    mutating func skipSpacesInLine() throws(YAMLError) {
        while let byte = byte(), isBlank(byte) { position += 1 }
    }

    /// After a node: only blanks and a comment may follow on the line; consumes the line break.
    mutating func expectLineEnd(after what: String) throws(YAMLError) {
        try skipSpacesInLine()
        if byte() == UInt8(ascii: "#") {
            guard position == lineStart || isBlank(bytes[position - 1]) else {
                throw fail("put a space before \"#\" to start a comment after \(what)")
            }
            skipToLineEnd()
        }
        guard isLineEnd() else {
            throw fail("unexpected text after \(what)")
        }
        if !isAtEnd { consumeBreak() }
    }

    /// Skips empty lines and comment lines; stops at the first content, whose `column` is its indentation.
    /// A tab in the indentation of a content line is an error in YAML, reported here.
    mutating func skipBlankLines() throws(YAMLError) {
        while !isAtEnd {
            let atLineStart = position == lineStart
            var index = position
            while index < bytes.count, bytes[index] == 0x20 { index += 1 }
            var afterBlanks = index
            while afterBlanks < bytes.count, isBlank(bytes[afterBlanks]) { afterBlanks += 1 }
            if afterBlanks >= bytes.count || isBreak(bytes[afterBlanks]) || bytes[afterBlanks] == UInt8(ascii: "#") {
                position = afterBlanks
                skipToLineEnd()
                if isAtEnd { return }
                consumeBreak()
                continue
            }
            if atLineStart && afterBlanks != index {
                position = index
                throw fail("tabs cannot indent YAML; use spaces")
            }
            position = index
            return
        }
    }

    mutating func enterCollection() throws(YAMLError) {
        depth += 1
        guard depth <= YAML.maximumDepth else { throw fail("nesting deeper than \(YAML.maximumDepth) levels") }
    }

    /// Characters that cannot start a plain scalar, each with what it would have meant.
    func rejectIndicator(_ first: UInt8) throws(YAMLError) {
        let hint = "; quote the value if you meant it as text"
        switch first {
        case UInt8(ascii: "&"): throw fail("anchors (&) are not supported" + hint)
        case UInt8(ascii: "*"): throw fail("aliases (*) are not supported" + hint + ", e.g. \"*/5 * * * *\"")
        case UInt8(ascii: "!"): throw fail("tags (!) are not supported" + hint)
        case UInt8(ascii: "%"): throw fail("\"%\" cannot start a value" + hint)
        case UInt8(ascii: "@"), UInt8(ascii: "`"):
            throw fail("\"\(Character(Unicode.Scalar(first)))\" is reserved in YAML" + hint)
        case UInt8(ascii: "?") where isBlankOrEnd(at: position + 1):
            throw fail("complex keys (?) are not supported")
        case UInt8(ascii: ":") where isBlankOrEnd(at: position + 1):
            throw fail("a key is missing before \":\"")
        case UInt8(ascii: "#"): throw fail("expected a value, found a comment")
        case 0x09: throw fail("tabs cannot indent YAML; use spaces")
        case UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: ","):
            throw fail("unexpected \"\(Character(Unicode.Scalar(first)))\"" + hint)
        default: return
        }
    }

    func fail(_ reason: String) -> YAMLError {
        YAMLError(line: line, reason: reason)
    }
}
