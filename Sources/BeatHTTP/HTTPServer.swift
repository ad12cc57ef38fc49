import CMicroHTTPD

/// The beat's HTTP endpoint: libmicrohttpd on its own thread (see CMicroHTTPD.h for why that
/// library), answering through `handler`. The beat's loop never serves a socket: the handler
/// reads what the loop published (`BeatTelemetry`) or asks Redis on a connection of its own.
///
/// One request at a time, on the server's thread: a handler that waits on Redis delays the next
/// request, never a firing.
public final class HTTPServer {
    /// What a slow or hostile client can hold: connections beyond the limits are refused at once,
    /// an idle or trickling connection (slowloris) is closed after `idleTimeoutSeconds`, and a
    /// request line with headers larger than `memoryPerConnection` is refused.
    public struct Limits: Sendable {
        public var connections: UInt32 = 64
        public var connectionsPerAddress: UInt32 = 32
        public var idleTimeoutSeconds: UInt32 = 10
        public var memoryPerConnection = 32 * 1024

        public init() {}
    }

    public typealias Handler = @Sendable (HTTPRequest) -> HTTPResponse

    private let server: OpaquePointer
    private let context: Unmanaged<HandlerBox>
    /// The port it listens on (the kernel's choice when asked for port 0).
    public let port: UInt16

    /// Starts listening on `host` (an IP address) and `port`; throws a sentence saying why not.
    public init(host: String, port: UInt16, limits: Limits = Limits(), handler: @escaping Handler) throws(HTTPServerError) {
        let context = Unmanaged.passRetained(HandlerBox(handler))
        var server: OpaquePointer?
        let cLimits = swiftbeat_http_limits(
            connections: limits.connections, connections_per_ip: limits.connectionsPerAddress,
            idle_timeout_seconds: limits.idleTimeoutSeconds, memory_per_connection: limits.memoryPerConnection)
        if let failure = swiftbeat_http_start(host, port, cLimits, answer, context.toOpaque(), &server) {
            context.release()
            throw HTTPServerError(address: "\(host):\(port)", reason: String(cString: failure))
        }
        guard let server else {
            context.release()
            throw HTTPServerError(address: "\(host):\(port)", reason: "the server did not start")
        }
        self.server = server
        self.context = context
        self.port = swiftbeat_http_port(server)
    }

    deinit {
        swiftbeat_http_stop(server)
        context.release()
    }
}

/// The handler, kept alive for the C side by the server.
private final class HandlerBox {
    let handler: HTTPServer.Handler
    init(_ handler: @escaping HTTPServer.Handler) { self.handler = handler }
}

/// The C callback: builds the request, runs the handler, queues its answer.
private func answer(
    context: UnsafeMutableRawPointer?, request: OpaquePointer?, method: UnsafePointer<CChar>?, path: UnsafePointer<CChar>?
) {
    guard let context, let request else { return }
    let box = Unmanaged<HandlerBox>.fromOpaque(context).takeUnretainedValue()
    let incoming = HTTPRequest(
        method: method.map { String(cString: $0) } ?? "", path: path.map { String(cString: $0) } ?? "/",
        argument: { name in swiftbeat_http_argument(request, name).map { String(cString: $0) } })
    let response = box.handler(incoming)
    response.body.withUnsafeBytes { body in
        swiftbeat_http_respond(request, UInt32(response.status), response.contentType, body.baseAddress, body.count)
    }
}

public struct HTTPServerError: Error, CustomStringConvertible {
    public var address: String
    public var reason: String

    public var description: String { "cannot serve HTTP on \(address): \(reason)" }
}
