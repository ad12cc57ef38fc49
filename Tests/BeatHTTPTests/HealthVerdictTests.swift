import BeatRunner
import Testing

/// `/healthz` and `/readyz` decide from a snapshot and the time: tested here without a stuck loop
/// (a stopped process cannot answer at all, which the integration tests cover).
@Suite struct HealthVerdictTests {
    private func loadedSnapshot(lastTurnAt: Int64 = 0) -> BeatSnapshot {
        var snapshot = BeatSnapshot(startedAt: 0, maxIntervalMicroseconds: 5_000_000)
        snapshot.lastTurnAt = lastTurnAt
        snapshot.loaded = true
        return snapshot
    }

    @Test func aLoopSilentForLongerThanTheLimitIsUnhealthy() {
        let snapshot = loadedSnapshot()
        #expect(snapshot.healthProblem(now: 30_000_000) == nil)
        let problem = snapshot.healthProblem(now: 31_000_000)
        #expect(problem?.contains("has not turned for 31 s") == true)
        #expect(snapshot.readinessProblem(now: 31_000_000) == problem)
    }

    @Test func theLimitGrowsWithALongMaxInterval() {
        var snapshot = loadedSnapshot()
        snapshot.maxIntervalMicroseconds = 20_000_000
        #expect(snapshot.healthProblem(now: 59_000_000) == nil)
        #expect(snapshot.healthProblem(now: 61_000_000) != nil)
    }

    @Test func aStandbyWhoseRedisAnswersIsReady() {
        #expect(loadedSnapshot().readinessProblem(now: 1_000_000) == nil)
    }

    @Test func redisFailingOrEntriesNotLoadedIsNotReady() {
        var snapshot = loadedSnapshot()
        snapshot.redisError = "cannot connect to redis 127.0.0.1:6379: Connection refused"
        #expect(snapshot.readinessProblem(now: 1_000_000)?.hasPrefix("the scheduler's redis does not answer") == true)
        #expect(snapshot.healthProblem(now: 1_000_000) == nil)
        snapshot.redisError = nil
        snapshot.loaded = false
        #expect(snapshot.readinessProblem(now: 1_000_000) == "the entries are not loaded yet")
        snapshot.loaded = true
        snapshot.role = .stopped
        #expect(snapshot.readinessProblem(now: 1_000_000) == "swiftbeat is stopping")
    }
}
