/// Why a time zone could not be loaded; the description names the zone and, for files, the path.
public struct TimeZoneError: Error, Hashable, Sendable, CustomStringConvertible {
    public var identifier: String
    public var detail: Detail

    public enum Detail: Error, Hashable, Sendable {
        /// Not an IANA-style name (empty, absolute, `..`, or characters no zone name uses).
        case invalidName
        case notFound(path: String)
        case unreadable(path: String, reason: String)
        case malformedFile(path: String, reason: String)
        /// A POSIX TZ rule (the footer of a TZif file, or a rule given directly) that does not parse.
        case malformedRule(text: String, reason: String)
    }

    public init(identifier: String, detail: Detail) {
        self.identifier = identifier
        self.detail = detail
    }

    public var description: String {
        switch detail {
        case .invalidName:
            "invalid time zone name \"\(identifier)\": expected an IANA name such as \"Europe/London\""
        case .notFound(let path):
            "unknown time zone \"\(identifier)\": no file \(path)"
        case .unreadable(let path, let reason):
            "time zone \"\(identifier)\": cannot read \(path): \(reason)"
        case .malformedFile(let path, let reason):
            "time zone \"\(identifier)\": \(path) is not a valid TZif file: \(reason)"
        case .malformedRule(let text, let reason):
            "time zone \"\(identifier)\": invalid TZ rule \"\(text)\": \(reason)"
        }
    }
}
