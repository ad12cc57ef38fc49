import JSON
import Testing
import TestSupport

/// swiftbeat's JSON parser against Python's `json.loads` on generated texts, valid and mutated
/// (`Tests/Python/json_cases.py` reads the same bytes). Where Python accepts a text, swiftbeat
/// must give the same value, as a Celery worker would read it back from what swiftbeat sends;
/// where Python refuses one, swiftbeat must refuse it too. The differences swiftbeat makes on
/// purpose (README, "Entries") are asserted as rules, nothing else is allowed:
/// - `NaN`, `Infinity` and `-Infinity` are refused (RFC 8259 has no such numbers);
/// - nesting deeper than `JSONParser.maximumDepth` (512) is refused (Python's limit is its stack);
/// - a lone surrogate escape (`"\uD800"`) becomes U+FFFD (a Swift string cannot hold one).
/// Numbers are kept as their literal: an integer of any size is exactly Python's `int`, and a
/// float's literal reads as the same double as Python's `float` (`1e400` is infinity in both).
@Suite struct JSONDifferentialTests {
    static let cases = 8_000

    @Test func parserAgreesWithPythonJSONOnGeneratedTexts() async throws {
        var run = DifferentialRun()
        let texts = (0..<Self.cases).map { _ in run.jsonText() }
        let answers = try await run.answers(of: "json_cases.py", to: texts.map(\.hexadecimal))
        var tally = (valid: 0, invalid: 0, constants: 0, tooDeep: 0, surrogates: 0, bigIntegers: 0)
        var differences: [String] = []
        for (text, (line, python)) in zip(texts, answers) {
            let ours = Result { () throws(JSONError) -> JSONValue in try JSONParser.parse(text) }
            let shown = "text \(text.shown): Python \(line.prefix(300)), swiftbeat \(ours.shown)"
            guard python["ok"] == .bool(true) else {
                tally.invalid += 1
                if case .success = ours { differences.append("accepted what Python refuses: \(shown)") }
                continue
            }
            tally.valid += 1
            if python["constants"] == .bool(true) || python["depth"]?.numberValue?.int64Value ?? 0 > Int64(JSONParser.maximumDepth) {
                python["constants"] == .bool(true) ? (tally.constants += 1) : (tally.tooDeep += 1)
                if case .success = ours { differences.append("accepted NaN/Infinity or nesting beyond \(JSONParser.maximumDepth): \(shown)") }
                continue
            }
            guard case .success(let parsed) = ours else {
                differences.append("refused what Python accepts: \(shown)")
                continue
            }
            // Values nested deeper than json_cases.py spells (see there) are compared for acceptance only.
            guard let value = python["value"] else { continue }
            var comparison = PythonValueComparison()
            if !comparison.same(parsed, value) { differences.append("different value: \(shown)") }
            tally.surrogates += comparison.loneSurrogates
            tally.bigIntegers += comparison.integersBeyond64Bits
        }
        #expect(differences.isEmpty, "\(differences.count) differences (\(run)):\n\(differences.prefix(8).joined(separator: "\n"))")
        print("JSON differential: \(texts.count) texts, \(tally) (\(run))")
        // The generator must keep reaching every rule.
        #expect(tally.valid >= Self.cases / 3 && tally.invalid >= Self.cases / 10, "\(tally) (\(run))")
        #expect(tally.constants >= 20 && tally.tooDeep >= 5 && tally.surrogates >= 20 && tally.bigIntegers >= 100, "\(tally) (\(run))")
    }
}

/// Whether swiftbeat's value is the one Python read, spelled as json_cases.py spells it.
struct PythonValueComparison {
    var loneSurrogates = 0
    var integersBeyond64Bits = 0
    /// For YAML: where ruamel.yaml departs from YAML 1.2's core schema, swiftbeat keeps the string
    /// the specification says (README, "Schedule files"): `1_000` (ruamel: an int) and `2024-01-01`
    /// (ruamel: a date, from YAML 1.1's timestamp type), `0b101` (ruamel: 5, YAML 1.1's binary).
    var acceptsRuamelDepartures = false
    var ruamelDepartures = 0

    mutating func same(_ ours: JSONValue, _ python: JSONValue) -> Bool {
        switch ours {
        case .null, .bool: return ours == python
        case .number(let number):
            if let digits = python.objectValue?["i"]?.stringValue {
                if number.int64Value == nil { integersBeyond64Bits += 1 }
                return number.isInteger && (number.literal == "-0" ? "0" : number.literal) == digits
            }
            guard let repr = python.objectValue?["f"]?.stringValue, let float = Double(repr) else { return false }
            return !number.isInteger && Double(number.literal).map { $0.bitPattern == float.bitPattern } == true
        case .string(let string):
            if acceptsRuamelDepartures, isRuamelDeparture(string, python) {
                ruamelDepartures += 1
                return true
            }
            return same(string, python.objectValue?["s"])
        case .array(let items):
            guard let theirs = python.arrayValue, theirs.count == items.count else { return false }
            return zip(items, theirs).allSatisfy { same($0, $1) }
        case .object(let object):
            // What a worker reads from what swiftbeat writes: each key once, at its first place, with its last value.
            let distinct = object.distinctMembers
            guard let members = python.objectValue?["o"]?.arrayValue, members.count == distinct.count else { return false }
            return zip(distinct, members).allSatisfy { mine, member in
                guard let pair = member.arrayValue, pair.count == 2 else { return false }
                return same(mine.key, pair[0]) && same(mine.value, pair[1])
            }
        }
    }

    func isRuamelDeparture(_ string: String, _ python: JSONValue) -> Bool {
        if let digits = python.objectValue?["i"]?.stringValue {
            // YAML 1.1's integers: `1_000`, and `0b101` in binary.
            var text = string.filter { $0 != "_" }
            let negative = text.hasPrefix("-")
            if text.hasPrefix("-") || text.hasPrefix("+") { text.removeFirst() }
            let value = text.hasPrefix("0b") ? Int(text.dropFirst(2), radix: 2) : Int(text)
            guard let value, string.contains("_") || text.hasPrefix("0b") else { return false }
            return "\(negative ? -value : value)" == digits
        }
        guard let other = python.objectValue?["x"]?.stringValue else { return false }
        return other == "date: " + string
    }

    /// Code points; Python's lone surrogates are swiftbeat's U+FFFD.
    mutating func same(_ string: String, _ python: JSONValue?) -> Bool {
        guard let points = python?.arrayValue?.compactMap({ $0.numberValue?.int64Value }) else { return false }
        let ours = string.unicodeScalars.map { Int64($0.value) }
        guard ours.count == points.count else { return false }
        return zip(ours, points).allSatisfy { mine, theirs in
            guard (0xD800...0xDFFF).contains(theirs) else { return mine == theirs }
            loneSurrogates += 1
            return mine == 0xFFFD
        }
    }
}

extension Array where Element == UInt8 {
    var hexadecimal: String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] }, as: UTF8.self)
    }

    /// The text for a failure message: as UTF-8 where it is, cut to a readable length.
    var shown: String {
        let text = String(decoding: prefix(200), as: UTF8.self).debugDescription
        return count > 200 ? text + "… (\(count) bytes)" : text
    }
}

extension Result where Success == JSONValue {
    var shown: String {
        switch self {
        case .success(let value): "accepted \(JSONWriter.string(value, style: .compact).prefix(200))"
        case .failure(let error): "refused (\(error))"
        }
    }
}
