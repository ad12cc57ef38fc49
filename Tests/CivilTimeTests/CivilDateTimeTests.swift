import CivilTime
import Testing

@Suite struct CivilDateTimeTests {
    @Test func epochIsThursdayFirstOfJanuary1970() {
        let date = CivilDate(daysSinceEpoch: 0)
        #expect(date == CivilDate(year: 1970, month: 1, day: 1))
        #expect(date.weekday == 4)
    }

    @Test func daysRoundTripAcrossCenturiesAndLeapDays() {
        for days in stride(from: Int64(-800_000), through: 800_000, by: 997) {
            #expect(CivilDate(daysSinceEpoch: days).daysSinceEpoch == days)
        }
        #expect(CivilDate(year: 2000, month: 2, day: 29).daysSinceEpoch + 1 == CivilDate(year: 2000, month: 3, day: 1).daysSinceEpoch)
        #expect(CivilDate(year: 2100, month: 2, day: 28).daysSinceEpoch + 1 == CivilDate(year: 2100, month: 3, day: 1).daysSinceEpoch)
    }

    @Test func leapYearsFollowTheGregorianRule() {
        #expect(CivilDate.isLeap(2024))
        #expect(CivilDate.isLeap(2000))
        #expect(!CivilDate.isLeap(1900))
        #expect(!CivilDate.isLeap(2026))
        #expect(CivilDate.daysIn(month: 2, year: 2028) == 29)
        #expect(CivilDate.daysIn(month: 4, year: 2028) == 30)
    }

    @Test func wallTimeAtAnOffsetAndBack() {
        let instant = Instant(microsecondsSinceEpoch: 1_795_795_686_787_371)
        let wall = CivilDateTime(instant, utcOffsetSeconds: -5 * 3600)
        #expect(wall == CivilDateTime(year: 2026, month: 11, day: 27, hour: 11, minute: 8, second: 6, microsecond: 787_371))
        #expect(wall.instant(utcOffsetSeconds: -5 * 3600) == instant)
    }

    @Test func instantsBeforeTheEpochFloorCorrectly() {
        let wall = CivilDateTime(Instant(microsecondsSinceEpoch: -1))
        #expect(wall == CivilDateTime(year: 1969, month: 12, day: 31, hour: 23, minute: 59, second: 59, microsecond: 999_999))
    }
}
