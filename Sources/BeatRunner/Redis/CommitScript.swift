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

    /// Entries are compared and written first; then each list gets the messages of the committed
    /// firings in one LPUSH per thousand, after a single SELECT. Per message, a SELECT cost more
    /// than the push, and an LPUSH call per message more than the LPUSH itself. The lists are
    /// sent once per batch as routes (a route: the lists one message goes to), each firing naming
    /// its route by number, because every argument costs Redis a copy and a hash of its bytes.
    static let source = """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then
            return -1
        end
        local push_db = ARGV[2]
        local schedule_db = ARGV[3]
        local routes = {}
        local a = 5
        for r = 1, tonumber(ARGV[4]) do
            local count = tonumber(ARGV[a])
            local lists = {}
            for j = 1, count do lists[j] = ARGV[a + j] end
            routes[r] = {lists = lists, payloads = {}}
            a = a + count + 1
        end
        local results = {}
        for i = 2, #KEYS do
            local current = redis.pcall('GET', KEYS[i])
            if type(current) == 'table' and current.err then
                results[i - 1] = 3
            elseif current == false then
                results[i - 1] = 0
            elseif current ~= ARGV[a] then
                results[i - 1] = 2
            else
                redis.call('SET', KEYS[i], ARGV[a + 1], 'KEEPTTL')
                local route = routes[tonumber(ARGV[a + 2])]
                if route then
                    route.payloads[#route.payloads + 1] = ARGV[a + 3]
                end
                results[i - 1] = 1
            end
            a = a + 4
        end
        local selected = false
        for _, route in ipairs(routes) do
            local payloads = route.payloads
            if #payloads > 0 then
                if not selected and push_db ~= schedule_db then
                    redis.call('SELECT', push_db)
                    selected = true
                end
                for _, list in ipairs(route.lists) do
                    for first = 1, #payloads, 1000 do
                        redis.call('LPUSH', list, unpack(payloads, first, math.min(first + 999, #payloads)))
                    end
                end
            end
        end
        if selected then redis.call('SELECT', schedule_db) end
        return results
        """

    /// KEYS: the lock, then each entry. ARGV: token, push db, schedule db, the number of routes,
    /// each route as its list count and lists, then for each firing expected, updated, its route
    /// (0: push nothing) and payload.
    static func call(
        _ firings: [Firing], lockKey: String, token: String, push: Push?
    ) -> (keys: [String], arguments: [[UInt8]]) {
        var keys = [lockKey]
        keys.reserveCapacity(firings.count + 1)
        var routes: [[String]] = []
        var routeOfFiring: [Int] = []
        routeOfFiring.reserveCapacity(firings.count)
        for firing in firings {
            guard push != nil, !firing.lists.isEmpty else {
                routeOfFiring.append(0)
                continue
            }
            // Batches usually go to one list: look at the last route before searching.
            if let last = routes.last, last == firing.lists {
                routeOfFiring.append(routes.count)
            } else if let known = routes.firstIndex(of: firing.lists) {
                routeOfFiring.append(known + 1)
            } else {
                routes.append(firing.lists)
                routeOfFiring.append(routes.count)
            }
        }
        var arguments: [[UInt8]] = [
            Array(token.utf8),
            Array(String(push?.brokerDatabase ?? 0).utf8),
            Array(String(push?.scheduleDatabase ?? 0).utf8),
            Array(String(routes.count).utf8),
        ]
        arguments.reserveCapacity(4 + routes.reduce(0) { $0 + $1.count + 1 } + firings.count * 4)
        for lists in routes {
            arguments.append(Array(String(lists.count).utf8))
            for list in lists { arguments.append(Array(list.utf8)) }
        }
        let routeNumbers = (0...routes.count).map { Array(String($0).utf8) }
        for (firing, route) in zip(firings, routeOfFiring) {
            keys.append(firing.key)
            arguments.append(firing.expected)
            arguments.append(firing.updated)
            arguments.append(routeNumbers[route])
            arguments.append(route == 0 ? [] : firing.payload)
        }
        return (keys, arguments)
    }

    let lockKey: String
    private var script = RedisScript(CommitScript.source)

    init(lockKey: String) {
        self.lockKey = lockKey
    }

    /// Makes sure Redis has the script, so that `send` can write it without waiting for anything.
    mutating func load(on connection: RedisConnection) throws(ScheduleStoreError) {
        let refusal: RedisReply?
        do {
            refusal = try script.load(on: connection)
        } catch {
            throw ScheduleStoreError(.unavailable, error.description)
        }
        if let refusal {
            throw ScheduleStoreError(
                .unavailable, "redis \(connection.configuration.endpoint) did not load the commit script: \(refusal.errorMessage ?? "\(refusal)")")
        }
    }

    /// Writes the commit of a batch without waiting for it (after `load`), so the caller can build
    /// the next batch while Redis runs it; `receive` reads the outcome.
    mutating func send(
        _ firings: [Firing], token: String, push: Push?, on connection: RedisConnection
    ) throws(ScheduleStoreError) -> RedisConnection.PendingReplies {
        let (keys, arguments) = Self.call(firings, lockKey: lockKey, token: token, push: push)
        do {
            return try script.write(keys, arguments, on: connection)
        } catch {
            throw ScheduleStoreError(.unavailable, error.description)
        }
    }

    /// The outcome of a commit `send` wrote. If Redis had forgotten the script, nothing ran, and
    /// the same firings are committed again the ordinary way.
    mutating func receive(
        _ sent: RedisConnection.PendingReplies, of firings: [Firing], token: String, push: Push?, on connection: RedisConnection
    ) throws(ScheduleStoreError) -> Outcome {
        let reply: RedisReply
        do {
            reply = try connection.readReplies(sent)[0]
        } catch {
            throw ScheduleStoreError(.unavailable, error.description)
        }
        if script.forgetIfNotLoaded(reply) {
            return try commit(firings, token: token, push: push, on: connection)
        }
        return try outcome(of: reply, count: firings.count, on: connection)
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
        return try outcome(of: reply, count: firings.count, on: connection)
    }

    private func outcome(of reply: RedisReply, count: Int, on connection: RedisConnection) throws(ScheduleStoreError) -> Outcome {
        guard let outcome = Self.outcome(reply, count: count) else {
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
