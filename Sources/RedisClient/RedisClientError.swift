/// Everything that can go wrong in `RedisClient`, as one sentence that names the operation,
/// the server and the cause.
///
/// A struct over a `Kind` rather than an enum of payload cases, so that callers switch on a
/// small set of kinds while each message carries whatever detail helps the reader; the
/// sentence is built where the facts are known, once. No description ever contains a
/// password: URLs are redacted before they are quoted, and commands are named, never
/// quoted with their arguments.
public struct RedisClientError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The URL or configuration was rejected before any connection was tried.
        case invalidConfiguration
        /// The TCP or unix socket connection could not be made (refused, unreachable, connect timeout).
        case connectFailed
        /// TLS failed: the server's certificate did not verify (CA, host name), or the server
        /// refused the client's certificate. Retrying will not help until a setting changes.
        case tlsFailed
        /// The server rejected AUTH.
        case authenticationFailed
        /// The server rejected SELECT of the configured database.
        case selectFailed
        /// The server did not answer within the command timeout.
        case timedOut
        /// The server closed or reset the connection.
        case connectionClosed
        /// Any other socket, TLS or RESP failure.
        case ioFailed
        /// The server sent bytes that are not RESP.
        case protocolViolation
        /// The connection was closed with `close()`, or is down after a failed read.
        case notConnected
        /// The call is not allowed in the connection's current state.
        case misuse
    }

    public let kind: Kind
    public let description: String
    /// Whether any byte of the failed request may have reached redis, so some of its commands
    /// may have run. When this is false (for example the reconnect before sending failed),
    /// retrying cannot run a command twice; when it is true, the caller must decide.
    public let commandsMayHaveRun: Bool

    init(_ kind: Kind, _ description: String, commandsMayHaveRun: Bool = false) {
        self.kind = kind
        self.description = description
        self.commandsMayHaveRun = commandsMayHaveRun
    }
}

extension RedisClientError {
    static func invalidURL(_ url: String, _ problem: String) -> RedisClientError {
        RedisClientError(.invalidConfiguration, "invalid redis URL \"\(redactingCredentials(in: url))\": \(problem)")
    }
}

/// Hides the credentials in a URL that may not parse, so that an error about a malformed
/// URL never repeats a secret: `password=` query values, and the userinfo up to the last "@"
/// (all of it when it has no ":", since `redis://secret@host` is a common slip for
/// `redis://:secret@host`). It errs on the side of hiding too much, because the URL could
/// not be parsed and a password may hold unescaped "/", "?" or "@". Public for the command line,
/// which must hide a URL wherever it echoes one, whatever its scheme.
public func redactingCredentials(in url: String) -> String {
    var redacted = ""
    var rest = Substring(url)
    while let found = rest.firstRange(ofCaseInsensitive: "password=") {
        redacted += rest[..<found.upperBound] + "***"
        rest = rest[found.upperBound...]
        rest = rest[(rest.firstIndex(of: "&") ?? rest.endIndex)...]
    }
    redacted += rest

    guard let schemeEnd = redacted.firstIndex(of: ":"), redacted[schemeEnd...].hasPrefix("://"),
        let at = redacted.lastIndex(of: "@")
    else { return redacted }
    let userinfoStart = redacted.index(schemeEnd, offsetBy: 3)
    guard userinfoStart <= at else { return redacted }
    let userinfo = redacted[userinfoStart..<at]
    let shown = userinfo.firstIndex(of: ":").map { userinfo[...$0] + "***" } ?? "***"
    return redacted[..<userinfoStart] + shown + redacted[at...]
}

extension Substring {
    fileprivate func firstRange(ofCaseInsensitive needle: String) -> Range<Index>? {
        let needle = Array(needle.utf8)
        var start = startIndex
        while start < endIndex {
            var candidate = self[start...].utf8.makeIterator()
            if needle.allSatisfy({ byte in candidate.next().map { $0 | 0x20 == byte | 0x20 } ?? false }) {
                return start..<utf8.index(start, offsetBy: needle.count)
            }
            start = index(after: start)
        }
        return nil
    }
}
