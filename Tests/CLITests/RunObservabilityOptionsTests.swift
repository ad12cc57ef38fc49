import Testing
import TestSupport

/// `run --http` and `--log-format` are checked before anything starts: a bad value is one line
/// and exit code 1, whether it comes from the flag or the environment.
@Suite struct RunObservabilityOptionsTests {
    @Test(arguments: [
        (["--http", "localhost:9808"], [String: String](), ["IP address", "localhost"]),
        (["--http", "127.0.0.1"], [:], ["HOST:PORT"]),
        (["--http", "127.0.0.1:99999"], [:], ["HOST:PORT"]),
        ([], ["SWIFTBEAT_HTTP": "beat.example:9808"], ["IP address"]),
        (["--log-format", "xml"], [:], ["text or json", "xml"]),
        ([], ["SWIFTBEAT_LOG_FORMAT": "yaml"], ["text or json"]),
    ])
    func badValuesAreRefusedAtOnce(arguments: [String], environment: [String: String], mentions: [String]) async throws {
        try await expectFailure(
            ["run", "--scheduler-url", unreachableRedisURL()] + arguments, environment: environment, exitCode: 1, mentions: mentions)
    }
}
