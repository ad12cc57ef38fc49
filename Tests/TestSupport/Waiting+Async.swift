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
