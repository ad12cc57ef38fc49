import RedisClient
import ScheduleStore

/// The one script through which the beat writes: for a batch of firings, check that this process
/// still holds the lock, then for each entry whose stored bytes are exactly those the firing was
/// built from, write its new run state and (when the broker is this Redis server) push its message.
///
/// Because it runs atomically inside Redis, a process paused anywhere (GC-like stall, SIGSTOP, VM
/// freeze) cannot send after another node took over: the token check and the push are one step.
/// The entry comparison makes write-back safe against concurrent edits and deletions: only a key
/// that still holds the read bytes is written, so nothing is re-created or overwritten.
/// `SELECT` inside a script affects only the script (Redis ≥ 2.8.12), so the broker's database can
/// differ from the schedule's. `SET ... KEEPTTL` (Redis ≥ 6.0) keeps a TTL a user put on an entry.
struct CommitScript {
    struct Firing {
        var key: String
        /// What the entry held when the firing was decided.
        var expected: [UInt8]
        /// The entry with its new `total_run_count` and `last_run_at`.
        var updated: [UInt8]
        /// Broker lists and the kombu envelope to push, when pushing in the same step.
        var lists: [String] = []
        var payload: [UInt8] = []
    }

    /// Where messages are pushed when the broker is the schedule's own Redis server.
    struct Push {
        var brokerDatabase: Int
        var scheduleDatabase: Int
    }

    enum Result: Equatable {
        case committed
        /// The key is gone: the firing is dropped and the key stays deleted.
        case deleted
        /// Someone changed the entry after it was read: read it again and decide again.
        case modified
        /// The key now holds something other than a string.
        case wrongType
    }

    enum Outcome: Equatable {
        /// The lock is not (or no longer) held by this process; nothing was written.
        case notLeader
        case results([Result])
    }

    /// Entries are compared and written first; the pushes of the committed ones follow after a
    /// single SELECT, because switching databases per message cost more than the pushes themselves.
    static let source = """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then
            return -1
        end
        local push_db = ARGV[2]
        local schedule_db = ARGV[3]
        local results = {}
        local pushes = {}
        local a = 4
        for i = 2, #KEYS do
            local expected = ARGV[a]
            local list_count = tonumber(ARGV[a + 2])
            local current = redis.pcall('GET', KEYS[i])
            if type(current) == 'table' and current.err then
                results[i - 1] = 3
            elseif current == false then
                results[i - 1] = 0
            elseif current ~= expected then
                results[i - 1] = 2
            else
                redis.call('SET', KEYS[i], ARGV[a + 1], 'KEEPTTL')
                if list_count > 0 then
                    pushes[#pushes + 1] = a
                end
                results[i - 1] = 1
            end
            a = a + 4 + list_count
        end
        if #pushes > 0 then
            if push_db ~= schedule_db then redis.call('SELECT', push_db) end
            for _, p in ipairs(pushes) do
                local list_count = tonumber(ARGV[p + 2])
                local payload = ARGV[p + 3 + list_count]
                for j = 1, list_count do
                    redis.call('LPUSH', ARGV[p + 2 + j], payload)
                end
            end
            if push_db ~= schedule_db then redis.call('SELECT', schedule_db) end
        end
        return results
        """

    /// KEYS: the lock, then each entry. ARGV: token, push db, schedule db, then for each firing
    /// expected, updated, list count, the lists, payload.
    static func call(
        _ firings: [Firing], lockKey: String, token: String, push: Push?
    ) -> (keys: [String], arguments: [[UInt8]]) {
        var keys = [lockKey]
        keys.reserveCapacity(firings.count + 1)
        var arguments: [[UInt8]] = [
            Array(token.utf8),
            Array(String(push?.brokerDatabase ?? 0).utf8),
            Array(String(push?.scheduleDatabase ?? 0).utf8),
        ]
        arguments.reserveCapacity(3 + firings.count * 5)
        for firing in firings {
            keys.append(firing.key)
            arguments.append(firing.expected)
            arguments.append(firing.updated)
            let lists = push == nil ? [] : firing.lists
            arguments.append(Array(String(lists.count).utf8))
            for list in lists { arguments.append(Array(list.utf8)) }
            arguments.append(push == nil ? [] : firing.payload)
        }
        return (keys, arguments)
    }

    let lockKey: String
    private var script = RedisScript(CommitScript.source)

    init(lockKey: String) {
        self.lockKey = lockKey
    }

    /// Commits a batch of firings atomically with a check that `token` still holds the lock.
    mutating func commit(
        _ firings: [Firing], token: String, push: Push?, on connection: RedisConnection
    ) throws(ScheduleStoreError) -> Outcome {
        let (keys, arguments) = Self.call(firings, lockKey: lockKey, token: token, push: push)
        let reply: RedisReply
        do {
            reply = try script.run(keys, arguments, on: connection)
        } catch {
            throw ScheduleStoreError(.unavailable, error.description)
        }
        guard let outcome = Self.outcome(reply, count: firings.count) else {
            throw ScheduleStoreError(
                .unavailable, "redis \(connection.configuration.endpoint) answered the commit script with \(reply.errorMessage ?? "\(reply)")")
        }
        return outcome
    }

    static func outcome(_ reply: RedisReply, count: Int) -> Outcome? {
        if reply.integer == -1 { return .notLeader }
        guard let elements = reply.array, elements.count == count else { return nil }
        var results: [Result] = []
        results.reserveCapacity(count)
        for element in elements {
            switch element.integer {
            case 1: results.append(.committed)
            case 0: results.append(.deleted)
            case 2: results.append(.modified)
            case 3: results.append(.wrongType)
            default: return nil
            }
        }
        return .results(results)
    }
}
