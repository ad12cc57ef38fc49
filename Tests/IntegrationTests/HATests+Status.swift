import Foundation
import Testing
import TestSupport

extension HATests {
    static var hostname: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    @Test("swiftbeat status: held by host and pid with the remaining TTL (exit 0), not held (exit 3), Redis unreachable (exit 2)")
    func statusTellsWhoLeads() throws {
        let cluster = try HACluster(entries: 5, ttl: 3, retry: 0.2)
        defer { cluster.stop() }

        let idle = try cluster.status()
        #expect(idle.status == 3, "\(idle.stdout)\(idle.stderr)")
        #expect(idle.stdout.contains("lock \(HACluster.lockKey): not held"), "\(idle.stdout)")
        #expect(idle.stdout.contains("entries: 5 under \(HACluster.keyPrefix) (0 invalid)"), "\(idle.stdout)")

        let node = try cluster.startNode()
        _ = try cluster.waitForLeader(among: [node])
        let held = try cluster.status()
        #expect(held.status == 0, "\(held.stdout)\(held.stderr)")
        #expect(held.stdout.contains("held by \(Self.hostname) pid \(node.pid) since "), "\(held.stdout)")
        #expect(held.stdout.contains("entries: 5 under"), "\(held.stdout)")
        let remaining = held.stdout.split(separator: "expires in ").dropFirst().first
            .flatMap { Double($0.prefix { $0 != " " }) }
        let seconds = try #require(remaining, "no remaining TTL in \(held.stdout)")
        #expect(seconds > 0 && seconds <= cluster.ttl, "remaining TTL \(seconds) s")

        node.process.signal(SIGTERM)
        #expect(try node.process.waitForExit(timeout: .seconds(10)) == 0)
        let released = try cluster.status()
        #expect(released.status == 3, "after SIGTERM the lock is released at once:\n\(released.stdout)")

        let nowhere = try SwiftbeatBinary.run(["status", "--scheduler-url", "redis://127.0.0.1:\(FreePort.loopback())/1"])
        #expect(nowhere.status == 2, "\(nowhere.stdout)\(nowhere.stderr)")
        #expect(nowhere.stderr.hasPrefix("swiftbeat: "), "\(nowhere.stderr)")
    }
}
