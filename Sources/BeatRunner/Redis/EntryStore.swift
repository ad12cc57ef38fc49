import RedisClient

/// The entries in the scheduler's Redis: discovering keys, reading values, and committing firings.
///
/// Reads are pipelined (SCAN pages, then MGET in chunks) so 100,000 entries load in a few round
/// trips. Writes happen only through `commit`, a script that changes an entry only if it still holds
/// exactly the bytes swiftbeat read: a key deleted meanwhile is never re-created, and an edit made
/// meanwhile is never overwritten.
struct EntryStore {
    let keyPrefix: String
    let lockKey: String
    private var commitScript = RedisScript(CommitScript.source)
    static let chunkSize = 1000

    init(keyPrefix: String, lockKey: String) {
        self.keyPrefix = keyPrefix
        self.lockKey = lockKey
    }

    /// Every key under the prefix, a SCAN page at a time. The prefix is escaped for SCAN's glob,
    /// which celerybeat-redis did not do. SCAN may report a key twice; callers must not mind.
    func scanKeys(on connection: RedisConnection, page: ([String]) throws(StoreError) -> Void) throws(StoreError) {
        let pattern = Self.globEscaped(keyPrefix) + "*"
        var cursor = "0"
        repeat {
            let reply = try Self.redis { () throws(RedisClientError) in
                try connection.send("SCAN", cursor, "MATCH", pattern, "COUNT", Self.chunkSize)
            }
            guard let parts = reply.array, parts.count == 2, let next = parts[0].string, let elements = parts[1].array else {
                throw StoreError(unexpected: reply, to: "SCAN", on: connection)
            }
            let keys = elements.compactMap(\.string)
            if !keys.isEmpty { try page(keys) }
            cursor = next
        } while cursor != "0"
    }

    /// Every key under the prefix, at once (for commands that list entries).
    func scanKeys(on connection: RedisConnection) throws(StoreError) -> [String] {
        var keys: [String] = []
        var seen = Set<String>()
        try scanKeys(on: connection) { (page: [String]) throws(StoreError) in
            for key in page where seen.insert(key).inserted { keys.append(key) }
        }
        return keys
    }

    /// The stored value of each key, nil where the key is gone or is not a string (MGET's nil).
    func fetch(_ keys: [String], on connection: RedisConnection) throws(StoreError) -> [[UInt8]?] {
        guard !keys.isEmpty else { return [] }
        var pipeline = RedisPipeline()
        var start = 0
        while start < keys.count {
            let chunk = keys[start..<min(start + Self.chunkSize, keys.count)]
            pipeline.append("MGET", arguments: Array(chunk) as [any RedisArgument])
            start += Self.chunkSize
        }
        var values: [[UInt8]?] = []
        values.reserveCapacity(keys.count)
        for reply in try Self.redis({ () throws(RedisClientError) in try connection.pipeline(pipeline) }) {
            guard let elements = reply.array else { throw StoreError(unexpected: reply, to: "MGET", on: connection) }
            for element in elements { values.append(element.bytes) }
        }
        return values
    }

    /// The Redis type of `key` (`string`, `hash`, `none`, ...), to explain why a key cannot be read.
    func type(of key: String, on connection: RedisConnection) throws(StoreError) -> String {
        try Self.redis { () throws(RedisClientError) in try connection.send("TYPE", key).string ?? "unknown" }
    }

    /// Commits a batch of firings atomically with a check that `token` still holds the lock.
    mutating func commit(
        _ firings: [CommitScript.Firing], token: String, push: CommitScript.Push?, on connection: RedisConnection
    ) throws(StoreError) -> CommitScript.Outcome {
        let (keys, arguments) = CommitScript.call(firings, lockKey: lockKey, token: token, push: push)
        let reply: RedisReply
        do {
            reply = try commitScript.run(keys, arguments, on: connection)
        } catch {
            throw StoreError(error)
        }
        guard let outcome = CommitScript.outcome(reply, count: firings.count) else {
            throw StoreError(unexpected: reply, to: "the commit script", on: connection)
        }
        return outcome
    }

    /// Runs Redis calls, turning the client's error into a `StoreError`.
    static func redis<T>(_ body: () throws(RedisClientError) -> T) throws(StoreError) -> T {
        do {
            return try body()
        } catch {
            throw StoreError(error)
        }
    }

    static func globEscaped(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if "*?[]\\".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}

/// A failure talking to the scheduler's Redis: the client's own error, or a reply that makes no sense.
struct StoreError: Error, CustomStringConvertible {
    var description: String
    /// False when nothing was sent, so the operation certainly did not happen.
    var mayHaveRun: Bool

    init(_ error: RedisClientError) {
        description = error.description
        mayHaveRun = error.commandsMayHaveRun
    }

    init(unexpected reply: RedisReply, to command: String, on connection: RedisConnection) {
        description = "unexpected reply to \(command) from redis \(connection.configuration.endpoint): \(reply.errorMessage ?? "\(reply)")"
        mayHaveRun = true
    }
}
