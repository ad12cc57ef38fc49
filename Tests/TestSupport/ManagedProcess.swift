public import Foundation

/// A child process a test started, with its output going to a log file, stopped when the test ends.
/// Tests stop exactly what they started, by pid, never by name.
public final class ManagedProcess: @unchecked Sendable {
    public let process: Process
    public let logURL: URL
    private let lock = NSLock()

    /// Starts `executable` with `arguments`; stdout and stderr both go to `logURL`.
    public init(
        executable: URL, arguments: [String], environment: [String: String]? = nil,
        currentDirectory: URL? = nil, logURL: URL
    ) throws {
        process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logURL)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        self.logURL = logURL
        try Self.withTerminationSignalsUnblocked { try process.run() }
    }

    /// The signals a test sends to stop a child (SIGTERM, SIGINT...) or that Celery acts on.
    private static let terminationSignals = [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2]

    /// Runs `body` (which starts a child) with the termination signals unblocked in this thread.
    ///
    /// A child inherits the signal mask of the thread that spawns it, and Foundation's `Process`
    /// does not reset it. Test threads (the cooperative pool, libdispatch workers) block most
    /// signals, so without this a child would never see the SIGTERM of `stop()`: a Python worker
    /// would keep running until SIGKILL, and could never shut down gracefully.
    private static func withTerminationSignalsUnblocked<Result>(_ body: () throws -> Result) rethrows -> Result {
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for signal in terminationSignals { sigaddset(&unblock, signal) }
        var previous = sigset_t()
        pthread_sigmask(SIG_UNBLOCK, &unblock, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        return try body()
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    /// Everything the process has written so far.
    public var log: String {
        (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
    }

    public func waitForLog(containing text: String, timeout: Duration = .seconds(60)) throws {
        try waitUntil("\"\(text)\" in \(logURL.lastPathComponent)", timeout: timeout) {
            if !isRunning, !log.contains(text) {
                throw WaitTimeout(description: "process exited (\(process.terminationStatus)) before logging \"\(text)\":\n\(log.suffix(3000))")
            }
            return log.contains(text)
        }
    }

    /// `waitForLog`, for async tests: polls without holding a thread.
    public func pollForLog(containing text: String, timeout: Duration = .seconds(60)) async throws {
        try await pollUntil("\"\(text)\" in \(logURL.lastPathComponent)", timeout: timeout) {
            if !isRunning, !log.contains(text) {
                throw WaitTimeout(description: "process exited (\(process.terminationStatus)) before logging \"\(text)\":\n\(log.suffix(3000))")
            }
            return log.contains(text)
        }
    }

    public func signal(_ signal: Int32) {
        lock.lock()
        defer { lock.unlock() }
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// Waits for the process to exit and returns its status.
    @discardableResult
    public func waitForExit(timeout: Duration = .seconds(30)) throws -> Int32 {
        try waitUntil("pid \(pid) to exit", timeout: timeout) { !process.isRunning }
        return process.terminationStatus
    }

    /// `waitForExit`, for async tests.
    @discardableResult
    public func pollForExit(timeout: Duration = .seconds(30)) async throws -> Int32 {
        try await pollUntil("pid \(pid) to exit", timeout: timeout) { !process.isRunning }
        return process.terminationStatus
    }

    /// SIGTERM, then SIGKILL if it is still there after `grace`.
    public func stop(grace: Duration = .seconds(10)) {
        signal(SIGTERM)
        if (try? waitForExit(timeout: grace)) == nil {
            signal(SIGKILL)
            _ = try? waitForExit(timeout: .seconds(10))
        }
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
    }
}

/// A helper process that exited with a failure status.
public struct ProcessFailure: Error, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}

/// A fresh temporary folder for one test's files.
public func temporaryDirectory(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("swiftbeat-tests")
        .appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
