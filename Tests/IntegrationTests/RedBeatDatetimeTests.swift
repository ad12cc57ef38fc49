import CivilTime
import JSON
import RedBeatStore
import Testing
import TestSupport

/// RedBeat's datetimes, written by celery-redbeat's own encoder, read by swiftbeat as RedBeat's
/// decoder reads them: the same instant for every zone form, DST gaps and overlaps included.
@Suite struct RedBeatDatetimeTests {
    @Test func swiftbeatReadsEachDatetimeAsRedBeatsDecoderDoes() throws {
        let venv = try #require(RunWorker.newestVenv)
        let output = try RunHarness.python(venv, script: "redbeat_datetimes.py", input: "")
        let cases = try output.split(separator: "\n").map { try #require(try JSONParser.parse(String($0)).objectValue) }
        #expect(cases.count == 11)
        let zones = ZoneCache()
        for item in cases {
            let text = try #require(item["json"]?.stringValue)
            let expected = try #require(item["timestamp"]?.numberValue?.doubleValue)
            let instant = try #require(RedBeatDatetime.decode(try JSONParser.parse(text), zones: zones), "\(text)")
            // Python's float timestamp carries the microseconds to within a rounding step.
            #expect(abs(Double(instant.microsecondsSinceEpoch) / 1_000_000 - expected) < 0.000_002, "\(text): expected \(expected)")
        }
    }

    /// What swiftbeat writes, RedBeat's decoder reads as the same instant, in UTC (an aware datetime).
    @Test func whatSwiftbeatWritesIsAnAwareUTCDatetime() throws {
        let instant = Instant(microsecondsSinceEpoch: 1_796_663_324_142_795)
        let written = JSONWriter.string(RedBeatDatetime.encode(instant))
        #expect(
            written
                == #"{"__type__": "datetime", "year": 2026, "month": 12, "day": 7, "hour": 17, "minute": 8, "second": 44, "microsecond": 142795, "timezone": "UTC"}"#
        )
        #expect(RedBeatDatetime.decode(try JSONParser.parse(written), zones: ZoneCache()) == instant)
    }

    /// Scores are whole seconds with the fraction dropped (`calendar.timegm`), -1 without a next event.
    @Test func scoresAreWholeSecondsRoundedDown() {
        #expect(RedBeatRunState.score(nextDue: Instant(microsecondsSinceEpoch: 1_796_663_326_999_999)) == 1_796_663_326)
        #expect(RedBeatRunState.score(nextDue: Instant(microsecondsSinceEpoch: 1_796_663_326_000_000)) == 1_796_663_326)
        #expect(RedBeatRunState.score(nextDue: Instant(microsecondsSinceEpoch: -1_500_000)) == -2)
        #expect(RedBeatRunState.score(nextDue: nil) == -1)
    }
}
