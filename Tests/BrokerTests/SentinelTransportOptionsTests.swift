import Broker
import RedisClient
import Testing

@Suite("kombu's master_name and sentinel_kwargs transport options")
struct SentinelTransportOptionsTests {
    @Test("master_name and the sentinels' credentials and TLS go into a sentinel:// configuration")
    func applied() throws {
        let options = try SentinelTransportOptions(
            json: #"{"master_name": "mymaster", "visibility_timeout": 3600, "sentinel_kwargs": {"password": "sentinel-pw", "ssl_ca_certs": "/ca.pem"}}"#,
            what: "broker transport options")
        let configuration = try options.applied(to: RedisConfiguration(url: "sentinel://s1;sentinel://s2/3"), option: "--broker-transport-options")
        #expect(configuration.sentinel?.masterName == "mymaster")
        #expect(configuration.sentinel?.password == "sentinel-pw")
        #expect(configuration.sentinel?.tls == RedisConfiguration.TLS(caFile: "/ca.pem"))
        #expect(configuration.database == 3)
        #expect(!String(reflecting: configuration).contains("sentinel-pw"))
        // A plain URL is left as it is.
        let plain = try RedisConfiguration(url: "redis://h/1")
        #expect(try options.applied(to: plain, option: "--broker-transport-options") == plain)
    }

    @Test("the broker's transport options carry them too")
    func brokerOptions() throws {
        let options = try BrokerTransportOptions(json: #"{"master_name": "mymaster", "global_keyprefix": "app:"}"#)
        #expect(options.sentinel.masterName == "mymaster")
        #expect(options.globalKeyPrefix == "app:")
    }

    @Test("a sentinel URL without master_name is refused, naming the option to set")
    func missingMasterName() throws {
        let error = #expect(throws: BrokerError.self) {
            try SentinelTransportOptions().applied(to: RedisConfiguration(url: "sentinel://s1"), option: "--scheduler-transport-options")
        }
        #expect(
            error?.description
                == #"sentinel://s1:26379 names sentinels but not the master: give its name with --scheduler-transport-options '{"master_name": "mymaster"}'"#)
    }

    @Test(
        "bad options are refused with a sentence naming them",
        arguments: [
            (#"{"master_name": 1}"#, "master_name must be a non-empty string"),
            (#"{"master_name": ""}"#, "master_name must be a non-empty string"),
            (#"{"sentinel_kwargs": []}"#, "sentinel_kwargs must be a JSON object"),
            (#"{"sentinel_kwargs": {"socket_timeout": 1}}"#, "sentinel_kwargs.socket_timeout is not supported"),
            (#"{"sentinel_kwargs": {"ssl_cert_reqs": "maybe"}}"#, "ssl_cert_reqs \"maybe\" is not one of"),
            (#"{"sentinel_kwargs": {"password": 5}}"#, "sentinel_kwargs.password must be a string"),
            ("[1]", "must be a JSON object, not"),
        ])
    func refuses(json: String, problem: String) {
        let error = #expect(throws: BrokerError.self) { try SentinelTransportOptions(json: json, what: "scheduler transport options") }
        #expect(error?.description.hasPrefix("scheduler transport options") == true, "\(error?.description ?? "")")
        #expect(error?.description.contains(problem) == true, "\(error?.description ?? "")")
    }
}
