import BeatCore
import CivilTime
import JSON
import RedBeatStore
import RedisClient

/// How entries are stored, for everything the runner does with their bytes: decoding, the run
/// state a firing writes, and the commands of a firing group (`CommitTransaction`).
///
/// An enum of the two stores rather than a protocol: the runner asks it once per decoded entry and
/// twice per firing group, and a switch over two known cases costs a compare, where `any` would
/// box and dispatch dynamically on the hot path and a generic `Beat<Store>` would make every
/// extension of the runner, and its public API, generic. Each operation switches here, once; the
/// runner itself never asks which store it has.
enum StoreFormat {
    /// celerybeat-redis: one JSON string per entry, the run state inside it.
    case celerybeatRedis
    /// RedBeat: a hash per entry (`definition`, `meta`), and the index zset scored by next due time.
    case redBeat(RedBeatKeys)

    init(_ kind: StoreKind, keyPrefix: String) {
        switch kind {
        case .celerybeatRedis: self = .celerybeatRedis
        case .redBeat: self = .redBeat(RedBeatKeys(prefix: keyPrefix))
        }
    }

    /// The entry in a stored value (`EntryReader.Stored.Value.json`: the JSON string, or RedBeat's
    /// two fields joined by `RedBeatStoredValue`).
    func decode(
        key: String, name: String, value: [UInt8], knownSchedule: Schedule? = nil, detail: EntryDecoder.Detail,
        cache: inout ScheduleCache, zones: ZoneCache
    ) throws(EntryError) -> Entry {
        switch self {
        case .celerybeatRedis:
            try EntryDecoder.decode(key: key, name: name, json: value, knownSchedule: knownSchedule, detail: detail, cache: &cache)
        case .redBeat:
            try RedBeatEntryDecoder.decode(
                key: key, name: name, stored: value, knownSchedule: knownSchedule, detail: detail, cache: &cache, zones: zones)
        }
    }

    /// Whether a reload reads only the entries due soon (RedBeat's index), so that entries come and
    /// go from the timetable as their time nears and passes: news worth a debug line, not info.
    var readsDueOnly: Bool {
        switch self {
        case .celerybeatRedis: false
        case .redBeat: true
        }
    }

    /// The `last_run_at` the timetable schedules from. An entry that never ran counts as run when
    /// the beat first sees it in celerybeat-redis (Celery's rule: the timetable's own), but as run
    /// on 2 January of year 1 in RedBeat, whose `is_due` falls back to that date: due at once, as
    /// an entry written with only a `definition` and `ZADD ... 0` (RedBeat's documented way) is.
    func lastRunForScheduling(_ entry: Entry) -> Instant? {
        switch self {
        case .celerybeatRedis: entry.lastRunAt
        case .redBeat: entry.lastRunAt ?? RedBeatEntryDecoder.neverRun
        }
    }

    /// Why a key of another Redis type is skipped.
    func wrongType(_ type: String) -> String {
        switch self {
        case .celerybeatRedis: "the key holds a redis \(type), not a string of JSON"
        case .redBeat: "the key holds a redis \(type), not a hash with \"definition\" and \"meta\""
        }
    }

    /// The keyspace event classes that tell of every change of an entry key: its writes (`$`
    /// strings, `h` hashes), deletions and renames (`g`), expiries (`x`) and evictions (`e`).
    var keyspaceEventClasses: String {
        switch self {
        case .celerybeatRedis: "$gxe"
        case .redBeat: "hgxe"
        }
    }

    /// The keyspace event a firing's write-back of an entry publishes (`CommitTransaction`).
    var writeBackEvent: [UInt8] {
        switch self {
        case .celerybeatRedis: Array("set".utf8)
        case .redBeat: Array("hset".utf8)
        }
    }

    /// Whether a changed key (a keyspace notification) names an entry.
    func isEntry(_ key: String, prefix: String) -> Bool {
        switch self {
        case .celerybeatRedis: key.hasPrefix(prefix)
        case .redBeat(let keys): keys.isEntry(key)
        }
    }

    /// The firing of `entry`, read as `stored`, at `now`: the value with `total_run_count + 1` and
    /// `last_run_at = now`; for RedBeat, the new `meta` and the score of the next slot after `now`.
    /// (`zone` is asked for only where the next slot is: a copy of the rules is retains and releases.)
    func firing(of entry: Entry, stored: [UInt8], now: Instant, zone: @autoclosure () -> TimeZoneRules) throws -> CommitTransaction.Firing {
        let firesAgain = entry.firesAgain(afterFiringAt: now)
        switch self {
        case .celerybeatRedis:
            // A one-off entry is disabled in the same write as its run state (django-celery-beat's one_off).
            let updated = try RunStateWriter.write(
                totalRunCount: entry.totalRunCount + 1, lastRunAt: now, into: stored, at: entry.runStatePlace,
                disabling: entry.lifetime.oneOff)
            var firing = CommitTransaction.Firing(key: entry.key, updated: updated, digest: Digest.of(updated))
            firing.firesAgain = firesAgain
            return firing
        case .redBeat:
            let meta = RedBeatRunState.meta(lastRunAt: now, totalRunCount: entry.totalRunCount + 1)
            guard let (definition, _) = RedBeatStoredValue.split(stored) else { throw EntryError(key: entry.key, reason: "no definition") }
            var firing = CommitTransaction.Firing(
                key: entry.key, updated: meta, digest: Digest.of(RedBeatStoredValue.joined(definition: Array(definition), meta: meta)))
            // An entry with no run left (its last allowed run) is scored -1, RedBeat's "no more events".
            firing.score = RedBeatRunState.score(
                nextDue: firesAgain ? RedBeatRunState.nextDue(of: entry.schedule, lastRunAt: now, now: now, in: zone()) : nil)
            firing.firesAgain = firesAgain
            return firing
        }
    }
}
