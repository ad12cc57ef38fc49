public import CeleryRouting
import JSON

extension Settings {
    /// The routing settings, every one checked: a bad route or queue is an error naming where it
    /// is written, so that no command starts half-configured.
    public func routing() throws(ConfigError) -> RoutingSettings {
        var routing = RoutingSettings()
        routing.routes = try structured(.taskRoutes) { value throws(RoutingError) in try TaskRoutes(value) } ?? routing.routes
        routing.queues = try structured(.taskQueues) { value throws(RoutingError) in try RoutingSettings.queues(value) } ?? []
        routing.defaultQueue = try nonEmptyString(.taskDefaultQueue) ?? routing.defaultQueue
        routing.defaultExchange = try string(.taskDefaultExchange)
        routing.defaultExchangeType = try nonEmptyString(.taskDefaultExchangeType) ?? routing.defaultExchangeType
        routing.defaultRoutingKey = try string(.taskDefaultRoutingKey)
        routing.defaultPriority = try priority(.taskDefaultPriority)
        if let found = value(.taskDefaultDeliveryMode), !found.value.isNull {
            let mode = found.isText ? (Int(found.value.stringValue ?? "").map { JSONValue.integer($0) } ?? found.value) : found.value
            do {
                routing.defaultDeliveryMode = try RoutingOptions.deliveryMode(mode, name: "the delivery mode")
            } catch {
                throw found.error(error.description)
            }
        }
        routing.createMissingQueues = try bool(.taskCreateMissingQueues) ?? routing.createMissingQueues
        routing.queueMaxPriority = try priority(.taskQueueMaxPriority)
        routing.defaultQueueType = try queueType(.taskDefaultQueueType) ?? routing.defaultQueueType
        routing.createMissingQueueType = try queueType(.taskCreateMissingQueueType)
        routing.createMissingQueueExchangeType = try string(.taskCreateMissingQueueExchangeType)
        return routing
    }

    /// The router of these settings.
    public func router() throws(ConfigError) -> Router {
        let settings = try routing()
        do {
            return try Router(settings)
        } catch {
            throw ConfigError("routing settings: \(error.description)")
        }
    }

    /// A structured setting read by `read`, whose refusal is reported where the setting is written.
    private func structured<T>(_ setting: Setting, _ read: (JSONValue) throws(RoutingError) -> T) throws(ConfigError) -> T? {
        guard let found = try json(setting) else { return nil }
        do {
            return try read(found.value)
        } catch {
            throw found.error(error.description)
        }
    }

    private func nonEmptyString(_ setting: Setting) throws(ConfigError) -> String? {
        guard let text = try string(setting) else { return nil }
        guard !text.isEmpty else { throw value(setting)!.error("must not be empty") }
        return text
    }

    private func priority(_ setting: Setting) throws(ConfigError) -> Int? {
        guard let number = try integer(setting) else { return nil }
        guard (0...255).contains(number) else { throw value(setting)!.error("must be 0-255, not \(number)") }
        return number
    }

    private func queueType(_ setting: Setting) throws(ConfigError) -> String? {
        guard let type = try string(setting) else { return nil }
        guard type == "classic" || type == "quorum" else {
            throw value(setting)!.error("must be classic or quorum, not \"\(type)\"")
        }
        return type
    }
}
