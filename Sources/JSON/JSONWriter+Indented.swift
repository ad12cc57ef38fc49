extension JSONWriter {
    /// Pretty-printed JSON as Python's `json.dumps(value, indent=2)` writes it: one member or
    /// element per line, `[]` and `{}` for empty collections, non-ASCII escaped; no trailing newline.
    /// For people (`swiftbeat show`, JSON schedule files), not for Redis.
    /// `level`: how deeply `value` is nested, for a caller that writes the enclosing brackets itself
    /// (`list --json` writes its array an element at a time).
    public static func indented(_ value: JSONValue, indent: Int = 2, level: Int = 0) -> String {
        var output = ""
        write(value, level: level, indent: indent, into: &output)
        return output
    }

    private static func write(_ value: JSONValue, level: Int, indent: Int, into output: inout String) {
        let inner = String(repeating: " ", count: (level + 1) * indent)
        let outer = String(repeating: " ", count: level * indent)
        switch value {
        case .array(let elements) where !elements.isEmpty:
            output += "[\n"
            for (index, element) in elements.enumerated() {
                output += inner
                write(element, level: level + 1, indent: indent, into: &output)
                output += index + 1 < elements.count ? ",\n" : "\n"
            }
            output += outer + "]"
        case .object(let object) where !object.isEmpty:
            output += "{\n"
            for (index, member) in object.members.enumerated() {
                output += inner + string(.string(member.key)) + ": "
                write(member.value, level: level + 1, indent: indent, into: &output)
                output += index + 1 < object.count ? ",\n" : "\n"
            }
            output += outer + "}"
        default:
            output += string(value)
        }
    }
}
