#if canImport(Glibc)
import Glibc
#endif

/// This process as a Celery producer: what Celery puts in `origin` and `reply_to`, and a source of
/// task ids.
public struct CeleryProducer: Sendable {
    /// `gen<pid>@<hostname>`, as Celery's `anon_nodename()`.
    public let origin: String
    /// One UUID per process, like Celery's per-thread `thread_oid`; only the `rpc://` result backend reads it.
    public let replyTo: String
    public var ids: UUID4Generator

    public init() {
        var ids = UUID4Generator()
        self.replyTo = ids.next()
        self.ids = ids
        self.origin = "gen\(getpid())@\(Self.hostname)"
    }

    public mutating func nextTaskID() -> String {
        ids.next()
    }

    /// The machine's host name, as Python's `socket.gethostname()` returns it.
    public static var hostname: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
