public import BeatCore
public import RedisClient

/// Writes entries to the scheduler's Redis, each write atomic with its change notification.
///
/// Every write is one Lua script that changes the key and, when it did, PUBLISHes the key on
/// `EntryChanges.channel(database:keyPrefix:)`, so a running beat hears of the change at once and
/// never of a change that did not happen. No write is a blind SET:
/// - `add` is `SET NX`: an existing entry is never overwritten;
/// - `update` is compare-and-set: GET, compute the new text from the old, then a script writes it
///   only if the key still holds the old text (else it reads again, a few times). A running
///   scheduler's write-back that lands in between is therefore never lost, and a key deleted in
///   between is never re-created;
/// - `put` (add or replace, keeping the old entry's run state) is built from those two.
/// `SET ... KEEPTTL` (Redis 6.0+) keeps a TTL someone put on an entry.
public struct EntryWriter {
    public let connection: RedisConnection
    public let keyPrefix: String
    /// Where changes are announced; empty to announce nothing.
    public let channel: String
    /// How many times `update` reads again after another client changed the entry in between.
    public var retries = 5

    public init(connection: RedisConnection, keyPrefix: String) {
        self.connection = connection
        self.keyPrefix = keyPrefix
        channel = EntryChanges.channel(database: connection.configuration.database, keyPrefix: keyPrefix)
    }

    static let addScript = """
        if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
            if ARGV[2] ~= '' then redis.call('PUBLISH', ARGV[2], KEYS[1]) end
            return 1
        end
        return 0
        """

    static let compareAndSetScript = """
        local current = redis.pcall('GET', KEYS[1])
        if type(current) == 'table' and current.err then return -2 end
        if current == false then return -1 end
        if current ~= ARGV[1] then return 0 end
        redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
        if ARGV[3] ~= '' then redis.call('PUBLISH', ARGV[3], KEYS[1]) end
        return 1
        """

    static let removeScript = """
        local removed = redis.call('DEL', KEYS[1])
        if removed == 1 and ARGV[1] ~= '' then redis.call('PUBLISH', ARGV[1], KEYS[1]) end
        return removed
        """

    public func key(of name: String) -> String { keyPrefix + name }

    // MARK: add

    public enum AddOutcome: Sendable, Equatable {
        case added
        /// The key exists (as an entry or as anything else); nothing was written.
        case exists
    }

    /// Writes `json` under `name` only if the key is absent (`SET NX`). `announce: false` leaves
    /// the notification to the caller (an import announces `EntryChanges.everything` once).
    public func add(name: String, json: [UInt8], announce: Bool = true) throws(ScheduleStoreError) -> AddOutcome {
        let reply = try eval(Self.addScript, key: key(of: name), [json, Array((announce ? channel : "").utf8)])
        switch reply.integer {
        case 1: return .added
        case 0: return .exists
        default: throw .unexpected(reply, to: "the add script", on: connection)
        }
    }

    /// Seeds entries the way `run --schedule-file` and `import` without `--replace` do: each is
    /// written only where its key is absent, then one `EntryChanges.everything` is announced if
    /// anything was written. Returns each entry's outcome, in order.
    public func addAbsent(_ entries: [ScheduleFile.Entry]) throws(ScheduleStoreError) -> [AddOutcome] {
        var outcomes: [AddOutcome] = []
        for entry in entries {
            outcomes.append(try add(name: entry.name, json: entry.json, announce: false))
        }
        if outcomes.contains(.added) { try announce(EntryChanges.everything) }
        return outcomes
    }

    // MARK: update (compare-and-set)

    public enum UpdateOutcome: Sendable, Equatable {
        case updated(old: [UInt8], new: [UInt8])
        /// The new text is the old one; nothing was written.
        case unchanged([UInt8])
        /// There is no such key.
        case missing
    }

    /// Reads the entry, computes its new text with `change` and writes it only if the entry still
    /// holds what was read. If another client changed it in between, reads and computes again
    /// (up to `retries` times), so that `change` is always applied to the latest text.
    public func update(
        name: String, announce: Bool = true, _ change: ([UInt8]) throws(EntryError) -> [UInt8]
    ) throws(ScheduleStoreError) -> UpdateOutcome {
        let key = key(of: name)
        let reader = EntryReader(connection: connection, keyPrefix: keyPrefix)
        for _ in 0...retries {
            guard let stored = try reader.entry(named: name) else { return .missing }
            guard case .json(let old) = stored.value else {
                throw notAString(key, stored.value)
            }
            let new: [UInt8]
            do {
                new = try change(old)
            } catch {
                throw .invalid(error)
            }
            if new == old { return .unchanged(old) }
            switch try compareAndSet(key: key, expected: old, new: new, announce: announce) {
            case 1: return .updated(old: old, new: new)
            case -1: return .missing
            case -2: throw notAString(key, .notAString(type: (try? reader.type(of: key)) ?? "not a string"))
            default: continue  // changed in between: read again
            }
        }
        throw ScheduleStoreError(
            .conflict, "entry \(key) kept changing while it was being written (\(retries + 1) attempts); try again")
    }

    /// Writes `new` under `key` if it holds exactly `expected`: 1 written, 0 it held something
    /// else, -1 it is gone, -2 it is not a string. For callers that computed `new` themselves
    /// (the runner's write-back has its own script).
    public func compareAndSet(key: String, expected: [UInt8], new: [UInt8], announce: Bool = true) throws(ScheduleStoreError) -> Int64 {
        let reply = try eval(Self.compareAndSetScript, key: key, [expected, new, Array((announce ? channel : "").utf8)])
        guard let result = reply.integer, (-2...1).contains(result) else {
            throw .unexpected(reply, to: "the compare-and-set script", on: connection)
        }
        return result
    }

    // MARK: put (add or replace)

    public enum PutOutcome: Sendable, Equatable {
        case added
        case replaced
        case unchanged
    }

    /// Writes `json` whether or not the entry exists. An existing entry's run state
    /// (`total_run_count`, `last_run_at`) is carried over into the new text, so replacing a
    /// definition neither resets its count nor makes it look never run.
    public func put(name: String, json: [UInt8], announce: Bool = true) throws(ScheduleStoreError) -> PutOutcome {
        for _ in 0...retries {
            switch try update(name: name, announce: announce, { old throws(EntryError) in try Self.carryRunState(from: old, into: json, name: name) }) {
            case .updated: return .replaced
            case .unchanged: return .unchanged
            case .missing:
                if try add(name: name, json: json, announce: announce) == .added { return .added }
            }
        }
        throw ScheduleStoreError(.conflict, "entry \(key(of: name)) kept appearing and disappearing; try again")
    }

    /// `json` with the run state of `old`, when `old` is an entry that has one.
    static func carryRunState(from old: [UInt8], into json: [UInt8], name: String) throws(EntryError) -> [UInt8] {
        guard let previous = try? EntryDecoder.decode(key: name, name: name, json: old),
            let lastRunAt = previous.lastRunAt
        else { return json }
        do {
            return try RunStateWriter.write(totalRunCount: previous.totalRunCount, lastRunAt: lastRunAt, into: json)
        } catch {
            throw EntryError(key: name, reason: "\(error)")
        }
    }

    // MARK: remove, announce

    /// Deletes the entry; false when there was none.
    public func remove(name: String) throws(ScheduleStoreError) -> Bool {
        let reply = try eval(Self.removeScript, key: key(of: name), [Array(channel.utf8)])
        guard let removed = reply.integer else { throw .unexpected(reply, to: "the remove script", on: connection) }
        return removed == 1
    }

    /// Publishes `payload` (a key, or `EntryChanges.everything`) on the change channel.
    public func announce(_ payload: String) throws(ScheduleStoreError) {
        try Self.announce(payload, on: channel, connection: connection)
    }

    /// Publishes `payload` on `channel` (none when it is empty): for every writer of entries.
    public static func announce(_ payload: String, on channel: String, connection: RedisConnection) throws(ScheduleStoreError) {
        guard !channel.isEmpty else { return }
        let reply: RedisReply
        do {
            reply = try connection.send(RedisCommand("PUBLISH", arguments: [channel, payload]))
        } catch {
            throw .redis(error)
        }
        if reply.isError { throw .unexpected(reply, to: "PUBLISH", on: connection) }
    }

    private func notAString(_ key: String, _ value: EntryReader.Stored.Value) -> ScheduleStoreError {
        if case .notAString(let type) = value {
            return ScheduleStoreError(.notAString, "entry \(key): the key holds a Redis \(type), not a string")
        }
        return ScheduleStoreError(.notAString, "entry \(key): the key does not hold a string")
    }

    private func eval(_ script: String, key: String, _ arguments: [[UInt8]]) throws(ScheduleStoreError) -> RedisReply {
        try Self.eval(script, keys: [key], arguments, on: connection)
    }

    /// Runs `script` with EVAL (the commands run each script once; the runner's hot scripts use
    /// `RedisScript`'s EVALSHA), an error reply thrown as unexpected.
    public static func eval(
        _ script: String, keys: [String], _ arguments: [[UInt8]], on connection: RedisConnection
    ) throws(ScheduleStoreError) -> RedisReply {
        var command: [any RedisArgument] = [script, String(keys.count)]
        command.append(contentsOf: keys as [any RedisArgument])
        command.append(contentsOf: arguments as [any RedisArgument])
        let reply: RedisReply
        do {
            reply = try connection.send(RedisCommand("EVAL", arguments: command))
        } catch {
            throw .redis(error)
        }
        if reply.isError { throw .unexpected(reply, to: "EVAL", on: connection) }
        return reply
    }
}
