extension RedisConfiguration {
    /// A Sentinel group that tells where the master is, as kombu's `sentinel://` URLs and its
    /// `master_name` and `sentinel_kwargs` transport options describe it.
    ///
    /// The URL's credentials, database and `ssl_*` options are the master's (they stay in
    /// `RedisConfiguration`); the sentinels' own password and TLS come from `sentinel_kwargs`.
    public struct Sentinel: Sendable, Equatable {
        public static let defaultPort = 26379

        /// Asked in this order; the first that names the master is used.
        public var sentinels: [Endpoint]
        /// kombu's `master_name`: required, and given in the transport options, not the URL.
        public var masterName: String?
        /// `sentinel_kwargs`' `username` and `password`, for sentinels with `requirepass`.
        public var username: String?
        public var password: String?
        /// TLS to the sentinels (`sentinel_kwargs` with `ssl` or `ssl_*` keys); nil for plain TCP.
        public var tls: TLS?

        public init(
            sentinels: [Endpoint], masterName: String? = nil, username: String? = nil, password: String? = nil, tls: TLS? = nil
        ) {
            self.sentinels = sentinels
            self.masterName = masterName
            self.username = username
            self.password = password
            self.tls = tls
        }

        /// How to reach one of the sentinels: their credentials and TLS, the master's timeouts.
        func connecting(to sentinel: Endpoint, like master: RedisConfiguration) -> RedisConfiguration {
            RedisConfiguration(
                endpoint: sentinel, username: username, password: password, tls: tls,
                connectTimeout: master.connectTimeout, commandTimeout: master.commandTimeout)
        }

        /// `sentinel://h1:26379;sentinel://h2:26379`: the group as a URL lists it, without secrets.
        public var addresses: String { sentinels.map { "sentinel://\($0)" }.joined(separator: ";") }
    }

    /// Parses `sentinel://[[user]:password@]host[:port][;sentinel://host2[:port]...][/db][?ssl_...]`.
    ///
    /// As kombu reads it: every `;`-separated part names one sentinel (port 26379 unless given);
    /// credentials, the database and `ssl_*` options may be given on any part, once, and are the
    /// master's. `ssl_*` options mean TLS to the master (there is no `sentinels://` scheme).
    static func parsingSentinelURL(_ url: String) throws(RedisClientError) -> RedisConfiguration {
        var parts: [RedisConfiguration] = []
        for part in url.split(separator: ";", omittingEmptySubsequences: false) {
            guard part.lowercased().hasPrefix("sentinel://") else {
                throw .invalidURL(url, "every ;-separated part of a sentinel URL starts with sentinel://")
            }
            parts.append(try RedisConfiguration(parsing: String(part), whole: url, defaultPort: Sentinel.defaultPort))
        }
        var master = RedisConfiguration(endpoint: parts[0].endpoint)
        for part in parts {
            if part.password != nil || part.username != nil {
                guard master.password == nil else { throw .invalidURL(url, "the password is given twice") }
                master.username = part.username
                master.password = part.password
            }
            if part.database != 0 {
                guard master.database == 0 else { throw .invalidURL(url, "the database is given twice") }
                master.database = part.database
            }
            if let tls = part.tls {
                guard master.tls == nil else { throw .invalidURL(url, "the ssl_* options are given twice") }
                master.tls = tls
            }
        }
        master.sentinel = Sentinel(sentinels: parts.map(\.endpoint))
        return master
    }
}
