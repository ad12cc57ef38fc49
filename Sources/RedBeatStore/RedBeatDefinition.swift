public import BeatCore
import JSON

/// The `definition` field RedBeat's `RedBeatSchedulerEntry.save()` writes:
/// `json.dumps({"name", "task", "args", "kwargs", "options", "schedule", "enabled"}, cls=RedBeatJSONEncoder)`,
/// in that member order, in Python's default style, the schedule in RedBeat's `__type__` form.
///
/// The commands build and edit entries in celerybeat-redis's format (`EntryEncoder`, `EntryEdit`),
/// whose members a definition shares; this turns such an entry into a definition, or says in one
/// line why RedBeat cannot hold it. RedBeat's `from_key` passes every member to
/// `RedBeatSchedulerEntry(**definition)`, so a member it does not know (an `expires` of the
/// entry's own, `max_run_count`, run state) would make Python RedBeat fail on the entry: refused.
public enum RedBeatDefinition {
    static let members: Set<String> = ["name", "task", "args", "kwargs", "options", "schedule", "enabled"]

    /// The definition of the entry `json` (celerybeat-redis's current format, or a definition).
    public static func encode(entry json: [UInt8], key: String, name: String) throws(EntryError) -> [UInt8] {
        func fail(_ reason: String) -> EntryError { EntryError(key: key, reason: reason) }
        let entry = try EntryDecoder.decode(key: key, name: name, json: json)
        // Decoded above, so an object: the members are read as given.
        guard let object = (try? JSONParser.parse(json))?.objectValue else { throw fail("the entry is not a JSON object") }
        if let extra = object.members.first(where: { !members.contains($0.key) }) {
            throw fail(
                "RedBeat's definition holds only name, task, args, kwargs, options, schedule and enabled; \"\(extra.key)\" cannot be stored with --store redbeat")
        }
        if let given = object["name"], given != .string(name) {
            throw fail("\"name\" must be the entry's own name in RedBeat (its key is the prefix and the name), not \(JSONWriter.string(given))")
        }
        let schedule: JSONValue
        switch entry.schedule.redBeatForm {
        case .success(let form): schedule = form
        case .failure(let error): throw fail(error.description)
        }
        let options = object["options"].flatMap { $0.isNull ? nil : $0 } ?? .object([:])
        let definition: JSONObject = [
            "name": .string(name), "task": .string(entry.task), "args": .array(entry.args), "kwargs": .object(entry.kwargs),
            "options": options, "schedule": schedule, "enabled": .bool(entry.enabled),
        ]
        return JSONWriter.serialize(.object(definition))
    }
}
