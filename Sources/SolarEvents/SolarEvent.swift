/// The sun events Celery's `celery.schedules.solar` schedules on, with the horizon and the part of
/// the sun's disc each is judged by: Celery 5's `_horizons`, `_methods` and `_use_center_l`.
///
/// Sunrise and sunset are the sun's upper limb at 0°34′ below the horizon (the refraction at the
/// horizon, applied to the geometry because Celery sets ephem's pressure to 0); the twilights are
/// the centre of the disc at 6°, 12° and 18° below; solar noon is the meridian transit.
public enum SolarEvent: String, CaseIterable, Sendable {
    case dawnAstronomical = "dawn_astronomical"
    case dawnNautical = "dawn_nautical"
    case dawnCivil = "dawn_civil"
    case sunrise
    case solarNoon = "solar_noon"
    case sunset
    case duskCivil = "dusk_civil"
    case duskNautical = "dusk_nautical"
    case duskAstronomical = "dusk_astronomical"

    /// How the event is found: the sun crossing the horizon upwards or downwards, or the meridian.
    public enum Crossing: Sendable {
        case rising, transit, setting
    }

    public var crossing: Crossing {
        switch self {
        case .dawnAstronomical, .dawnNautical, .dawnCivil, .sunrise: .rising
        case .solarNoon: .transit
        case .sunset, .duskCivil, .duskNautical, .duskAstronomical: .setting
        }
    }

    /// The altitude, in degrees, at which the event happens.
    public var horizonDegrees: Double {
        switch self {
        case .dawnAstronomical, .duskAstronomical: -18
        case .dawnNautical, .duskNautical: -12
        case .dawnCivil, .duskCivil: -6
        case .sunrise, .sunset: -34.0 / 60
        case .solarNoon: 0
        }
    }

    /// True when the centre of the sun's disc is what crosses the horizon; false for the upper limb.
    public var usesCentre: Bool {
        switch self {
        case .dawnAstronomical, .dawnNautical, .dawnCivil, .duskCivil, .duskNautical, .duskAstronomical: true
        case .sunrise, .solarNoon, .sunset: false
        }
    }
}
