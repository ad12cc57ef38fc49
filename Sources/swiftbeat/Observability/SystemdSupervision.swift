import BeatRunner
import CivilTime
import SystemdNotify

/// What systemd hears from a beat run as `Type=notify` (deploy/systemd/swiftbeat.service):
/// `READY=1` once every entry is loaded, `STATUS=` with the role whenever it changes, `WATCHDOG=1`
/// every half `WATCHDOG_USEC`, and `STOPPING=1` when a signal stops the loop.
///
/// It runs on the loop's own thread, after each turn (`Beat.turned`): a watchdog ping is then proof
/// that the loop turns, and a stuck loop stops pinging, so systemd restarts it. The loop sleeps at
/// most `--max-interval` between turns, so `WatchdogSec` must be well above twice that.
final class SystemdSupervision {
    private let notifier: SystemdNotifier
    private let watchdogInterval: Int64?
    private var isReady = false
    private var isStopping = false
    private var status = ""
    private var nextWatchdogAt: Int64 = .min

    init(notifier: SystemdNotifier, watchdogInterval: Int64?) {
        self.notifier = notifier
        self.watchdogInterval = watchdogInterval
    }

    func turned(_ snapshot: BeatSnapshot) {
        if snapshot.role == .stopped {
            if !isStopping { notifier.send("STOPPING=1\nSTATUS=stopping: releasing the lock") }
            isStopping = true
            return
        }
        var states: [String] = []
        if snapshot.loaded, !isReady {
            isReady = true
            states.append("READY=1")
        }
        let now = SystemClock.monotonicMicroseconds()
        if let watchdogInterval, now >= nextWatchdogAt, snapshot.healthProblem(now: now) == nil {
            nextWatchdogAt = now + watchdogInterval
            states.append("WATCHDOG=1")
        }
        let current = Self.status(of: snapshot)
        if current != status {
            status = current
            states.append("STATUS=" + current)
        }
        if !states.isEmpty { notifier.send(states.joined(separator: "\n")) }
    }

    /// "leader: sending, 120 entries (2 invalid)", "standby: redis unreachable".
    static func status(of snapshot: BeatSnapshot) -> String {
        let role = snapshot.role == .leader ? "leader: sending" : "standby"
        if snapshot.redisError != nil { return role + ", redis unreachable" }
        guard snapshot.loaded else { return role + ", loading entries" }
        return role + ", \(snapshot.loadedEntries) entries (\(snapshot.invalidEntries) invalid)"
    }
}
