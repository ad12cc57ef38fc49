import ArgumentParser
import BeatRunner
import CeleryConfig
import RedBeatStore

/// `run --store`: whose data the beat works on, and for RedBeat, its own settings for where the
/// keys and the lock are, so that a Python RedBeat beat sharing the config finds the same ones.
struct StoreKindOptions: ParsableArguments {
    @Option(
        name: .customLong("store"),
        help: ArgumentHelp(
            "Whose entries to send: celerybeat-redis (JSON strings under tasks:meta:) or redbeat (celery-redbeat's hashes under redbeat:).",
            discussion: "Env: SWIFTBEAT_STORE (config: store). Default: celerybeat-redis.", valueName: "kind"))
    var store: String?

    func kind(_ settings: Settings) throws -> StoreKind {
        let name = try store ?? readSetting { () throws(ConfigError) in try settings.string(.store) } ?? StoreKind.celerybeatRedis.rawValue
        guard let kind = StoreKind(rawValue: name) else {
            let source = store != nil ? "--store" : settings.value(.store)?.origin ?? "the store"
            throw CommandFailure.badInput("\(source) must be celerybeat-redis or redbeat, not \(name)")
        }
        return kind
    }

    /// RedBeat's key prefix and lock, each from the flag, else RedBeat's setting, else RedBeat's
    /// default: `redbeat_key_prefix` (`redbeat:`), `redbeat_lock_key` (`<prefix>:lock`; a name
    /// without the prefix gets it in front, as in RedBeat) and `redbeat_lock_timeout` (5 × the
    /// loop's maximum interval).
    static func redBeat(
        keyPrefix: String?, lockKey: String?, lockTTL: Double?, maxInterval: Double, _ settings: Settings
    ) throws -> (keyPrefix: String, lockKey: String, lockTTL: Duration) {
        let prefix = try keyPrefix ?? readSetting { () throws(ConfigError) in try settings.string(.redbeatKeyPrefix) } ?? "redbeat:"
        let keys = RedBeatKeys(prefix: prefix)
        let lock = try lockKey ?? readSetting { () throws(ConfigError) in try settings.string(.redbeatLockKey) }
        let configured = try readSetting { () throws(ConfigError) in try settings.number(.redbeatLockTimeout) }
        let seconds = lockTTL ?? (configured == 0 ? nil : configured) ?? maxInterval * 5
        guard seconds.isFinite, seconds >= 1 else {
            throw CommandFailure.badInput("the lock timeout must be at least 1 second, not \(seconds)")
        }
        return (prefix, keys.lock(named: lock), .milliseconds(Int64(seconds * 1000)))
    }
}
