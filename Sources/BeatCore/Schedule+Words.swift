import CivilTime
import SolarEvents
import Recurrence

/// Schedules in words, for `swiftbeat list`: "every 30 seconds", "at 07:30 on Monday",
/// "every 15 minutes from 09:00 through 17:45 on Monday through Friday".
///
/// Common shapes get a sentence; anything else falls back to the fields as written, which is
/// always exact (`minute 5,35 of hours 1-3,22 on the 1st through 7th of the month`).
extension Schedule: CustomStringConvertible {
    public var description: String {
        switch self {
        case .interval(let interval): interval.description
        case .crontab(let crontab): crontab.description
        case .solar(let solar): "at \(solar.event.rawValue.split(separator: "_").joined(separator: " ")) at latitude \(solar.latitude), longitude \(solar.longitude)"
        case .clocked(let clocked): "once, at \(clocked.iso8601)"
        case .rrule(let rrule): "by the rule \(rrule.rule.frequency.name.lowercased()) from \(rrule.rule.start)"
        }
    }
}

extension IntervalSchedule: CustomStringConvertible {
    public var description: String {
        let micros = duration.value
        let units: [(Int64, String)] = [
            (604_800_000_000, "week"), (86_400_000_000, "day"), (3_600_000_000, "hour"), (60_000_000, "minute"),
            (1_000_000, "second"),
        ]
        var text: String
        if let (size, name) = units.first(where: { micros % $0.0 == 0 }) {
            let count = micros / size
            text = count == 1 ? "every \(name)" : "every \(count) \(name)s"
        } else if micros > 1_000_000 {
            text = "every \(Self.decimal(micros, scale: 1_000_000)) seconds"
        } else if micros % 1000 == 0 {
            text = micros == 1000 ? "every millisecond" : "every \(micros / 1000) milliseconds"
        } else {
            text = micros == 1 ? "every microsecond" : "every \(micros) microseconds"
        }
        if relative {
            switch micros {
            case 86_400_000_000...: text += ", at midnight"
            case 3_600_000_000...: text += ", on the hour"
            case 60_000_000...: text += ", on the minute"
            default: text += ", on the second"
            }
        }
        return text
    }

    /// `value / scale` with the fraction's trailing zeros dropped: 1_500_000 / 10^6 is "1.5".
    private static func decimal(_ value: Int64, scale: Int64) -> String {
        var fraction = String(value % scale)
        fraction = String(repeating: "0", count: String(scale).count - 1 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(value / scale)" + (fraction.isEmpty ? "" : "." + fraction)
    }
}

extension CrontabSchedule: CustomStringConvertible {
    public var description: String {
        let minuteValues = values(of: .minute)
        let hourValues = values(of: .hour)
        let allDays = weekdays == 0x7F && daysOfMonth == Self.daysUpTo(31)
        var parts: [String] = []
        let times = minuteValues.count * hourValues.count

        if minuteValues.count == 60 && hourValues.count == 24 {
            parts.append("every minute")
        } else if hourValues.count == 24 {
            if let step = Self.step(of: minuteValues, period: 60) {
                parts.append("every \(step) minutes")
            } else if minuteValues.count == 1 {
                parts.append("every hour at :\(Self.twoDigits(minuteValues[0]))")
            } else {
                parts.append("at minutes \(Self.list(minuteValues.map(String.init))) of every hour")
            }
        } else if times <= 6 {
            let clock = hourValues.flatMap { hour in minuteValues.map { Self.clock(hour, $0) } }
            parts.append("at " + Self.list(clock) + (allDays && months == Self.allMonths ? " every day" : ""))
        } else if let first = hourValues.first, let last = hourValues.last, last - first + 1 == hourValues.count {
            let from = Self.clock(first, minuteValues[0])
            let through = Self.clock(last, minuteValues[minuteValues.count - 1])
            if minuteValues.count == 60 {
                parts.append("every minute from \(from) through \(through)")
            } else if minuteValues.count == 1 {
                parts.append("every hour from \(from) through \(through)")
            } else if let step = Self.step(of: minuteValues, period: 60) {
                parts.append("every \(step) minutes from \(from) through \(through)")
            } else {
                parts.append("at minutes \(Self.list(minuteValues.map(String.init))) from \(from) through \(through)")
            }
        } else {
            let minutePhrase =
                minuteValues.count == 60
                ? "every minute" : Self.step(of: minuteValues, period: 60).map { "every \($0) minutes" }
                    ?? "at minute\(minuteValues.count == 1 ? "" : "s") \(Self.list(minuteValues.map(String.init)))"
            parts.append("\(minutePhrase) of hours \(Self.list(hourValues.map(String.init)))")
        }

        let dayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
        let monthNames = [
            "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
            "November", "December",
        ]
        let weekdayPhrase = weekdays == 0x7F ? nil : "on " + Self.runs(values(of: .dayOfWeek), circle: 7, names: dayNames)
        let ordinals = values(of: .dayOfMonth)
        let dayOfMonthPhrase =
            daysOfMonth == Self.daysUpTo(31) ? nil : Self.runs(ordinals, circle: nil, names: nil, ordinal: true)
        let monthList = values(of: .monthOfYear).map { $0 - 1 }
        let singleMonth = monthList.count == 1 ? monthNames[monthList[0]] : nil

        switch (weekdayPhrase, dayOfMonthPhrase) {
        case (let weekday?, let dayOfMonth?):
            parts.append("\(weekday), when that is the \(dayOfMonth.replacingAnd()) of the month")
        case (let weekday?, nil):
            parts.append(weekday)
        case (nil, let dayOfMonth?):
            parts.append("on the \(dayOfMonth) of " + (singleMonth ?? "the month"))
        case (nil, nil):
            break
        }
        if months != Self.allMonths, !(dayOfMonthPhrase != nil && weekdayPhrase == nil && singleMonth != nil) {
            parts.append("in " + Self.runs(monthList, circle: 12, names: monthNames))
        }
        return parts.joined(separator: " ")
    }

    private static let allMonths: UInt64 = 0x1FFE

    /// `n` when `values` is exactly 0, n, 2n, ... below `period` (and n > 1).
    private static func step(of values: [Int], period: Int) -> Int? {
        guard values.count >= 2, values[0] == 0 else { return nil }
        let step = values[1]
        return values == Array(stride(from: 0, to: period, by: step)) ? step : nil
    }

    private static func clock(_ hour: Int, _ minute: Int) -> String {
        twoDigits(hour) + ":" + twoDigits(minute)
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }

    /// "a", "a and b", "a, b and c".
    static func list(_ items: [String]) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " and " + items[items.count - 1]
    }

    /// Runs of three or more consecutive values as "X through Y" (around the circle for weekdays and
    /// months, so fri-mon reads "Friday through Monday"), the rest listed.
    private static func runs(_ values: [Int], circle: Int?, names: [String]?, ordinal: Bool = false) -> String {
        func name(_ value: Int) -> String {
            if let names { return names[value] }
            return ordinal ? Self.ordinal(value) : String(value)
        }
        var ordered = values
        if let circle, values.count < circle, let gapIndex = values.indices.first(where: { index in
            let previous = values[(index + values.count - 1) % values.count]
            return (previous + 1) % circle != values[index]
        }) {
            // Start right after a gap, so a run through the end of the circle stays in one piece.
            ordered = Array(values[gapIndex...] + values[..<gapIndex])
        }
        var groups: [[Int]] = []
        for value in ordered {
            if let last = groups.last?.last, (last + 1) % (circle ?? Int.max) == value {
                groups[groups.count - 1].append(value)
            } else {
                groups.append([value])
            }
        }
        var items: [String] = []
        for group in groups {
            if group.count >= 3 {
                items.append("\(name(group[0])) through \(name(group[group.count - 1]))")
            } else {
                items += group.map(name)
            }
        }
        return list(items)
    }

    private static func ordinal(_ day: Int) -> String {
        let suffix: String
        switch (day % 10, day % 100) {
        case (_, 11...13): suffix = "th"
        case (1, _): suffix = "st"
        case (2, _): suffix = "nd"
        case (3, _): suffix = "rd"
        default: suffix = "th"
        }
        return "\(day)\(suffix)"
    }
}

extension String {
    /// "a, b and c" read as alternatives: "a, b or c".
    fileprivate func replacingAnd() -> String {
        guard let range = ranges(of: " and ").last else { return self }
        var copy = self
        copy.replaceSubrange(range, with: " or ")
        return copy
    }
}
