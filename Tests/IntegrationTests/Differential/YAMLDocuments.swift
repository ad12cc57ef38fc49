/// Generated YAML documents: within the subset swiftbeat's YAML reader supports (README,
/// "Schedule files"), written in every style it reads, or with one construct from outside it.
extension DifferentialRun {
    /// A top-level block mapping, as schedule files are, with comments between its entries.
    mutating func yamlDocument() -> String {
        var lines: [String] = []
        if chance(0.15) { lines.append(pick(["---", "# schedules", "--- # start"])) }
        lines += yamlMapping(indent: 0, depth: 0)
        if chance(0.1) { lines.append("...") }
        return lines.joined(separator: "\n") + (chance(0.8) ? "\n" : "")
    }

    /// A document with one thing swiftbeat refuses: it must say so, never read something else.
    mutating func yamlDocumentOutsideSubset() -> String {
        let outside = pick([
            "a: &x 1\nb: *x\n", "a: !!str 1\n", "? [a, b]\n: 1\n", "%YAML 1.2\n---\na: 1\n", "a: 1\n---\nb: 2\n",
            "a:\n\tb: 1\n", "a: 1\na: 2\n", "a: !custom x\n", "a: [1, &y 2, *y]\n", "a: .inf\n", "a: -.inf\n", "a: .nan\n",
            "a: {b: 1, b: 2}\n", "? a\n: 1\n", "a: *\n", "a: &anchor\n  b: 1\n",
        ])
        return yamlMapping(indent: 0, depth: 0).joined(separator: "\n") + "\n" + outside.replacingOccurrences(ofKey: "a", with: "zz\(int(0...9))")
    }

    mutating func yamlMapping(indent: Int, depth: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        var lines: [String] = []
        var used: Set<String> = []
        for _ in 0..<int(1...4) {
            var key = yamlKey()
            while used.contains(key) { key += "x" }
            used.insert(key)
            if chance(0.1) { lines.append(pad + "# " + pick(["note", "a: b", "- x", "#"])) }
            if chance(0.05) { lines.append("") }
            lines += yamlEntry(prefix: pad + key + ":", indent: indent, depth: depth)
        }
        return lines
    }

    /// `prefix` (`key:` or `-`) and its value: inline, or on the lines below.
    mutating func yamlEntry(prefix: String, indent: Int, depth: Int) -> [String] {
        let comment = chance(0.15) ? " # " + pick(["c", "x: 1", "'q'"]) : ""
        switch depth > 2 ? int(0...4) : int(0...7) {
        case 0...2: return [prefix + " " + yamlScalar() + comment]
        case 3: return [prefix + " " + yamlFlow(depth: 0) + comment]
        case 4: return [prefix + " " + pick(["|", "|-", "|+", ">", ">-", "|2"]) + comment] + yamlBlockScalarLines(indent: indent + 2)
        case 5: return [prefix + comment] + yamlMapping(indent: indent + pick([2, 4]), depth: depth + 1)
        default:
            // A block sequence, at the key's indentation or deeper.
            let itemIndent = prefix.hasSuffix(":") && chance(0.4) ? indent : indent + 2
            let pad = String(repeating: " ", count: itemIndent)
            var lines = [prefix + comment]
            for _ in 0..<int(1...3) {
                if chance(0.3) {
                    // A compact mapping in the sequence: `- key: value`.
                    let inner = yamlMapping(indent: itemIndent + 2, depth: depth + 1)
                    lines.append(pad + "- " + inner[0].drop { $0 == " " })
                    lines += inner.dropFirst()
                } else {
                    lines += yamlEntry(prefix: pad + "-", indent: itemIndent, depth: depth + 1)
                }
            }
            return lines
        }
    }

    mutating func yamlKey() -> String {
        switch int(0...5) {
        case 0: return "'" + pick(["a b", "it''s", "x:y", "#h", "-"]) + "'"
        case 1: return "\"" + pick(["a\\tb", "q\\\"", "é", "k\\u00e9"]) + "\""
        default: return pick(["task", "args", "kwargs", "schedule", "options", "every-5m", "a_b", "Name", "x1", "ünï", "a.b", "a b"])
        }
    }

    /// A plain or quoted scalar, of each kind the core schema resolves.
    mutating func yamlScalar() -> String {
        switch int(0...9) {
        case 0: return pick(["null", "~", "Null", "NULL", "true", "false", "True", "FALSE", "yes", "no", "on", "off", "y"])
        case 1: return pick(["07", "+3", "-12", "0", "0x1F", "0o17", "0xff", "123456789012345678901234", "-0", "1_000"])
        case 2: return pick(["1.5", ".5", "-.5", "1.", "1e3", "1E-3", "+1.5e+2", "6.02e23", "0.1", "-0.0", "1.0e400"])
        case 3: return pick(["tasks.add", "hello world", "a:b", "a#b", "http://x/y?z=1", "*/5 * * * *".quotedIfNeeded, "9-17", "mon-fri", "-x", "ü €", "a - b"])
        case 4:
            let inner = (0..<int(0...6)).map { _ in pick(["a", " ", "''", "\"", "\\", "#", ": ", "é", "\\n"]) }.joined()
            return "'" + inner + "'"
        case 5:
            let inner = (0..<int(0...6)).map { _ in
                pick(["a", " ", "\\\"", "\\\\", "\\n", "\\t", "\\/", "\\x41", "\\u00e9", "\\U0001F600", "\\0", "\\e", "\\ ", "\\N", "\\_", "'", "#", "😀"])
            }.joined()
            return "\"" + inner + "\""
        case 6: return pick(["2024-01-01", "12:30", "1:20", "0b101", "0o8", "08", "0x", "+", "-", ".", "1.2.3", "1e", "e3", ".e3"])
        case 7: return pick(["a  b", "multi word value", "trailing ", "tab\there", "x-y_z", "@at".quotedIfNeeded, "`tick`".quotedIfNeeded])
        default: return "\(int(-1000...1000))"
        }
    }

    mutating func yamlFlow(depth: Int) -> String {
        func item() -> String {
            if depth < 2, chance(0.2) { return yamlFlow(depth: depth + 1) }
            return pick(["1", "a", "'q r'", "\"x\\ty\"", "null", "true", "2.5", "0x10", "b c", "-3"])
        }
        if chance(0.5) {
            return "[" + (0..<int(0...3)).map { _ in item() }.joined(separator: pick([", ", ",", " , "])) + "]"
        }
        var keys = ["a", "b", "'c d'", "\"e\"", "f"]
        keys.shuffle(using: &random)
        return "{" + keys.prefix(int(0...3)).map { "\($0): \(item())" }.joined(separator: ", ") + "}"
    }

    mutating func yamlBlockScalarLines(indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        // The first line sets the indentation, so it is neither empty nor indented further.
        return [pad + "first"]
            + (0..<int(0...3)).map { _ in
                let line = pick(["text", "more text", "  indented", "# not a comment", "a: b", "- c", ""])
                return line.isEmpty ? "" : pad + line
            }
    }
}

extension String {
    /// Scalars a plain style would misread go in double quotes.
    fileprivate var quotedIfNeeded: String { "\"" + self + "\"" }

    /// The document with its first key `a` renamed, so the outside construct does not collide.
    fileprivate func replacingOccurrences(ofKey key: String, with name: String) -> String {
        split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix(key + ":") ? name + line.dropFirst(key.count) : line.hasPrefix("? " + key) ? "? " + name + line.dropFirst(2 + key.count) : String(line)
        }.joined(separator: "\n")
    }
}
