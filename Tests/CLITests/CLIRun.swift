import Testing
import TestSupport

/// The password every broker URL in these tests carries. No output of swiftbeat may contain it,
/// in any form: `secretMarker` is its prefix, so a percent-encoded or decoded copy is caught too.
let password = "s3cr3t-pw"
let secretMarker = "s3cr3t"

/// `redis://:s3cr3t-pw@127.0.0.1:PORT/0` on a port where nothing listens.
func unreachableRedisURL(port: Int = FreePort.loopback()) -> String {
    "redis://:\(password)@127.0.0.1:\(port)/0"
}

func unreachableAMQPURL(port: Int = FreePort.loopback()) -> String {
    "amqp://guest:\(password)@127.0.0.1:\(port)//"
}

/// Runs `swiftbeat ARGUMENTS...` and checks what every failure must look like: the exit code,
/// nothing on stdout, and exactly one line on stderr, `swiftbeat: ...`, that names the problem
/// (contains each of `mentions`) and no password. Returns that line.
@discardableResult
func expectFailure(
    _ arguments: [String], environment: [String: String] = [:], exitCode: Int32, mentions: [String],
    sourceLocation: SourceLocation = #_sourceLocation
) async throws -> String {
    let result = try await offloaded { try SwiftbeatBinary.run(arguments, environment: environment) }
    #expect(result.status == exitCode, "exit code, stderr: \(result.stderr)", sourceLocation: sourceLocation)
    #expect(result.stdout.isEmpty, "stdout: \(result.stdout)", sourceLocation: sourceLocation)
    let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.count == 2 && lines[1].isEmpty, "one line on stderr, got: \(result.stderr)", sourceLocation: sourceLocation)
    let line = String(lines.first ?? "")
    #expect(line.hasPrefix("swiftbeat: "), "\(line)", sourceLocation: sourceLocation)
    for mention in mentions {
        #expect(line.contains(mention), "\(line) should name \(mention)", sourceLocation: sourceLocation)
    }
    #expect(!(result.stdout + result.stderr).contains(secretMarker), "the password leaked: \(line)", sourceLocation: sourceLocation)
    return line
}
