import CivilTime
import RedBeatStore
import RedisClient
import ScheduleStore

/// Where the runner reads entries from, on the scheduler's connection: every key under the prefix
/// (celerybeat-redis, by SCAN), or the entries RedBeat's index says are due soon (by ZRANGEBYSCORE).
/// An enum for the reason `StoreFormat` is one.
enum EntryStore {
    case celerybeatRedis(EntryReader)
    case redBeat(RedBeatReader)

    init(_ format: StoreFormat, connection: RedisConnection, keyPrefix: String) {
        switch format {
        case .celerybeatRedis: self = .celerybeatRedis(EntryReader(connection: connection, keyPrefix: keyPrefix))
        case .redBeat(let keys): self = .redBeat(RedBeatReader(connection: connection, keys: keys))
        }
    }

    /// What a reload pass has still to read.
    enum Page {
        /// The keys of a SCAN page, and the cursor after it.
        case scan(EntryReader.ScanPage)
        /// The keys the index named, read a part per turn.
        case keys(ArraySlice<String>)
    }

    /// The first page of a reload. A RedBeat reload reads the entries scored up to `horizon` (UTC
    /// seconds): the timetable then holds those due before the next reload and decides, from
    /// each entry's schedule and `meta`, when it fires (RedBeat's score is only an index).
    func firstPage(horizon: Int64) throws(ScheduleStoreError) -> Page {
        switch self {
        case .celerybeatRedis(let reader): .scan(try reader.scan(from: "0"))
        case .redBeat(let reader): .keys(try reader.dueKeys(until: horizon)[...])
        }
    }

    /// Reads `page`, handing entries to `body` a part at a time; returns what is left (nil: done).
    func read(_ page: Page, partSize: Int, _ body: ([EntryReader.Stored]) -> Void) throws(ScheduleStoreError) -> Page? {
        switch (self, page) {
        case (.celerybeatRedis(let reader), .scan(let keys)):
            return try reader.read(keys.keys, scanning: keys.next == "0" ? nil : keys.next, partSize: partSize, body).map(Page.scan)
        case (.redBeat(let reader), .keys(let keys)):
            let now = keys.prefix(Self.redBeatPageSize)
            try reader.read(now, partSize: partSize, body)
            return now.endIndex == keys.endIndex ? nil : .keys(keys[now.endIndex...])
        default:
            return nil
        }
    }

    /// Entries read per loop turn from a RedBeat reload, as SCAN's COUNT bounds a celerybeat-redis page.
    static var redBeatPageSize: Int { 1000 }

    /// The stored value of each key, nil where it is gone or of another type.
    func values(of keys: [String]) throws(ScheduleStoreError) -> [[UInt8]?] {
        switch self {
        case .celerybeatRedis(let reader): try reader.values(of: keys)
        case .redBeat(let reader): try reader.values(of: keys)
        }
    }

    func type(of key: String) throws(ScheduleStoreError) -> String {
        switch self {
        case .celerybeatRedis(let reader): try reader.type(of: key)
        case .redBeat(let reader): try reader.type(of: key)
        }
    }
}
