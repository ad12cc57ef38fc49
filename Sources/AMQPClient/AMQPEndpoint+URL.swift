extension AMQPEndpoint {
    /// Parses one URL (no `;` list); see `AMQPConfiguration` for the rules. Errors show the URL
    /// with its password replaced by `***`.
    public init(url: String) throws(AMQPClientError) {
        let shown = Self.redactedList(url)
        func invalid(_ problem: String) -> AMQPClientError {
            .invalidConfiguration("broker URL \"\(shown)\" \(problem)")
        }

        guard let schemeEnd = url.firstRange(of: "://") else {
            throw invalid("has no scheme; expected amqp://, amqps://, pyamqp:// or librabbitmq://")
        }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        let usesTLS: Bool
        switch scheme {
        case "amqp", "pyamqp", "librabbitmq": usesTLS = false
        case "amqps": usesTLS = true
        default:
            throw invalid("has the unknown scheme \"\(scheme)\"; expected amqp, amqps, pyamqp or librabbitmq")
        }

        var rest = url[schemeEnd.upperBound...]
        if rest.contains("#") { throw invalid("has a fragment (#); percent-encode # in the password as %23") }
        var query: Substring = ""
        if let questionMark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: questionMark)...]
            rest = rest[..<questionMark]
        }
        let authority: Substring
        let path: Substring
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = rest[slash...]
        } else {
            authority = rest
            path = ""
        }

        // user:password@host:port; the last @ ends the user info, as in Python's urlparse.
        var user = "guest"
        var password = "guest"
        var hostPort = authority
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            hostPort = authority[authority.index(after: at)...]
            let userPart: Substring
            if let colon = userInfo.firstIndex(of: ":") {
                userPart = userInfo[..<colon]
                let passwordPart = userInfo[userInfo.index(after: colon)...]
                if !passwordPart.isEmpty {
                    guard let decoded = percentDecoded(passwordPart) else { throw invalid("has a badly encoded password") }
                    password = decoded
                }
            } else {
                userPart = userInfo
            }
            if !userPart.isEmpty {
                guard let decoded = percentDecoded(userPart) else { throw invalid("has a badly encoded user name") }
                user = decoded
            }
        }

        var host: Substring
        var portText: Substring?
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { throw invalid("has an unterminated [IPv6] host") }
            host = hostPort[hostPort.index(after: hostPort.startIndex)..<close]
            let after = hostPort[hostPort.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw invalid("has text after the [IPv6] host") }
                portText = after.dropFirst()
            }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = hostPort[..<colon]
            portText = hostPort[hostPort.index(after: colon)...]
        } else {
            host = hostPort
        }
        guard !host.isEmpty else { throw invalid("has no host") }
        var port = usesTLS ? 5671 : 5672
        if let portText {
            guard !portText.isEmpty, portText.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(portText),
                (1...65535).contains(number)
            else { throw invalid("has the port \"\(portText)\"; expected a number in 1...65535") }
            port = number
        }

        // kombu: the vhost is the URL-decoded path without its first "/"; empty means "/".
        var virtualHost = "/"
        if path.count > 1 {
            guard let decoded = percentDecoded(path.dropFirst()) else { throw invalid("has a badly encoded vhost") }
            virtualHost = decoded
        }

        self.init(host: String(host), port: port, user: user, password: password, virtualHost: virtualHost)
        if usesTLS { tls = AMQPTLSOptions() }
        try applyQuery(query, invalid: invalid)
    }

    private mutating func applyQuery(
        _ query: Substring, invalid: (String) -> AMQPClientError
    ) throws(AMQPClientError) {
        var options: [(name: String, value: String)] = []
        for pair in query.split(separator: "&") {
            let nameAndValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = percentDecoded(nameAndValue[0], plusIsSpace: true),
                let value = percentDecoded(nameAndValue.count > 1 ? nameAndValue[1] : "", plusIsSpace: true)
            else { throw invalid("has a badly encoded query option") }
            options.append((name, value))
        }
        for (name, value) in options {
            switch name {
            case "heartbeat":
                guard let seconds = Int(value), (0...65535).contains(seconds) else {
                    throw invalid("has heartbeat=\(value); expected whole seconds in 0...65535 (0 turns heartbeats off)")
                }
                heartbeat = seconds
            case "connect_timeout":
                guard let seconds = Double(value), seconds > 0, seconds <= 3600 else {
                    throw invalid("has connect_timeout=\(value); expected seconds greater than 0")
                }
                connectTimeout = .milliseconds(Int64((seconds * 1000).rounded(.up)))
            case "ssl_ca_certs", "ssl_certfile", "ssl_keyfile", "ssl_cert_reqs", "ssl_check_hostname":
                guard var options = tls else {
                    throw invalid("has the TLS option \(name) but is not amqps://")
                }
                try Self.apply(tlsOption: name, value: value, to: &options, invalid: invalid)
                tls = options
            default:
                throw invalid(
                    "has the unknown option \"\(name)\"; known: heartbeat, connect_timeout, ssl_ca_certs, "
                        + "ssl_certfile, ssl_keyfile, ssl_cert_reqs, ssl_check_hostname")
            }
        }
        if let tls, (tls.clientCertificateFile == nil) != (tls.clientKeyFile == nil) {
            throw invalid("needs both ssl_certfile and ssl_keyfile, or neither")
        }
    }

    private static func apply(
        tlsOption name: String, value: String, to options: inout AMQPTLSOptions, invalid: (String) -> AMQPClientError
    ) throws(AMQPClientError) {
        switch name {
        case "ssl_ca_certs", "ssl_certfile", "ssl_keyfile":
            guard !value.isEmpty else { throw invalid("has an empty \(name)") }
            switch name {
            case "ssl_ca_certs": options.caCertificatesFile = value
            case "ssl_certfile": options.clientCertificateFile = value
            default: options.clientKeyFile = value
            }
        case "ssl_cert_reqs":
            switch value.lowercased() {
            case "required", "cert_required", "optional", "cert_optional":
                options.verifyCertificate = true
            case "none", "cert_none":
                options.verifyCertificate = false
                options.verifyHostname = false
            default:
                throw invalid("has ssl_cert_reqs=\(value); expected required or none")
            }
        default:  // ssl_check_hostname
            switch value.lowercased() {
            case "true", "1", "yes", "on": options.verifyHostname = true
            case "false", "0", "no", "off": options.verifyHostname = false
            default: throw invalid("has ssl_check_hostname=\(value); expected true or false")
            }
        }
    }

    /// The text with every password (between `user:` and `@`) replaced by `***`; for errors about
    /// text that did not parse, so it must not rely on parsing.
    static func redactedList(_ text: String) -> String {
        text.split(separator: ";", omittingEmptySubsequences: false).map { part -> String in
            // Without a scheme the whole text may still be `user:password@host`.
            let rest = part.firstRange(of: "://").map { part[$0.upperBound...] } ?? part[...]
            let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
            guard let at = rest[..<authorityEnd].lastIndex(of: "@"),
                let colon = rest[..<at].firstIndex(of: ":")
            else { return String(part) }
            return String(part[..<rest.index(after: colon)]) + "***" + String(part[at...])
        }.joined(separator: ";")
    }
}

/// Decodes `%XX` escapes (and `+` as a space in query strings, as Python's `parse_qsl` does);
/// nil when an escape is malformed or the bytes are not UTF-8.
func percentDecoded(_ text: Substring, plusIsSpace: Bool = false) -> String? {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(text.utf8.count)
    var iterator = text.utf8.makeIterator()
    while let byte = iterator.next() {
        switch byte {
        case UInt8(ascii: "%"):
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        case UInt8(ascii: "+") where plusIsSpace:
            bytes.append(UInt8(ascii: " "))
        default:
            bytes.append(byte)
        }
    }
    return String(validating: bytes, as: UTF8.self)
}

private func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters and `keeping`.
func percentEncoded(_ text: String, keeping: Set<Character> = []) -> String {
    var result = ""
    for character in text {
        if keeping.contains(character)
            || (character.isASCII && (character.isLetter || character.isNumber || "-._~".contains(character)))
        {
            result.append(character)
        } else {
            for byte in String(character).utf8 {
                let hex = "0123456789ABCDEF".utf8
                result += "%"
                result.append(Character(UnicodeScalar(hex[hex.index(hex.startIndex, offsetBy: Int(byte >> 4))])))
                result.append(Character(UnicodeScalar(hex[hex.index(hex.startIndex, offsetBy: Int(byte & 15))])))
            }
        }
    }
    return result
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var result = self
        while result.first?.isWhitespace == true { result = result.dropFirst() }
        while result.last?.isWhitespace == true { result = result.dropLast() }
        return result
    }
}
