import ArgumentParser
import BeatCore
import CivilTime
import JSON

/// The fields of an entry, as `add` and `edit` take them.
struct EntryFieldOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The Celery task to send, e.g. tasks.add.", valueName: "name"))
    var task: String?

    @Option(help: ArgumentHelp("Fire every DURATION: 30s, 5m, 1h, 1d, 1.5s, or a number of seconds.", valueName: "duration"))
    var every: String?

    @Option(help: ArgumentHelp("Fire on a crontab: \"minute hour day_of_month month_of_year day_of_week\".", valueName: "expression"))
    var crontab: String?

    @OptionGroup var kinds: ScheduleKindOptions

    @Option(help: ArgumentHelp(
        "The schedule as entries store it, as JSON: {\"every\": 30, \"period\": \"seconds\"}, crontab fields, "
            + "{\"solar\": \"sunset\", \"lat\": 52.37, \"lon\": 4.9} or {\"clocked\": \"...\"}.",
        valueName: "json"))
    var schedule: String?

    @OptionGroup var lifetime: LifetimeOptions

    @Option(help: ArgumentHelp("Positional arguments, a JSON array, e.g. '[16, 16]'.", valueName: "json"))
    var args: String?

    @Option(help: ArgumentHelp("Keyword arguments, a JSON object, e.g. '{\"x\": 1}'.", valueName: "json"))
    var kwargs: String?

    @Option(help: ArgumentHelp("The queue to send to (options.queue).", valueName: "queue"))
    var queue: String?

    @Option(help: ArgumentHelp("The message priority, 0-255 (options.priority).", valueName: "n"))
    var priority: Int?

    @Option(help: ArgumentHelp(
        "Seconds after sending when the task expires, or an ISO 8601 time (options.expires).", valueName: "seconds"))
    var expires: String?

    @Option(
        name: .customLong("option"),
        help: ArgumentHelp(
            "Any other option, KEY=JSON, e.g. routing_key='\"reports\"' or headers='{\"x\": 1}'. Repeatable; "
                + "with edit, KEY=null removes the option.", valueName: "key=json"))
    var options: [String] = []

    /// The schedule given with --every, --crontab or --schedule (at most one), normalised and
    /// checked: `{"every": 5, "period": "minutes"}` or the five crontab fields.
    func scheduleValue(entry name: String) throws -> JSONValue? {
        let given = [every != nil, crontab != nil, schedule != nil, kinds.solar != nil, kinds.at != nil, kinds.rrule != nil].filter { $0 }.count
        guard given <= 1 else { throw CommandFailure.badInput("give only one of --every, --crontab, --solar, --at, --rrule and --schedule") }
        let raw: JSONValue
        if let kind = try kinds.scheduleObject() {
            raw = kind
        } else if let every {
            raw = .string(every)
            if every.split(separator: " ").count != 1 {
                throw CommandFailure.badInput("--every: expected a duration such as 30s, 5m, 1h, 1d, not \"\(every)\"")
            }
        } else if let crontab {
            guard crontab.split(whereSeparator: { $0 == " " || $0 == "\t" }).count == 5 else {
                throw CommandFailure.badInput(
                    "--crontab: expected 5 fields (minute hour day_of_month month_of_year day_of_week), not \"\(crontab)\"")
            }
            raw = .string(crontab)
        } else if let schedule {
            raw = try JSONArgument.parse(schedule, option: "--schedule")
        } else {
            return nil
        }
        do {
            return try StoredSchedule.normalize(raw)
        } catch {
            let option = every != nil ? "--every" : crontab != nil ? "--crontab" : kinds.solar != nil ? "--solar" : kinds.at != nil ? "--at" : kinds.rrule != nil ? "--rrule" : "--schedule"
            throw CommandFailure.badInput("\(option): \(error)")
        }
    }

    func argsValue() throws -> [JSONValue]? {
        try args.map { try JSONArgument.array($0, option: "--args") }
    }

    func kwargsValue() throws -> JSONObject? {
        try kwargs.map { try JSONArgument.object($0, option: "--kwargs") }
    }

    /// The options to set, in order: --option values, then --queue, --priority, --expires.
    /// A key given twice is an error. A nil value (from KEY=null) removes the option.
    func optionChanges() throws -> [(key: String, value: JSONValue?)] {
        var changes: [(key: String, value: JSONValue?)] = []
        func add(_ key: String, _ value: JSONValue?, from flag: String) throws {
            guard !changes.contains(where: { $0.key == key }) else {
                throw CommandFailure.badInput("\(flag): the option \(key) is given twice")
            }
            changes.append((key, value.flatMap { $0.isNull ? nil : $0 }))
        }
        for text in options {
            let (key, value) = try JSONArgument.keyValue(text, option: "--option")
            try add(key, value, from: "--option")
        }
        if let queue { try add("queue", .string(queue), from: "--queue") }
        if let priority {
            guard (0...255).contains(priority) else { throw CommandFailure.badInput("--priority must be 0-255, not \(priority)") }
            try add("priority", .integer(priority), from: "--priority")
        }
        if let expires {
            let value: JSONValue
            if let number = JSONNumber(literal: expires), !expires.hasPrefix("-") {
                value = .number(number)
            } else if (try? ISO8601.parse(expires)) != nil {
                value = .string(expires)
            } else {
                throw CommandFailure.badInput("--expires: expected a number of seconds or an ISO 8601 time, not \"\(expires)\"")
            }
            try add("expires", value, from: "--expires")
        }
        return changes
    }
}
