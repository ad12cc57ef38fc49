import CivilTime
import Foundation
import TestSupport
import Testing

func readAll(_ path: String) -> [UInt8]? {
    FileManager.default.contents(atPath: path).map { Array($0) }
}

/// Builds TZif files by hand, to reach the corners the system's files never show.
private struct TZifBuilder {
    var version: UInt8 = UInt8(ascii: "2")
    var transitions: [(time: Int64, type: UInt8)] = []
    var offsets: [Int32] = [0]
    var leapSeconds = 0
    var footer: String? = ""

    func bytes() -> [UInt8] {
        var out: [UInt8] = []
        func header() {
            out += Array("TZif".utf8) + [version] + [UInt8](repeating: 0, count: 15)
            for count in [0, 0, leapSeconds, transitions.count, offsets.count, 4] {
                out += be32(UInt32(count))
            }
        }
        func block(timeSize: Int) {
            for t in transitions {
                out += timeSize == 8 ? be64(UInt64(bitPattern: t.time)) : be32(UInt32(bitPattern: Int32(truncatingIfNeeded: t.time)))
            }
            out += transitions.map(\.type)
            for offset in offsets {
                out += be32(UInt32(bitPattern: offset)) + [0, 0]
            }
            out += Array("ABC\0".utf8)
            for _ in 0..<leapSeconds {
                out += [UInt8](repeating: 0, count: timeSize + 4)
            }
        }
        header()
        block(timeSize: 4)
        if version != 0 {
            header()
            block(timeSize: 8)
            if let footer {
                out += Array(("\n" + footer + "\n").utf8)
            }
        }
        return out
    }

    private func be32(_ value: UInt32) -> [UInt8] {
        (0..<4).reversed().map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    private func be64(_ value: UInt64) -> [UInt8] {
        (0..<8).reversed().map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}

@Suite struct TZifParserTests {
    /// Found by `scripts/fuzz tzif`: `segment(containing:)` trapped making an `Instant` of it.
    @Test("A transition beyond the ±292,000 years an Instant spans is at the end of time, not a trap")
    func transitionBeyondTheSpanOfAnInstant() throws {
        let file = TZifBuilder(transitions: [(time: 1 << 50, type: 1)], offsets: [0, 3600], footer: "")
        let rules = try TimeZoneRules(tzif: file.bytes(), identifier: "Test/Far")
        let now = Instant(secondsSinceEpoch: 1_774_000_000)
        #expect(rules.utcOffset(at: now) == 0)
        #expect(rules.segment(containing: now).end == Instant(microsecondsSinceEpoch: .max))
        #expect(rules.transition(after: now)?.instant == Instant(microsecondsSinceEpoch: .max))
    }

    @Test func versionOneFilesHaveNoFooter() throws {
        var builder = TZifBuilder(version: 0)
        builder.offsets = [3600, 7200]
        builder.transitions = [(1_000_000, 1), (2_000_000, 0)]
        let zone = try TimeZoneRules(tzif: builder.bytes(), identifier: "Test/V1")
        #expect(zone.utcOffset(at: Instant(secondsSinceEpoch: 999_999)) == 3600)
        #expect(zone.utcOffset(at: Instant(secondsSinceEpoch: 1_000_000)) == 7200)
        #expect(zone.utcOffset(at: Instant(secondsSinceEpoch: 3_000_000_000)) == 3600)
        #expect(zone.segment(containing: Instant(secondsSinceEpoch: 3_000_000_000)).end == nil)
    }

    @Test func transitionsThatKeepTheOffsetAreNotSegmentBoundaries() throws {
        var builder = TZifBuilder()
        builder.offsets = [0, 3600, 3600]  // two types with one offset, as an abbreviation change has
        builder.transitions = [(100, 1), (200, 2), (300, 0)]
        let zone = try TimeZoneRules(tzif: builder.bytes(), identifier: "Test/Merge")
        let segment = zone.segment(containing: Instant(secondsSinceEpoch: 250))
        #expect(segment.start == Instant(secondsSinceEpoch: 100))
        #expect(segment.end == Instant(secondsSinceEpoch: 300))
    }

    @Test func aFooterWithoutTransitionsGovernsAllTime() throws {
        var builder = TZifBuilder()
        builder.offsets = [-18_000]
        builder.footer = "EST5EDT,M3.2.0,M11.1.0"
        let zone = try TimeZoneRules(tzif: builder.bytes(), identifier: "Test/FooterOnly")
        #expect(zone.utcOffset(at: utc(2026, 7, 1)) == -14_400)
        #expect(zone.utcOffset(at: utc(1900, 7, 1)) == -14_400)
        #expect(zone.segment(containing: utc(2026, 7, 1)).start == utc(2026, 3, 8, 7))
    }

    @Test func anEmptyFooterKeepsTheLastOffset() throws {
        var builder = TZifBuilder()
        builder.offsets = [0, 3600]
        builder.transitions = [(100, 1)]
        builder.footer = ""
        let zone = try TimeZoneRules(tzif: builder.bytes(), identifier: "Test/EmptyFooter")
        #expect(zone.utcOffset(at: utc(2300, 1, 1)) == 3600)
    }

    @Test func malformedFilesAreRejectedWithAReason() {
        func reason(_ bytes: [UInt8]) -> String? {
            let error = #expect(throws: TimeZoneError.self) { try TimeZoneRules(tzif: bytes, identifier: "Test/Bad", path: "/x/Test/Bad") }
            return error?.description
        }
        let prefix = "time zone \"Test/Bad\": /x/Test/Bad is not a valid TZif file: "
        #expect(reason(Array("TZjf".utf8) + [UInt8](repeating: 0, count: 60)) == prefix + "it does not start with \"TZif\"")
        #expect(reason(Array(TZifBuilder().bytes().prefix(50))) == prefix + "the file is truncated")

        var descending = TZifBuilder()
        descending.offsets = [0, 3600]
        descending.transitions = [(200, 1), (100, 0)]
        #expect(reason(descending.bytes()) == prefix + "transition times are not in ascending order")

        var badType = TZifBuilder()
        badType.transitions = [(100, 3)]
        #expect(reason(badType.bytes()) == prefix + "a transition names a missing local time type")

        var leaps = TZifBuilder()
        leaps.leapSeconds = 1
        #expect(reason(leaps.bytes()) == prefix + "it lists leap seconds (a \"right/\" zone), which swiftbeat does not support")

        var noFooter = TZifBuilder()
        noFooter.footer = nil
        #expect(reason(noFooter.bytes()) == prefix + "the footer is missing")

        var badFooter = TZifBuilder()
        badFooter.footer = "EST5EDT,M3.2.0"
        let error = #expect(throws: TimeZoneError.self) { try TimeZoneRules(tzif: badFooter.bytes(), identifier: "Test/Bad") }
        #expect(error?.description == "time zone \"Test/Bad\": invalid TZ rule \"EST5EDT,M3.2.0\": bad daylight-saving end rule")
    }

    /// The machine's own database (`$TZDIR` or `/usr/share/zoneinfo`), whatever its release, and
    /// both forms of the pinned one: each file parses and its footer is understood. What a release
    /// says of a zone is not asserted here, so any release must pass.
    @Test(arguments: [TimeZoneRules.defaultDirectory, PinnedTzdata.fatDirectory, PinnedTzdata.slimDirectory])
    func everyInstalledZoneLoads(root: String) throws {
        let enumerator = try #require(FileManager.default.enumerator(atPath: root))
        var loaded = 0
        for case let name as String in enumerator {
            let first = name.split(separator: "/").first.map(String.init) ?? name
            guard !["right", "posix", "Etc"].contains(first), !name.contains("."), name != "posixrules", name != "localtime",
                name.first?.isUppercase == true
            else { continue }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root + "/" + name, isDirectory: &isDirectory), !isDirectory.boolValue
            else { continue }
            let zone = try TimeZoneRules.load(identifier: name, directory: root)
            _ = zone.segment(containing: utc(2026, 1, 1))
            loaded += 1
        }
        #expect(loaded > 300)
    }
}
