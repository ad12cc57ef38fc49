import CivilTime
import Testing

@Suite struct ISO8601Tests {
    @Test func formatsLikePythonIsoformat() {
        let instant = Instant(microsecondsSinceEpoch: 1_795_795_686_787_371)
        #expect(ISO8601.format(instant, utcOffsetSeconds: 0) == "2026-11-27T16:08:06.787371+00:00")
        #expect(ISO8601.format(Instant(secondsSinceEpoch: 0), utcOffsetSeconds: 19_800) == "1970-01-01T05:30:00+05:30")
        #expect(ISO8601.format(Instant(secondsSinceEpoch: 0), utcOffsetSeconds: -37) == "1969-12-31T23:59:23-00:00:37")
    }

    @Test(arguments: [
        ("2026-11-27T16:08:06.787371+00:00", 1_795_795_686_787_371),
        ("2026-11-27T16:08:06.787371Z", 1_795_795_686_787_371),
        ("2026-11-27 11:08:06.787371-05:00", 1_795_795_686_787_371),
        ("2026-11-27T16:08:06.7873719+0000", 1_795_795_686_787_371),
        ("2026-11-27T16:08:06.787371", 1_795_795_686_787_371),
        ("2026-11-27T21:38:06.787371+05:30", 1_795_795_686_787_371),
        ("2026-11-27T16:08", 1_795_795_680_000_000),
        ("2026-11-27", 1_795_737_600_000_000),
    ] as [(String, Int64)])
    func parsesWhatDateutilAccepts(text: String, micros: Int64) throws {
        #expect(try ISO8601.parse(text).instantAssumingUTC == Instant(microsecondsSinceEpoch: micros))
    }

    @Test func naiveTimestampsHaveNoOffset() throws {
        #expect(try ISO8601.parse("2026-01-01T00:00:00").utcOffsetSeconds == nil)
        #expect(try ISO8601.parse("2026-01-01T00:00:00+01:00").utcOffsetSeconds == 3600)
    }

    @Test(arguments: ["", "2026", "2026-13-01T00:00:00", "2026-02-30", "2026-01-01T24:00", "2026-01-01T10:00:00+", "2026-01-01T10:00:00 junk", "tomorrow"])
    func rejectsWhatIsNotATimestamp(text: String) {
        #expect(throws: ISO8601.ParseError.self) { try ISO8601.parse(text) }
    }

    @Test func errorNamesTheTextAndTheProblem() {
        let error = #expect(throws: ISO8601.ParseError.self) { try ISO8601.parse("2026-02-30") }
        #expect(error?.description == "invalid ISO 8601 timestamp \"2026-02-30\": date or time out of range")
    }
}
