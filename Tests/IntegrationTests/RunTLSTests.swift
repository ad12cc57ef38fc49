import Foundation
import JSON
import Testing
import TestSupport

/// swiftbeat against a redis-server that takes only TLS clients with a certificate
/// (`--tls-auth-clients yes`), and a Python Celery worker that consumes over `rediss://` too.
@Suite("send and run over rediss:// with client certificates, to a Celery worker on rediss://", .timeLimit(.minutes(3)))
struct RunTLSTests {
    /// `rediss://localhost:PORT/DB?...`: the test CA, and the client certificate the server requires.
    static func url(_ server: RedisServer, database: Int) throws -> String {
        let certificates = try TestCertificates.shared()
        return "rediss://localhost:\(server.tlsPort)/\(database)?ssl_cert_reqs=required&ssl_ca_certs=\(certificates.caFile)"
            + "&ssl_certfile=\(certificates.clientCertificateFile)&ssl_keyfile=\(certificates.clientKeyFile)"
    }

    @Test("a task sent and an entry fired over TLS reach the worker; the same-server commit and push is one transaction")
    func sendAndRun() throws {
        let venv = try #require(CeleryVenv.all.last)
        try RedisServer.with(RedisServerOptions(tlsClientsAuthenticate: true)) { server in
            let brokerURL = try Self.url(server, database: 0)
            let worker = try CeleryWorker(venv: venv, brokerURL: brokerURL)
            defer { worker.stop() }

            let sent = try SwiftbeatBinary.run(["send", "probe.record", "--args", "[7]", "--broker-url", brokerURL])
            #expect(sent.status == 0, "\(sent.stderr)")
            let id = sent.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(try worker.waitForRecord(id: id)["args"] == .array([.integer(7)]))

            let schedulerURL = try Self.url(server, database: 1)
            let added = try SwiftbeatBinary.run([
                "add", "tick", "--task", "probe.record", "--every", "1s", "--args", "[\"tls\"]", "--scheduler-url", schedulerURL,
            ])
            #expect(added.status == 0, "\(added.stderr)")
            let beat = try SwiftbeatBinary.launch(
                ["run", "--scheduler-url", schedulerURL, "--broker-url", brokerURL, "--reload-interval", "1", "--max-interval", "1"],
                name: "swiftbeat-run-tls")
            defer { beat.stop() }
            try beat.waitForLog(containing: "this node is now the leader")
            #expect(beat.log.contains("commit and push in one redis transaction"))
            let fired = try worker.waitForRecords(count: 4)
            #expect(fired.filter { $0["args"] == .array([.string("tls")]) }.count >= 3)
        }
    }

    @Test("a CA that did not sign the server's certificate: commands exit 2 with one line, run logs and keeps retrying")
    func unverifiedServer() throws {
        try RedisServer.with(RedisServerOptions(password: "s3cret", tls: true)) { server in
            let certificates = try TestCertificates.shared()
            let url = "rediss://:s3cret@localhost:\(server.tlsPort)/1?ssl_ca_certs=\(certificates.otherCAFile)"
            let listed = try SwiftbeatBinary.run(["list", "--scheduler-url", url])
            #expect(listed.status == 2)
            #expect(
                listed.stderr
                    == "swiftbeat: cannot reach the scheduler's redis: cannot connect to redis localhost:\(server.tlsPort): "
                    + "the server's certificate does not verify: self-signed certificate in certificate chain\n")
            let sent = try SwiftbeatBinary.run(["send", "probe.record", "--broker-url", url])
            #expect(sent.status == 2)
            #expect(sent.stderr.split(separator: "\n").count == 1 && sent.stderr.contains("does not verify"), "\(sent.stderr)")
            let missingCA = try SwiftbeatBinary.run(["list", "--scheduler-url", url.replacingOccurrences(of: certificates.otherCAFile, with: "/nonexistent.pem")])
            #expect(missingCA.status == 2)
            #expect(missingCA.stderr.hasSuffix("cannot read the CA file /nonexistent.pem (ssl_ca_certs): No such file or directory\n"), "\(missingCA.stderr)")

            let beat = try SwiftbeatBinary.launch(["run", "--scheduler-url", url, "--broker-url", url], name: "swiftbeat-run-tls-refused")
            defer { beat.stop() }
            try beat.waitForLog(containing: "does not verify")
            #expect(beat.isRunning)
            for output in [listed.stderr, sent.stderr, missingCA.stderr, beat.log] { #expect(!output.contains("s3cret")) }
        }
    }

    /// Celery's `broker_use_ssl` (and `CELERY_REDIS_SCHEDULER_USE_SSL` for the store) in a config
    /// file turn TLS on for plain `redis://` URLs, as kombu does, with the same `ssl_*` options.
    @Test("broker_use_ssl and CELERY_REDIS_SCHEDULER_USE_SSL in a config file put redis:// URLs on TLS")
    func useSSLSettings() throws {
        let venv = try #require(CeleryVenv.all.last)
        try RedisServer.with(RedisServerOptions(tlsClientsAuthenticate: true)) { server in
            let certificates = try TestCertificates.shared()
            let worker = try CeleryWorker(venv: venv, brokerURL: try Self.url(server, database: 0))
            defer { worker.stop() }
            let ssl = "{ssl_cert_reqs: CERT_REQUIRED, ssl_ca_certs: \"\(certificates.caFile)\", "
                + "ssl_certfile: \"\(certificates.clientCertificateFile)\", ssl_keyfile: \"\(certificates.clientKeyFile)\"}"
            let config = try temporaryDirectory("tls-config").appendingPathComponent("swiftbeat.yaml")
            try """
                broker_url: redis://localhost:\(server.tlsPort)/0
                broker_use_ssl: \(ssl)
                CELERY_REDIS_SCHEDULER_URL: redis://localhost:\(server.tlsPort)/1
                CELERY_REDIS_SCHEDULER_USE_SSL: \(ssl)
                """.write(to: config, atomically: true, encoding: .utf8)
            let sent = try SwiftbeatBinary.run(["send", "probe.record", "--args", "[8]", "--config", config.path])
            #expect(sent.status == 0, "\(sent.stderr)")
            #expect(try worker.waitForRecord(id: sent.stdout.trimmingCharacters(in: .whitespacesAndNewlines))["args"] == .array([.integer(8)]))
            let listed = try SwiftbeatBinary.run(["list", "--config", config.path])
            #expect(listed.status == 0 && listed.stdout.hasPrefix("no entries"), "\(listed.stdout)\(listed.stderr)")
            // Without the settings, the same URLs speak plain RESP to a TLS port and fail.
            let plain = try SwiftbeatBinary.run(["list", "--scheduler-url", "redis://localhost:\(server.tlsPort)/1"])
            #expect(plain.status == 2)
        }
    }
}
