/// A point in time: microseconds since 1970-01-01T00:00:00Z, ignoring leap seconds as POSIX does.
///
/// Microseconds, because that is the resolution Celery and Python's `datetime` carry
/// (`last_run_at`, `eta` and `expires` all round-trip through it), and an `Int64` of them
/// spans ±292,000 years, so schedule arithmetic never overflows for any real input.
public struct Instant: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var microsecondsSinceEpoch: Int64

    public init(microsecondsSinceEpoch: Int64) {
        self.microsecondsSinceEpoch = microsecondsSinceEpoch
    }

    public init(secondsSinceEpoch seconds: Int64) {
        self.microsecondsSinceEpoch = seconds * 1_000_000
    }

    /// Whole seconds since the epoch, rounded towards negative infinity.
    public var secondsSinceEpoch: Int64 {
        microsecondsSinceEpoch.floorDivided(by: 1_000_000)
    }

    public static func < (lhs: Instant, rhs: Instant) -> Bool {
        lhs.microsecondsSinceEpoch < rhs.microsecondsSinceEpoch
    }

    public static func + (lhs: Instant, rhs: Microseconds) -> Instant {
        Instant(microsecondsSinceEpoch: lhs.microsecondsSinceEpoch + rhs.value)
    }

    public static func - (lhs: Instant, rhs: Microseconds) -> Instant {
        Instant(microsecondsSinceEpoch: lhs.microsecondsSinceEpoch - rhs.value)
    }

    public static func - (lhs: Instant, rhs: Instant) -> Microseconds {
        Microseconds(lhs.microsecondsSinceEpoch - rhs.microsecondsSinceEpoch)
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
