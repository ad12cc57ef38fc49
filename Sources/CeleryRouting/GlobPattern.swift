/// A task-name pattern as Celery's `task_routes` reads a key with `*` in it: Python's
/// `fnmatch.translate`, matched against the whole name, case-sensitively.
///
/// `*` is any run of characters (dots included), `?` one character, `[abc]`, `[a-z]` and `[!abc]`
/// a set (a `]` right after `[` or `[!` belongs to the set); a `[` without a closing `]` is itself.
struct GlobPattern: Sendable, Equatable {
    private enum Token: Sendable, Equatable {
        case literal(Unicode.Scalar)
        case anyOne
        case anyRun
        case set(ranges: [ClosedRange<Unicode.Scalar>], negated: Bool)
    }

    let text: String
    private let tokens: [Token]

    init(_ text: String) {
        self.text = text
        let scalars = Array(text.unicodeScalars)
        var tokens: [Token] = []
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            switch scalar {
            case "*": if tokens.last != .anyRun { tokens.append(.anyRun) }
            case "?": tokens.append(.anyOne)
            case "[":
                if let (set, next) = Self.set(in: scalars, from: index) {
                    tokens.append(set)
                    index = next
                } else {
                    tokens.append(.literal("["))
                }
            default: tokens.append(.literal(scalar))
            }
        }
        self.tokens = tokens
    }

    /// The set that starts after a `[` at `start`, and the index after its `]`; nil when unclosed.
    private static func set(in scalars: [Unicode.Scalar], from start: Int) -> (Token, Int)? {
        var index = start
        var negated = false
        if index < scalars.count, scalars[index] == "!" {
            negated = true
            index += 1
        }
        var ranges: [ClosedRange<Unicode.Scalar>] = []
        var first = true
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "]", !first { return (.set(ranges: ranges, negated: negated), index + 1) }
            first = false
            if index + 2 < scalars.count, scalars[index + 1] == "-", scalars[index + 2] != "]" {
                // fnmatch drops a reversed range such as z-a: it matches nothing.
                if scalar <= scalars[index + 2] { ranges.append(scalar...scalars[index + 2]) }
                index += 3
            } else {
                ranges.append(scalar...scalar)
                index += 1
            }
        }
        return nil
    }

    func matches(_ name: String) -> Bool {
        let scalars = Array(name.unicodeScalars)
        return matches(scalars[...], tokens[...])
    }

    private func matches(_ name: ArraySlice<Unicode.Scalar>, _ tokens: ArraySlice<Token>) -> Bool {
        var name = name
        var tokens = tokens
        while let token = tokens.first {
            switch token {
            case .anyRun:
                let rest = tokens.dropFirst()
                if rest.isEmpty { return true }
                var start = name.startIndex
                while start <= name.endIndex {
                    if matches(name[start...], rest) { return true }
                    start += 1
                }
                return false
            case .anyOne:
                guard !name.isEmpty else { return false }
            case .literal(let scalar):
                guard name.first == scalar else { return false }
            case .set(let ranges, let negated):
                guard let scalar = name.first, ranges.contains(where: { $0.contains(scalar) }) != negated else { return false }
            }
            name = name.dropFirst()
            tokens = tokens.dropFirst()
        }
        return name.isEmpty
    }
}
