/// `text` with each character found in `replacements` replaced: the one loop behind the
/// exposition's label values and the status page's HTML, which differ only in their tables.
public func escaped(_ text: String, _ replacements: [Character: String]) -> String {
    var result = ""
    result.reserveCapacity(text.utf8.count)
    for character in text {
        if let replacement = replacements[character] { result += replacement } else { result.append(character) }
    }
    return result
}
