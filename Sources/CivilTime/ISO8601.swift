/// ISO 8601 as Celery and Python write and read it.
///
/// Celery sends `eta`/`expires` as `datetime.isoformat()` of an aware datetime
/// (`2026-11-27T16:08:06.787371+00:00`) and the worker parses them with `dateutil.isoparse`,
/// treating values without an offset as UTC. An empty string crashes a worker, so formatting
/// always produces a full timestamp with an explicit offset.
public enum ISO8601 {
    /// A parsed timestamp: the wall time it names and its offset, if it had one.
    public struct Parsed: Hashable, Sendable {
        public var wallTime: CivilDateTime
        /// Seconds east of UTC; `nil` for a naive timestamp.
        public var utcOffsetSeconds: Int?

        /// The instant, reading a naive timestamp as UTC (Celery's rule for naive datetimes).
        public var instantAssumingUTC: Instant {
            wallTime.instant(utcOffsetSeconds: utcOffsetSeconds ?? 0)
        }
    }

    public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        public var text: String
        public var reason: String
        public var description: String { "invalid ISO 8601 timestamp \"\(text)\": \(reason)" }
    }

    /// Formats like Python's `isoformat()`: microseconds only when non-zero, offset as `±HH:MM`.
    public static func format(_ instant: Instant, utcOffsetSeconds: Int) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(40)
        append(instant, utcOffsetSeconds: utcOffsetSeconds, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `format(instant, utcOffsetSeconds:)` appended to `bytes`: messages carry a timestamp per
    /// firing, and writing digits into the buffer costs a small fraction of building strings.
    public static func append(_ instant: Instant, utcOffsetSeconds: Int, to bytes: inout [UInt8]) {
        var text = Text()
        text.appendNaive(CivilDateTime(instant, utcOffsetSeconds: utcOffsetSeconds))
        let magnitude = abs(utcOffsetSeconds)
        text.append(utcOffsetSeconds < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        text.appendPadded(magnitude / 3600, width: 2)
        text.append(UInt8(ascii: ":"))
        text.appendPadded(magnitude / 60 % 60, width: 2)
        if magnitude % 60 != 0 {
            text.append(UInt8(ascii: ":"))
            text.appendPadded(magnitude % 60, width: 2)
        }
        text.write(to: &bytes)
    }

    /// Formats a wall time with no offset, like a naive Python `datetime.isoformat()`.
    public static func formatNaive(_ wall: CivilDateTime) -> String {
        var text = Text()
        text.appendNaive(wall)
        var bytes: [UInt8] = []
        text.write(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses `YYYY-MM-DD[(T| )HH:MM[:SS[.fraction]]][Z|±HH[:MM[:SS]]|±HHMM]`.
    /// Fractions beyond microseconds are truncated, as `dateutil` does.
    public static func parse(_ text: String) throws(ParseError) -> Parsed {
        var scanner = Scanner(bytes: Array(text.utf8))
        func fail(_ reason: String) -> ParseError { ParseError(text: text, reason: reason) }

        guard let year = scanner.digits(exactly: 4) else { throw fail("expected a four-digit year") }
        guard scanner.take(UInt8(ascii: "-")), let month = scanner.digits(exactly: 2),
            scanner.take(UInt8(ascii: "-")), let day = scanner.digits(exactly: 2)
        else { throw fail("expected YYYY-MM-DD") }
        var wall = CivilDateTime(year: year, month: month, day: day)

        if scanner.take(UInt8(ascii: "T")) || scanner.take(UInt8(ascii: "t")) || scanner.take(UInt8(ascii: " ")) {
            guard let hour = scanner.digits(exactly: 2), scanner.take(UInt8(ascii: ":")),
                let minute = scanner.digits(exactly: 2)
            else { throw fail("expected HH:MM after the date") }
            wall.hour = hour
            wall.minute = minute
            if scanner.take(UInt8(ascii: ":")) {
                guard let second = scanner.digits(exactly: 2) else { throw fail("expected two-digit seconds") }
                wall.second = second
                if scanner.take(UInt8(ascii: ".")) || scanner.take(UInt8(ascii: ",")) {
                    guard let micro = scanner.fractionAsMicroseconds() else { throw fail("expected fraction digits") }
                    wall.microsecond = micro
                }
            }
        }
        guard wall.isValid else { throw fail("date or time out of range") }

        var offset: Int?
        if scanner.take(UInt8(ascii: "Z")) || scanner.take(UInt8(ascii: "z")) {
            offset = 0
        } else if let sign = scanner.takeSign() {
            guard let hours = scanner.digits(exactly: 2) else { throw fail("expected a two-digit offset hour") }
            let hasColon = scanner.take(UInt8(ascii: ":"))
            var minutes = 0
            var seconds = 0
            if let m = scanner.digits(exactly: 2) {
                minutes = m
                if hasColon, scanner.take(UInt8(ascii: ":")) {
                    guard let s = scanner.digits(exactly: 2) else { throw fail("expected offset seconds") }
                    seconds = s
                }
            } else if hasColon {
                throw fail("expected offset minutes")
            }
            guard hours < 24, minutes < 60, seconds < 60 else { throw fail("offset out of range") }
            offset = sign * (hours * 3600 + minutes * 60 + seconds)
        }
        guard scanner.atEnd else { throw fail("unexpected text after the timestamp") }
        return Parsed(wallTime: wall, utcOffsetSeconds: offset)
    }
}

/// A timestamp's text, built on the stack and copied out once.
private struct Text {
    /// Room for a six-digit year, microseconds and an offset with seconds.
    private var storage: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)
    private var count = 0

    mutating func append(_ byte: UInt8) {
        withUnsafeMutableBytes(of: &storage) { $0[count] = byte }
        count += 1
    }

    /// The decimal text of `value` (with its sign), zero-padded on the left to `width` characters.
    mutating func appendPadded(_ value: Int, width: Int) {
        var digits = 1
        var rest = value.magnitude
        while rest >= 10 {
            rest /= 10
            digits += 1
        }
        let length = digits + (value < 0 ? 1 : 0)
        for _ in length..<max(width, length) { append(UInt8(ascii: "0")) }
        if value < 0 { append(UInt8(ascii: "-")) }
        rest = value.magnitude
        count += digits
        withUnsafeMutableBytes(of: &storage) { bytes in
            for position in stride(from: count - 1, through: count - digits, by: -1) {
                bytes[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
        }
    }

    mutating func appendNaive(_ wall: CivilDateTime) {
        appendPadded(wall.year, width: 4)
        append(UInt8(ascii: "-"))
        appendPadded(wall.month, width: 2)
        append(UInt8(ascii: "-"))
        appendPadded(wall.day, width: 2)
        append(UInt8(ascii: "T"))
        appendPadded(wall.hour, width: 2)
        append(UInt8(ascii: ":"))
        appendPadded(wall.minute, width: 2)
        append(UInt8(ascii: ":"))
        appendPadded(wall.second, width: 2)
        if wall.microsecond != 0 {
            append(UInt8(ascii: "."))
            appendPadded(wall.microsecond, width: 6)
        }
    }

    func write(to bytes: inout [UInt8]) {
        withUnsafeBytes(of: storage) { bytes.append(contentsOf: $0[..<count]) }
    }
}

/// A cursor over ASCII bytes for the small fixed grammars in this module.
private struct Scanner {
    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    var atEnd: Bool { index == bytes.count }

    mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    mutating func takeSign() -> Int? {
        if take(UInt8(ascii: "+")) { return 1 }
        if take(UInt8(ascii: "-")) { return -1 }
        return nil
    }

    mutating func digits(exactly count: Int) -> Int? {
        guard index + count <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[index..<index + count] {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        index += count
        return value
    }

    mutating func fractionAsMicroseconds() -> Int? {
        var micro = 0
        var count = 0
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            if count < 6 {
                micro = micro * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            }
            count += 1
            index += 1
        }
        guard count > 0 else { return nil }
        for _ in count..<max(count, 6) {
            micro *= 10
        }
        return micro
    }
}
