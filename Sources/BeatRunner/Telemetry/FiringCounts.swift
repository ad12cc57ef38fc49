/// Firings of one destination queue, by what became of them.
public struct FiringCounts: Sendable, Equatable {
    /// Taken by the broker (confirmed, or pushed in the commit).
    public var sent = 0
    /// Refused or unanswered by the broker: each attempt counts, the firing is retried.
    public var failed = 0
    /// Given up: lost with its push, superseded, or dropped when this node stopped leading.
    public var dropped = 0

    public init() {}
}
