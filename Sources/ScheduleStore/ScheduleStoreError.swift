public import BeatCore
public import RedisClient

/// Why reading or writing entries failed: the kind decides the exit code of the commands
/// (bad input 1, Redis unavailable 2), the description is one line without secrets (Redis
/// errors never quote a password; see `RedisClientError`).
public struct ScheduleStoreError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// Redis could not be reached, failed, or answered with an error.
        case unavailable
        /// The entry would be invalid; nothing was written.
        case invalidEntry
        /// The key holds a Redis type other than a string.
        case notAString
        /// The entry kept changing under a compare-and-set, more times than it was retried.
        case conflict
    }

    public var kind: Kind
    public var description: String

    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }

    public static func redis(_ error: RedisClientError) -> ScheduleStoreError {
        ScheduleStoreError(.unavailable, error.description)
    }

    public static func invalid(_ error: EntryError) -> ScheduleStoreError {
        ScheduleStoreError(.invalidEntry, error.description)
    }

    public static func unexpected(_ reply: RedisReply, to what: String, on connection: RedisConnection) -> ScheduleStoreError {
        let text = reply.errorMessage.map { "error \"\($0)\"" } ?? "\(reply)"
        return ScheduleStoreError(
            .unavailable, "redis \(connection.endpoint) answered \(what) with \(text)")
    }
}
