public import Foundation
public import JSON

/// A Python virtual environment holding one version of Celery (made by scripts/lib/python.sh).
public struct CeleryVenv: Sendable, CustomStringConvertible {
    public var version: String
    public var path: URL

    public var description: String { "celery \(version)" }

    /// The venvs to test against: `SWIFTBEAT_TEST_CELERY_VENVS` (colon-separated folders, set by
    /// scripts/test), else every `.venv-celery-*` folder in the repository.
    public static let all: [CeleryVenv] = {
        let paths: [URL]
        if let list = ProcessInfo.processInfo.environment["SWIFTBEAT_TEST_CELERY_VENVS"], !list.isEmpty {
            paths = list.split(separator: ":").map { URL(fileURLWithPath: String($0)) }
        } else {
            let root = Fixtures.repositoryRoot
            let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
            paths = names.filter { $0.hasPrefix(".venv-celery-") }.sorted().map { root.appendingPathComponent($0) }
        }
        return paths.map { CeleryVenv(version: String($0.lastPathComponent.dropFirst(".venv-celery-".count)), path: $0) }
    }()

    public var celery: URL { path.appendingPathComponent("bin/celery") }
    public var python: URL { path.appendingPathComponent("bin/python") }
}

/// A real Python Celery worker running Tests/Python/probe.py, whose `probe.record` task writes down
/// every task it ran, so a test can see exactly what a Python worker received.
///
/// The worker watches the test process (PROBE_PARENT_PID) and exits when it is gone, so a test run
/// that crashes leaves no worker behind.
public final class CeleryWorker: @unchecked Sendable {
    public let venv: CeleryVenv
    public let queues: [String]
    public let process: ManagedProcess
    public let recordURL: URL

    /// Starts a solo worker consuming `queues` from `brokerURL` and waits until it logs `ready.`.
    ///
    /// `bindings` are queues bound to named exchanges, `(queue, exchange, routingKey)`; a queue in
    /// `queues` without one gets Celery's default (exchange and routing key named after the queue).
    /// `environment` adds variables, e.g. `PROBE_QUEUE_MAX_PRIORITY` (see probe.py).
    public convenience init(
        venv: CeleryVenv, brokerURL: String, queues: [String] = ["celery"],
        bindings: [(queue: String, exchange: String, routingKey: String)] = [],
        transportOptions: String? = nil, name: String = "probe", environment: [String: String] = [:]
    ) throws {
        try self.init(
            launching: venv, brokerURL: brokerURL, queues: queues, bindings: bindings,
            transportOptions: transportOptions, name: name, environment: environment)
        try process.waitForLog(containing: Self.readyLine, timeout: Self.startTimeout)
    }

    /// `init`, for async tests: waits for `ready.` without holding a thread.
    public static func start(
        venv: CeleryVenv, brokerURL: String, queues: [String] = ["celery"],
        bindings: [(queue: String, exchange: String, routingKey: String)] = [],
        transportOptions: String? = nil, name: String = "probe", environment: [String: String] = [:], app: String = "probe"
    ) async throws -> CeleryWorker {
        let worker = try CeleryWorker(
            launching: venv, brokerURL: brokerURL, queues: queues, bindings: bindings,
            transportOptions: transportOptions, name: name, environment: environment, app: app)
        try await worker.process.pollForLog(containing: readyLine, timeout: startTimeout)
        return worker
    }

    /// Runs `body` with a fresh worker and shuts the worker down afterwards, whatever happens.
    public static func with<Result>(
        venv: CeleryVenv, brokerURL: String, queues: [String],
        bindings: [(queue: String, exchange: String, routingKey: String)] = [],
        name: String = "probe", environment: [String: String] = [:], app: String = "probe",
        _ body: (CeleryWorker) async throws -> Result
    ) async throws -> Result {
        let worker = try await start(
            venv: venv, brokerURL: brokerURL, queues: queues, bindings: bindings, name: name, environment: environment, app: app)
        do {
            let result = try await body(worker)
            await worker.shutDown()
            return result
        } catch {
            await worker.shutDown()
            throw error
        }
    }

    private static let readyLine = "ready."
    private static let startTimeout: Duration = .seconds(90)

    private init(
        launching venv: CeleryVenv, brokerURL: String, queues: [String],
        bindings: [(queue: String, exchange: String, routingKey: String)],
        transportOptions: String?, name: String, environment extra: [String: String], app: String = "probe"
    ) throws {
        self.venv = venv
        self.queues = queues
        let folder = try temporaryDirectory("worker-\(name)")
        recordURL = folder.appendingPathComponent("records.jsonl")
        _ = FileManager.default.createFile(atPath: recordURL.path, contents: nil)
        var environment = ProcessInfo.processInfo.environment
        environment["PROBE_BROKER_URL"] = brokerURL
        environment["PROBE_RECORD_FILE"] = recordURL.path
        environment["PROBE_PARENT_PID"] = String(ProcessInfo.processInfo.processIdentifier)
        environment["PYTHONUNBUFFERED"] = "1"
        if let transportOptions { environment["PROBE_TRANSPORT_OPTIONS"] = transportOptions }
        if !bindings.isEmpty {
            let triples = bindings.map { JSONValue.array([.string($0.queue), .string($0.exchange), .string($0.routingKey)]) }
            environment["PROBE_BINDINGS"] = JSONWriter.string(.array(triples))
        }
        environment.merge(extra) { $1 }
        process = try ManagedProcess(
            executable: venv.celery,
            arguments: [
                "-A", app, "worker", "-P", "solo", "-c", "1", "-Q", queues.joined(separator: ","),
                "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info",
                "-n", "\(name)-\(UUID().uuidString.prefix(8))@%h",
            ],
            environment: environment,
            currentDirectory: CeleryVenv.probeFolder,
            logURL: folder.appendingPathComponent("worker.log"))
    }

    /// Every task the worker has run so far, in order.
    public var records: [JSONObject] {
        let text = (try? String(contentsOf: recordURL, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)).objectValue }
    }

    /// The record of task `id`, if the worker has run it.
    public func record(id: String) -> JSONObject? {
        records.first { $0["id"]?.stringValue == id }
    }

    public func waitForRecord(id: String, timeout: Duration = .seconds(60)) throws -> JSONObject {
        try waitFor("task \(id) to run in \(venv)\(logTail)", timeout: timeout) { record(id: id) }
    }

    public func waitForRecords(count: Int, timeout: Duration = .seconds(60)) throws -> [JSONObject] {
        try waitFor("\(count) tasks to run in \(venv)\(logTail)", timeout: timeout) {
            let all = records
            return all.count >= count ? all : nil
        }
    }

    /// `waitForRecord`, for async tests.
    public func pollForRecord(id: String, timeout: Duration = .seconds(60)) async throws -> JSONObject {
        try await pollFor("task \(id) to run in \(venv) worker \(queues)\(logTail)", timeout: timeout) { record(id: id) }
    }

    /// `waitForRecords`, for async tests.
    public func pollForRecords(count: Int, timeout: Duration = .seconds(60)) async throws -> [JSONObject] {
        try await pollFor("\(count) tasks to run in \(venv) worker \(queues)\(logTail)", timeout: timeout) {
            let all = records
            return all.count >= count ? all : nil
        }
    }

    public var log: String { process.log }

    /// The end of the worker's log, for failure messages (evaluated when the wait gives up).
    private var logTail: String { "; the worker's log ends:\n" + log.suffix(2000) }

    public func stop() {
        process.stop()
    }

    /// `stop`, for async tests: a warm shutdown (SIGTERM), then SIGKILL after `grace`.
    public func shutDown(grace: Duration = .seconds(20)) async {
        process.signal(SIGTERM)
        if (try? await process.pollForExit(timeout: grace)) == nil {
            process.signal(SIGKILL)
            _ = try? await process.pollForExit(timeout: .seconds(10))
        }
    }

    deinit {
        process.stop(grace: .seconds(5))
    }
}

extension CeleryVenv {
    /// Tests/Python: probe.py and the other helper scripts.
    public static var probeFolder: URL { Fixtures.repositoryRoot.appendingPathComponent("Tests/Python") }

    /// Runs `python SCRIPT ARGUMENTS...` from Tests/Python with this venv's interpreter and
    /// returns its output (stdout and stderr); throws with that output when it fails.
    @discardableResult
    public func runScript(_ script: String, _ arguments: [String], timeout: Duration = .seconds(60)) async throws -> String {
        let folder = try temporaryDirectory("script")
        let process = try ManagedProcess(
            executable: python, arguments: [script] + arguments, currentDirectory: Self.probeFolder,
            logURL: folder.appendingPathComponent("output.log"))
        let status = try await process.pollForExit(timeout: timeout)
        guard status == 0 else {
            throw ProcessFailure(description: "\(script) \(arguments.joined(separator: " ")) exited \(status):\n\(process.log)")
        }
        return process.log
    }

    /// Runs `python SCRIPT INPUT OUTPUT ARGUMENTS...` with `lines` in the file INPUT, one a line,
    /// and returns the lines the script wrote to OUTPUT: for a batch of generated cases sent to one
    /// Python process, whose answers must not mix with anything it prints (warnings).
    public func runScript(_ script: String, lines: [String], _ arguments: [String] = [], timeout: Duration = .seconds(120))
        async throws -> [Substring]
    {
        let folder = try temporaryDirectory("batch")
        let input = folder.appendingPathComponent("input.jsonl")
        let output = folder.appendingPathComponent("output.jsonl")
        try Data(lines.map { $0 + "\n" }.joined().utf8).write(to: input)
        try await runScript(script, [input.path, output.path] + arguments, timeout: timeout)
        return String(decoding: try Data(contentsOf: output), as: UTF8.self).split(separator: "\n")
    }
}
