public import CivilTime

extension RecurrenceRule {
    /// How RRULE text places its start: on the evaluating zone's wall clock (a floating `DTSTART`,
    /// or none), or in UTC (`DTSTART:...Z`).
    public enum TextStart: Hashable, Sendable {
        case wallTime
        case utc
    }

    /// Reads RFC 5545 text: an `RRULE:` line (or the bare `FREQ=...;...` value), optionally after a
    /// `DTSTART:` line (`20260105T093000`, floating, or `...Z`, UTC). Without DTSTART the rule starts
    /// at `defaultStart`. BYEASTER (dateutil's) is read too. `TZID` is refused: the beat's zone is used.
    ///
    /// Any unknown or malformed part throws one error naming it (`rrule BYDAY: "XX" is not a weekday`).
    public static func parse(_ text: String, defaultStart: CivilDateTime) throws(RecurrenceError) -> (RecurrenceRule, TextStart) {
        var start = defaultStart
        var placement = TextStart.wallTime
        var ruleText: Substring?
        for rawLine in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let line = rawLine.trimmingSpaces
            if line.isEmpty { continue }
            let upper = line.uppercased()
            if upper.hasPrefix("DTSTART") {
                guard let colon = line.firstIndex(of: ":") else { throw RecurrenceError(field: "DTSTART", "expected DTSTART:YYYYMMDDTHHMMSS") }
                if line[..<colon].uppercased().contains("TZID") {
                    throw RecurrenceError(field: "DTSTART", "TZID is not supported; write the time on the beat's clock or in UTC with Z")
                }
                let (wall, utc) = try dateTime(line[line.index(after: colon)...], field: "DTSTART")
                start = wall
                placement = utc ? .utc : .wallTime
            } else if upper.hasPrefix("RRULE:") {
                ruleText = line.dropFirst("RRULE:".count)
            } else if upper.hasPrefix("FREQ=") || upper.contains(";FREQ=") {
                ruleText = line
            } else {
                throw RecurrenceError(field: "RRULE", "unexpected line \"\(line)\" (expected DTSTART: and RRULE:)")
            }
        }
        guard let ruleText else { throw RecurrenceError(field: "RRULE", "no RRULE line") }
        var parts: [String: String] = [:]
        for part in ruleText.split(separator: ";") where !part.isEmpty {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { throw RecurrenceError(field: "RRULE", "\"\(part)\" is not NAME=VALUE") }
            parts[pair[0].uppercased()] = String(pair[1])
        }
        let known: Set = [
            "FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST", "BYSETPOS", "BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYDAY",
            "BYHOUR", "BYMINUTE", "BYSECOND", "BYEASTER",
        ]
        if let unknown = parts.keys.sorted().first(where: { !known.contains($0) }) {
            throw RecurrenceError(field: unknown, "not an RRULE part this beat reads")
        }
        guard let freqName = parts["FREQ"] else { throw RecurrenceError(field: "FREQ", "missing") }
        guard let frequency = Frequency(name: freqName) else {
            throw RecurrenceError(field: "FREQ", "\"\(freqName)\" is not YEARLY, MONTHLY, WEEKLY, DAILY, HOURLY, MINUTELY or SECONDLY")
        }
        func integers(_ name: String) throws(RecurrenceError) -> [Int] {
            guard let value = parts[name] else { return [] }
            var result: [Int] = []
            for item in value.split(separator: ",", omittingEmptySubsequences: false) {
                guard let number = Int(item.hasPrefix("+") ? item.dropFirst() : item) else {
                    throw RecurrenceError(field: name, "\"\(item)\" is not a whole number")
                }
                result.append(number)
            }
            return result
        }
        func single(_ name: String) throws(RecurrenceError) -> Int? {
            let values = try integers(name)
            guard values.count <= 1 else { throw RecurrenceError(field: name, "expected one number") }
            return values.first
        }
        func weekday(_ name: Substring, field: String) throws(RecurrenceError) -> Int {
            guard let index = Weekday.names.firstIndex(of: name.uppercased()) else {
                throw RecurrenceError(field: field, "\"\(name)\" is not a weekday (MO, TU, WE, TH, FR, SA, SU)")
            }
            return index
        }
        var byWeekday: [Weekday]?
        if let value = parts["BYDAY"] {
            var days: [Weekday] = []
            for item in value.split(separator: ",", omittingEmptySubsequences: false) {
                let name = item.suffix(2)
                let ordinalText = item.dropLast(2)
                var ordinal: Int?
                if !ordinalText.isEmpty {
                    guard let number = Int(ordinalText.hasPrefix("+") ? ordinalText.dropFirst() : ordinalText) else {
                        throw RecurrenceError(field: "BYDAY", "\"\(item)\" is not a weekday with an optional ordinal (+1MO, -1FR)")
                    }
                    ordinal = number
                }
                days.append(Weekday(try weekday(name, field: "BYDAY"), ordinal: ordinal))
            }
            byWeekday = days
        }
        var until: Until?
        if let value = parts["UNTIL"] {
            let (wall, utc) = try dateTime(Substring(value), field: "UNTIL")
            until = utc ? .instant(wall.instant()) : .wallTime(wall)
        }
        let rule = try RecurrenceRule(
            frequency: frequency, start: start, interval: try single("INTERVAL") ?? 1,
            weekStart: try parts["WKST"].map { text throws(RecurrenceError) in try weekday(Substring(text), field: "WKST") } ?? 0,
            count: try single("COUNT"), until: until, bySetPosition: try integers("BYSETPOS"), byMonth: try integers("BYMONTH"),
            byMonthDay: try integers("BYMONTHDAY"), byYearDay: try integers("BYYEARDAY"), byEaster: try integers("BYEASTER"),
            byWeekNumber: try integers("BYWEEKNO"), byWeekday: byWeekday, byHour: try integers("BYHOUR"),
            byMinute: try integers("BYMINUTE"), bySecond: try integers("BYSECOND"))
        return (rule, placement)
    }

    /// `YYYYMMDD` or `YYYYMMDDTHHMMSS`, with a trailing `Z` for UTC.
    private static func dateTime(_ text: Substring, field: String) throws(RecurrenceError) -> (CivilDateTime, utc: Bool) {
        var digits = text
        let utc = digits.hasSuffix("Z") || digits.hasSuffix("z")
        if utc { digits = digits.dropLast() }
        let compact = digits.filter { $0 != "T" && $0 != "t" }
        let numbers = Array(compact.utf8)
        guard (numbers.count == 8 || numbers.count == 14), numbers.allSatisfy({ (48...57).contains($0) }),
            digits.count == numbers.count + (numbers.count == 14 ? 1 : 0)
        else {
            throw RecurrenceError(field: field, "\"\(text)\" is not YYYYMMDD or YYYYMMDDTHHMMSS[Z]")
        }
        func number(_ from: Int, _ length: Int) -> Int { numbers[from..<from + length].reduce(0) { $0 * 10 + Int($1 - 48) } }
        let wall = CivilDateTime(
            year: number(0, 4), month: number(4, 2), day: number(6, 2), hour: numbers.count == 14 ? number(8, 2) : 0,
            minute: numbers.count == 14 ? number(10, 2) : 0, second: numbers.count == 14 ? number(12, 2) : 0)
        guard wall.isValid else { throw RecurrenceError(field: field, "\"\(text)\" is not a valid date and time") }
        return (wall, utc)
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var result = self
        while result.first == " " || result.first == "\t" { result = result.dropFirst() }
        while result.last == " " || result.last == "\t" { result = result.dropLast() }
        return result
    }
}
