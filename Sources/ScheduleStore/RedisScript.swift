public import RedisClient

/// A Lua script run with EVALSHA, loaded on first use and again after Redis forgot it.
///
/// Scripts are how swiftbeat changes Redis atomically where a step is small: compare-and-renew the
/// lock, compare-and-set an entry from the commands. A firing's commit, which carries the entry and
/// its message, is a WATCH/MULTI/EXEC transaction instead (`CommitTransaction` in BeatRunner):
/// Redis's Lua hashes every byte it is given.
public struct RedisScript: Sendable {
    public let source: String
    private var sha: String?

    public init(_ source: String) {
        self.source = source
    }

    /// Runs the script; reloads and runs it once more if Redis answers NOSCRIPT (after a restart
    /// or SCRIPT FLUSH), which is safe because NOSCRIPT means nothing ran.
    public mutating func run(_ keys: [String], _ arguments: [[UInt8]], on connection: RedisConnection) throws(RedisClientError) -> RedisReply {
        for _ in 0..<2 {
            let sha: String
            switch try loadedSHA(on: connection) {
            case .success(let loaded): sha = loaded
            case .failure(let refusal): return refusal.reply
            }
            let reply = try connection.pipeline(Self.evalSHA(sha, keys, arguments))[0]
            if forgetIfNotLoaded(reply) { continue }
            return reply
        }
        return .error("NOSCRIPT the script could not be loaded")
    }

    /// True, and the SHA forgotten, when `reply` is NOSCRIPT: Redis restarted or flushed its scripts.
    private mutating func forgetIfNotLoaded(_ reply: RedisReply) -> Bool {
        guard let message = reply.errorMessage, message.hasPrefix("NOSCRIPT") else { return false }
        sha = nil
        return true
    }

    private static func evalSHA(_ sha: String, _ keys: [String], _ arguments: [[UInt8]]) -> RedisPipeline {
        let size = keys.reduce(64) { $0 + $1.utf8.count + 16 } + arguments.reduce(0) { $0 + $1.count + 16 }
        var pipeline = RedisPipeline(reservingCapacity: size)
        pipeline.beginCommand("EVALSHA", argumentCount: 2 + keys.count + arguments.count)
        pipeline.appendArgument(sha)
        pipeline.appendArgument(keys.count)
        for key in keys { pipeline.appendArgument(key) }
        for argument in arguments { pipeline.appendArgument(argument) }
        return pipeline
    }

    /// Why SCRIPT LOAD did not give a SHA, as the reply the script's caller receives instead.
    private struct LoadRefusal: Error {
        var reply: RedisReply
    }

    private mutating func loadedSHA(on connection: RedisConnection) throws(RedisClientError) -> Result<String, LoadRefusal> {
        if let sha { return .success(sha) }
        let reply = try connection.send("SCRIPT", "LOAD", source)
        guard let loaded = reply.string, reply.errorMessage == nil else {
            return .failure(LoadRefusal(reply: .error("SCRIPT LOAD refused: \(reply.errorMessage ?? "no SHA in the reply")")))
        }
        sha = loaded
        return .success(loaded)
    }
}
