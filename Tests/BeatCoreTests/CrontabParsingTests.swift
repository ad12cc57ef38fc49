import BeatCore
import Testing

@Suite struct CrontabParsingTests {
    private func values(_ spec: CrontabSpec, _ field: CrontabField) throws -> [Int] {
        let crontab: CrontabSchedule
        switch field {
        case .minute: crontab = try CrontabSchedule(minute: spec)
        case .hour: crontab = try CrontabSchedule(hour: spec)
        case .dayOfWeek: crontab = try CrontabSchedule(dayOfWeek: spec)
        case .dayOfMonth: crontab = try CrontabSchedule(dayOfMonth: spec)
        case .monthOfYear: crontab = try CrontabSchedule(monthOfYear: spec)
        }
        return crontab.values(of: field)
    }

    @Test(arguments: [
        ("*", CrontabField.minute, Array(0...59)),
        ("*/15", .minute, [0, 15, 30, 45]),
        ("*/7", .minute, [0, 7, 14, 21, 28, 35, 42, 49, 56]),
        ("*/100", .minute, [0]),
        ("5", .minute, [5]),
        ("05", .minute, [5]),
        ("1-5", .minute, [1, 2, 3, 4, 5]),
        ("10-10", .minute, [10]),
        ("1-10/3", .minute, [1, 4, 7, 10]),
        ("1,13,30-45,50-59/2", .minute, [1, 13] + Array(30...45) + [50, 52, 54, 56, 58]),
        ("58-2", .minute, [0, 1, 2, 58, 59]),  // wraps around the hour
        ("*/4", .hour, [0, 4, 8, 12, 16, 20]),
        ("0,8-17/2", .hour, [0, 8, 10, 12, 14, 16]),
        ("22-2", .hour, [0, 1, 2, 22, 23]),
        ("22-2/2", .hour, [0, 2, 22]),  // steps count along the wrapped list: 22, 0, 2
        ("0-23", .hour, Array(0...23)),
        ("*", .dayOfWeek, Array(0...6)),
        ("mon-fri", .dayOfWeek, [1, 2, 3, 4, 5]),
        ("MON-Fri", .dayOfWeek, [1, 2, 3, 4, 5]),
        ("sun", .dayOfWeek, [0]),
        ("Sunday,saturday", .dayOfWeek, [0, 6]),
        ("tues,thurs", .dayOfWeek, [2, 4]),
        ("fri-mon", .dayOfWeek, [0, 1, 5, 6]),
        ("sat-sun", .dayOfWeek, [0, 6]),
        ("*/2", .dayOfWeek, [0, 2, 4, 6]),  // "every day divisible by two", as Celery warns
        ("1-mon", .dayOfWeek, [1]),
        ("*", .dayOfMonth, Array(1...31)),
        ("*/3", .dayOfMonth, [1, 4, 7, 10, 13, 16, 19, 22, 25, 28, 31]),
        ("1-7,15-21", .dayOfMonth, Array(1...7) + Array(15...21)),
        ("30-2", .dayOfMonth, [1, 2, 30, 31]),
        ("*/2", .monthOfYear, [1, 3, 5, 7, 9, 11]),
        ("2-12/2", .monthOfYear, [2, 4, 6, 8, 10, 12]),
        ("jan", .monthOfYear, [1]),
        ("Sept,DEC", .monthOfYear, [9, 12]),
        ("nov-feb", .monthOfYear, [1, 2, 11, 12]),
        ("march-may", .monthOfYear, [3, 4, 5]),
    ] as [(String, CrontabField, [Int])])
    func celerySyntaxExpandsAsCeleryDoes(text: String, field: CrontabField, expected: [Int]) throws {
        #expect(try values(.text(text), field) == expected)
    }

    @Test func integersAndListsOfIntegers() throws {
        #expect(try values(.integer(7), .minute) == [7])
        #expect(try values(.integers([45, 0, 15, 30, 15]), .minute) == [0, 15, 30, 45])
        #expect(try values(0, .dayOfWeek) == [0])
        #expect(try values(12, .monthOfYear) == [12])
    }

    @Test func omittedFieldsAreStars() throws {
        let crontab = try CrontabSchedule()
        #expect(crontab.expression == "* * * * *")
        #expect(crontab.matchesEveryHour)
        #expect(crontab.values(of: .minute).count == 60)
    }

    @Test(arguments: [
        (CrontabSpec.text("mun"), CrontabField.dayOfWeek, "crontab field day_of_week: \"mun\" is not a day name or number 0-6"),
        (.integer(7), .dayOfWeek, "crontab field day_of_week: 7 is out of range 0-6 (Sunday is 0)"),
        (.text("1-7"), .dayOfWeek, "crontab field day_of_week: 7 is out of range 0-6 (Sunday is 0)"),
        (.text("jan"), .dayOfWeek, "crontab field day_of_week: \"jan\" is not a day name or number 0-6"),
        (.text("monkey"), .dayOfWeek, "crontab field day_of_week: \"monkey\" is not a day name or number 0-6"),
        (.text("mon"), .monthOfYear, "crontab field month_of_year: \"mon\" is not a month name or number 1-12"),
        (.integer(60), .minute, "crontab field minute: 60 is out of range 0-59"),
        (.text("*/5,60"), .minute, "crontab field minute: 60 is out of range 0-59"),
        (.text("0-24"), .hour, "crontab field hour: 24 is out of range 0-23"),
        (.integer(0), .dayOfMonth, "crontab field day_of_month: 0 is out of range 1-31"),
        (.text("32"), .dayOfMonth, "crontab field day_of_month: 32 is out of range 1-31"),
        (.integer(13), .monthOfYear, "crontab field month_of_year: 13 is out of range 1-12"),
        (.integer(-1), .minute, "crontab field minute: -1 is out of range 0-59"),
        (.text("-5"), .minute, "crontab field minute: \"-5\": negative numbers are not allowed"),
        (.text("1,,2"), .minute, "crontab field minute: empty part in \"1,,2\""),
        (.text(""), .minute, "crontab field minute: empty part in \"\""),
        (.text("1,"), .hour, "crontab field hour: empty part in \"1,\""),
        (.text("*/0"), .minute, "crontab field minute: \"*/0\": the step must be a whole number of at least 1"),
        (.text("*/"), .minute, "crontab field minute: \"*/\": the step must be a whole number of at least 1"),
        (.text("*/5x"), .minute, "crontab field minute: \"*/5x\": the step must be a whole number of at least 1"),
        (.text("1-5/2!"), .minute, "crontab field minute: \"1-5/2!\": the step must be a whole number of at least 1"),
        (.text("5/2"), .minute, "crontab field minute: \"5/2\": a step needs a range or * before it, such as */2 or 0-30/2"),
        (.text("1-"), .minute, "crontab field minute: \"1-\": a range needs a value on each side of the -"),
        (.text("1-2-3"), .minute, "crontab field minute: \"2-3\" is not a number 0-59"),
        (.text(" 5"), .minute, "crontab field minute: \" 5\" is not a number 0-59"),
        (.text("+5"), .minute, "crontab field minute: \"+5\" is not a number 0-59"),
        (.integers([]), .hour, "crontab field hour: an empty list matches nothing"),
        (.integers([1, 99]), .hour, "crontab field hour: 99 is out of range 0-23"),
    ] as [(CrontabSpec, CrontabField, String)])
    func malformedFieldsNameTheFieldAndThePart(spec: CrontabSpec, field: CrontabField, message: String) {
        let error = #expect(throws: ScheduleError.self) { try values(spec, field) }
        #expect(error?.description == message)
        #expect(error?.field == field.rawValue)
        #expect(error?.code == .invalidCrontabField)
    }

    @Test(arguments: [
        (CrontabSpec.integer(31), CrontabSpec.integer(2), "crontab can never fire: day_of_month 31 with month_of_year 2"),
        (.text("30-31"), .text("feb"), "crontab can never fire: day_of_month 30-31 with month_of_year feb"),
        (.integer(31), .text("4,6,9,11"), "crontab can never fire: day_of_month 31 with month_of_year 4,6,9,11"),
        (.integer(30), .integers([2]), "crontab can never fire: day_of_month 30 with month_of_year 2"),
    ] as [(CrontabSpec, CrontabSpec, String)])
    func daysThatNeverExistAreRejected(dayOfMonth: CrontabSpec, monthOfYear: CrontabSpec, message: String) {
        let error = #expect(throws: ScheduleError.self) {
            try CrontabSchedule(dayOfMonth: dayOfMonth, monthOfYear: monthOfYear)
        }
        #expect(error?.description == message)
        #expect(error?.code == .crontabNeverFires)
    }

    @Test func daysThatExistSometimesAreAccepted() throws {
        _ = try CrontabSchedule(dayOfMonth: 29, monthOfYear: 2)  // leap years
        _ = try CrontabSchedule(dayOfMonth: 31, monthOfYear: "2,3")  // March
        _ = try CrontabSchedule(dayOfWeek: 1, dayOfMonth: 29, monthOfYear: 2)  // a Monday 29 February: 2044
    }

    @Test func fromStringUsesCronOrder() throws {
        let crontab = try CrontabSchedule(fromString: "*/15 9-17 1,15 jan-jun mon-fri")
        #expect(crontab.minute == .text("*/15"))
        #expect(crontab.hour == .text("9-17"))
        #expect(crontab.dayOfMonth == .text("1,15"))
        #expect(crontab.monthOfYear == .text("jan-jun"))
        #expect(crontab.dayOfWeek == .text("mon-fri"))
        #expect(crontab.expression == "*/15 9-17 1,15 jan-jun mon-fri")
        #expect(try CrontabSchedule(fromString: "0  9\t* *   *") == CrontabSchedule(minute: 0, hour: 9))

        let short = #expect(throws: ScheduleError.self) { try CrontabSchedule(fromString: "* * *") }
        #expect(
            short?.description
                == "crontab \"* * *\": expected 5 fields (minute hour day_of_month month_of_year day_of_week), found 3")
        #expect(throws: ScheduleError.self) { try CrontabSchedule(fromString: "* * * * * *") }
        #expect(throws: ScheduleError.self) { try CrontabSchedule(fromString: "@daily") }
    }

    @Test func equalityComparesTheExpandedSetsAsCeleryDoes() throws {
        let a = try CrontabSchedule(minute: "*/15", hour: "*", dayOfWeek: "mon-fri")
        let b = try CrontabSchedule(minute: "0,15,30,45", dayOfWeek: "1-5")
        #expect(a == b)
        #expect(a.minute != b.minute)  // but each keeps what it was written as
        #expect(try CrontabSchedule(minute: 0) != CrontabSchedule(minute: 1))
    }

    @Test func everyHourModeIsDecidedByTheHourSet() throws {
        #expect(try CrontabSchedule(minute: 0, hour: "*").matchesEveryHour)
        #expect(try CrontabSchedule(minute: 0, hour: "*/1").matchesEveryHour)
        #expect(try CrontabSchedule(minute: 0, hour: "0-23").matchesEveryHour)
        #expect(try CrontabSchedule(minute: 0, hour: "12-11").matchesEveryHour)
        #expect(try !CrontabSchedule(minute: 0, hour: "*/2").matchesEveryHour)
        #expect(try !CrontabSchedule(minute: 0, hour: "0-22").matchesEveryHour)
    }
}
