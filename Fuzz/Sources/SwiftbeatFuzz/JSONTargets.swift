import BeatCore
import CivilTime
import JSON
import RedBeatStore

/// `json`: the JSON parser's three readers on the same bytes, and the writer's output of what was
/// accepted, which must read back and write out the same again.
@Sendable func fuzzJSON(_ bytes: [UInt8]) {
    _ = try? JSONParser.parseObjectLayout(bytes, skipping: ["args"])
    _ = try? JSONParser.locateMembers(["task", "schedule", "last_run_at"], in: bytes)
    guard let value = try? JSONParser.parse(bytes) else { return }
    let written = JSONWriter.serialize(value)
    guard let again = try? JSONParser.parse(written) else {
        fatalError("the writer's output of an accepted value does not parse: \(text(written))")
    }
    guard JSONWriter.serialize(again) == written else { fatalError("writing what was read back changed it: \(text(written))") }
}

/// `entry`: a celerybeat-redis entry value as `EntryDecoder` reads it from Redis, both detail levels,
/// then the next runs of the schedule it holds; and the same bytes as a bare schedule.
@Sendable func fuzzEntry(_ bytes: [UInt8]) {
    _ = try? EntryDecoder.decode(key: "redbeat:fuzz", name: "fuzz", json: bytes, detail: .scheduling)
    if let entry = try? EntryDecoder.decode(key: "redbeat:fuzz", name: "fuzz", json: bytes) {
        _ = entry.schedule.nextRuns(after: fuzzStart, count: 3, in: fuzzZone)
        _ = entry.schedule.description
    }
    guard let value = try? JSONParser.parse(bytes) else { return }
    _ = try? StoredSchedule.normalize(value)
    _ = PythonDatetime.decode(value)
    if let schedule = try? Schedule(json: value) {
        _ = schedule.nextRuns(after: fuzzStart, count: 3, in: fuzzZone)
    }
}

/// `redbeat-entry`: a RedBeat hash (`definition`, NUL, `meta`, as `RedBeatStoredValue` joins them),
/// whose meta names zones the decoder loads from the system tz database.
@Sendable func fuzzRedBeatEntry(_ bytes: [UInt8]) {
    var cache = ScheduleCache()
    let zones = ZoneCache()
    if let entry = try? RedBeatEntryDecoder.decode(key: "redbeat:fuzz", name: "fuzz", stored: bytes, cache: &cache, zones: zones) {
        _ = entry.schedule.nextRuns(after: fuzzStart, count: 3, in: fuzzZone)
    }
    if let value = try? JSONParser.parse(bytes) {
        _ = RedBeatDatetime.decode(value, zones: zones)
    }
}

/// Where schedules are evaluated: a fixed instant, in a zone with daylight saving time.
let fuzzStart = Instant(secondsSinceEpoch: 1_774_000_000)
let fuzzZone = (try? TimeZoneRules(posixRule: "CET-1CEST,M3.5.0,M10.5.0/3", identifier: "Europe/Paris")) ?? .utc
