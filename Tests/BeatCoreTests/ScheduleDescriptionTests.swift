import BeatCore
import JSON
import Testing

@Suite struct ScheduleDescriptionTests {
    @Test(arguments: [
        (30.0, IntervalSchedule.Period.seconds, false, "every 30 seconds"),
        (1.5, .seconds, false, "every 1.5 seconds"),
        (1, .seconds, false, "every second"),
        (90, .seconds, false, "every 90 seconds"),
        (1, .minutes, false, "every minute"),
        (90, .minutes, false, "every 90 minutes"),
        (2, .hours, false, "every 2 hours"),
        (1, .days, false, "every day"),
        (14, .days, false, "every 2 weeks"),
        (500, .milliseconds, false, "every 500 milliseconds"),
        (250, .microseconds, false, "every 250 microseconds"),
        (1, .hours, true, "every hour, on the hour"),
        (1, .days, true, "every day, at midnight"),
    ] as [(Double, IntervalSchedule.Period, Bool, String)])
    func intervalsInWords(every: Double, period: IntervalSchedule.Period, relative: Bool, words: String) throws {
        #expect(try Schedule.interval(IntervalSchedule(every: every, period: period, relative: relative)).description == words)
    }

    @Test(arguments: [
        ("* * * * *", "every minute"),
        ("*/15 * * * *", "every 15 minutes"),
        ("5 * * * *", "every hour at :05"),
        ("0,20,45 * * * *", "at minutes 0, 20 and 45 of every hour"),
        ("0 9 * * *", "at 09:00 every day"),
        ("30 7 * * 1", "at 07:30 on Monday"),
        ("30 7,19 * * *", "at 07:30 and 19:30 every day"),
        ("*/15 9-17 * * mon-fri", "every 15 minutes from 09:00 through 17:45 on Monday through Friday"),
        ("0 9-17 * * *", "every hour from 09:00 through 17:00"),
        ("* 2 * * *", "every minute from 02:00 through 02:59"),
        ("0 0 1 * *", "at 00:00 on the 1st of the month"),
        ("0 0 29 2 *", "at 00:00 on the 29th of February"),
        ("0 9 1-7,15-21 * mon", "at 09:00 on Monday, when that is the 1st through 7th or 15th through 21st of the month"),
        ("0 0 * * sat,sun", "at 00:00 on Saturday and Sunday"),
        ("0 0 * * fri-mon", "at 00:00 on Friday through Monday"),
        ("0 12 * jan,apr,jul,oct *", "at 12:00 in January, April, July and October"),
        ("0 12 1 nov-feb *", "at 12:00 on the 1st of the month in November through February"),
        ("5,35 1-3,22 * * *", "at minutes 5 and 35 of hours 1, 2, 3 and 22"),
    ])
    func crontabsInWords(expression: String, words: String) throws {
        #expect(try Schedule.crontab(CrontabSchedule(fromString: expression)).description == words)
    }
}

@Suite struct ScheduleJSONTests {
    @Test func intervalsFromTheScheduleObject() throws {
        #expect(try Schedule(json: .object(["every": .integer(30)])) == .interval(IntervalSchedule(every: 30)))
        #expect(
            try Schedule(json: JSONParser.parse(#"{"every": 1.5, "period": "minutes", "relative": true}"#))
                == .interval(IntervalSchedule(every: 1.5, period: .minutes, relative: true)))
        // RedBeat's encoding.
        #expect(
            try Schedule(json: JSONParser.parse(#"{"__type__": "interval", "every": 30.0, "relative": false}"#))
                == .interval(IntervalSchedule(every: 30)))
    }

    @Test func crontabsFromTheScheduleObject() throws {
        let schedule = try Schedule(
            json: JSONParser.parse(#"{"minute": "*/15", "hour": "9-17", "day_of_week": "mon-fri"}"#))
        #expect(schedule == .crontab(try CrontabSchedule(minute: "*/15", hour: "9-17", dayOfWeek: "mon-fri")))
        let redbeat = try Schedule(
            json: JSONParser.parse(
                #"{"__type__": "crontab", "minute": 0, "hour": [9, 17], "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"}"#
            ))
        guard case .crontab(let crontab) = redbeat else {
            Issue.record("not a crontab")
            return
        }
        #expect(crontab.minute == .integer(0))
        #expect(crontab.hour == .integers([9, 17]))
    }

    @Test func writtenBackAsRedBeatStoresIt() throws {
        let crontab = Schedule.crontab(try CrontabSchedule(minute: 0, hour: .integers([9, 17]), dayOfWeek: "mon-fri"))
        #expect(
            JSONWriter.string(crontab.json, style: .compact)
                == #"{"__type__":"crontab","minute":0,"hour":[9,17],"day_of_week":"mon-fri","day_of_month":"*","month_of_year":"*"}"#
        )
        #expect(try Schedule(json: crontab.json) == crontab)
        let interval = Schedule.interval(try IntervalSchedule(every: 90, period: .minutes, relative: true))
        #expect(JSONWriter.string(interval.json, style: .compact) == #"{"__type__":"interval","every":5400.0,"relative":true}"#)
        #expect(try Schedule(json: interval.json) == .interval(IntervalSchedule(every: 5400, relative: true)))
    }

    @Test(arguments: [
        (#"[]"#, "schedule: expected an object, found an array"),
        (#"{}"#, "schedule: expected \"every\" (an interval), crontab fields (\"minute\", \"hour\", ...), \"solar\", \"clocked\" or \"rrule\""),
        (#"{"minutes": "*/5"}"#, "schedule: expected \"every\" (an interval), crontab fields (\"minute\", \"hour\", ...), \"solar\", \"clocked\" or \"rrule\""),
        (#"{"minute": "*/5", "hours": 3}"#, "schedule: unknown member \"hours\" (expected \"minute\", \"hour\", \"day_of_week\", \"day_of_month\", \"month_of_year\")"),
        (#"{"every": 5, "unit": "s"}"#, "schedule: unknown member \"unit\" (expected \"every\", \"period\", \"relative\")"),
        (#"{"__type__": "solar", "event": "sunset"}"#, "solar lat: expected a number of degrees, found nothing"),
        (#"{"__type__": "nonsense"}"#, "schedule: schedule type \"nonsense\" is not supported (interval, crontab, solar, clocked and rrule are)"),
        (#"{"every": "30"}"#, "interval every: expected a number, found a string"),
        (#"{"every": 30, "period": 5}"#, "interval period: expected a string such as \"seconds\", found an integer"),
        (#"{"every": 30, "relative": "yes"}"#, "interval relative: expected true or false, found a string"),
        (#"{"every": -1}"#, "interval every: -1 must be positive"),
        (#"{"minute": 1.5}"#, "crontab field minute: 1.5 is not a whole number"),
        (#"{"hour": [1, "2"]}"#, "crontab field hour: a list may hold only whole numbers, found a string"),
        (#"{"day_of_week": null}"#, "crontab field day_of_week: expected a string, an integer or a list of integers, found null"),
        (#"{"day_of_month": 31, "month_of_year": "feb"}"#, "crontab can never fire: day_of_month 31 with month_of_year feb"),
    ])
    func invalidObjectsSayWhatIsWrong(text: String, message: String) throws {
        let json = try JSONParser.parse(text)
        let error = #expect(throws: ScheduleError.self) { try Schedule(json: json) }
        #expect(error?.description == message)
    }
}
