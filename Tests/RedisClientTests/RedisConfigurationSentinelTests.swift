import RedisClient
import Testing

@Suite("sentinel:// URLs as kombu spells them")
struct RedisConfigurationSentinelTests {
    typealias Endpoint = RedisConfiguration.Endpoint

    @Test("every ;-separated part is a sentinel, port 26379 unless given; the credentials and the database are the master's")
    func parts() throws {
        let configuration = try RedisConfiguration(url: "sentinel://:s3cret@s1:26380;sentinel://s2;sentinel://[::1]:26381/2")
        #expect(configuration.sentinel?.sentinels == [.tcp(host: "s1", port: 26380), .tcp(host: "s2", port: 26379), .tcp(host: "::1", port: 26381)])
        #expect(configuration.sentinel?.masterName == nil)
        #expect(configuration.password == "s3cret")
        #expect(configuration.database == 2)
        #expect(configuration.tls == nil)
        #expect(configuration.endpoint == .tcp(host: "s1", port: 26380))
        #expect(configuration.redactedURL == "sentinel://:***@s1:26380;sentinel://s2:26379;sentinel://[::1]:26381/2")
        #expect(try RedisConfiguration(url: configuration.redactedURL).sentinel == configuration.sentinel)
    }

    @Test("ssl_* options on a sentinel URL ask for TLS to the master")
    func tlsToTheMaster() throws {
        let configuration = try RedisConfiguration(url: "sentinel://s1;sentinel://s2/0?ssl_cert_reqs=required&ssl_ca_certs=/ca.pem")
        #expect(configuration.tls == RedisConfiguration.TLS(caFile: "/ca.pem"))
        #expect(configuration.sentinel?.tls == nil)
    }

    @Test(
        "a bad sentinel URL is refused with a sentence naming the problem",
        arguments: [
            ("sentinel://s1;redis://s2", "every ;-separated part of a sentinel URL starts with sentinel://"),
            ("sentinel://s1;", "every ;-separated part of a sentinel URL starts with sentinel://"),
            ("sentinel://s1/1;sentinel://s2/2", "the database is given twice"),
            ("sentinel://:a@s1;sentinel://:b@s2", "the password is given twice"),
            ("sentinel://s1:0", "port \"0\" is not a number in 1...65535"),
            ("sentinel://s1?timeout=1", "unknown query parameter \"timeout\""),
        ])
    func refuses(url: String, problem: String) {
        let error = #expect(throws: RedisClientError.self) { try RedisConfiguration(url: url) }
        #expect(error?.kind == .invalidConfiguration)
        #expect(error?.description.contains(problem) == true, "\(error?.description ?? "")")
        #expect(error?.description.contains(":b@") == false)
    }
}
