import BeatCore
import BeatHTTP
import BeatRunner
import CivilTime
import JSON
import RedisClient
import ScheduleStore

/// `GET /`, `/api/entries` and `/api/status`: the entries and the lock as Redis holds them, read on a
/// connection of the server's own (the loop's are never shared), in the shapes of `list --json` and
/// `status`, with this node's role from the loop's snapshot.
///
/// `@unchecked Sendable`: the server calls it from its one thread, one request at a time
/// (`HTTPServer`), so the connection it keeps is never used by two threads at once.
final class StatusPages: @unchecked Sendable {
    private let configuration: RunnerConfiguration
    private let telemetry: BeatTelemetry
    private var redis: RedisConnection?

    init(configuration: RunnerConfiguration, telemetry: BeatTelemetry) {
        self.configuration = configuration
        self.telemetry = telemetry
    }

    func respond(to request: HTTPRequest) -> HTTPResponse {
        do {
            switch request.path {
            case "/":
                return html(try page(for: request).render())
            case "/api/entries":
                let now = SystemClock.now()
                let items = try entries().map { ListCommand.jsonItem($0, now: now, zone: configuration.zone, router: configuration.router) }
                return json(.array(items))
            case "/api/status":
                return json(try statusJSON())
            default:
                return .notFound
            }
        } catch {
            // The connection may be half-way through a reply: start again on a new one next time.
            redis?.close()
            redis = nil
            return .text("cannot read the schedule from redis: \(error)\n", status: 503)
        }
    }

    private func connection() throws -> RedisConnection {
        if let redis { return redis }
        let connection = try RedisConnection(configuration: configuration.scheduler)
        redis = connection
        return connection
    }

    private func entries() throws -> [DecodedEntry] {
        try configuration.store.allEntries(on: connection(), keyPrefix: configuration.keyPrefix).map {
            DecodedEntry.decode($0, kind: configuration.store)
        }
    }

    private func statusJSON() throws -> JSONValue {
        let status = try BeatStatus.read(
            from: connection(), lockKey: configuration.lockKey, keyPrefix: configuration.keyPrefix, store: configuration.store)
        var object: JSONObject = [
            "lock_key": .string(status.lockKey), "held": .bool(status.isHeld), "holder": Self.holderJSON(status.holder),
            "remaining_ms": status.remainingMilliseconds.map { .integer($0) } ?? .null, "entry_count": .integer(status.entryCount),
            "invalid": .array(status.invalidEntries.map { .object(["key": .string($0.key), "reason": .string($0.reason)]) }),
        ]
        object["node"] = nodeJSON(telemetry.snapshot())
        return .object(object)
    }

    static func holderJSON(_ holder: BeatStatus.Holder?) -> JSONValue {
        guard let holder else { return .null }
        return .object(["host": .string(holder.host), "pid": .integer(holder.pid), "since": holder.since.map { .string($0) } ?? .null])
    }

    private func nodeJSON(_ snapshot: BeatSnapshot) -> JSONValue {
        .object([
            "role": .string(snapshot.role.rawValue), "loaded": .bool(snapshot.loaded),
            "redis_error": snapshot.redisError.map { .string($0) } ?? .null,
        ])
    }

    /// The page asked for: the lock's holder, the invalid entries, and one page of the others.
    private func page(for request: HTTPRequest) throws -> StatusPage {
        let redis = try connection()
        var pipeline = RedisPipeline()
        pipeline.append("GET", configuration.lockKey)
        pipeline.append("PTTL", configuration.lockKey)
        let lock = try redis.pipeline(pipeline)
        let all = try entries()
        let filter = StatusPage.Filter(request)
        let matching = all.filter { filter.matches($0) }
        let now = SystemClock.now()
        let shown = matching.dropFirst((filter.page - 1) * StatusPage.pageSize).prefix(StatusPage.pageSize)
        return StatusPage(
            node: telemetry.snapshot(), holder: lock[0].string.flatMap(BeatStatus.holder), lockValue: lock[0].string,
            remainingMilliseconds: lock[1].integer.flatMap { $0 >= 0 ? $0 : nil },
            lockKey: configuration.lockKey, zone: configuration.zone.identifier, total: all.count,
            invalid: all.compactMap { decoded in
                guard case .failure(let error) = decoded.result else { return nil }
                return (decoded.stored.name, error.reason)
            },
            filter: filter, matching: matching.count,
            rows: shown.map { ListCommand.jsonItem($0, now: now, zone: configuration.zone, router: configuration.router) })
    }

    private func html(_ text: String) -> HTTPResponse {
        HTTPResponse(status: 200, contentType: "text/html; charset=utf-8", body: Array(text.utf8))
    }

    private func json(_ value: JSONValue) -> HTTPResponse {
        HTTPResponse(status: 200, contentType: "application/json", body: JSONWriter.serialize(value, style: .compact))
    }
}
