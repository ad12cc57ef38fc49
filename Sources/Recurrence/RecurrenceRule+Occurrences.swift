public import CivilTime

extension RecurrenceRule {
    /// The first occurrence strictly after `instant`, or nil when the rule has no more: dateutil's
    /// `rrule.after(instant)`, which RedBeat's `remaining_estimate` asks.
    ///
    /// Occurrences are generated on the wall clock of `zone` and read as instants the way Python
    /// reads a zoneinfo datetime with `fold=0`: a wall time the clocks skipped (spring forward)
    /// with the offset before the jump, a repeated one (fall back) at its first occurrence. Like
    /// dateutil, the answer is the first occurrence in wall-clock order whose instant is later, so
    /// a skipped 02:30 is answered before the 03:00 that follows it on the wall.
    public func nextOccurrence(after instant: Instant, in zone: TimeZoneRules) -> Instant? {
        var found: Instant?
        // Without COUNT, occurrences before `instant` need not be counted: start near it. Two days
        // back covers any difference between wall-clock and instant order.
        let near = count == nil ? zone.wallTime(at: instant - Microseconds.seconds(2 * 86_400)) : nil
        forEachOccurrence(near: near, in: zone) { occurrence in
            guard occurrence > instant else { return true }
            found = occurrence
            return false
        }
        return found
    }

    /// The next `limit` answers of `nextOccurrence`, each asked after the previous one.
    public func occurrences(after instant: Instant, limit: Int, in zone: TimeZoneRules) -> [Instant] {
        var result: [Instant] = []
        var cursor = instant
        while result.count < limit, let next = nextOccurrence(after: cursor, in: zone) {
            result.append(next)
            cursor = next
        }
        return result
    }

    /// The occurrences in wall-clock order with UNTIL, DTSTART and COUNT applied, as instants,
    /// until `body` returns false. `near`: a wall time to start about (periods before it skipped).
    func forEachOccurrence(near: CivilDateTime?, in zone: TimeZoneRules, _ body: (Instant) -> Bool) {
        var remaining = count
        forEachCandidate(near: near) { wall in
            let instant = Self.instant(of: wall, in: zone)
            switch until {
            case .instant(let last)?: if instant > last { return false }
            case .wallTime(let last)?: if wall > last { return false }
            case nil: break
            }
            guard wall >= start else { return true }
            if let left = remaining {
                if left == 0 { return false }
                remaining = left - 1
            }
            return body(instant)
        }
    }

    /// A wall time as an instant with Python's `fold=0`: the offset in force before a transition.
    static func instant(of wall: CivilDateTime, in zone: TimeZoneRules) -> Instant {
        switch zone.occurrences(of: wall) {
        case .once(let instant): instant
        case .twice(let first, _): first
        case .never(let jump): wall.instant(utcOffsetSeconds: jump.utcOffsetBefore)
        }
    }

    /// Every candidate wall time, period by period (a year, month, week, day, hour, minute or
    /// second, `interval` apart from the one holding DTSTART), BYSETPOS applied within each period;
    /// ends after year 9999, as dateutil does.
    ///
    /// It also ends when no day has passed the filters for `interval` × 400 years: the Gregorian
    /// calendar repeats every 400 years (146,097 days, a whole number of weeks) and the periods'
    /// phase every `interval` of them, so such a rule has no more occurrences. dateutil walks on to
    /// year 9999 and answers the same.
    func forEachCandidate(near: CivilDateTime?, _ body: (CivilDateTime) -> Bool) {
        let expansion = Expansion(self)
        let startDay = start.date.daysSinceEpoch
        let horizon = 146_097 * Int64(interval)
        var lastMatch = max(startDay, near?.date.daysSinceEpoch ?? startDay)
        if frequency.rawValue >= Frequency.hourly.rawValue {
            // A BYSETPOS beyond every period's candidates selects nothing, ever: dateutil finds that
            // out walking to year 9999, which is billions of minutes or seconds (found by fuzzing:
            // a minutely rule with BYSETPOS=41 kept a beat's load busy for minutes).
            let perPeriod = expansion.timesPerSubDailyPeriod
            guard bySetPosition.isEmpty || bySetPosition.contains(where: { $0.magnitude <= perPeriod }) else { return }
            let perDay = Int64(frequency.unitsPerDay)
            let first = startDay * perDay + Int64(start.unit(of: frequency))
            let step = Int64(interval)
            var period: Int64 = 0
            if let near {
                let unit = near.date.daysSinceEpoch * perDay + Int64(near.unit(of: frequency))
                period = max(0, Self.floorDivide(unit - first, step) - 1)
            }
            while true {
                let unit = first + period * step
                let day = Self.floorDivide(unit, perDay)
                guard CivilDate(daysSinceEpoch: day).year <= 9999 else { return }
                guard expansion.dayMatches(day) else {
                    if day - lastMatch > horizon { return }
                    // The next period that starts on a later day.
                    period = Self.floorDivide((day + 1) * perDay - first + step - 1, step)
                    continue
                }
                lastMatch = day
                let times = expansion.times(inPeriodAt: Int(unit - day * perDay))
                guard emit(days: [day], times: times, body) else { return }
                period += 1
            }
        }
        let timesOfDay = expansion.timesOfDay
        var period = near.map { max(0, periodIndex(containing: $0.date.daysSinceEpoch, startDay: startDay) - 1) } ?? 0
        while let days = self.days(ofPeriod: period, startDay: startDay) {
            let matching = days.filter(expansion.dayMatches)
            if let last = matching.last {
                lastMatch = last
            } else if days[0] - lastMatch > horizon {
                return
            }
            guard emit(days: matching, times: timesOfDay, body) else { return }
            period += 1
        }
    }

    /// The days of a daily-or-coarser period, or nil past year 9999.
    private func days(ofPeriod period: Int64, startDay: Int64) -> [Int64]? {
        let step = Int64(interval)
        switch frequency {
        case .yearly:
            let year = Int64(start.year) + period * step
            guard year <= 9999 else { return nil }
            let first = CivilDate(year: Int(year), month: 1, day: 1).daysSinceEpoch
            return Array(first..<CivilDate(year: Int(year) + 1, month: 1, day: 1).daysSinceEpoch)
        case .monthly:
            let month = Int64(start.year * 12 + start.month - 1) + period * step
            let year = Int(month / 12)
            guard year <= 9999 else { return nil }
            let first = CivilDate(year: year, month: Int(month % 12) + 1, day: 1).daysSinceEpoch
            return Array(first..<first + Int64(CivilDate.daysIn(month: Int(month % 12) + 1, year: year)))
        case .weekly:
            let first = weekStartDay(of: startDay) + 7 * step * period
            guard CivilDate(daysSinceEpoch: first).year <= 9999 else { return nil }
            return Array(first..<first + 7)
        default:
            let day = startDay + step * period
            guard CivilDate(daysSinceEpoch: day).year <= 9999 else { return nil }
            return [day]
        }
    }

    /// The index of the daily-or-coarser period that holds `day`, counted from DTSTART's.
    private func periodIndex(containing day: Int64, startDay: Int64) -> Int64 {
        let step = Int64(interval)
        let date = CivilDate(daysSinceEpoch: day)
        switch frequency {
        case .yearly:
            return Self.floorDivide(Int64(date.year - start.year), step)
        case .monthly:
            return Self.floorDivide(Int64((date.year - start.year) * 12 + date.month - start.month), step)
        case .weekly:
            return Self.floorDivide(weekStartDay(of: day) - weekStartDay(of: startDay), 7 * step)
        default:
            return Self.floorDivide(day - startDay, step)
        }
    }

    private func weekStartDay(of day: Int64) -> Int64 {
        day - Int64((Expansion.weekday(of: day) - weekStart + 7) % 7)
    }

    /// Passes one period's candidates to `body` in order (only BYSETPOS's picks when it is given);
    /// false when `body` asked to stop.
    private func emit(days: [Int64], times: [Int], _ body: (CivilDateTime) -> Bool) -> Bool {
        guard !days.isEmpty, !times.isEmpty else { return true }
        func wall(_ index: Int) -> CivilDateTime {
            let date = CivilDate(daysSinceEpoch: days[index / times.count])
            let time = times[index % times.count]
            return CivilDateTime(
                year: date.year, month: date.month, day: date.day, hour: time / 3600, minute: time / 60 % 60, second: time % 60)
        }
        let total = days.count * times.count
        if bySetPosition.isEmpty {
            for index in 0..<total where !body(wall(index)) { return false }
            return true
        }
        let picked = Set(bySetPosition.compactMap { position -> Int? in
            let index = position > 0 ? position - 1 : total + position
            return (0..<total).contains(index) ? index : nil
        }).sorted()
        for index in picked where !body(wall(index)) { return false }
        return true
    }

    static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
