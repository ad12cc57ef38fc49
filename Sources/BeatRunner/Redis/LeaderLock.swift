import RedisClient
import ScheduleStore

/// The lock in Redis that decides which node sends: `SET key token NX PX ttl`, renewed and
/// released only by the token that took it, so a lock held by another node is never touched.
///
/// The token is JSON, `{"host": ..., "pid": ..., "token": <uuid>, "since": ...}`: unique per
/// process start, and readable by `swiftbeat status` to say who holds the lock.
struct LeaderLock {
    let key: String
    let token: String
    let ttlMilliseconds: Int64
    private var renewScript = RedisScript(
        """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
            return redis.call('PEXPIRE', KEYS[1], ARGV[2])
        end
        return 0
        """)
    private var releaseScript = RedisScript(
        """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
            return redis.call('DEL', KEYS[1])
        end
        return 0
        """)

    init(key: String, token: String, ttlMilliseconds: Int64) {
        self.key = key
        self.token = token
        self.ttlMilliseconds = ttlMilliseconds
    }

    /// True when this process now holds the lock (also when it already did).
    mutating func acquire(on connection: RedisConnection) throws(RedisClientError) -> Bool {
        let reply = try connection.send("SET", key, token, "NX", "PX", ttlMilliseconds)
        if reply.isOK { return true }
        // SET NX fails when the key exists; it may be ours from before a broken connection.
        return try renew(on: connection)
    }

    /// True when the lock was still ours and now has a full TTL again.
    mutating func renew(on connection: RedisConnection) throws(RedisClientError) -> Bool {
        try renewScript.run([key], [Array(token.utf8), Array(String(ttlMilliseconds).utf8)], on: connection).integer == 1
    }

    /// Deletes the lock if it is still ours.
    mutating func release(on connection: RedisConnection) throws(RedisClientError) -> Bool {
        try releaseScript.run([key], [Array(token.utf8)], on: connection).integer == 1
    }
}
