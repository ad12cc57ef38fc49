import JSON

/// A schedule file: a mapping from entry name to entry, like Celery's `beat_schedule`, in YAML or
/// JSON. `swiftbeat run --schedule-file`, `swiftbeat import` and `swiftbeat export` share it.
///
/// ```yaml
/// add-every-30-seconds:
///   task: tasks.add
///   schedule: 30                    # seconds; or "30s", "5m", "1h", "1d"
///   args: [16, 16]
/// monday-report:
///   task: reports.weekly
///   schedule: "30 7 * * mon"        # minute hour day_of_month month_of_year day_of_week
///   options: {queue: reports, expires: 3600}
/// ```
///
/// Each entry has the shape entries have in Redis (see `EntryEncoder` for what may be left out and
/// how `schedule` may be written), and becomes the JSON stored under `<prefix><name>`.
public enum ScheduleFile {
    public enum Format: String, Sendable, CaseIterable {
        case yaml, json
    }

    /// One entry of a file: its name (the key without the prefix) and the exact bytes to store.
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var json: [UInt8]

        public init(name: String, json: [UInt8]) {
            self.name = name
            self.json = json
        }
    }

    /// `.json` files are JSON, `.yaml`/`.yml` YAML; any other name is JSON when its first
    /// character is `{`, else YAML.
    public static func format(of text: String, fileName: String) -> Format {
        let lower = fileName.lowercased()
        if lower.hasSuffix(".json") { return .json }
        if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") { return .yaml }
        let first = text.unicodeScalars.first { !($0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" || $0 == "\u{FEFF}") }
        return first == "{" ? .json : .yaml
    }

    /// Reads a whole file and checks every entry: any problem fails the whole file, so a schedule
    /// is never half loaded. An empty YAML file (or one with only comments) has no entries.
    /// Entries come in file order.
    public static func parse(text: String, fileName: String) throws(ScheduleFileError) -> [Entry] {
        let (object, keyLines) = try document(text: text, fileName: fileName)
        var entries: [Entry] = []
        entries.reserveCapacity(object.count)
        var seen = Set<String>()
        for member in object.members {
            let line = keyLines[member.key]
            func fail(_ reason: String) -> ScheduleFileError {
                ScheduleFileError(fileName: fileName, line: line, reason: "entry \"\(member.key)\": \(reason)")
            }
            guard seen.insert(member.key).inserted else { throw fail("the name appears twice") }
            guard !member.key.isEmpty else {
                throw ScheduleFileError(fileName: fileName, line: line, reason: "an entry name is empty")
            }
            guard let entry = member.value.objectValue else {
                throw fail("expected a mapping with task, schedule, ..., found \(member.value.typeName)")
            }
            do {
                entries.append(Entry(name: member.key, json: try EntryEncoder.encode(name: member.key, entry: entry)))
            } catch {
                throw fail(error.reason)
            }
        }
        return entries
    }

    /// The file's top-level mapping, and the line each of its keys is on.
    static func document(text: String, fileName: String) throws(ScheduleFileError) -> (JSONObject, [String: Int]) {
        let value: JSONValue
        var keyLines: [String: Int] = [:]
        switch format(of: text, fileName: fileName) {
        case .yaml:
            do {
                let document = try YAML.parseDocument(text)
                value = document.value
                keyLines = document.keyLines
            } catch {
                throw ScheduleFileError(fileName: fileName, line: error.line, reason: error.reason)
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
                    throw ScheduleFileError(
                        fileName: fileName, line: nil, reason: "expected an object mapping entry names to entries")
                }
                throw ScheduleFileError(
                    fileName: fileName, line: line(ofOffset: error.offset, in: bytes), reason: "invalid JSON: \(error.reason)")
            }
        }
        switch value {
        case .null: return ([:], [:])
        case .object(let object): return (object, keyLines)
        default:
            throw ScheduleFileError(
                fileName: fileName, line: nil, reason: "expected a mapping from entry name to entry, found \(value.typeName)")
        }
    }

    static func line(ofOffset offset: Int, in bytes: [UInt8]) -> Int {
        1 + bytes[..<min(offset, bytes.count)].count { $0 == 0x0A }
    }
}

/// Why a schedule file cannot be used: `schedule.yaml line 12: entry "nightly": schedule: ...`.
public struct ScheduleFileError: Error, Equatable, Sendable, CustomStringConvertible {
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
