/// A schedule and the window an entry may fire in: what the timetable needs to place an entry.
/// Most entries have no window, so they still share a handful of these.
struct Timing: Hashable, Sendable {
    var schedule: Schedule
    var window: ActiveWindow
}

/// Distinct schedules (with their windows), stored once and referred to by index.
///
/// Most entries share a handful of schedules ("every 10 seconds", "at 00:00"), and a crontab is
/// 160 bytes, so 100,000 entries keep 100,000 small indices instead of 100,000 copies. Counted
/// references free a schedule's slot for reuse once no entry uses it.
struct ScheduleTable: Sendable {
    private var schedules: [Timing] = []
    private var references: [Int32] = []
    private var positions: [Timing: Int32] = [:]
    private var free: [Int32] = []
    /// The schedule retained last: loading retains the same one thousands of times in a row, and
    /// comparing with it is cheaper than hashing.
    private var last: Int32?

    subscript(index: Int32) -> Timing {
        schedules[Int(index)]
    }

    /// The index of `schedule`, adding it if new; every call must be matched by a `release`.
    mutating func retain(_ schedule: Timing) -> Int32 {
        if let position = last, references[Int(position)] > 0, schedules[Int(position)] == schedule {
            references[Int(position)] += 1
            return position
        }
        if let position = positions[schedule] {
            references[Int(position)] += 1
            last = position
            return position
        }
        let position: Int32
        if let reused = free.popLast() {
            position = reused
            schedules[Int(position)] = schedule
            references[Int(position)] = 1
        } else {
            position = Int32(schedules.count)
            schedules.append(schedule)
            references.append(1)
        }
        positions[schedule] = position
        last = position
        return position
    }

    mutating func release(_ position: Int32) {
        references[Int(position)] -= 1
        guard references[Int(position)] == 0 else { return }
        positions[schedules[Int(position)]] = nil
        free.append(position)
    }

    var distinctCount: Int { positions.count }
}
