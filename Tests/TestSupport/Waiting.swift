import Foundation

/// Why a test gave up waiting.
public struct WaitTimeout: Error, CustomStringConvertible {
    public var description: String
}

/// Waits for `condition` by polling, up to `timeout`. Integration tests wait for events this way,
/// never for a fixed time: the machines are shared and noisy, so deadlines are generous and a
/// fast machine finishes early.
public func waitUntil(
    _ what: @autoclosure () -> String,
    timeout: Duration = .seconds(30),
    pollingEvery interval: Duration = .milliseconds(50),
    _ condition: () throws -> Bool
) throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while true {
        if try condition() { return }
        guard clock.now < deadline else {
            throw WaitTimeout(description: "gave up after \(timeout) waiting for \(what())")
        }
        Thread.sleep(forTimeInterval: Double(interval.components.attoseconds) / 1e18 + Double(interval.components.seconds))
    }
}

/// Like `waitUntil`, for a value that appears: returns it as soon as `produce` gives one.
public func waitFor<T>(
    _ what: @autoclosure () -> String,
    timeout: Duration = .seconds(30),
    _ produce: () throws -> T?
) throws -> T {
    var value: T?
    try waitUntil(what(), timeout: timeout) {
        value = try produce()
        return value != nil
    }
    return value!
}
