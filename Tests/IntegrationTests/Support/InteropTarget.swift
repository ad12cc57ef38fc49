import Testing
import TestSupport

/// A broker of the interop matrix.
enum InteropBroker: String, Sendable, CaseIterable {
    /// A private redis-server per Celery version (kombu's Redis transport).
    case redis
    /// The private RabbitMQ of scripts/rabbitmq, a virtual host per Celery version.
    case rabbitmq
}

/// One cell of the interop matrix: a broker and a Celery version. Interop tests take these as
/// arguments, so every test runs against each broker with each Celery in `CeleryVenv.all`.
struct InteropTarget: Sendable, CustomTestStringConvertible {
    var broker: InteropBroker
    var venv: CeleryVenv

    /// Names this target's broker and workers in `InteropFixtures`.
    var key: String { "\(broker.rawValue)-\(venv.version)" }
    var testDescription: String { "\(broker.rawValue), celery \(venv.version)" }

    static let all: [InteropTarget] = InteropBroker.allCases.flatMap { broker in
        CeleryVenv.all.map { InteropTarget(broker: broker, venv: $0) }
    }

    static func on(_ broker: InteropBroker) -> [InteropTarget] {
        all.filter { $0.broker == broker }
    }

    /// Whether the interop tests can run here: the RabbitMQ of scripts/rabbitmq is described in
    /// the environment and at least one Celery venv exists. Otherwise the suite is skipped, which
    /// scripts/test counts as a failure (it sets everything up), so a matrix with no cells can
    /// never pass silently.
    static var isAvailable: Bool { AMQPTestServer.isAvailable && !CeleryVenv.all.isEmpty }
}
