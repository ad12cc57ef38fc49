import BeatCore
import CivilTime
import JSON
import Testing
import TestSupport

/// The byte-level decoder against the tree decoder it replaced (`TreeEntryDecoder`): on the
/// fixtures and on thousands of generated entries, good and bad, both must accept the same entries
/// with the same contents and refuse the same ones with the same reason.
@Suite struct EntryDecoderEquivalenceTests {
    /// What a decode produced, comparable as a whole.
    enum Outcome: Equatable, CustomStringConvertible {
        case entry(String)
        case error(EntryError)

        init(_ decode: () throws(EntryError) -> Entry, dropArguments: Bool = false) {
            do {
                var entry = try decode()
                if dropArguments {
                    entry.args = []
                    entry.kwargs = [:]
                }
                // Everything the entry holds, with objects' members in order (JSONObject's == ignores order).
                self = .entry(
                    "\(entry.key)|\(entry.name)|\(entry.task)|\(entry.enabled)|\(entry.schedule)|\(entry.args)|\(entry.kwargs.members)"
                        + "|\(entry.options)|\(entry.totalRunCount)|\(String(describing: entry.lastRunAt))|\(entry.format)|\(entry.lifetime)")
            } catch {
                self = .error(error)
            }
        }

        var description: String {
            switch self {
            case .entry(let text): "accepted \(text)"
            case .error(let error): "refused: \(error.reason)"
            }
        }
    }

    /// Decodes `bytes` every way the beat does and expects each to agree with the tree decoder.
    func expectSameAsTreeDecoder(_ bytes: [UInt8], cache: inout ScheduleCache, _ comment: @autoclosure () -> String) {
        let key = "tasks:meta:e"
        let reference = Outcome { () throws(EntryError) in try TreeEntryDecoder.decode(key: key, name: "e", json: bytes) }
        let full = Outcome { () throws(EntryError) in try EntryDecoder.decode(key: key, name: "e", json: bytes) }
        #expect(full == reference, "\(comment())")
        let referenceForScheduling = Outcome(
            { () throws(EntryError) in try TreeEntryDecoder.decode(key: key, name: "e", json: bytes) }, dropArguments: true)
        let scheduling = Outcome { () throws(EntryError) in
            try EntryDecoder.decode(key: key, name: "e", json: bytes, detail: .scheduling, cache: &cache)
        }
        #expect(scheduling == referenceForScheduling, "scheduling: \(comment())")
        if let entry = try? TreeEntryDecoder.decode(key: key, name: "e", json: bytes) {
            let known = Outcome { () throws(EntryError) in
                try EntryDecoder.decode(key: key, name: "e", json: bytes, knownSchedule: entry.schedule)
            }
            #expect(known == reference, "known schedule: \(comment())")
        }
    }

    static let fixtures = [
        "celerybeat-redis/head-saved.json", "celerybeat-redis/legacy-0.1.3-saved.json",
        "celerybeat-redis/readme-current-interval.json", "celerybeat-redis/readme-legacy-crontab.json",
        "celerybeat-redis/readme-legacy-interval.json",
    ]

    /// What `scripts/bench` loads: one entry in the shape of 100,000.
    static let benchEntry =
        #"{"name": "e7", "task": "bench.noop", "enabled": true, "schedule": {"every": 10.0, "period": "seconds"}, "args": [7], "kwargs": {}, "options": {"expires": 3600}, "last_run_at": {"__type__": "datetime", "year": 2026, "month": 11, "day": 27, "hour": 21, "minute": 0, "second": 0, "microsecond": 123456}, "total_run_count": 0}"#

    @Test func agreesOnTheFixtures() throws {
        var cache = ScheduleCache()
        for path in Self.fixtures {
            expectSameAsTreeDecoder(try Fixtures.bytes(path), cache: &cache, path)
        }
        expectSameAsTreeDecoder(Array(Self.benchEntry.utf8), cache: &cache, "bench entry")
    }

    @Test func agreesOnGeneratedEntries() throws {
        var bases = try Self.fixtures.map { try Fixtures.bytes($0) }
        bases.append(Array(Self.benchEntry.utf8))
        var generator = SeededGenerator(state: 7)
        var cache = ScheduleCache(capacity: 64)
        var reasons: [String: Int] = [:]
        for round in 0..<4000 {
            let base = bases[round % bases.count]
            let bytes = EntryMutator.mutate(base, using: &generator)
            expectSameAsTreeDecoder(bytes, cache: &cache, "round \(round): \(String(decoding: bytes, as: UTF8.self))")
            let outcome = Outcome { () throws(EntryError) in try TreeEntryDecoder.decode(key: "k", name: "e", json: bytes) }
            if case .error(let error) = outcome {
                reasons[String(error.reason.filter { !$0.isNumber }.prefix(30)), default: 0] += 1
            } else {
                reasons["accepted", default: 0] += 1
            }
        }
        // The cases must exercise both sides and many kinds of refusal, or agreeing proves little.
        #expect(reasons["accepted", default: 0] >= 800)
        #expect(reasons.count >= 25, "\(reasons)")
    }

    /// `last_run_at` in the form swiftbeat writes is read by comparison with a template; in every
    /// other form by finding its members. Both against the tree reading, on random components (valid
    /// and not) and on near misses of the template.
    @Test func datetimesAgreeWithTheTreeReading() throws {
        var generator = SeededGenerator(state: 3)
        for _ in 0..<3000 {
            let values = [
                Int.random(in: 0...10_000, using: &generator), Int.random(in: 0...13, using: &generator),
                Int.random(in: 0...32, using: &generator), Int.random(in: 0...25, using: &generator),
                Int.random(in: 0...61, using: &generator), Int.random(in: 0...61, using: &generator),
                Int.random(in: 0...1_000_001, using: &generator),
            ].map { Bool.random(using: &generator) ? $0 : Int.random(in: 0...9, using: &generator) }
            let names = ["year", "month", "day", "hour", "minute", "second", "microsecond"]
            var members = zip(names, values).map { #""\#($0)": \#($1)"# }
            switch Int.random(in: 0..<8, using: &generator) {
            case 0: members.swapAt(Int.random(in: 0..<7, using: &generator), Int.random(in: 0..<7, using: &generator))
            case 1: members[Int.random(in: 0..<7, using: &generator)] += ", \"extra\": 1"
            case 2: members[Int.random(in: 0..<7, using: &generator)] = #""hour": -1"#
            case 3: members.remove(at: Int.random(in: 3..<7, using: &generator))
            case 4: members[0] = #""year": 2014.0"#
            default: break
            }
            let spacing = Int.random(in: 0..<6, using: &generator) == 0 ? "," : ", "
            let text = #"{"__type__": "datetime", "# + members.joined(separator: spacing) + "}"
            let bytes = Array(text.utf8)
            let reference = TreeEntryDecoder.treeDatetime(try JSONParser.parse(bytes))
            #expect(PythonDatetime.decode(json: bytes, range: 0..<bytes.count) == reference, "\(text)")
        }
        // What the encoder writes reads back through the template.
        for seconds in stride(from: Int64(-2_000_000_000), through: 4_000_000_000, by: 77_777_777) {
            let instant = Instant(microsecondsSinceEpoch: seconds * 1_000_000 + seconds % 1_000_000)
            let bytes = PythonDatetime.encodedBytes(instant)
            #expect(PythonDatetime.decode(json: bytes, range: 0..<bytes.count) == instant)
        }
    }
}

/// Makes entries good and bad from a valid one: members replaced by values of every type and by
/// near misses, duplicated, dropped, reordered, keys spelt with escapes, and the text itself cut
/// or corrupted.
enum EntryMutator {
    static let common = [
        "null", "true", "false", "0", "1", "-1", "2", "-0", "1.0", "1e2", "12345678901", "99999999999999999999",
        #""x""#, #""""#, #""\u0074""#, "[]", #"[1, "a"]"#, "{}", #"{"a": 1}"#,
    ]

    static let schedules = [
        #"{"every": 5}"#, #"{"every": 5, "period": "minutes"}"#, #"{"every": 1.5, "period": "seconds", "relative": true}"#,
        #"{"every": 0}"#, #"{"every": "5"}"#, #"{"every": 5, "period": "fortnights"}"#, #"{"every": 5, "every": 6}"#,
        #"{"minute": "*/15", "hour": "9-17", "day_of_week": "mon-fri", "day_of_month": "*", "month_of_year": "*"}"#,
        #"{"minute": "61"}"#, #"{"minute": "5", "minutes": "5"}"#, #"{"__type__": "interval", "every": 30.0, "relative": false}"#,
        #"{"minute": "0", "hour": "0", "day_of_week": "*", "day_of_month": "31", "month_of_year": "2"}"#, #""5m""#,
    ]

    static let datetimes = [
        #"{"__type__": "datetime", "year": 2014, "month": 8, "day": 30, "hour": 8, "minute": 10, "second": 6, "microsecond": 667}"#,
        #"{"__type__": "datetime", "year": 2014, "month": 8, "day": 30}"#,
        #"{"__type__": "datetime", "year": 2014, "month": 8}"#,
        #"{"__type__": "datetime", "year": 2014, "month": 2, "day": 30}"#,
        #"{"__type__": "datetime", "year": "2014", "month": 8, "day": 30}"#,
        #"{"__type__": "date", "year": 2014, "month": 8, "day": 30}"#,
        #"{"year": 2014, "month": 8, "day": 30}"#,
        #"{"__type__": "datetime", "__value__": "2014-08-30T08:10:06.000667+00:00"}"#,
        #"{"__type__": "datetime", "__value__": 5, "year": 2014, "month": 8, "day": 30}"#,
        #"{"__type__": "datetime", "__value__": "soon"}"#,
        #"{"__type__": "datetime", "year": 2014, "year": "x", "month": 1, "day": 1}"#,
        #"{"__type__": "datetime", "year": "x", "year": 2014, "month": 1, "day": 1}"#,
        #"{"__type__": "datetime", "y\u0065ar": 2014, "month": 1, "day": 1}"#,
        #"{"__type__": "d\u0061tetime", "year": 2014, "month": 1, "day": 1}"#,
        #"{"__type__": "datetime", "year": 2014, "month": 1, "day": 1, "microsecond": 1e3}"#,
        #"{"__type__": "datetime", "year": 2014, "month": 1, "day": 1, "hour": -1}"#,
        #"{"__type__": "datetime", "year": 2014, "month": 1, "day": 1, "hour": null}"#,
        #"{"__type__": "datetime", "year": 99999999999999999999, "month": 1, "day": 1}"#,
        #"{"__type__": "datetime", "year": 2014, "month": 1, "day": 1, "timezone": "UTC"}"#,
        #""2014-08-30T08:10:06.000667""#, #""2014-08-30 08:10:06Z""#, #""2014-08-30T10:10:06+02:00""#, #""yesterday""#,
        "1400000000",
    ]

    static let options = [
        #"{"queue": "q", "priority": 3, "expires": 30}"#, #"{"priority": 256}"#, #"{"priority": 1.5}"#,
        #"{"expires": "2030-01-02T03:04:05+00:00"}"#, #"{"expires": "soon"}"#, #"{"expires": true}"#,
        #"{"headers": {"x": 1}}"#, #"{"headers": [1]}"#, #"{"time_limit": -1}"#, #"{"soft_time_limit": "10"}"#,
        #"{"countdown": 1.5}"#, #"{"queue": 5}"#, #"{"queue": "a", "queue": 5}"#, #"{"link": {"a": [1]}}"#,
    ]

    static let byName: [String: [String]] = [
        "task": [#""tasks.add""#, #""t\u00e9""#, #""été""#, #""a\"b""#],
        "schedule": schedules, "interval": schedules, "crontab": schedules,
        "args": ["[3, 2]", #"[{"d": [null, 1.5e3]}]"#, #""1, 2""#, "[1,]"],
        "kwargs": [#"{"k": [1, {"d": null}]}"#, #"{"note": "\u00e9t\u00e9"}"#],
        "options": options,
        "queue": [#""celery""#], "exchange": [#""ex""#], "routing_key": [#""rk""#],
        "expires": [#""2030-01-02T03:04:05Z""#, "30", #"["a"]"#],
        "total_run_count": ["7", "9223372036854775807", "9223372036854775808", "-9223372036854775808"],
        "start_time": [#""2030-01-02T03:04:05+01:00""#, #""2030-01-02T03:04:05""#, "null"],
        "max_run_count": ["3", "0", "1.5", "9223372036854775807"],
        "one_off": ["true", "false", "1"],
        "last_run_at": datetimes,
    ]

    static let names = Array(byName.keys).sorted() + ["enabled", "name", "other"]

    static func mutate(_ base: [UInt8], using generator: inout SeededGenerator) -> [UInt8] {
        let layout = try! JSONParser.parseObjectLayout(base)
        var members = layout.members.map { (key: "\"\($0.key)\"", value: String(decoding: base[$0.valueRange], as: UTF8.self)) }
        for _ in 0..<Int.random(in: 1...4, using: &generator) {
            switch Int.random(in: 0..<10, using: &generator) {
            case 0...3 where !members.isEmpty:
                let position = Int.random(in: 0..<members.count, using: &generator)
                members[position].value = value(for: members[position].key, using: &generator)
            case 4, 5:
                let name = names.randomElement(using: &generator)!
                let member = (key: "\"\(name)\"", value: value(for: "\"\(name)\"", using: &generator))
                members.insert(member, at: Int.random(in: 0...members.count, using: &generator))
            case 6 where !members.isEmpty:
                members.remove(at: Int.random(in: 0..<members.count, using: &generator))
            case 7 where !members.isEmpty:
                // The same key spelt with an escape: "t\u0061sk" is "task".
                let position = Int.random(in: 0..<members.count, using: &generator)
                let key = members[position].key.dropFirst().dropLast()
                if let last = key.last, last.isASCII {
                    let code = String(last.asciiValue!, radix: 16)
                    members[position].key = "\"\(key.dropLast())\\u00\(code.count == 1 ? "0" + code : code)\""
                }
            case 8:
                members.shuffle(using: &generator)
            default:
                break
            }
        }
        let separator = [", ", ",", " ,\n "].randomElement(using: &generator)!
        let colon = [": ", ":", " :\t"].randomElement(using: &generator)!
        var bytes = Array(("{" + members.map { $0.key + colon + $0.value }.joined(separator: separator) + "}").utf8)
        if Int.random(in: 0..<10, using: &generator) == 0 { bytes = Array(" \n".utf8) + bytes + Array(" ".utf8) }
        switch Int.random(in: 0..<20, using: &generator) {
        case 0: bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &generator)))
        case 1:
            let replacement: [UInt8] = [0xFF, 0x00, 0x22, 0x7D, 0x5C, 0x2C, 0xC3, 0x0A]
            bytes[Int.random(in: 0..<bytes.count, using: &generator)] = replacement.randomElement(using: &generator)!
        case 2: bytes = Array("[".utf8) + bytes + Array("]".utf8)
        case 3: bytes += Array(" x".utf8)
        default: break
        }
        return bytes
    }

    static func value(for key: String, using generator: inout SeededGenerator) -> String {
        let name = String(key.dropFirst().dropLast())
        if let specific = byName[name], Bool.random(using: &generator) {
            return specific.randomElement(using: &generator)!
        }
        return common.randomElement(using: &generator)!
    }
}
