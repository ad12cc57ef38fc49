import BeatCore
import CivilTime
import Foundation
import JSON
import RedisClient
import Testing
import TestSupport

/// Raw edits (SET, DEL with redis-cli, no swiftbeat command) while the server publishes keyspace
/// notifications: they take effect as they are made and the beat stops re-reading every entry
/// (a full re-read is a debug "reload complete" line). With notifications off, as by default,
/// `RunLiveChangesTests` shows the same edits found by the periodic re-read.
@Suite struct RunKeyspaceEventsTests {
    /// The bound of `RunLiveChangesTests`: one reload interval (1 s here) and room for a busy machine.
    static let reloadBound: Duration = .seconds(6)

    private func entry(args: String, lastRunAt: Instant? = nil) -> String {
        var json = #"{"task": "probe.record", "schedule": {"every": 1}, "args": \#(args)"#
        if let lastRunAt { json += #", "last_run_at": \#(RunHarness.componentDatetime(lastRunAt))"# }
        return json + "}"
    }

    private func fullReloads(_ harness: RunHarness) -> Int { harness.logLines(containing: "reload complete").count }

    /// An add, an edit and a delete, each within the bound; then `ticks` more firings of a 1 s
    /// entry, i.e. at least as many reload intervals.
    private func addEditDelete(_ harness: RunHarness, ticks: Int = 3) throws {
        let added = ContinuousClock.now
        try harness.set("added", entry(args: #"["new"]"#, lastRunAt: SystemClock.now() - .seconds(60)))
        try harness.waitForSent("added", count: 1)
        #expect(ContinuousClock.now - added < Self.reloadBound)

        let before = try #require(try harness.value("edited"))
        let edited = ContinuousClock.now
        try harness.set("edited", before.replacingOccurrences(of: #""args": ["v1"]"#, with: #""args": ["v2"], "options": {"queue": "edits"}"#))
        try waitUntil("a firing with the new args in the new queue") { try !harness.queued("edits").isEmpty }
        #expect(ContinuousClock.now - edited < Self.reloadBound)
        #expect(try harness.queued("edits").allSatisfy { $0.args == [.string("v2")] })

        let deleted = ContinuousClock.now
        try harness.delete("edited")
        try waitUntil("the beat to notice the deletion") {
            !harness.logLines(containing: "entry removed from redis").filter { $0.contains("entry=edited") }.isEmpty
        }
        #expect(ContinuousClock.now - deleted < Self.reloadBound)
        #expect(try harness.value("edited") == nil, "the deleted key was re-created")
        try harness.waitForSent("added", count: harness.sent("added").count + ticks)
    }

    private func launched(redisFlags: String, arguments: [String] = []) throws -> RunHarness {
        let harness = try RunHarness(
            redisOptions: RedisServerOptions(extraArguments: ["--notify-keyspace-events", redisFlags]), launch: false)
        try harness.set("edited", entry(args: #"["v1"]"#))
        try harness.launchBeat(["--log-level", "debug"] + arguments)
        try harness.beat!.waitForLog(containing: "keyspace notifications cover entry edits")
        try harness.waitForSent("edited", count: 1)
        return harness
    }

    @Test func withTheServersNotificationsRawEditsArriveWithoutReReadingEveryEntry() throws {
        let harness = try launched(redisFlags: "KA")
        try addEditDelete(harness)
        // Only the start-up load read every entry (it is not a "reload complete").
        #expect(fullReloads(harness) == 0, "every entry was re-read although notifications told of each edit")
        // The server's setting is its own: the beat only read it.
        #expect(try harness.schedule.send("CONFIG", "GET", "notify-keyspace-events").array?.last?.string == "AK")
    }

    /// Reads of keys that a keyspace notification named (a debug line per read).
    private func notifiedReads(_ harness: RunHarness, _ name: String) -> Int {
        harness.logLines(containing: "reading entries a change notification named").filter { $0.contains("first=\(name)") }.count
    }

    @Test func theBeatsOwnWriteBacksAreNotReadAgain() throws {
        let harness = try launched(redisFlags: "KA")
        try harness.waitForSent("edited", count: 4)
        #expect(notifiedReads(harness, "edited") == 0, "a write-back of the beat's own was read again")
        // Another client's write is read: the line counted above does appear.
        try harness.set("other", entry(args: "[]"))
        try waitUntil("the raw add read after its notification") { notifiedReads(harness, "other") > 0 }
        try harness.waitForSent("other", count: 2)
        #expect(notifiedReads(harness, "other") == 1)
    }

    @Test func enableKeyspaceEventsTurnsThemOnKeepingTheServersOtherClasses() throws {
        // Keyevent notifications for lists, as another subscriber might need: not enough for entries.
        let harness = try launched(redisFlags: "El", arguments: ["--enable-keyspace-events"])
        #expect(harness.logLines(containing: "turned on keyspace notifications").count == 1)
        let flags = try #require(try harness.schedule.send("CONFIG", "GET", "notify-keyspace-events").array?.last?.string)
        #expect(Set("KEl$gxe").isSubset(of: Set(flags)), "notify-keyspace-events is \(flags)")
        try addEditDelete(harness)
        #expect(fullReloads(harness) == 0)
    }

    @Test func aDroppedSubscriptionFallsBackToAFullReReadAndRecovers() throws {
        let harness = try launched(redisFlags: "KA")
        let reloads = fullReloads(harness)
        let killed = try harness.schedule.send("CLIENT", "KILL", "TYPE", "pubsub").integer
        #expect(killed == 1)
        try harness.beat!.waitForLog(containing: "lost the change subscription")
        // Notifications published while it was down are lost: every entry is read again.
        try waitUntil("a full re-read after resubscribing") { fullReloads(harness) > reloads }
        try waitUntil("the new subscription") {
            try harness.schedule.send("PUBSUB", "NUMPAT").integer == 1
        }
        let recovered = fullReloads(harness)
        try addEditDelete(harness)
        #expect(fullReloads(harness) == recovered, "notifications were not trusted again after resubscribing")
    }
}
