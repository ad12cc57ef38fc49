import ArgumentParser
import Broker

/// Where tasks are sent. Resolved here and only here: flag, then CELERY_BROKER_URL, then
/// BROKER_URL, then a local Redis.
struct BrokerOptions: ParsableArguments {
    static let defaultURL = "redis://127.0.0.1:6379/0"

    @Option(
        name: .customLong("broker-url"),
        help: ArgumentHelp(
            "Where tasks are sent: redis://[user:password@]host[:port][/db] (rediss:// for TLS) or amqp://user:password@host:port/vhost.",
            discussion: "Env: CELERY_BROKER_URL, then BROKER_URL. Default: \(BrokerOptions.defaultURL).",
            valueName: "url"))
    var url: String?

    @Option(
        name: .customLong("broker-transport-options"),
        help: ArgumentHelp(
            "kombu transport options that decide where messages land on a Redis broker, as JSON: "
                + #"{"global_keyprefix": "app:", "priority_steps": [0, 3, 6, 9], "sep": ":"}."#,
            discussion: "Env: CELERY_BROKER_TRANSPORT_OPTIONS.",
            valueName: "json"))
    var transportOptions: String?

    var resolvedURL: String {
        url ?? Environment.first("CELERY_BROKER_URL", "BROKER_URL") ?? Self.defaultURL
    }

    func brokerURL() throws -> BrokerURL {
        do {
            return try BrokerURL(resolvedURL)
        } catch {
            throw CommandFailure.badInput(error.description)
        }
    }

    func resolvedTransportOptions() throws -> BrokerTransportOptions {
        guard let text = transportOptions ?? Environment.value("CELERY_BROKER_TRANSPORT_OPTIONS") else {
            return BrokerTransportOptions()
        }
        do {
            return try BrokerTransportOptions(json: text)
        } catch {
            throw CommandFailure.badInput(error.description)
        }
    }

    /// Connects, or fails with exit code 2 naming the broker (never its password).
    func connect() throws -> any Broker {
        let url = try brokerURL()
        let options = try resolvedTransportOptions()
        do {
            return try url.connect(options: options)
        } catch {
            throw error.kind == .configuration ? CommandFailure.badInput(error.description) : CommandFailure.unavailable(error.description)
        }
    }
}
