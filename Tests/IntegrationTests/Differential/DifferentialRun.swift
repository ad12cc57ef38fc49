import Foundation
import JSON
import PropertyBased
import Testing
import TestSupport

/// The seed of a differential test's batch: new on every run, so that over many runs the generated
/// space is covered, and `SWIFTBEAT_DIFFERENTIAL_SEED` replays a failure (every failure prints it).
///
/// Each test draws one batch of inputs in Swift and sends the whole batch to one Python process
/// (a process per case would cost seconds each), so the seed is per batch, not per case.
struct DifferentialRun: CustomStringConvertible {
    static let seedVariable = "SWIFTBEAT_DIFFERENTIAL_SEED"

    let seed: UInt64
    var random: Xoshiro

    init() {
        let given = ProcessInfo.processInfo.environment[Self.seedVariable].flatMap { UInt64($0) }
        seed = given ?? UInt64.random(in: 1...999_999_999)
        random = Xoshiro(seed: Self.state(from: seed))
    }

    var description: String { "seed \(seed); replay with \(Self.seedVariable)=\(seed)" }

    /// Xoshiro's four words of state from one number (SplitMix64, as its authors advise).
    static func state(from seed: UInt64) -> (UInt64, UInt64, UInt64, UInt64) {
        var x = seed
        func next() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        return (next(), next(), next(), next())
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }
    mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &random) < probability }
    mutating func pick<T>(_ choices: [T]) -> T { choices.randomElement(using: &random)! }
    mutating func draw<Value, Shrinks>(_ generator: Generator<Value, Shrinks>) -> Value { generator.run(using: &random) }

    /// The Python that answers: the first Celery venv (Python's own json, zoneinfo, and the
    /// venv's Celery and ruamel.yaml).
    static func venv() throws -> CeleryVenv {
        try #require(CeleryVenv.all.first, "no Python venv (scripts/test makes them)")
    }

    /// Sends the batch `lines` to `script` (under Tests/Python) in one Python process, and returns
    /// its answers, one JSON object per case and in order, with the line each was read from.
    func answers(of script: String, to lines: [String], _ arguments: [String] = [], timeout: Duration = .seconds(120))
        async throws -> [(line: Substring, fields: JSONObject)]
    {
        let written = try await Self.venv().runScript(script, lines: lines, arguments, timeout: timeout)
        try #require(written.count == lines.count, "\(script) answered \(written.count) of \(lines.count) (\(self))")
        return try written.map { line in (line, try #require(try JSONParser.parse(String(line)).objectValue, "\(script): \(line)")) }
    }
}
