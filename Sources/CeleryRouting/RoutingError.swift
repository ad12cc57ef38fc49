/// Why a task cannot be routed, or why a routing setting cannot be used.
public struct RoutingError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }

    /// Celery's `QueueNotFound`: a queue named by an option or a route is not in `task_queues`
    /// and `task_create_missing_queues` is off.
    static func queueNotFound(_ name: String) -> RoutingError {
        RoutingError("queue \"\(name)\" is missing from task_queues (and task_create_missing_queues is off)")
    }
}
