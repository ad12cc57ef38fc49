import Foundation
import RedisClient
import TestSupport

/// A connection to `server` with the given URL suffix (`/2`, credentials...) and timeouts.
func connect(
    _ server: RedisServer, userinfo: String = "", database: Int = 0,
    connectTimeout: Duration = .seconds(5), commandTimeout: Duration = .seconds(5)
) throws -> RedisConnection {
    var configuration = try RedisConfiguration(url: "redis://\(userinfo)127.0.0.1:\(server.port)/\(database)")
    configuration.connectTimeout = connectTimeout
    configuration.commandTimeout = commandTimeout
    return try RedisConnection(configuration: configuration)
}

/// Time taken by `body`, for checks that a failure came quickly.
func elapsed<T>(_ body: () throws -> T) rethrows -> (T, Duration) {
    let clock = ContinuousClock()
    let start = clock.now
    let result = try body()
    return (result, clock.now - start)
}

func bulk(_ text: String) -> RedisReply { .bulk(Array(text.utf8)) }

/// Runs `body` on a new thread (not the cooperative pool, which the blocked test may be
/// occupying) and returns a function that waits for it and rethrows what it threw.
func onHelperThread(_ body: @escaping @Sendable () throws -> Void) -> () throws -> Void {
    let done = DispatchSemaphore(value: 0)
    let failure = LockedBox<(any Error)?>(nil)
    let thread = Thread {
        do { try body() } catch { failure.value = error }
        done.signal()
    }
    thread.start()
    return {
        guard done.wait(timeout: .now() + 60) == .success else {
            throw RedisServerError(description: "the helper thread did not finish within 60 s")
        }
        if let error = failure.value { throw error }
    }
}

final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
