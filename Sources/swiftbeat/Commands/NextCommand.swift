import ArgumentParser
import BeatCore
import CivilTime
import JSON

/// `swiftbeat next`: when a schedule fires, without touching Redis.
struct NextCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "next",
        abstract: "Print the next fire times of a schedule, one ISO 8601 instant per line.",
        discussion: """
            Examples:
              swiftbeat next --crontab "30 7 * * mon" --count 3 --timezone Europe/London
              swiftbeat next --schedule '{"minute": "*/15", "hour": "9-17", "day_of_week": "mon-fri"}' --count 5
              swiftbeat next --schedule '{"every": 30, "period": "seconds"}' --after 2026-03-08T01:59:00-05:00
              swiftbeat next --solar sunset --lat 52.37 --lon 4.90 --count 3
              swiftbeat next --crontab "0 9 * * *" --start-time 2026-12-14T00:00:00Z --max-runs 2
            """)

    @Option(help: ArgumentHelp("A schedule as entries store it: an interval or crontab fields, as JSON.", valueName: "json"))
    var schedule: String?

    @Option(help: ArgumentHelp("A crontab in cron order: \"minute hour day_of_month month_of_year day_of_week\".", valueName: "expression"))
    var crontab: String?

    @Option(help: ArgumentHelp("Start after this instant (ISO 8601; naive means UTC). Default: now.", valueName: "iso8601"))
    var after: String?

    @Option(help: "How many fire times to print.")
    var count = 1

    @Option(help: ArgumentHelp("The IANA time zone crontabs are read in.", discussion: "Env: CELERY_TIMEZONE. Default: UTC.", valueName: "zone"))
    var timezone: String?

    @OptionGroup var kinds: ScheduleKindOptions
    @OptionGroup var lifetime: LifetimeOptions

    func validate() throws {
        guard [schedule != nil, crontab != nil, kinds.solar != nil, kinds.at != nil, kinds.rrule != nil].filter({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of --schedule, --crontab, --solar, --at and --rrule")
        }
        guard (1...100_000).contains(count) else {
            throw ValidationError("--count must be 1-100000")
        }
    }

    @OptionGroup var config: ConfigOptions

    func run() throws {
        let zone = try StoreOptions.zone(named: StoreOptions.timezone(timezone, config.settings()))
        var start = SystemClock.now()
        if let after {
            do {
                start = try ISO8601.parse(after).instantAssumingUTC
            } catch {
                throw CommandFailure.badInput("--after: \(error)")
            }
        }
        let parsed: Schedule
        do {
            if let crontab {
                parsed = .crontab(try CrontabSchedule(fromString: crontab))
            } else if let kind = try kinds.scheduleObject(rruleStart: start) {
                parsed = try Schedule(json: kind)
            } else {
                parsed = try Schedule(json: try JSONArgument.parse(schedule ?? "", option: "--schedule"))
            }
        } catch let error as ScheduleError {
            throw CommandFailure.badInput(kinds.rrule != nil ? "--rrule: \(error)" : "\(error)")
        }
        let window = try lifetime.window()
        for instant in parsed.nextRuns(after: start, count: min(count, lifetime.runLimit ?? count), in: zone, window: window) {
            print(zone.iso8601(instant))
        }
    }
}
