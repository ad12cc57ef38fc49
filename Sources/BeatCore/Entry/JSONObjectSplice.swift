import JSON

/// Changes some members of a JSON object's text and leaves every other byte as it was: the
/// members not named, their order, their spacing, number spellings and escapes.
///
/// Each change names a key and gives the new value's JSON text, or nil to remove the member.
/// A changed member is rewritten in place (every occurrence, should the key be duplicated); a new
/// one is added before the closing brace, after `, `. Removing a member keeps the separators of
/// the members around it.
enum JSONObjectSplice {
    static func apply(_ changes: [(key: String, value: [UInt8]?)], to bytes: [UInt8]) throws(JSONError) -> [UInt8] {
        let layout = try JSONParser.parseObjectLayout(bytes)
        let members = layout.members
        var latest: [String: [UInt8]?] = [:]
        var order: [String] = []
        for change in changes {
            if latest.updateValue(change.value, forKey: change.key) == nil { order.append(change.key) }
        }

        // Where each member's key starts: after "{" for the first, after the "," that follows the
        // previous value for the others.
        func skipSpace(from index: Int) -> Int {
            var index = index
            while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
            return index
        }
        var keyStarts: [Int] = []
        let opening = skipSpace(from: 0)
        for index in members.indices {
            if index == 0 {
                keyStarts.append(skipSpace(from: opening + 1))
            } else {
                let comma = skipSpace(from: members[index - 1].valueRange.upperBound)
                keyStarts.append(skipSpace(from: comma + 1))
            }
        }

        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 64)
        let additions = order.filter { key in latest[key]! != nil && !members.contains { $0.key == key } }
        guard !members.isEmpty else {
            output.append(contentsOf: bytes[..<layout.closingBrace])
            for (index, key) in additions.enumerated() {
                if index > 0 { output.append(contentsOf: ", ".utf8) }
                appendMember(key, latest[key]!!, to: &output)
            }
            output.append(contentsOf: bytes[layout.closingBrace...])
            return output
        }

        output.append(contentsOf: bytes[..<keyStarts[0]])
        var wroteAny = false
        var pendingSeparator: ArraySlice<UInt8> = []
        for (index, member) in members.enumerated() {
            let change = latest[member.key]
            if case .some(.none) = change { continue }  // removed
            if wroteAny { output.append(contentsOf: pendingSeparator) }
            if case .some(.some(let value)) = change {
                output.append(contentsOf: bytes[keyStarts[index]..<member.valueRange.lowerBound])
                output.append(contentsOf: value)
            } else {
                output.append(contentsOf: bytes[keyStarts[index]..<member.valueRange.upperBound])
            }
            wroteAny = true
            pendingSeparator = index + 1 < members.count ? bytes[member.valueRange.upperBound..<keyStarts[index + 1]] : ArraySlice(", ".utf8)
        }
        for key in additions {
            if wroteAny { output.append(contentsOf: ", ".utf8) }
            appendMember(key, latest[key]!!, to: &output)
            wroteAny = true
        }
        output.append(contentsOf: bytes[members[members.count - 1].valueRange.upperBound...])
        return output
    }

    private static func appendMember(_ key: String, _ value: [UInt8], to output: inout [UInt8]) {
        output.append(contentsOf: JSONWriter.serialize(.string(key)))
        output.append(contentsOf: ": ".utf8)
        output.append(contentsOf: value)
    }
}
