import Foundation
import JSON
import Testing
import TestSupport

/// One `run --http` node: the status page in a real browser, systemd's notifications on a socket
/// the test owns, and hostile HTTP clients that must not delay a firing.
@Suite(.serialized) struct ObservabilityNodeTests {
    static let httpArguments = ["--http", "127.0.0.1:0"]

    @Test func theStatusPageRendersInHeadlessChromium() throws {
        let chromium = try #require(
            ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) },
            "chromium is not installed (scripts/test installs it)")
        let harness = try RunHarness(launch: false)
        try harness.set("every-second", #"{"task": "probe.record", "schedule": {"every": 1}, "options": {"queue": "reports"}}"#)
        try harness.set("nightly", #"{"task": "tasks.cleanup", "schedule": {"minute": "0", "hour": "3"}, "enabled": false}"#)
        try harness.set("broken", #"{"task": "tasks.x", "schedule": {"every": -5}}"#)
        try harness.launchBeat(Self.httpArguments)
        let endpoint = try BeatEndpoint(of: harness.beat!)
        _ = try harness.waitForSent("every-second", count: 1)

        let folder = try temporaryDirectory("status-page")
        let screenshot = folder.appendingPathComponent("status.png")
        let url = "http://127.0.0.1:\(endpoint.port)/"
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--user-data-dir=\(folder.path)/profile"]
        let dom = try Self.run(chromium, common + ["--dump-dom", url])
        let pid = harness.beat!.pid
        #expect(dom.contains("<span class=\"role\">leader</span>"), "\(dom)")
        #expect(dom.contains(" pid \(pid)"), "the leader's pid")
        #expect(dom.contains("<td>every-second</td><td>probe.record</td><td>every second</td><td>yes</td>"), "\(dom)")
        #expect(dom.contains("<td>reports</td>"))
        #expect(dom.contains("<td>nightly</td><td>tasks.cleanup</td>"))
        #expect(dom.contains("<td>broken</td><td class=\"bad\">"), "the invalid entry with its reason")
        #expect(!dom.contains("<script"))

        _ = try Self.run(chromium, common + ["--screenshot=\(screenshot.path)", "--window-size=1200,800", url])
        let png = try Data(contentsOf: screenshot)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG")
        #expect(png.count > 10_000, "a page, not a blank image (\(png.count) bytes)")

        // Filtered and paged without JavaScript; the JSON shapes of `list --json` and `status`.
        let invalidOnly = try #require(endpoint.get("/?state=invalid"))
        #expect(invalidOnly.body.contains("<td>broken</td>") && !invalidOnly.body.contains("<td>nightly</td>"))
        #expect(invalidOnly.body.contains("1 matching, page 1 of 1"))
        let entriesAnswer = try #require(endpoint.get("/api/entries"))
        let entries = try #require(try JSONParser.parse(entriesAnswer.body).arrayValue)
        #expect(entries.compactMap { $0.objectValue?["name"]?.stringValue }.sorted() == ["broken", "every-second", "nightly"])
        let statusAnswer = try #require(endpoint.get("/api/status"))
        let status = try #require(try JSONParser.parse(statusAnswer.body).objectValue)
        #expect(status["holder"]?.objectValue?["pid"]?.numberValue?.int64Value == Int64(pid))
        #expect(status["node"]?.objectValue?["role"]?.stringValue == "leader")
        #expect(status["invalid"]?.arrayValue?.count == 1)
    }

    /// Runs a browser command to its end; its stdout.
    private static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "\(executable) \(arguments) exited \(process.terminationStatus)")
        return String(decoding: data, as: UTF8.self)
    }

    @Test func systemdHearsReadyWatchdogStatusAndStopping() throws {
        let socket = try NotifySocket()
        let harness = try RunHarness(launch: false)
        try harness.set("tick", #"{"task": "probe.record", "schedule": {"every": 1}}"#)
        let beat = try SwiftbeatBinary.launch(
            ["run", "--scheduler-url", harness.schedulerURL, "--broker-url", harness.brokerURL, "--max-interval", "0.2"],
            environment: ["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "1000000"], name: "swiftbeat-notify")
        defer { beat.stop() }
        var received: [String] = []
        try waitUntil("READY=1, a leader status and two watchdog pings", timeout: .seconds(30)) {
            received += socket.receiveAll()
            let lines = received.flatMap { $0.split(separator: "\n").map(String.init) }
            return lines.contains("READY=1") && lines.contains { $0.hasPrefix("STATUS=leader: sending") }
                && lines.filter { $0 == "WATCHDOG=1" }.count >= 2
        }
        beat.signal(SIGTERM)
        #expect(try beat.waitForExit() == 0)
        received += socket.receiveAll()
        #expect(received.last?.hasPrefix("STOPPING=1\n") == true, "\(received)")
        // READY=1 comes once, when the entries are loaded, not before.
        let lines = received.flatMap { $0.split(separator: "\n").map(String.init) }
        #expect(lines.filter { $0 == "READY=1" }.count == 1)
        #expect(beat.log.contains("all entries loaded"))
    }

    @Test func slowAndHostileClientsDoNotDelayFirings() throws {
        let harness = try RunHarness(launch: false)
        for index in 0..<20 {
            try harness.set("tick-\(index)", #"{"task": "probe.record", "schedule": {"every": 1}}"#)
        }
        try harness.launchBeat(Self.httpArguments + ["--max-interval", "1"])
        let endpoint = try BeatEndpoint(of: harness.beat!)
        _ = try harness.waitForSent("tick-0", count: 2)

        let calm = try LagWindow.measure(endpoint, seconds: 4)
        let hostile = HostileClients(port: endpoint.port)
        hostile.start()
        let attacked = try LagWindow.measure(endpoint, seconds: 6)
        let refusedHugeHeaders = hostile.stop()
        print("firing lag without hostile clients: \(calm); with them: \(attacked)")

        #expect(calm.firings >= 60 && attacked.firings >= 100, "firings went on: \(calm), \(attacked)")
        #expect(attacked.overHalfSecond == 0, "no firing was handed over more than 0.5 s late under attack: \(attacked)")
        #expect(attacked.meanSeconds < calm.meanSeconds + 0.05, "mean lag \(attacked.meanSeconds) s vs \(calm.meanSeconds) s")
        #expect(refusedHugeHeaders, "a request with 1 MB of headers is refused, not buffered")
        try waitUntil("the endpoint to answer again once the clients are gone", timeout: .seconds(30)) {
            endpoint.get("/healthz", timeout: 2)?.status == 200
        }
    }
}

/// The lag histogram's growth over a window: how many firings, their mean lag, and how many were
/// later than 0.5 s. (The scrape itself goes through the endpoint: when it is flooded, it waits.)
struct LagWindow: CustomStringConvertible {
    var firings: Double
    var meanSeconds: Double
    var overHalfSecond: Double

    var description: String {
        "\(Int(firings)) firings, mean \((meanSeconds * 1000).rounded() / 1000) s, \(Int(overHalfSecond)) over 0.5 s"
    }

    static func measure(_ endpoint: BeatEndpoint, seconds: Double) throws -> LagWindow {
        let before = try scrape(endpoint)
        Thread.sleep(forTimeInterval: seconds)
        let after = try scrape(endpoint)
        func delta(_ name: String, _ labels: [String: String] = [:]) -> Double {
            (after[name, labels] ?? 0) - (before[name, labels] ?? 0)
        }
        let count = delta("swiftbeat_firing_lag_seconds_count")
        let withinHalf = delta("swiftbeat_firing_lag_seconds_bucket", ["le": "0.5"])
        return LagWindow(
            firings: count, meanSeconds: count > 0 ? delta("swiftbeat_firing_lag_seconds_sum") / count : 0,
            overHalfSecond: count - withinHalf)
    }

    /// Retries while hostile clients hold every connection the server allows.
    private static func scrape(_ endpoint: BeatEndpoint) throws -> [BeatEndpoint.Series: Double] {
        try waitFor("a scrape of /metrics", timeout: .seconds(60)) { try? endpoint.metrics() }
    }
}

/// Clients that try to hold the beat's HTTP server: slowloris (headers a byte at a time, never
/// finished), many idle connections, and requests with huge headers, on their own threads.
final class HostileClients: @unchecked Sendable {
    let port: UInt16
    /// They come from another address than the scrapes (127.0.0.2, another host on loopback): the
    /// server's per-address limit is what keeps one attacker from taking every connection.
    static let address: UInt32 = 0x7f00_0002
    private let lock = NSLock()
    private var running = true
    private var hugeHeadersRefused = true
    private var threads: [Thread] = []
    private let finished = DispatchGroup()

    init(port: UInt16) {
        self.port = port
    }

    private var isRunning: Bool { lock.withLock { running } }

    func start() {
        spawn { self.slowloris() }
        spawn { self.idleConnections() }
        spawn { self.hugeHeaders() }
    }

    /// Stops the clients; whether every huge-header request was refused.
    func stop() -> Bool {
        lock.withLock { running = false }
        finished.wait()
        return lock.withLock { hugeHeadersRefused }
    }

    private func spawn(_ body: @escaping @Sendable () -> Void) {
        finished.enter()
        let thread = Thread {
            body()
            self.finished.leave()
        }
        threads.append(thread)
        thread.start()
    }

    private func slowloris() {
        var sockets = (0..<80).compactMap { _ in BeatEndpoint.connect(port: port, timeout: 2, from: Self.address) }
        for socket in sockets { _ = send(socket, "GET / HTTP/1.1\r\n", 16, Int32(MSG_NOSIGNAL)) }
        while isRunning {
            for socket in sockets { _ = send(socket, "X-a: b\r\n", 8, Int32(MSG_NOSIGNAL)) }
            Thread.sleep(forTimeInterval: 0.5)
            // The server closes what it refuses or times out: open new ones, as an attacker would.
            sockets += (0..<10).compactMap { _ in BeatEndpoint.connect(port: port, timeout: 2, from: Self.address) }
        }
        for socket in sockets { close(socket) }
    }

    private func idleConnections() {
        while isRunning {
            let sockets = (0..<100).compactMap { _ in BeatEndpoint.connect(port: port, timeout: 2, from: Self.address) }
            Thread.sleep(forTimeInterval: 1)
            for socket in sockets { close(socket) }
        }
    }

    private func hugeHeaders() {
        let header = "X-Huge: " + String(repeating: "a", count: 1_000_000) + "\r\n"
        while isRunning {
            let answer = BeatEndpoint.exchange(
                port: port, request: "GET /metrics HTTP/1.1\r\nHost: x\r\n" + header + "\r\n", timeout: 5, from: Self.address)
            if let answer, answer.hasPrefix("HTTP/1.1 200") { lock.withLock { hugeHeadersRefused = false } }
            Thread.sleep(forTimeInterval: 0.2)
        }
    }
}

/// A unix datagram socket the test binds, standing in for systemd's notification socket.
final class NotifySocket {
    let path: String
    private let descriptor: Int32

    init() throws {
        path = try temporaryDirectory("notify").appendingPathComponent("notify.sock").path
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { bytes in
            for (index, byte) in path.utf8.enumerated() { bytes[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0, "cannot bind \(path)")
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
    }

    deinit { close(descriptor) }

    /// Every datagram waiting, in order.
    func receiveAll() -> [String] {
        var messages: [String] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else { return messages }
            messages.append(String(decoding: buffer[..<count], as: UTF8.self))
        }
    }
}
