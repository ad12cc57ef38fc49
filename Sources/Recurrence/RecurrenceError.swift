/// Why a recurrence rule cannot be built: the field at fault (as RFC 5545 names it, `FREQ`,
/// `BYDAY`, ...) and one sentence a user can act on, such as `rrule BYDAY: "XX" is not a weekday`.
public struct RecurrenceError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The RFC 5545 part at fault, upper case (`"FREQ"`, `"BYMONTHDAY"`, `"DTSTART"`).
    public let field: String
    public let problem: String

    public init(field: String, _ problem: String) {
        self.field = field
        self.problem = problem
    }

    public var description: String { "rrule \(field): \(problem)" }
}
