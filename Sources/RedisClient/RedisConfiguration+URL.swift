extension RedisConfiguration {
    /// Parses `redis://[[user]:password@]host[:port][/db]`, `unix://[[user]:password@]/path[?db=N]`
    /// and `redis://[::1]:6379`, with `db` and `password` also accepted as query parameters, and
    /// `rediss://` (TLS) with redis-py's and kombu's `ssl_cert_reqs`, `ssl_ca_certs`,
    /// `ssl_certfile`, `ssl_keyfile` and `ssl_check_hostname` (see `TLS`).
    ///
    /// An empty host means `localhost`, as in redis-py and kombu. Unknown query parameters are
    /// refused rather than ignored, so that a typo is noticed at start-up; so are `ssl_*` options
    /// on a `redis://` URL (as kombu does), which would otherwise connect in clear text.
    public init(url: String) throws(RedisClientError) {
        if url.lowercased().hasPrefix("sentinel://") {
            self = try Self.parsingSentinelURL(url)
        } else {
            try self.init(parsing: url, whole: url, defaultPort: Self.defaultPort)
        }
    }

    /// One URL, or one `;`-separated part of the sentinel URL `whole` (which errors quote).
    init(parsing url: String, whole: String, defaultPort: Int) throws(RedisClientError) {
        func fail(_ problem: String) -> RedisClientError { .invalidURL(whole, problem) }

        guard let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://") else {
            throw fail("it has no scheme; write redis://host:6379/0 or unix:///path/to/redis.sock")
        }
        let scheme = url[..<colon].lowercased()
        var rest = url[url.index(colon, offsetBy: 3)...]
        switch scheme {
        case "redis", "rediss", "unix": break
        case "sentinel" where defaultPort == Sentinel.defaultPort: break
        default:
            throw fail("unsupported scheme \"\(scheme)\"; use redis://, rediss:// or unix://")
        }
        if rest.contains("#") { throw fail("unexpected \"#\" fragment") }

        var query: [(name: String, value: String)] = []
        if let questionMark = rest.firstIndex(of: "?") {
            for parameter in rest[rest.index(after: questionMark)...].split(separator: "&") {
                guard !parameter.contains("@") else {
                    // Most likely a password with an unescaped "?" or "@": say so without quoting it.
                    throw fail("unexpected \"@\" in the query; percent-encode \"?\" as %3F and \"@\" as %40 in a password")
                }
                let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = try percentDecoded(parts[0], what: "a query parameter name", in: whole)
                let value = try percentDecoded(parts.count == 2 ? parts[1] : "", what: "query parameter \"\(name)\"", in: whole)
                query.append((name, value))
            }
            rest = rest[..<questionMark]
        }

        // The userinfo ends at the last "@": a password may hold an unescaped "/" or ":", a
        // database number never holds "@". A unix URL without userinfo starts with its path,
        // which may hold an "@".
        var username: String?
        var password: String?
        if !(scheme == "unix" && rest.hasPrefix("/")), let at = rest.lastIndex(of: "@") {
            let userinfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let separator = userinfo.firstIndex(of: ":") {
                username = try percentDecoded(userinfo[..<separator], what: "the user name", in: whole)
                password = try percentDecoded(userinfo[userinfo.index(after: separator)...], what: "the password", in: whole)
            } else {
                username = try percentDecoded(userinfo, what: "the user name", in: whole)
            }
        }

        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let path = rest[authorityEnd...]

        var database: Int?
        var tlsOptions: [(name: String, value: String)] = []
        for (name, value) in query {
            switch name {
            case _ where name.hasPrefix("ssl_"):
                guard scheme == "rediss" || scheme == "sentinel" else {
                    throw fail("\(name) needs TLS: write rediss:// instead of \(scheme)://")
                }
                guard !tlsOptions.contains(where: { $0.name == name }) else { throw fail("\(name) is given twice") }
                tlsOptions.append((name, value))
            case "db":
                guard database == nil else { throw fail("the database is given twice") }
                database = try parsedDatabase(value, in: whole)
            case "password":
                guard password == nil else { throw fail("the password is given twice") }
                password = value
            default:
                throw fail("unknown query parameter \"\(name)\"; supported: db, password" + (scheme == "redis" ? "" : ", " + tlsParameterNames))
            }
        }

        let endpoint: Endpoint
        if scheme == "unix" {
            guard authority.isEmpty else {
                throw fail("a unix socket URL names no host; write unix:///path/to/redis.sock")
            }
            let socketPath = try percentDecoded(path, what: "the socket path", in: whole)
            guard socketPath.count > 1 else { throw fail("it has no socket path") }
            endpoint = .unixSocket(path: socketPath)
        } else {
            endpoint = try parsedTCPEndpoint(authority, in: whole, defaultPort: defaultPort)
            let databaseText = path.dropFirst()
            if !databaseText.isEmpty {
                guard database == nil else { throw fail("the database is given twice") }
                database = try parsedDatabase(databaseText, in: whole)
            }
        }

        if username?.isEmpty == true { username = nil }
        if password?.isEmpty == true { password = nil }
        if username != nil, password == nil {
            // Not quoted: "redis://secret@host" is a common slip for "redis://:secret@host".
            throw fail(
                "it names a user but no password; write \(scheme)://USER:PASSWORD@... for an ACL user, "
                    + "or \(scheme)://:PASSWORD@... for the default user")
        }
        // A sentinel URL has no TLS scheme of its own: its ssl_* options ask for TLS to the master.
        let tls = scheme == "rediss" || (scheme == "sentinel" && !tlsOptions.isEmpty) ? try RedisConfiguration.TLS(options: tlsOptions, problem: fail) : nil
        self.init(endpoint: endpoint, username: username, password: password, database: database ?? 0, tls: tls)
    }
}

private let tlsParameterNames = "ssl_cert_reqs, ssl_ca_certs, ssl_certfile, ssl_keyfile, ssl_check_hostname"

extension RedisConfiguration.TLS {
    /// The `ssl_*` options as redis-py reads them (from the `sentinel_kwargs` transport option):
    /// an error's description is the problem alone, for the caller to say where it was found.
    public init(options: [(name: String, value: String)]) throws(RedisClientError) {
        try self.init(options: options) { RedisClientError(.invalidConfiguration, $0) }
    }

    /// The `ssl_*` options as redis-py reads them, from a `rediss://` URL's query or from
    /// `init(options:)`; `problem` turns a complaint into the caller's error.
    init(
        options: [(name: String, value: String)], problem fail: (String) -> RedisClientError
    ) throws(RedisClientError) {
        var requirement = CertificateRequirement.required
        var checkHostname: Bool?
        var files: [String: String] = [:]
        for (name, value) in options {
            switch name {
            case "ssl_cert_reqs":
                guard let parsed = Self.certificateRequirement(named: value) else {
                    throw fail("ssl_cert_reqs \"\(value)\" is not one of required, optional, none (or CERT_REQUIRED, CERT_OPTIONAL, CERT_NONE)")
                }
                requirement = parsed
            case "ssl_check_hostname":
                switch value.lowercased() {
                case "true", "yes", "on", "1": checkHostname = true
                case "false", "no", "off", "0": checkHostname = false
                default: throw fail("ssl_check_hostname \"\(value)\" is not true or false")
                }
            case "ssl_ca_certs", "ssl_certfile", "ssl_keyfile":
                guard !value.isEmpty else { throw fail("\(name) is empty; give a file path") }
                files[name] = value
            default:
                throw fail("unknown option \"\(name)\"; supported: \(tlsParameterNames)")
            }
        }
        if files["ssl_keyfile"] != nil, files["ssl_certfile"] == nil {
            throw fail("ssl_keyfile without ssl_certfile; give the client certificate too")
        }
        if checkHostname == true, requirement == .none {
            // Python refuses this combination too: a host name means nothing on a certificate that is not checked.
            throw fail("ssl_check_hostname=true needs a verified certificate; it cannot go with ssl_cert_reqs=none")
        }
        self.init(
            certificateRequirement: requirement, caFile: files["ssl_ca_certs"], certificateFile: files["ssl_certfile"],
            keyFile: files["ssl_keyfile"], checkHostname: checkHostname)
    }
}

private func parsedTCPEndpoint(
    _ authority: Substring, in url: String, defaultPort: Int
) throws(RedisClientError) -> RedisConfiguration.Endpoint {
    var host: Substring
    var port: Substring?
    if authority.hasPrefix("[") {
        guard let close = authority.firstIndex(of: "]") else {
            throw .invalidURL(url, "\"[\" without a closing \"]\" around the IPv6 address")
        }
        host = authority[authority.index(after: authority.startIndex)..<close]
        let afterHost = authority[authority.index(after: close)...]
        if !afterHost.isEmpty {
            guard afterHost.first == ":" else { throw .invalidURL(url, "unexpected \"\(afterHost)\" after the IPv6 address") }
            port = afterHost.dropFirst()
        }
    } else {
        let colons = authority.filter { $0 == ":" }.count
        guard colons <= 1 else {
            throw .invalidURL(url, "an IPv6 address must be in brackets, e.g. redis://[::1]:6379")
        }
        host = authority
        if let colon = authority.firstIndex(of: ":") {
            host = authority[..<colon]
            port = authority[authority.index(after: colon)...]
        }
    }
    let hostName = host.isEmpty ? "localhost" : try percentDecoded(host, what: "the host", in: url)
    guard !hostName.contains(where: { $0 == " " || $0 == "/" }) else {
        throw .invalidURL(url, "host \"\(hostName)\" is not a host name or address")
    }
    guard let port else { return .tcp(host: hostName, port: defaultPort) }
    guard let number = decimal(port), (1...65535).contains(number) else {
        throw .invalidURL(url, "port \"\(port)\" is not a number in 1...65535")
    }
    return .tcp(host: hostName, port: number)
}

private func parsedDatabase(_ text: some StringProtocol, in url: String) throws(RedisClientError) -> Int {
    guard let number = decimal(text) else {
        throw .invalidURL(url, "database \"\(text)\" is not a non-negative integer")
    }
    return number
}

/// Plain ASCII digits only: `Int("+1")` and `Int(" 1")` style leniency would accept URLs that
/// other clients read differently.
private func decimal(_ text: some StringProtocol) -> Int? {
    guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
    return text.utf8.reduce(0) { $0 * 10 + Int($1 - 0x30) }
}

/// Decodes `%XX` escapes (RFC 3986). The message names the part, never its value, because
/// the part may be a password.
private func percentDecoded(_ text: Substring, what: String, in url: String) throws(RedisClientError) -> String {
    guard text.contains("%") else { return String(text) }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(text.utf8.count)
    var iterator = text.utf8.makeIterator()
    while let byte = iterator.next() {
        guard byte == UInt8(ascii: "%") else {
            bytes.append(byte)
            continue
        }
        guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
            throw .invalidURL(url, "bad percent-encoding in \(what)")
        }
        bytes.append(high << 4 | low)
    }
    guard let decoded = String(validating: bytes, as: UTF8.self) else {
        throw .invalidURL(url, "\(what) is not UTF-8 after percent-decoding")
    }
    return decoded
}

/// Escapes what would end the userinfo early, for printing a user name inside a URL.
func percentEncodedUserinfo(_ text: String) -> String {
    var result = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case ":", "@", "/", "?", "#", "%", "[", "]", " ":
            let value = UInt8(scalar.value)
            let digits = Array("0123456789ABCDEF")
            result += "%" + String(digits[Int(value >> 4)]) + String(digits[Int(value & 15)])
        default:
            result.unicodeScalars.append(scalar)
        }
    }
    return result
}

private func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}
