import BeatCore
import CivilTime
import JSON
import Testing
import TestSupport

/// The solar schedule's next runs, with a hand-set clock: day after day at a mid-latitude, and
/// months ahead through a polar night, as Celery's `solar` answers.
@Suite struct SolarScheduleTests {
    private let amsterdamSunset = Schedule.solar(try! SolarSchedule(event: "sunset", latitude: 52.37, longitude: 4.90))

    @Test func sunsetInAmsterdamIsDueOnceADayAndNotBeforeTheSunSets() {
        let morning = utc(2026, 12, 7, 9, 0)
        let runs = amsterdamSunset.nextRuns(after: morning, count: 3)
        #expect(runs.count == 3)
        // The sun sets in Amsterdam at about 15:28 UTC in early December (NOAA's calculator: 16:28 CET).
        for (day, run) in runs.enumerated() {
            let expected = utc(2026, 12, 7 + day, 15, 28)
            #expect(abs((run - expected).value) < 120_000_000, "day \(day): \(run)")
        }
        // Due at the event: asked at sunset it is due; after firing then, the next is tomorrow's.
        #expect(amsterdamSunset.isDue(lastRunAt: morning, now: runs[0]))
        #expect(!amsterdamSunset.isDue(lastRunAt: morning, now: runs[0] - .seconds(1)))
        #expect(amsterdamSunset.nextDue(lastRunAt: runs[0], now: runs[0]) == runs[1])
    }

    @Test func aBeatThatWasDownFiresTheMissedSunsetOnceAtStartUp() {
        let lastRun = utc(2026, 12, 1, 15, 30)
        let now = utc(2026, 12, 7, 9, 0)
        #expect(amsterdamSunset.isDue(lastRunAt: lastRun, now: now))
        #expect(amsterdamSunset.nextDue(lastRunAt: now, now: now) == amsterdamSunset.nextRuns(after: now, count: 1)[0])
    }

    @Test func sunriseInThePolarNightIsTheFirstSunriseAfterIt() throws {
        // Longyearbyen (78.2° N): no sunrise from late October until mid-February.
        let sunrise = Schedule.solar(try SolarSchedule(event: "sunrise", latitude: 78.22, longitude: 15.65))
        let next = sunrise.nextRuns(after: utc(2026, 12, 1), count: 1)[0]
        #expect(next > utc(2027, 2, 10) && next < utc(2027, 2, 20), "\(next)")
        // Solar noon happens every day, polar night or not.
        let noon = Schedule.solar(try SolarSchedule(event: "solar_noon", latitude: 78.22, longitude: 15.65))
        #expect(noon.nextRuns(after: utc(2026, 12, 1), count: 1)[0] < utc(2026, 12, 1, 12))
    }

    @Test func writtenBackAsItWasRead() throws {
        let object: JSONValue = .object(["solar": .string("dusk_civil"), "lat": .double(-33.87), "lon": .double(151.21)])
        let schedule = try Schedule(json: object)
        #expect(try Schedule(json: schedule.json) == schedule)
        #expect(schedule.description == "at dusk civil at latitude -33.87, longitude 151.21")
        let clocked = try Schedule(json: .object(["clocked": .string("2026-12-24T18:00:00+01:00")]))
        #expect(clocked.json == .object(["clocked": .string("2026-12-24T18:00:00+01:00")]))
        #expect(clocked.description == "once, at 2026-12-24T18:00:00+01:00")
    }
}
