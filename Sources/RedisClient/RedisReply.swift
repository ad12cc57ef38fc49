/// One RESP2 reply, copied out of hiredis into plain Swift values.
///
/// Bulk strings stay bytes (`[UInt8]`) because redis values are binary; `string` decodes
/// them on request. An error reply is a value, not a thrown error: in a pipeline one failed
/// command must not hide the replies of the others.
public enum RedisReply: Sendable, Equatable {
    case status(String)
    case error(String)
    case integer(Int64)
    case bulk([UInt8])
    case null
    case array([RedisReply])
}

extension RedisReply {
    /// The text of a status reply, or of a bulk reply that is valid UTF-8.
    public var string: String? {
        switch self {
        case .status(let text): text
        case .bulk(let bytes): String(validating: bytes, as: UTF8.self)
        default: nil
        }
    }

    /// The bytes of a bulk reply.
    public var bytes: [UInt8]? {
        if case .bulk(let bytes) = self { bytes } else { nil }
    }

    /// The value of an integer reply, or of a bulk reply holding decimal text (what GET
    /// returns for a counter).
    public var integer: Int64? {
        switch self {
        case .integer(let value): value
        case .bulk(let bytes): String(validating: bytes, as: UTF8.self).flatMap { Int64($0) }
        default: nil
        }
    }

    public var array: [RedisReply]? {
        if case .array(let elements) = self { elements } else { nil }
    }

    /// The message of an error reply, e.g. `WRONGTYPE Operation against a key ...`.
    public var errorMessage: String? {
        if case .error(let message) = self { message } else { nil }
    }

    public var isOK: Bool { self == .status("OK") }
    public var isNull: Bool { self == .null }
    public var isError: Bool { errorMessage != nil }
}
