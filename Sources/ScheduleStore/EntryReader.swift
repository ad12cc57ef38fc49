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

        public init(key: String, name: String, value: Value) {
            self.key = key
            self.name = name
            self.value = value
        }
    }

    public let connection: RedisConnection
    public let keyPrefix: String
    static let chunkSize = 1000

    public init(connection: RedisConnection, keyPrefix: String) {
        self.connection = connection
        self.keyPrefix = keyPrefix
    }

    /// Every key under the prefix, each once (SCAN may report a key twice), sorted: what a command
    /// that shows every entry reads a part at a time, holding the keys but not the values.
    public func sortedKeys() throws(ScheduleStoreError) -> [String] {
        var keys = Set<String>()
        var cursor = "0"
        repeat {
            let page = try scan(from: cursor)
            keys.formUnion(page.keys)
            cursor = page.next
        } while cursor != "0"
        return keys.sorted()
    }

    /// Every entry, sorted by name. Keys deleted between SCAN and MGET are left out.
    public func all() throws(ScheduleStoreError) -> [Stored] {
        var result: [Stored] = []
        var seen = Set<String>()
        try forEachPage { (page: [Stored]) throws(ScheduleStoreError) in
            for stored in page where seen.insert(stored.key).inserted { result.append(stored) }
        }
        return result.sorted { $0.key < $1.key }
    }

    /// Every entry, one SCAN page at a time, so memory stays flat however many entries there are.
    /// SCAN may report a key twice; a key deleted between SCAN and MGET is left out.
    public func forEachPage(_ body: ([Stored]) throws(ScheduleStoreError) -> Void) throws(ScheduleStoreError) {
        var cursor = "0"
        repeat {
            let page = try page(from: cursor)
            if !page.entries.isEmpty { try body(page.entries) }
            cursor = page.next
        } while cursor != "0"
    }

    /// One SCAN page from `cursor` ("0" starts a scan): its entries and the cursor to continue
    /// from, which is "0" again when the scan is complete. Lets a caller interleave a long scan
    /// with other work.
    public func page(from cursor: String) throws(ScheduleStoreError) -> (next: String, entries: [Stored]) {
        let found = try scan(from: cursor)
        return (found.next, try read(found.keys, scanning: nil).entries)
    }

    /// Keys found by one SCAN, not yet read, and the cursor that follows them ("0": they are the last).
    public struct ScanPage: Sendable {
        public var keys: [String]
        public var next: String
    }

    /// The keys of one SCAN page from `cursor`.
    public func scan(from cursor: String) throws(ScheduleStoreError) -> ScanPage {
        let reply = try send(scanCommand(from: cursor), "SCAN")
        return try scanPage(from: reply)
    }

    /// The entries of `keys` (a page found by `scan`) and, in the same round trip, the next page's
    /// keys when `next` is given: a scan then takes one round trip per page instead of two.
    public func read(
        _ keys: [String], scanning next: String?
    ) throws(ScheduleStoreError) -> (entries: [Stored], following: ScanPage?) {
        var entries: [Stored] = []
        entries.reserveCapacity(keys.count)
        let following = try read(keys, scanning: next, partSize: Self.chunkSize) { entries += $0 }
        return (entries, following)
    }

    /// `read(_:scanning:)` for a caller with work to do on what it reads: the MGETs go out at once,
    /// in parts of `partSize` keys, and `body` gets each part's entries as soon as they arrive, so
    /// the caller works on one part while Redis reads the next (a reload decodes while Redis
    /// answers instead of the two taking turns). Keys that hold another type come last.
    /// Returns the next page's keys when `next` is given.
    public func read(
        _ keys: [String], scanning next: String?, partSize: Int, _ body: ([Stored]) -> Void
    ) throws(ScheduleStoreError) -> ScanPage? {
        var answered = false
        // On a failure between the writes and the last read, replies may be left on the socket,
        // and a connection with unread replies refuses plain calls: drop it.
        defer { if !answered { connection.reset() } }
        var parts: [(keys: ArraySlice<String>, replies: RedisConnection.PendingReplies)] = []
        var scan: RedisConnection.PendingReplies?
        do {
            var start = 0
            while start < keys.count {
                let part = keys[start..<min(start + max(1, partSize), keys.count)]
                parts.append((part, try connection.write(Self.valuesRequest(of: part))))
                start = part.endIndex
            }
            if let next {
                var request = RedisPipeline()
                request.append(scanCommand(from: next))
                scan = try connection.write(request)
            }
        } catch {
            throw .redis(error)
        }
        var missing: [String] = []
        for part in parts {
            let values = try values(answering: part.replies, count: part.keys.count)
            var stored: [Stored] = []
            stored.reserveCapacity(part.keys.count)
            for (key, value) in zip(part.keys, values) {
                if let value { stored.append(Stored(key: key, name: name(of: key), value: .json(value))) } else { missing.append(key) }
            }
            body(stored)
        }
        var following: ScanPage?
        if let scan {
            let reply: RedisReply
            do {
                reply = try connection.readReplies(scan)[0]
            } catch {
                throw .redis(error)
            }
            following = try scanPage(from: reply)
        }
        answered = true
        var others: [Stored] = []
        for key in missing {
            let type = try self.type(of: key)
            if type != "none" { others.append(Stored(key: key, name: name(of: key), value: .notAString(type: type))) }
        }
        if !others.isEmpty { body(others) }
        return following
    }

    private func scanCommand(from cursor: String) -> RedisCommand {
        RedisCommand("SCAN", arguments: [cursor, "MATCH", Self.globEscaped(keyPrefix) + "*", "COUNT", String(Self.chunkSize)])
    }

    private func scanPage(from reply: RedisReply) throws(ScheduleStoreError) -> ScanPage {
        guard !reply.isError, let parts = reply.array, parts.count == 2, let next = parts[0].string, let page = parts[1].array else {
            throw .unexpected(reply, to: "SCAN", on: connection)
        }
        return ScanPage(keys: page.compactMap(Self.key(from:)), next: next)
    }

    /// The stored value of each key, nil where the key is gone or is not a string (MGET's nil):
    /// one pipelined round trip of MGETs in chunks.
    public func values(of keys: [String]) throws(ScheduleStoreError) -> [[UInt8]?] {
        guard !keys.isEmpty else { return [] }
        let replies: [RedisReply]
        do {
            replies = try connection.pipeline(Self.valuesRequest(of: keys[...]))
        } catch {
            throw .redis(error)
        }
        return try values(from: replies, count: keys.count)
    }

    /// The values answering MGETs of `count` keys written earlier (`valuesRequest`).
    private func values(answering request: RedisConnection.PendingReplies, count: Int) throws(ScheduleStoreError) -> [[UInt8]?] {
        let replies: [RedisReply]
        do {
            replies = try connection.readReplies(request)
        } catch {
            throw .redis(error)
        }
        return try values(from: replies, count: count)
    }

    private static func valuesRequest(of keys: ArraySlice<String>) -> RedisPipeline {
        var pipeline = RedisPipeline(reservingCapacity: keys.reduce(64) { $0 + $1.utf8.count + 16 })
        var start = keys.startIndex
        while start < keys.endIndex {
            let chunk = keys[start..<min(start + Self.chunkSize, keys.endIndex)]
            pipeline.beginCommand("MGET", argumentCount: chunk.count)
            for key in chunk { pipeline.appendArgument(key) }
            start = chunk.endIndex
        }
        return pipeline
    }

    private func values(from replies: [RedisReply], count: Int) throws(ScheduleStoreError) -> [[UInt8]?] {
        var values: [[UInt8]?] = []
        values.reserveCapacity(count)
        for reply in replies {
            guard let elements = reply.array else { throw .unexpected(reply, to: "MGET", on: connection) }
            for element in elements { values.append(element.bytes) }
        }
        guard values.count == count else {
            throw ScheduleStoreError(.unavailable, "redis \(connection.endpoint) answered MGET with \(values.count) values for \(count) keys")
        }
        return values
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

    /// The Redis type of `key` (`string`, `hash`, `none`, ...), to say why a key cannot be read.
    public func type(of key: String) throws(ScheduleStoreError) -> String {
        let reply = try send(RedisCommand("TYPE", arguments: [key]), "TYPE")
        guard let type = reply.string, !reply.isError else { throw .unexpected(reply, to: "TYPE", on: connection) }
        return type
    }

    func name(of key: String) -> String {
        Self.name(of: key, prefix: keyPrefix)
    }

    /// `key` without the first `prefix.count` characters.
    ///
    /// Dropping the prefix's bytes is dropping its characters when the key starts with them, they
    /// are all ASCII without a carriage return (which would pair with a following line feed), and
    /// an ASCII byte follows (nothing combines with the prefix's last character); counting
    /// characters costs more than the rest of reading a key.
    public static func name(of key: String, prefix: String) -> String {
        var key = key
        var prefix = prefix
        let name = key.withUTF8 { key in
            prefix.withUTF8 { prefix -> String? in
                guard key.count >= prefix.count, key.count == prefix.count || key[prefix.count] < 0x80 else { return nil }
                for offset in prefix.indices where key[offset] != prefix[offset] || prefix[offset] >= 0x80 || prefix[offset] == 0x0D {
                    return nil
                }
                return String(decoding: UnsafeBufferPointer(rebasing: key[prefix.count...]), as: UTF8.self)
            }
        }
        return name ?? String(key.dropFirst(prefix.count))
    }

    /// A key SCAN returned, as text: what `RedisReply.string` gives, without validating ASCII.
    static func key(from reply: RedisReply) -> String? {
        guard case .bulk(let bytes) = reply, !bytes.contains(where: { $0 >= 0x80 }) else { return reply.string }
        return String(decoding: bytes, as: UTF8.self)
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
