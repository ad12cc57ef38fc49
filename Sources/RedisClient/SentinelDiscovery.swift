/// Asks a Sentinel group where its master is: `SENTINEL get-master-addr-by-name`, sentinel by
/// sentinel in the configured order, over short-lived connections with the master's timeouts.
///
/// A sentinel that cannot be reached or does not know the name is skipped; only when none
/// names the master does it fail, with one sentence saying what each answered.
enum SentinelDiscovery {
    struct Master {
        var endpoint: RedisConfiguration.Endpoint
        /// The sentinel that named it, for `swiftbeat status` and the logs.
        var sentinel: RedisConfiguration.Endpoint
    }

    static func master(for configuration: RedisConfiguration) throws(RedisClientError) -> Master {
        guard let group = configuration.sentinel, !group.sentinels.isEmpty else {
            throw RedisClientError(.invalidConfiguration, "a sentinel configuration without sentinels")
        }
        guard let name = group.masterName, !name.isEmpty else {
            throw RedisClientError(
                .invalidConfiguration,
                "\(group.addresses) names sentinels but not the master: give its name as the transport option master_name, "
                    + #"e.g. '{"master_name": "mymaster"}'"#)
        }
        var answers: [String] = []
        for sentinel in group.sentinels {
            do {
                let connection = try RedisConnection(configuration: group.connecting(to: sentinel, like: configuration))
                defer { connection.close() }
                let reply = try connection.send("SENTINEL", "get-master-addr-by-name", name)
                if let parts = reply.array, parts.count == 2, let host = parts[0].string, let port = parts[1].string.flatMap({ Int($0) }) {
                    return Master(endpoint: .tcp(host: host, port: port), sentinel: sentinel)
                }
                if let message = reply.errorMessage {
                    answers.append("\(sentinel): \(message)")
                } else {
                    answers.append("\(sentinel): no master named \"\(name)\"")
                }
            } catch {
                answers.append(error.description)
            }
        }
        // Also when every sentinel answered and none knows the name: during a failover, or while a
        // group is being set up, that is temporary, so `run` keeps asking.
        throw RedisClientError(.connectFailed, "no sentinel named the master \"\(name)\": " + answers.joined(separator: "; "))
    }
}
