import RedisClient
import Testing

@Suite("rediss:// URLs: redis-py's and kombu's ssl_* options, checked once")
struct RedisConfigurationTLSTests {
    typealias TLS = RedisConfiguration.TLS

    @Test("rediss://host verifies the certificate and the host name against the system CAs")
    func defaults() throws {
        let configuration = try RedisConfiguration(url: "rediss://:pw@cache.example.com:6380/2")
        #expect(configuration.endpoint == .tcp(host: "cache.example.com", port: 6380))
        #expect(configuration.database == 2)
        #expect(configuration.tls == TLS(certificateRequirement: .required, checkHostname: true))
        #expect(configuration.tls?.caFile == nil)
        #expect(try RedisConfiguration(url: "redis://h").tls == nil)
    }

    @Test(
        "every spelling of ssl_cert_reqs, and the files",
        arguments: [
            ("rediss://h?ssl_cert_reqs=required", TLS(certificateRequirement: .required)),
            ("rediss://h?ssl_cert_reqs=CERT_REQUIRED", TLS(certificateRequirement: .required)),
            ("rediss://h?ssl_cert_reqs=optional", TLS(certificateRequirement: .optional)),
            ("rediss://h?ssl_cert_reqs=CERT_OPTIONAL", TLS(certificateRequirement: .optional)),
            ("rediss://h?ssl_cert_reqs=none", TLS(certificateRequirement: .none, checkHostname: false)),
            ("rediss://h?ssl_cert_reqs=CERT_NONE", TLS(certificateRequirement: .none, checkHostname: false)),
            ("rediss://h?ssl_check_hostname=false", TLS(checkHostname: false)),
            ("rediss://h?ssl_check_hostname=True", TLS(checkHostname: true)),
            (
                "rediss://h?ssl_ca_certs=%2Fetc%2Fca.pem&ssl_certfile=/c/client.pem&ssl_keyfile=/c/client.key",
                TLS(caFile: "/etc/ca.pem", certificateFile: "/c/client.pem", keyFile: "/c/client.key")
            ),
        ])
    func parses(url: String, expected: TLS) throws {
        #expect(try RedisConfiguration(url: url).tls == expected)
    }

    @Test(
        "a bad TLS option is refused with a sentence naming it",
        arguments: [
            ("redis://h?ssl_cert_reqs=none", "ssl_cert_reqs needs TLS: write rediss:// instead of redis://"),
            ("unix:///tmp/r.sock?ssl_ca_certs=/ca.pem", "ssl_ca_certs needs TLS: write rediss:// instead of unix://"),
            ("rediss://h?ssl_cert_reqs=maybe", "ssl_cert_reqs \"maybe\" is not one of required, optional, none"),
            ("rediss://h?ssl_check_hostname=perhaps", "ssl_check_hostname \"perhaps\" is not true or false"),
            ("rediss://h?ssl_cert_reqs=none&ssl_check_hostname=true", "cannot go with ssl_cert_reqs=none"),
            ("rediss://h?ssl_keyfile=/k.pem", "ssl_keyfile without ssl_certfile"),
            ("rediss://h?ssl_ca_certs=", "ssl_ca_certs is empty"),
            ("rediss://h?ssl_version=TLSv1_2", "unknown option \"ssl_version\"; supported: ssl_cert_reqs"),
            ("rediss://h?ssl_cert_reqs=none&ssl_cert_reqs=required", "ssl_cert_reqs is given twice"),
        ])
    func refuses(url: String, problem: String) {
        let error = #expect(throws: RedisClientError.self) { try RedisConfiguration(url: url) }
        #expect(error?.kind == .invalidConfiguration)
        #expect(error?.description.contains(problem) == true, "\(error?.description ?? "")")
    }

    @Test("the redacted URL keeps the scheme and the TLS options, hides the password, and parses back")
    func redaction() throws {
        let url = "rediss://beat:s3cret@h:6380/1?ssl_cert_reqs=CERT_NONE&ssl_certfile=/c.pem"
        let configuration = try RedisConfiguration(url: url)
        #expect(configuration.redactedURL == "rediss://beat:***@h:6380/1?ssl_cert_reqs=none&ssl_certfile=/c.pem")
        #expect(String(reflecting: configuration).contains("s3cret") == false)
        var dumped = ""
        dump(configuration, to: &dumped)
        #expect(dumped.contains("s3cret") == false)
        #expect(try RedisConfiguration(url: configuration.redactedURL).tls == configuration.tls)
    }
}
