/// "Did you mean": the known setting name closest to a misspelled one.
enum SettingSuggestion {
    static let knownNames: [String] =
        Setting.used.map(\.name) + CelerySettingNames.table.flatMap { [$0.name, $0.oldName] }

    /// The closest known name within a few edits (a quarter of the name's length, at least 2), in
    /// the same case style as `name`; nil when nothing is that close.
    static func closest(to name: String) -> String? {
        let limit = max(2, name.count / 4)
        var best: (name: String, distance: Int)?
        let upper = name == name.uppercased()
        for candidate in knownNames where (candidate == candidate.uppercased()) == upper {
            let distance = editDistance(name, candidate, limit: limit)
            if distance <= limit, distance < (best?.distance ?? .max) { best = (candidate, distance) }
        }
        return best?.name
    }

    /// Levenshtein distance, case-insensitive; stops early (returning more than `limit`) once every
    /// path is over the limit.
    static func editDistance(_ a: String, _ b: String, limit: Int) -> Int {
        let a = Array(a.lowercased().utf8), b = Array(b.lowercased().utf8)
        guard abs(a.count - b.count) <= limit else { return limit + 1 }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            current[0] = i
            var rowMinimum = current[0]
            for j in 1..<(b.count + 1) {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
                rowMinimum = min(rowMinimum, current[j])
            }
            if rowMinimum > limit { return limit + 1 }
            swap(&previous, &current)
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}
