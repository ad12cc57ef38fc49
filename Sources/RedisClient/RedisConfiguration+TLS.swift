extension RedisConfiguration {
    /// TLS to the server (`rediss://`), with the meaning redis-py and kombu give their options.
    public struct TLS: Sendable, Equatable {
        /// `ssl_cert_reqs`: whether the server's certificate chain must verify.
        public enum CertificateRequirement: String, Sendable, Equatable {
            /// `required` / `CERT_REQUIRED`.
            case required
            /// `optional` / `CERT_OPTIONAL`: for a client, Python's ssl module treats it as
            /// `required` (a server always sends a certificate, and it is checked), and so does swiftbeat.
            case optional
            /// `none` / `CERT_NONE`: encrypt, but trust any certificate (and check no host name).
            case none
        }

        public var certificateRequirement: CertificateRequirement
        /// `ssl_ca_certs`: a PEM file of trusted CAs; nil means the system's.
        public var caFile: String?
        /// `ssl_certfile` and `ssl_keyfile`: a client certificate, for `tls-auth-clients yes`.
        public var certificateFile: String?
        public var keyFile: String?
        /// `ssl_check_hostname`: the certificate must name the host of the URL. Defaults to true
        /// unless the requirement is `none`: redis-py 6 and Python's own default context check it.
        public var checkHostname: Bool

        public init(
            certificateRequirement: CertificateRequirement = .required, caFile: String? = nil,
            certificateFile: String? = nil, keyFile: String? = nil, checkHostname: Bool? = nil
        ) {
            self.certificateRequirement = certificateRequirement
            self.caFile = caFile
            self.certificateFile = certificateFile
            self.keyFile = keyFile
            self.checkHostname = checkHostname ?? (certificateRequirement != .none)
        }

        public var verifiesPeer: Bool { certificateRequirement != .none }

        /// Reads redis-py's spellings: `required`, `CERT_REQUIRED` and so on, in any case.
        public static func certificateRequirement(named name: String) -> CertificateRequirement? {
            var word = name.lowercased()
            if word.hasPrefix("cert_") { word.removeFirst(5) }
            return CertificateRequirement(rawValue: word)
        }

        /// The query parameters that give these settings, in the order `rediss://` URLs write them;
        /// only those that differ from the defaults.
        var queryParameters: [(String, String)] {
            var parameters: [(String, String)] = []
            if certificateRequirement != .required { parameters.append(("ssl_cert_reqs", certificateRequirement.rawValue)) }
            if let caFile { parameters.append(("ssl_ca_certs", caFile)) }
            if let certificateFile { parameters.append(("ssl_certfile", certificateFile)) }
            if let keyFile { parameters.append(("ssl_keyfile", keyFile)) }
            if checkHostname != (certificateRequirement != .none) {
                parameters.append(("ssl_check_hostname", checkHostname ? "true" : "false"))
            }
            return parameters
        }
    }
}
