public import CivilTime

/// The scheduler's in-memory view of every entry: its schedule, run state and next due instant,
/// with a heap of due instants so the next firing is found without scanning all entries.
///
/// Pure: the runner passes the time in and does the I/O. Entries are identified by Redis key.
/// An item popped for firing stays out of the heap until the runner reports what happened
/// (`fired`, `reschedule`, `remove` or a new `upsert`), so it cannot be handed out twice.
///
/// Memory is kept small on purpose (issue 7: 100,000 entries in well under 50 MB): entries live in
/// one contiguous array addressed through a key index, and schedules are shared (`ScheduleTable`).
public struct Timetable: Sendable {
    /// What the timetable knows of one entry.
    public struct Slot: Sendable {
        public var schedule: Schedule
        /// The entry's `start_time` and `expires`.
        public var window: ActiveWindow
        /// Enabled and not finished (`Entry.isLive`).
        public var enabled: Bool
        public var lastRunAt: Instant?
        /// When this process first saw the entry: its `lastRunAt` while it has never run (Celery's rule).
        public var firstSeen: Instant
        /// Identifies the stored JSON this slot was built from, to tell edits from unchanged data.
        public var digest: Int
        /// The instant it is next due; nil while disabled or handed out for firing.
        public var nextDue: Instant?
    }

    private struct Record: Sendable {
        var key: String
        var schedule: Int32
        var enabled: Bool
        var lastRunAt: Instant?
        var firstSeen: Instant
        var digest: Int
        var nextDue: Instant?
        var generation: UInt32
        /// The reload pass that last saw the entry in Redis (see `beginSweep`).
        var sweep: UInt32
    }

    private struct Item: Comparable, Sendable {
        var due: Instant
        var generation: UInt32
        var record: Int32

        static func < (lhs: Item, rhs: Item) -> Bool { lhs.due < rhs.due }
    }

    public let zone: TimeZoneRules
    /// Celery's `beat_cron_starting_deadline`: skip a crontab catch-up older than this.
    public let startingDeadline: Microseconds?
    private var records: [Record] = []
    private var freeRecords: [Int32] = []
    private var index: [String: Int32] = [:]
    private var schedules = ScheduleTable()
    private var heap = MinHeap<Item>()
    private var nextGeneration: UInt32 = 0
    private var currentSweep: UInt32 = 0

    public init(zone: TimeZoneRules = .utc, startingDeadline: Microseconds? = nil) {
        self.zone = zone
        self.startingDeadline = startingDeadline
    }

    public var count: Int { index.count }

    /// Entries loaded but disabled: a pass over every entry, for the reload's summary (the
    /// `swiftbeat_entries` metric), never per firing.
    public var disabledCount: Int {
        index.values.reduce(0) { count, position in records[Int(position)].enabled ? count : count + 1 }
    }

    public var keys: Dictionary<String, Int32>.Keys { index.keys }

    public subscript(key: String) -> Slot? {
        guard let position = index[key] else { return nil }
        let record = records[Int(position)]
        let timing = schedules[record.schedule]
        return Slot(
            schedule: timing.schedule, window: timing.window, enabled: record.enabled, lastRunAt: record.lastRunAt,
            firstSeen: record.firstSeen, digest: record.digest, nextDue: record.nextDue)
    }

    /// The fingerprint of what the entry held when last loaded, without building a `Slot`.
    public func digest(of key: String) -> Int? {
        index[key].map { records[Int($0)].digest }
    }

    /// The fingerprint and schedule of what the entry held when last loaded, in one lookup: what a
    /// firing needs to tell an unchanged entry and decode it again without parsing its schedule.
    public func loaded(_ key: String) -> (digest: Int, schedule: Schedule)? {
        guard let position = index[key].map(Int.init) else { return nil }
        return (records[position].digest, schedules[records[position].schedule].schedule)
    }

    /// Adds an entry or replaces what is known of it. Run state comes from the stored entry; an entry
    /// that never ran keeps the moment it was first seen, so an edit does not restart its interval.
    /// A value without `last_run_at` (rewritten from scratch) keeps the last run known here, as
    /// celerybeat-redis's `merge_inplace` does, so the entry does not fire early.
    /// `enabled` is whether the entry may fire at all (`Entry.isLive`); `window` its `start_time`
    /// and `expires`. Returns whether the entry is new.
    @discardableResult
    public mutating func upsert(
        key: String, schedule: Schedule, window: ActiveWindow = .always, enabled: Bool, lastRunAt: Instant?, digest: Int,
        now: Instant
    ) -> Bool {
        let scheduleIndex = schedules.retain(Timing(schedule: schedule, window: window))
        // One hash of the key, whether it is found or inserted: the slot a new key takes is decided
        // first, and claimed only if the key was not there.
        let (position, isNew) = Self.claim(&index[key, default: -1], with: freeRecords.last ?? Int32(records.count))
        guard isNew else {
            var record = records[Int(position)]
            schedules.release(record.schedule)
            record.schedule = scheduleIndex
            record.enabled = enabled
            record.lastRunAt = lastRunAt ?? record.lastRunAt
            record.digest = digest
            record.sweep = currentSweep
            place(&record, at: position, now: now)
            compactIfMostlyStale()
            return false
        }
        var record = Record(
            key: key, schedule: scheduleIndex, enabled: enabled, lastRunAt: lastRunAt, firstSeen: now,
            digest: digest, nextDue: nil, generation: 0, sweep: currentSweep)
        if freeRecords.isEmpty {
            records.append(record)
        } else {
            freeRecords.removeLast()
            records[Int(position)] = record
        }
        place(&record, at: position, now: now)
        compactIfMostlyStale()
        return true
    }

    /// The position `slot` holds, or `free` stored in it when it holds none (-1).
    private static func claim(_ slot: inout Int32, with free: Int32) -> (position: Int32, isNew: Bool) {
        if slot >= 0 { return (slot, false) }
        slot = free
        return (free, true)
    }

    public mutating func remove(key: String) {
        guard let position = index.removeValue(forKey: key) else { return }
        schedules.release(records[Int(position)].schedule)
        records[Int(position)].key = ""
        records[Int(position)].nextDue = nil
        records[Int(position)].generation = 0
        freeRecords.append(position)
        compactIfMostlyStale()
    }

    /// Marks `key` as present in Redis in the current reload pass, and returns the fingerprint it
    /// was loaded with (nil when it is not in the timetable): one lookup for both, per entry of a reload.
    @discardableResult
    public mutating func markSeen(key: String) -> Int? {
        guard let position = index[key] else { return nil }
        records[Int(position)].sweep = currentSweep
        return records[Int(position)].digest
    }

    /// Starts a reload pass: entries not marked seen (or upserted) before `endSweep` are gone from Redis.
    public mutating func beginSweep() {
        currentSweep &+= 1
    }

    /// Removes and returns the keys not seen since `beginSweep`.
    public mutating func endSweep() -> [String] {
        let gone = records.filter { !$0.key.isEmpty && $0.sweep != currentSweep }.map(\.key)
        for key in gone { remove(key: key) }
        return gone
    }

    /// The earliest instant at which something is due, if anything is scheduled.
    public mutating func nextDue() -> Instant? {
        dropStaleTop()
        return heap.min?.due
    }

    /// Hands out up to `limit` entries due at `now`, earliest first.
    public mutating func popDue(now: Instant, limit: Int) -> [String] {
        var keys: [String] = []
        while keys.count < limit {
            dropStaleTop()
            guard let top = heap.min, top.due <= now else { break }
            heap.popMin()
            records[Int(top.record)].nextDue = nil
            keys.append(records[Int(top.record)].key)
        }
        return keys
    }

    /// The entry fired at `at`; `digest` identifies the JSON now stored (with the new run state).
    /// `firesAgain` false: that was its last firing (`Entry.firesAgain(afterFiringAt:)`).
    public mutating func fired(key: String, at instant: Instant, digest: Int, firesAgain: Bool = true) {
        guard let position = index[key] else { return }
        var record = records[Int(position)]
        record.lastRunAt = instant
        if !firesAgain { record.enabled = false }
        record.digest = digest
        place(&record, at: position, now: instant)
        compactIfMostlyStale()
    }

    /// Puts a handed-out entry back, due again by its own schedule (or at `retryAt`, when given).
    public mutating func reschedule(key: String, now: Instant, retryAt: Instant? = nil) {
        guard let position = index[key] else { return }
        var record = records[Int(position)]
        place(&record, at: position, now: now, override: retryAt)
        compactIfMostlyStale()
    }

    /// Computes the record's next due instant, queues it, and stores the record.
    private mutating func place(_ record: inout Record, at position: Int32, now: Instant, override: Instant? = nil) {
        nextGeneration &+= 1
        record.generation = nextGeneration
        let timing = schedules[record.schedule]
        let due = record.enabled ? override ?? timing.window.nextDue(
            of: timing.schedule, lastRunAt: record.lastRunAt ?? record.firstSeen, now: now, in: zone,
            startingDeadline: startingDeadline) : nil
        if let due, due != Schedule.never {
            record.nextDue = due
            heap.insert(Item(due: due, generation: record.generation, record: position))
        } else {
            record.nextDue = nil
        }
        records[Int(position)] = record
    }

    private func isLive(_ item: Item) -> Bool {
        let record = records[Int(item.record)]
        return record.generation == item.generation && record.nextDue != nil
    }

    private mutating func dropStaleTop() {
        while let top = heap.min, !isLive(top) {
            heap.popMin()
        }
    }

    /// Edits and removals leave stale items behind; rebuild once they are the majority.
    private mutating func compactIfMostlyStale() {
        guard heap.count > 1024, heap.count > 2 * index.count else { return }
        let records = self.records
        heap.rebuild { records[Int($0.record)].generation == $0.generation && records[Int($0.record)].nextDue != nil }
    }
}
