internal import CRabbitMQ

/// librabbitmq is opened when a process first connects to an AMQP broker, not linked (CRabbitMQ's
/// header says why); this turns a missing library into this module's error instead of a stop.
enum RabbitMQLibrary {
    /// Opens the library once per process; later calls give the first answer again.
    ///
    /// `.invalidConfiguration`: the installation lacks a package, and retrying will not help.
    static func load() throws(AMQPClientError) {
        guard let failure = swiftbeat_rabbitmq_load() else { return }
        throw AMQPClientError(
            .invalidConfiguration,
            "cannot use an AMQP broker: \(String(cString: failure)) (install librabbitmq, Debian: librabbitmq4)")
    }
}
