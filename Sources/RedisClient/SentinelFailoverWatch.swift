/// A subscription to a sentinel's `+switch-master` channel, read without blocking before each
/// call, so that a failover is noticed even while the old master still answers (a partition, or
/// before it learns it was demoted).
///
/// Best effort: when the sentinel cannot be reached the watch is not made, and when its
/// connection fails the watch stops; a broken connection or a `-READONLY` reply still send the
/// connection back to the sentinels. It is made again at every connect.
final class SentinelFailoverWatch {
    private let connection: RedisConnection
    private let masterName: String
    private var isBroken = false

    init?(configuration: RedisConfiguration, sentinel: RedisConfiguration.Endpoint) {
        guard let group = configuration.sentinel, let name = group.masterName else { return nil }
        do {
            connection = try RedisConnection(configuration: group.connecting(to: sentinel, like: configuration))
            try connection.subscribe(channels: ["+switch-master"])
        } catch {
            return nil
        }
        masterName = name
    }

    /// Whether the sentinel announced a new master for this name since the last look. Never blocks.
    func masterSwitched() -> Bool {
        guard !isBroken else { return false }
        do {
            // "+switch-master" carries "<name> <old-ip> <old-port> <new-ip> <new-port>".
            return try connection.readAvailableReplies().contains { reply in
                guard case .message(_, _, let payload)? = RedisPubSubEvent(reply) else { return false }
                return payload.starts(with: Array(masterName.utf8) + [UInt8(ascii: " ")])
            }
        } catch {
            isBroken = true
            return false
        }
    }
}
