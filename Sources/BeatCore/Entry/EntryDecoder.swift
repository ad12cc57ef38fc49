import CivilTime
public import JSON

/// Reads an entry from the JSON text stored in Redis, accepting both celerybeat-redis formats.
///
/// Defaults: `enabled` true, `args` `[]`, `kwargs` `{}`, queue `celery` (applied when sending).
/// Legacy entries: `crontab` wins over `interval` when both are present, as in celerybeat-redis 0.1.3.
/// Any problem is an `EntryError` naming the key and the field; nothing is guessed.
public enum EntryDecoder {
    /// How much of an entry to build.
    public enum Detail: Sendable {
        /// Everything: what a firing needs.
        case full
        /// Everything but the contents of `args` and `kwargs`, which are checked (their type and
        /// syntax) but left empty: what the timetable needs, at a fraction of the cost when loading
        /// 100,000 entries.
        case scheduling
    }

    /// - Parameter knownSchedule: the schedule already parsed from these very bytes (the runner
    ///   knows it by fingerprint when an entry fires), so it is not parsed again on every firing.
    public static func decode(
        key: String, name: String, json bytes: [UInt8], knownSchedule: Schedule? = nil, detail: Detail = .full
    ) throws(EntryError) -> Entry {
        var cache = ScheduleCache()
        return try decode(key: key, name: name, json: bytes, knownSchedule: knownSchedule, detail: detail, cache: &cache)
    }

    /// The same, sharing parsed schedules through `cache`: most entries repeat a few schedules.
    public static func decode(
        key: String, name: String, json bytes: [UInt8], knownSchedule: Schedule? = nil, detail: Detail = .full,
        cache: inout ScheduleCache
    ) throws(EntryError) -> Entry {
        func fail(_ reason: String) -> EntryError { EntryError(key: key, reason: reason) }
        let layout: JSONObjectLayout
        do {
            layout = try JSONParser.parseObjectLayout(bytes, skipping: detail == .scheduling ? ["args", "kwargs"] : [])
        } catch {
            // Say whether it is JSON of another type, or not JSON at all.
            if let value = try? JSONParser.parse(bytes) { throw fail("the value must be a JSON object, not \(value.typeName)") }
            throw fail("\(error)")
        }
        let object = layout.object

        guard let taskValue = object["task"] else { throw fail("missing \"task\"") }
        guard let task = taskValue.stringValue, !task.isEmpty else {
            throw fail("\"task\" must be a non-empty string, not \(JSONWriter.string(taskValue))")
        }

        let format: Entry.Format
        let scheduleMember: JSONObjectLayout.Member
        if let current = layout.member("schedule") {
            format = .current
            scheduleMember = current
        } else if let crontab = layout.member("crontab"), !crontab.value.isNull {
            format = .legacy
            scheduleMember = crontab
        } else if let interval = layout.member("interval"), !interval.value.isNull {
            format = .legacy
            scheduleMember = interval
        } else {
            throw fail("missing \"schedule\" (or the legacy \"interval\" or \"crontab\")")
        }
        let schedule: Schedule
        do throws(ScheduleError) {
            if let knownSchedule {
                schedule = knownSchedule
            } else {
                schedule = try cache.schedule(text: bytes[scheduleMember.valueRange]) { () throws(ScheduleError) in
                    try Schedule(json: scheduleMember.value)
                }
            }
        } catch {
            // Schedule errors name their field ("interval every: ..."), or start with "schedule:".
            let text = error.description
            throw fail(text.hasPrefix("schedule") ? text : "schedule: \(text)")
        }

        var enabled = true
        if let value = object["enabled"], !value.isNull {
            // Python code that wrote entries by hand sometimes stored 1 and 0; celerybeat-redis read
            // any truthy value, so those two are accepted too.
            switch value {
            case .bool(let bool): enabled = bool
            case .number(let number) where number.int64Value == 0 || number.int64Value == 1: enabled = number.int64Value == 1
            default: throw fail("\"enabled\" must be true or false, not \(JSONWriter.string(value))")
            }
        }

        var args: [JSONValue] = []
        var kwargs: JSONObject = [:]
        if detail == .scheduling {
            for (name, opener, type) in [("args", UInt8(ascii: "["), "array"), ("kwargs", UInt8(ascii: "{"), "object")] {
                guard let member = layout.member(name) else { continue }
                let text = bytes[member.valueRange]
                if text.first != opener, text.first != UInt8(ascii: "n") {
                    throw fail("\"\(name)\" must be a JSON \(type), not \(JSONValue.typeName(ofText: text))")
                }
            }
        } else {
            if let value = object["args"], !value.isNull {
                guard let array = value.arrayValue else { throw fail("\"args\" must be a JSON array, not \(value.typeName)") }
                args = array
            }
            if let value = object["kwargs"], !value.isNull {
                guard let dictionary = value.objectValue else { throw fail("\"kwargs\" must be a JSON object, not \(value.typeName)") }
                kwargs = dictionary
            }
        }

        var options = EntryOptions()
        do throws(OptionError) {
            if format == .legacy {
                try options.read(from: object, names: ["queue", "exchange", "routing_key", "expires"])
            }
            if let value = object["options"], !value.isNull {
                guard let dictionary = value.objectValue else { throw OptionError("\"options\" must be a JSON object, not \(value.typeName)") }
                try options.read(from: dictionary)
            }
        } catch {
            throw fail(error.reason.hasPrefix("\"options\"") ? error.reason : "option \(error.reason)")
        }

        var totalRunCount: Int64 = 0
        if let value = object["total_run_count"], !value.isNull {
            guard let count = value.numberValue?.int64Value, count >= 0 else {
                throw fail("\"total_run_count\" must be a non-negative integer, not \(JSONWriter.string(value))")
            }
            totalRunCount = count
        }
        var lastRunAt: Instant?
        if let value = object["last_run_at"], !value.isNull {
            guard let instant = PythonDatetime.decode(value) else {
                throw fail("\"last_run_at\" is not a datetime: \(JSONWriter.string(value))")
            }
            lastRunAt = instant
        }

        return Entry(
            key: key, name: name, task: task, enabled: enabled, schedule: schedule, args: args, kwargs: kwargs,
            options: options, totalRunCount: totalRunCount, lastRunAt: lastRunAt, format: format)
    }
}
