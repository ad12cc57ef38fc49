import AMQPClient
import Testing
import TestSupport

/// amqps:// against the TLS listener of `scripts/rabbitmq`, whose certificate the script's own CA
/// signed for localhost and 127.0.0.1.
@Suite("AMQPConnection over TLS", .enabled(if: AMQPTestServer.isAvailable))
struct AMQPTLSTests {
    let server: AMQPTestServer
    let admin: AMQPTestClient

    init() throws {
        server = try AMQPTestServer.required()
        admin = try AMQPTestClient(url: server.url)
    }

    private func publishOne(_ url: String) throws {
        let queue = AMQPTestServer.uniqueName("tls")
        defer { admin.deleteQueue(queue) }
        let connection = try AMQPConnection(configuration: AMQPConfiguration(url: url))
        try connection.ensureQueue(queue)
        try connection.publish([AMQPOutgoingMessage(routingKey: queue, body: Array("over TLS".utf8))])
        #expect(try admin.get(queue)?.body == Array("over TLS".utf8))
        connection.close()
    }

    @Test("With the CA that signed the broker's certificate, the connection verifies and publishes")
    func verifiedWithCA() throws {
        try publishOne(server.tlsURL(["ssl_ca_certs": server.caFile]))
    }

    @Test("A client certificate signed by the broker's CA is accepted")
    func clientCertificate() throws {
        try publishOne(
            server.tlsURL([
                "ssl_ca_certs": server.caFile, "ssl_certfile": server.clientCertificateFile,
                "ssl_keyfile": server.clientKeyFile,
            ]))
    }

    @Test("Verification explicitly turned off connects without a CA")
    func verificationOff() throws {
        try publishOne(server.tlsURL(["ssl_cert_reqs": "none"]))
    }

    @Test("Against a CA that did not sign the certificate, verification fails with a clear error")
    func wrongCA() throws {
        let port = try AMQPEndpoint(url: server.tlsURL).port
        let error = try #require(throws: AMQPClientError.self) {
            try AMQPConnection(configuration: AMQPConfiguration(url: server.tlsURL(["ssl_ca_certs": server.otherCAFile])))
        }
        #expect(error.kind == .tlsFailed)
        #expect(
            error.description
                == "TLS certificate verification failed for 127.0.0.1:\(port): the broker's certificate is not signed by "
                + "the CA certificates in \(server.otherCAFile) (set ssl_ca_certs to the CA that signed it)")
        #expect(!error.description.contains("guest:guest"))
    }

    @Test("Verification is on by default, against the system CAs, which do not know the test CA")
    func systemCAsByDefault() throws {
        let error = try #require(throws: AMQPClientError.self) {
            try AMQPConnection(configuration: AMQPConfiguration(url: server.tlsURL))
        }
        #expect(error.kind == .tlsFailed)
        #expect(error.description.contains("is not signed by the system CAs"), "\(error)")
    }

    @Test("A CA file that cannot be read is named in the error")
    func missingCAFile() throws {
        let error = try #require(throws: AMQPClientError.self) {
            try AMQPConnection(configuration: AMQPConfiguration(url: server.tlsURL(["ssl_ca_certs": "/nonexistent/ca.pem"])))
        }
        #expect(error.kind == .tlsFailed)
        #expect(error.description.contains("cannot load the CA certificates /nonexistent/ca.pem"), "\(error)")
    }

    @Test("Plain AMQP against the TLS port fails the handshake instead of hanging")
    func plainAgainstTLSPort() throws {
        let port = try AMQPEndpoint(url: server.tlsURL).port
        let started = ContinuousClock.now
        let error = try #require(throws: AMQPClientError.self) {
            try AMQPConnection(configuration: AMQPConfiguration(url: "amqp://guest:guest@127.0.0.1:\(port)//?connect_timeout=2"))
        }
        #expect(ContinuousClock.now - started < .seconds(15))
        #expect(error.kind == .connectionFailed)
        #expect(error.description.hasPrefix("AMQP handshake with amqp 127.0.0.1:\(port) vhost \"/\""), "\(error)")
    }
}
