import Foundation
import JSON
import RedisClient
import TestSupport

/// A private redis-server holding a schedule in database 1, and the swiftbeat commands pointed at it
/// through the environment (as deployments configure them).
final class ManagedSchedule {
    let server: RedisServer
    let connection: RedisConnection
    let prefix = "tasks:meta:"

    init(_ options: RedisServerOptions = RedisServerOptions()) throws {
        server = try RedisServer.start(options)
        var url = "redis://127.0.0.1:\(server.port)/1"
        if let password = options.password { url = "redis://:\(password)@127.0.0.1:\(server.port)/1" }
        connection = try RedisConnection(configuration: try RedisConfiguration(url: url))
        environment = ["CELERY_REDIS_SCHEDULER_URL": url]
    }

    deinit {
        connection.close()
        server.stop()
    }

    var environment: [String: String]

    /// `swiftbeat arguments...` against this schedule.
    @discardableResult
    func swiftbeat(_ arguments: String...) throws -> SwiftbeatBinary.Result {
        try SwiftbeatBinary.run(arguments, environment: environment)
    }

    func swiftbeat(arguments: [String]) throws -> SwiftbeatBinary.Result {
        try SwiftbeatBinary.run(arguments, environment: environment)
    }

    func get(_ name: String) throws -> String? {
        try connection.send("GET", prefix + name).bytes.map { String(decoding: $0, as: UTF8.self) }
    }

    func object(_ name: String) throws -> JSONObject? {
        try get(name).flatMap { try JSONParser.parse($0).objectValue }
    }

    func set(_ name: String, _ json: String) throws {
        _ = try connection.send("SET", prefix + name, json)
    }

    func keys() throws -> [String] {
        (try connection.send("KEYS", "*").array ?? []).compactMap(\.string).sorted()
    }
}

extension SwiftbeatBinary.Result {
    /// stdout and stderr together, for "never printed anywhere" checks.
    var output: String { stdout + stderr }
}
