public import CivilTime
public import SolarEvents

/// Celery's `solar(event, lat, lon)`: due at the next occurrence of a sun event at a place, after
/// the last run.
///
/// Written in an entry as `{"solar": "sunset", "lat": 52.37, "lon": 4.90}`. Where the event does not
/// happen for a while (polar day and night), the next occurrence is months ahead, and where it does
/// not happen within 366 days the entry is asked again then: Celery's behaviour (see `SolarObserver`).
public struct SolarSchedule: Hashable, Sendable {
    public let event: SolarEvent
    /// Degrees, as written: -90...90 north positive, -180...180 east positive.
    public let latitude: Double
    public let longitude: Double

    /// Checks what Celery checks, naming the field at fault as Celery's arguments are named.
    public init(event name: String, latitude: Double, longitude: Double) throws(ScheduleError) {
        guard let event = SolarEvent(rawValue: name) else {
            let events = SolarEvent.allCases.map(\.rawValue).joined(separator: ", ")
            throw .solar("solar", "\"\(name)\" is not a sun event (expected one of \(events))")
        }
        guard latitude.isFinite, (-90...90).contains(latitude) else {
            throw .solar("lat", "latitude \(latitude) is outside -90...90")
        }
        guard longitude.isFinite, (-180...180).contains(longitude) else {
            throw .solar("lon", "longitude \(longitude) is outside -180...180")
        }
        self.event = event
        self.latitude = latitude
        self.longitude = longitude
    }

    /// The first occurrence of the event strictly after `instant` (to the microsecond).
    public func nextEvent(after instant: Instant) -> Instant {
        let observer = SolarObserver(latitudeDegrees: latitude, longitudeDegrees: longitude)
        let seconds = observer.next(event, after: Double(instant.microsecondsSinceEpoch) / 1_000_000)
        let next = Instant(microsecondsSinceEpoch: Int64((seconds * 1_000_000).rounded()))
        // Rounding to microseconds must not land on the start itself.
        return max(next, instant + Microseconds(1))
    }
}
