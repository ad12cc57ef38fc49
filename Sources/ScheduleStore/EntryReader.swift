public import RedisClient

/// Reads entries from the scheduler's Redis: every key under the prefix, or one entry.
///
/// Keys are found with SCAN (the prefix escaped for its glob; celerybeat-redis used KEYS without
/// escaping) and read with MGET in chunks, so large schedules take a few round trips.
public struct EntryReader {
    /// One key under the prefix, as stored.
    public struct Stored: Sendable {
        public enum Value: Sendable, Equatable {
            case json([UInt8])
            /// The key holds another Redis type (`hash`, `list`, ...).
            case notAString(type: String)
        }

        public var key: String
        /// The key without the prefix.
        public var name: String
        public var value: Value
    }

    public let connection: RedisConnection
    public let keyPrefix: String
    static let chunkSize = 1000

    public init(connection: RedisConnection, keyPrefix: String) {
        self.connection = connection
        self.keyPrefix = keyPrefix
    }

    /// Every entry, sorted by name. Keys deleted between SCAN and MGET are left out.
    public func all() throws(ScheduleStoreError) -> [Stored] {
        let keys = try scanKeys().sorted()
        var result: [Stored] = []
        result.reserveCapacity(keys.count)
        var start = 0
        while start < keys.count {
            let chunk = Array(keys[start..<min(start + Self.chunkSize, keys.count)])
            start += Self.chunkSize
            let reply = try send(RedisCommand("MGET", arguments: chunk as [any RedisArgument]), "MGET")
            guard let values = reply.array, values.count == chunk.count else {
                throw .unexpected(reply, to: "MGET", on: connection)
            }
            for (key, value) in zip(chunk, values) {
                if let bytes = value.bytes {
                    result.append(Stored(key: key, name: name(of: key), value: .json(bytes)))
                } else {
                    let type = try self.type(of: key)
                    if type != "none" {
                        result.append(Stored(key: key, name: name(of: key), value: .notAString(type: type)))
                    }
                }
            }
        }
        return result
    }

    /// The entry `name`, or nil when its key does not exist.
    public func entry(named name: String) throws(ScheduleStoreError) -> Stored? {
        let key = keyPrefix + name
        let reply = try send(RedisCommand("GET", arguments: [key]), "GET")
        if let bytes = reply.bytes { return Stored(key: key, name: name, value: .json(bytes)) }
        if reply.isNull { return nil }
        let type = try self.type(of: key)
        if type == "none" { return nil }
        guard type != "string" else { throw .unexpected(reply, to: "GET", on: connection) }
        return Stored(key: key, name: name, value: .notAString(type: type))
    }

    func scanKeys() throws(ScheduleStoreError) -> [String] {
        let pattern = Self.globEscaped(keyPrefix) + "*"
        var cursor = "0"
        var keys: [String] = []
        var seen = Set<String>()
        repeat {
            let reply = try send(RedisCommand("SCAN", arguments: [cursor, "MATCH", pattern, "COUNT", "1000"]), "SCAN")
            guard let parts = reply.array, parts.count == 2, let next = parts[0].string, let page = parts[1].array else {
                throw .unexpected(reply, to: "SCAN", on: connection)
            }
            for element in page {
                if let key = element.string, seen.insert(key).inserted { keys.append(key) }
            }
            cursor = next
        } while cursor != "0"
        return keys
    }

    func type(of key: String) throws(ScheduleStoreError) -> String {
        let reply = try send(RedisCommand("TYPE", arguments: [key]), "TYPE")
        guard let type = reply.string, !reply.isError else { throw .unexpected(reply, to: "TYPE", on: connection) }
        return type
    }

    func name(of key: String) -> String {
        String(key.dropFirst(keyPrefix.count))
    }

    private func send(_ command: RedisCommand, _ what: String) throws(ScheduleStoreError) -> RedisReply {
        let reply: RedisReply
        do {
            reply = try connection.send(command)
        } catch {
            throw .redis(error)
        }
        if reply.isError, !(what == "GET" && reply.errorMessage?.hasPrefix("WRONGTYPE") == true) {
            throw .unexpected(reply, to: what, on: connection)
        }
        return reply
    }

    /// The prefix with SCAN's glob characters escaped, so `tasks:[x]` matches only itself.
    public static func globEscaped(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if "*?[]\\".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
