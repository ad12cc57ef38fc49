import BeatCore
import CivilTime
import Logging
import RedisClient

extension Beat {
    /// Runs the election's actions against Redis and feeds their outcomes back.
    func leadership(now: Int64) {
        guard let redis else { return }
        var actions = election.tick(at: now)
        while !actions.isEmpty {
            let action = actions.removeFirst()
            let sentAt = SystemClock.monotonicMicroseconds()
            switch action {
            case .acquire:
                do {
                    let acquisition = try lock.acquire(on: redis)
                    redisSucceeded()
                    let acquired = acquisition == .acquired
                    if case .heldByAnother(let remaining?) = acquisition {
                        election.acquired(false, sentAt: sentAt, holderExpiresIn: remaining * 1000)
                    } else {
                        election.acquired(acquired, sentAt: sentAt)
                    }
                    if acquired {
                        logger.notice("this node is now the leader and sends the tasks", metadata: ["lock.key": "\(lock.key)"])
                        // Take over from the state in Redis, not from this standby's last reload. (Each
                        // firing also re-reads its entry first, so nothing fires on stale state meanwhile.)
                        startReload()
                    }
                } catch {
                    election.acquired(false, sentAt: sentAt)
                    redisFailed(error.description)
                }
            case .renew:
                let renewed: Bool?
                do {
                    renewed = try lock.renew(on: redis)
                    redisSucceeded()
                    if renewed == true { observed.lockRenewals += 1 }
                } catch {
                    renewed = nil
                    redisFailed(error.description)
                }
                actions += election.renewed(renewed, sentAt: sentAt)
            case .stopSending(let reason):
                stoppedSending(reason)
            case .release:
                break
            }
        }
    }

    /// A commit found that the lock is no longer ours.
    func lostLockDuringCommit() {
        for case .stopSending(let reason) in election.lockLost(at: SystemClock.monotonicMicroseconds()) {
            stoppedSending(reason)
        }
    }

    /// Committed firings still waiting for the broker are dropped at once: were they kept, the
    /// `acquire` that follows could take the lock again (after another node led meanwhile) and
    /// send them then, a whole reign late.
    private func stoppedSending(_ reason: String) {
        logger.error("stopped sending and became a standby: \(reason)", metadata: ["lock.key": "\(lock.key)"])
        if !pending.isEmpty { dropPending(reason: "this node is no longer the leader") }
    }
}
