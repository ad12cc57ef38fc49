/// A point in time: microseconds since 1970-01-01T00:00:00Z, ignoring leap seconds as POSIX does.
///
/// Microseconds, because that is the resolution Celery and Python's `datetime` carry
/// (`last_run_at`, `eta` and `expires` all round-trip through it), and an `Int64` of them
/// spans ±292,000 years, so schedule arithmetic never overflows for any real input.
///
/// Data is not always real input: an interval of 190,000 years is a valid timedelta, and a zone
/// file may list a transition at any 64-bit second. So arithmetic saturates at the ends of that
/// span instead of trapping: an instant beyond them is "never" for a schedule, and the end of the
/// span says so as well, where a trap would stop the scheduler because of one entry's data.
public struct Instant: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var microsecondsSinceEpoch: Int64

    public init(microsecondsSinceEpoch: Int64) {
        self.microsecondsSinceEpoch = microsecondsSinceEpoch
    }

    public init(secondsSinceEpoch seconds: Int64) {
        self.microsecondsSinceEpoch = Self.saturating(seconds.multipliedReportingOverflow(by: 1_000_000), sign: seconds)
    }

    /// Whole seconds since the epoch, rounded towards negative infinity.
    public var secondsSinceEpoch: Int64 {
        microsecondsSinceEpoch.floorDivided(by: 1_000_000)
    }

    public static func < (lhs: Instant, rhs: Instant) -> Bool {
        lhs.microsecondsSinceEpoch < rhs.microsecondsSinceEpoch
    }

    public static func + (lhs: Instant, rhs: Microseconds) -> Instant {
        Instant(microsecondsSinceEpoch: saturating(lhs.microsecondsSinceEpoch.addingReportingOverflow(rhs.value), sign: rhs.value))
    }

    public static func - (lhs: Instant, rhs: Microseconds) -> Instant {
        let difference = lhs.microsecondsSinceEpoch.subtractingReportingOverflow(rhs.value)
        return Instant(microsecondsSinceEpoch: saturating(difference, sign: rhs.value == .min ? 1 : -rhs.value))
    }

    public static func - (lhs: Instant, rhs: Instant) -> Microseconds {
        let difference = lhs.microsecondsSinceEpoch.subtractingReportingOverflow(rhs.microsecondsSinceEpoch)
        return Microseconds(saturating(difference, sign: rhs.microsecondsSinceEpoch == .min ? 1 : -rhs.microsecondsSinceEpoch))
    }

    /// The result, or the end of the span it ran past: an operation overflows only in the
    /// direction of its operand's `sign`.
    private static func saturating(_ result: (partialValue: Int64, overflow: Bool), sign: Int64) -> Int64 {
        guard result.overflow else { return result.partialValue }
        return sign < 0 ? .min : .max
    }

    /// ISO 8601 in UTC with an explicit `+00:00`, as Python's `isoformat()` writes an aware UTC datetime.
    public var description: String {
        ISO8601.format(self, utcOffsetSeconds: 0)
    }
}

/// A signed span of time in microseconds; the unit every schedule computes in.
public struct Microseconds: Hashable, Comparable, Sendable {
    public var value: Int64

    public init(_ value: Int64) {
        self.value = value
    }

    public static func seconds(_ seconds: Int64) -> Microseconds {
        Microseconds(seconds * 1_000_000)
    }

    public static func < (lhs: Microseconds, rhs: Microseconds) -> Bool {
        lhs.value < rhs.value
    }

    public static func + (lhs: Microseconds, rhs: Microseconds) -> Microseconds {
        Microseconds(lhs.value + rhs.value)
    }

    public static func - (lhs: Microseconds, rhs: Microseconds) -> Microseconds {
        Microseconds(lhs.value - rhs.value)
    }

    /// The span in seconds, as a `Double` (for display and for Celery's float fields).
    public var seconds: Double {
        Double(value) / 1_000_000
    }
}

extension Int64 {
    /// Division rounding towards negative infinity: what calendar arithmetic needs for instants before 1970.
    @inlinable
    public func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    /// The remainder that goes with `floorDivided(by:)`; it has the sign of the divisor.
    @inlinable
    public func floorModulo(_ divisor: Int64) -> Int64 {
        let remainder = self % divisor
        return (remainder != 0 && (remainder < 0) != (divisor < 0)) ? remainder + divisor : remainder
    }
}
