import Glibc

public enum FreePort {
    /// A TCP port on 127.0.0.1 that nothing listens on right now, chosen by the kernel.
    ///
    /// Another process may take it before the caller binds it; callers that start a server
    /// on it retry with a new port when the bind fails (as `RedisServer.start` does).
    public static func loopback() -> Int {
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        precondition(socketDescriptor >= 0, "socket(): \(String(cString: strerror(errno)))")
        defer { close(socketDescriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(socketDescriptor, address, length) == 0 && getsockname(socketDescriptor, address, &length) == 0
            }
        }
        precondition(bound, "bind(127.0.0.1:0): \(String(cString: strerror(errno)))")
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
