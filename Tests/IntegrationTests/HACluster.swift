import Foundation
import JSON
import RedisClient
import TestSupport

/// Where the beat sends in an HA test, and so which fence stops a node that lost the lock.
enum HABroker: String, CustomStringConvertible, Sendable, CaseIterable {
    /// Database 0 of the scheduler's own redis-server: the commit transaction checks the lock token and
    /// pushes the message in one step.
    case sameServer
    /// A second redis-server: the commit transaction checks the token and writes the run state, and the
    /// message is published right after; the node's own lease check guards each batch.
    case separateServer

    var description: String { rawValue }
}

/// One firing as the broker (or a worker) received it. Every HA entry has `"expires": 3600`, so the
/// message's `expires` is exactly the beat's `now` for that firing plus an hour: the firing instant
/// is read from the message itself, with no log or receive-time jitter.
struct HAFiring: Hashable, Sendable {
    var id: String
    var entry: String
    /// Seconds since the epoch.
    var firedAt: Double

    /// The whole second the firing belongs to. Entries run every second with `relative: true`, so
    /// each regular firing is due on a whole second and the next is due on the next whole second
    /// after it: two firings of one entry in the same second can only be a duplicate.
    var slot: Int64 { Int64(firedAt.rounded(.down)) }

    static let expiresAfter = 3600.0

    init(id: String, entry: String, firedAt: Double) {
        self.id = id
        self.entry = entry
        self.firedAt = firedAt
    }

    /// From a kombu envelope (Redis list item) or a probe.py record.
    init?(id: String?, entry: String?, expires: String?) {
        guard let id, let entry, let expires, let instant = HATime.parse(expires) else { return nil }
        self.id = id
        self.entry = entry
        self.firedAt = instant - Self.expiresAfter
    }

    init?(envelope bytes: [UInt8]) {
        guard let headers = (try? JSONParser.parse(bytes))?.objectValue?["headers"]?.objectValue else { return nil }
        self.init(
            id: headers["id"]?.stringValue, entry: headers["periodic_task_name"]?.stringValue,
            expires: headers["expires"]?.stringValue)
    }

    init?(record: JSONObject) {
        self.init(
            id: record["id"]?.stringValue, entry: record["headers"]?.objectValue?["periodic_task_name"]?.stringValue,
            expires: record["expires"]?.stringValue)
    }
}

/// Timestamps as swiftbeat logs them and as messages carry them:
/// `2026-11-27T18:50:13.751585+00:00` (the fraction is left out when zero; a space may stand for
/// the `T` where Python printed a datetime). Always UTC here.
enum HATime {
    static func parse(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 19 else { return nil }
        func number(_ range: Range<Int>) -> Int? { Int(String(decoding: bytes[range], as: UTF8.self)) }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
            let minute = number(14..<16), let second = number(17..<19)
        else { return nil }
        var fraction = 0.0
        if bytes.count > 20, bytes[19] == UInt8(ascii: ".") {
            let digits = bytes[20...].prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
            fraction = Double("0." + String(decoding: digits, as: UTF8.self)) ?? 0
        }
        guard text.hasSuffix("+00:00") || text.hasSuffix("Z") || bytes.count <= 26 else { return nil }
        // Days from the civil date (Howard Hinnant's algorithm).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Double(days * 86_400 + hour * 3600 + minute * 60 + second) + fraction
    }

    static var now: Double { Date().timeIntervalSince1970 }
}

/// A line of a swiftbeat log: `<timestamp> <level> <message> key=value ...`.
struct HALogLine: Sendable {
    var time: Double
    var text: String

    /// `key=value` from the metadata (values without spaces are enough here).
    func field(_ key: String) -> String? {
        guard let range = text.range(of: " \(key)=") else { return nil }
        return String(text[range.upperBound...].prefix { $0 != " " })
    }
}

/// One `swiftbeat run` of a cluster.
final class HANode: @unchecked Sendable, CustomStringConvertible {
    let name: String
    let process: ManagedProcess

    init(name: String, process: ManagedProcess) {
        self.name = name
        self.process = process
    }

    var pid: Int32 { process.pid }
    var isRunning: Bool { process.isRunning }
    var description: String { "\(name) (pid \(pid))" }

    var lines: [HALogLine] {
        process.log.split(separator: "\n").compactMap { (line: Substring) -> HALogLine? in
            guard let space = line.firstIndex(of: " "), let time = HATime.parse(String(line[..<space])) else { return nil }
            return HALogLine(time: time, text: String(line[space...].dropFirst()))
        }
    }

    static let leaderMessage = "this node is now the leader and sends the tasks"
    static let standbyMessage = "stopped sending and became a standby"

    /// Times at which this node became the leader.
    var becameLeader: [Double] { lines.filter { $0.text.contains(Self.leaderMessage) }.map(\.time) }
    /// Times at which it stopped sending (lost or distrusted its lease).
    var becameStandby: [HALogLine] { lines.filter { $0.text.contains(Self.standbyMessage) } }
    /// Every `sent <entry> id=...` line: when it was logged, the entry and the task id.
    var sends: [(time: Double, entry: String, id: String)] {
        lines.compactMap { line in
            guard line.text.hasPrefix("info sent "), let id = line.field("id") else { return nil }
            let entry = line.text.dropFirst("info sent ".count).prefix { $0 != " " }
            return (line.time, String(entry), id)
        }
    }

    /// Whether, by its own log, the node currently sends: it became leader and has not stopped since.
    var believesItLeads: Bool {
        guard let leader = becameLeader.last else { return false }
        return (becameStandby.last?.time ?? -.infinity) < leader
    }
}

/// A private redis-server (or two), a set of `swiftbeat run` nodes electing a leader through it,
/// and entries that fire every second. Stops every process it started when it is stopped or freed.
final class HACluster: @unchecked Sendable {
    let broker: HABroker
    let scheduler: RedisServer
    /// The separate broker server, for `.separateServer`.
    let brokerServer: RedisServer?
    let ttl: Double
    let retry: Double
    let entryNames: [String]
    private(set) var nodes: [HANode] = []
    private var admin: RedisConnection?
    private var stopped = false

    static let lockKey = "celery:beat:task_lock"
    static let keyPrefix = "tasks:meta:"

    /// Starts the servers and writes `entries` entries `ha-0`, `ha-1`, ..., each every second.
    init(
        broker: HABroker = .sameServer, entries: Int = 3, ttl: Double = 3, retry: Double = 0.2,
        redisOptions: RedisServerOptions = RedisServerOptions()
    ) throws {
        self.broker = broker
        self.ttl = ttl
        self.retry = retry
        scheduler = try RedisServer.start(redisOptions)
        brokerServer = broker == .separateServer ? try RedisServer.start() : nil
        entryNames = (0..<entries).map { "ha-\($0)" }
        for (index, name) in entryNames.enumerated() {
            try adminCall("SET", Self.keyPrefix + name, Self.entryJSON(index: index))
        }
    }

    deinit { stop() }

    /// Every second, on the second; `expires` carries the firing instant into the message.
    static func entryJSON(index: Int) -> String {
        #"{"task": "probe.record", "schedule": {"every": 1, "period": "seconds", "relative": true}, "args": [\#(index)], "options": {"expires": 3600}}"#
    }

    var schedulerURL: String { "redis://127.0.0.1:\(scheduler.port)/1" }
    /// Where nodes started from now on reach the scheduler's Redis: a proxy's port, or its own.
    var nodeSchedulerPort: Int?
    var brokerURL: String { "redis://127.0.0.1:\((brokerServer ?? scheduler).port)/0" }

    var runArguments: [String] {
        [
            "run", "--scheduler-url", "redis://127.0.0.1:\(nodeSchedulerPort ?? scheduler.port)/1", "--broker-url", brokerURL, "--lock-ttl", String(ttl),
            "--standby-retry", String(retry),
        ]
    }

    /// Starts one more node. With `terminationBlocked`, it is spawned from a thread that blocks
    /// SIGTERM and SIGINT, so it inherits that signal mask, as under some supervisors.
    @discardableResult
    func startNode(extraArguments: [String] = [], terminationBlocked: Bool = false) throws -> HANode {
        let name = "node\(nodes.count + 1)"
        let arguments = runArguments + extraArguments
        let process =
            terminationBlocked
            ? try Self.launchWithTerminationBlocked(arguments, name: "ha-\(name)")
            : try SwiftbeatBinary.launch(arguments, name: "ha-\(name)")
        let node = HANode(name: name, process: process)
        nodes.append(node)
        try process.waitForLog(containing: "connected to the scheduler's redis", timeout: .seconds(30))
        return node
    }

    private static func launchWithTerminationBlocked(_ arguments: [String], name: String) throws -> ManagedProcess {
        final class Box: @unchecked Sendable {
            var result: Result<ManagedProcess, any Error>?
        }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            var blocked = sigset_t()
            sigemptyset(&blocked)
            sigaddset(&blocked, SIGTERM)
            sigaddset(&blocked, SIGINT)
            pthread_sigmask(SIG_BLOCK, &blocked, nil)
            box.result = Result { try SwiftbeatBinary.launch(arguments, name: name) }
            done.signal()
        }
        thread.start()
        done.wait()
        return try box.result!.get()
    }

    var runningNodes: [HANode] { nodes.filter(\.isRunning) }

    /// A command on the scheduler's database 1, reconnecting once if the server was restarted.
    @discardableResult
    func adminCall(_ arguments: String...) throws -> RedisReply {
        try redisCall(RedisCommand(arguments[0], arguments: Array(arguments.dropFirst())))
    }

    private func redisCall(_ command: RedisCommand) throws -> RedisReply {
        for attempt in 0..<2 {
            do {
                if admin == nil {
                    admin = try RedisConnection(configuration: try RedisConfiguration(url: schedulerURL))
                }
                return try admin!.send(command)
            } catch {
                admin?.close()
                admin = nil
                if attempt == 1 { throw error }
            }
        }
        fatalError("unreachable")
    }

    /// The pid recorded in the lock's value, or nil when nobody holds it.
    func lockHolderPID() throws -> Int32? {
        guard let value = try adminCall("GET", Self.lockKey).string else { return nil }
        guard let pid = (try? JSONParser.parse(value))?.objectValue?["pid"]?.numberValue?.int64Value else { return nil }
        return Int32(pid)
    }

    /// The node holding the lock, once one of `candidates` (default: every running node) holds it.
    func waitForLeader(among candidates: [HANode]? = nil, timeout: Duration = .seconds(30)) throws -> HANode {
        try waitFor("a leader among \(candidates ?? runningNodes)", timeout: timeout) {
            guard let pid = try? lockHolderPID() else { return nil }
            return (candidates ?? runningNodes).first { $0.pid == pid && $0.isRunning && $0.believesItLeads }
        }
    }

    /// The `total_run_count` the beat wrote back into an entry.
    func totalRunCount(of entry: String) throws -> Int64? {
        guard let stored = try adminCall("GET", Self.keyPrefix + entry).string else { return nil }
        return (try? JSONParser.parse(stored))?.objectValue?["total_run_count"]?.numberValue?.int64Value
    }

    /// Entries whose stored `total_run_count` differs from the number of their messages in the
    /// broker, as `entry: stored vs sent`; empty when every committed firing was sent exactly once.
    func runCountMismatches(_ firings: [HAFiring]) throws -> [String] {
        try entryNames.compactMap { entry in
            let sent = Int64(firings.filter { $0.entry == entry }.count)
            let stored = try totalRunCount(of: entry)
            return stored == sent ? nil : "\(entry): total_run_count \(stored.map(String.init) ?? "missing") vs \(sent) sent"
        }
    }

    /// Every message in the broker's `celery` list, as firings (the list is not consumed).
    func brokerFirings() throws -> [HAFiring] {
        let connection = try RedisConnection(configuration: try RedisConfiguration(url: brokerURL))
        defer { connection.close() }
        let items = try connection.send("LRANGE", "celery", 0, -1).array ?? []
        return items.compactMap { $0.bytes.flatMap(HAFiring.init(envelope:)) }
    }

    /// `swiftbeat status` against this cluster's scheduler.
    func status() throws -> SwiftbeatBinary.Result {
        try SwiftbeatBinary.run(["status", "--scheduler-url", schedulerURL], timeout: .seconds(30))
    }

    /// Every node's `sent` lines, with the node that logged them.
    var loggedSends: [(node: HANode, time: Double, entry: String, id: String)] {
        nodes.flatMap { node in node.sends.map { (node, $0.time, $0.entry, $0.id) } }
    }

    /// SIGTERM to every node still running (SIGKILL after 10 s), then the servers.
    func stop() {
        guard !stopped else { return }
        stopped = true
        stopNodes()
        admin?.close()
        scheduler.stop()
        brokerServer?.stop()
    }

    func stopNodes() {
        for node in nodes where node.isRunning { node.process.signal(SIGTERM) }
        for node in nodes { node.process.stop() }
    }

    /// The logs of every node, for a failure message.
    var logs: String {
        nodes.map { "--- \($0) \($0.process.logURL.path)\n\($0.process.log.suffix(4000))" }.joined(separator: "\n")
    }
}

/// What the firings of entries that run every second must look like: per entry, strictly one
/// firing per whole second (no duplicate, no second firing in a slot), and no missed second except
/// inside an allowed window (a takeover), after which exactly one catch-up firing comes, promptly.
struct HASlotCheck {
    /// Times (epoch seconds) when no node was sending: from the kill to the new leader's first line.
    var gaps: [(from: Double, to: Double)] = []
    /// The longest a takeover's catch-up may come after the new leader took the lock.
    var catchUpWithin = 1.5

    /// Problems found, one sentence each; empty when every slot fired exactly once.
    func problems(_ firings: [HAFiring], entries: [String]) -> [String] {
        var problems: [String] = []
        var seen: [String: HAFiring] = [:]
        for firing in firings {
            if let earlier = seen[firing.id] {
                problems.append("task id \(firing.id) was sent twice (\(earlier.entry), \(firing.entry))")
            }
            seen[firing.id] = firing
        }
        for entry in entries {
            let series = firings.filter { $0.entry == entry }.sorted { $0.firedAt < $1.firedAt }
            if series.isEmpty { problems.append("\(entry) never fired") }
            for (previous, next) in zip(series, series.dropFirst()) {
                let step = next.slot - previous.slot
                if step < 1 {
                    problems.append(
                        "\(entry) fired twice in second \(previous.slot): at \(previous.firedAt) (\(previous.id)) and \(next.firedAt) (\(next.id))")
                } else if step > 1 {
                    // Seconds previous.slot+1 ..< next.slot were skipped: they must lie in a takeover
                    // gap, and the firing that ends the gap is the single catch-up, soon after it.
                    let missedFrom = Double(previous.slot + 1)
                    let missedTo = Double(next.slot)
                    let window = gaps.first { missedFrom >= $0.from - 1 && missedTo <= $0.to + 1 }
                    if let window {
                        if next.firedAt > window.to + catchUpWithin {
                            problems.append(
                                "\(entry)'s catch-up after the gap \(window) came only at \(next.firedAt)")
                        }
                    } else {
                        problems.append(
                            "\(entry) missed seconds \(previous.slot + 1)...\(next.slot - 1) outside any takeover (fired \(previous.firedAt), then \(next.firedAt))")
                    }
                }
            }
        }
        return problems
    }
}
