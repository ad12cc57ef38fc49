public import CeleryMessage
import CivilTime
import JSON

/// kombu's Redis transport format: how a message sits in a Redis list.
///
/// The worker side (kombu's `virtual.Channel`) requires `properties.delivery_tag` (a fresh UUID:
/// it keys the worker's `unacked` hash) and `properties.delivery_info` with `exchange` and
/// `routing_key` (a missing `exchange` kills the worker with KeyError); the body is base64 so
/// that any bytes survive JSON.
///
/// `delivery_info` is where kombu sends the message again when a worker restores it unacknowledged
/// (`_do_restore_message` looks up `exchange` and `routing_key`), so it names the destination as
/// kombu's own `basic_publish` does: `""` and the queue for the default exchange, which needs no
/// `_kombu.binding.*` lookup (research/celery-protocol.md §3.1, §3.4); the named exchange and its
/// routing key otherwise, so the restore finds the bound queue again rather than a list named
/// after the routing key.
public struct KombuRedisEnvelope: Sendable {
    /// kombu's default `priority_steps`; a priority is rounded down to the nearest step.
    public static let defaultPrioritySteps = [0, 3, 6, 9]
    /// kombu's default `sep` between a queue name and its priority step.
    public static let defaultPrioritySeparator = "\u{06}\u{16}"

    public var prioritySteps: [Int]
    public var separator: String
    /// kombu's `global_keyprefix` transport option, prepended to every key.
    public var globalKeyPrefix: String

    public init(
        prioritySteps: [Int] = KombuRedisEnvelope.defaultPrioritySteps,
        separator: String = KombuRedisEnvelope.defaultPrioritySeparator,
        globalKeyPrefix: String = ""
    ) {
        self.prioritySteps = prioritySteps.sorted()
        self.separator = separator
        self.globalKeyPrefix = globalKeyPrefix
    }

    /// The Redis list for `queue` at `priority`, as kombu's `_q_for_pri` names it: the priority is
    /// clamped to 0-9 and rounded down to a step; step 0 is the bare queue name.
    public func listKey(queue: String, priority: Int) -> String {
        let clamped = min(max(priority, 0), 9)
        let step = prioritySteps.last { $0 <= clamped } ?? prioritySteps.first ?? 0
        let name = step == 0 ? queue : queue + separator + String(step)
        return globalKeyPrefix + name
    }

    /// The JSON text kombu would LPUSH for `message`, with `deliveryTag` as its delivery tag.
    ///
    /// The keys and constant values of the frame are written as prepared fragments (kombu's
    /// `json.dumps` separators), since each key written on its own cost more than the bytes.
    public func encode(_ message: CeleryMessage, deliveryTag: String) -> [UInt8] {
        let body = message.body
        var writer = JSONWriter(reservingCapacity: 1024 + body.count * 4 / 3)
        writer.write(Fragment.start)
        writer.rawValue { bytes in
            bytes.append(UInt8(ascii: "\""))
            Base64.encode(body, into: &bytes)
            bytes.append(UInt8(ascii: "\""))
        }
        writer.write(Fragment.afterBody)
        message.forEachHeader { name, value in
            switch name {
            case .celery(let header):
                let prepared = Fragment.headers[header.rawValue]
                writer.write(prepared)
                if prepared.endsWithValue { return }
            case .extra(let key): writer.key(key)
            }
            switch value {
            case .string(let string): writer.string(string)
            case .null: writer.null()
            case .integer(let integer): writer.integer(integer)
            case .instant(let instant):
                writer.rawValue { bytes in
                    bytes.append(UInt8(ascii: "\""))
                    ISO8601.append(instant, utcOffsetSeconds: 0, to: &bytes)
                    bytes.append(UInt8(ascii: "\""))
                }
            case .timeLimit(let hard, let soft):
                writer.beginArray()
                writer.value(hard.map(JSONValue.number) ?? .null)
                writer.value(soft.map(JSONValue.number) ?? .null)
                writer.endArray()
            case .json(let json): writer.value(json)
            }
        }
        writer.write(Fragment.afterHeaders)
        writer.string(message.id)
        writer.write(Fragment.replyTo)
        writer.string(message.replyTo)
        writer.write(message.deliveryMode == 1 ? Fragment.transientDeliveryMode : Fragment.deliveryMode)
        if let expiration = message.expirationMilliseconds {
            writer.key("expiration")
            writer.rawValue { bytes in
                bytes.append(UInt8(ascii: "\""))
                JSONWriter.appendDecimal(expiration, to: &bytes)
                bytes.append(UInt8(ascii: "\""))
            }
        }
        writer.write(Fragment.exchange)
        writer.string(message.destination.exchange)
        writer.write(Fragment.routingKey)
        writer.string(message.destination.routingKey)
        writer.write(Fragment.priority)
        writer.integer(Int64(message.priority))
        writer.write(Fragment.deliveryTag)
        writer.string(deliveryTag)
        writer.write(Fragment.end)
        return writer.bytes
    }

    /// The fixed stretches of the envelope, in order.
    private enum Fragment {
        static let start = JSONWriter.Prepared.fragment(#"{"body": "#, endsWithValue: false)
        static let afterBody = JSONWriter.Prepared.fragment(
            #", "content-encoding": "utf-8", "content-type": "application/json", "headers": {"#, endsWithValue: false)
        static let afterHeaders = JSONWriter.Prepared.fragment(#"}, "properties": {"correlation_id": "#, endsWithValue: false)
        static let replyTo = JSONWriter.Prepared.fragment(#", "reply_to": "#, endsWithValue: false)
        static let deliveryMode = JSONWriter.Prepared.fragment(#", "delivery_mode": 2"#, endsWithValue: true)
        static let transientDeliveryMode = JSONWriter.Prepared.fragment(#", "delivery_mode": 1"#, endsWithValue: true)
        static let exchange = JSONWriter.Prepared.fragment(#", "delivery_info": {"exchange": "#, endsWithValue: false)
        static let routingKey = JSONWriter.Prepared.fragment(#", "routing_key": "#, endsWithValue: false)
        static let priority = JSONWriter.Prepared.fragment(#"}, "priority": "#, endsWithValue: false)
        static let deliveryTag = JSONWriter.Prepared.fragment(
            #", "body_encoding": "base64", "delivery_tag": "#, endsWithValue: false)
        static let end = JSONWriter.Prepared.fragment("}}", endsWithValue: true)
        /// Celery's headers, by `CeleryMessage.Header`: the whole member when its value is the
        /// same in every message, the key otherwise.
        static let headers = CeleryMessage.Header.allCases.map { header in
            header.constantValue.map { JSONWriter.Prepared.member(header.name, $0.json) } ?? JSONWriter.Prepared.key(header.name)
        }
    }
}
