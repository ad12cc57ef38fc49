/// Which scheduler's data `run` reads and writes (`--store`).
public enum StoreKind: String, Sendable, CaseIterable {
    /// celerybeat-redis: a JSON string per entry under `tasks:meta:`, every key scanned.
    case celerybeatRedis = "celerybeat-redis"
    /// celery-redbeat 2.x: a hash per entry under `redbeat:`, due ones found through its index.
    case redBeat = "redbeat"
}
