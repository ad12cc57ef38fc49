/// Where and how to connect: parsed once from a broker URL, following kombu's conventions so a
/// `CELERY_BROKER_URL` that works for Celery works here.
///
/// URL form: `amqp://user:password@host:port/vhost?option=value&...`, several separated by `;`
/// for failover (tried in order at every connect, as kombu does).
///
/// - Schemes: `amqp`, and its kombu aliases `pyamqp` and `librabbitmq`; `amqps` for TLS.
/// - User and password: URL-decoded; `guest`/`guest` when absent.
/// - Port: 5672, or 5671 for `amqps`.
/// - Virtual host: the URL-decoded path after the first `/`, so `//` is `/`, an empty path is `/`,
///   `/foo` is `foo` and `/%2Ffoo` is `/foo`.
///
/// Query options (per URL; anything else is an error, so a typo never goes unnoticed):
/// - `heartbeat=N`: seconds, 0 turns heartbeats off. Default 60: RabbitMQ's own default, and what
///   Celery's 120 negotiates to against a default RabbitMQ (the lower of the two wins). librabbitmq
///   only sends heartbeats from inside its calls, so an idle beat calls
///   `AMQPConnection.serviceHeartbeats()` every few seconds.
/// - `connect_timeout=S`: seconds (decimals allowed) for the TCP connect, then again for the TLS and
///   AMQP handshakes. Default 10.
/// - `amqps` only, named after py-amqp/kombu's `ssl` options:
///   - `ssl_ca_certs=PATH`: the CA certificates (PEM) to verify the broker with. Default: the system
///     bundle (`/etc/ssl/certs/ca-certificates.crt` on Debian).
///   - `ssl_certfile=PATH` and `ssl_keyfile=PATH`: a client certificate and its key (both or neither).
///   - `ssl_cert_reqs=required|none` (also `CERT_REQUIRED`, `CERT_NONE`; `optional` counts as
///     `required`, because a broker always presents a certificate): `none` turns certificate and
///     host-name verification off. Default `required`.
///   - `ssl_check_hostname=true|false`: host-name verification alone. Default `true`.
public struct AMQPConfiguration: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The brokers to try, in order.
    public var endpoints: [AMQPEndpoint]
    /// Bound on every wait once connected: an RPC (queue declaration, channel open) and the silence
    /// between two confirms while a batch is confirmed. Default 30 s.
    public var operationTimeout: Duration
    /// Shown by RabbitMQ (`rabbitmqctl list_connections user_provided_name`); default `swiftbeat`.
    public var connectionName: String

    public init(endpoints: [AMQPEndpoint], operationTimeout: Duration = .seconds(30), connectionName: String = "swiftbeat")
    {
        self.endpoints = endpoints
        self.operationTimeout = operationTimeout
        self.connectionName = connectionName
    }

    /// Parses a URL, or a `;`-separated failover list of URLs; see the type's documentation.
    public init(url: String) throws(AMQPClientError) {
        let parts = url.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingSpaces() }
        guard !parts.isEmpty, !parts.contains(where: \.isEmpty) else {
            throw .invalidConfiguration("broker URL list \"\(AMQPEndpoint.redactedList(url))\" has an empty entry")
        }
        var endpoints: [AMQPEndpoint] = []
        for part in parts {
            endpoints.append(try AMQPEndpoint(url: String(part)))
        }
        self.init(endpoints: endpoints)
    }

    /// The URLs with passwords replaced by `***`, `;`-separated.
    public var redacted: String {
        endpoints.map(\.redacted).joined(separator: ";")
    }

    public var description: String { redacted }
    /// Redacted too, so `debugPrint` and test failure messages never show a password.
    public var debugDescription: String { redacted }
}

/// One broker of the failover list. `description` and `debugDescription` hide the password.
public struct AMQPEndpoint: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String
    public var virtualHost: String
    /// nil: plain TCP (`amqp://`).
    public var tls: AMQPTLSOptions?
    /// Seconds; 0 turns heartbeats off.
    public var heartbeat: Int
    public var connectTimeout: Duration

    public init(
        host: String, port: Int? = nil, user: String = "guest", password: String = "guest", virtualHost: String = "/",
        tls: AMQPTLSOptions? = nil, heartbeat: Int = 60, connectTimeout: Duration = .seconds(10)
    ) {
        self.host = host
        self.port = port ?? (tls == nil ? 5672 : 5671)
        self.user = user
        self.password = password
        self.virtualHost = virtualHost
        self.tls = tls
        self.heartbeat = heartbeat
        self.connectTimeout = connectTimeout
    }

    /// `amqp://guest:***@127.0.0.1:5672//`: the vhost written so that kombu reads it back the same.
    public var redacted: String {
        let scheme = tls == nil ? "amqp" : "amqps"
        return "\(scheme)://\(percentEncoded(user)):***@\(hostAndPort)/\(percentEncoded(virtualHost, keeping: ["/"]))"
    }

    public var description: String { redacted }
    public var debugDescription: String { redacted }

    /// `127.0.0.1:5672`, `[::1]:5672`: how errors name the broker.
    public var hostAndPort: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// `127.0.0.1:5672 vhost "/"`.
    var location: String { "\(hostAndPort) vhost \"\(virtualHost)\"" }
}

/// TLS settings of an `amqps://` endpoint. Verification is on unless turned off explicitly.
public struct AMQPTLSOptions: Sendable, Equatable {
    /// PEM file of the CAs that may sign the broker's certificate; nil: the system bundle.
    public var caCertificatesFile: String?
    public var clientCertificateFile: String?
    public var clientKeyFile: String?
    /// Check that a trusted CA signed the broker's certificate.
    public var verifyCertificate: Bool
    /// Check that the certificate names the host of the URL. librabbitmq 0.11 compares the host with
    /// the certificate's DNS names (or its CN when it has none), never with IP-address entries.
    public var verifyHostname: Bool

    public init(
        caCertificatesFile: String? = nil, clientCertificateFile: String? = nil, clientKeyFile: String? = nil,
        verifyCertificate: Bool = true, verifyHostname: Bool = true
    ) {
        self.caCertificatesFile = caCertificatesFile
        self.clientCertificateFile = clientCertificateFile
        self.clientKeyFile = clientKeyFile
        self.verifyCertificate = verifyCertificate
        self.verifyHostname = verifyHostname
    }

    /// Where Debian, Ubuntu and Alpine (then RHEL, then macOS/BSD) keep the system CA bundle.
    /// librabbitmq loads no CAs by default, so "the system CAs" means naming this file.
    static let systemBundleCandidates = [
        "/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem",
    ]
}
