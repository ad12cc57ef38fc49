import RedisClient
import Testing
import TestSupport

@Suite("Writing ahead: commands sent now, their replies read later", .timeLimit(.minutes(1)))
struct RedisWriteAheadTests {
    @Test("replies of several writes come back in the order written, and the commands ran in that order")
    func repliesInOrder() throws {
        try RedisServer.with { server in
            let redis = try connect(server)
            var written: [RedisConnection.PendingReplies] = []
            for chunk in 0..<3 {
                var pipeline = RedisPipeline()
                for index in 0..<500 { pipeline.append("RPUSH", "list", "item-\(chunk * 500 + index)") }
                written.append(try redis.write(pipeline))
            }
            for (chunk, pending) in written.enumerated() {
                #expect(pending.count == 500)
                #expect(try redis.readReplies(pending) == (1...500).map { RedisReply.integer(Int64(chunk * 500 + $0)) })
            }
            #expect(try redis.send("LRANGE", "list", 0, -1).array == (0..<1500).map { bulk("item-\($0)") })
        }
    }

    @Test("plain calls and out-of-order reads are refused while replies are unread; reset drops them")
    func misuseIsRefused() throws {
        try RedisServer.with { server in
            let redis = try connect(server)
            var first = RedisPipeline()
            first.append("SET", "a", "1")
            var second = RedisPipeline()
            second.append("GET", "a")
            let pendingFirst = try redis.write(first)
            let pendingSecond = try redis.write(second)
            #expect { try redis.send("PING") } throws: { ($0 as? RedisClientError)?.kind == .misuse }
            #expect { try redis.readReplies(pendingSecond) } throws: { ($0 as? RedisClientError)?.kind == .misuse }
            #expect(try redis.readReplies(pendingFirst) == [.status("OK")])
            #expect(try redis.readReplies(pendingSecond) == [bulk("1")])
            #expect(try redis.send("PING") == .status("PONG"))

            let dropped = try redis.write(second)
            redis.reset()
            #expect { try redis.readReplies(dropped) } throws: { ($0 as? RedisClientError)?.kind == .connectionClosed }
            #expect(try redis.send("GET", "a") == bulk("1"))
        }
    }
}
