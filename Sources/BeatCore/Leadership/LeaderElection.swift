/// Who may send: the active-standby state machine, pure and driven by a monotonic clock.
///
/// Every node runs one. A standby tries to take the Redis lock every `retryInterval`; the leader
/// renews it every `ttl / 3` and trusts it only until `trustFraction` of the TTL has passed since
/// the last renewal it *sent* (the server's TTL starts later, when the command arrives, so this
/// errs on the safe side). A renewal that finds another owner, or a lease that ran out because
/// Redis did not answer, puts the node back in standby at once; it never exits over a lost lock.
///
/// Events come in as method calls with the time they happened; the runner performs the returned
/// actions against Redis and reports the outcome back. Nothing here reads a clock or does I/O.
public struct LeaderElection: Sendable {
    public enum Role: Sendable, Equatable {
        case standby
        case leader
        case stopped
    }

    /// What the runner should do now.
    public enum Action: Sendable, Equatable {
        /// `SET key token NX PX ttl`.
        case acquire
        /// Compare-and-`PEXPIRE`.
        case renew
        /// Compare-and-`DEL`, on shutdown.
        case release
        /// The lease can no longer be trusted: stop sending now (and say so in the log).
        case stopSending(reason: String)
    }

    public let ttlMicroseconds: Int64
    public let retryIntervalMicroseconds: Int64
    /// Renew after this long, so two renewals can fail before the lease is distrusted.
    public var renewIntervalMicroseconds: Int64 { ttlMicroseconds / 3 }
    /// The part of the TTL the leader relies on; the rest absorbs clock rate differences and the
    /// time a commit takes. (The commit itself re-checks the token in Redis.)
    public static let trustFraction = 0.8

    public private(set) var role: Role = .standby
    private var nextAttemptAt: Int64 = .min
    private var renewAt: Int64 = .max
    /// The leader may send before this instant of the monotonic clock.
    public private(set) var trustedUntil: Int64 = .min

    public init(ttlMicroseconds: Int64, retryIntervalMicroseconds: Int64) {
        precondition(ttlMicroseconds > 0 && retryIntervalMicroseconds > 0)
        self.ttlMicroseconds = ttlMicroseconds
        self.retryIntervalMicroseconds = retryIntervalMicroseconds
    }

    /// Whether this node may send at `now`.
    public func maySend(at now: Int64) -> Bool {
        role == .leader && now < trustedUntil
    }

    /// The next monotonic instant at which `tick` has something to do.
    public var nextDeadline: Int64 {
        switch role {
        case .standby: nextAttemptAt
        case .leader: min(renewAt, trustedUntil)
        case .stopped: .max
        }
    }

    /// The time has come to act: acquire, renew, or give up a lease that ran out.
    public mutating func tick(at now: Int64) -> [Action] {
        switch role {
        case .stopped:
            return []
        case .standby:
            return now >= nextAttemptAt ? [.acquire] : []
        case .leader:
            if now >= trustedUntil {
                becomeStandby(retryAt: now)
                return [.stopSending(reason: "the lock could not be renewed in time"), .acquire]
            }
            return now >= renewAt ? [.renew] : []
        }
    }

    /// The outcome of `acquire`, sent at `sentAt`. When another node holds the lock and Redis said
    /// when it expires, the next attempt comes right after that instead of up to a retry period
    /// later, so a crashed leader is replaced within its TTL (plus a millisecond).
    public mutating func acquired(_ success: Bool, sentAt: Int64, holderExpiresIn: Int64? = nil) {
        guard role != .stopped else { return }
        if success {
            role = .leader
            extendLease(sentAt: sentAt)
        } else {
            let wait = holderExpiresIn.map { min(max($0 + 1000, 1000), retryIntervalMicroseconds) } ?? retryIntervalMicroseconds
            becomeStandby(retryAt: sentAt + wait)
        }
    }

    /// The outcome of `renew`, sent at `sentAt`: `true` renewed, `false` the lock has another owner
    /// or expired, `nil` Redis did not answer (try again soon, trust the lease only as long as it lasts).
    public mutating func renewed(_ success: Bool?, sentAt: Int64) -> [Action] {
        guard role == .leader else { return [] }
        switch success {
        case true?:
            extendLease(sentAt: sentAt)
            return []
        case false?:
            becomeStandby(retryAt: sentAt + retryIntervalMicroseconds)
            return [.stopSending(reason: "the lock is held by another node or has expired")]
        case nil:
            renewAt = sentAt + min(retryIntervalMicroseconds, renewIntervalMicroseconds)
            return []
        }
    }

    /// A commit in Redis found the lock token missing: the lease is gone, whatever the clock says.
    public mutating func lockLost(at now: Int64) -> [Action] {
        guard role == .leader else { return [] }
        becomeStandby(retryAt: now + retryIntervalMicroseconds)
        return [.stopSending(reason: "the lock token was not found when committing a firing")]
    }

    /// Shutdown: release the lock if held; nothing more happens afterwards.
    public mutating func shutdown() -> [Action] {
        let wasLeader = role == .leader
        role = .stopped
        trustedUntil = .min
        return wasLeader ? [.release] : []
    }

    private mutating func extendLease(sentAt: Int64) {
        trustedUntil = sentAt + Int64(Double(ttlMicroseconds) * Self.trustFraction)
        renewAt = sentAt + renewIntervalMicroseconds
    }

    private mutating func becomeStandby(retryAt: Int64) {
        role = .standby
        trustedUntil = .min
        renewAt = .max
        nextAttemptAt = retryAt
    }
}
