import BeatCore
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
            let expected = try router.route(task: "reports.daily", options: RoutingOptions())
            let memoized = try memo.route(task: "reports.daily", options: EntryOptions())
            #expect(memoized.destination == (try expected.destination()))
            #expect(memoized.priority == expected.priority && memoized.deliveryMode == expected.deliveryMode)
            #expect(try memo.route(task: "other", options: EntryOptions()).destination.routingKey == "celery")
            var own = EntryOptions()
            own.queue = "celery"
            #expect(try memo.route(task: "reports.daily", options: own).destination.routingKey == "celery")
            #expect(throws: RoutingError.self) { try memo.route(task: "lost.one", options: EntryOptions()) }
        }
    }

    @Test func manyTaskNamesDoNotGrowItPastItsCapacity() throws {
        var memo = RouteMemo(router: try router())
        for index in 0..<(RouteMemo.capacity + 10) {
            #expect(try memo.route(task: "reports.\(index)", options: EntryOptions()).destination.routingKey == "reports")
        }
        #expect(memo.count <= RouteMemo.capacity)
    }

    @Test func withoutTaskRoutesEveryTaskGoesWhereTheDefaultsSay() throws {
        var settings = RoutingSettings()
        settings.defaultQueue = "default"
        settings.defaultPriority = 4
        var memo = RouteMemo(router: try Router(settings))
        for task in ["a", "b.c", "reports.daily"] {
            let routed = try memo.route(task: task, options: EntryOptions())
            #expect(routed.destination.routingKey == "default" && routed.priority == 4)
        }
        #expect(memo.count == 0)
    }
}
