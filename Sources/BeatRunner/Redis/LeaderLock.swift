import RedisClient
import ScheduleStore

/// The lock in Redis that decides which node sends: `SET key token NX PX ttl`, renewed and
/// released only by the token that took it, so a lock held by another node is never touched.
///
/// The token is JSON, `{"host": ..., "pid": ..., "token": <uuid>, "since": <process start>}`:
/// unique per process start, and readable by `swiftbeat status` to say who holds the lock.
struct LeaderLock {
    let key: String
    let token: String
    let ttlMilliseconds: Int64
    /// Takes the lock if it is free (or already ours); otherwise answers how long it still lasts,
    /// so a standby can try again the moment it expires rather than up to a retry period later.
    private var acquireScript = RedisScript(
        """
        if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
            return -10
        end
        if redis.call('GET', KEYS[1]) == ARGV[1] then
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            return -10
        end
        return redis.call('PTTL', KEYS[1])
        """)
    /// RedBeat's `LUA_EXTEND_TO_SCRIPT`: the TTL is set to a full one (not added to), and only while
    /// the token is ours and the key still expires, so that a Python RedBeat beat and swiftbeat
    /// renew a shared lock (`--store redbeat`) by the same rule.
    private var renewScript = RedisScript(
        """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then
            return 0
        end
        if redis.call('PTTL', KEYS[1]) < 0 then
            return 0
        end
        return redis.call('PEXPIRE', KEYS[1], ARGV[2])
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

    enum Acquisition: Equatable {
        case acquired
        /// Another process holds it; it expires in this many milliseconds, if Redis said.
        case heldByAnother(remainingMilliseconds: Int64?)
    }

    /// Takes the lock when it is free, or renews it when it is still ours (after a broken connection).
    mutating func acquire(on connection: RedisConnection) throws(RedisClientError) -> Acquisition {
        let reply = try acquireScript.run([key], [Array(token.utf8), Array(String(ttlMilliseconds).utf8)], on: connection)
        guard let answer = reply.integer else { return .heldByAnother(remainingMilliseconds: nil) }
        if answer == -10 { return .acquired }
        return .heldByAnother(remainingMilliseconds: answer >= 0 ? answer : nil)
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
