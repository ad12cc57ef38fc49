import AMQPClient
import Testing

@Suite("Broker URLs parse as kombu reads them")
struct AMQPConfigurationTests {
    private func endpoint(_ url: String) throws -> AMQPEndpoint {
        let configuration = try AMQPConfiguration(url: url)
        try #require(configuration.endpoints.count == 1)
        return configuration.endpoints[0]
    }

    @Test("A full URL gives user, password, host, port and vhost")
    func fullURL() throws {
        let endpoint = try endpoint("amqp://alice:s3cret@broker.example:5673//")
        #expect(endpoint.user == "alice")
        #expect(endpoint.password == "s3cret")
        #expect(endpoint.host == "broker.example")
        #expect(endpoint.port == 5673)
        #expect(endpoint.virtualHost == "/")
        #expect(endpoint.tls == nil)
        #expect(endpoint.heartbeat == 60)
        #expect(endpoint.connectTimeout == .seconds(10))
    }

    @Test(
        "The vhost is the URL-decoded path after the first slash; empty means /",
        arguments: [
            ("amqp://h", "/"), ("amqp://h/", "/"), ("amqp://h//", "/"), ("amqp://h/foo", "foo"),
            ("amqp://h/%2Ffoo", "/foo"), ("amqp://h//foo", "/foo"), ("amqp://h:5672/a%20b", "a b"),
            ("amqp://h/foo?heartbeat=5", "foo"),
        ])
    func virtualHost(url: String, expected: String) throws {
        #expect(try endpoint(url).virtualHost == expected)
    }

    @Test("Defaults are guest/guest on port 5672, and 5671 for amqps")
    func defaults() throws {
        let plain = try endpoint("amqp://localhost")
        #expect(plain.user == "guest" && plain.password == "guest" && plain.port == 5672)
        let tls = try endpoint("amqps://localhost//")
        #expect(tls.port == 5671)
        #expect(tls.tls == AMQPTLSOptions(verifyCertificate: true, verifyHostname: true))
    }

    @Test("pyamqp and librabbitmq are aliases of amqp; schemes are case-insensitive")
    func aliases() throws {
        #expect(try endpoint("pyamqp://u:p@h:1//") == endpoint("amqp://u:p@h:1//"))
        #expect(try endpoint("librabbitmq://u:p@h:1//") == endpoint("amqp://u:p@h:1//"))
        #expect(try endpoint("AMQP://u:p@h:1//") == endpoint("amqp://u:p@h:1//"))
    }

    @Test("User and password are URL-decoded; the last @ ends them")
    func encodedCredentials() throws {
        let decoded = try endpoint("amqp://us%40er:p%3Ass%2F@h//")
        #expect(decoded.user == "us@er")
        #expect(decoded.password == "p:ss/")
        let atInPassword = try endpoint("amqp://u:p@ss@h//")
        #expect(atInPassword.password == "p@ss")
        #expect(atInPassword.host == "h")
        let userOnly = try endpoint("amqp://bob@h//")
        #expect(userOnly.user == "bob" && userOnly.password == "guest")
    }

    @Test("An IPv6 host is written in brackets")
    func ipv6() throws {
        let endpoint = try endpoint("amqp://[::1]:5673//")
        #expect(endpoint.host == "::1")
        #expect(endpoint.port == 5673)
        #expect(endpoint.hostAndPort == "[::1]:5673")
    }

    @Test("heartbeat and connect_timeout options")
    func timingOptions() throws {
        let endpoint = try endpoint("amqp://h//?heartbeat=10&connect_timeout=2.5")
        #expect(endpoint.heartbeat == 10)
        #expect(endpoint.connectTimeout == .milliseconds(2500))
        #expect(try self.endpoint("amqp://h//?heartbeat=0").heartbeat == 0)
    }

    @Test("TLS options name the CA, the client certificate, and can turn verification off")
    func tlsOptions() throws {
        let endpoint = try endpoint(
            "amqps://h//?ssl_ca_certs=/etc/ca%20dir/ca.pem&ssl_certfile=/c.pem&ssl_keyfile=/c.key")
        #expect(
            endpoint.tls
                == AMQPTLSOptions(
                    caCertificatesFile: "/etc/ca dir/ca.pem", clientCertificateFile: "/c.pem", clientKeyFile: "/c.key"))
        let unverified = try self.endpoint("amqps://h//?ssl_cert_reqs=CERT_NONE")
        #expect(unverified.tls?.verifyCertificate == false)
        #expect(unverified.tls?.verifyHostname == false)
        let noHostname = try self.endpoint("amqps://h//?ssl_check_hostname=false")
        #expect(noHostname.tls?.verifyCertificate == true)
        #expect(noHostname.tls?.verifyHostname == false)
        #expect(try self.endpoint("amqps://h//?ssl_cert_reqs=required").tls?.verifyCertificate == true)
    }

    @Test("A ;-separated list gives the failover endpoints in order")
    func failoverList() throws {
        let configuration = try AMQPConfiguration(url: "amqp://a:1// ; amqps://u:p@b//?heartbeat=5;pyamqp://c/v")
        #expect(configuration.endpoints.map(\.host) == ["a", "b", "c"])
        #expect(configuration.endpoints.map(\.port) == [1, 5671, 5672])
        #expect(configuration.endpoints[1].heartbeat == 5)
        #expect(configuration.endpoints[2].virtualHost == "v")
        #expect(configuration.redacted == "amqp://guest:***@a:1//;amqps://u:***@b:5671//;amqp://guest:***@c:5672/v")
    }

    @Test(
        "Redacted URLs hide the password and read back to the same vhost",
        arguments: [
            ("amqp://guest:guest@127.0.0.1:5672//", "amqp://guest:***@127.0.0.1:5672//"),
            ("amqp://u:p@h/foo", "amqp://u:***@h:5672/foo"),
            ("amqp://u:p@h/%2Ffoo", "amqp://u:***@h:5672//foo"),
            ("amqps://us%40er:p@[::1]//", "amqps://us%40er:***@[::1]:5671//"),
        ])
    func redacted(url: String, expected: String) throws {
        let endpoint = try endpoint(url)
        #expect(endpoint.redacted == expected)
        #expect("\(endpoint)" == expected)
        #expect(String(reflecting: endpoint) == expected)
        #expect(String(reflecting: try AMQPConfiguration(url: url)) == expected)
        let reparsed = try self.endpoint(expected)
        #expect(reparsed.virtualHost == endpoint.virtualHost)
        #expect(reparsed.user == endpoint.user)
    }

    @Test(
        "Bad input is a clear error that never shows the password",
        arguments: [
            ("redis://u:topsecret@h//", "unknown scheme \"redis\""),
            ("u:topsecret@h:5672", "has no scheme"),
            ("amqp://u:topsecret@h:0//", "port \"0\""),
            ("amqp://u:topsecret@h:65536//", "port \"65536\""),
            ("amqp://u:topsecret@h:5x//", "port \"5x\""),
            ("amqp://u:topsecret@h://", "port \"\""),
            ("amqp://u:topsecret@:5672//", "has no host"),
            ("amqp://", "has no host"),
            ("amqp://u:topsecret@h//?heartbeat=soon", "heartbeat=soon"),
            ("amqp://u:topsecret@h//?heartbeat=70000", "heartbeat=70000"),
            ("amqp://u:topsecret@h//?connect_timeout=0", "connect_timeout=0"),
            ("amqp://u:topsecret@h//?ssl_ca_certs=/ca.pem", "not amqps://"),
            ("amqps://u:topsecret@h//?ssl_certfile=/c.pem", "both ssl_certfile and ssl_keyfile"),
            ("amqps://u:topsecret@h//?ssl_cert_reqs=maybe", "ssl_cert_reqs=maybe"),
            ("amqp://u:topsecret@h//?hearbeat=5", "unknown option \"hearbeat\""),
            ("amqp://u:topsecret@h/%ZZ", "badly encoded vhost"),
            ("amqp://u:topsecret@h//;", "empty entry"),
            ("amqp://u:top#secret@h//", "fragment"),
        ])
    func invalid(url: String, expectedText: String) throws {
        let error = try #require(throws: AMQPClientError.self) { try AMQPConfiguration(url: url) }
        #expect(error.kind == .invalidConfiguration)
        #expect(error.description.contains(expectedText), "\(error)")
        #expect(!error.description.contains("topsecret"), "\(error)")
        #expect(!error.description.contains("top#secret"), "\(error)")
    }
}
