import AMQPClient
import TestSupport

/// The test broker behind a `FreezableProxy`, for the tests that make it stop reading or go
/// silent: an admin client on the direct URL, a connection through the proxy with `queue` ensured.
/// Released, it stops the proxy and deletes the queue.
final class ProxiedBroker {
    let admin: AMQPTestClient
    let queue: String
    let proxy: FreezableProxy
    let connection: AMQPConnection

    /// `query` is appended to the proxied URL (`?heartbeat=1`); `configure` adjusts the rest.
    init(queue: String, query: String = "", configure: (inout AMQPConfiguration) -> Void = { _ in }) throws {
        let server = try AMQPTestServer.required()
        admin = try AMQPTestClient(url: server.url)
        self.queue = queue
        proxy = try FreezableProxy(targetPort: try AMQPEndpoint(url: server.url).port)
        var configuration = try AMQPConfiguration(url: "amqp://guest:guest@127.0.0.1:\(proxy.port)//\(query)")
        configure(&configuration)
        connection = try AMQPConnection(configuration: configuration)
        try connection.ensureQueue(queue)
    }

    deinit {
        proxy.stop()
        admin.deleteQueue(queue)
    }
}
