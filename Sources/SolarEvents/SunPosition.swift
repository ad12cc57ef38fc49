#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The sun's apparent geocentric place at an instant, from the low-accuracy solar theory of Jean
/// Meeus, *Astronomical Algorithms* (2nd ed., 1998), chapter 25 ("Solar Coordinates"), with the
/// obliquity of chapter 22 and the sidereal time of chapter 12.
///
/// Chapter 25's series is good to about 0.01° in longitude, which moves a sunrise by seconds at
/// mid-latitudes: well inside the one minute swiftbeat promises against Celery's `ephem`. The
/// difference between dynamical and universal time (ΔT, about 69 s in the 2020s) is left out: it
/// moves the sun by 0.0008°, a fifth of a second of a sunrise.
struct SunPosition {
    /// Apparent right ascension and declination, radians.
    let rightAscension: Double
    let declination: Double
    /// Distance from the earth, astronomical units.
    let distance: Double
    /// Greenwich apparent sidereal time, radians.
    let siderealTime: Double

    /// Julian Day of the Unix epoch.
    static let unixEpochJulianDay = 2_440_587.5

    /// - Parameter julianDay: the instant as a Julian Day (UT).
    init(julianDay: Double) {
        let t = (julianDay - 2_451_545.0) / 36_525
        // Geometric mean longitude and mean anomaly (25.2, 25.3), eccentricity (25.4), centre (p. 164).
        let meanLongitude = 280.46646 + t * (36_000.76983 + t * 0.0003032)
        let meanAnomaly = radians(357.52911 + t * (35_999.05029 - t * 0.0001537))
        let eccentricity = 0.016708634 - t * (0.000042037 + t * 0.0000001267)
        let centre =
            (1.914602 - t * (0.004817 + t * 0.000014)) * sin(meanAnomaly)
            + (0.019993 - t * 0.000101) * sin(2 * meanAnomaly) + 0.000289 * sin(3 * meanAnomaly)
        let trueLongitude = meanLongitude + centre
        let trueAnomaly = meanAnomaly + radians(centre)
        distance = 1.000001018 * (1 - eccentricity * eccentricity) / (1 + eccentricity * cos(trueAnomaly))
        // Apparent longitude: nutation and aberration (p. 164); the moon's node Ω.
        let node = radians(125.04 - 1934.136 * t)
        let longitude = radians(trueLongitude - 0.00569 - 0.00478 * sin(node))
        // Mean obliquity (22.2), corrected for the apparent position (25.8).
        let seconds = 21.448 - t * (46.8150 + t * (0.00059 - t * 0.001813))
        let meanObliquity = 23 + 26.0 / 60 + seconds / 3600
        let obliquity = radians(meanObliquity + 0.00256 * cos(node))
        rightAscension = atan2(cos(obliquity) * sin(longitude), cos(longitude))
        declination = asin(sin(obliquity) * sin(longitude))

        // Mean sidereal time at Greenwich (12.4), plus the equation of the equinoxes (nutation in
        // longitude, chapter 22's short series, times the cosine of the true obliquity).
        let days = julianDay - 2_451_545.0
        let meanSidereal = 280.46061837 + 360.98564736629 * days + t * t * (0.000387933 - t / 38_710_000)
        let sunMeanLongitude = radians(280.4665 + 36_000.7698 * t)
        let moonMeanLongitude = radians(218.3165 + 481_267.8813 * t)
        let nutationArcseconds =
            -17.20 * sin(node) - 1.32 * sin(2 * sunMeanLongitude) - 0.23 * sin(2 * moonMeanLongitude)
            + 0.21 * sin(2 * node)
        siderealTime = radians(meanSidereal + nutationArcseconds / 3600 * cos(obliquity))
    }

    /// The sun's apparent angular radius, radians: its mean semi-diameter, 959.63″ at 1 AU
    /// (Meeus, chapter 55).
    var angularRadius: Double { radians(959.63 / 3600) / distance }

    /// The local hour angle at a longitude (radians, east positive), in -π..<π.
    func hourAngle(longitude: Double) -> Double {
        plusMinusPi(siderealTime + longitude - rightAscension)
    }
}

func radians(_ degrees: Double) -> Double { degrees * .pi / 180 }

/// An angle brought into -π..<π.
func plusMinusPi(_ angle: Double) -> Double {
    let turn = 2 * Double.pi
    let wrapped = (angle + .pi).truncatingRemainder(dividingBy: turn)
    return (wrapped < 0 ? wrapped + turn : wrapped) - .pi
}
