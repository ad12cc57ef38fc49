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
        let found = try JSONParser.locateMembers(memberNames, in: original)
        // Both values are written straight into the output: an array for each cost more than its bytes.
        func writeCount(_ output: inout [UInt8]) { JSONWriter.appendDecimal(totalRunCount, to: &output) }
        func writeLastRun(_ output: inout [UInt8]) { PythonDatetime.appendEncoded(lastRunAt, to: &output) }
        var output: [UInt8] = []
        output.reserveCapacity(original.count + 160)
        // The members present are replaced in the order they appear; the others go before the brace.
        var cursor = 0
        func replace(_ range: Range<Int>?, with write: (inout [UInt8]) -> Void) {
            guard let range else { return }
            output.append(contentsOf: original[cursor..<range.lowerBound])
            write(&output)
            cursor = range.upperBound
        }
        let (countRange, lastRunRange) = (found[0], found[1])
        if let countRange, let lastRunRange, lastRunRange.lowerBound < countRange.lowerBound {
            replace(lastRunRange, with: writeLastRun)
            replace(countRange, with: writeCount)
        } else {
            replace(countRange, with: writeCount)
            replace(lastRunRange, with: writeLastRun)
        }
        output.append(contentsOf: original[cursor..<found.closingBrace])
        var needsComma = found.memberCount > 0
        func add(_ name: [UInt8], _ write: (inout [UInt8]) -> Void) {
            if needsComma { output.append(contentsOf: ", ".utf8) }
            output.append(contentsOf: name)
            output.append(contentsOf: ": ".utf8)
            write(&output)
            needsComma = true
        }
        if countRange == nil { add(quotedNames[0], writeCount) }
        if lastRunRange == nil { add(quotedNames[1], writeLastRun) }
        output.append(contentsOf: original[found.closingBrace...])
        return output
    }

    private static let names = ["total_run_count", "last_run_at"]
    /// Prepared once: this runs at every firing.
    private static let memberNames = JSONMemberNames(names)
    private static let quotedNames = names.map { JSONWriter.serialize(.string($0)) }
}
