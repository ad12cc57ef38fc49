/// Schedules and options already read, by the JSON text they were read from.
///
/// Loading 100,000 entries reads the same few schedules ("every 10 seconds") and options
/// (`{"expires": 3600}`) over and over; a crontab takes a couple of microseconds to parse and a
/// lookup a fraction of that. The cache is bounded: past `capacity` distinct texts of a kind it
/// starts over. Only what was read successfully is kept: errors are rare and say where they are.
public struct ScheduleCache: Sendable {
    private var schedules: [Text: Schedule] = [:]
    private var options: [Text: EntryOptions] = [:]
    public let capacity: Int

    public init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    public mutating func schedule(
        text: ArraySlice<UInt8>, parse: () throws(ScheduleError) -> Schedule
    ) throws(ScheduleError) -> Schedule {
        try Self.value(for: text, in: &schedules, capacity: capacity, make: parse)
    }

    /// The options read from an `options` object into empty `EntryOptions`.
    mutating func options(
        text: ArraySlice<UInt8>, read: () throws(OptionError) -> EntryOptions
    ) throws(OptionError) -> EntryOptions {
        try Self.value(for: text, in: &options, capacity: capacity, make: read)
    }

    private static func value<Value, Failure>(
        for text: ArraySlice<UInt8>, in cache: inout [Text: Value], capacity: Int, make: () throws(Failure) -> Value
    ) throws(Failure) -> Value {
        if let known = cache[Text(text)] { return known }
        let made = try make()
        if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
        // A copy of just the text: the slice would keep the whole entry it came from alive.
        cache[Text(ArraySlice(Array(text)))] = made
        return made
    }

    /// JSON text as a dictionary key, looked up without copying it out of the entry, hashed in one
    /// call (an array of bytes hashes byte by byte).
    private struct Text: Hashable, Sendable {
        let bytes: ArraySlice<UInt8>

        init(_ bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
        }

        func hash(into hasher: inout Hasher) {
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        }

        static func == (lhs: Text, rhs: Text) -> Bool {
            lhs.bytes.elementsEqual(rhs.bytes)
        }
    }
}
