public import JSON

/// Celery's `saferepr` of JSON-shaped data, for the `argsrepr` and `kwargsrepr` headers.
///
/// Workers only show these in logs, events and Flower, but people read them there, so they look
/// like what a Python producer writes (celery/utils/saferepr.py): `[2, 2]`, `{'z': 'ü'}`, `None`,
/// `True`; strings always in single quotes with only `'` escaped; containers nested three levels
/// deep shown as `[...]`/`{...}`; and past `maximumLength` characters the rest replaced by `, ...`
/// before the closing brackets.
public enum PythonRepr {
    /// Celery's `argsrepr_maxsize` and `kwargsrepr_maxsize`.
    public static let celeryMaximumLength = 1024
    static let maximumLevels = 3

    public static func of(_ value: JSONValue, maximumLength: Int? = PythonRepr.celeryMaximumLength) -> String {
        var stream = ReprStream(budget: maximumLength)
        stream.emit(value, level: 0)
        return stream.finish()
    }

    /// Celery's `truncate`: cut at the budget, back to the last space, and mark it with `...`.
    static func truncate(_ text: String, to length: Int?) -> String {
        guard let length, length > 0, text.pythonLength >= length else { return text }
        let head = String(String.UnicodeScalarView(text.unicodeScalars.prefix(length)))
        let cut = head.lastIndex(of: " ").map { String(head[..<$0]) } ?? head
        return cut + "..."
    }
}

/// The token stream behind `PythonRepr`: every token spends budget, and once it is spent the
/// open containers are closed and nothing else is written.
private struct ReprStream {
    var output = ""
    var budget: Int?
    var exhausted = false

    /// Writes `token`, or notes that the budget ran out before it.
    mutating func write(_ token: String) {
        guard !exhausted else { return }
        if let remaining = budget, remaining <= 0 {
            exhausted = true
            output += ", ..."
            return
        }
        output += token
        budget = budget.map { $0 - token.pythonLength }
    }

    mutating func emit(_ value: JSONValue, level: Int) {
        switch value {
        case .null: writeScalar("None")
        case .bool(let bool): writeScalar(bool ? "True" : "False")
        case .number(let number): writeScalar(number.literal)
        case .string(let string): write(quoted(string))
        case .array(let elements):
            guard level < PythonRepr.maximumLevels else { return write("[...]") }
            write("[")
            for (index, element) in elements.enumerated() {
                if index > 0 { write(", ") }
                emit(element, level: level + 1)
            }
            close("]")
        case .object(let object):
            guard level < PythonRepr.maximumLevels else { return write("{...}") }
            write("{")
            for (index, member) in object.members.enumerated() {
                if index > 0 { write(", ") }
                write(PythonRepr.of(.string(member.key), maximumLength: budget))
                write(": ")
                emit(member.value, level: level + 1)
            }
            close("}")
        }
    }

    /// Scalars are cut like strings when the budget is nearly spent (`6...`), as `_saferepr` does.
    private mutating func writeScalar(_ text: String) {
        write(PythonRepr.truncate(text, to: budget))
    }

    /// Closes a container: once the budget is spent, every open container still gets its closer.
    /// (Each `emit` closes its own container, so no stack of closers is kept: that was an array
    /// allocated for every repr, at every firing.)
    private mutating func close(_ closer: String) {
        if !exhausted { write(closer) }
        if exhausted { output += closer }
    }

    private func quoted(_ string: String) -> String {
        let text = PythonRepr.truncate(string, to: budget)
        guard text.utf8.contains(UInt8(ascii: "'")) else { return "'" + text + "'" }
        var escaped = [UInt8]()
        escaped.reserveCapacity(text.utf8.count + 8)
        escaped.append(UInt8(ascii: "'"))
        for byte in text.utf8 {
            if byte == UInt8(ascii: "'") { escaped.append(UInt8(ascii: "\\")) }
            escaped.append(byte)
        }
        escaped.append(UInt8(ascii: "'"))
        return String(decoding: escaped, as: UTF8.self)
    }

    mutating func finish() -> String {
        output
    }
}

extension String {
    /// `len()` in Python: code points, not grapheme clusters (and cheap for ASCII).
    fileprivate var pythonLength: Int {
        utf8.allSatisfy { $0 < 0x80 } ? utf8.count : unicodeScalars.count
    }
}
