/// Where celery-redbeat 2.x keeps a schedule in Redis, from `redbeat_key_prefix` (`redbeat:` by default):
/// each entry is the hash `<prefix><name>` (fields `definition` and `meta`), the zset
/// `<prefix>:schedule` indexes them by next due time, `<prefix>:statics` names the entries that came
/// from `beat_schedule`, and `<prefix>:lock` is the lock unless `redbeat_lock_key` names another.
public struct RedBeatKeys: Sendable, Equatable {
    public let prefix: String

    /// RedBeat's default `redbeat_key_prefix`.
    public static let defaultPrefix = "redbeat:"

    public init(prefix: String = Self.defaultPrefix) {
        self.prefix = prefix
    }

    /// The zset of entry keys scored by next due time, whole UTC seconds (-1: no more events).
    public var schedule: String { prefix + ":schedule" }
    public var statics: String { prefix + ":statics" }
    /// RedBeat's default `redbeat_lock_key`.
    public var defaultLock: String { prefix + ":lock" }

    /// RedBeat's rule for a configured lock key: one not starting with the prefix gets it in front.
    public func lock(named name: String?) -> String {
        guard let name else { return defaultLock }
        return name.hasPrefix(prefix) ? name : prefix + name
    }

    /// Whether `key` can be an entry: under the prefix, and not one of RedBeat's own keys (whose
    /// names start with another colon after the prefix), so a change to the index is not read as an entry.
    public func isEntry(_ key: String) -> Bool {
        key.hasPrefix(prefix) && !key.hasPrefix(prefix + ":")
    }
}
