import CHiredis
import CRedisTLS
import Foundation
import Testing
import TestSupport

/// Leaks a hiredis reply and context, and an OpenSSL context, on purpose, only when `scripts/leak-check-redis` asks:
/// the script runs this first and insists that LeakSanitizer reports it, so that a clean
/// leak check of the real tests means something.
@Suite("Leak check canary", .enabled(if: ProcessInfo.processInfo.environment["REDIS_LEAK_CHECK_CANARY"] == "1"))
struct RedisLeakCanary {
    @Test("a hiredis reply and context that are never freed")
    func leakOnPurpose() throws {
        try RedisServer.with { server in
            let context = try #require(redisConnect("127.0.0.1", Int32(server.port)))
            #expect(context.pointee.err == 0)
            let ping = Array("*1\r\n$4\r\nPING\r\n".utf8CString.dropLast())
            #expect(redisAppendFormattedCommand(context, ping, ping.count) == REDIS_OK)
            var reply: UnsafeMutableRawPointer?
            #expect(redisGetReply(context, &reply) == REDIS_OK)
            #expect(reply != nil)
            // Neither freeReplyObject(reply) nor redisFree(context).
        }
    }

    @Test("an OpenSSL context that is never freed")
    func leakTLSOnPurpose() throws {
        let certificates = try TestCertificates.shared()
        var error = [CChar](repeating: 0, count: 256)
        let leaked = certificates.caFile.withCString { caFile in
            var settings = swiftbeat_tls_settings(verify_peer: 1, ca_file: caFile, cert_file: nil, key_file: nil)
            return swiftbeat_tls_context_new(&settings, &error, error.count)
        }
        #expect(leaked != nil)
        // No swiftbeat_tls_context_free(leaked).
    }
}
