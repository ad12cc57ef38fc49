import Foundation

/// The private RabbitMQ node that `scripts/rabbitmq start` runs, as `scripts/rabbitmq env` describes
/// it. Integration tests are enabled with `.enabled(if: AMQPTestServer.isAvailable)`: when the
/// variables are absent they are skipped (the top-level test script always sets them and checks
/// that nothing was skipped).
public struct AMQPTestServer: Sendable {
    /// `amqp://guest:guest@127.0.0.1:5673//` (SWIFTBEAT_TEST_AMQP_URL).
    public let url: String
    /// `amqps://guest:guest@127.0.0.1:5674//`, without TLS options (SWIFTBEAT_TEST_AMQPS_URL).
    public let tlsURL: String
    /// The CA that signed the broker's and the client's certificates (SWIFTBEAT_TEST_AMQP_CA).
    public let caFile: String
    /// A CA that signed nothing (SWIFTBEAT_TEST_AMQP_OTHER_CA).
    public let otherCAFile: String
    public let clientCertificateFile: String
    public let clientKeyFile: String
    /// `scripts/rabbitmq`, to run rabbitmqctl against the node (SWIFTBEAT_TEST_RABBITMQ_SCRIPT).
    public let script: String

    /// The server from the environment, or nil when any variable is missing.
    public static let current: AMQPTestServer? = {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment["SWIFTBEAT_TEST_AMQP_URL"],
            let tlsURL = environment["SWIFTBEAT_TEST_AMQPS_URL"],
            let caFile = environment["SWIFTBEAT_TEST_AMQP_CA"],
            let otherCAFile = environment["SWIFTBEAT_TEST_AMQP_OTHER_CA"],
            let clientCertificateFile = environment["SWIFTBEAT_TEST_AMQP_CLIENT_CERT"],
            let clientKeyFile = environment["SWIFTBEAT_TEST_AMQP_CLIENT_KEY"],
            let script = environment["SWIFTBEAT_TEST_RABBITMQ_SCRIPT"]
        else { return nil }
        return AMQPTestServer(
            url: url, tlsURL: tlsURL, caFile: caFile, otherCAFile: otherCAFile,
            clientCertificateFile: clientCertificateFile, clientKeyFile: clientKeyFile, script: script)
    }()

    public static var isAvailable: Bool { current != nil }

    /// The server, or a failure that says how to start it.
    public static func required() throws -> AMQPTestServer {
        guard let current else {
            throw AMQPTestServerError(
                "SWIFTBEAT_TEST_AMQP_* are not set; run: set -a; eval \"$(scripts/rabbitmq env)\"; set +a")
        }
        return current
    }

    /// The TLS URL with query options, values percent-encoded.
    public func tlsURL(_ options: KeyValuePairs<String, String>) -> String {
        let query = options.map { "\($0.key)=\(Self.queryEncoded($0.value))" }.joined(separator: "&")
        return query.isEmpty ? tlsURL : "\(tlsURL)?\(query)"
    }

    static func queryEncoded(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~/")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }

    /// A queue (or exchange) name no other test uses: `swiftbeat-test-<label>-<random>`.
    public static func uniqueName(_ label: String) -> String {
        "swiftbeat-test-\(label)-\(UInt64.random(in: 0...UInt64.max) % 1_000_000_000)"
    }

    /// Creates a virtual host where guest may do anything, and returns the broker's URL for it.
    /// Tests that run Celery workers use one each, so that workers of different Celery versions
    /// never consume each other's `celery` queue. Remove it with `deleteVirtualHost`.
    public func makeVirtualHost(_ name: String) throws -> String {
        try rabbitmqctl("-q", "add_vhost", name)
        try rabbitmqctl("-q", "set_permissions", "-p", name, "guest", ".*", ".*", ".*")
        return url(virtualHost: name)
    }

    public func deleteVirtualHost(_ name: String) throws {
        try rabbitmqctl("-q", "delete_vhost", name)
    }

    /// `url` with another virtual host (kombu's convention: the URL path, percent-encoded).
    public func url(virtualHost: String) -> String {
        let base = url.hasSuffix("//") ? String(url.dropLast()) : url.hasSuffix("/") ? url : url + "/"
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return base + (virtualHost.addingPercentEncoding(withAllowedCharacters: allowed) ?? virtualHost)
    }

    /// Runs `scripts/rabbitmq ctl ARGUMENTS` and returns its standard output.
    @discardableResult
    public func rabbitmqctl(_ arguments: String...) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: script)
        process.arguments = ["ctl"] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw AMQPTestServerError(
                "rabbitmqctl \(arguments.joined(separator: " ")) exited \(process.terminationStatus): "
                    + String(decoding: err, as: UTF8.self))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Closes, on the broker side, every connection whose client gave `connectionName` (as
    /// `rabbitmqctl close_connection` does to a real client). Returns how many it closed.
    @discardableResult
    public func closeConnections(named connectionName: String) throws -> Int {
        // RabbitMQ 3.10's rabbitmqctl has no user_provided_name column; the name is among the
        // client properties, printed as {"connection_name","NAME"}.
        let listing = try rabbitmqctl("-q", "--no-table-headers", "list_connections", "pid", "client_properties")
        var closed = 0
        for line in listing.split(separator: "\n") {
            let columns = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            guard columns.count == 2, columns[1].contains("{\"connection_name\",\"\(connectionName)\"}")
            else { continue }
            try rabbitmqctl("close_connection", String(columns[0]), "closed by a swiftbeat test")
            closed += 1
        }
        guard closed > 0 else {
            throw AMQPTestServerError("no connection named \(connectionName) among: \(listing)")
        }
        return closed
    }
}

public struct AMQPTestServerError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
