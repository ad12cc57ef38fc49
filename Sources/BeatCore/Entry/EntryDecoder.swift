import CivilTime
import JSON

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
    ///
    /// No JSON tree is built for the entry itself: one pass finds the members it needs and checks
    /// the syntax of the rest, and each member is then read from its text. Loading 100,000
    /// entries and decoding every firing spend most of their time here.
    public static func decode(
        key: String, name: String, json bytes: [UInt8], knownSchedule: Schedule? = nil, detail: Detail = .full,
        cache: inout ScheduleCache
    ) throws(EntryError) -> Entry {
        func fail(_ reason: String) -> EntryError { EntryError(key: key, reason: reason) }
        let found: JSONMemberLocations
        do {
            found = try JSONParser.locateMembers(Member.names, in: bytes)
        } catch {
            // Say whether it is JSON of another type, or not JSON at all.
            if let value = try? JSONParser.parse(bytes) { throw fail("the value must be a JSON object, not \(value.typeName)") }
            throw fail("\(error)")
        }
        func range(_ member: Member) -> Range<Int>? { found[member.rawValue] }
        func isNull(_ range: Range<Int>) -> Bool { bytes[range.lowerBound] == UInt8(ascii: "n") }
        /// A member's value as a tree (its syntax is already checked, so nothing is lost to `try?`).
        func value(_ range: Range<Int>) -> JSONValue { (try? JSONParser.parse(bytes, range: range)) ?? .null }
        /// A member's value as JSON text, for error messages.
        func written(_ range: Range<Int>) -> String { JSONWriter.string(value(range)) }

        guard let taskRange = range(.task) else { throw fail("missing \"task\"") }
        guard let task = JSONParser.string(bytes, range: taskRange), !task.isEmpty else {
            throw fail("\"task\" must be a non-empty string, not \(written(taskRange))")
        }

        let format: Entry.Format
        let scheduleRange: Range<Int>
        if let current = range(.schedule) {
            format = .current
            scheduleRange = current
        } else if let crontab = range(.crontab), !isNull(crontab) {
            format = .legacy
            scheduleRange = crontab
        } else if let interval = range(.interval), !isNull(interval) {
            format = .legacy
            scheduleRange = interval
        } else {
            throw fail("missing \"schedule\" (or the legacy \"interval\" or \"crontab\")")
        }
        let schedule: Schedule
        do throws(ScheduleError) {
            if let knownSchedule {
                schedule = knownSchedule
            } else {
                schedule = try cache.schedule(text: bytes[scheduleRange]) { () throws(ScheduleError) in
                    try Schedule(json: value(scheduleRange))
                }
            }
        } catch {
            // Schedule errors name their field ("interval every: ..."), or start with "schedule:".
            let text = error.description
            throw fail(text.hasPrefix("schedule") ? text : "schedule: \(text)")
        }

        var enabled = true
        if let value = range(.enabled), !isNull(value) {
            // Python code that wrote entries by hand sometimes stored 1 and 0; celerybeat-redis read
            // any truthy value, so those two are accepted too.
            switch bytes[value.lowerBound] {
            case UInt8(ascii: "t"): enabled = true
            case UInt8(ascii: "f"): enabled = false
            default:
                guard let number = JSONParser.int64(bytes, range: value), number == 0 || number == 1 else {
                    throw fail("\"enabled\" must be true or false, not \(written(value))")
                }
                enabled = number == 1
            }
        }

        // Their type is checked from the first byte; `.scheduling` leaves them empty.
        let argsRange = range(.args).flatMap { isNull($0) ? nil : $0 }
        let kwargsRange = range(.kwargs).flatMap { isNull($0) ? nil : $0 }
        if let value = argsRange, bytes[value.lowerBound] != UInt8(ascii: "[") {
            throw fail("\"args\" must be a JSON array, not \(JSONValue.typeName(ofText: bytes[value]))")
        }
        if let value = kwargsRange, bytes[value.lowerBound] != UInt8(ascii: "{") {
            throw fail("\"kwargs\" must be a JSON object, not \(JSONValue.typeName(ofText: bytes[value]))")
        }
        var args: [JSONValue] = []
        var kwargs: JSONObject = [:]
        if detail == .full {
            if let range = argsRange { args = value(range).arrayValue ?? [] }
            if let range = kwargsRange { kwargs = value(range).objectValue ?? [:] }
        }

        var options = EntryOptions()
        do throws(OptionError) {
            if format == .legacy, let entry = try? JSONParser.parse(bytes).objectValue {
                // Legacy entries keep these at the top level; every occurrence is checked, as the
                // tree of the whole entry has them. Legacy entries are rare enough to build it.
                try options.read(from: entry, names: ["queue", "exchange", "routing_key", "expires"])
            }
            if let range = range(.options), !isNull(range) {
                func read(into options: inout EntryOptions) throws(OptionError) {
                    let member = value(range)
                    guard let dictionary = member.objectValue else { throw OptionError("\"options\" must be a JSON object, not \(member.typeName)") }
                    try options.read(from: dictionary)
                }
                if format == .legacy {
                    try read(into: &options)
                } else {
                    // Options that are the same text everywhere are read once (the legacy format's
                    // top-level ones come first, so they are not).
                    options = try cache.options(text: bytes[range]) { () throws(OptionError) in
                        var fresh = EntryOptions()
                        try read(into: &fresh)
                        return fresh
                    }
                }
            }
        } catch {
            throw fail(error.reason.hasPrefix("\"options\"") ? error.reason : "option \(error.reason)")
        }

        var totalRunCount: Int64 = 0
        if let value = range(.totalRunCount), !isNull(value) {
            guard let count = JSONParser.int64(bytes, range: value), count >= 0 else {
                throw fail("\"total_run_count\" must be a non-negative integer, not \(written(value))")
            }
            totalRunCount = count
        }
        var lastRunAt: Instant?
        if let value = range(.lastRunAt), !isNull(value) {
            guard let instant = PythonDatetime.decode(json: bytes, range: value) else {
                throw fail("\"last_run_at\" is not a datetime: \(written(value))")
            }
            lastRunAt = instant
        }

        var lifetime = EntryLifetime()
        if Member.lifetimeMembers.contains(where: { range($0) != nil }) {
            lifetime = try readLifetime(format: format, range: range, value: value, fail: fail)
        }

        var entry = Entry(
            key: key, name: name, task: task, enabled: enabled, schedule: schedule, args: args, kwargs: kwargs,
            options: options, totalRunCount: totalRunCount, lastRunAt: lastRunAt, format: format, lifetime: lifetime)
        entry.runStatePlace = RunStatePlace(
            totalRunCount: range(.totalRunCount), lastRunAt: range(.lastRunAt), closingBrace: found.closingBrace,
            memberCount: found.memberCount)
        return entry
    }

    /// `start_time`, `expires` (current format only), `max_run_count` and `one_off`; null is absent.
    private static func readLifetime(
        format: Entry.Format, range: (Member) -> Range<Int>?, value: (Range<Int>) -> JSONValue, fail: (String) -> EntryError
    ) throws(EntryError) -> EntryLifetime {
        func member(_ name: Member) -> JSONValue? {
            guard let found = range(name) else { return nil }
            let member = value(found)
            return member.isNull ? nil : member
        }
        func instant(_ name: Member, _ field: String) throws(EntryError) -> ClockedSchedule? {
            guard let given = member(name) else { return nil }
            guard let text = given.stringValue else {
                throw fail("\"\(field)\" must be an ISO 8601 date and time with an offset, not \(given.typeName)")
            }
            do {
                return try ClockedSchedule(iso8601: text, field: field)
            } catch {
                throw fail(error.description)
            }
        }
        var lifetime = EntryLifetime()
        lifetime.startTime = try instant(.startTime, "start_time")
        // A number or an object there is the legacy format's message option left behind by some
        // writer; swiftbeat ignored it before entries had an expiry of their own, and still does.
        if format == .current, let found = range(.expires), value(found).stringValue != nil {
            lifetime.expires = try instant(.expires, "expires")
        }
        if let given = member(.maxRunCount) {
            guard let count = given.numberValue?.int64Value, count >= 1 else {
                throw fail("\"max_run_count\" must be a whole number of runs, at least 1, not \(JSONWriter.string(given))")
            }
            lifetime.maxRunCount = count
        }
        if let given = member(.oneOff) {
            guard let flag = given.boolValue else { throw fail("\"one_off\" must be true or false, not \(JSONWriter.string(given))") }
            lifetime.oneOff = flag
        }
        return lifetime
    }

    /// The members the decoder reads, by their position in `names`.
    private enum Member: Int, CaseIterable {
        case task, schedule, crontab, interval, enabled, args, kwargs, options, totalRunCount, lastRunAt
        case startTime, expires, maxRunCount, oneOff

        static let names = JSONMemberNames(
            [
                "task", "schedule", "crontab", "interval", "enabled", "args", "kwargs", "options", "total_run_count", "last_run_at",
                "start_time", "expires", "max_run_count", "one_off",
            ])
        static let lifetimeMembers: [Member] = [.startTime, .expires, .maxRunCount, .oneOff]
    }
}
