import BeatCore
import JSON
import Testing

/// Loading decodes entries for the timetable only: args and kwargs are checked, not built, and
/// schedules parsed once per distinct text.
@Suite struct EntryDecoderDetailTests {
    let text = #"{"task": "t", "schedule": {"every": 5}, "args": [1, {"deep": [2]}], "kwargs": {"k": "v"}, "enabled": false}"#

    @Test func schedulingDetailKeepsWhatTheTimetableNeedsAndLeavesArgumentsEmpty() throws {
        let full = try EntryDecoder.decode(key: "k", name: "k", json: Array(text.utf8))
        let light = try EntryDecoder.decode(key: "k", name: "k", json: Array(text.utf8), detail: .scheduling)
        #expect(light.schedule == full.schedule)
        #expect(light.enabled == full.enabled)
        #expect(light.task == full.task)
        #expect(full.args.count == 2 && full.kwargs.count == 1)
        #expect(light.args.isEmpty && light.kwargs.isEmpty)
    }

    @Test(arguments: [
        (#""args": "1, 2""#, #""args" must be a JSON array, not a string"#),
        (#""args": 7"#, #""args" must be a JSON array, not an integer"#),
        (#""args": 7.5"#, #""args" must be a JSON array, not a number"#),
        (#""kwargs": []"#, #""kwargs" must be a JSON object, not an array"#),
        (#""kwargs": true"#, #""kwargs" must be a JSON object, not a boolean"#),
    ])
    func schedulingDetailStillRejectsArgumentsOfTheWrongType(member: String, reason: String) {
        let json = Array(#"{"task": "t", "schedule": {"every": 5}, \#(member)}"#.utf8)
        for detail in [EntryDecoder.Detail.full, .scheduling] {
            let error = #expect(throws: EntryError.self) { try EntryDecoder.decode(key: "k", name: "k", json: json, detail: detail) }
            #expect(error?.reason == reason)
        }
    }

    @Test func schedulingDetailStillRejectsBrokenJSONInsideArguments() {
        let json = Array(#"{"task": "t", "schedule": {"every": 5}, "args": [1, }"#.utf8)
        #expect(throws: EntryError.self) { try EntryDecoder.decode(key: "k", name: "k", json: json, detail: .scheduling) }
    }

    @Test func aCacheParsesEachScheduleTextOnce() throws {
        var cache = ScheduleCache(capacity: 2)
        var parses = 0
        func schedule(_ text: String) throws -> Schedule {
            try cache.schedule(text: ArraySlice(text.utf8)) { () throws(ScheduleError) in
                parses += 1
                return try Schedule(json: try! JSONParser.parse(text))
            }
        }
        let first = try schedule(#"{"every": 5}"#)
        #expect(try schedule(#"{"every": 5}"#) == first)
        #expect(parses == 1)
        _ = try schedule(#"{"every": 6}"#)
        _ = try schedule(#"{"every": 7}"#)  // over capacity: starts over
        _ = try schedule(#"{"every": 5}"#)
        #expect(parses == 4)
    }
}
