import Foundation
import JSON
import Testing
import TestSupport

/// deploy/: the systemd unit passes `systemd-analyze verify` without a warning, and the Kubernetes
/// manifests parse and wire the probes to the endpoints `run --http` serves.
@Suite struct DeployFilesTests {
    static let deploy = Fixtures.repositoryRoot.appendingPathComponent("deploy")

    @Test func theSystemdUnitVerifiesCleanly() throws {
        let analyze = try #require(
            ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first { FileManager.default.isExecutableFile(atPath: $0) },
            "systemd-analyze is not installed (scripts/test installs systemd)")
        // verify checks that ExecStart's program exists: point it at the binary under test, the
        // unit's only line that differs from the shipped file.
        let shipped = try String(contentsOf: Self.deploy.appendingPathComponent("systemd/swiftbeat.service"), encoding: .utf8)
        #expect(shipped.contains("ExecStart=/usr/local/bin/swiftbeat run"))
        #expect(shipped.contains("Type=notify") && shipped.contains("WatchdogSec=") && shipped.contains("DynamicUser=yes"))
        #expect(shipped.contains("ProtectSystem=strict"))
        let folder = try temporaryDirectory("systemd-unit")
        let unit = folder.appendingPathComponent("swiftbeat.service")
        try shipped.replacing("/usr/local/bin/swiftbeat", with: SwiftbeatBinary.url.path).write(to: unit, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: analyze)
        process.arguments = ["verify", unit.path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = errors
        try process.run()
        let output = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        // verify exits 0 on unknown keys and bad values too, and only says so: any output is a finding.
        #expect(output.isEmpty, "\(output)")
    }

    @Test func theKubernetesManifestsWireProbesToTheEndpoints() throws {
        let venv = try #require(RunWorker.newestVenv, "no Celery venv (scripts/test makes them)")
        let folder = Self.deploy.appendingPathComponent("kubernetes")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }.sorted()
        let output = try RunHarness.python(
            venv, script: "describe_kubernetes.py", input: files.map { folder.appendingPathComponent($0).path }.joined(separator: "\n"))
        let found = try #require(try JSONParser.parse(output).objectValue)
        let kinds = Set(found["documents"]?.arrayValue?.compactMap { $0.objectValue?["kind"]?.stringValue } ?? [])
        #expect(kinds.isSuperset(of: ["Deployment", "ConfigMap", "Secret", "Service", "ServiceMonitor"]))
        let deployment = try #require(found["deployment"]?.objectValue)
        #expect((deployment["replicas"]?.numberValue?.int64Value ?? 0) >= 2)
        #expect(deployment["liveness"]?.stringValue == "/healthz")
        #expect(deployment["readiness"]?.stringValue == "/readyz")
        #expect(deployment["ports"]?.objectValue?["http"]?.numberValue?.int64Value == 9808)
        #expect(deployment["envFrom"]?.arrayValue?.compactMap(\.stringValue) == ["swiftbeat:configMapRef", "swiftbeat:secretRef"])
        #expect(deployment["annotations"]?.objectValue?["prometheus.io/scrape"]?.stringValue == "true")
    }
}
