import BeatRunner
import CivilTime
import Testing
@testable import BeatHTTP

/// The exposition's shape; Prometheus's own parser reads it in the integration tests.
@Suite struct MetricsExpositionTests {
    private func snapshot() -> BeatSnapshot {
        var snapshot = BeatSnapshot(startedAt: 0, maxIntervalMicroseconds: 5_000_000)
        snapshot.role = .leader
        snapshot.firings["celery"] = FiringCounts()
        snapshot.firings["celery"]?.sent = 7
        snapshot.firings[#"odd "queue"\n"#] = FiringCounts()
        snapshot.firings[#"odd "queue"\n"#]?.dropped = 2
        snapshot.lag.observe(seconds: 0.003, times: 3)
        snapshot.lag.observe(seconds: 0.2)
        snapshot.lag.observe(seconds: 90)
        snapshot.loadedEntries = 10
        snapshot.disabledEntries = 4
        snapshot.invalidEntries = 1
        snapshot.lastFiringAt = Instant(microsecondsSinceEpoch: 1_700_000_000_250_000)
        return snapshot
    }

    private func lines(_ snapshot: BeatSnapshot) -> Set<String> {
        Set(MetricsExposition.render(snapshot, version: "9.9").split(separator: "\n").map(String.init))
    }

    @Test func countersCarryQueueAndOutcomeLabelsEscaped() {
        let lines = lines(snapshot())
        #expect(lines.contains(#"swiftbeat_firings_total{queue="celery",outcome="sent"} 7"#))
        #expect(lines.contains(#"swiftbeat_firings_total{queue="odd \"queue\"\\n",outcome="dropped"} 2"#))
        #expect(lines.contains("swiftbeat_leader 1"))
        #expect(lines.contains(#"swiftbeat_build_info{version="9.9"} 1"#))
    }

    @Test func lagBucketsAreCumulativeUpToInf() {
        let lines = lines(snapshot())
        #expect(lines.contains(#"swiftbeat_firing_lag_seconds_bucket{le="0.005"} 3"#))
        #expect(lines.contains(#"swiftbeat_firing_lag_seconds_bucket{le="0.1"} 3"#))
        #expect(lines.contains(#"swiftbeat_firing_lag_seconds_bucket{le="0.25"} 4"#))
        #expect(lines.contains(#"swiftbeat_firing_lag_seconds_bucket{le="60"} 4"#))
        #expect(lines.contains(#"swiftbeat_firing_lag_seconds_bucket{le="+Inf"} 5"#))
        #expect(lines.contains("swiftbeat_firing_lag_seconds_count 5"))
    }

    @Test func entriesArePartitionedIntoValidDisabledAndInvalid() {
        let lines = lines(snapshot())
        #expect(lines.contains(#"swiftbeat_entries{state="valid"} 6"#))
        #expect(lines.contains(#"swiftbeat_entries{state="disabled"} 4"#))
        #expect(lines.contains(#"swiftbeat_entries{state="invalid"} 1"#))
        #expect(lines.contains("swiftbeat_last_firing_timestamp_seconds 1700000000.25"))
    }

    @Test func aNodeThatNeverFiredHasNoLastFiringTimestamp() {
        let lines = lines(BeatSnapshot(startedAt: 0, maxIntervalMicroseconds: 5_000_000))
        #expect(!lines.contains { $0.hasPrefix("swiftbeat_last_firing_timestamp_seconds") })
        #expect(lines.contains("swiftbeat_leader 0"))
    }
}
