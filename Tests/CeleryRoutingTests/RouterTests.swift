import CeleryRouting
import JSON
import Testing

/// The rules of Celery's routing, case by case (RoutingComparisonTests checks hundreds of generated
/// cases against Celery itself).
@Suite struct RouterTests {
    private func router(
        routes: JSONValue = .null, queues: JSONValue = .null, _ adjust: (inout RoutingSettings) -> Void = { _ in }
    ) throws -> Router {
        var settings = RoutingSettings()
        settings.routes = try TaskRoutes(routes)
        settings.queues = try RoutingSettings.queues(queues)
        adjust(&settings)
        return try Router(settings)
    }

    @Test func withoutSettingsEverythingGoesToCeleryOnTheDefaultExchange() throws {
        let routed = try router().route(task: "proj.add", options: RoutingOptions())
        #expect(routed.exchange == "" && routed.routingKey == "celery" && routed.queue?.name == "celery")
        #expect(routed.priority == 0 && routed.deliveryMode == 2)
    }

    @Test func theEntrysQueueWinsOverTheRouteAndTheRouteOverTheDefault() throws {
        let router = try router(routes: .object(["reports.*": .string("reports")])) { $0.defaultQueue = "default" }
        #expect(try router.route(task: "reports.daily", options: RoutingOptions()).routingKey == "reports")
        #expect(try router.route(task: "reports.daily", options: RoutingOptions(queue: "mine")).routingKey == "mine")
        #expect(try router.route(task: "billing.charge", options: RoutingOptions()).routingKey == "default")
    }

    @Test func anExactNameWinsOverAPatternAndTheFirstMappingOverLaterOnes() throws {
        let routes: JSONValue = .array([
            .object(["re:^proj\\.": .string("regex"), "proj.add": .string("exact")]),
            .object(["proj.*": .string("later")]),
        ])
        let router = try router(routes: routes)
        #expect(try router.route(task: "proj.add", options: RoutingOptions()).routingKey == "exact")
        #expect(try router.route(task: "proj.mul", options: RoutingOptions()).routingKey == "regex")
        #expect(try router.route(task: "other", options: RoutingOptions()).routingKey == "celery")
    }

    @Test func aTopicQueueGoesToItsExchangeWithItsBindingKey() throws {
        let queues: JSONValue = .object(["reports": .object(["exchange": .string("topicx"), "exchange_type": .string("topic"), "binding_key": .string("reports.#")])])
        let routed = try router(routes: .object(["reports.*": .string("reports")]), queues: queues)
            .route(task: "reports.daily", options: RoutingOptions())
        #expect(routed.exchange == "topicx" && routed.exchangeType == "topic" && routed.routingKey == "reports.#")
        let keyed = try router(routes: .object(["reports.*": .object(["queue": .string("reports"), "routing_key": .string("reports.daily")])]), queues: queues)
            .route(task: "reports.daily", options: RoutingOptions())
        #expect(keyed.routingKey == "reports.daily")
    }

    @Test func aMissingQueueIsCreatedOrRefusedAsTaskCreateMissingQueuesSays() throws {
        let queues: JSONValue = .array([.object(["name": .string("celery")])])
        let creating = try router(queues: queues)
        #expect(try creating.route(task: "t", options: RoutingOptions(queue: "new")).queue?.exchange.name == "new")
        let refusing = try router(queues: queues) { $0.createMissingQueues = false }
        #expect(throws: RoutingError.self) { try refusing.route(task: "t", options: RoutingOptions(queue: "new")) }
        #expect(try refusing.route(task: "t", options: RoutingOptions()).routingKey == "celery")
    }

    @Test func priorityAndDeliveryModeFollowCeleryPrecedence() throws {
        let router = try router(routes: .object(["t": .object(["priority": .integer(3)])])) {
            $0.defaultDeliveryMode = 1
        }
        let routed = try router.route(task: "t", options: RoutingOptions())
        #expect(routed.priority == 3 && routed.deliveryMode == 1)
        #expect(try router.route(task: "t", options: RoutingOptions(priority: 7, deliveryMode: 2)).priority == 7)
        // task_default_priority is an option of a registered task: it beats the route's priority.
        let withDefault = try self.router(routes: .object(["t": .object(["priority": .integer(3)])])) { $0.defaultPriority = 5 }
        #expect(try withDefault.route(task: "t", options: RoutingOptions()).priority == 5)
    }

    @Test func aRoutesOtherOptionsArePassedOn() throws {
        let routed = try router(routes: .object(["t": .object(["queue": .string("q"), "expires": .integer(60)])])).route(task: "t", options: RoutingOptions())
        #expect(routed.passedOptions == ["expires": .integer(60)])
    }

    @Test(arguments: [
        (JSONValue.integer(3), "expected a mapping"),
        (.string("proj.routers.MyRouter"), "cannot run outside Python"),
        (.object(["t": .integer(3)]), "route \"t\": a route must be a queue name or a mapping"),
        (.object(["t": .object(["priority": .string("high")])]), "priority must be an integer"),
        (.object(["re:(": .string("q")]), "not a regular expression"),
        (.array([.string("x.Router")]), "class routers cannot run outside Python"),
    ])
    func badRoutesAreRefusedWithTheReason(value: JSONValue, reason: String) {
        #expect(throws: RoutingError.self) { try TaskRoutes(value) }
        do {
            _ = try TaskRoutes(value)
        } catch {
            #expect(error.description.contains(reason), "\(error)")
        }
    }

    @Test func aQueueWithoutANameIsRefused() {
        #expect(throws: RoutingError("item 1 has no name")) { try RoutingSettings.queues(.array([.object(["exchange": .string("x")])])) }
        #expect(throws: RoutingError.self) { try RoutingSettings.queues(.object(["q": .object(["queue_arguments": .integer(3)])])) }
    }
}
