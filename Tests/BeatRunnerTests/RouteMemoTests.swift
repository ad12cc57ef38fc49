@testable import BeatRunner
import CeleryMessage
import CeleryRouting
import JSON
import Testing

/// The memo gives what the router gives, refusals included, and never outgrows its capacity.
@Suite struct RouteMemoTests {
    private func router() throws -> Router {
        var settings = RoutingSettings()
        settings.routes = try TaskRoutes(.object(["reports.*": .string("reports"), "lost.*": .string("nowhere")]))
        settings.queues = try RoutingSettings.queues(.array([.object(["name": .string("reports")]), .object(["name": .string("celery")])]))
        settings.createMissingQueues = false
        return try Router(settings)
    }

    @Test func memoizedRoutesAreTheRoutersOwnAndAnEntrysOptionsAreNeverMemoized() throws {
        let router = try router()
        var memo = RouteMemo(router: router)
        for _ in 0..<3 {
            #expect(try memo.route(task: "reports.daily", options: RoutingOptions()).task == router.route(task: "reports.daily", options: RoutingOptions()))
            #expect(try memo.route(task: "other", options: RoutingOptions()).destination.routingKey == "celery")
            #expect(try memo.route(task: "reports.daily", options: RoutingOptions(queue: "celery")).destination.routingKey == "celery")
            #expect(throws: RoutingError.self) { try memo.route(task: "lost.one", options: RoutingOptions()) }
        }
    }

    @Test func manyTaskNamesDoNotGrowItPastItsCapacity() throws {
        var memo = RouteMemo(router: try router())
        for index in 0..<(RouteMemo.capacity + 10) {
            #expect(try memo.route(task: "reports.\(index)", options: RoutingOptions()).destination.routingKey == "reports")
        }
        #expect(memo.count <= RouteMemo.capacity)
    }
}
