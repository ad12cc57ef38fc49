public import BeatCore
public import CivilTime
import JSON

/// Reads a RedBeat entry: its `definition` (`name`, `task`, `args`, `kwargs`, `options`,
/// `schedule`, `enabled`) has the members and meaning of a celerybeat-redis entry in the current
/// format, schedules included (`Schedule(json:)` reads RedBeat's `__type__` forms), so
/// `EntryDecoder` reads it and only the run state comes from elsewhere: `meta`'s `last_run_at`
/// (a RedBeat datetime, in its own zone) and `total_run_count`. A missing meta, or one without
/// `last_run_at`, is an entry that never ran, as RedBeat's `decode_meta` has it.
public enum RedBeatEntryDecoder {
    /// When RedBeat's `is_due` says an entry that never ran last ran: `datetime(MINYEAR, 1, 2)`
    /// (the 2nd, so that a zone west of UTC cannot take it below year 1, sibson/redbeat#56).
    public static let neverRun = CivilDateTime(year: 1, month: 1, day: 2).instant(utcOffsetSeconds: 0)

    public static func decode(
        key: String, name: String, stored: [UInt8], knownSchedule: Schedule? = nil, detail: EntryDecoder.Detail = .full,
        cache: inout ScheduleCache, zones: ZoneCache
    ) throws(EntryError) -> Entry {
        guard let (definition, metaBytes) = RedBeatStoredValue.split(stored) else {
            throw EntryError(key: key, reason: "the hash has no \"definition\" field")
        }
        guard !definition.isEmpty else { throw EntryError(key: key, reason: "the hash has no \"definition\" field") }
        var entry = try EntryDecoder.decode(
            key: key, name: name, json: Array(definition), knownSchedule: knownSchedule, detail: detail, cache: &cache)
        let meta = try self.meta(metaBytes, key: key, zones: zones)
        entry.lastRunAt = meta.lastRunAt
        entry.totalRunCount = meta.totalRunCount
        // The run state is not in the definition's bytes: nothing there is rewritten.
        entry.runStatePlace = nil
        return entry
    }

    /// `meta`'s run state; `total_run_count` is 0 when absent (RedBeat's `save()` and `reschedule()` omit it).
    static func meta(
        _ bytes: ArraySlice<UInt8>, key: String, zones: ZoneCache
    ) throws(EntryError) -> (lastRunAt: Instant?, totalRunCount: Int64) {
        guard !bytes.isEmpty else { return (nil, 0) }
        let value: JSONValue
        do {
            value = try JSONParser.parse(Array(bytes))
        } catch {
            throw EntryError(key: key, reason: "\"meta\" is not JSON: \(error)")
        }
        guard let object = value.objectValue else {
            throw EntryError(key: key, reason: "\"meta\" must be a JSON object, not \(value.typeName)")
        }
        var lastRunAt: Instant?
        if let written = object["last_run_at"], !written.isNull {
            guard let instant = RedBeatDatetime.decode(written, zones: zones) else {
                throw EntryError(key: key, reason: "meta \"last_run_at\" is not a RedBeat datetime: \(JSONWriter.string(written))")
            }
            lastRunAt = instant
        }
        var count: Int64 = 0
        if let written = object["total_run_count"], !written.isNull {
            guard case .number(let number) = written, let value = number.int64Value, value >= 0 else {
                throw EntryError(key: key, reason: "meta \"total_run_count\" must be a non-negative integer, not \(JSONWriter.string(written))")
            }
            count = value
        }
        return (lastRunAt, count)
    }
}
