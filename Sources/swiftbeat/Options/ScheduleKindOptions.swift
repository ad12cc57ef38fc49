import ArgumentParser
import CivilTime
import JSON

/// The flags for a solar or clocked schedule, as `add`, `edit` and `next` take them.
struct ScheduleKindOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Fire at a sun event at --lat/--lon (Celery's solar): dawn_astronomical, dawn_nautical, dawn_civil, sunrise, "
            + "solar_noon, sunset, dusk_civil, dusk_nautical, dusk_astronomical.", valueName: "event"))
    var solar: String?

    // Unconditional: a southern latitude or western longitude starts with a minus sign.
    @Option(parsing: .unconditional, help: ArgumentHelp("Latitude for --solar, degrees north (-90...90).", valueName: "degrees"))
    var lat: Double?

    // Unconditional: a southern latitude or western longitude starts with a minus sign.
    @Option(parsing: .unconditional, help: ArgumentHelp("Longitude for --solar, degrees east (-180...180).", valueName: "degrees"))
    var lon: Double?

    @Option(help: ArgumentHelp(
        "Fire once, at an ISO 8601 instant with its UTC offset, e.g. 2026-12-24T18:00:00+01:00 (a clocked schedule).",
        valueName: "instant"))
    var at: String?

    @Option(help: ArgumentHelp(
        "Fire by an RFC 5545 recurrence rule, e.g. \"RRULE:FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=17\", optionally after a "
            + "\"DTSTART:20260105T093000\" line (on the beat's clock; Z for UTC). Without DTSTART: now.",
        valueName: "text"))
    var rrule: String?

    /// `{"solar": EVENT, "lat": ..., "lon": ...}` or `{"clocked": INSTANT}` as given (the schedule's
    /// own reading checks them), `{"rrule": TEXT}`, or nil when none of --solar, --at, --rrule is.
    /// `rruleStart`: where a --rrule without DTSTART starts (`next` passes its --after); default now.
    func scheduleObject(rruleStart: Instant? = nil) throws -> JSONValue? {
        guard solar != nil || (lat == nil && lon == nil) else { throw CommandFailure.badInput("--lat and --lon go with --solar") }
        if let solar {
            guard let lat, let lon else { throw CommandFailure.badInput("--solar needs --lat and --lon") }
            return .object(["solar": .string(solar), "lat": .double(lat), "lon": .double(lon)])
        }
        if let rrule {
            // Without DTSTART the rule starts now (dateutil's default), written in UTC so the
            // stored entry keeps one start whichever beat reads it.
            guard !rrule.uppercased().contains("DTSTART") else { return .object(["rrule": .string(rrule)]) }
            let wall = CivilDateTime(rruleStart ?? SystemClock.now())
            func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
            let start = "\(wall.year)\(two(wall.month))\(two(wall.day))T\(two(wall.hour))\(two(wall.minute))\(two(wall.second))Z"
            return .object(["rrule": .string("DTSTART:\(start)\n\(rrule)")])
        }
        return at.map { .object(["clocked": .string($0)]) }
    }
}
