import RedisClient
import Testing

@Suite("RedisReply conveniences and pub/sub decoding")
struct RedisReplyTests {
    @Test("conveniences read only the cases they name")
    func conveniences() {
        #expect(RedisReply.status("OK").isOK)
        #expect(!RedisReply.bulk(Array("OK".utf8)).isOK)
        #expect(RedisReply.status("PONG").string == "PONG")
        #expect(RedisReply.bulk(Array("héllo".utf8)).string == "héllo")
        #expect(RedisReply.bulk([0xFF, 0xFE]).string == nil)
        #expect(RedisReply.bulk([0xFF]).bytes == [0xFF])
        #expect(RedisReply.integer(42).integer == 42)
        #expect(RedisReply.bulk(Array("17".utf8)).integer == 17)
        #expect(RedisReply.status("17").integer == nil)
        #expect(RedisReply.error("ERR x").errorMessage == "ERR x")
        #expect(RedisReply.error("ERR x").string == nil)
        #expect(RedisReply.null.isNull)
        #expect(RedisReply.array([.null]).array == [.null])
    }

    @Test("pub/sub pushes decode to events; other replies do not")
    func pubSubEvents() {
        func bulk(_ text: String) -> RedisReply { .bulk(Array(text.utf8)) }
        #expect(
            RedisPubSubEvent(.array([bulk("message"), bulk("beat"), .bulk([0, 1])]))
                == .message(channel: "beat", pattern: nil, payload: [0, 1]))
        #expect(
            RedisPubSubEvent(.array([bulk("pmessage"), bulk("beat:*"), bulk("beat:x"), bulk("p")]))
                == .message(channel: "beat:x", pattern: "beat:*", payload: Array("p".utf8)))
        #expect(RedisPubSubEvent(.array([bulk("subscribe"), bulk("beat"), .integer(1)])) == .subscribed(channelOrPattern: "beat", count: 1))
        #expect(RedisPubSubEvent(.array([bulk("psubscribe"), bulk("b*"), .integer(2)])) == .subscribed(channelOrPattern: "b*", count: 2))
        #expect(RedisPubSubEvent(.array([bulk("unsubscribe"), bulk("beat"), .integer(0)])) == .unsubscribed(channelOrPattern: "beat", count: 0))
        #expect(RedisPubSubEvent(.status("OK")) == nil)
        #expect(RedisPubSubEvent(.array([bulk("message"), bulk("beat")])) == nil)
    }
}
