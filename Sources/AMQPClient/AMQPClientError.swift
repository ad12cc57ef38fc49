/// Every failure of this module: a one-line sentence that names the operation, the broker
/// (`host:port` and vhost, never the password) and, when the broker gave one, its reply code and text.
///
/// `kind` lets callers decide what to do; `failedMessages` says, for `publish`, which messages of
/// the batch the broker did not confirm and whether they may still have been queued.
public struct AMQPClientError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// A bad URL, option or value; retrying will not help.
        case invalidConfiguration
        /// A message that cannot be encoded (a header key over 255 bytes, a NUL in a string property).
        case invalidMessage
        /// TCP connect, name resolution or the AMQP handshake failed.
        case connectionFailed
        /// The TLS handshake or the certificate verification failed.
        case tlsFailed
        /// The broker refused the user, the password or the vhost.
        case loginRefused
        /// The connection broke or the broker closed it; the next call reconnects.
        case connectionLost
        /// The broker closed the channel (the reply code says why); the next call reopens it.
        case channelClosed
        /// A bounded wait ran out; the connection is dropped and the next call reconnects.
        case timedOut
        /// The broker returned (unroutable) or refused (nack) messages of a batch.
        case publishRejected
        /// `close()` was called; this connection object does not reconnect any more.
        case closed
    }

    public let kind: Kind
    public let description: String
    /// The AMQP reply code when the broker sent one (312 NO_ROUTE, 404 NOT_FOUND, 403 ACCESS_REFUSED...).
    public let replyCode: UInt16?
    /// For `publish`: the messages of the batch that were not confirmed, by index. Empty otherwise.
    public let failedMessages: [AMQPPublishFailure]

    init(_ kind: Kind, _ description: String, replyCode: UInt16? = nil, failedMessages: [AMQPPublishFailure] = []) {
        self.kind = kind
        self.description = description
        self.replyCode = replyCode
        self.failedMessages = failedMessages
    }

    static func invalidConfiguration(_ description: String) -> AMQPClientError {
        AMQPClientError(.invalidConfiguration, description)
    }

    /// The same failure, told about a batch: which messages it left unconfirmed.
    func publishing(_ failures: [AMQPPublishFailure], batchSize: Int) -> AMQPClientError {
        AMQPClientError(
            kind, description + "; " + AMQPPublishFailure.summary(failures, batchSize: batchSize),
            replyCode: replyCode, failedMessages: failures)
    }
}

/// A message of a published batch that the broker did not confirm.
public struct AMQPPublishFailure: Sendable, Equatable {
    public enum Reason: Sendable, Equatable {
        /// `basic.return`: no queue took it (e.g. NO_ROUTE 312); the broker dropped it.
        case returned(replyCode: UInt16, replyText: String)
        /// `basic.nack`: the broker could not take it.
        case nacked
        /// Sent, but the connection or channel failed, or the wait ended, before its confirm came:
        /// the broker may or may not have queued it.
        case unconfirmed
        /// Never written to the socket.
        case notSent
    }

    /// Position in the batch passed to `publish`.
    public let index: Int
    public let exchange: String
    public let routingKey: String
    public let reason: Reason

    public init(index: Int, exchange: String, routingKey: String, reason: Reason) {
        self.index = index
        self.exchange = exchange
        self.routingKey = routingKey
        self.reason = reason
    }

    /// Only an unconfirmed message may have reached a queue; publishing it again may duplicate it.
    public var mayHaveBeenQueued: Bool { reason == .unconfirmed }

    /// `2 of 1000 messages not confirmed: #3 (returned), #999 (unconfirmed)`.
    static func summary(_ failures: [AMQPPublishFailure], batchSize: Int) -> String {
        let noun = batchSize == 1 ? "message" : "messages"
        guard !failures.isEmpty else { return "all \(batchSize) \(noun) confirmed" }
        var parts: [String] = []
        var start = 0
        // Runs of consecutive indices with the same kind of reason: "#0-#999 (not sent)".
        while start < failures.count {
            var end = start
            while end + 1 < failures.count, failures[end + 1].index == failures[end].index + 1,
                failures[end + 1].reason.label == failures[start].reason.label
            {
                end += 1
            }
            let range = start == end ? "#\(failures[start].index)" : "#\(failures[start].index)-#\(failures[end].index)"
            parts.append("\(range) (\(failures[start].reason.label))")
            start = end + 1
        }
        let shown = parts.count > 8 ? parts.prefix(8) + ["..."] : parts[...]
        return "\(failures.count) of \(batchSize) \(noun) not confirmed: " + shown.joined(separator: ", ")
    }
}

extension AMQPPublishFailure.Reason {
    var label: String {
        switch self {
        case .returned(let code, _): "returned \(AMQPReplyCode.name(code))"
        case .nacked: "nacked"
        case .unconfirmed: "unconfirmed, may be queued"
        case .notSent: "not sent"
        }
    }
}

/// AMQP 0-9-1 reply codes, for sentences such as `NO_ROUTE (312)`.
enum AMQPReplyCode {
    static let noRoute: UInt16 = 312
    static let notFound: UInt16 = 404
    static let preconditionFailed: UInt16 = 406
    static let replySuccess: UInt16 = 200

    static func name(_ code: UInt16) -> String {
        switch code {
        case 200: "REPLY_SUCCESS"
        case 311: "CONTENT_TOO_LARGE"
        case 312: "NO_ROUTE"
        case 313: "NO_CONSUMERS"
        case 320: "CONNECTION_FORCED"
        case 402: "INVALID_PATH"
        case 403: "ACCESS_REFUSED"
        case 404: "NOT_FOUND"
        case 405: "RESOURCE_LOCKED"
        case 406: "PRECONDITION_FAILED"
        case 501: "FRAME_ERROR"
        case 502: "SYNTAX_ERROR"
        case 503: "COMMAND_INVALID"
        case 504: "CHANNEL_ERROR"
        case 505: "UNEXPECTED_FRAME"
        case 506: "RESOURCE_ERROR"
        case 530: "NOT_ALLOWED"
        case 540: "NOT_IMPLEMENTED"
        case 541: "INTERNAL_ERROR"
        default: "reply code"
        }
    }

    /// `NO_ROUTE (312)`, or `NOT_FOUND (404): no queue 'x' in vhost '/'`: RabbitMQ's text is
    /// `NAME - detail`, so the name is not repeated.
    static func describe(_ code: UInt16, _ text: String) -> String {
        let name = name(code)
        var detail = Substring(text)
        if detail.hasPrefix(name) {
            detail = detail.dropFirst(name.count)
            while let first = detail.first, first == " " || first == "-" { detail = detail.dropFirst() }
        }
        return detail.isEmpty ? "\(name) (\(code))" : "\(name) (\(code)): \(detail)"
    }
}
