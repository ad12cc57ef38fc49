public import RedisClient
public import ScheduleStore

/// Reads RedBeat entries: which are due through the index, as RedBeat does (`ZRANGEBYSCORE
/// <prefix>:schedule 0 <until>`), so idle entries cost nothing however many there are, and
/// their hashes with pipelined HMGETs.
public struct RedBeatReader {
    public let connection: RedisConnection
    public let keys: RedBeatKeys

    public init(connection: RedisConnection, keys: RedBeatKeys) {
        self.connection = connection
        self.keys = keys
    }

    /// The entry keys whose score is from 0 to `until` (UTC seconds), earliest first. Negative
    /// scores (no more events) are never read, as in RedBeat.
    public func dueKeys(until: Int64) throws(ScheduleStoreError) -> [String] {
        let reply: RedisReply
        do {
            reply = try connection.send(RedisCommand("ZRANGEBYSCORE", arguments: [keys.schedule, "0", String(until)]))
        } catch {
            throw ScheduleStoreError(.unavailable, error.description)
        }
        guard let members = reply.array else { throw unexpected(reply, "ZRANGEBYSCORE") }
        return members.compactMap(\.string)
    }

    /// Each key's stored value (`RedBeatStoredValue`), nil where the key is gone or not a hash.
    public func values(of keys: [String]) throws(ScheduleStoreError) -> [[UInt8]?] {
        guard !keys.isEmpty else { return [] }
        var request = RedisPipeline()
        RedBeatHashes.appendReads(of: keys, to: &request)
        do {
            return try connection.pipeline(request).map(RedBeatHashes.value(from:))
        } catch {
            throw ScheduleStoreError(.unavailable, error.description)
        }
    }

    /// Reads `keys` in parts of `partSize`, written at once and handed to `body` as each part
    /// arrives (as `EntryReader.read(_:scanning:partSize:_:)` does). A key that holds another type
    /// comes last, as `.notAString`; a key that is gone is left out.
    public func read(_ keys: ArraySlice<String>, partSize: Int, _ body: ([EntryReader.Stored]) -> Void) throws(ScheduleStoreError) {
        var answered = false
        defer { if !answered { connection.reset() } }
        var parts: [(keys: ArraySlice<String>, replies: RedisConnection.PendingReplies)] = []
        var missing: [String] = []
        do {
            var start = keys.startIndex
            while start < keys.endIndex {
                let part = keys[start..<min(start + max(1, partSize), keys.endIndex)]
                var request = RedisPipeline()
                RedBeatHashes.appendReads(of: part, to: &request)
                parts.append((part, try connection.write(request)))
                start = part.endIndex
            }
            for part in parts {
                let replies = try connection.readReplies(part.replies)
                var stored: [EntryReader.Stored] = []
                stored.reserveCapacity(part.keys.count)
                for (key, reply) in zip(part.keys, replies) {
                    if let value = RedBeatHashes.value(from: reply) {
                        stored.append(EntryReader.Stored(key: key, name: name(of: key), value: .json(value)))
                    } else {
                        missing.append(key)
                    }
                }
                body(stored)
            }
        } catch {
            throw ScheduleStoreError(.unavailable, error.description)
        }
        answered = true
        var others: [EntryReader.Stored] = []
        for key in missing {
            let type = try self.type(of: key)
            if type == "hash" {
                // A hash with neither field: the decoder says what is missing.
                others.append(EntryReader.Stored(key: key, name: name(of: key), value: .json(RedBeatStoredValue.joined(definition: [], meta: nil))))
            } else if type != "none" {
                others.append(EntryReader.Stored(key: key, name: name(of: key), value: .notAString(type: type)))
            }
        }
        if !others.isEmpty { body(others) }
    }

    /// The entry `name`: nil when there is no such key; `.notAString` when it holds another type.
    public func entry(named name: String) throws(ScheduleStoreError) -> EntryReader.Stored? {
        let key = keys.prefix + name
        if let value = try values(of: [key])[0] { return EntryReader.Stored(key: key, name: name, value: .json(value)) }
        let type = try self.type(of: key)
        switch type {
        case "none": return nil
        case "hash": return EntryReader.Stored(key: key, name: name, value: .json(RedBeatStoredValue.joined(definition: [], meta: nil)))
        default: return EntryReader.Stored(key: key, name: name, value: .notAString(type: type))
        }
    }

    /// The Redis type of `key`, to say why it cannot be read.
    public func type(of key: String) throws(ScheduleStoreError) -> String {
        let reply: RedisReply
        do {
            reply = try connection.send(RedisCommand("TYPE", arguments: [key]))
        } catch {
            throw ScheduleStoreError(.unavailable, error.description)
        }
        guard let type = reply.string, !reply.isError else { throw unexpected(reply, "TYPE") }
        return type
    }

    /// The entry's name: the key without the prefix (`EntryReader.name(of:prefix:)`).
    public func name(of key: String) -> String {
        EntryReader.name(of: key, prefix: keys.prefix)
    }

    func unexpected(_ reply: RedisReply, _ what: String) -> ScheduleStoreError {
        let text = reply.errorMessage.map { "error \"\($0)\"" } ?? "\(reply)"
        return ScheduleStoreError(.unavailable, "redis \(connection.configuration.endpoint) answered \(what) with \(text)")
    }
}

extension RedBeatReader {
    /// Every entry the index names, sorted by key: RedBeat's own way to list a schedule
    /// (`ZRANGE <prefix>:schedule 0 -1`, then each hash), for the commands that show them all.
    public func all() throws(ScheduleStoreError) -> [EntryReader.Stored] {
        var entries: [EntryReader.Stored] = []
        try read(sortedKeys()[...], partSize: 1000) { entries += $0 }
        return entries.sorted { $0.key < $1.key }
    }

    /// The keys the index names, sorted.
    public func sortedKeys() throws(ScheduleStoreError) -> [String] {
        let reply: RedisReply
        do {
            reply = try connection.send(RedisCommand("ZRANGE", arguments: [keys.schedule, "0", "-1"]))
        } catch {
            throw ScheduleStoreError(.unavailable, error.description)
        }
        guard let members = reply.array else { throw unexpected(reply, "ZRANGE") }
        return members.compactMap(\.string).sorted()
    }
}
