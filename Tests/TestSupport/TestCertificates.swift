public import Foundation
import Glibc

/// A test CA with server and client certificates, made once per machine with `openssl` by
/// `scripts/lib/test-certificates.sh` (the same script makes the private RabbitMQ node's), for the
/// TLS redis-servers of the tests and the clients that talk to them.
public struct TestCertificates: Sendable {
    public let directory: String

    /// The CA that signed the server's and the client's certificates.
    public var caFile: String { directory + "/ca.pem" }
    /// CN=localhost, with SANs DNS:localhost and IP:127.0.0.1.
    public var serverCertificateFile: String { directory + "/server.pem" }
    public var serverKeyFile: String { directory + "/server.key" }
    /// A client certificate the CA signed, for `tls-auth-clients yes`.
    public var clientCertificateFile: String { directory + "/client.pem" }
    public var clientKeyFile: String { directory + "/client.key" }
    /// A CA that signed nothing here: verification against it must fail.
    public var otherCAFile: String { directory + "/other-ca.pem" }

    /// The certificates, made on first use. Made in a private directory and renamed into place, so
    /// test processes running at once never see half-written files.
    public static func shared() throws -> TestCertificates {
        try lock.withLock {
            if let made { return made }
            let final = NSTemporaryDirectory() + "swiftbeat-test-certificates-\(getuid())"
            if !FileManager.default.fileExists(atPath: final + "/other-ca.pem") {
                let scratch = final + ".\(getpid())"
                let script = Fixtures.repositoryRoot.appendingPathComponent("scripts/lib/test-certificates.sh").path
                // posix_spawn rather than Foundation's Process, whose leftovers the leak check would report.
                let processID = try spawn(
                    ["/bin/bash", "-c", "source \"$1\" && make_test_certificates \"$2\"", "bash", script, scratch],
                    output: final + ".\(getpid()).log")
                var status: Int32 = 0
                waitpid(processID, &status, 0)
                guard status == 0 else {
                    throw RedisServerError(description: "make_test_certificates failed (wait status \(status)); is openssl installed?")
                }
                // Another process may have won the race: then its files are as good as ours.
                if rename(scratch, final) != 0 { try? FileManager.default.removeItem(atPath: scratch) }
            }
            made = TestCertificates(directory: final)
            return made!
        }
    }

    nonisolated(unsafe) private static var made: TestCertificates?
    private static let lock = NSLock()
}
