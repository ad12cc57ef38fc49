public import Foundation

/// The `swiftbeat` executable built alongside the tests, run as a black box.
public enum SwiftbeatBinary {
    /// `SWIFTBEAT_BINARY`, else the `swiftbeat` next to the test bundle in the build folder.
    public static let url: URL = {
        if let path = ProcessInfo.processInfo.environment["SWIFTBEAT_BINARY"] {
            return URL(fileURLWithPath: path)
        }
        var folder = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("swiftbeat")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder.deleteLastPathComponent()
        }
        return Fixtures.repositoryRoot.appendingPathComponent(".build/debug/swiftbeat")
    }()

    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs `swiftbeat arguments...` to completion. The environment is the test's own minus the
    /// settings swiftbeat reads, plus `environment`, so a developer's shell cannot change a result.
    public static func run(_ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(60)) throws -> Result {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.environment = cleanEnvironment().merging(environment) { $1 }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes while the process runs so a chatty process cannot block on a full pipe.
        nonisolated(unsafe) var outData = Data()
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            outData = out.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        try waitUntil("swiftbeat \(arguments.joined(separator: " ")) to finish", timeout: timeout) { !process.isRunning }
        group.wait()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Starts a long-running `swiftbeat` (for example `run`), logging to a file.
    public static func launch(_ arguments: [String], environment: [String: String] = [:], name: String = "swiftbeat") throws -> ManagedProcess {
        let folder = try temporaryDirectory(name)
        return try ManagedProcess(
            executable: url, arguments: arguments,
            environment: cleanEnvironment().merging(environment) { $1 },
            logURL: folder.appendingPathComponent("\(name).log"))
    }

    static func cleanEnvironment() -> [String: String] {
        ProcessInfo.processInfo.environment.filter { key, _ in
            !(key.hasPrefix("CELERY_") || key == "BROKER_URL" || key.hasPrefix("SWIFTBEAT_"))
        }
    }
}
