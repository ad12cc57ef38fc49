/// One parser (or a few that read the same kind of input) and what is done with what it accepts.
///
/// A target may check a property of what a parser returns (a round trip, a bound); a broken one
/// stops the process with `fatalError`, which libFuzzer records as a crash like any other.
struct FuzzTarget: Sendable {
    let name: String
    let run: @Sendable ([UInt8]) -> Void

    /// Also the names of the corpus folders, `Fuzz/corpus/<name>/`, and what `scripts/fuzz` runs.
    static let all: [FuzzTarget] = [
        FuzzTarget(name: "json", run: fuzzJSON),
        FuzzTarget(name: "entry", run: fuzzEntry),
        FuzzTarget(name: "redbeat-entry", run: fuzzRedBeatEntry),
        FuzzTarget(name: "yaml", run: fuzzYAML),
        FuzzTarget(name: "crontab", run: fuzzCrontab),
        FuzzTarget(name: "interval", run: fuzzInterval),
        FuzzTarget(name: "tzif", run: fuzzTZif),
        FuzzTarget(name: "posix-tz", run: fuzzPosixTZ),
        FuzzTarget(name: "iso8601", run: fuzzISO8601),
        FuzzTarget(name: "urls", run: fuzzURLs),
        FuzzTarget(name: "rrule", run: fuzzRecurrenceRule),
        FuzzTarget(name: "resp", run: fuzzRESP),
        FuzzTarget(name: "amqp-confirms", run: fuzzAMQPConfirms),
    ]
}

/// Fuzz inputs are bytes; the text parsers take Swift strings, as the files and flags they read become.
func text(_ bytes: [UInt8]) -> String {
    String(decoding: bytes, as: UTF8.self)
}
