import BeatCore
import CivilTime
import ScheduleStore

/// Every entry under the prefix, decoded as the scheduler decodes it: for list, check and export.
struct DecodedEntry {
    var stored: EntryReader.Stored
    var result: Result<Entry, EntryError>

    var entry: Entry? { try? result.get() }

    static func load(_ store: StoreSettings) throws -> [DecodedEntry] {
        let connection = try store.connect()
        let reader = EntryReader(connection: connection, keyPrefix: store.resolvedKeyPrefix)
        return try storeCall { () throws(ScheduleStoreError) in try reader.all() }.map(decode)
    }

    static func decode(_ stored: EntryReader.Stored) -> DecodedEntry {
        switch stored.value {
        case .json(let bytes):
            do {
                return DecodedEntry(stored: stored, result: .success(try EntryDecoder.decode(key: stored.key, name: stored.name, json: bytes)))
            } catch {
                return DecodedEntry(stored: stored, result: .failure(error))
            }
        case .notAString(let type):
            return DecodedEntry(stored: stored, result: .failure(EntryError(key: stored.key, reason: "the key holds a Redis \(type), not a string")))
        }
    }
}

/// When an entry fires next, by the scheduler's rule: an entry that never ran counts as run when
/// the beat first sees it (so for one never run, as if seen now).
enum UpcomingRuns {
    /// Within the entry's `start_time` and `expires`, and no more than the runs it has left
    /// (`max_run_count`, one for a one-off or clocked entry); none for a finished entry.
    static func of(_ entry: Entry, now: Instant, zone: TimeZoneRules, count: Int) -> [Instant] {
        var limit = count
        if let maximum = entry.lifetime.maxRunCount { limit = min(limit, Int(clamping: maximum - entry.totalRunCount)) }
        if case .clocked = entry.schedule { limit = min(limit, 1) }
        if entry.lifetime.oneOff { limit = min(limit, 1) }
        guard limit > 0, entry.finishedReason(at: now) == nil else { return [] }
        let now = Instant(secondsSinceEpoch: now.secondsSinceEpoch)  // whole seconds: easier to read
        let window = entry.lifetime.window
        let due = window.nextDue(of: entry.schedule, lastRunAt: entry.lastRunAt ?? now, now: now, in: zone)
        guard due != Schedule.never else { return [] }
        let first = max(due, now)
        return [first] + entry.schedule.nextRuns(after: first, count: limit - 1, in: zone, window: window)
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
