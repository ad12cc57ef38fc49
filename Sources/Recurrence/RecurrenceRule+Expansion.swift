import CivilTime

extension RecurrenceRule {
    /// The rule with RFC 5545's defaults taken from `DTSTART`, as sets a day or a time is tested against.
    ///
    /// dateutil's readings, where RFC 5545 leaves room, are kept because RedBeat fires by dateutil:
    /// - The defaults (month and month day of a yearly rule, month day of a monthly one, weekday of
    ///   a weekly one) apply only when none of BYWEEKNO, BYYEARDAY, BYMONTHDAY, BYDAY, BYEASTER is given.
    /// - An ordinal (`+1MO`) counts within the month (monthly, or yearly with BYMONTH) or the year
    ///   (yearly without BYMONTH); in weekly and finer rules it is ignored.
    /// - Plain weekdays and weekdays with ordinals in one rule must both hold (dateutil tests them as
    ///   two filters), not either.
    struct Expansion {
        let months: Set<Int>?
        let positiveMonthDays: Set<Int>
        let negativeMonthDays: Set<Int>
        let yearDays: Set<Int>?
        let easterOffsets: [Int]
        let weekNumbers: Set<Int>?
        let plainWeekdays: Set<Int>?
        let ordinalWeekdays: [Weekday]
        let hours: [Int]?
        let minutes: [Int]?
        let seconds: [Int]?
        let frequency: Frequency
        let weekStart: Int
        let start: CivilDateTime
        let interval: Int

        init(_ rule: RecurrenceRule) {
            frequency = rule.frequency
            weekStart = rule.weekStart
            start = rule.start
            interval = rule.interval
            var byMonth = rule.byMonth
            var byMonthDay = rule.byMonthDay
            var byWeekday = rule.byWeekday
            if rule.byWeekNumber.isEmpty, rule.byYearDay.isEmpty, rule.byMonthDay.isEmpty, rule.byWeekday == nil, rule.byEaster.isEmpty {
                switch rule.frequency {
                case .yearly:
                    if byMonth.isEmpty { byMonth = [rule.start.month] }
                    byMonthDay = [rule.start.day]
                case .monthly:
                    byMonthDay = [rule.start.day]
                case .weekly:
                    byWeekday = [Weekday(Self.weekday(of: rule.start.date.daysSinceEpoch))]
                default:
                    break
                }
            }
            months = byMonth.isEmpty ? nil : Set(byMonth)
            positiveMonthDays = Set(byMonthDay.filter { $0 > 0 })
            negativeMonthDays = Set(byMonthDay.filter { $0 < 0 })
            yearDays = rule.byYearDay.isEmpty ? nil : Set(rule.byYearDay)
            easterOffsets = rule.byEaster
            weekNumbers = rule.byWeekNumber.isEmpty ? nil : Set(rule.byWeekNumber)
            let countsOrdinals = rule.frequency.rawValue <= Frequency.monthly.rawValue
            let plain = (byWeekday ?? []).filter { $0.ordinal == nil || !countsOrdinals }.map(\.weekday)
            plainWeekdays = plain.isEmpty ? nil : Set(plain)
            ordinalWeekdays = (byWeekday ?? []).filter { $0.ordinal != nil && countsOrdinals }
            func timeSet(_ given: [Int], _ unit: Frequency, _ fromStart: Int) -> [Int]? {
                if !given.isEmpty { return Array(Set(given)).sorted() }
                return rule.frequency.rawValue < unit.rawValue ? [fromStart] : nil
            }
            hours = timeSet(rule.byHour, .hourly, rule.start.hour)
            minutes = timeSet(rule.byMinute, .minutely, rule.start.minute)
            seconds = timeSet(rule.bySecond, .secondly, rule.start.second)
        }

        /// 0 = Monday, as dateutil numbers weekdays (1970-01-01 was a Thursday).
        static func weekday(of day: Int64) -> Int { Int((day + 3).floorModulo(7)) }

        /// The times of day (in seconds) of a daily or coarser rule, in order.
        var timesOfDay: [Int] {
            var times: [Int] = []
            for hour in hours ?? [] {
                for minute in minutes ?? [] {
                    for second in seconds ?? [] { times.append(hour * 3600 + minute * 60 + second) }
                }
            }
            return times.sorted()
        }

        /// The times (seconds of the day) of the hourly, minutely or secondly period that starts
        /// `unit` hours, minutes or seconds into its day: none when BYHOUR/BYMINUTE/BYSECOND exclude it.
        func times(inPeriodAt unit: Int) -> [Int] {
            switch frequency {
            case .hourly:
                guard hours?.contains(unit) ?? true else { return [] }
                var times: [Int] = []
                for minute in minutes ?? [] {
                    for second in seconds ?? [] { times.append(unit * 3600 + minute * 60 + second) }
                }
                return times
            case .minutely:
                guard hours?.contains(unit / 60) ?? true, minutes?.contains(unit % 60) ?? true else { return [] }
                return (seconds ?? []).map { unit * 60 + $0 }
            default:
                guard hours?.contains(unit / 3600) ?? true, minutes?.contains(unit / 60 % 60) ?? true,
                    seconds?.contains(unit % 60) ?? true
                else { return [] }
                return [unit]
            }
        }

        /// How many candidates a sub-daily period that passes the filters holds: the same in every
        /// such period (its BYMINUTE × BYSECOND for hourly, BYSECOND for minutely, one for secondly).
        var timesPerSubDailyPeriod: Int {
            switch frequency {
            case .hourly: (minutes ?? []).count * (seconds ?? []).count
            case .minutely: (seconds ?? []).count
            default: 1
            }
        }

        /// Whether a sub-daily rule's periods ever start at an allowed time of day: they start at
        /// the start's unit plus multiples of gcd(interval, units per day), every day alike.
        var reachesSomeTimeOfDay: Bool {
            let perDay = frequency.unitsPerDay
            let step = gcd(interval, perDay)
            let phase = start.unit(of: frequency) % step
            var unit = phase
            while unit < perDay {
                if !times(inPeriodAt: unit).isEmpty { return true }
                unit += step
            }
            return false
        }

        /// Whether `day` (days since 1970-01-01) passes the BYMONTH, BYWEEKNO, BYDAY, BYEASTER,
        /// BYMONTHDAY and BYYEARDAY filters.
        func dayMatches(_ day: Int64) -> Bool {
            let date = CivilDate(daysSinceEpoch: day)
            if let months, !months.contains(date.month) { return false }
            let weekday = Self.weekday(of: day)
            if let plainWeekdays, !plainWeekdays.contains(weekday) { return false }
            let firstOfYear = CivilDate(year: date.year, month: 1, day: 1).daysSinceEpoch
            let yearLength = CivilDate.isLeap(date.year) ? 366 : 365
            let monthLength = CivilDate.daysIn(month: date.month, year: date.year)
            if !ordinalWeekdays.isEmpty {
                let first: Int64
                let last: Int64
                if frequency == .yearly && months == nil {
                    (first, last) = (firstOfYear, firstOfYear + Int64(yearLength) - 1)
                } else {
                    first = day - Int64(date.day - 1)
                    last = first + Int64(monthLength) - 1
                }
                let fromStart = Int((day - first) / 7) + 1
                let fromEnd = -(Int((last - day) / 7) + 1)
                guard ordinalWeekdays.contains(where: { $0.weekday == weekday && ($0.ordinal == fromStart || $0.ordinal == fromEnd) })
                else { return false }
            }
            if let weekNumbers, !weekNumberMatches(day, year: date.year, in: weekNumbers) { return false }
            if !easterOffsets.isEmpty {
                let easter = Easter.sunday(year: date.year).daysSinceEpoch
                guard easterOffsets.contains(where: { easter + Int64($0) == day }) else { return false }
            }
            if !positiveMonthDays.isEmpty || !negativeMonthDays.isEmpty {
                guard positiveMonthDays.contains(date.day) || negativeMonthDays.contains(date.day - monthLength - 1) else { return false }
            }
            if let yearDays {
                let yearDay = Int(day - firstOfYear) + 1
                guard yearDays.contains(yearDay) || yearDays.contains(yearDay - yearLength - 1) else { return false }
            }
            return true
        }

        /// RFC 5545's week numbers: week 1 is the first week (from `weekStart`) with at least four
        /// days in the year. A day before it belongs to the previous year's last week (matched by
        /// that number or -1); a day after the last week belongs to next year's week 1 (matched by 1).
        private func weekNumberMatches(_ day: Int64, year: Int, in numbers: Set<Int>) -> Bool {
            let firstWeek = firstWeekStart(year)
            let nextFirstWeek = firstWeekStart(year + 1)
            if day < firstWeek {
                return numbers.contains(dateutilsWeeksBefore(year)) || numbers.contains(-1)
            }
            if day >= nextFirstWeek { return numbers.contains(1) }
            let week = Int((day - firstWeek) / 7) + 1
            let weeks = Int((nextFirstWeek - firstWeek) / 7)
            return numbers.contains(week) || numbers.contains(week - weeks - 1)
        }

        /// The number dateutil gives the week that holds a year's first days when they belong to
        /// the previous year's last week. RFC 5545's answer is that year's week count; dateutil
        /// computes it as 52 plus one when the year's last partial week has four days or more, and
        /// when the previous year's week 1 began on or after its 1 January it measures that partial
        /// week with *this* year's length and first-week offset. RedBeat fires by dateutil, so its
        /// number is kept (BYWEEKNO=53 matches 1-2 January 2026 with WKST=SA, where RFC 5545 says 52).
        private func dateutilsWeeksBefore(_ year: Int) -> Int {
            let previousJanuary1 = CivilDate(year: year - 1, month: 1, day: 1).daysSinceEpoch
            let previousWeekday = Self.weekday(of: previousJanuary1)
            let previousUntilWeekStart = (7 - previousWeekday + weekStart) % 7
            if previousUntilWeekStart >= 4 {
                let previousLength = CivilDate.isLeap(year - 1) ? 366 : 365
                return 52 + (previousLength + (previousWeekday - weekStart + 7) % 7) % 7 / 4
            }
            let length = CivilDate.isLeap(year) ? 366 : 365
            let untilWeekStart = (7 - Self.weekday(of: CivilDate(year: year, month: 1, day: 1).daysSinceEpoch) + weekStart) % 7
            return 52 + (length - untilWeekStart) % 7 / 4
        }

        private func firstWeekStart(_ year: Int) -> Int64 {
            let january1 = CivilDate(year: year, month: 1, day: 1).daysSinceEpoch
            let untilWeekStart = Int64((7 - Self.weekday(of: january1) + weekStart) % 7)
            return untilWeekStart >= 4 ? january1 + untilWeekStart - 7 : january1 + untilWeekStart
        }
    }
}

extension RecurrenceRule.Frequency {
    /// Hours, minutes or seconds in a day, for the sub-daily frequencies.
    var unitsPerDay: Int {
        switch self {
        case .hourly: 24
        case .minutely: 1440
        default: 86_400
        }
    }
}

extension CivilDateTime {
    /// Hours, minutes or seconds since midnight, in the unit of a sub-daily frequency.
    func unit(of frequency: RecurrenceRule.Frequency) -> Int {
        switch frequency {
        case .hourly: hour
        case .minutely: hour * 60 + minute
        default: hour * 3600 + minute * 60 + second
        }
    }
}

func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
