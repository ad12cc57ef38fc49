/// A POSIX `TZ` rule such as `EST5EDT,M3.2.0,M11.1.0`: the footer of a TZif file.
///
/// Modern tzdata files are often "slim": they list transitions only up to the last rule change and
/// rely on this footer for every later instant, so the footer is not an optional extra but the only
/// source of, say, New York's offsets after 2037 (or after 2007 in a slim file).
///
/// Grammar (POSIX.1-2017 §8.3, with RFC 8536 §3.3.1's extensions):
/// `std offset [dst [offset] [,start[/time],end[/time]]]`, names either three or more letters or
/// `<...>` quoted (`<+1030>`), offsets `[+-]hh[:mm[:ss]]` counted west of UTC, rule dates `Jn`
/// (1...365, February 29 never counted), `n` (0...365, counted) or `Mm.w.d`, and rule times
/// `[+-]hh[:mm[:ss]]` with hours up to 167, which may be negative or beyond 24 (`M3.4.4/26`).
struct PosixTimeZoneRule: Hashable, Sendable {
    /// Seconds east of UTC in standard time.
    var standardOffset: Int
    var daylightSaving: DaylightSaving?

    struct DaylightSaving: Hashable, Sendable {
        /// Seconds east of UTC while daylight-saving time is in effect.
        var offset: Int
        /// When DST starts, in local standard time.
        var start: RuleTime
        /// When DST ends, in local daylight-saving time.
        var end: RuleTime
    }

    struct RuleTime: Hashable, Sendable {
        enum Day: Hashable, Sendable {
            /// `Jn`: day 1...365 of the year, February 29 never counted (J60 is always March 1).
            case julianIgnoringLeapDay(Int)
            /// `n`: day 0...365 of the year, February 29 counted.
            case zeroBasedDayOfYear(Int)
            /// `Mm.w.d`: weekday `d` (0 = Sunday) of week `w` (1...5, 5 = the last) of month `m`.
            case monthWeekDay(month: Int, week: Int, weekday: Int)
        }

        var day: Day
        /// Seconds after local midnight of `day`; may be negative or more than a day.
        var secondsAfterMidnight: Int
    }

    /// A change of offset, in UTC seconds.
    struct Change: Hashable, Sendable {
        var time: Int64
        var offsetBefore: Int
        var offsetAfter: Int
    }

    /// The offset in effect at every instant when the rule never actually changes the offset
    /// (no DST, DST with the standard offset, or DST all year such as `EST5EDT4,0/0,J365/25`).
    private(set) var constantOffset: Int?

    init(standardOffset: Int, daylightSaving: DaylightSaving?) {
        self.standardOffset = standardOffset
        self.daylightSaving = daylightSaving
        self.constantOffset = nil
        self.constantOffset = constantOffsetIfAny()
    }

    /// The offset at `time` (UTC seconds).
    func offset(at time: Int64) -> Int {
        if let constantOffset { return constantOffset }
        let year = Self.year(of: time)
        return (changes(aroundYear: year).last { $0.time <= time }
            ?? changes(aroundYear: year - 1).last { $0.time <= time })?.offsetAfter ?? standardOffset
    }

    /// The first change strictly after `time`, or nil when the rule never changes the offset.
    func change(after time: Int64) -> Change? {
        if constantOffset != nil { return nil }
        let year = Self.year(of: time)
        return changes(aroundYear: year).first { $0.time > time }
            ?? changes(aroundYear: year + 1).first { $0.time > time }
    }

    /// The last change at or before `time`, or nil when the rule never changes the offset.
    func change(atOrBefore time: Int64) -> Change? {
        if constantOffset != nil { return nil }
        let year = Self.year(of: time)
        return changes(aroundYear: year).last { $0.time <= time }
            ?? changes(aroundYear: year - 1).last { $0.time <= time }
    }

    /// The real offset changes of the rule years `year - 1 ... year + 1`, in order.
    ///
    /// A rule's transitions can spill into a neighbouring calendar year (times up to ±167 hours, or
    /// a southern-hemisphere zone whose DST spans New Year), so the years around are generated too,
    /// and a transition counts only when the offset before it differs from the one after.
    private func changes(aroundYear year: Int) -> [Change] {
        let sequence = ruleSequence(aroundYear: year)
        guard var current = sequence.first?.offset else { return [] }
        var result: [Change] = []
        for entry in sequence.dropFirst() where entry.offset != current {
            result.append(Change(time: entry.time, offsetBefore: current, offsetAfter: entry.offset))
            current = entry.offset
        }
        let from = Self.startOfYear(year - 1)
        let to = Self.startOfYear(year + 2)
        return result.filter { $0.time >= from && $0.time < to }
    }

    /// The rule's transitions for the years `year - 2 ... year + 2`: instants and the offset after each.
    private func ruleSequence(aroundYear year: Int) -> [(time: Int64, offset: Int)] {
        guard let dst = daylightSaving else { return [] }
        var raw: [(time: Int64, offset: Int, isStart: Bool)] = []
        raw.reserveCapacity(10)
        for y in (year - 2)...(year + 2) {
            raw.append((Self.utcTime(of: dst.start, year: y, offsetInEffect: standardOffset), dst.offset, true))
            raw.append((Self.utcTime(of: dst.end, year: y, offsetInEffect: dst.offset), standardOffset, false))
        }
        // At equal instants the end sorts first, so DST all year (the end of one year's DST at the
        // start of the next year's) stays DST; and several transitions at one instant amount to one.
        raw.sort { ($0.time, $0.isStart ? 1 : 0) < ($1.time, $1.isStart ? 1 : 0) }
        var sequence: [(time: Int64, offset: Int)] = []
        for (position, entry) in raw.enumerated() {
            if position + 1 < raw.count, raw[position + 1].time == entry.time { continue }
            sequence.append((entry.time, entry.offset))
        }
        return sequence
    }

    private func constantOffsetIfAny() -> Int? {
        guard daylightSaving != nil else { return standardOffset }
        // A rule that changes the offset changes it every year, so one window tells.
        guard changes(aroundYear: 2001).isEmpty else { return nil }
        let middle = Self.startOfYear(2001) + 182 * 86_400
        return ruleSequence(aroundYear: 2001).last { $0.time <= middle }?.offset ?? standardOffset
    }

    private static func utcTime(of rule: RuleTime, year: Int, offsetInEffect: Int) -> Int64 {
        let day: Int64
        switch rule.day {
        case .julianIgnoringLeapDay(let n):
            day = CivilDate(year: year, month: 1, day: 1).daysSinceEpoch + Int64(n - 1)
                + (CivilDate.isLeap(year) && n >= 60 ? 1 : 0)
        case .zeroBasedDayOfYear(let n):
            day = CivilDate(year: year, month: 1, day: 1).daysSinceEpoch + Int64(n)
        case .monthWeekDay(let month, let week, let weekday):
            let first = CivilDate(year: year, month: month, day: 1)
            var dayOfMonth = 1 + (weekday - first.weekday + 7) % 7 + (week - 1) * 7
            let length = CivilDate.daysIn(month: month, year: year)
            while dayOfMonth > length { dayOfMonth -= 7 }
            day = first.daysSinceEpoch + Int64(dayOfMonth - 1)
        }
        return day * 86_400 + Int64(rule.secondsAfterMidnight) - Int64(offsetInEffect)
    }

    private static func startOfYear(_ year: Int) -> Int64 {
        CivilDate(year: year, month: 1, day: 1).daysSinceEpoch * 86_400
    }

    private static func year(of time: Int64) -> Int {
        CivilDate(daysSinceEpoch: time.floorDivided(by: 86_400)).year
    }
}

// MARK: - Parsing

extension PosixTimeZoneRule {
    /// Parses a TZ string; the error is a short phrase saying what is wrong, for `TimeZoneError`.
    init(parsing text: String) throws(TimeZoneError.Detail) {
        var scanner = RuleScanner(bytes: Array(text.utf8))
        func fail(_ reason: String) -> TimeZoneError.Detail {
            .malformedRule(text: text, reason: reason)
        }

        guard scanner.name() else { throw fail("expected a zone abbreviation at the start") }
        guard let standardWest = scanner.hms(maximumHours: 24) else {
            throw fail("expected the standard-time offset after the abbreviation")
        }
        let standardOffset = -standardWest
        var daylightSaving: DaylightSaving?
        if !scanner.atEnd {
            guard scanner.name() else { throw fail("expected a daylight-saving abbreviation") }
            var dstOffset = standardOffset + 3600
            if let byte = scanner.peek, byte != UInt8(ascii: ",") {
                guard let west = scanner.hms(maximumHours: 24) else { throw fail("bad daylight-saving offset") }
                dstOffset = -west
            }
            let start: RuleTime
            let end: RuleTime
            if scanner.take(UInt8(ascii: ",")) {
                guard let s = scanner.ruleTime() else { throw fail("bad daylight-saving start rule") }
                guard scanner.take(UInt8(ascii: ",")), let e = scanner.ruleTime() else {
                    throw fail("bad daylight-saving end rule")
                }
                start = s
                end = e
            } else {
                // No rules: POSIX leaves it to the implementation; glibc uses the US rules since 2007.
                start = RuleTime(day: .monthWeekDay(month: 3, week: 2, weekday: 0), secondsAfterMidnight: 7200)
                end = RuleTime(day: .monthWeekDay(month: 11, week: 1, weekday: 0), secondsAfterMidnight: 7200)
            }
            daylightSaving = DaylightSaving(offset: dstOffset, start: start, end: end)
        }
        guard scanner.atEnd else { throw fail("unexpected text after the rule") }
        self.init(standardOffset: standardOffset, daylightSaving: daylightSaving)
    }
}

private struct RuleScanner {
    let bytes: [UInt8]
    var index = 0

    var atEnd: Bool { index == bytes.count }
    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func take(_ byte: UInt8) -> Bool {
        guard peek == byte else { return false }
        index += 1
        return true
    }

    /// `<...>` (letters, digits, `+`, `-`) or three or more letters.
    mutating func name() -> Bool {
        if take(UInt8(ascii: "<")) {
            let start = index
            while let byte = peek, byte != UInt8(ascii: ">") {
                guard Self.isLetter(byte) || Self.isDigit(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
                else { return false }
                index += 1
            }
            guard index - start >= 3, take(UInt8(ascii: ">")) else { return false }
            return true
        }
        let start = index
        while let byte = peek, Self.isLetter(byte) { index += 1 }
        return index - start >= 3
    }

    /// `[+-]hh[:mm[:ss]]` in seconds.
    mutating func hms(maximumHours: Int) -> Int? {
        var sign = 1
        if take(UInt8(ascii: "-")) {
            sign = -1
        } else {
            _ = take(UInt8(ascii: "+"))
        }
        guard let hours = number(maxDigits: 3), hours <= maximumHours else { return nil }
        var seconds = hours * 3600
        if take(UInt8(ascii: ":")) {
            guard let minutes = number(maxDigits: 2), minutes < 60 else { return nil }
            seconds += minutes * 60
            if take(UInt8(ascii: ":")) {
                guard let secs = number(maxDigits: 2), secs < 60 else { return nil }
                seconds += secs
            }
        }
        return sign * seconds
    }

    mutating func ruleTime() -> PosixTimeZoneRule.RuleTime? {
        let day: PosixTimeZoneRule.RuleTime.Day
        if take(UInt8(ascii: "J")) {
            guard let n = number(maxDigits: 3), (1...365).contains(n) else { return nil }
            day = .julianIgnoringLeapDay(n)
        } else if take(UInt8(ascii: "M")) {
            guard let month = number(maxDigits: 2), (1...12).contains(month), take(UInt8(ascii: ".")),
                let week = number(maxDigits: 1), (1...5).contains(week), take(UInt8(ascii: ".")),
                let weekday = number(maxDigits: 1), (0...6).contains(weekday)
            else { return nil }
            day = .monthWeekDay(month: month, week: week, weekday: weekday)
        } else {
            guard let n = number(maxDigits: 3), (0...365).contains(n) else { return nil }
            day = .zeroBasedDayOfYear(n)
        }
        var seconds = 7200
        if take(UInt8(ascii: "/")) {
            guard let time = hms(maximumHours: 167) else { return nil }
            seconds = time
        }
        return PosixTimeZoneRule.RuleTime(day: day, secondsAfterMidnight: seconds)
    }

    mutating func number(maxDigits: Int) -> Int? {
        var value = 0
        var count = 0
        while let byte = peek, Self.isDigit(byte), count < maxDigits {
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            count += 1
            index += 1
        }
        return count > 0 ? value : nil
    }

    static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
