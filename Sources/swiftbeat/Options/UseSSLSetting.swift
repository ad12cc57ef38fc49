import CeleryConfig
import JSON
import RedisClient

/// Celery's `broker_use_ssl` (and, for the scheduler's Redis, `CELERY_REDIS_SCHEDULER_USE_SSL`):
/// `true`, or a mapping of redis-py's `ssl_*` options (`ssl_cert_reqs`, `ssl_ca_certs`,
/// `ssl_certfile`, `ssl_keyfile`, `ssl_check_hostname`). As in kombu, it turns TLS on for a
/// `redis://` URL too; the options are the same a `rediss://` URL's query takes.
enum UseSSLSetting {
    /// The TLS it asks for, nil when the setting is absent or false.
    static func tls(_ setting: Setting, _ settings: Settings) throws -> RedisConfiguration.TLS? {
        guard let found = try readSetting({ () throws(ConfigError) in try settings.json(setting) }) else { return nil }
        var options: [(name: String, value: String)] = []
        switch found.value {
        case .bool(false): return nil
        case .bool(true): break
        case .object(let mapping):
            for member in mapping.members where !member.value.isNull {
                switch member.value {
                case .string(let text): options.append((member.key, text))
                case .bool(let flag): options.append((member.key, flag ? "true" : "false"))
                case .number(let number): options.append((member.key, number.literal))
                default: throw CommandFailure.badInput(found.error("\(member.key) must be a string, not \(member.value.typeName)").description)
                }
            }
        default:
            throw CommandFailure.badInput(found.error("expected true, false or a mapping of ssl_* options, not \(found.value.typeName)").description)
        }
        do {
            return try RedisConfiguration.TLS(options: options)
        } catch {
            throw CommandFailure.badInput(found.error("\(error)").description)
        }
    }
}
