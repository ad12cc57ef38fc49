import CivilTime
import Testing

/// Offsets against Python's `zoneinfo` reading the same tzdata files
/// (`Fixtures/schedules/zoneinfo-offsets.tsv`, from `scripts/capture-crontab-fixtures offsets`):
/// thirty zones, 1900 to 2400, including the years around 2037 (where fat files stop listing
/// transitions) and 2200 (where swiftbeat's table of footer transitions ends).
@Suite struct ZoneinfoComparisonTests {
    @Test func offsetsAgreeWithPythonZoneinfo() throws {
        let path = fixturesDirectory + "/schedules/zoneinfo-offsets.tsv"
        let text = try #require(readAll(path).map { String(decoding: $0, as: UTF8.self) })
        var checked = 0
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: "\t")
            try #require(fields.count == 3)
            let zone = try TimeZoneRules.load(identifier: String(fields[0]))
            let instant = Instant(secondsSinceEpoch: try #require(Int64(fields[1])))
            let expected = try #require(Int(fields[2]))
            #expect(zone.utcOffset(at: instant) == expected, "\(fields[0]) at \(instant)")
            checked += 1
        }
        #expect(checked == 2400)
    }
}
