/// Why an entry in Redis cannot be used. The scheduler logs it once per change of the key and
/// skips the entry; every other entry keeps firing.
public struct EntryError: Error, Equatable, Sendable, CustomStringConvertible {
    public var key: String
    public var reason: String

    public init(key: String, reason: String) {
        self.key = key
        self.reason = reason
    }

    public var description: String { "entry \(key): \(reason)" }
}
