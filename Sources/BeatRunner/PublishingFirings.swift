import Broker

/// Committed firings the broker has been given but not yet confirmed, with the broker they went
/// to: after a reconnect the old broker still owes this batch's outcome.
struct PublishingFirings {
    var items: [PendingPublish]
    let broker: any Broker
    let batch: PublishingBatch
}

/// A broker that stopped confirming: since when (monotonic microseconds), and whether that was logged.
struct BrokerStall {
    let since: Int64
    var logged = false
}
