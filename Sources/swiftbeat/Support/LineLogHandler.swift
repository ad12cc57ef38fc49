import CivilTime
import Logging

/// One line per event on stderr: `2026-11-27T18:00:00.123456+00:00 info sent add-every-10s task=tasks.add id=...`.
/// Plain text with `key=value` metadata reads well in `journalctl` and `kubectl logs` alike.
struct LineLogHandler: StoredMetadataLogHandler {
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    func log(event: LogEvent) {
        var line = ISO8601.format(SystemClock.now(), utcOffsetSeconds: 0) + " " + event.level.rawValue + " " + "\(event.message)"
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for key in merged.keys.sorted() {
            let value = "\(merged[key]!)"
            line += " \(key)=" + Self.quotedIfNeeded(value)
        }
        StandardError.write(line + "\n")
    }

    /// Values with spaces, quotes or nothing in them are quoted, with `"` and `\` escaped, so every
    /// line splits back into its fields (logfmt's rule).
    static func quotedIfNeeded(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\n" }) else {
            return value
        }
        var quoted = "\""
        for character in value {
            switch character {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            default: quoted.append(character)
            }
        }
        return quoted + "\""
    }
}
