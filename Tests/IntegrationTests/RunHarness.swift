import CivilTime
import Foundation
import JSON
import RedisClient
import Testing
import TestSupport

/// One `swiftbeat run` process against a private redis-server, as issue 4's tests use it: entries
/// in db 1 under `tasks:meta:`, the broker in db 0 of the same server unless told otherwise (the
/// common setup, where a firing's message and its write-back are one transaction), and helpers to edit
/// entries the way a user with redis-cli would (raw SET/DEL, no notification).
final class RunHarness {
    static let prefix = "tasks:meta:"

    let redis: RedisServer
    /// db 1: the entries.
    let schedule: RedisConnection
    /// The broker's Redis connection (db 0 of `redis` unless a broker URL was given).
    let brokerRedis: RedisConnection?
    /// What `--broker-url` the beat gets; may be changed before `launchBeat`.
    var brokerURL: String
    private(set) var beat: ManagedProcess?

    var schedulerURL: String { "\(redis.url)/1" }

    /// Starts a redis-server and, unless `launch` is false, `swiftbeat run` against it.
    init(
        redisOptions: RedisServerOptions = RedisServerOptions(), brokerURL: String? = nil, brokerRedisURL: String? = nil,
        arguments: [String] = [], launch: Bool = true
    ) throws {
        redis = try RedisServer.start(redisOptions)
        schedule = try RedisConnection(configuration: RedisConfiguration(url: "\(redis.url)/1"))
        self.brokerURL = brokerURL ?? "\(redis.url)/0"
        if let url = brokerRedisURL ?? (brokerURL == nil ? self.brokerURL : nil) {
            brokerRedis = try RedisConnection(configuration: RedisConfiguration(url: url))
        } else {
            brokerRedis = nil
        }
        if launch { try launchBeat(arguments) }
    }

    deinit {
        stop()
    }

    /// Starts `swiftbeat run` with short intervals (entries re-read every second) and waits until
    /// it is the leader.
    func launchBeat(_ arguments: [String] = [], waitForLeadership: Bool = true) throws {
        beat = try SwiftbeatBinary.launch(
            ["run", "--scheduler-url", schedulerURL, "--broker-url", brokerURL, "--reload-interval", "1", "--max-interval", "1"]
                + arguments,
            name: "swiftbeat-run")
        if waitForLeadership { try beat!.waitForLog(containing: "this node is now the leader") }
    }

    /// Stops `swiftbeat run` (gracefully, releasing the lock) and keeps Redis, for another launch.
    func stopBeat() {
        beat?.stop()
        beat = nil
    }

    func stop() {
        beat?.stop()
        beat = nil
        schedule.close()
        brokerRedis?.close()
        redis.stop()
    }

    var log: String { beat?.log ?? "" }

    // MARK: entries, edited as a user would

    func set(_ name: String, _ json: String) throws {
        let reply = try schedule.send("SET", Self.prefix + name, json)
        try #require(reply.isOK, "SET \(name): \(reply)")
    }

    func delete(_ name: String) throws {
        _ = try schedule.send("DEL", Self.prefix + name)
    }

    /// The stored text of an entry, nil when the key is absent.
    func value(_ name: String) throws -> String? {
        try schedule.send("GET", Self.prefix + name).string
    }

    func entry(_ name: String) throws -> JSONObject? {
        try value(name).flatMap { try JSONParser.parse($0).objectValue }
    }

    func runCount(_ name: String) throws -> Int64 {
        try entry(name)?["total_run_count"]?.numberValue?.int64Value ?? 0
    }

    // MARK: what was sent

    /// The messages waiting in a queue's list on the Redis broker, oldest first.
    func queued(_ queue: String = "celery") throws -> [RunQueuedMessage] {
        let connection = try #require(brokerRedis)
        let items = try connection.send("LRANGE", queue, 0, -1).array ?? []
        return try items.reversed().map { item in
            guard let text = item.string else { throw RunHarnessError("a non-string item in \(queue): \(item)") }
            return try RunQueuedMessage(envelope: text)
        }
    }

    /// The "sent" log lines of an entry (all entries when nil), in order.
    func sent(_ name: String? = nil) -> [RunSentLine] {
        log.split(separator: "\n").compactMap { RunSentLine(String($0)) }.filter { name == nil || $0.entry == name }
    }

    /// Waits until the entry has been sent `count` times in all, and returns those lines.
    @discardableResult
    func waitForSent(_ name: String, count: Int, timeout: Duration = .seconds(30)) throws -> [RunSentLine] {
        try waitFor("\(count) firings of \(name) in the log:\n\(log.suffix(3000))", timeout: timeout) {
            if let beat, !beat.isRunning { throw RunHarnessError("swiftbeat exited:\n\(log.suffix(3000))") }
            let lines = sent(name)
            return lines.count >= count ? lines : nil
        }
    }

    /// Log lines that contain `text`.
    func logLines(containing text: String) -> [String] {
        log.split(separator: "\n").map(String.init).filter { $0.contains(text) }
    }

    /// CPU time (user + system) the beat has used so far, in seconds, from /proc/PID/stat.
    func beatCPUSeconds() throws -> Double {
        try RunHarness.cpuSeconds(pid: try #require(beat).pid)
    }

    static func cpuSeconds(pid: Int32) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // The command name may hold spaces; the fields after its closing parenthesis are fixed.
        let fields = stat[stat.index(after: try #require(stat.lastIndex(of: ")")))...].split(separator: " ")
        // Fields 14 and 15 (utime, stime) are the 12th and 13th after the state field (3).
        let ticks = (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

struct RunHarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A "sent" line of `swiftbeat run`'s log:
/// `2026-11-27T18:00:00.123456+00:00 info sent NAME id=... queue=... task=...`.
struct RunSentLine: CustomStringConvertible {
    var line: String
    var at: Instant
    var level: String
    var entry: String
    var metadata: [String: String]

    init?(_ line: String) {
        let parts = line.split(separator: " ")
        guard parts.count >= 4, parts[2] == "sent", let parsed = try? ISO8601.parse(String(parts[0])) else { return nil }
        self.line = line
        at = parsed.instantAssumingUTC
        level = String(parts[1])
        entry = String(parts[3])
        var metadata: [String: String] = [:]
        for part in parts.dropFirst(4) {
            guard let equals = part.firstIndex(of: "=") else { continue }
            metadata[String(part[..<equals])] = String(part[part.index(after: equals)...])
        }
        self.metadata = metadata
    }

    var id: String? { metadata["id"] }
    var description: String { line }
}

/// A task message as it waits in a kombu Redis list: the envelope's headers and its decoded body.
struct RunQueuedMessage {
    var headers: JSONObject
    var properties: JSONObject
    var args: [JSONValue]
    var kwargs: JSONObject

    init(envelope: String) throws {
        let object = try #require(try JSONParser.parse(envelope).objectValue)
        headers = try #require(object["headers"]?.objectValue)
        properties = try #require(object["properties"]?.objectValue)
        let encoded = try #require(object["body"]?.stringValue)
        let body = try #require(Data(base64Encoded: encoded))
        let parts = try #require(try JSONParser.parse(Array(body)).arrayValue)
        args = try #require(parts.first?.arrayValue)
        kwargs = try #require(parts.dropFirst().first?.objectValue)
    }

    var id: String? { headers["id"]?.stringValue }
    var task: String? { headers["task"]?.stringValue }
    var periodicTaskName: String? { headers["periodic_task_name"]?.stringValue }
}

/// A Python Celery worker that also runs the README's `tasks.add` and `tasks.multiply`
/// (Tests/Python/beat_tasks.py), recording every task it runs as `probe.record` does.
final class RunWorker {
    let venv: CeleryVenv
    let process: ManagedProcess
    let recordURL: URL

    init(venv: CeleryVenv, brokerURL: String, queues: [String] = ["celery"]) throws {
        self.venv = venv
        let folder = try temporaryDirectory("run-worker")
        recordURL = folder.appendingPathComponent("records.jsonl")
        _ = FileManager.default.createFile(atPath: recordURL.path, contents: nil)
        var environment = ProcessInfo.processInfo.environment
        environment["PROBE_BROKER_URL"] = brokerURL
        environment["PROBE_RECORD_FILE"] = recordURL.path
        environment["PYTHONUNBUFFERED"] = "1"
        process = try ManagedProcess(
            executable: venv.celery,
            arguments: [
                "-A", "probe", "worker", "-I", "beat_tasks", "-P", "solo", "-c", "1", "-Q", queues.joined(separator: ","),
                "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info",
                "-n", "run-\(UUID().uuidString.prefix(8))@%h",
            ],
            environment: environment,
            currentDirectory: Fixtures.repositoryRoot.appendingPathComponent("Tests/Python"),
            logURL: folder.appendingPathComponent("worker.log"))
        try process.waitForLog(containing: "ready.", timeout: .seconds(90))
    }

    deinit {
        process.stop(grace: .seconds(5))
    }

    var records: [JSONObject] {
        let text = (try? String(contentsOf: recordURL, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)).objectValue }
    }

    func waitForRecords(where matches: (JSONObject) -> Bool, count: Int, timeout: Duration = .seconds(60)) throws -> [JSONObject] {
        try waitFor("\(count) matching tasks to run in \(venv); worker log:\n\(process.log.suffix(2000))", timeout: timeout) {
            let found = records.filter(matches)
            return found.count >= count ? found : nil
        }
    }
}

extension RunHarness {
    /// Runs the venv's python on `script` (in Tests/Python) with `input` on stdin; returns stdout.
    static func python(_ venv: CeleryVenv, script: String, input: String) throws -> String {
        try run(
            venv.python, [Fixtures.repositoryRoot.appendingPathComponent("Tests/Python/\(script)").path], input: input)
    }

    /// Runs `executable` with `arguments` (in `folder`, with `environment` added and `input` on
    /// stdin); returns stdout, or fails the test with stderr.
    static func run(
        _ executable: URL, _ arguments: [String], environment: [String: String] = [:], in folder: URL? = nil, input: String = ""
    ) throws -> String {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let folder { process.currentDirectoryURL = folder }
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(
            process.terminationStatus == 0,
            "\(executable.lastPathComponent) \(arguments.joined(separator: " ")) failed: \(String(decoding: errors, as: UTF8.self))")
        return String(decoding: output, as: UTF8.self)
    }

    /// A JSON text for an entry's `last_run_at`, in celerybeat-redis's component form.
    static func componentDatetime(_ instant: Instant) -> String {
        let wall = CivilDateTime(instant)
        return #"{"__type__": "datetime", "year": \#(wall.year), "month": \#(wall.month), "day": \#(wall.day), "hour": \#(wall.hour), "minute": \#(wall.minute), "second": \#(wall.second), "microsecond": \#(wall.microsecond)}"#
    }
}

extension RunWorker {
    /// The newest Celery venv (by version), for tests that need one worker.
    static var newestVenv: CeleryVenv? {
        func version(_ venv: CeleryVenv) -> [Int] { venv.version.split(separator: ".").compactMap { Int($0) } }
        return CeleryVenv.all.max { version($0).lexicographicallyPrecedes(version($1)) }
    }
}
