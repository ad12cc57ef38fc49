import CivilTime
import Testing
import TestSupport

/// swiftbeat's TZif and POSIX-footer reader against Python's `zoneinfo`, both reading this
/// machine's tz database at test time (`$TZDIR`, else `/usr/share/zoneinfo`): every zone, random
/// instants from 1900 to 2400.
///
/// This is the one test of zone rules that reads the machine's files, and it cannot go stale:
/// whatever release is installed, both readers see the same bytes, so a difference is a reader's
/// bug. (The unit tests compare with fixtures captured from the pinned release in
/// `Fixtures/tzdata`, which is what lets them hold on every machine.)
@Suite struct SystemTzdataTests {
    @Test func offsetsAgreeWithPythonZoneinfoOnThisMachinesFiles() async throws {
        let venv = try #require(CeleryVenv.all.first, "no Python venv (scripts/test makes them)")
        let directory = TimeZoneRules.defaultDirectory
        let seed = Int.random(in: 1...1_000_000)
        let output = try await venv.runScript("zoneinfo_offsets.py", [directory, "\(seed)", "40"], timeout: .seconds(300))
        var checked = 0
        var zones = Set<Substring>()
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: "\t")
            try #require(fields.count == 3, "unexpected output line: \(line)")
            let zone = try TimeZoneRules.load(identifier: String(fields[0]), directory: directory)
            let instant = Instant(secondsSinceEpoch: try #require(Int64(fields[1])))
            let expected = try #require(Int(fields[2]))
            #expect(zone.utcOffset(at: instant) == expected, "\(fields[0]) at \(instant) in \(directory) (seed \(seed))")
            zones.insert(fields[0])
            checked += 1
        }
        #expect(zones.count > 300, "only \(zones.count) zones in \(directory)")
        #expect(checked == zones.count * 40)
    }
}
