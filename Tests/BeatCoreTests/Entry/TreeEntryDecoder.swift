@testable import BeatCore
import CivilTime
import JSON

/// The entry decoder as it was before it stopped building JSON trees (commit b1cdf08): the whole
/// entry parsed into a `JSONValue` tree, each member read from the tree. Kept here as the oracle
/// the byte-level decoder is compared with (`EntryDecoderEquivalenceTests`), so that it stays
/// exactly as strict and as forgiving as the tree decoder was.
enum TreeEntryDecoder {
    static func decode(key: String, name: String, json bytes: [UInt8]) throws(EntryError) -> Entry {
        func fail(_ reason: String) -> EntryError { EntryError(key: key, reason: reason) }
        let layout: JSONObjectLayout
        do {
            layout = try JSONParser.parseObjectLayout(bytes)
        } catch {
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
            schedule = try Schedule(json: scheduleMember.value)
        } catch {
            let text = error.description
            throw fail(text.hasPrefix("schedule") ? text : "schedule: \(text)")
        }

        var enabled = true
        if let value = object["enabled"], !value.isNull {
            switch value {
            case .bool(let bool): enabled = bool
            case .number where int64(value) == 0 || int64(value) == 1: enabled = int64(value) == 1
            default: throw fail("\"enabled\" must be true or false, not \(JSONWriter.string(value))")
            }
        }

        var args: [JSONValue] = []
        var kwargs: JSONObject = [:]
        if let value = object["args"], !value.isNull {
            guard let array = value.arrayValue else { throw fail("\"args\" must be a JSON array, not \(value.typeName)") }
            args = array
        }
        if let value = object["kwargs"], !value.isNull {
            guard let dictionary = value.objectValue else { throw fail("\"kwargs\" must be a JSON object, not \(value.typeName)") }
            kwargs = dictionary
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
            guard let count = int64(value), count >= 0 else {
                throw fail("\"total_run_count\" must be a non-negative integer, not \(JSONWriter.string(value))")
            }
            totalRunCount = count
        }
        var lastRunAt: Instant?
        if let value = object["last_run_at"], !value.isNull {
            guard let instant = treeDatetime(value) else {
                throw fail("\"last_run_at\" is not a datetime: \(JSONWriter.string(value))")
            }
            lastRunAt = instant
        }

        var lifetime = EntryLifetime()
        func instant(_ field: String) throws(EntryError) -> ClockedSchedule? {
            guard let value = object[field], !value.isNull else { return nil }
            guard let text = value.stringValue else {
                throw fail("\"\(field)\" must be an ISO 8601 date and time with an offset, not \(value.typeName)")
            }
            do { return try ClockedSchedule(iso8601: text, field: field) } catch { throw fail(error.description) }
        }
        lifetime.startTime = try instant("start_time")
        if format == .current, object["expires"]?.stringValue != nil { lifetime.expires = try instant("expires") }
        if let value = object["max_run_count"], !value.isNull {
            guard let count = int64(value), count > 0 else {
                throw fail("\"max_run_count\" must be a whole number of runs, at least 1, not \(JSONWriter.string(value))")
            }
            lifetime.maxRunCount = count
        }
        if let value = object["one_off"], !value.isNull {
            guard let flag = value.boolValue else { throw fail("\"one_off\" must be true or false, not \(JSONWriter.string(value))") }
            lifetime.oneOff = flag
        }

        return Entry(
            key: key, name: name, task: task, enabled: enabled, schedule: schedule, args: args, kwargs: kwargs,
            options: options, totalRunCount: totalRunCount, lastRunAt: lastRunAt, format: format, lifetime: lifetime)
    }

    /// `JSONNumber.int64Value` as it was, through `Int64(String)`.
    static func int64(_ value: JSONValue) -> Int64? {
        guard let number = value.numberValue, number.isInteger else { return nil }
        return Int64(number.literal)
    }

    /// `PythonDatetime.decode` as it was, reading the tree.
    static func treeDatetime(_ value: JSONValue) -> Instant? {
        switch value {
        case .string(let text):
            return (try? ISO8601.parse(text))?.instantAssumingUTC
        case .object(let object):
            guard object["__type__"]?.stringValue == "datetime" else { return nil }
            if let text = object["__value__"]?.stringValue {
                return (try? ISO8601.parse(text))?.instantAssumingUTC
            }
            func component(_ name: String, default fallback: Int? = nil) -> Int? {
                guard let value = object[name] else { return fallback }
                return int64(value).map { Int($0) }
            }
            guard let year = component("year"), let month = component("month"), let day = component("day"),
                let hour = component("hour", default: 0), let minute = component("minute", default: 0),
                let second = component("second", default: 0), let microsecond = component("microsecond", default: 0)
            else { return nil }
            let wall = CivilDateTime(
                year: year, month: month, day: day, hour: hour, minute: minute, second: second, microsecond: microsecond)
            guard wall.isValid else { return nil }
            return wall.instant(utcOffsetSeconds: 0)
        default:
            return nil
        }
    }
}
