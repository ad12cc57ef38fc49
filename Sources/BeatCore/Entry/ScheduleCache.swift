/// Schedules already parsed, by the JSON text they were parsed from.
///
/// Loading 100,000 entries parses the same few schedules ("every 10 seconds") over and over; a
/// crontab takes a couple of microseconds to parse and a lookup a fraction of that. The cache is
/// bounded: past `capacity` distinct texts it starts over.
public struct ScheduleCache: Sendable {
    private var schedules: [[UInt8]: Schedule] = [:]
    public let capacity: Int

    public init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    public mutating func schedule(
        text: ArraySlice<UInt8>, parse: () throws(ScheduleError) -> Schedule
    ) throws(ScheduleError) -> Schedule {
        let key = Array(text)
        if let known = schedules[key] { return known }
        let parsed = try parse()
        if schedules.count >= capacity { schedules.removeAll(keepingCapacity: true) }
        schedules[key] = parsed
        return parsed
    }
}
