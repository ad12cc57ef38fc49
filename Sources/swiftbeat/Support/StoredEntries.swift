import BeatCore
import BeatRunner
import CivilTime
import ScheduleStore

/// Every entry under the prefix, decoded as the scheduler decodes it: for list, check and export.
struct DecodedEntry {
    var stored: EntryReader.Stored
    var result: Result<Entry, EntryError>
    /// Whose format it was read in, which decides when an entry that never ran is due.
    var kind: StoreKind = .celerybeatRedis

    var entry: Entry? { try? result.get() }

    static func load(_ store: StoreSettings) throws -> [DecodedEntry] {
        var entries: [DecodedEntry] = []
        try forEach(store) { entries.append($0) }
        return entries
    }

    /// Every entry in key order, decoded one at a time: only a part of the values is held at once.
    static func forEach(_ store: StoreSettings, _ body: (DecodedEntry) -> Void) throws {
        let connection = try store.connect()
        try storeCall { () throws(ScheduleStoreError) in
            try store.kind.forEachEntry(on: connection, keyPrefix: store.resolvedKeyPrefix) { part in
                for stored in part { body(decode(stored, kind: store.kind)) }
            }
        }
    }

    static func decode(_ stored: EntryReader.Stored, kind: StoreKind = .celerybeatRedis) -> DecodedEntry {
        // The commands have always said "not a string" where the beat's log says "not a string of JSON".
        if case .notAString(let type) = stored.value, kind == .celerybeatRedis {
            return DecodedEntry(stored: stored, result: .failure(EntryError(key: stored.key, reason: "the key holds a Redis \(type), not a string")))
        }
        return DecodedEntry(stored: stored, result: kind.decode(stored), kind: kind)
    }
}

/// When an entry fires next, by the scheduler's rule: an entry that never ran counts as run when
/// the beat first sees it (so for one never run, as if seen now); in RedBeat's, it is due at once.
enum UpcomingRuns {
    /// Within the entry's `start_time` and `expires`, and no more than the runs it has left
    /// (`max_run_count`, one for a one-off or clocked entry); none for a finished entry.
    static func of(_ entry: Entry, now: Instant, zone: TimeZoneRules, count: Int, kind: StoreKind = .celerybeatRedis) -> [Instant] {
        var limit = count
        if let maximum = entry.lifetime.maxRunCount { limit = min(limit, Int(clamping: maximum - entry.totalRunCount)) }
        if case .clocked = entry.schedule { limit = min(limit, 1) }
        if entry.lifetime.oneOff { limit = min(limit, 1) }
        guard limit > 0, entry.finishedReason(at: now) == nil else { return [] }
        let now = Instant(secondsSinceEpoch: now.secondsSinceEpoch)  // whole seconds: easier to read
        let window = entry.lifetime.window
        let due = window.nextDue(of: entry.schedule, lastRunAt: kind.lastRunForScheduling(entry) ?? now, now: now, in: zone)
        guard due != Schedule.never else { return [] }
        let first = max(due, now)
        return [first] + entry.schedule.nextRuns(after: first, count: limit - 1, in: zone, window: window)
    }

    /// What "never run" means for when the entry fires, in words, by the same rule.
    static func neverRun(_ kind: StoreKind) -> String {
        switch kind {
        case .celerybeatRedis: "never (the next runs count from now, as from when the scheduler first sees it)"
        case .redBeat: "never (due at once, as in RedBeat)"
        }
    }

    /// `2026-03-08 03:00:00` in the zone (whole seconds), for tables.
    static func wallClock(_ instant: Instant, zone: TimeZoneRules) -> String {
        let iso = zone.iso8601(instant)
        return String(iso.prefix(19)).replacingOccurrences(of: "T", with: " ")
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: Character, with replacement: String) -> String {
        var result = ""
        for character in self { if character == target { result += replacement } else { result.append(character) } }
        return result
    }
}
