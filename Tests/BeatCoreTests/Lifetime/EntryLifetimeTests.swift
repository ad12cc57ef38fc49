import BeatCore
import CivilTime
import JSON
import Testing
import TestSupport

/// Clocked one-offs, `start_time`, `expires`, `max_run_count` and `one_off`, from the stored JSON
/// through the timetable, with the clock moved by hand.
@Suite struct EntryLifetimeTests {
    private let start = utc(2026, 12, 7, 10, 0)
    private func at(_ seconds: Int64) -> Instant { start + .seconds(seconds) }

    private func entry(_ json: String) throws -> Entry {
        try EntryDecoder.decode(key: "k", name: "k", json: Array(json.utf8))
    }

    /// A timetable holding the entry as the beat loads it, first seen at `now`.
    private func timetable(_ entry: Entry, now: Instant, startingDeadline: Microseconds? = nil) -> Timetable {
        var timetable = Timetable(startingDeadline: startingDeadline)
        timetable.upsert(
            key: entry.key, schedule: entry.schedule, window: entry.lifetime.window, enabled: entry.isLive,
            lastRunAt: entry.lastRunAt, digest: 1, now: now)
        return timetable
    }

    /// The timetable's first due instant for the entry (nil: it will not fire).
    private func firstDue(_ entry: Entry, now: Instant, startingDeadline: Microseconds? = nil) -> Instant? {
        var table = timetable(entry, now: now, startingDeadline: startingDeadline)
        return table.nextDue()
    }

    /// Fires whatever is due at each instant, as the runner reports firings, and returns when it fired.
    private func firings(of entry: Entry, seenAt seen: Instant, checks: [Instant]) -> [Instant] {
        var table = timetable(entry, now: seen)
        var entry = entry
        var fired: [Instant] = []
        for now in checks where table.popDue(now: now, limit: 10) == ["k"] {
            let again = entry.firesAgain(afterFiringAt: now)
            entry.totalRunCount += 1
            entry.lastRunAt = now
            table.fired(key: "k", at: now, digest: 2, firesAgain: again)
            fired.append(now)
        }
        return fired
    }

    @Test func aClockedEntryFiresOnceAtItsInstant() throws {
        let clocked = try entry(#"{"task": "t", "schedule": {"clocked": "2026-12-07T11:00:00+01:00"}}"#)
        #expect(clocked.schedule == .clocked(ClockedSchedule(instant: at(0), utcOffsetSeconds: 3600)))
        #expect(firstDue(clocked, now: at(-600)) == at(0))
        let checks = stride(from: Int64(-120), through: 7200, by: 30).map(at)
        #expect(firings(of: clocked, seenAt: at(-600), checks: checks) == [at(0)])
    }

    @Test func aClockedInstantPassedWhileNoBeatRanFiresOnceWhenABeatComesUp() throws {
        let clocked = try entry(#"{"task": "t", "schedule": {"clocked": "2026-12-07T10:00:00Z"}}"#)
        #expect(firings(of: clocked, seenAt: at(3600), checks: [at(3600), at(3630), at(90_000)]) == [at(3600)])
        // Unless the starting deadline says it is too old; within the deadline it still fires.
        #expect(firstDue(clocked, now: at(3600), startingDeadline: .seconds(600)) == nil)
        #expect(firstDue(clocked, now: at(300), startingDeadline: .seconds(600)) == at(0))
    }

    @Test func aClockedEntryThatRanIsFinishedUntilItsInstantMovesLater() throws {
        let ran = try entry(
            #"{"task": "t", "schedule": {"clocked": "2026-12-07T10:00:00Z"}, "total_run_count": 1, "last_run_at": "2026-12-07T10:00:01+00:00"}"#)
        #expect(!ran.isLive)
        #expect(ran.finishedReason == "ran at its clocked time")
        #expect(firstDue(ran, now: at(60)) == nil)
        let moved = try entry(
            #"{"task": "t", "schedule": {"clocked": "2026-12-08T10:00:00Z"}, "total_run_count": 1, "last_run_at": "2026-12-07T10:00:01+00:00"}"#)
        #expect(moved.isLive)
        #expect(firstDue(moved, now: at(60)) == at(86_400))
    }

    @Test func maxRunCountStopsAfterThatManyRuns() throws {
        let limited = try entry(#"{"task": "t", "schedule": {"every": 60, "period": "seconds"}, "max_run_count": 3}"#)
        let checks = stride(from: Int64(0), through: 1200, by: 60).map(at)
        #expect(firings(of: limited, seenAt: at(0), checks: checks) == [at(60), at(120), at(180)])
        let used = try entry(#"{"task": "t", "schedule": {"every": 60, "period": "seconds"}, "max_run_count": 3, "total_run_count": 3}"#)
        #expect(!used.isLive)
        #expect(used.finishedReason == "ran 3 of 3 times")
    }

    @Test func startTimeWaitsForTheFirstSlotAtOrAfterIt() throws {
        let interval = try entry(
            #"{"task": "t", "schedule": {"every": 60, "period": "seconds"}, "start_time": "2026-12-07T11:00:00+00:00"}"#)
        #expect(firings(of: interval, seenAt: at(0), checks: stride(from: Int64(0), through: 3720, by: 60).map(at)) == [at(3600), at(3660), at(3720)])
        // A crontab at 09:00 starting on a Monday at midnight first fires on that Monday at 09:00.
        let crontab = try entry(
            #"{"task": "t", "schedule": {"minute": 0, "hour": 9}, "start_time": "2026-12-14T00:00:00Z"}"#)
        #expect(firstDue(crontab, now: at(0)) == utc(2026, 12, 14, 9, 0))
        #expect(crontab.schedule.nextRuns(after: at(0), count: 2, window: crontab.lifetime.window) == [utc(2026, 12, 14, 9, 0), utc(2026, 12, 15, 9, 0)])
    }

    @Test func expiresStopsFiringAfterIt() throws {
        let expiring = try entry(
            #"{"task": "t", "schedule": {"every": 60, "period": "seconds"}, "expires": "2026-12-07T10:02:30Z", "options": {"expires": 30}}"#)
        #expect(expiring.lifetime.expires?.instant == at(150))
        #expect(expiring.options.expires != nil, "the message option stays the message's")
        #expect(firings(of: expiring, seenAt: at(0), checks: stride(from: Int64(0), through: 600, by: 60).map(at)) == [at(60), at(120)])
        #expect(expiring.finishedReason(at: at(151)) == "expired at 2026-12-07T10:02:30+00:00")
        #expect(expiring.finishedReason(at: at(150)) == nil)
    }

    @Test func aLegacyTopLevelExpiresIsStillTheMessageOption() throws {
        let legacy = try entry(#"{"task": "t", "interval": {"every": 60, "period": "seconds"}, "expires": 30}"#)
        #expect(legacy.lifetime.expires == nil)
        #expect(legacy.options.expires != nil)
    }

    @Test func aNumberAsTheCurrentFormatsTopLevelExpiresIsIgnoredAsBefore() throws {
        let stray = try entry(#"{"task": "t", "schedule": {"every": 60, "period": "seconds"}, "expires": 30}"#)
        #expect(stray.lifetime.isEmpty && stray.isLive)
    }

    @Test func oneOffFiringWritesEnabledFalseWithTheRunState() throws {
        let firedAt = utc(2026, 12, 7, 10, 1)
        for (before, enabledText) in [
            (#"{"task": "t", "enabled": true, "one_off": true, "schedule": {"every": 60, "period": "seconds"}}"#, #""enabled": false"#),
            (#"{"task": "t", "one_off": true, "schedule": {"every": 60, "period": "seconds"}}"#, #""enabled": false"#),
        ] {
            let oneOff = try entry(before)
            #expect(!oneOff.firesAgain(afterFiringAt: firedAt))
            let after = try RunStateWriter.write(
                totalRunCount: 1, lastRunAt: firedAt, into: Array(before.utf8), at: oneOff.runStatePlace, disabling: true)
            let text = String(decoding: after, as: UTF8.self)
            #expect(text.contains(enabledText), "\(text)")
            let written = try EntryDecoder.decode(key: "k", name: "k", json: after)
            #expect(!written.enabled && written.totalRunCount == 1 && written.lastRunAt == firedAt)
            #expect(written.finishedReason == "one-off, ran")
        }
    }

    @Test func badLifetimeMembersAreOneLineNamingTheField() {
        let cases: [(String, String)] = [
            (#""max_run_count": 0"#, "\"max_run_count\" must be a whole number of runs, at least 1, not 0"),
            (#""max_run_count": 1.5"#, "\"max_run_count\" must be a whole number of runs, at least 1, not 1.5"),
            (#""start_time": "2026-12-01T00:00:00""#, "start_time: \"2026-12-01T00:00:00\" has no UTC offset (write it as 2026-12-01T00:00:00Z or 2026-12-01T00:00:00+01:00)"),
            (#""expires": "tomorrow""#, "expires: \"tomorrow\" is not an ISO 8601 date and time: expected a four-digit year"),
            (#""one_off": "yes""#, "\"one_off\" must be true or false, not \"yes\""),
        ]
        for (member, reason) in cases {
            let json = #"{"task": "t", "schedule": {"every": 60, "period": "seconds"}, \#(member)}"#
            #expect(throws: EntryError(key: "k", reason: reason)) { try entry(json) }
        }
        let schedules: [(String, String)] = [
            (#"{"clocked": "2026-12-24T18:00:00"}"#, "clocked: \"2026-12-24T18:00:00\" has no UTC offset (write it as 2026-12-24T18:00:00Z or 2026-12-24T18:00:00+01:00)"),
            (#"{"solar": "sunset", "lat": 91, "lon": 4.9}"#, "solar lat: latitude 91.0 is outside -90...90"),
            (#"{"solar": "sunrize", "lat": 52.37, "lon": 4.9}"#, "solar solar: \"sunrize\" is not a sun event (expected one of dawn_astronomical, dawn_nautical, dawn_civil, sunrise, solar_noon, sunset, dusk_civil, dusk_nautical, dusk_astronomical)"),
            (#"{"solar": "sunset", "lat": 52.37}"#, "solar lon: expected a number of degrees, found nothing"),
        ]
        for (schedule, reason) in schedules {
            let json = #"{"task": "t", "schedule": \#(schedule)}"#
            #expect(throws: EntryError(key: "k", reason: "schedule: " + reason)) { try entry(json) }
        }
    }
}
