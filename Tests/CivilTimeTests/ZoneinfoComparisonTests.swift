import CivilTime
import TestSupport
import Testing

/// Offsets against Python's `zoneinfo` (`Fixtures/schedules/zoneinfo-offsets.tsv`, from
/// `scripts/capture-crontab-fixtures offsets`): thirty zones, 1900 to 2400, including the years
/// around 2037 (where fat files stop listing transitions) and 2200 (where swiftbeat's table of
/// footer transitions ends).
///
/// The fixture was captured with zoneinfo reading the pinned release in `Fixtures/tzdata`, and the
/// test reads exactly those files, both as zic's slim and its fat output: the expectations hold
/// on every machine, whatever tzdata it has (a fixture compared with the machine's own files failed
/// wherever the release differed, for zones such as Africa/Casablanca that change often). This
/// keeps the unit tests free of Python; the machine's own files are compared with Python's
/// zoneinfo reading them at test time in `IntegrationTests.SystemTzdataTests`.
@Suite struct ZoneinfoComparisonTests {
    @Test(arguments: [false, true])
    func offsetsAgreeWithPythonZoneinfo(slim: Bool) throws {
        let path = fixturesDirectory + "/schedules/zoneinfo-offsets.tsv"
        let text = try #require(readAll(path).map { String(decoding: $0, as: UTF8.self) })
        var checked = 0
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: "\t")
            try #require(fields.count == 3)
            let zone = try PinnedTzdata.zone(String(fields[0]), slim: slim)
            let instant = Instant(secondsSinceEpoch: try #require(Int64(fields[1])))
            let expected = try #require(Int(fields[2]))
            #expect(zone.utcOffset(at: instant) == expected, "\(fields[0]) at \(instant) (tzdata \(PinnedTzdata.version))")
            checked += 1
        }
        #expect(checked == 2400)
    }
}
