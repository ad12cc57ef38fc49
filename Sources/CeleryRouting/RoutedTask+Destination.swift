public import CeleryMessage

extension RoutedTask {
    /// The message's destination. Celery would publish a task that has an exchange but neither a
    /// queue nor a routing key with no routing key at all, which reaches no queue: here that is an
    /// error that says what to add.
    public func destination() throws(RoutingError) -> CeleryMessage.Destination {
        guard let routingKey else {
            throw RoutingError(
                "exchange \"\(exchange)\" without a queue or a routing key reaches no queue; give the entry a queue or a routing_key")
        }
        return CeleryMessage.Destination(
            queue: queue?.name ?? routingKey, exchange: exchange, routingKey: routingKey, exchangeType: exchangeType)
    }
}
