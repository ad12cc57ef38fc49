import CeleryMessage
import CeleryRouting

/// The routes decided so far, by task name, for entries that carry no routing option of their own
/// (most do not): their route depends on the task's name alone, so a firing costs one dictionary
/// lookup instead of Celery's whole decision (`scripts/bench profile`: routing every firing anew
/// cost about 4,800 of 68,000 instructions per firing).
struct RouteMemo {
    let router: Router
    private var byTask: [String: Result<Routed, RoutingError>] = [:]
    var count: Int { byTask.count }
    /// A schedule with one task name per entry (one per customer, say) must not grow this without
    /// end: past this many names it starts over.
    static let capacity = 4096

    /// A decided route and the destination it gives the message.
    struct Routed {
        var task: RoutedTask
        var destination: CeleryMessage.Destination
    }

    init(router: Router) {
        self.router = router
    }

    mutating func route(task: String, options: RoutingOptions) throws(RoutingError) -> Routed {
        guard options == RoutingOptions() else { return try Self.decide(router, task, options) }
        if let known = byTask[task] { return try known.get() }
        let decided = Result { () throws(RoutingError) in try Self.decide(router, task, options) }
        if byTask.count >= Self.capacity { byTask.removeAll(keepingCapacity: true) }
        byTask[task] = decided
        return try decided.get()
    }

    private static func decide(_ router: Router, _ task: String, _ options: RoutingOptions) throws(RoutingError) -> Routed {
        let routed = try router.route(task: task, options: options)
        return Routed(task: routed, destination: try routed.destination())
    }
}
