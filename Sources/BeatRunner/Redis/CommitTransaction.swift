import RedBeatStore
import RedisClient

/// How the beat reads and writes a group of firings: a Redis transaction guarded by WATCH, in two steps.
///
/// 1. `read`: WATCH the lock and the group's entries, then read the lock and the entries. The
///    beat builds each firing from exactly the bytes read, and goes on only if the lock holds
///    its token.
/// 2. `commit`: MULTI, each firing's new run state (`SET ... KEEPTTL`), the messages' LPUSH
///    when the broker is this Redis server, EXEC.
///
/// EXEC runs nothing if any watched key was written, deleted or expired since WATCH, so the
/// transaction has the guarantees of one atomic step: a node that lost the lock (another took
/// it, or it ran out while this process was paused) pushes nothing, a concurrent edit is never
/// overwritten and a deleted entry never re-created. An aborted group is re-read and decided
/// again. `SET ... KEEPTTL` (Redis 6.0+) keeps a TTL a user put on an entry; `SELECT` inside the
/// transaction lets the broker's database differ from the schedule's.
///
/// A connection's WATCH lasts until its EXEC, so a connection has one group at a time between
/// its read and its commit; the beat fires on two connections so that Redis runs one group
/// while the beat builds the other (`Beat.fireDue`). (Before, one connection read each group
/// plainly, then watched it and read it again to compare: an MGET more per firing.)
///
/// Why not a Lua script, as before: Redis's Lua copies and hashes every byte passed into it and
/// every reply it gets back, about 2.5 ns a byte. With the entry read, the entry written and the
/// 1 KB envelope, a script cost Redis about 9 µs a firing; the same work in plain commands costs
/// about 4 µs (`scripts/bench burst`). WATCH costs Redis a scan of the connection's watched keys
/// per key watched, so groups stay small (`Beat.commitGroupSize`).
///
/// RedBeat entries (`StoreFormat.redBeat`) go the same way with their own commands: the read is an
/// `HMGET key definition meta` per entry, and the commit writes what RedBeat's `_next_instance`
/// writes, `HSET key meta ...` and `ZADD <prefix>:schedule score key`.
enum CommitTransaction {
    struct Firing {
        var key: String
        /// The entry with its new `total_run_count` and `last_run_at` (RedBeat: the new `meta`).
        var updated: [UInt8]
        /// The fingerprint of the entry's stored value once committed, for the timetable.
        var digest: Int = 0
        /// RedBeat only: the entry's new score in the index.
        var score: Int64 = 0
        /// Broker lists and the kombu envelope to push, when pushing in the same step.
        var lists: [String] = []
        var payload: [UInt8] = []
        /// False when this is the entry's last firing (a one-off, its last allowed run, a clocked instant).
        var firesAgain = true
    }

    /// Where messages are pushed when the broker is the schedule's own Redis server.
    struct Push {
        var brokerDatabase: Int
        var scheduleDatabase: Int
    }

    enum ReadOutcome: Equatable {
        /// The lock is not (or no longer) held by this process.
        case notLeader
        /// Each key's value, nil where the key is gone or holds no string.
        case read([[UInt8]?])
    }

    enum CommitOutcome: Equatable {
        case committed
        /// A watched key changed between WATCH and EXEC; nothing was written.
        case aborted
        /// Committed, but the push into a broker list failed (e.g. the key is not a list):
        /// the run state is written, the messages are not.
        case committedWithoutPush(String)
    }

    /// WATCH, then the lock and the entries: three replies.
    static func readRequest(_ keys: [String], lockKey: String, format: StoreFormat = .celerybeatRedis) -> RedisPipeline {
        var pipeline = RedisPipeline(reservingCapacity: keys.reduce(128) { $0 + 2 * ($1.utf8.count + 16) })
        pipeline.beginCommand("WATCH", argumentCount: 1 + keys.count)
        pipeline.appendArgument(lockKey)
        for key in keys { pipeline.appendArgument(key) }
        pipeline.append("GET", lockKey)
        switch format {
        case .celerybeatRedis:
            pipeline.beginCommand("MGET", argumentCount: keys.count)
            for key in keys { pipeline.appendArgument(key) }
        case .redBeat:
            RedBeatHashes.appendReads(of: keys, to: &pipeline)
        }
        return pipeline
    }

    /// What `readRequest` of `count` keys found; nil when Redis answered something else.
    static func readOutcome(_ replies: [RedisReply], count: Int, token: String, format: StoreFormat = .celerybeatRedis) -> ReadOutcome? {
        if case .redBeat = format {
            // A key that is not a hash answers its HMGET with an error: nil, as MGET's for a non-string.
            guard replies.count == 2 + count, replies[0].isOK else { return nil }
            guard let lock = replies[1].bytes, lock.elementsEqual(token.utf8) else { return .notLeader }
            return .read(replies[2...].map(RedBeatHashes.value(from:)))
        }
        guard replies.count == 3, replies[0].isOK, let elements = replies[2].array, elements.count == count else {
            return nil
        }
        guard let lock = replies[1].bytes, lock.elementsEqual(token.utf8) else { return .notLeader }
        var values: [[UInt8]?] = []
        values.reserveCapacity(count)
        for element in elements {
            switch element {
            case .bulk(let bytes): values.append(bytes)
            case .null: values.append(nil)
            default: return nil
            }
        }
        return .read(values)
    }

    /// MULTI, the writes and pushes, EXEC; the caller reads every reply and passes them to
    /// `commitOutcome`. Call only right after the read of the same entries on the same connection.
    static func commitRequest(
        _ firings: [Firing], push: Push?, format: StoreFormat = .celerybeatRedis, wait: ReplicaWait? = nil
    ) -> RedisPipeline {
        let size = firings.reduce(64) { $0 + 2 * $1.key.utf8.count + $1.updated.count + $1.payload.count + 96 }
        var pipeline = RedisPipeline(reservingCapacity: size)
        pipeline.append("MULTI")
        switch format {
        case .celerybeatRedis:
            for firing in firings {
                pipeline.append("SET", firing.key, firing.updated, "KEEPTTL")
            }
        case .redBeat(let keys):
            let schedule = keys.schedule
            for firing in firings {
                pipeline.append("HSET", firing.key, "meta", firing.updated)
                pipeline.append("ZADD", schedule, String(firing.score), firing.key)
            }
        }
        if let push {
            let routes = Self.routes(of: firings)
            if !routes.isEmpty {
                let otherDatabase = push.brokerDatabase != push.scheduleDatabase
                if otherDatabase { pipeline.append("SELECT", push.brokerDatabase) }
                for (list, payloads) in routes {
                    pipeline.beginCommand("LPUSH", argumentCount: 1 + payloads.count)
                    pipeline.appendArgument(list)
                    for index in payloads { pipeline.appendArgument(firings[index].payload) }
                }
                if otherDatabase { pipeline.append("SELECT", push.scheduleDatabase) }
            }
        }
        pipeline.append("EXEC")
        if let wait {
            // In the same write: one round trip still, which lasts until the replicas answer.
            pipeline.append("WAIT", wait.replicas, wait.timeoutMilliseconds)
        }
        return pipeline
    }

    /// Each broker list with the firings whose messages go there, in the order the lists first
    /// appear: one LPUSH per list (a message with a priority, or to a fanout, names several).
    private static func routes(of firings: [Firing]) -> [(list: String, firings: [Int])] {
        var routes: [(list: String, firings: [Int])] = []
        for (index, firing) in firings.enumerated() {
            for list in firing.lists {
                // Groups usually go to one list: look at the last one before searching.
                if let last = routes.indices.last, routes[last].list == list {
                    routes[last].firings.append(index)
                } else if let known = routes.firstIndex(where: { $0.list == list }) {
                    routes[known].firings.append(index)
                } else {
                    routes.append((list, [index]))
                }
            }
        }
        return routes
    }

    /// The outcome from EXEC's reply (the last one); nil when Redis answered something else, such
    /// as EXECABORT after a command was refused while queued.
    static func commitOutcome(_ replies: [RedisReply], waited: Bool = false) -> CommitOutcome? {
        guard let exec = waited ? replies.dropLast().last : replies.last else { return nil }
        if exec.isNull { return .aborted }
        guard let results = exec.array else { return nil }
        if let failure = results.lazy.compactMap(\.errorMessage).first {
            return .committedWithoutPush(failure)
        }
        return .committed
    }

    /// How many replicas acknowledged the commit, from WAIT's reply (the last); nil without one.
    static func replicasAcknowledged(_ replies: [RedisReply]) -> Int? {
        guard case .integer(let count)? = replies.last else { return nil }
        return Int(count)
    }

    /// Forgets the watched keys of a read that will not be committed, so they cannot abort the
    /// connection's next transaction. A failure here is the connection's, and the next call on it
    /// reports it; a connection that is dropped forgets its watched keys anyway.
    static func unwatch(on connection: RedisConnection) {
        _ = try? connection.send("UNWATCH")
    }
}
