public import JSON
public import RedisClient

/// kombu's Sentinel transport options, `master_name` and `sentinel_kwargs`, for `sentinel://` URLs
/// of the broker (`--broker-transport-options`) and of the schedule store
/// (`--scheduler-transport-options`): the same JSON a Celery configuration holds.
///
/// `sentinel_kwargs` are what redis-py's `Sentinel` passes to its connections to the sentinels:
/// `username` and `password` for sentinels with their own `requirepass`, and `ssl` (or any `ssl_*`
/// option) for TLS to them. Other keys are refused, so that a setting that would be ignored is noticed.
public struct SentinelTransportOptions: Sendable, Equatable {
    public var masterName: String?
    public var username: String?
    public var password: String?
    public var tls: RedisConfiguration.TLS?

    public init() {}

    /// Parses a transport options JSON object, of which only these two options are read.
    public init(json text: String, what: String) throws(BrokerError) {
        try self.init(object: BrokerTransportOptions.object(json: text, what: what), what: what)
    }

    /// Reads the two options from a transport options object; other keys are left to their readers.
    public init(object: JSONObject, what: String) throws(BrokerError) {
        func fail(_ problem: String) -> BrokerError { BrokerError(.configuration, "\(what): \(problem)") }
        if let name = object["master_name"] {
            guard let name = name.stringValue, !name.isEmpty else { throw fail("master_name must be a non-empty string") }
            masterName = name
        }
        guard let keywords = object["sentinel_kwargs"], keywords != .null else { return }
        guard let keywords = keywords.objectValue else { throw fail("sentinel_kwargs must be a JSON object") }
        var tlsOptions: [(name: String, value: String)] = []
        var wantsTLS = false
        for member in keywords.members {
            let (key, value) = (member.key, member.value)
            switch key {
            case "username", "password":
                guard let text = value.stringValue else { throw fail("sentinel_kwargs.\(key) must be a string") }
                if key == "username" { username = text } else { password = text }
            case "ssl":
                guard let flag = value.boolValue else { throw fail("sentinel_kwargs.ssl must be true or false") }
                wantsTLS = flag
            case _ where key.hasPrefix("ssl_"):
                let text = value.boolValue.map { $0 ? "true" : "false" } ?? value.stringValue
                guard let text else { throw fail("sentinel_kwargs.\(key) must be a string") }
                tlsOptions.append((key, text))
                wantsTLS = true
            default:
                throw fail("sentinel_kwargs.\(key) is not supported; supported: username, password, ssl, ssl_* as in rediss:// URLs")
            }
        }
        if wantsTLS {
            do {
                tls = try RedisConfiguration.TLS(options: tlsOptions)
            } catch {
                throw fail("sentinel_kwargs: \(error.description)")
            }
        }
    }

    /// Puts the master's name and the sentinels' credentials into a `sentinel://` configuration, and
    /// refuses a `sentinel://` URL without `master_name` (kombu does too).
    public func applied(to configuration: RedisConfiguration, option: String) throws(BrokerError) -> RedisConfiguration {
        guard var sentinel = configuration.sentinel else { return configuration }
        guard let masterName else {
            throw BrokerError(
                .configuration,
                "\(sentinel.addresses) names sentinels but not the master: give its name with \(option) '{\"master_name\": \"mymaster\"}'")
        }
        sentinel.masterName = masterName
        sentinel.username = username
        sentinel.password = password
        sentinel.tls = tls
        var configured = configuration
        configured.sentinel = sentinel
        return configured
    }
}
