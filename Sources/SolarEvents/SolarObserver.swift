#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A place on the earth's surface at sea level, and the search for sun events seen from it, as
/// Celery's `solar` schedule searches with `ephem`.
///
/// Celery asks `ephem` for the next rising, setting or transit after the last run. `ephem` finds a
/// rising or setting by hour angle: the hour angle at which the sun stands at the event's altitude
/// follows from its declination (Meeus, *Astronomical Algorithms*, 15.1), and the search steps to
/// where the sun's hour angle meets it, for at most seven steps. When that hour angle does not
/// exist at the place the steps reach (the sun stays above, or below, that altitude all day),
/// `ephem` raises `CircumpolarError` and Celery searches again from the next lower meridian
/// passage (local midnight), for at most 366 days; after that it answers the instant the search
/// stopped at, so the schedule is asked again then. This type does the same steps, so polar days
/// and nights give the answers Celery gives.
public struct SolarObserver: Sendable {
    /// Radians, north and east positive.
    public let latitude: Double
    public let longitude: Double

    /// - Parameters: latitude -90...90 and longitude -180...180, in degrees (checked by the caller,
    ///   which knows the field's name).
    public init(latitudeDegrees: Double, longitudeDegrees: Double) {
        latitude = radians(latitudeDegrees)
        longitude = radians(longitudeDegrees)
    }

    /// Celery's "how many days ahead to search for an event that doesn't happen every day".
    static let maximumSearchDays = 366
    /// ephem's precision: a tenth of a second, in days.
    static let precision = 0.1 / 86_400

    /// The first occurrence of `event` strictly after `seconds` (Unix time, seconds), or, where it
    /// does not happen for 366 days, the instant the search stopped at.
    public func next(_ event: SolarEvent, after seconds: Double) -> Double {
        var start = seconds / 86_400 + SunPosition.unixEpochJulianDay
        switch event.crossing {
        case .transit:
            start = meridianPassage(after: start, lower: false)
        case .rising, .setting:
            for _ in 0..<Self.maximumSearchDays {
                if let found = crossing(of: event, after: start) { return (found - SunPosition.unixEpochJulianDay) * 86_400 }
                start = meridianPassage(after: start, lower: true)
            }
        }
        return (start - SunPosition.unixEpochJulianDay) * 86_400
    }

    /// The geometric altitude of the sun's centre seen from here, degrees, at `seconds` (Unix time):
    /// how fast it changes says how far an error in the sun's place moves an event.
    public func altitudeDegrees(at seconds: Double) -> Double {
        let (hourAngle, declination, _) = place(at: seconds / 86_400 + SunPosition.unixEpochJulianDay)
        return asin(sin(latitude) * sin(declination) + cos(latitude) * cos(declination) * cos(hourAngle)) * 180 / .pi
    }

    /// The sun's hour angle and declination seen from here (topocentric, Meeus 40.2 and 40.3: the
    /// sun's parallax of 8.794″ shifts them by up to a few arcseconds).
    func place(at julianDay: Double) -> (hourAngle: Double, declination: Double, sun: SunPosition) {
        let sun = SunPosition(julianDay: julianDay)
        let hourAngle = sun.hourAngle(longitude: longitude)
        // The earth's flattening (1 - f = 0.99664719) and an observer at sea level.
        let u = atan(0.99664719 * tan(latitude))
        let rhoSin = 0.99664719 * sin(u)
        let rhoCos = cos(u)
        let parallax = sin(radians(8.794 / 3600)) / sun.distance
        let denominator = cos(sun.declination) - rhoCos * parallax * cos(hourAngle)
        let shift = atan2(-rhoCos * parallax * sin(hourAngle), denominator)
        let declination = atan2((sin(sun.declination) - rhoSin * parallax) * cos(shift), denominator)
        return (plusMinusPi(hourAngle - shift), declination, sun)
    }

    /// The instant (Julian Day) of the next rising or setting after `start` by ephem's steps, or nil
    /// where the sun does not reach the event's altitude at the instant the steps end.
    private func crossing(of event: SolarEvent, after start: Double) -> Double? {
        let turn = 2 * Double.pi
        var date = start
        var reachable = true
        for step in 0..<7 {
            let (hourAngle, declination, sun) = place(at: date)
            var altitude = radians(event.horizonDegrees)
            if !event.usesCentre { altitude -= sun.angularRadius }
            // Meeus 15.1: the hour angle at which the sun stands at `altitude`.
            let cosine = (sin(altitude) - sin(latitude) * sin(declination)) / (cos(latitude) * cos(declination))
            let targetMagnitude: Double
            if cosine < -1 {
                // Above that altitude all day: ephem aims at the lower meridian, and fails there.
                targetMagnitude = .pi
                reachable = false
            } else if cosine > 1 {
                // Below it all day: ephem aims at the meridian.
                targetMagnitude = 0
                reachable = false
            } else {
                targetMagnitude = acos(cosine)
                reachable = true
            }
            let target = event.crossing == .rising ? -targetMagnitude : targetMagnitude
            var bump: Double
            if step == 0 {
                // Forwards, and by a whole day when already at the event.
                var difference = (target - hourAngle).truncatingRemainder(dividingBy: turn)
                if difference < 0 { difference += turn }
                bump = difference / turn
                if abs(bump) < Self.precision { bump += 1 }
            } else {
                bump = plusMinusPi(target - hourAngle) / turn
            }
            if abs(bump) < Self.precision { break }
            date += bump
        }
        return reachable ? date : nil
    }

    /// The next passage of the sun across the meridian (`lower`: the anti-meridian) after `start`,
    /// as ephem's `next_transit` and `next_antitransit` find it: a first step by the hour angle
    /// still to go (a whole turn when already there), then steps to the exact passage.
    private func meridianPassage(after start: Double, lower: Bool) -> Double {
        let turn = 2 * Double.pi
        let offset = lower ? Double.pi : 0
        var toGo = (offset - place(at: start).hourAngle).truncatingRemainder(dividingBy: turn)
        if toGo < 0 { toGo += turn }
        // ephem's "tiny": a 360th of an arcsecond counts as already there.
        if toGo < radians(1.0 / 3600) / 360 { toGo = turn }
        // The sun's hour angle turns once a (solar) day, so an angle still to go is that fraction of a day.
        var date = start + toGo / turn
        for _ in 0..<10 {
            let step = plusMinusPi(offset - place(at: date).hourAngle) / turn
            date += step
            if abs(step) < Self.precision { break }
        }
        return date
    }
}
