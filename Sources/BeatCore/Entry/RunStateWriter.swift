public import CivilTime
public import JSON

/// Writes a firing's run state into an entry's stored JSON and changes nothing else.
///
/// Only `total_run_count` and `last_run_at` are replaced, in place, or added before the closing
/// brace when absent; every other byte stays as it was. An entry keeps its format (legacy or
/// current), its member order, its number spellings and every key swiftbeat does not know.
/// That is what lets a user's edit and swiftbeat's write-back be told apart and merged.
public enum RunStateWriter {
    public static func write(
        totalRunCount: Int64, lastRunAt: Instant, into original: [UInt8]
    ) throws(JSONError) -> [UInt8] {
        let names = ["total_run_count", "last_run_at"]
        let found = try JSONParser.locateMembers(names, in: original)
        let count = Array(String(totalRunCount).utf8)
        let lastRun = PythonDatetime.encodedBytes(lastRunAt)
        var replacements: [(range: Range<Int>, bytes: [UInt8])] = []
        var additions: [(key: String, bytes: [UInt8])] = []
        for (position, bytes) in [count, lastRun].enumerated() {
            if let range = found.ranges[position] {
                replacements.append((range, bytes))
            } else {
                additions.append((names[position], bytes))
            }
        }
        var output: [UInt8] = []
        output.reserveCapacity(original.count + 160)
        var cursor = 0
        for replacement in replacements.sorted(by: { $0.range.lowerBound < $1.range.lowerBound }) {
            output.append(contentsOf: original[cursor..<replacement.range.lowerBound])
            output.append(contentsOf: replacement.bytes)
            cursor = replacement.range.upperBound
        }
        output.append(contentsOf: original[cursor..<found.closingBrace])
        var needsComma = found.memberCount > 0
        for addition in additions {
            if needsComma { output.append(contentsOf: ", ".utf8) }
            output.append(contentsOf: JSONWriter.serialize(.string(addition.key)))
            output.append(contentsOf: ": ".utf8)
            output.append(contentsOf: addition.bytes)
            needsComma = true
        }
        output.append(contentsOf: original[found.closingBrace...])
        return output
    }
}
