public import RedisClient

/// Reading entry hashes: `HMGET key definition meta`, one command per entry, pipelined; each
/// reply becomes the entry's stored value (`RedBeatStoredValue`).
public enum RedBeatHashes {
    /// Appends the read of each key's two fields: one reply per key.
    public static func appendReads(of keys: some Sequence<String>, to pipeline: inout RedisPipeline) {
        for key in keys { pipeline.append("HMGET", key, "definition", "meta") }
    }

    /// The stored value in an HMGET reply; nil when the key does not exist or is not a hash (an
    /// error reply), which the caller tells apart with TYPE. A hash with no `definition` gives
    /// a value that the decoder rejects as such.
    public static func value(from reply: RedisReply) -> [UInt8]? {
        guard let fields = reply.array, fields.count == 2 else { return nil }
        let definition = fields[0].bytes
        let meta = fields[1].bytes
        if definition == nil && meta == nil { return nil }
        return RedBeatStoredValue.joined(definition: definition ?? [], meta: meta)
    }
}
