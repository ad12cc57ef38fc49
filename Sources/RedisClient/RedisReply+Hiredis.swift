internal import CHiredis

extension RedisReply {
    /// Copies a hiredis reply into a `RedisReply` and frees it.
    ///
    /// The only place in the module that calls `freeReplyObject`: every reply hiredis hands
    /// over passes through here, is copied, and is freed before anything else can happen to
    /// it, so no reply can leak or be freed twice and no Swift value points into C memory.
    static func consuming(_ reply: UnsafeMutableRawPointer) -> RedisReply {
        defer { freeReplyObject(reply) }
        return RedisReply(copying: reply.assumingMemoryBound(to: redisReply.self))
    }

    private init(copying reply: UnsafePointer<redisReply>) {
        let reply = reply.pointee
        switch reply.type {
        case REDIS_REPLY_STATUS:
            self = .status(Self.text(reply.str, reply.len))
        case REDIS_REPLY_ERROR:
            self = .error(Self.text(reply.str, reply.len))
        case REDIS_REPLY_INTEGER:
            self = .integer(Int64(reply.integer))
        case REDIS_REPLY_STRING:
            self = .bulk(reply.len == 0 ? [] : [UInt8](UnsafeRawBufferPointer(start: reply.str, count: reply.len)))
        case REDIS_REPLY_NIL:
            self = .null
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            elements.reserveCapacity(reply.elements)
            for index in 0..<reply.elements {
                if let element = reply.element[index] {
                    elements.append(RedisReply(copying: element))
                } else {
                    elements.append(.null)
                }
            }
            self = .array(elements)
        default:
            // hiredis 0.14 builds only the six types above; a seventh would be a hiredis bug.
            self = .error("hiredis returned a reply of unknown type \(reply.type)")
        }
    }

    private static func text(_ bytes: UnsafeMutablePointer<CChar>?, _ count: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(start: bytes, count: bytes == nil ? 0 : count), as: UTF8.self)
    }
}
