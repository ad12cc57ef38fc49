public import CivilTime
public import JSON

/// One periodic task as stored in Redis under `<prefix><name>`, in celerybeat-redis's format.
public struct Entry: Sendable {
    /// Which of celerybeat-redis's two formats the entry is stored in; write-back keeps it.
    public enum Format: Sendable, Equatable {
        /// 0.1.5 and later: `schedule`, `options`.
        case current
        /// 0.1.3: top-level `interval` or `crontab`, and top-level `queue`, `exchange`, `routing_key`, `expires`.
        case legacy
    }

    /// The Redis key; the entry's identity (celerybeat-redis identifies entries by key, not by `name`).
    public var key: String
    /// The key without the prefix: what `swiftbeat list` shows and `periodic_task_name` carries.
    public var name: String
    public var task: String
    public var enabled: Bool
    public var schedule: Schedule
    public var args: [JSONValue]
    public var kwargs: JSONObject
    public var options: EntryOptions
    /// `start_time`, `expires`, `max_run_count`, `one_off`; empty for most entries.
    public var lifetime: EntryLifetime
    public var totalRunCount: Int64
    /// Nil when the entry never ran: the scheduler then counts it as run when first seen (Celery's rule).
    public var lastRunAt: Instant?
    public var format: Format
    /// Where `total_run_count` and `last_run_at` are in the bytes the entry was decoded from (nil
    /// when it was built otherwise), so a firing's write-back need not scan those bytes again.
    public var runStatePlace: RunStatePlace?

    public init(
        key: String, name: String, task: String, enabled: Bool = true, schedule: Schedule,
        args: [JSONValue] = [], kwargs: JSONObject = [:], options: EntryOptions = EntryOptions(),
        totalRunCount: Int64 = 0, lastRunAt: Instant? = nil, format: Format = .current, lifetime: EntryLifetime = EntryLifetime()
    ) {
        self.lifetime = lifetime
        self.key = key
        self.name = name
        self.task = task
        self.enabled = enabled
        self.schedule = schedule
        self.args = args
        self.kwargs = kwargs
        self.options = options
        self.totalRunCount = totalRunCount
        self.lastRunAt = lastRunAt
        self.format = format
    }
}
