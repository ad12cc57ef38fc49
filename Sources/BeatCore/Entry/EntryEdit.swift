public import JSON

/// What `swiftbeat edit` (and `enable`, `disable`) change in a stored entry: only the fields given.
///
/// `apply` splices the new values into the stored text (see `JSONObjectSplice`), so run state
/// (`total_run_count`, `last_run_at`), unknown members and every untouched byte stay as they were.
/// Options are spliced inside `options` the same way. An entry keeps its format: in a legacy
/// (0.1.3) entry the schedule goes to `interval` or `crontab` (the other is removed, since crontab
/// would win) and queue, exchange, routing_key and expires to the top level, where 0.1.3 reads them.
public struct EntryEdit: Sendable {
    public var task: String?
    public var enabled: Bool?
    /// Any form `StoredSchedule.normalize` accepts.
    public var schedule: JSONValue?
    public var args: [JSONValue]?
    public var kwargs: JSONObject?
    /// Options to set, in order; a nil value removes the option.
    public var options: [(key: String, value: JSONValue?)] = []
    /// Top-level members of the entry's lifetime (`start_time`, `expires`, `max_run_count`,
    /// `one_off`; see `EntryLifetime`) to set, in order; a nil value removes the member.
    public var lifetime: [(key: String, value: JSONValue?)] = []

    public init(
        task: String? = nil, enabled: Bool? = nil, schedule: JSONValue? = nil, args: [JSONValue]? = nil,
        kwargs: JSONObject? = nil, options: [(key: String, value: JSONValue?)] = [],
        lifetime: [(key: String, value: JSONValue?)] = []
    ) {
        self.lifetime = lifetime
        self.task = task
        self.enabled = enabled
        self.schedule = schedule
        self.args = args
        self.kwargs = kwargs
        self.options = options
    }

    public var isEmpty: Bool {
        task == nil && enabled == nil && schedule == nil && args == nil && kwargs == nil && options.isEmpty && lifetime.isEmpty
    }

    /// The stored text with this edit applied, checked with `EntryDecoder`: an edit that would
    /// leave an entry the scheduler rejects throws instead.
    public func apply(to original: [UInt8], key: String, name: String) throws(EntryError) -> [UInt8] {
        func fail(_ reason: String) -> EntryError { EntryError(key: key, reason: reason) }
        let layout: JSONObjectLayout
        do {
            layout = try JSONParser.parseObjectLayout(original)
        } catch {
            throw fail("the stored value is not a JSON object (\(error)); replace it with swiftbeat add --replace")
        }
        let stored = layout.object
        let legacy = (stored["schedule"] ?? .null).isNull
            && !((stored["crontab"] ?? .null).isNull && (stored["interval"] ?? .null).isNull)

        var changes: [(key: String, value: [UInt8]?)] = []
        func set(_ key: String, _ value: JSONValue?) {
            changes.append((key, value.map { JSONWriter.serialize($0) }))
        }
        if let task { set("task", .string(task)) }
        if let enabled { set("enabled", .bool(enabled)) }
        if let schedule {
            let normalized: JSONValue
            do {
                normalized = try StoredSchedule.normalize(schedule)
            } catch {
                throw fail(error.description.hasPrefix("schedule") ? error.description : "schedule: \(error)")
            }
            if legacy {
                let isInterval = normalized.objectValue?["every"] != nil
                set(isInterval ? "interval" : "crontab", normalized)
                set(isInterval ? "crontab" : "interval", nil)
            } else {
                set("schedule", normalized)
            }
        }
        for member in lifetime {
            // In the legacy format a top-level expires is the message option (see `EntryLifetime`).
            if legacy && member.key == "expires" {
                throw fail("an entry's own expires needs the current format; rewrite it with swiftbeat add --replace")
            }
            set(member.key, member.value.flatMap { $0.isNull ? nil : $0 })
        }
        if let args { set("args", .array(args)) }
        if let kwargs { set("kwargs", .object(kwargs)) }

        var optionChanges: [(key: String, value: [UInt8]?)] = []
        let storedOptions = stored["options"]?.objectValue
        for option in options {
            let bytes = option.value.flatMap { $0.isNull ? nil : JSONWriter.serialize($0) }
            if legacy && EntryEncoder.legacyOptionNames.contains(option.key) {
                changes.append((option.key, bytes))
                if storedOptions?[option.key] != nil { optionChanges.append((option.key, bytes)) }
            } else {
                optionChanges.append((option.key, bytes))
            }
        }
        if !optionChanges.isEmpty {
            if let member = layout.member("options"), member.value.objectValue != nil {
                do {
                    changes.append(("options", try JSONObjectSplice.apply(optionChanges, to: Array(original[member.valueRange]))))
                } catch {
                    throw fail("options: \(error)")
                }
            } else {
                var object = JSONObject()
                for change in optionChanges {
                    object[change.key] = change.value.flatMap { try? JSONParser.parse($0) }
                }
                set("options", .object(object))
            }
        }

        let edited: [UInt8]
        do {
            edited = try JSONObjectSplice.apply(changes, to: original)
        } catch {
            throw fail("\(error)")
        }
        _ = try EntryDecoder.decode(key: key, name: name, json: edited)
        return edited
    }
}
