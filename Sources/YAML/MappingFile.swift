public import JSON

/// A file whose document is one mapping, written in YAML or in JSON: a schedule file (entry name to
/// entry) or a config file (setting name to value). Reading it keeps the line of each top-level key,
/// so that a problem found later, in one value, can still name its line.
public struct MappingFile: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        case yaml, json
    }

    public var object: JSONObject
    /// The line on which each top-level key is written.
    public var keyLines: [String: Int]

    /// `.json` files are JSON, `.yaml`/`.yml` YAML; any other name is JSON when its first
    /// character is `{`, else YAML.
    public static func format(of text: String, fileName: String) -> Format {
        let lower = fileName.lowercased()
        if lower.hasSuffix(".json") { return .json }
        if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") { return .yaml }
        let first = text.unicodeScalars.first { !($0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" || $0 == "\u{FEFF}") }
        return first == "{" ? .json : .yaml
    }

    /// Reads the file's top-level mapping. An empty YAML file (or one with only comments) is an
    /// empty mapping. `expecting` says what the mapping holds, for the error when it is not one
    /// ("a mapping from entry name to entry").
    public static func parse(text: String, fileName: String, expecting: String) throws(MappingFileError) -> MappingFile {
        let value: JSONValue
        var keyLines: [String: Int] = [:]
        switch format(of: text, fileName: fileName) {
        case .yaml:
            do {
                let document = try YAML.parseDocument(text)
                value = document.value
                keyLines = document.keyLines
            } catch {
                throw MappingFileError(fileName: fileName, line: error.line, reason: error.reason)
            }
        case .json:
            let bytes = Array(text.utf8)
            do {
                let layout = try JSONParser.parseObjectLayout(bytes)
                value = .object(layout.object)
                for member in layout.members.reversed() {
                    keyLines[member.key] = line(ofOffset: member.valueRange.lowerBound, in: bytes)
                }
            } catch {
                if error.reason == "expected an object" {
                    throw MappingFileError(fileName: fileName, line: nil, reason: "expected an object: \(expecting)")
                }
                throw MappingFileError(
                    fileName: fileName, line: line(ofOffset: error.offset, in: bytes), reason: "invalid JSON: \(error.reason)")
            }
        }
        switch value {
        case .null: return MappingFile(object: [:], keyLines: [:])
        case .object(let object): return MappingFile(object: object, keyLines: keyLines)
        default: throw MappingFileError(fileName: fileName, line: nil, reason: "expected \(expecting), found \(value.typeName)")
        }
    }

    static func line(ofOffset offset: Int, in bytes: [UInt8]) -> Int {
        1 + bytes[..<min(offset, bytes.count)].count { $0 == 0x0A }
    }
}

/// Why a mapping file cannot be used: `schedule.yaml line 12: entry "nightly": schedule: ...`.
public struct MappingFileError: Error, Equatable, Sendable, CustomStringConvertible {
    public var fileName: String
    public var line: Int?
    public var reason: String

    public init(fileName: String, line: Int?, reason: String) {
        self.fileName = fileName
        self.line = line
        self.reason = reason
    }

    public var description: String {
        "\(fileName)\(line.map { " line \($0)" } ?? ""): \(reason)"
    }
}
