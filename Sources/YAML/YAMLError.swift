/// Why a schedule file's YAML cannot be read, and on which line (1-based).
///
/// The description is one line a user can act on, e.g.
/// `line 7: aliases (*) are not supported; quote the value if you meant the text "* * * * *"`.
public struct YAMLError: Error, Equatable, Sendable, CustomStringConvertible {
    public var line: Int
    public var reason: String

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    public var description: String { "line \(line): \(reason)" }
}
