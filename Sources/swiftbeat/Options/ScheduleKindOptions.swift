import ArgumentParser
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

    /// `{"solar": EVENT, "lat": ..., "lon": ...}` or `{"clocked": INSTANT}` as given (the schedule's
    /// own reading checks them), or nil when neither --solar nor --at is.
    func scheduleObject() throws -> JSONValue? {
        guard solar != nil || (lat == nil && lon == nil) else { throw CommandFailure.badInput("--lat and --lon go with --solar") }
        if let solar {
            guard let lat, let lon else { throw CommandFailure.badInput("--solar needs --lat and --lon") }
            return .object(["solar": .string(solar), "lat": .double(lat), "lon": .double(lon)])
        }
        return at.map { .object(["clocked": .string($0)]) }
    }
}
