public import AMQPClient
public import JSON
public import RedisClient

/// A broker URL as Celery takes it (`broker_url`), parsed once into the configuration of the
/// broker it names.
public enum BrokerURL: Sendable, Equatable, CustomStringConvertible {
    case redis(RedisConfiguration)
    case amqp(AMQPConfiguration)

    /// `redis://`, `rediss://`, `unix://` and `sentinel://` for kombu's Redis transport; `amqp://`, `amqps://`, `pyamqp://`,
    /// `librabbitmq://` (and `;`-separated failover lists of them) for RabbitMQ.
    public init(_ url: String) throws(BrokerError) {
        let scheme = url.split(separator: ":", maxSplits: 1).first.map { $0.lowercased() } ?? ""
        switch scheme {
        case "redis", "rediss", "unix", "sentinel":
            do {
                self = .redis(try RedisConfiguration(url: url))
            } catch {
                throw BrokerError(.configuration, "invalid broker URL: \(error)")
            }
        case "amqp", "amqps", "pyamqp", "librabbitmq":
            do {
                self = .amqp(try AMQPConfiguration(url: url))
            } catch {
                throw BrokerError(.configuration, "invalid broker URL: \(error)")
            }
        default:
            let shown = scheme.isEmpty || scheme.count > 20 ? "" : " \"\(scheme)\""
            throw BrokerError(
                .configuration, "unsupported broker URL scheme\(shown): swiftbeat sends to redis:// or amqp:// brokers")
        }
    }

    public var description: String {
        switch self {
        case .redis(let configuration): configuration.redactedURL
        case .amqp(let configuration): configuration.redacted
        }
    }

    /// Connects to the broker.
    /// Connects. `queueArguments` says what a queue that does not exist yet is declared with, on
    /// RabbitMQ (the config's `task_queues`); a Redis broker has nothing to declare.
    public func connect(
        options: BrokerTransportOptions = BrokerTransportOptions(),
        queueArguments: @escaping @Sendable (String) -> JSONObject = { _ in [:] }
    ) throws(BrokerError) -> any Broker {
        switch self {
        case .redis(let configuration):
            let configuration = try options.sentinel.applied(to: configuration, option: "--broker-transport-options")
            do {
                return RedisBroker(connection: try RedisConnection(configuration: configuration), options: options)
            } catch {
                // A refused password or database is the URL's fault, as a refused AMQP login is:
                // retrying will not help, so it is not reported as unreachable.
                switch error.kind {
                case .authenticationFailed, .selectFailed, .invalidConfiguration:
                    throw BrokerError(.configuration, "redis broker refused the connection: \(error)")
                default:
                    throw BrokerError(.unreachable, "cannot reach the redis broker: \(error)")
                }
            }
        case .amqp(let configuration):
            do {
                return AMQPBroker(connection: try AMQPConnection(configuration: configuration), queueArguments: queueArguments)
            } catch {
                throw AMQPBroker.brokerError(error, batchSize: 0)
            }
        }
    }
}
