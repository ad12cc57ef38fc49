/// One redis command, already encoded as RESP.
///
/// Only the command's name is kept as text, for error messages; the arguments exist only
/// as bytes, so that an AUTH password or a message body can never end up in a log line.
public struct RedisCommand: Sendable, Equatable {
    /// The name as given, e.g. `GET`, for errors ("... closed the connection during GET").
    public let name: String
    /// The RESP encoding, exactly what is written to the socket.
    public let bytes: [UInt8]

    /// `RedisCommand("SET", key, value, "PX", 30_000)`: arguments of mixed types without
    /// boxing them into an array.
    public init<each Argument: RedisArgument>(_ name: String, _ arguments: repeat each Argument) {
        var bytes: [UInt8] = []
        RESPEncoding.appendCommand(to: &bytes, name, repeat each arguments)
        self.name = name
        self.bytes = bytes
    }

    /// For argument lists built at run time, e.g. `DEL` of many keys.
    public init(_ name: String, arguments: [any RedisArgument]) {
        var bytes: [UInt8] = []
        RESPEncoding.appendCommand(to: &bytes, name, arguments: arguments)
        self.name = name
        self.bytes = bytes
    }
}
