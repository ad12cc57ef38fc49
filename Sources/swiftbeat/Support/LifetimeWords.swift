import BeatCore
import CivilTime

/// An entry's lifetime in words, for `swiftbeat show`: "from 2026-12-01T01:00:00+01:00, until
/// ..., at most 10 runs, one-off".
enum LifetimeWords {
    static func describe(_ lifetime: EntryLifetime, zone: TimeZoneRules) -> String {
        var parts: [String] = []
        if let start = lifetime.startTime { parts.append("from \(zone.iso8601(start.instant))") }
        if let end = lifetime.expires { parts.append("until \(zone.iso8601(end.instant))") }
        if let maximum = lifetime.maxRunCount { parts.append(maximum == 1 ? "at most 1 run" : "at most \(maximum) runs") }
        if lifetime.oneOff { parts.append("one-off (disabled by its first firing)") }
        return parts.joined(separator: ", ")
    }
}
