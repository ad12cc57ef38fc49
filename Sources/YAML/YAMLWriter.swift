public import JSON

/// Writes JSON values as YAML that `YAML.parse` (and any YAML 1.2 reader) reads back as the same
/// values: block mappings, short all-scalar collections in flow style (`[16, 16]`,
/// `{every: 30, period: seconds}`), strings plain where that cannot change their meaning and
/// double-quoted otherwise (`"07"`, `"yes"`, `"*/5 * * * *"`), numbers as their JSON literals.
/// "Cannot change their meaning" covers YAML 1.1 readers too (`readsOtherwiseInYAML11`).
public enum YAMLWriter {
    /// A block mapping or sequence document, ending with a line break.
    public static func document(_ value: JSONValue) -> String {
        var output = ""
        switch value {
        case .object(let object) where !object.isEmpty:
            writeMapping(object, indent: 0, into: &output)
        case .array(let elements) where !elements.isEmpty:
            writeSequence(elements, indent: 0, into: &output)
        default:
            output = flow(value) + "\n"
        }
        return output
    }

    /// Flow style is used for collections of scalars that fit on a line this long.
    static let flowWidth = 72

    private static func writeMapping(_ object: JSONObject, indent: Int, into output: inout String) {
        let pad = String(repeating: " ", count: indent)
        for member in object.distinctMembers {
            output += pad + scalar(.string(member.key), inFlow: false) + ":"
            writeValue(member.value, indent: indent, into: &output)
        }
    }

    private static func writeSequence(_ elements: [JSONValue], indent: Int, into output: inout String) {
        let pad = String(repeating: " ", count: indent)
        for element in elements {
            output += pad + "-"
            if case .object(let object) = element, !object.isEmpty, !fitsFlow(element) {
                // `- key: value` with the rest of the mapping under the first key.
                var nested = ""
                writeMapping(object, indent: indent + 2, into: &nested)
                // Dropped as scalars: a key starting with a combining mark would make one Character
                // with the last space of the indentation, and be cut with it.
                output += " " + String(nested.unicodeScalars.dropFirst(indent + 2))
            } else {
                writeValue(element, indent: indent, into: &output)
            }
        }
    }

    /// Writes what follows `key:` or `-`: the value on the same line, or a nested block.
    private static func writeValue(_ value: JSONValue, indent: Int, into output: inout String) {
        switch value {
        case .object(let object) where !object.isEmpty && !fitsFlow(value):
            output += "\n"
            writeMapping(object, indent: indent + 2, into: &output)
        case .array(let elements) where !elements.isEmpty && !fitsFlow(value):
            output += "\n"
            writeSequence(elements, indent: indent + 2, into: &output)
        default:
            output += " " + flow(value) + "\n"
        }
    }

    private static func fitsFlow(_ value: JSONValue) -> Bool {
        let scalarsOnly: Bool
        switch value {
        case .object(let object): scalarsOnly = object.members.allSatisfy { isScalar($0.value) }
        case .array(let elements): scalarsOnly = elements.allSatisfy(isScalar)
        default: return true
        }
        return scalarsOnly && flow(value).count <= flowWidth
    }

    private static func isScalar(_ value: JSONValue) -> Bool {
        switch value {
        case .array(let elements): elements.isEmpty
        case .object(let object): object.isEmpty
        default: true
        }
    }

    /// A value in flow style, on one line.
    static func flow(_ value: JSONValue) -> String {
        switch value {
        case .array(let elements):
            return "[" + elements.map(flow).joined(separator: ", ") + "]"
        case .object(let object):
            return "{" + object.distinctMembers.map { scalar(.string($0.key), inFlow: true) + ": " + flow($0.value) }
                .joined(separator: ", ") + "}"
        default:
            return scalar(value, inFlow: true)
        }
    }

    static func scalar(_ value: JSONValue, inFlow: Bool) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let number): return number.literal
        case .string(let text): return isPlainSafe(text, inFlow: inFlow) ? text : doubleQuoted(text)
        case .array, .object: return flow(value)
        }
    }

    /// Whether `text` written plain reads back as this same string. Errs towards quoting.
    static func isPlainSafe(_ text: String, inFlow: Bool) -> Bool {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return false }
        if "-?:,[]{}#&*!|>'\"%@` \t".unicodeScalars.contains(first) || text.hasPrefix("...") { return false }
        if last == " " || last == ":" { return false }
        if readsOtherwiseInYAML11(text) { return false }
        if text.contains(": ") || text.contains(" #") { return false }
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value) || scalar == "\u{FEFF}"
                || scalar == "\u{2028}" || scalar == "\u{2029}"
            {
                return false
            }
            if inFlow && ",[]{}".unicodeScalars.contains(scalar) { return false }
        }
        // Whatever would resolve to null, a boolean or a number (or fail, like .inf) is quoted.
        var reader = YAMLReader([])
        reader.line = 0
        guard case .string(let resolved)? = try? reader.resolve(text), resolved == text else { return false }
        return true
    }

    /// Whether a YAML 1.1 reader (PyYAML, and ruamel.yaml, which keeps some of 1.1's types even in
    /// 1.2 mode) reads `text` written plain as something other than this string, where YAML 1.2
    /// reads the string: the booleans `yes`/`no`/`on`/`off`/`y`/`n`, numbers with `_` (`1_000`),
    /// binary (`0b101`), base 60 (`1:20`), dates (`2024-01-01`), the `value` type `=` and the merge
    /// key `<<`. The files swiftbeat writes are read by Python tools too, so these are quoted.
    static func readsOtherwiseInYAML11(_ text: String) -> Bool {
        let yaml11Words: Set<String> = [
            "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "=", "<<",
        ]
        if yaml11Words.contains(text) { return true }
        var body = Substring(text)
        if body.first == "-" || body.first == "+" { body = body.dropFirst() }
        guard let first = body.first, first.isASCII, first.isNumber else { return false }
        let digitsAndUnderscores = body.allSatisfy { ($0.isASCII && $0.isNumber) || $0 == "_" || $0 == "." }
        if body.contains("_"), digitsAndUnderscores { return true }
        if body.hasPrefix("0b"), body.dropFirst(2).allSatisfy({ $0 == "0" || $0 == "1" || $0 == "_" }) { return true }
        if body.contains(":"), body.allSatisfy({ ($0.isASCII && $0.isNumber) || $0 == "_" || $0 == ":" || $0 == "." }) { return true }
        // A date: four digits and a dash, as YAML 1.1's timestamps start.
        let head = Array(body.prefix(5))
        return head.count == 5 && head[..<4].allSatisfy { $0.isASCII && $0.isNumber } && head[4] == "-"
    }

    /// A double-quoted scalar with JSON's escapes, which are YAML's too; non-ASCII stays as is.
    static func doubleQuoted(_ text: String) -> String {
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\t": output += "\\t"
            case "\r": output += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
                    || scalar == "\u{FEFF}" || scalar == "\u{2028}" || scalar == "\u{2029}"
                {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output + "\""
    }
}
