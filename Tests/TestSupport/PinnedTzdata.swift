public import CivilTime
import Foundation

/// The tz database the unit tests read: one IANA release, committed under `Fixtures/tzdata`
/// (`scripts/capture-tzdata-fixture`), in the two forms `zic` writes.
///
/// Why pinned and not the machine's `/usr/share/zoneinfo`: expectations that depend on a zone's
/// rules (the Python and Celery fixtures, DST cases near recent rule changes) were captured from
/// one release, and every tzdata update that touches such a zone would fail them on machines
/// that have it, although swiftbeat reads each release correctly. The machine's own files are
/// checked where the answer cannot depend on the release: every installed zone loads
/// (`TZifParserTests`), and offsets agree with Python's `zoneinfo` reading those same files at
/// test time (`IntegrationTests.SystemTzdataTests`).
public enum PinnedTzdata {
    /// `zic -b slim` files, as Python's `tzdata` package ships them: transitions stop at the last
    /// rule change and the POSIX footer gives the rest.
    public static let slimDirectory = Fixtures.url("tzdata/zoneinfo").path
    /// `zic -b fat` files of the same source (what Debian installs): transitions listed up to 2037.
    public static let fatDirectory = Fixtures.url("tzdata/zoneinfo-fat").path

    /// The release, such as `2026f (PyPI tzdata 2026.6)`.
    public static let version: String = {
        let text = (try? String(contentsOfFile: Fixtures.url("tzdata/VERSION").path, encoding: .utf8)) ?? "unknown"
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }()

    /// The zone `identifier` of the pinned release, from the fat files unless told otherwise.
    public static func zone(_ identifier: String, slim: Bool = false) throws -> TimeZoneRules {
        try TimeZoneRules.load(identifier: identifier, directory: slim ? slimDirectory : fatDirectory)
    }
}
