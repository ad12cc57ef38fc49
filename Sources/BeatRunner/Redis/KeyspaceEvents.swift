/// The server's `notify-keyspace-events` setting, read to decide whether keyspace notifications
/// tell the beat of every raw edit, so that it can stop re-reading every entry to find them.
///
/// Redis publishes `__keyspace@<db>__:<key>` only for the event classes the setting names, and
/// only with `K`; `A` stands for `g$lshzxet`. Unknown letters are kept as they are: the setting
/// is the server's, and the beat only ever adds to it.
struct KeyspaceEvents: Equatable {
    /// The setting's letters, as `CONFIG GET notify-keyspace-events` returns them.
    let flags: String

    /// The classes `A` stands for.
    static let all = "g$lshzxet"

    /// Whether an entry key's writes, deletions, expiries and evictions (`classes`) are all
    /// published on the keyspace channel.
    func cover(_ classes: String) -> Bool {
        flags.contains("K") && classes.allSatisfy { flags.contains($0) || (flags.contains("A") && Self.all.contains($0)) }
    }

    /// The setting with `K` and `classes` added to what the server has (`CONFIG SET` when the user
    /// allows it), keeping every other letter, so another subscriber's events are not taken away.
    func adding(_ classes: String) -> KeyspaceEvents {
        var flags = self.flags
        if !flags.contains("K") { flags.append("K") }
        for letter in classes where !KeyspaceEvents(flags: flags).cover(String(letter)) {
            flags.append(letter)
        }
        return KeyspaceEvents(flags: flags)
    }
}
