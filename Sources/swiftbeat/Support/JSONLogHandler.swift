import CivilTime
import JSON
import Logging

/// One JSON object per line on stderr (`--log-format json`), for log pipelines that parse:
/// `{"time":"2026-11-27T18:00:00.123456+00:00","level":"info","message":"sent add","task":"tasks.add","id":"…","queue":"celery"}`.
/// The metadata keys are the same as the text lines' (`LineLogHandler`), at the top level; a key
/// named like one of the three fixed fields is kept under "fields". Values are strings, as logged.
struct JSONLogHandler: StoredMetadataLogHandler {
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    func log(event: LogEvent) {
        StandardError.write(Self.line(event, metadata: metadata, time: SystemClock.now()) + "\n")
    }

    static func line(_ event: LogEvent, metadata: Logger.Metadata, time: Instant) -> String {
        var object: JSONObject = [
            "time": .string(ISO8601.format(time, utcOffsetSeconds: 0)), "level": .string(event.level.rawValue),
            "message": .string("\(event.message)"),
        ]
        var clashing: JSONObject = [:]
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for key in merged.keys.sorted() {
            let value = JSONValue.string("\(merged[key]!)")
            if object[key] == nil { object[key] = value } else { clashing[key] = value }
        }
        if !clashing.isEmpty { object["fields"] = .object(clashing) }
        return JSONWriter.string(.object(object), style: .compact)
    }
}
