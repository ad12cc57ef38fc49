import Foundation
import Testing
import TestSupport

/// The long-lived workers of one target, by the queues they consume.
enum WorkerRole: String, Sendable {
    /// Celery's default queue, `celery`.
    case main
    /// `other`, and `routed`, which is bound to the named exchange `probe.direct` with the
    /// routing key `probe.routed.key`.
    case other

    static let namedExchange = "probe.direct"
    static let routingKey = "probe.routed.key"

    var queues: [String] {
        switch self {
        case .main: ["celery"]
        case .other: ["other", "routed"]
        }
    }

    var bindings: [(queue: String, exchange: String, routingKey: String)] {
        switch self {
        case .main: []
        case .other: [("routed", Self.namedExchange, Self.routingKey)]
        }
    }
}

/// A private broker for one target: its own redis-server, or its own RabbitMQ virtual host, so
/// that the workers of one Celery version never take the messages meant for another's.
final class TargetBroker: Sendable {
    let url: String
    private let redis: RedisServer?
    private let virtualHost: (server: AMQPTestServer, name: String)?

    init(_ target: InteropTarget) throws {
        switch target.broker {
        case .redis:
            let server = try RedisServer.start()
            redis = server
            virtualHost = nil
            url = server.url + "/0"
        case .rabbitmq:
            let server = try AMQPTestServer.required()
            let name = AMQPTestServer.uniqueName("interop-\(target.venv.version)")
            url = try server.makeVirtualHost(name)
            redis = nil
            virtualHost = (server, name)
        }
    }

    func stop() {
        redis?.stop()
        if let virtualHost { try? virtualHost.server.deleteVirtualHost(virtualHost.name) }
    }
}

/// The brokers and workers the interop tests share, so that a Python worker starts once per
/// target and role rather than once per test: each is started on first use (concurrently for
/// different targets) and stopped when the suite ends (`InteropScope`).
///
/// Sharing is safe without serialising the tests: every assertion is about the test's own task
/// ids, and the one ordering argument (an expired task, then a marker, on a solo worker) holds
/// whatever other tests send in between.
actor InteropFixtures {
    static let shared = InteropFixtures()

    private var brokers: [String: Task<TargetBroker, any Error>] = [:]
    private var workers: [String: Task<CeleryWorker, any Error>] = [:]

    func brokerURL(for target: InteropTarget) async throws -> String {
        try await broker(for: target).value.url
    }

    func worker(_ role: WorkerRole, for target: InteropTarget) async throws -> CeleryWorker {
        let key = "\(target.key)-\(role.rawValue)"
        if let existing = workers[key] { return try await existing.value }
        // Registered before any suspension, so concurrent callers share one start.
        let broker = broker(for: target)
        let starting = Task.detached {
            try await CeleryWorker.start(
                venv: target.venv, brokerURL: try await broker.value.url, queues: role.queues,
                bindings: role.bindings, name: "\(role.rawValue)-\(target.key)")
        }
        workers[key] = starting
        return try await starting.value
    }

    private func broker(for target: InteropTarget) -> Task<TargetBroker, any Error> {
        if let existing = brokers[target.key] { return existing }
        // Starting redis-server or running rabbitmqctl blocks: off the actor and the cooperative pool.
        let starting = Task.detached { try await offloaded { try TargetBroker(target) } }
        brokers[target.key] = starting
        return starting
    }

    /// Stops every worker (warm shutdowns, all at once) and then every broker.
    func tearDown() async {
        var running: [CeleryWorker] = []
        for task in workers.values {
            if let worker = try? await task.value { running.append(worker) }
        }
        workers = [:]
        await withTaskGroup { group in
            for worker in running { group.addTask { await worker.shutDown() } }
        }
        var started: [TargetBroker] = []
        for task in brokers.values {
            if let broker = try? await task.value { started.append(broker) }
        }
        brokers = [:]
        await withTaskGroup { group in
            for broker in started { group.addTask { _ = try? await offloaded { broker.stop() } } }
        }
    }
}

/// Stops the shared workers and brokers once the whole suite has run.
struct InteropScope: SuiteTrait, TestScoping {
    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        do {
            try await function()
        } catch {
            await InteropFixtures.shared.tearDown()
            throw error
        }
        await InteropFixtures.shared.tearDown()
    }
}

extension Trait where Self == InteropScope {
    /// Shares brokers and workers across the suite's tests and stops them when it ends.
    static var sharedInteropFixtures: Self { InteropScope() }
}
