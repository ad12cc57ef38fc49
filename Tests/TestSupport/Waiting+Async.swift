import Dispatch

/// `waitUntil` for async tests. It sleeps with `Task.sleep`, so a test that waits leaves its thread
/// to the others: the cooperative pool has one thread per core (two on the CI machine), and the
/// interop tests spend most of their time waiting for Python workers.
public func pollUntil(
    _ what: @autoclosure () -> String,
    timeout: Duration = .seconds(30),
    pollingEvery interval: Duration = .milliseconds(50),
    _ condition: () throws -> Bool
) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while true {
        if try condition() { return }
        guard clock.now < deadline else {
            throw WaitTimeout(description: "gave up after \(timeout) waiting for \(what())")
        }
        try await Task.sleep(for: interval)
    }
}

/// Like `pollUntil`, for a value that appears: returns it as soon as `produce` gives one.
public func pollFor<T>(
    _ what: @autoclosure () -> String,
    timeout: Duration = .seconds(30),
    _ produce: () throws -> T?
) async throws -> T {
    var value: T?
    try await pollUntil(what(), timeout: timeout) {
        value = try produce()
        return value != nil
    }
    return value!
}

/// Runs blocking work (a child process run to completion, rabbitmqctl, a sleep-polling wait) on a
/// dispatch thread and awaits it, so the cooperative pool stays free for the tests that measure
/// time: with one pool thread per core, two blocked tests would stall every other test's clock.
public func offloaded<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Swift.Result { try body() })
        }
    }
}
