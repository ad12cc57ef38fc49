import BeatCore
import JSON
import Testing
import TestSupport

/// Generated celerybeat-redis entries, both formats, decoded by swiftbeat and by what
/// celerybeat-redis does (`Tests/Python/entry_cases.py`: `json.loads` with its DateTimeDecoder, and
/// the options its entry class passes to `apply_async`): the same task, args, kwargs and options.
/// The args and kwargs are generated JSON of every kind (`JSONTexts.swift`): integers beyond 64
/// bits, floats, escapes, surrogate pairs, repeated keys.
@Suite struct EntryDifferentialTests {
    static let cases = 2_000

    @Test func decodedEntriesHandOnWhatCelerybeatRedisHandsOn() async throws {
        var run = DifferentialRun()
        let texts = (0..<Self.cases).map { _ in run.entryText() }
        let answers = try await run.answers(of: "entry_cases.py", to: texts.map { JSONWriter.string(.string($0), style: .compact) })
        var differences: [String] = []
        var legacy = 0
        for (text, (line, python)) in zip(texts, answers) {
            let shown = "\(text.debugDescription): Python \(line.prefix(300))"
            let decoded = Result { () throws(EntryError) -> Entry in try EntryDecoder.decode(key: "k", name: "n", json: Array(text.utf8)) }
            guard python["ok"] == .bool(true) else {
                if case .success = decoded { differences.append("decoded what celerybeat-redis cannot read: \(shown)") }
                continue
            }
            let entry: Entry
            switch decoded {
            case .success(let value): entry = value
            case .failure(let error):
                differences.append("refused (\(error)): \(shown)")
                continue
            }
            if entry.format == .legacy { legacy += 1 }
            var comparison = PythonValueComparison()
            if !comparison.same(.string(entry.task), python["task"]!) { differences.append("task \(entry.task): \(shown)") }
            if !comparison.same(.array(entry.args), python["args"]!) { differences.append("args \(entry.args): \(shown)") }
            if !comparison.same(.object(entry.kwargs), python["kwargs"]!) { differences.append("kwargs \(entry.kwargs): \(shown)") }
            var handedOn = entry.options.handedOn
            if entry.format == .legacy, handedOn["queue"] == nil { handedOn["queue"] = .string("celery") }  // celerybeat-redis 0.1.3's default
            // Options are keyword arguments: their order does not matter.
            let theirs = try #require(python["options"]?.objectValue?["o"]?.arrayValue).compactMap(\.arrayValue)
            let ordered = theirs.compactMap { pair in
                pair.first?.arrayValue.map { points in String(String.UnicodeScalarView(points.compactMap { $0.numberValue?.int64Value.flatMap { Unicode.Scalar(UInt32($0)) } })) }
            }.compactMap { key in handedOn[key].map { JSONObject.Member(key: key, value: $0) } }
            if ordered.count != handedOn.count || !comparison.same(.object(JSONObject(members: ordered)), python["options"]!) {
                differences.append("options \(handedOn): \(shown)")
            }
        }
        print("entry differential: \(texts.count) entries, \(legacy) legacy (\(run))")
        #expect(differences.isEmpty, "\(differences.count) differences (\(run)):\n\(differences.prefix(8).joined(separator: "\n"))")
        #expect(legacy >= Self.cases / 5 && legacy <= Self.cases / 2, "\(legacy) legacy entries (\(run))")
    }
}

extension EntryOptions {
    /// The options as the generator writes them, for comparison with what Python hands on.
    fileprivate var handedOn: JSONObject {
        var object = JSONObject()
        if let queue { object["queue"] = .string(queue) }
        if let exchange { object["exchange"] = .string(exchange) }
        if let routingKey { object["routing_key"] = .string(routingKey) }
        if let priority { object["priority"] = .integer(priority) }
        if case .after(let seconds) = expires { object["expires"] = seconds == seconds.rounded() ? .integer(Int64(seconds)) : .double(seconds) }
        return object
    }
}

extension DifferentialRun {
    /// An entry's Redis value, in the current format or the legacy one, members in any order.
    mutating func entryText() -> String {
        let legacy = chance(0.3)
        var members: [(String, String)] = [
            ("task", pick(["\"tasks.add\"", "\"app.t\\u00e9l\\u00e9\"", "\"a.b.\(int(0...99))\"", "\"x\(jsonString().dropFirst())"])),
            ("name", jsonString()),
            ("enabled", pick(["true", "1"])),
        ]
        if chance(0.9) { members.append(("args", chance(0.1) ? "null" : "[" + (0..<int(0...4)).map { _ in jsonValue(depth: 1) }.joined(separator: ",") + "]")) }
        if chance(0.9) {
            var keys = (0..<int(0...4)).map { _ in jsonString() }
            if !keys.isEmpty, chance(0.15) { keys.append(pick(keys)) }
            members.append(("kwargs", chance(0.1) ? "null" : "{" + keys.map { $0 + ":" + jsonValue(depth: 1) }.joined(separator: ",") + "}"))
        }
        let interval = "{\"every\": \(int(1...3600)), \"period\": \"\(pick(["seconds", "minutes", "hours"]))\"}"
        let crontab = "{\"minute\": \"\(crontabField(0...59, star: 1))\", \"hour\": \"\(crontabField(0...23, star: 2))\"}"
        var options: [(String, String)] = []
        if chance(0.6) { options.append(("queue", "\"q\(jsonString().dropFirst())")) }
        if chance(0.3) { options.append(("exchange", "\"e\(jsonString().dropFirst())")) }
        if chance(0.3) { options.append(("routing_key", "\"r\(jsonString().dropFirst())")) }
        if chance(0.3) { options.append(("expires", pick(["\(int(1...86_400))", "\(int(1...600)).5", "0.25"]))) }
        if legacy {
            members.append(chance(0.5) ? ("interval", interval) : ("crontab", crontab))
            members += options
        } else {
            members.append(("schedule", chance(0.5) ? interval : crontab))
            if chance(0.4) { options.append(("priority", "\(int(0...9))")) }
            if !options.isEmpty || chance(0.3) {
                members.append(("options", "{" + options.map { "\"\($0.0)\":" + space() + $0.1 }.joined(separator: ",") + "}"))
            }
        }
        members.shuffle(using: &random)
        return "{" + members.map { "\"\($0.0)\"" + space() + ":" + space() + $0.1 }.joined(separator: "," + space()) + "}"
    }
}
