public import BeatRunner
import CivilTime

/// A snapshot in Prometheus's text exposition format (version 0.0.4), written by hand: swift-metrics
/// with swift-prometheus measured 1.4-1.5 MB more resident memory, which would take a beat with
/// `--http` past its 12 MB (README, "Operating swiftbeat"), for a dozen values the loop already keeps.
/// Series are per queue, never per entry: 100,000 entries stay a handful of series.
public enum MetricsExposition {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public static func render(_ snapshot: BeatSnapshot, version: String) -> String {
        var out = ""
        family(&out, "swiftbeat_build_info", .gauge, "The running swiftbeat's version (always 1).")
        sample(&out, "swiftbeat_build_info", ["version": version], 1)

        family(&out, "swiftbeat_leader", .gauge, "1 on the node that may send (holds the lock), else 0.")
        sample(&out, "swiftbeat_leader", [:], snapshot.role == .leader ? 1 : 0)

        family(&out, "swiftbeat_firings_total", .counter, "Firings by destination queue and outcome (failed: an attempt the broker did not take).")
        for queue in snapshot.firings.keys.sorted() {
            let counts = snapshot.firings[queue] ?? FiringCounts()
            for (outcome, value) in [("sent", counts.sent), ("failed", counts.failed), ("dropped", counts.dropped)] {
                sample(&out, "swiftbeat_firings_total", ["queue": queue, "outcome": outcome], Double(value))
            }
        }

        family(&out, "swiftbeat_firing_lag_seconds", .histogram, "From the instant a firing was due to its hand-over to the broker.")
        var cumulative = 0
        for (index, bound) in LagHistogram.bounds.enumerated() {
            cumulative += snapshot.lag.counts[index]
            sample(&out, "swiftbeat_firing_lag_seconds_bucket", ["le": number(bound)], Double(cumulative))
        }
        sample(&out, "swiftbeat_firing_lag_seconds_bucket", ["le": "+Inf"], Double(snapshot.lag.count))
        sample(&out, "swiftbeat_firing_lag_seconds_sum", [:], snapshot.lag.sum)
        sample(&out, "swiftbeat_firing_lag_seconds_count", [:], Double(snapshot.lag.count))

        family(&out, "swiftbeat_entries", .gauge, "Entries by state: valid (enabled), disabled, invalid (skipped, see the status page).")
        sample(&out, "swiftbeat_entries", ["state": "valid"], Double(snapshot.loadedEntries - snapshot.disabledEntries))
        sample(&out, "swiftbeat_entries", ["state": "disabled"], Double(snapshot.disabledEntries))
        sample(&out, "swiftbeat_entries", ["state": "invalid"], Double(snapshot.invalidEntries))

        if let seconds = snapshot.lastReloadSeconds {
            family(&out, "swiftbeat_reload_duration_seconds", .gauge, "How long the last complete re-read of every entry took.")
            sample(&out, "swiftbeat_reload_duration_seconds", [:], seconds)
        }
        family(&out, "swiftbeat_redis_errors_total", .counter, "Failed calls to the scheduler's Redis.")
        sample(&out, "swiftbeat_redis_errors_total", [:], Double(snapshot.redisErrors))
        family(&out, "swiftbeat_broker_errors_total", .counter, "Failed connections to the broker and batches it did not take.")
        sample(&out, "swiftbeat_broker_errors_total", [:], Double(snapshot.brokerErrors))
        family(&out, "swiftbeat_lock_renewals_total", .counter, "Successful renewals of the leader lock by this node.")
        sample(&out, "swiftbeat_lock_renewals_total", [:], Double(snapshot.lockRenewals))
        if let last = snapshot.lastFiringAt {
            family(&out, "swiftbeat_last_firing_timestamp_seconds", .gauge, "When this node last handed a firing to the broker (Unix time).")
            sample(&out, "swiftbeat_last_firing_timestamp_seconds", [:], Double(last.microsecondsSinceEpoch) / 1_000_000)
        }
        return out
    }

    private enum Kind: String {
        case counter, gauge, histogram
    }

    private static func family(_ out: inout String, _ name: String, _ kind: Kind, _ help: String) {
        out += "# HELP \(name) \(help)\n# TYPE \(name) \(kind.rawValue)\n"
    }

    private static func sample(_ out: inout String, _ name: String, _ labels: KeyValuePairs<String, String>, _ value: Double) {
        out += name
        if !labels.isEmpty {
            out += "{" + labels.map { "\($0.key)=\"\(escaped($0.value))\"" }.joined(separator: ",") + "}"
        }
        out += " " + number(value) + "\n"
    }

    /// Integers without a fraction ("12", not "12.0"); other values as Swift prints them, which
    /// Prometheus's parser reads ("0.005", "1e-06").
    static func number(_ value: Double) -> String {
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        if value.isNaN { return "NaN" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// A label value's backslash, double quote and line feed escaped, as the format requires.
    static func escaped(_ value: String) -> String {
        BeatHTTP.escaped(value, ["\\": "\\\\", "\"": "\\\"", "\n": "\\n"])
    }
}
