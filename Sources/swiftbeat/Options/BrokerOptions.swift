import ArgumentParser
import Broker
import CeleryConfig
import CeleryRouting
import JSON
import RedisClient

/// Where tasks are sent. Resolved here and only here: flag, then CELERY_BROKER_URL, then
/// BROKER_URL, then the config file's broker_url, then a local Redis.
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

    func resolved(_ settings: Settings) throws -> BrokerSettings {
        let url = try url ?? readSetting { () throws(ConfigError) in try settings.string(.brokerURL) } ?? Self.defaultURL
        let options: BrokerTransportOptions
        do {
            if let transportOptions {
                options = try BrokerTransportOptions(json: transportOptions)
            } else if let found = try readSetting({ () throws(ConfigError) in try settings.json(.brokerTransportOptions) }) {
                do {
                    options = try BrokerTransportOptions(json: JSONWriter.string(found.value, style: .compact))
                } catch {
                    throw CommandFailure.badInput(found.error(error.description).description)
                }
            } else {
                options = BrokerTransportOptions()
            }
        } catch let error as BrokerError {
            throw CommandFailure.badInput(error.description)
        }
        return BrokerSettings(resolvedURL: url, transportOptions: options, tls: try UseSSLSetting.tls(.brokerUseSSL, settings))
    }
}

/// The broker's settings, resolved.
struct BrokerSettings {
    var resolvedURL: String
    var transportOptions: BrokerTransportOptions
    /// From `broker_use_ssl`: TLS for a Redis broker, as kombu turns it on.
    var tls: RedisConfiguration.TLS?

    func brokerURL() throws -> BrokerURL {
        let url: BrokerURL
        do {
            url = try BrokerURL(resolvedURL)
        } catch {
            throw CommandFailure.badInput(error.description)
        }
        guard let tls else { return url }
        guard case .redis(var configuration) = url else {
            // Never quietly without the TLS the config asks for.
            throw CommandFailure.badInput(
                "broker_use_ssl is read for Redis brokers; for RabbitMQ write amqps:// with its ssl_* options in the URL")
        }
        configuration.tls = tls
        return .redis(configuration)
    }

    /// Connects, or fails with exit code 2 naming the broker (never its password). A queue that
    /// does not exist yet is declared as `router`'s settings say.
    func connect(router: Router) throws -> any Broker {
        let url = try brokerURL()
        do {
            return try url.connect(options: transportOptions) { router.queueArguments(for: $0) }
        } catch {
            throw error.kind == .configuration ? CommandFailure.badInput(error.description) : CommandFailure.unavailable(error.description)
        }
    }
}
