/// Why a schedule cannot be built: which field, and which part of it is wrong.
///
/// The description is one line a user can act on, e.g.
/// `crontab field day_of_week: "mun" is not a day name or number 0-6`.
public struct ScheduleError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: Hashable, Sendable {
        /// A crontab field's syntax or range.
        case invalidCrontabField
        /// Valid fields whose days never meet, such as the 31st of February.
        case crontabNeverFires
        /// A `"m h dom mon dow"` string without five fields.
        case invalidCrontabString
        /// An interval's `every`, `period` or `relative`.
        case invalidInterval
        /// A schedule object (JSON) that is none of the kinds.
        case invalidScheduleObject
        /// A solar schedule's event, latitude or longitude.
        case invalidSolar
        /// An rrule's field (RFC 5545's name for it, such as `BYDAY`).
        case invalidRrule
        /// A clocked schedule's instant (or another instant of an entry: `start_time`, `expires`).
        case invalidInstant
    }

    public let code: Code
    /// The field at fault as Celery names it (`"minute"`, `"day_of_week"`, `"every"`, `"period"`), if one is.
    public let field: String?
    public let description: String

    init(_ code: Code, field: String?, _ description: String) {
        self.code = code
        self.field = field
        self.description = description
    }

    static func crontabField(_ field: CrontabField, _ problem: String) -> ScheduleError {
        ScheduleError(.invalidCrontabField, field: field.rawValue, "crontab field \(field.rawValue): \(problem)")
    }

    static func interval(_ field: String, _ problem: String) -> ScheduleError {
        ScheduleError(.invalidInterval, field: field, "interval \(field): \(problem)")
    }

    static func solar(_ field: String, _ problem: String) -> ScheduleError {
        ScheduleError(.invalidSolar, field: field, "solar \(field): \(problem)")
    }

    static func clocked(_ field: String, _ problem: String) -> ScheduleError {
        ScheduleError(.invalidInstant, field: field, "\(field): \(problem)")
    }
}
