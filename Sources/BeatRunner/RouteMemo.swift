import BeatCore
import CeleryMessage
import CeleryRouting
import JSON

/// The routes decided so far for entries that carry no routing option of their own (most do not):
/// their route depends on the task's name alone, so a firing costs one dictionary lookup, or
/// nothing at all when the config has no `task_routes`, instead of Celery's whole decision
/// (`scripts/bench profile`: routing every firing anew cost about 4,800 of 68,000 instructions).
struct RouteMemo {
    let router: Router
    /// Without `task_routes`, every such entry goes to the same place.
    private let everyTask: Result<Routed, RoutingError>?
    private var byTask: [String: Result<Routed, RoutingError>] = [:]
    var count: Int { byTask.count }
    /// A schedule with one task name per entry (one per customer, say) must not grow this without
    /// end: past this many names it starts over.
    static let capacity = 4096

    /// What a message needs of a decided route.
    struct Routed {
        var destination: CeleryMessage.Destination
        var priority: Int
        var deliveryMode: Int
        /// The route's other options (`expires`, ...), under the entry's own.
        var passedOptions: JSONObject
    }

    init(router: Router) {
        self.router = router
        everyTask = router.hasRoutes ? nil : Result { () throws(RoutingError) in try Self.decide(router, "", RoutingOptions()) }
    }

    mutating func route(task: String, options: EntryOptions) throws(RoutingError) -> Routed {
        guard !options.hasRoutingOptions else { return try Self.decide(router, task, options.routing) }
        if let everyTask { return try everyTask.get() }
        if let known = byTask[task] { return try known.get() }
        let decided = Result { () throws(RoutingError) in try Self.decide(router, task, RoutingOptions()) }
        if byTask.count >= Self.capacity { byTask.removeAll(keepingCapacity: true) }
        byTask[task] = decided
        return try decided.get()
    }

    private static func decide(_ router: Router, _ task: String, _ options: RoutingOptions) throws(RoutingError) -> Routed {
        let routed = try router.route(task: task, options: options)
        return Routed(
            destination: try routed.destination(), priority: routed.priority, deliveryMode: routed.deliveryMode,
            passedOptions: routed.passedOptions)
    }
}
