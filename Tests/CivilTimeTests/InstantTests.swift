import CivilTime
import Testing

@Suite struct InstantTests {
    /// Data can hold intervals and zone transitions close to the ends of what an Instant spans
    /// (found by `scripts/fuzz`); arithmetic past them must give an end, never trap.
    @Test("Instant arithmetic saturates at the ends of its span instead of trapping")
    func arithmeticSaturates() {
        let latest = Instant(microsecondsSinceEpoch: .max)
        let earliest = Instant(microsecondsSinceEpoch: .min)
        #expect(latest + Microseconds(1) == latest)
        #expect(earliest + Microseconds(-1) == earliest)
        #expect(earliest - Microseconds(1) == earliest)
        #expect(latest - Microseconds(.min) == latest)
        #expect(latest - earliest == Microseconds(.max))
        #expect(earliest - latest == Microseconds(.min))
        #expect(Instant(secondsSinceEpoch: 1 << 50) == latest)
        #expect(Instant(secondsSinceEpoch: -(1 << 59)) == earliest)
        // Within the span, nothing changes.
        #expect(Instant(secondsSinceEpoch: -2) + .seconds(5) == Instant(secondsSinceEpoch: 3))
        #expect(Instant(secondsSinceEpoch: 3) - Instant(secondsSinceEpoch: 5) == .seconds(-2))
    }
}
