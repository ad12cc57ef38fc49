import RedisClient
import Testing

@Suite("RedisConfiguration parses redis URLs once and never shows the password")
struct RedisConfigurationTests {
    @Test("redis://host uses port 6379, db 0, no credentials and 5 s timeouts")
    func defaults() throws {
        let configuration = try RedisConfiguration(url: "redis://cache.internal")
        #expect(configuration.endpoint == .tcp(host: "cache.internal", port: 6379))
        #expect(configuration.username == nil)
        #expect(configuration.password == nil)
        #expect(configuration.database == 0)
        #expect(configuration.connectTimeout == .seconds(5))
        #expect(configuration.commandTimeout == .seconds(5))
    }

    @Test(
        "every URL form maps to endpoint, user, password and database",
        arguments: [
            ("redis://127.0.0.1:6390/3", RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: 6390), database: 3)),
            ("REDIS://h:1/", RedisConfiguration(endpoint: .tcp(host: "h", port: 1))),
            ("redis://", RedisConfiguration(endpoint: .tcp(host: "localhost", port: 6379))),
            ("redis://:6380", RedisConfiguration(endpoint: .tcp(host: "localhost", port: 6380))),
            ("redis://:s3cret@h", RedisConfiguration(endpoint: .tcp(host: "h", port: 6379), password: "s3cret")),
            (
                "redis://beat:s3cret@h:7000/2",
                RedisConfiguration(endpoint: .tcp(host: "h", port: 7000), username: "beat", password: "s3cret", database: 2)
            ),
            (
                "redis://be%40t:p%3Aw%2Fd%25@h",
                RedisConfiguration(endpoint: .tcp(host: "h", port: 6379), username: "be@t", password: "p:w/d%")
            ),
            ("redis://:p@ss/w:rd@h", RedisConfiguration(endpoint: .tcp(host: "h", port: 6379), password: "p@ss/w:rd")),
            ("redis://[::1]:6379", RedisConfiguration(endpoint: .tcp(host: "::1", port: 6379))),
            ("redis://[fe80::1]/5", RedisConfiguration(endpoint: .tcp(host: "fe80::1", port: 6379), database: 5)),
            ("redis://h?db=4&password=pw", RedisConfiguration(endpoint: .tcp(host: "h", port: 6379), password: "pw", database: 4)),
            ("unix:///run/redis/redis.sock", RedisConfiguration(endpoint: .unixSocket(path: "/run/redis/redis.sock"))),
            (
                "unix:///tmp/r.sock?db=7&password=a%26b",
                RedisConfiguration(endpoint: .unixSocket(path: "/tmp/r.sock"), password: "a&b", database: 7)
            ),
            (
                "unix://beat:pw@/tmp/r.sock",
                RedisConfiguration(endpoint: .unixSocket(path: "/tmp/r.sock"), username: "beat", password: "pw")
            ),
            ("unix:///run/u@1/r.sock", RedisConfiguration(endpoint: .unixSocket(path: "/run/u@1/r.sock"))),
        ])
    func parses(url: String, expected: RedisConfiguration) throws {
        #expect(try RedisConfiguration(url: url) == expected)
    }

    @Test(
        "a bad URL is refused with a sentence naming the problem",
        arguments: [
            ("http://h", "unsupported scheme \"http\"; use redis://, rediss:// or unix://"),
            ("localhost:6379", "it has no scheme"),
            ("redis://h:abc", "port \"abc\" is not a number in 1...65535"),
            ("redis://h:0", "port \"0\" is not a number in 1...65535"),
            ("redis://h:65536", "port \"65536\" is not a number in 1...65535"),
            ("redis://h:", "port \"\" is not a number in 1...65535"),
            ("redis://h/x", "database \"x\" is not a non-negative integer"),
            ("redis://h/-1", "database \"-1\" is not a non-negative integer"),
            ("redis://h/1/2", "database \"1/2\" is not a non-negative integer"),
            ("unix:///tmp/r.sock?db=one", "database \"one\" is not a non-negative integer"),
            ("redis://h/1?db=2", "the database is given twice"),
            ("redis://::1:6379", "an IPv6 address must be in brackets"),
            ("redis://[::1:6379", "\"[\" without a closing \"]\""),
            ("redis://h?timeout=3", "unknown query parameter \"timeout\"; supported: db, password"),
            ("redis://h#top", "unexpected \"#\" fragment"),
            ("redis://beat@h", "it names a user but no password"),
            ("redis://:%zz@h", "bad percent-encoding in the password"),
            ("unix://", "it has no socket path"),
            ("unix://host/tmp/r.sock", "a unix socket URL names no host"),
        ])
    func refuses(url: String, problem: String) {
        let error = #expect(throws: RedisClientError.self) { try RedisConfiguration(url: url) }
        #expect(error?.kind == .invalidConfiguration)
        #expect(error?.description.hasPrefix("invalid redis URL \"") == true)
        #expect(error?.description.contains(problem) == true, "\(error?.description ?? "")")
    }

    @Test(
        "errors about a bad URL never repeat its password",
        arguments: [
            "redis://:hunter2@h:badport", "redis://u:hunter2@h/x", "redis://h/x?password=hunter2",
            "redis://hunter2@h", "redis://:hun?ter2@h", "redis://:hun/ter2@h:port", "redis://:hunter2@h?db=1&password=x",
        ])
    func errorsAreRedacted(url: String) {
        let error = #expect(throws: RedisClientError.self) { try RedisConfiguration(url: url) }
        #expect(error?.description.contains("hunter2") == false, "\(error?.description ?? "")")
        #expect(error?.description.contains("ter2") == false, "\(error?.description ?? "")")
    }

    @Test(
        "description is the URL with the password as ***",
        arguments: [
            ("redis://beat:s3cret@h:6379/1", "redis://beat:***@h:6379/1"),
            ("redis://:s3cret@h", "redis://:***@h:6379/0"),
            ("redis://h", "redis://h:6379/0"),
            ("redis://[::1]:7000/2", "redis://[::1]:7000/2"),
            ("redis://a%3Ab:pw@h", "redis://a%3Ab:***@h:6379/0"),
            ("unix:///tmp/r.sock?db=3&password=s3cret", "unix://:***@/tmp/r.sock?db=3"),
        ])
    func redaction(url: String, redacted: String) throws {
        let configuration = try RedisConfiguration(url: url)
        #expect(configuration.redactedURL == redacted)
        #expect("\(configuration)" == redacted)
        #expect(String(reflecting: configuration).contains("s3cret") == false)
        var dumped = ""
        dump(configuration, to: &dumped)
        #expect(dumped.contains("s3cret") == false)
    }

    @Test("the redacted URL parses back to the same server, user and database")
    func redactedURLRoundTrips() throws {
        let configuration = try RedisConfiguration(url: "redis://a%40b:pw@[::1]:7000/2")
        let reparsed = try RedisConfiguration(url: configuration.redactedURL)
        #expect(reparsed.endpoint == configuration.endpoint)
        #expect(reparsed.username == "a@b")
        #expect(reparsed.database == 2)
    }

    @Test("endpoints are named the way errors name them")
    func endpointDescription() {
        #expect("\(RedisConfiguration.Endpoint.tcp(host: "127.0.0.1", port: 6379))" == "127.0.0.1:6379")
        #expect("\(RedisConfiguration.Endpoint.tcp(host: "::1", port: 6379))" == "[::1]:6379")
        #expect("\(RedisConfiguration.Endpoint.unixSocket(path: "/tmp/r.sock"))" == "unix:/tmp/r.sock")
    }
}
