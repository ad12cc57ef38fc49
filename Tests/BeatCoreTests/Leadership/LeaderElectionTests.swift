import BeatCore
import Testing

/// The active-standby state machine, driven by hand with a fake monotonic clock (microseconds).
@Suite struct LeaderElectionTests {
    let second: Int64 = 1_000_000

    func election() -> LeaderElection {
        LeaderElection(ttlMicroseconds: 30 * second, retryIntervalMicroseconds: second)
    }

    @Test func standbyTriesAtOnceThenEverySecond() {
        var election = election()
        #expect(election.tick(at: 0) == [.acquire])
        election.acquired(false, sentAt: 0)
        #expect(election.role == .standby)
        #expect(election.tick(at: second - 1) == [])
        #expect(election.nextDeadline == second)
        #expect(election.tick(at: second) == [.acquire])
    }

    @Test func leaderRenewsAtAThirdOfTheTTLAndTrustsEightyPercent() {
        var election = election()
        _ = election.tick(at: 0)
        election.acquired(true, sentAt: 0)
        #expect(election.maySend(at: 0))
        #expect(election.tick(at: 9 * second) == [])
        #expect(election.tick(at: 10 * second) == [.renew])
        #expect(election.renewed(true, sentAt: 10 * second) == [])
        #expect(election.maySend(at: 33 * second))
        #expect(!election.maySend(at: 34 * second))
    }

    @Test func aLeaseThatRanOutStopsSendingBeforeTheTTL() {
        var election = election()
        election.acquired(true, sentAt: 0)
        // Redis stops answering: renewals get no reply.
        #expect(election.tick(at: 10 * second) == [.renew])
        #expect(election.renewed(nil, sentAt: 10 * second) == [])
        #expect(election.tick(at: 11 * second) == [.renew])
        #expect(election.renewed(nil, sentAt: 11 * second) == [])
        #expect(election.maySend(at: 24 * second - 1))
        let actions = election.tick(at: 24 * second)
        #expect(actions == [.stopSending(reason: "the lock could not be renewed in time"), .acquire])
        #expect(election.role == .standby)
        #expect(!election.maySend(at: 24 * second))
    }

    @Test func aPausedLeaderDistrustsItsLeaseOnResume() {
        var election = election()
        election.acquired(true, sentAt: 0)
        // SIGSTOP for 60 s: the first thing the loop does on resume is tick.
        #expect(!election.maySend(at: 60 * second))
        #expect(election.tick(at: 60 * second).first == .stopSending(reason: "the lock could not be renewed in time"))
    }

    @Test func aRenewalThatFindsAnotherOwnerStopsAtOnce() {
        var election = election()
        election.acquired(true, sentAt: 0)
        #expect(election.renewed(false, sentAt: 10 * second) == [.stopSending(reason: "the lock is held by another node or has expired")])
        #expect(election.role == .standby)
        #expect(election.tick(at: 11 * second) == [.acquire])
    }

    @Test func aCommitThatFindsNoTokenStopsAtOnce() {
        var election = election()
        election.acquired(true, sentAt: 0)
        #expect(election.lockLost(at: 5 * second) == [.stopSending(reason: "the lock token was not found when committing a firing")])
        #expect(!election.maySend(at: 5 * second))
    }

    @Test func shutdownReleasesOnlyAHeldLock() {
        var leader = election()
        leader.acquired(true, sentAt: 0)
        #expect(leader.shutdown() == [.release])
        #expect(leader.tick(at: 100 * second) == [])
        var standby = election()
        #expect(standby.shutdown() == [])
    }
}

extension LeaderElectionTests {
    @Test func aStandbyRetriesWhenTheHoldersLockExpiresIfThatIsSooner() {
        var election = election()
        election.acquired(false, sentAt: 0, holderExpiresIn: 250_000)
        #expect(election.nextDeadline == 251_000)
        election.acquired(false, sentAt: 0, holderExpiresIn: 20 * second)
        #expect(election.nextDeadline == second)
        election.acquired(false, sentAt: 0, holderExpiresIn: 0)
        #expect(election.nextDeadline == 1000)
    }
}
