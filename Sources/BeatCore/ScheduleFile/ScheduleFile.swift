public import JSON
public import YAML

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
    public typealias Format = MappingFile.Format

    /// One entry of a file: its name (the key without the prefix) and the exact bytes to store.
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var json: [UInt8]

        public init(name: String, json: [UInt8]) {
            self.name = name
            self.json = json
        }
    }

    public static func format(of text: String, fileName: String) -> Format {
        MappingFile.format(of: text, fileName: fileName)
    }

    /// Reads a whole file and checks every entry: any problem fails the whole file, so a schedule
    /// is never half loaded. An empty YAML file (or one with only comments) has no entries.
    /// Entries come in file order.
    public static func parse(text: String, fileName: String) throws(ScheduleFileError) -> [Entry] {
        let file = try MappingFile.parse(text: text, fileName: fileName, expecting: "a mapping from entry name to entry")
        return try entries(of: file.object, fileName: fileName, keyLines: file.keyLines)
    }

    /// The entries of a mapping already read, such as a config file's `beat_schedule`; problems are
    /// reported as in `fileName`, at the lines `keyLines` gives (or `line` for every key).
    public static func entries(
        of object: JSONObject, fileName: String, keyLines: [String: Int] = [:], line fallbackLine: Int? = nil,
        context: String = ""
    ) throws(ScheduleFileError) -> [Entry] {
        var entries: [Entry] = []
        entries.reserveCapacity(object.count)
        var seen = Set<String>()
        for member in object.members {
            let line = keyLines[member.key] ?? fallbackLine
            func fail(_ reason: String) -> ScheduleFileError {
                ScheduleFileError(fileName: fileName, line: line, reason: "\(context)entry \"\(member.key)\": \(reason)")
            }
            guard seen.insert(member.key).inserted else { throw fail("the name appears twice") }
            guard !member.key.isEmpty else {
                throw ScheduleFileError(fileName: fileName, line: line, reason: "\(context)an entry name is empty")
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
}

/// Why a schedule file cannot be used: `schedule.yaml line 12: entry "nightly": schedule: ...`.
public typealias ScheduleFileError = MappingFileError
