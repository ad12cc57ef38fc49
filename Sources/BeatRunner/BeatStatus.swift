import BeatCore
import JSON
import ScheduleStore
public import RedisClient

/// What `swiftbeat status` reports: who holds the lock, for how long still, and the entries.
public struct BeatStatus: Sendable {
    /// The holder as recorded in the lock's value by `swiftbeat run`.
    public struct Holder: Sendable, Equatable {
        public var host: String
        public var pid: Int64
        public var since: String?
    }

    public var lockKey: String
    /// Nil when nobody holds the lock.
    public var lockValue: String?
    /// Parsed from `lockValue` when it was written by swiftbeat (a celerybeat-redis lock is a bare token).
    public var holder: Holder?
    public var remainingMilliseconds: Int64?
    public var entryCount: Int
    /// Keys that could not be used, with the reason.
    public var invalidEntries: [(key: String, reason: String)]

    public var isHeld: Bool { lockValue != nil }

    /// Reads the lock and every entry. Throws the Redis client's error (a one-line description).
    public static func read(
        from redis: RedisConnection, lockKey: String, keyPrefix: String, store: StoreKind = .celerybeatRedis
    ) throws -> BeatStatus {
        var pipeline = RedisPipeline()
        pipeline.append("GET", lockKey)
        pipeline.append("PTTL", lockKey)
        let replies = try redis.pipeline(pipeline)
        let value = replies[0].string
        var count = 0
        var invalid: [(key: String, reason: String)] = []
        try store.forEachEntry(on: redis, keyPrefix: keyPrefix) { part in
            for stored in part {
                count += 1
                if case .failure(let error) = store.decode(stored) { invalid.append((stored.key, error.reason)) }
            }
        }
        return BeatStatus(
            lockKey: lockKey, lockValue: value, holder: value.flatMap(Self.holder),
            remainingMilliseconds: replies[1].integer.flatMap { $0 >= 0 ? $0 : nil },
            entryCount: count, invalidEntries: invalid)
    }

    public static func holder(from value: String) -> Holder? {
        guard let object = try? JSONParser.parse(value).objectValue, let host = object["host"]?.stringValue,
            let pid = object["pid"]?.numberValue?.int64Value
        else { return nil }
        return Holder(host: host, pid: pid, since: object["since"]?.stringValue)
    }
}
