@testable import BeatRunner
import Testing

/// Which `notify-keyspace-events` settings tell the beat of every entry edit, and what
/// `--enable-keyspace-events` sets.
struct KeyspaceEventsTests {
    @Test func coverageNeedsTheKeyspaceChannelAndEveryClassWithAStandingForItsClasses() {
        let entries = StoreFormat.celerybeatRedis.keyspaceEventClasses
        #expect(KeyspaceEvents(flags: "AK").cover(entries))
        #expect(KeyspaceEvents(flags: "K$gxe").cover(entries))
        #expect(!KeyspaceEvents(flags: "").cover(entries))
        #expect(!KeyspaceEvents(flags: "EA").cover(entries))  // keyevent channel only
        #expect(!KeyspaceEvents(flags: "K$g").cover(entries))  // expiries and evictions missed
        #expect(!KeyspaceEvents(flags: "K$gxe").cover(StoreFormat(.redBeat, keyPrefix: "redbeat:").keyspaceEventClasses))
    }

    @Test func enablingAddsOnlyWhatIsMissingAndKeepsTheRest() {
        let entries = StoreFormat.celerybeatRedis.keyspaceEventClasses
        #expect(KeyspaceEvents(flags: "").adding(entries).flags == "K$gxe")
        #expect(KeyspaceEvents(flags: "El").adding(entries).flags == "ElK$gxe")
        #expect(KeyspaceEvents(flags: "KA").adding(entries).flags == "KA")
        #expect(KeyspaceEvents(flags: "Eg").adding(entries).adding(entries).flags == "EgK$xe")
    }
}
