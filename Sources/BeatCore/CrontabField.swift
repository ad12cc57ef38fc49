/// The five fields of a Celery crontab, with Celery's names and ranges.
public enum CrontabField: String, CaseIterable, Sendable {
    case minute
    case hour
    case dayOfWeek = "day_of_week"
    case dayOfMonth = "day_of_month"
    case monthOfYear = "month_of_year"

    /// The values the field can take. Sunday is 0 and Celery rejects 7.
    public var range: ClosedRange<Int> {
        switch self {
        case .minute: 0...59
        case .hour: 0...23
        case .dayOfWeek: 0...6
        case .dayOfMonth: 1...31
        case .monthOfYear: 1...12
        }
    }

    /// English names, indexed from the start of `range`; Celery matches their first three letters.
    var names: [String] {
        switch self {
        case .dayOfWeek: Self.dayNames
        case .monthOfYear: Self.monthNames
        default: []
        }
    }

    private static let dayNames = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
    private static let monthNames = [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
        "december",
    ]

    /// What a value of this field looks like, for error messages.
    var valueDescription: String {
        switch self {
        case .dayOfWeek: "a day name or number 0-6"
        case .monthOfYear: "a month name or number 1-12"
        default: "a number \(range.lowerBound)-\(range.upperBound)"
        }
    }
}

/// One crontab field as the user gave it: Celery accepts a string, an integer or a list of integers.
///
/// Kept verbatim so a schedule can be written back and shown as it was written.
public enum CrontabSpec: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral,
    ExpressibleByIntegerLiteral
{
    case text(String)
    case integer(Int)
    case integers([Int])

    public init(stringLiteral value: String) {
        self = .text(value)
    }

    public init(integerLiteral value: Int) {
        self = .integer(value)
    }

    /// The spec as crontab text: `*/15`, `5`, or a list joined with commas.
    public var description: String {
        switch self {
        case .text(let text): text
        case .integer(let value): String(value)
        case .integers(let values): values.map(String.init).joined(separator: ",")
        }
    }

    /// True for the literal `"*"`.
    var isStar: Bool { self == .text("*") }
}

/// Celery's `crontab_parser`, without the parts of its regular expressions that accept garbage.
///
/// Grammar (`celery/schedules.py`): comma-separated parts, each `*`, `*/n`, `a`, `a-b` or `a-b/n`,
/// where `a-b` with `b < a` wraps around the end of the range (`fri-mon`, `22-2`) and `/n` keeps every
/// n-th value of the expanded list. Values are numbers or, in day_of_week and month_of_year, English
/// names matched by their first three letters in any case.
///
/// Stricter than Celery, on purpose (each of these Celery accepts silently, and none means anything):
/// text after a valid prefix (`*/5x`, `1-5/2!`, `1-2-3`); `+`, spaces and `_` inside numbers; month names
/// in day_of_week (Celery reads `jan` there as Monday) and day names elsewhere; words that merely begin
/// with a name (`monkey`). Names are accepted as the abbreviation, the full name, or anything between
/// (`tues`, `thurs`, `sept`).
enum CrontabFieldParser {
    /// The set of values as a bitmask: bit `v` set for each value `v`.
    static func parse(_ spec: CrontabSpec, field: CrontabField) throws(ScheduleError) -> UInt64 {
        switch spec {
        case .integer(let value):
            return try bit(value, field: field)
        case .integers(let values):
            guard !values.isEmpty else { throw .crontabField(field, "an empty list matches nothing") }
            var mask: UInt64 = 0
            for value in values {
                mask |= try bit(value, field: field)
            }
            return mask
        case .text(let text):
            // Bytes, not Characters: 100,000 entries are parsed at start-up, and the grammar is ASCII.
            let bytes = Array(text.utf8)
            var mask: UInt64 = 0
            var start = 0
            while true {
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: ",") { end += 1 }
                guard end > start else { throw .crontabField(field, "empty part in \"\(text)\"") }
                mask |= try Self.mask(of: bytes[start..<end], field: field)
                guard end < bytes.count else { return mask }
                start = end + 1
            }
        }
    }

    private static func bit(_ value: Int, field: CrontabField) throws(ScheduleError) -> UInt64 {
        guard field.range.contains(value) else { throw outOfRange(String(value), value: value, field: field) }
        return 1 << UInt64(value)
    }

    private static func outOfRange(_ text: String, value: Int, field: CrontabField) -> ScheduleError {
        let range = "\(field.range.lowerBound)-\(field.range.upperBound)"
        if field == .dayOfWeek, value == 7 {
            return .crontabField(field, "7 is out of range \(range) (Sunday is 0)")
        }
        return .crontabField(field, "\(text) is out of range \(range)")
    }

    private typealias Bytes = ArraySlice<UInt8>

    private static func text(_ bytes: Bytes) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// The values of one part as a bitmask. Steps count along Celery's expanded list, which for a
    /// wrapped range runs from `a` to the end of the range and on from its start to `b`.
    private static func mask(of part: Bytes, field: CrontabField) throws(ScheduleError) -> UInt64 {
        var base = part
        var step = 1
        if let slash = part.firstIndex(of: UInt8(ascii: "/")) {
            base = part[..<slash]
            guard let value = number(part[(slash + 1)...]), value >= 1 else {
                throw .crontabField(field, "\"\(text(part))\": the step must be a whole number of at least 1")
            }
            step = value
        }
        let range = field.range
        let from: Int
        let to: Int
        if base.elementsEqual([UInt8(ascii: "*")]) {
            (from, to) = (range.lowerBound, range.upperBound)
        } else if base.first == UInt8(ascii: "-") {
            throw .crontabField(field, "\"\(text(part))\": negative numbers are not allowed")
        } else if let dash = base.firstIndex(of: UInt8(ascii: "-")) {
            let toBytes = base[(dash + 1)...]
            guard !toBytes.isEmpty else {
                throw .crontabField(field, "\"\(text(part))\": a range needs a value on each side of the -")
            }
            from = try value(base[..<dash], field: field)
            to = try value(toBytes, field: field)
        } else if base.count != part.count {
            throw .crontabField(
                field, "\"\(text(part))\": a step needs a range or * before it, such as */\(step) or 0-30/\(step)")
        } else {
            return 1 << UInt64(try value(base, field: field))
        }
        let firstRun = (to >= from ? to : range.upperBound) - from + 1
        let length = to >= from ? firstRun : firstRun + to - range.lowerBound + 1
        var mask: UInt64 = 0
        for index in stride(from: 0, to: length, by: step) {
            let value = index < firstRun ? from + index : range.lowerBound + index - firstRun
            mask |= 1 << UInt64(value)
        }
        return mask
    }

    /// A number or a name of `field`.
    private static func value(_ token: Bytes, field: CrontabField) throws(ScheduleError) -> Int {
        if let value = number(token) {
            guard field.range.contains(value) else { throw outOfRange(text(token), value: value, field: field) }
            return value
        }
        if token.count >= 3, let index = field.names.firstIndex(where: { isPrefix(token, of: $0) }) {
            return field.range.lowerBound + index
        }
        if token.first == UInt8(ascii: "-") {
            throw .crontabField(field, "\"\(text(token))\": negative numbers are not allowed")
        }
        throw .crontabField(field, "\"\(text(token))\" is not \(field.valueDescription)")
    }

    /// Whether `token`, in any ASCII case, begins `name` (which is lower case).
    private static func isPrefix(_ token: Bytes, of name: String) -> Bool {
        var nameBytes = name.utf8.makeIterator()
        for byte in token {
            guard let expected = nameBytes.next() else { return false }
            let lower = (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
            guard lower == expected else { return false }
        }
        return true
    }

    /// ASCII digits only; values too long to be in any range read as out of range, not as garbage.
    private static func number(_ bytes: Bytes) -> Int? {
        guard !bytes.isEmpty else { return nil }
        var value = 0
        for byte in bytes {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = min(value * 10 + Int(byte - UInt8(ascii: "0")), 1_000_000)
        }
        return value
    }
}
