import BeatCore
import CeleryMessage
import CeleryRouting

/// Where an entry's messages go after routing, for `list`, `show` and `check`: the same
/// `Router.route` the beat calls at every firing, so a migration can be checked before it runs.
enum EntryDestination {
    static func of(_ entry: Entry, router: Router) -> Result<CeleryMessage.Destination, RoutingError> {
        Result { () throws(RoutingError) in try router.route(task: entry.task, options: entry.options.routing).destination() }
    }

    /// `reports`, or `reports via exchange "topicx" (topic), routing key "reports.daily"`.
    static func describe(_ destination: CeleryMessage.Destination) -> String {
        guard !destination.exchange.isEmpty else { return destination.queue }
        return "\(destination.queue) via exchange \"\(destination.exchange)\" (\(destination.exchangeType)), "
            + "routing key \"\(destination.routingKey)\""
    }
}
