public import CivilTime
public import JSON

/// Writes a firing's run state into an entry's stored JSON and changes nothing else.
///
/// Only `total_run_count` and `last_run_at` are replaced (and `enabled`, by a one-off entry's
/// firing), in place, or added before the closing brace when absent; every other byte stays as it was. An entry keeps its format (legacy or
/// current), its member order, its number spellings and every key swiftbeat does not know.
/// That is what lets a user's edit and swiftbeat's write-back be told apart and merged.
public enum RunStateWriter {
    /// - Parameter place: where the members are, when known: `Entry.runStatePlace` of an entry
    ///   decoded from `original` (a firing decodes the entry it writes back, and one scan of it is
    ///   enough). Nil: `original` is scanned for them.
    ///   - disabling: also write `"enabled": false` (a one-off entry's firing), in the same bytes so
    ///     in the same transaction. Rare, so done by a second pass that leaves the first one's speed.
    public static func write(
        totalRunCount: Int64, lastRunAt: Instant, into original: [UInt8], at place: RunStatePlace? = nil, disabling: Bool = false
    ) throws(JSONError) -> [UInt8] {
        let written = try write(totalRunCount: totalRunCount, lastRunAt: lastRunAt, into: original, at: place)
        return disabling ? try JSONObjectSplice.apply([(key: "enabled", value: Array("false".utf8))], to: written) : written
    }

    private static func write(
        totalRunCount: Int64, lastRunAt: Instant, into original: [UInt8], at place: RunStatePlace?
    ) throws(JSONError) -> [UInt8] {
        let found: RunStatePlace
        if let place {
            found = place
        } else {
            let located = try JSONParser.locateMembers(memberNames, in: original)
            found = RunStatePlace(
                totalRunCount: located[0], lastRunAt: located[1], closingBrace: located.closingBrace, memberCount: located.memberCount)
        }
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
        let (countRange, lastRunRange) = (found.totalRunCount, found.lastRunAt)
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

/// Where an entry's run state is in its stored bytes: the two members' values (nil when absent),
/// and the closing brace and member count of the object, for adding the ones that are absent.
public struct RunStatePlace: Sendable {
    public var totalRunCount: Range<Int>?
    public var lastRunAt: Range<Int>?
    public var closingBrace: Int
    public var memberCount: Int

    public init(totalRunCount: Range<Int>?, lastRunAt: Range<Int>?, closingBrace: Int, memberCount: Int) {
        self.totalRunCount = totalRunCount
        self.lastRunAt = lastRunAt
        self.closingBrace = closingBrace
        self.memberCount = memberCount
    }
}
