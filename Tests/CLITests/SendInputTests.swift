import Testing
import TestSupport

/// `swiftbeat send` with input it must refuse before talking to any broker: one line, exit 1.
/// Every case also carries a broker URL with a password, which must never be printed.
@Suite struct SendInputTests {
    struct BadInput: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var arguments: [String]
        var mentions: [String]
        /// Replaces the unreachable URL that every other case gets.
        var brokerURL: String?

        init(_ description: String, _ arguments: [String], mentions: [String], brokerURL: String? = nil) {
            testDescription = description
            self.arguments = arguments
            self.mentions = mentions
            self.brokerURL = brokerURL
        }
    }

    static let badInputs: [BadInput] = [
        BadInput("invalid JSON in --args", ["--args", "[1,"], mentions: ["--args", "invalid JSON"]),
        BadInput("invalid JSON in --kwargs", ["--kwargs", #"{"a": }"#], mentions: ["--kwargs", "invalid JSON"]),
        BadInput("--args that is an object", ["--args", #"{"a": 1}"#], mentions: ["--args", "array"]),
        BadInput("--kwargs that is an array", ["--kwargs", "[1]"], mentions: ["--kwargs", "object"]),
        BadInput("--countdown with --eta", ["--countdown", "5", "--eta", "2030-01-01T00:00:00Z"], mentions: ["--countdown", "--eta"]),
        BadInput("an --eta that is not ISO 8601", ["--eta", "tomorrow"], mentions: ["--eta"]),
        BadInput("an --expires that is neither seconds nor ISO 8601", ["--expires", "soon"], mentions: ["--expires"]),
        BadInput("a negative --countdown", ["--countdown", "-1"], mentions: ["--countdown"]),
        BadInput("a priority beyond 255", ["--priority", "256"], mentions: ["--priority"]),
        BadInput("a --header without =", ["--header", "novalue"], mentions: ["--header"]),
        BadInput("a --header whose value is not JSON", ["--header", "k=not json"], mentions: ["--header k"]),
        BadInput("an unknown option", ["--colour", "blue"], mentions: ["--colour"]),
        BadInput("invalid --broker-transport-options", ["--broker-transport-options", "{"], mentions: ["transport options"]),
        BadInput("an unknown URL scheme", [], mentions: ["mongodb"], brokerURL: "mongodb://user:\(password)@127.0.0.1/db"),
        BadInput("a redis URL whose port is not a number", [], mentions: ["port"], brokerURL: "redis://:\(password)@127.0.0.1:port/0"),
        BadInput("an amqp URL whose port is out of range", [], mentions: ["port"], brokerURL: "amqp://guest:\(password)@127.0.0.1:99999//"),
        BadInput("an amqp URL with an unterminated IPv6 host", [], mentions: ["IPv6"], brokerURL: "amqp://guest:s3cr3t%40pw@[::1//"),
        BadInput("a redis URL with a password but no colon", [], mentions: ["password"], brokerURL: "redis://\(password)@127.0.0.1:6379/0"),
        // Mistakes that make the argument parser quote an argument that is a URL with a password.
        BadInput("a broker URL given without --broker-url", [unreachableRedisURL()], mentions: ["Unexpected argument"]),
        BadInput("a broker URL given as the value of --priority", ["--priority", unreachableAMQPURL()], mentions: ["--priority"]),
        BadInput("a URL with ?password= given as the value of --priority", ["--priority", "redis://127.0.0.1/0?password=\(password)"],
            mentions: ["--priority"]),
    ]

    @Test("Bad input exits 1 with one line naming the problem, before any broker is contacted", arguments: badInputs)
    func badInput(_ input: BadInput) async throws {
        let url = input.brokerURL ?? unreachableRedisURL()
        try await expectFailure(["send", "probe.record"] + input.arguments + ["--broker-url", url], exitCode: 1, mentions: input.mentions)
    }

    @Test("A missing task name exits 1 with one line")
    func missingTask() async throws {
        try await expectFailure(["send", "--broker-url", unreachableRedisURL()], exitCode: 1, mentions: ["<task>"])
    }

    @Test("--help shows usage with examples for both brokers, and exits 0")
    func help() async throws {
        let result = try await offloaded { try SwiftbeatBinary.run(["send", "--help"]) }
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        #expect(result.stdout.contains("USAGE: swiftbeat send"))
        #expect(result.stdout.contains("Examples:"))
        #expect(result.stdout.contains("swiftbeat send proj.tasks.add --args '[2, 3]'"))
        #expect(result.stdout.contains("--broker-url"))
        #expect(result.stdout.contains("amqp://"))
        #expect(result.stdout.contains("redis://"))
    }

    /// The URL comes from --broker-url, else CELERY_BROKER_URL, else BROKER_URL; which one was
    /// used shows in the error for an unreachable broker, which names its port.
    @Test("The broker URL comes from --broker-url, then CELERY_BROKER_URL, then BROKER_URL")
    func brokerURLPrecedence() async throws {
        let (flag, celery, plain) = (FreePort.loopback(), FreePort.loopback(), FreePort.loopback())
        let both = ["CELERY_BROKER_URL": unreachableRedisURL(port: celery), "BROKER_URL": unreachableAMQPURL(port: plain)]
        try await expectFailure(
            ["send", "probe.record", "--broker-url", unreachableRedisURL(port: flag)], environment: both, exitCode: 2,
            mentions: ["127.0.0.1:\(flag)"])
        try await expectFailure(["send", "probe.record"], environment: both, exitCode: 2, mentions: ["127.0.0.1:\(celery)"])
        try await expectFailure(
            ["send", "probe.record"], environment: ["BROKER_URL": unreachableAMQPURL(port: plain)], exitCode: 2,
            mentions: ["127.0.0.1:\(plain)"])
    }
}
