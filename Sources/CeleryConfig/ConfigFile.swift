public import JSON
import YAML

/// A config file: YAML or JSON whose keys are Celery setting names, in either of Celery's styles
/// (`task_default_queue` or `CELERY_DEFAULT_QUEUE`, never both styles in one file, as in Celery),
/// plus celerybeat-redis's `CELERY_REDIS_SCHEDULER_*` settings and swiftbeat's own.
public struct ConfigFile: Sendable {
    public let fileName: String
    /// Values by the name swiftbeat reads them under (`Setting.name`).
    let values: [String: JSONValue]
    /// The line each setting is written on, by `Setting.name`.
    let lines: [String: Int]
    /// The name each setting is written under in the file, by `Setting.name`.
    let writtenNames: [String: String]
    /// Celery settings in the file that swiftbeat has no use for (a worker's, a result backend's).
    public let ignored: [String]
    /// Names that are no setting at all, each with the closest known name when there is one.
    public let unknown: [(name: String, line: Int?, suggestion: String?)]

    public static func read(text: String, fileName: String) throws(ConfigError) -> ConfigFile {
        let file: MappingFile
        do {
            file = try MappingFile.parse(text: text, fileName: fileName, expecting: "a mapping from setting name to value")
        } catch {
            throw ConfigError(error.description)
        }
        let keys = file.object.members.map(\.key)
        let (oldStyle, renames) = CelerySettingNames.mixedNames(in: keys)
        guard renames.isEmpty else {
            throw ConfigError(
                "\(fileName): mixes Celery's \(oldStyle ? "old uppercase" : "lowercase") setting names with the "
                    + "\(oldStyle ? "lowercase" : "old uppercase") ones, which Celery refuses too: rename "
                    + renames.joined(separator: ", "))
        }
        let used = Set(Setting.used.map(\.name))
        var values: [String: JSONValue] = [:]
        var lines: [String: Int] = [:]
        var written: [String: String] = [:]
        var ignored: [String] = []
        var unknown: [(name: String, line: Int?, suggestion: String?)] = []
        for member in file.object.members {
            let name = CelerySettingNames.newName[member.key] ?? member.key
            if used.contains(name) {
                values[name] = member.value
                lines[name] = file.keyLines[member.key]
                written[name] = member.key
            } else if CelerySettingNames.oldName[name] != nil {
                ignored.append(member.key)
            } else {
                unknown.append((member.key, file.keyLines[member.key], SettingSuggestion.closest(to: member.key)))
            }
        }
        return ConfigFile(
            fileName: fileName, values: values, lines: lines, writtenNames: written, ignored: ignored, unknown: unknown)
    }

    /// The warnings to log once at start: the ignored settings on one line, then each unknown name.
    public var warnings: [String] {
        var lines: [String] = []
        if !ignored.isEmpty {
            lines.append("\(fileName): ignored, swiftbeat does not use them: \(ignored.joined(separator: ", "))")
        }
        for (name, line, suggestion) in unknown {
            let place = fileName + (line.map { " line \($0)" } ?? "")
            lines.append("\(place): unknown setting \(name)" + (suggestion.map { " (did you mean \($0)?)" } ?? ""))
        }
        return lines
    }

    /// Where a setting is written, for messages: `swiftbeat.yaml line 4: task_routes`.
    func place(of setting: Setting) -> String {
        fileName + (lines[setting.name].map { " line \($0)" } ?? "") + ": " + (writtenNames[setting.name] ?? setting.name)
    }
}
