import BeatRunner
import CeleryConfig
import RedBeatStore

/// `run --store redbeat`'s lock, from RedBeat's settings, so that a Python RedBeat beat sharing the
/// config takes the same one.
enum RedBeatLockSettings {
    /// Each from the flag, else RedBeat's setting, else RedBeat's default: `redbeat_lock_key`
    /// (`<prefix>:lock`; a name without the prefix gets it in front, as in RedBeat) and
    /// `redbeat_lock_timeout` (5 × the loop's maximum interval).
    static func resolve(
        keyPrefix: String, lockKey: String?, lockTTL: Double?, maxInterval: Double, _ settings: Settings
    ) throws -> (key: String, ttl: Duration) {
        let lock = try lockKey ?? readSetting { () throws(ConfigError) in try settings.string(.redbeatLockKey) }
        let configured = try readSetting { () throws(ConfigError) in try settings.number(.redbeatLockTimeout) }
        let seconds = lockTTL ?? (configured == 0 ? nil : configured) ?? maxInterval * 5
        guard seconds.isFinite, seconds >= 1 else {
            throw CommandFailure.badInput("the lock timeout must be at least 1 second, not \(seconds)")
        }
        return (RedBeatKeys(prefix: keyPrefix).lock(named: lock), .milliseconds(Int64(seconds * 1000)))
    }
}
