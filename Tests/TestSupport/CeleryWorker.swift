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
public final class CeleryWorker: @unchecked Sendable {
    public let venv: CeleryVenv
    public let process: ManagedProcess
    public let recordURL: URL

    /// Starts a solo worker consuming `queues` from `brokerURL` and waits until it logs `ready.`.
    public init(
        venv: CeleryVenv, brokerURL: String, queues: [String] = ["celery"],
        transportOptions: String? = nil, name: String = "probe"
    ) throws {
        self.venv = venv
        let folder = try temporaryDirectory("worker-\(name)")
        recordURL = folder.appendingPathComponent("records.jsonl")
        _ = FileManager.default.createFile(atPath: recordURL.path, contents: nil)
        var environment = ProcessInfo.processInfo.environment
        environment["PROBE_BROKER_URL"] = brokerURL
        environment["PROBE_RECORD_FILE"] = recordURL.path
        environment["PYTHONUNBUFFERED"] = "1"
        if let transportOptions { environment["PROBE_TRANSPORT_OPTIONS"] = transportOptions }
        process = try ManagedProcess(
            executable: venv.celery,
            arguments: [
                "-A", "probe", "worker", "-P", "solo", "-c", "1", "-Q", queues.joined(separator: ","),
                "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info",
                "-n", "\(name)-\(UUID().uuidString.prefix(8))@%h",
            ],
            environment: environment,
            currentDirectory: Fixtures.repositoryRoot.appendingPathComponent("Tests/Python"),
            logURL: folder.appendingPathComponent("worker.log"))
        try process.waitForLog(containing: "ready.", timeout: .seconds(90))
    }

    /// Every task the worker has run so far, in order.
    public var records: [JSONObject] {
        let text = (try? String(contentsOf: recordURL, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)).objectValue }
    }

    public func waitForRecord(id: String, timeout: Duration = .seconds(60)) throws -> JSONObject {
        try waitFor("task \(id) to run in \(venv)", timeout: timeout) {
            records.first { $0["id"]?.stringValue == id }
        }
    }

    public func waitForRecords(count: Int, timeout: Duration = .seconds(60)) throws -> [JSONObject] {
        try waitFor("\(count) tasks to run in \(venv)", timeout: timeout) {
            let all = records
            return all.count >= count ? all : nil
        }
    }

    public var log: String { process.log }

    public func stop() {
        process.stop()
    }

    deinit {
        process.stop(grace: .seconds(5))
    }
}
