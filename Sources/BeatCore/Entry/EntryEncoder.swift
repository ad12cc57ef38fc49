public import JSON

/// Writes a new entry in celerybeat-redis's current format (0.1.5 and later), which swiftbeat
/// and celerybeat-redis both read:
///
/// `{"name": NAME, "task": ..., "enabled": true, "schedule": {...}, "args": [...], "kwargs": {...},
/// "options": {...}}`, then any other members in the order given, in Python's `json.dumps` style.
///
/// The input is an entry as a schedule file, `swiftbeat add` or `swiftbeat import` gives it:
/// - `schedule` in any form `StoredSchedule.normalize` accepts;
/// - `enabled`, `args`, `kwargs` and `options` may be left out (true, `[]`, `{}`, `{}`);
/// - `name` defaults to the entry's name;
/// - the legacy 0.1.3 shape (`interval` or `crontab`, top-level `queue`, `exchange`,
///   `routing_key`, `expires`) is converted: the schedule moves to `schedule` (crontab wins, as
///   in 0.1.3) and those four move into `options`;
/// - run state (`total_run_count`, `last_run_at`) and unknown members are kept.
///
/// The bytes are decoded with `EntryDecoder` before they are returned, so nothing the scheduler
/// would reject ever comes out.
public enum EntryEncoder {
    static let legacyOptionNames = ["queue", "exchange", "routing_key", "expires"]

    public static func encode(name: String, entry: JSONObject) throws(EntryError) -> [UInt8] {
        func fail(_ reason: String) -> EntryError { EntryError(key: name, reason: reason) }
        var rest = entry
        var stored = JSONObject()

        switch rest["name"] {
        case nil, .null?: stored["name"] = .string(name)
        case .string(let given)?: stored["name"] = .string(given)
        case let other?: throw fail("\"name\" must be a string, not \(other.typeName)")
        }
        guard let task = rest["task"] else { throw fail("missing \"task\"") }
        stored["task"] = task
        stored["enabled"] = nonNull(rest["enabled"]) ?? .bool(true)

        var options: JSONObject
        switch rest["options"] {
        case nil, .null?: options = [:]
        case .object(let object)?: options = object
        case let other?: throw fail("\"options\" must be an object, not \(other.typeName)")
        }

        let schedule: JSONValue
        if let given = nonNull(rest["schedule"]) {
            schedule = given
        } else if let legacy = nonNull(rest["crontab"]) ?? nonNull(rest["interval"]) {
            schedule = legacy
            for option in legacyOptionNames {
                if let value = nonNull(rest[option]), options[option] == nil { options[option] = value }
                rest[option] = nil
            }
            rest["crontab"] = nil
            rest["interval"] = nil
        } else {
            throw fail("missing \"schedule\"")
        }
        do {
            stored["schedule"] = try StoredSchedule.normalize(schedule)
        } catch {
            throw fail(error.description.hasPrefix("schedule") ? error.description : "schedule: \(error)")
        }
        stored["args"] = nonNull(rest["args"]) ?? .array([])
        stored["kwargs"] = nonNull(rest["kwargs"]) ?? .object([:])
        stored["options"] = .object(options)
        for member in rest.members where stored[member.key] == nil && !["options", "schedule"].contains(member.key) {
            stored[member.key] = member.value
        }

        let bytes = JSONWriter.serialize(.object(stored))
        _ = try EntryDecoder.decode(key: name, name: name, json: bytes)
        return bytes
    }

    private static func nonNull(_ value: JSONValue?) -> JSONValue? {
        guard let value, !value.isNull else { return nil }
        return value
    }
}
