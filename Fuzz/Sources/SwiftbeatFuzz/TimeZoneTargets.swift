import CivilTime

/// `tzif`: a compiled zone file, as `TimeZoneRules.load` reads it from the tz database.
@Sendable func fuzzTZif(_ bytes: [UInt8]) {
    guard let rules = try? TimeZoneRules(tzif: bytes, identifier: "Fuzz/Zone") else { return }
    query(rules)
}

/// `posix-tz`: a POSIX TZ rule, the footer of a zone file and what `TZ` may hold.
@Sendable func fuzzPosixTZ(_ bytes: [UInt8]) {
    guard let rules = try? TimeZoneRules(posixRule: text(bytes)) else { return }
    query(rules)
}

/// What schedules ask of a zone, at instants from before 1901 to after 2100, where the rules
/// are read from transitions, then from the POSIX footer.
private func query(_ rules: TimeZoneRules) {
    let years: [Int64] = [-2_300_000_000, 0, 1_774_000_000, 4_200_000_000]
    for seconds in years {
        let instant = Instant(secondsSinceEpoch: seconds)
        let wall = rules.wallTime(at: instant)
        _ = rules.occurrences(of: wall)
        _ = rules.iso8601(instant)
        let segment = rules.segment(containing: instant)
        _ = rules.segment(after: segment)
        _ = rules.transition(after: instant)
    }
    _ = rules.transitions(in: Instant(secondsSinceEpoch: 1_700_000_000)..<Instant(secondsSinceEpoch: 1_800_000_000))
}
