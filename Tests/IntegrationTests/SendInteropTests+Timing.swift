import CivilTime
import Foundation
import JSON
import Testing
import TestSupport

/// eta, countdown and expires.
extension SendInteropTests {
    @Test("A countdown or an eta with an offset is honoured: the task starts no earlier", arguments: InteropTarget.all)
    func countdownAndEta(target: InteropTarget) async throws {
        let worker = try await InteropFixtures.shared.worker(.main, for: target)
        let url = try await InteropFixtures.shared.brokerURL(for: target)
        let delay = Microseconds.seconds(3)

        let before = SystemClock.now()
        let countdownID = try await send(["--countdown", "3", "--expires", "600"], to: url)
        let after = SystemClock.now()
        // The same moment written in India's offset: the worker must read it as an instant.
        let eta = after + delay
        let etaID = try await send(["--eta", ISO8601.format(eta, utcOffsetSeconds: 5 * 3600 + 1800)], to: url)

        let counted = try await worker.pollForRecord(id: countdownID)
        let countedEta = try counted.instant("eta")
        #expect(countedEta >= before + delay && countedEta <= after + delay, "eta \(countedEta) is 3 s after the send")
        let started = try #require(counted.startedAt)
        #expect(started >= countedEta, "started at \(started), before its eta \(countedEta)")
        let expires = try counted.instant("expires")
        #expect(expires >= before + .seconds(600) && expires <= after + .seconds(600))

        let scheduled = try await worker.pollForRecord(id: etaID)
        #expect(try scheduled.instant("eta") == eta)
        let scheduledStart = try #require(scheduled.startedAt)
        #expect(scheduledStart >= eta, "started at \(scheduledStart), before its eta \(eta)")
    }

    /// An expired task must never run. On Redis the worker discards it on receipt ("Discarding
    /// revoked task"); on RabbitMQ the broker may also drop it first, because swiftbeat sets the
    /// per-message TTL (`expiration`) as Celery does. A marker sent afterwards to the same solo
    /// worker proves the expired ones were received and dealt with: the queue is FIFO.
    @Test("An already-expired task is discarded, never run", arguments: InteropTarget.all)
    func expiredTaskIsDiscarded(target: InteropTarget) async throws {
        let worker = try await InteropFixtures.shared.worker(.main, for: target)
        let url = try await InteropFixtures.shared.brokerURL(for: target)
        let past = try await send(["--expires", "2020-01-01T00:00:00+00:00", "--args", "[\"expired in 2020\"]"], to: url)
        let now = try await send(["--expires", "0", "--args", "[\"expires now\"]"], to: url)
        let marker = try await send(["--args", "[\"marker\"]"], to: url)

        _ = try await worker.pollForRecord(id: marker)
        #expect(worker.record(id: past) == nil, "the task that expired in 2020 ran")
        #expect(worker.record(id: now) == nil, "the task sent with --expires 0 ran")
        if target.broker == .redis {
            for id in [past, now] {
                #expect(worker.log.contains("Discarding revoked task: probe.record[\(id)]"))
            }
        }
    }
}
