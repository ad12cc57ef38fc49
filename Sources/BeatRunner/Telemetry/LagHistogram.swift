/// How late firings were handed to the broker: counts by upper bound, Prometheus's histogram shape
/// (cumulative buckets are summed when exposed, so an observation is one increment, not fourteen).
public struct LagHistogram: Sendable, Equatable {
    /// Upper bounds in seconds: a beat on time hands a firing over within milliseconds; seconds
    /// mean a backlog or a broker in trouble; a minute and more, a standby that took over.
    public static let bounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

    /// Observations per bucket (not cumulative); the last one is above every bound.
    public private(set) var counts = [Int](repeating: 0, count: LagHistogram.bounds.count + 1)
    public private(set) var sum: Double = 0
    public private(set) var count = 0

    public init() {}

    /// Records `times` firings that waited `seconds` (negative waits count as zero).
    public mutating func observe(seconds: Double, times: Int = 1) {
        let value = max(0, seconds)
        let bucket = Self.bounds.firstIndex { value <= $0 } ?? Self.bounds.count
        counts[bucket] += times
        sum += value * Double(times)
        count += times
    }
}
