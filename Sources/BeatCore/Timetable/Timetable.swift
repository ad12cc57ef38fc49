public import CivilTime

/// The scheduler's in-memory view of every entry: its schedule, run state and next due instant,
/// with a heap of due instants so the next firing is found without scanning all entries.
///
/// Pure: the runner passes the time in and does the I/O. Entries are identified by Redis key.
/// An item popped for firing stays out of the heap until the runner reports what happened
/// (`fired`, `reschedule`, `remove` or a new `upsert`), so it cannot be handed out twice.
public struct Timetable: Sendable {
    public struct Slot: Sendable {
        public var schedule: Schedule
        public var enabled: Bool
        public var lastRunAt: Instant?
        /// When this process first saw the entry: its `lastRunAt` while it has never run (Celery's rule).
        public var firstSeen: Instant
        public var totalRunCount: Int64
        /// Identifies the stored JSON this slot was built from, to tell edits from unchanged data.
        public var digest: Int
        /// The instant it is next due; nil while disabled or handed out for firing.
        public var nextDue: Instant?
        fileprivate var generation: UInt32
    }

    private struct Item: Comparable, Sendable {
        var due: Instant
        var generation: UInt32
        var key: String

        static func < (lhs: Item, rhs: Item) -> Bool { lhs.due < rhs.due }
        static func == (lhs: Item, rhs: Item) -> Bool { lhs.due == rhs.due && lhs.key == rhs.key }
    }

    public let zone: TimeZoneRules
    /// Celery's `beat_cron_starting_deadline`: skip a crontab catch-up older than this.
    public let startingDeadline: Microseconds?
    public private(set) var slots: [String: Slot] = [:]
    private var heap = MinHeap<Item>()
    private var nextGeneration: UInt32 = 0

    public init(zone: TimeZoneRules = .utc, startingDeadline: Microseconds? = nil) {
        self.zone = zone
        self.startingDeadline = startingDeadline
    }

    public var count: Int { slots.count }

    public subscript(key: String) -> Slot? { slots[key] }

    /// Adds an entry or replaces what is known of it. Run state comes from the stored entry; an entry
    /// that never ran keeps the moment it was first seen, so an edit does not restart its interval.
    /// A value without `last_run_at` (rewritten from scratch) keeps the run state known here, as
    /// celerybeat-redis's `merge_inplace` does: the entry neither fires early nor counts from zero.
    public mutating func upsert(
        key: String, schedule: Schedule, enabled: Bool, lastRunAt: Instant?, totalRunCount: Int64,
        digest: Int, now: Instant
    ) {
        let known = slots[key]
        let firstSeen = known?.firstSeen ?? now
        let keepsKnownRun = lastRunAt == nil && known?.lastRunAt != nil
        var slot = Slot(
            schedule: schedule, enabled: enabled, lastRunAt: lastRunAt ?? known?.lastRunAt, firstSeen: firstSeen,
            totalRunCount: keepsKnownRun ? max(totalRunCount, known!.totalRunCount) : totalRunCount,
            digest: digest, nextDue: nil, generation: 0)
        place(&slot, key: key, now: now)
        slots[key] = slot
        compactIfMostlyStale()
    }

    public mutating func remove(key: String) {
        slots[key] = nil
        compactIfMostlyStale()
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
            slots[top.key]?.nextDue = nil
            keys.append(top.key)
        }
        return keys
    }

    /// The entry fired at `at`; `digest` identifies the JSON now stored (with the new run state).
    public mutating func fired(key: String, at instant: Instant, digest: Int) {
        guard var slot = slots[key] else { return }
        slot.lastRunAt = instant
        slot.totalRunCount += 1
        slot.digest = digest
        place(&slot, key: key, now: instant)
        slots[key] = slot
        compactIfMostlyStale()
    }

    /// Puts a handed-out entry back, due again by its own schedule (or at `retryAt`, when given).
    public mutating func reschedule(key: String, now: Instant, retryAt: Instant? = nil) {
        guard var slot = slots[key] else { return }
        place(&slot, key: key, now: now, override: retryAt)
        slots[key] = slot
        compactIfMostlyStale()
    }

    private mutating func place(_ slot: inout Slot, key: String, now: Instant, override: Instant? = nil) {
        nextGeneration &+= 1
        slot.generation = nextGeneration
        guard slot.enabled else {
            slot.nextDue = nil
            return
        }
        let due = override ?? slot.schedule.nextDue(
            lastRunAt: slot.lastRunAt ?? slot.firstSeen, now: now, in: zone, startingDeadline: startingDeadline)
        slot.nextDue = due
        heap.insert(Item(due: due, generation: slot.generation, key: key))
    }

    private func isLive(_ item: Item) -> Bool {
        slots[item.key]?.generation == item.generation && slots[item.key]?.nextDue != nil
    }

    private mutating func dropStaleTop() {
        while let top = heap.min, !isLive(top) {
            heap.popMin()
        }
    }

    /// Edits and removals leave stale items behind; rebuild once they are the majority.
    private mutating func compactIfMostlyStale() {
        guard heap.count > 1024, heap.count > 2 * slots.count else { return }
        let slots = self.slots
        heap.rebuild { slots[$0.key]?.generation == $0.generation && slots[$0.key]?.nextDue != nil }
    }
}
