/// How a change to an entry reaches a running beat at once: whoever writes an entry (the
/// `swiftbeat` commands) publishes its key on this channel, and `run` subscribes to it.
///
/// Pub/sub channels are server-wide, so the name carries the database and the key prefix: two
/// schedules on one Redis server do not wake each other. Raw edits made with redis-cli publish
/// nothing; the periodic reload finds them (and keyspace notifications, where the server has them on).
public enum EntryChanges {
    public static func channel(database: Int, keyPrefix: String) -> String {
        "swiftbeat:changes:\(database):\(keyPrefix)"
    }

    /// The payload that asks for a full reload instead of one key (after an import).
    public static let everything = "*"
}
