/// The UTC offsets of one IANA time zone over all time: what wall clock a zone shows at an instant,
/// and at which instants it shows a given wall time.
///
/// Built from the system's compiled tz database (see `load(identifier:)`) rather than Foundation's
/// `TimeZone`, which on Linux pulls in ICU and some 15 MB of resident memory. A value type: copies
/// share their storage, and every query is a pure function of the instant.
///
/// The zone is seen as a sequence of *segments*: maximal spans of time with one constant offset.
/// Within a segment wall time runs in step with UTC; at a segment boundary it jumps forward
/// (a gap: those wall times never occur) or back (an overlap: those wall times occur twice).
public struct TimeZoneRules: Sendable, Equatable, CustomStringConvertible {
    /// The name the zone was loaded under, such as `"America/New_York"`.
    public let identifier: String

    /// UTC seconds at which the offset changes, ascending. Every entry is a real change of offset,
    /// and the list extends the file's own transitions with those of its footer rule up to
    /// `tableHorizonYear`, so lookups in the next two centuries are a binary search.
    private let transitionTimes: [Int64]
    /// Seconds east of UTC from `transitionTimes[i]` on.
    private let offsetsAfter: [Int]
    /// The offset before the first transition (or always, when there is none and no rule).
    private let initialOffset: Int
    /// The footer rule, consulted only beyond the last tabulated transition; nil when the offset
    /// stays constant after it.
    private let rule: PosixTimeZoneRule?

    /// Footer rules are expanded into the table up to this year at load time.
    static let tableHorizonYear = 2200

    /// A change of offset.
    public struct Transition: Hashable, Sendable {
        public var instant: Instant
        public var utcOffsetBefore: Int
        public var utcOffsetAfter: Int

        public init(instant: Instant, utcOffsetBefore: Int, utcOffsetAfter: Int) {
            self.instant = instant
            self.utcOffsetBefore = utcOffsetBefore
            self.utcOffsetAfter = utcOffsetAfter
        }
    }

    /// A maximal span of time with one UTC offset: `start ..< end`.
    public struct Segment: Hashable, Sendable {
        /// The first instant with this offset; nil when the offset has held since the beginning of time.
        public var start: Instant?
        /// The first instant after the segment; nil when the offset holds for ever.
        public var end: Instant?
        /// Seconds east of UTC during the segment.
        public var utcOffsetSeconds: Int
        /// The offset just before `start`; nil when `start` is nil.
        public var utcOffsetBeforeStart: Int?

        public init(start: Instant?, end: Instant?, utcOffsetSeconds: Int, utcOffsetBeforeStart: Int?) {
            self.start = start
            self.end = end
            self.utcOffsetSeconds = utcOffsetSeconds
            self.utcOffsetBeforeStart = utcOffsetBeforeStart
        }
    }

    /// At which instants a wall time occurs.
    public enum WallTimeOccurrences: Hashable, Sendable {
        /// The usual case: exactly once.
        case once(Instant)
        /// In an overlap (clocks went back): first with the earlier offset, then with the later one.
        case twice(Instant, Instant)
        /// In a gap (clocks went forward): never; `transition` is the jump that skipped it.
        case never(skippedBy: Transition)

        /// The instants in ascending order: zero, one or two.
        public var instants: [Instant] {
            switch self {
            case .once(let instant): [instant]
            case .twice(let first, let second): [first, second]
            case .never: []
            }
        }
    }

    /// Coordinated Universal Time: offset zero for ever. Needs no tz database.
    public static let utc = TimeZoneRules(fixedOffsetSeconds: 0, identifier: "UTC")

    /// A zone that keeps one offset for ever.
    public init(fixedOffsetSeconds: Int, identifier: String) {
        self.identifier = identifier
        self.transitionTimes = []
        self.offsetsAfter = []
        self.initialOffset = fixedOffsetSeconds
        self.rule = nil
    }

    /// A zone defined only by a POSIX TZ rule such as `"EST5EDT,M3.2.0,M11.1.0"`, valid for all time.
    public init(posixRule text: String, identifier: String? = nil) throws(TimeZoneError) {
        let rule: PosixTimeZoneRule
        do {
            rule = try PosixTimeZoneRule(parsing: text)
        } catch {
            throw TimeZoneError(identifier: identifier ?? text, detail: error)
        }
        self.init(
            identifier: identifier ?? text, transitionTimes: [], offsetsAfter: [], initialOffset: rule.standardOffset,
            lastListedTransition: nil, rule: rule)
    }

    /// A zone from the bytes of a TZif file (version 1 to 4).
    public init(tzif bytes: [UInt8], identifier: String, path: String = "(memory)") throws(TimeZoneError) {
        let contents: TZifParser.Contents
        do {
            contents = try TZifParser.parse(bytes)
        } catch {
            throw TimeZoneError(identifier: identifier, detail: .malformedFile(path: path, reason: error.reason))
        }
        var rule: PosixTimeZoneRule?
        if let footer = contents.footer {
            do {
                rule = try PosixTimeZoneRule(parsing: footer)
            } catch {
                throw TimeZoneError(identifier: identifier, detail: error)
            }
        }
        self.init(
            identifier: identifier, transitionTimes: contents.transitionTimes, offsetsAfter: contents.offsetsAfter,
            initialOffset: contents.initialOffset, lastListedTransition: contents.lastListedTransition, rule: rule)
    }

    private init(
        identifier: String, transitionTimes: [Int64], offsetsAfter: [Int], initialOffset: Int,
        lastListedTransition: Int64?, rule: PosixTimeZoneRule?
    ) {
        self.identifier = identifier
        var times = transitionTimes
        var offsets = offsetsAfter
        var initial = initialOffset
        var remainingRule: PosixTimeZoneRule?
        if let rule {
            if let constant = rule.constantOffset {
                // The footer governs only after the last listed transition (RFC 8536 §3.3).
                if let last = lastListedTransition {
                    if constant != (offsets.last ?? initial) {
                        times.append(last + 1)
                        offsets.append(constant)
                    }
                } else {
                    initial = constant
                }
            } else if let last = lastListedTransition {
                // Tabulate the footer's changes for the next two centuries; beyond, ask the rule.
                var cursor = last
                let horizon = CivilDate(year: Self.tableHorizonYear, month: 1, day: 1).daysSinceEpoch * 86_400
                while cursor < horizon, let change = rule.change(after: cursor) {
                    if change.offsetAfter != (offsets.last ?? initial) {
                        times.append(change.time)
                        offsets.append(change.offsetAfter)
                    }
                    cursor = change.time
                }
                remainingRule = rule
            } else {
                // No transitions at all: the rule governs every instant.
                initial = rule.standardOffset
                remainingRule = rule
            }
        }
        self.transitionTimes = times
        self.offsetsAfter = offsets
        self.initialOffset = initial
        self.rule = remainingRule
    }

    public var description: String { identifier }

    public static func == (lhs: TimeZoneRules, rhs: TimeZoneRules) -> Bool {
        lhs.identifier == rhs.identifier && lhs.initialOffset == rhs.initialOffset
            && lhs.transitionTimes == rhs.transitionTimes && lhs.offsetsAfter == rhs.offsetsAfter && lhs.rule == rhs.rule
    }

    // MARK: Queries

    /// Seconds east of UTC at `instant`.
    public func utcOffset(at instant: Instant) -> Int {
        segment(containing: instant).utcOffsetSeconds
    }

    /// The wall time the zone shows at `instant`.
    public func wallTime(at instant: Instant) -> CivilDateTime {
        CivilDateTime(instant, utcOffsetSeconds: utcOffset(at: instant))
    }

    /// ISO 8601 with the zone's offset at that instant, e.g. `2026-03-08T03:00:00-04:00`.
    public func iso8601(_ instant: Instant) -> String {
        ISO8601.format(instant, utcOffsetSeconds: utcOffset(at: instant))
    }

    /// The constant-offset span that contains `instant`.
    public func segment(containing instant: Instant) -> Segment {
        let seconds = instant.secondsSinceEpoch
        if let rule, seconds >= transitionTimes.last ?? Int64.min {
            return ruleSegment(containing: seconds, rule: rule)
        }
        // Index of the last transition at or before `seconds`, or -1.
        var low = 0
        var high = transitionTimes.count
        while low < high {
            let middle = (low + high) / 2
            if transitionTimes[middle] <= seconds { low = middle + 1 } else { high = middle }
        }
        let index = low - 1
        var segment = Segment(start: nil, end: nil, utcOffsetSeconds: initialOffset, utcOffsetBeforeStart: nil)
        if index >= 0 {
            segment.start = Instant(secondsSinceEpoch: transitionTimes[index])
            segment.utcOffsetSeconds = offsetsAfter[index]
            segment.utcOffsetBeforeStart = index > 0 ? offsetsAfter[index - 1] : initialOffset
        }
        if index + 1 < transitionTimes.count {
            segment.end = Instant(secondsSinceEpoch: transitionTimes[index + 1])
        } else if let rule, let change = rule.change(after: transitionTimes.last ?? seconds) {
            segment.end = Instant(secondsSinceEpoch: change.time)
        }
        return segment
    }

    private func ruleSegment(containing seconds: Int64, rule: PosixTimeZoneRule) -> Segment {
        var segment = Segment(
            start: nil, end: nil, utcOffsetSeconds: rule.offset(at: seconds), utcOffsetBeforeStart: nil)
        let last = transitionTimes.last ?? Int64.min
        if let previous = rule.change(atOrBefore: seconds), previous.time >= last {
            segment.start = Instant(secondsSinceEpoch: previous.time)
            segment.utcOffsetBeforeStart = previous.offsetBefore
        } else if let lastTime = transitionTimes.last {
            segment.start = Instant(secondsSinceEpoch: lastTime)
            segment.utcOffsetBeforeStart = offsetsAfter.count > 1 ? offsetsAfter[offsetsAfter.count - 2] : initialOffset
        }
        if let next = rule.change(after: seconds) {
            segment.end = Instant(secondsSinceEpoch: next.time)
        }
        return segment
    }

    /// The segment that follows `segment`, or nil when it lasts for ever.
    public func segment(after segment: Segment) -> Segment? {
        segment.end.map { self.segment(containing: $0) }
    }

    /// The first change of offset strictly after `instant`.
    public func transition(after instant: Instant) -> Transition? {
        let current = segment(containing: instant)
        guard let end = current.end else { return nil }
        return Transition(
            instant: end, utcOffsetBefore: current.utcOffsetSeconds,
            utcOffsetAfter: segment(containing: end).utcOffsetSeconds)
    }

    /// The changes of offset in `range`, in order.
    public func transitions(in range: Range<Instant>) -> [Transition] {
        var result: [Transition] = []
        var cursor = range.lowerBound - Microseconds(1)
        while let next = transition(after: cursor), next.instant < range.upperBound {
            result.append(next)
            cursor = next.instant
        }
        return result
    }

    /// The instants at which the zone's clocks show `wall` (its second and microsecond included).
    public func occurrences(of wall: CivilDateTime) -> WallTimeOccurrences {
        let wallMicros = wall.wallMicroseconds
        // Offsets stay within ±26 hours, so every occurrence lies within a day and a bit of
        // `wall` read as UTC; walk the segments of that window.
        let window: Int64 = 27 * 3_600_000_000
        var segment = self.segment(containing: Instant(microsecondsSinceEpoch: wallMicros - window))
        var found: [Instant] = []
        var previous: Segment?
        var gap: Transition?
        while true {
            let offset = Int64(segment.utcOffsetSeconds) * 1_000_000
            let candidate = Instant(microsecondsSinceEpoch: wallMicros - offset)
            if segment.start.map({ candidate >= $0 }) ?? true, segment.end.map({ candidate < $0 }) ?? true {
                found.append(candidate)
            }
            if let previous, let start = segment.start {
                let previousWallEnd = start.microsecondsSinceEpoch + Int64(previous.utcOffsetSeconds) * 1_000_000
                let wallStart = start.microsecondsSinceEpoch + offset
                if previousWallEnd <= wallMicros, wallMicros < wallStart {
                    gap = Transition(
                        instant: start, utcOffsetBefore: previous.utcOffsetSeconds,
                        utcOffsetAfter: segment.utcOffsetSeconds)
                }
            }
            guard let end = segment.end, end.microsecondsSinceEpoch <= wallMicros + window else { break }
            previous = segment
            segment = self.segment(containing: end)
        }
        switch found.count {
        case 0:
            if let gap { return .never(skippedBy: gap) }
            // Unreachable for a zone with offsets within ±26 hours; fall back to the offset at `wall` as UTC.
            return .once(Instant(microsecondsSinceEpoch: wallMicros - Int64(initialOffset) * 1_000_000))
        case 1: return .once(found[0])
        default: return .twice(found[0], found[found.count - 1])
        }
    }
}
