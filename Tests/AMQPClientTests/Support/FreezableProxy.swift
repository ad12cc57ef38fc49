import Foundation
import Glibc
import Synchronization

/// A TCP proxy on 127.0.0.1 in front of the broker that can stop forwarding in both directions
/// while keeping every socket open: to the client, a broker that died without closing TCP (a
/// vanished host, a frozen VM). Used to see heartbeats detect a dead connection.
///
/// Each accepted connection gets two forwarding threads that poll with a short timeout, so
/// `stop()` (also run on release) ends them all within a fraction of a second.
final class FreezableProxy: Sendable {
    let port: Int
    private let listener: Int32
    private let targetPort: Int
    private let frozen = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)

    init(targetPort: Int) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw TestClientError("socket() failed") }
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(listener, 16) == 0 else {
            close(listener)
            throw TestClientError("bind/listen failed")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.listener = listener
        self.port = Int(UInt16(bigEndian: address.sin_port))
        self.targetPort = targetPort
        Thread { [self] in acceptLoop() }.start()
    }

    deinit {
        stop()
    }

    /// Stop (true) or resume (false) forwarding bytes; sockets stay open either way.
    func freeze(_ isFrozen: Bool) {
        frozen.store(isFrozen, ordering: .sequentiallyConsistent)
    }

    func stop() {
        if stopped.exchange(true, ordering: .sequentiallyConsistent) { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return address
    }

    private func acceptLoop() {
        while !stopped.load(ordering: .sequentiallyConsistent) {
            var pending = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&pending, 1, 100) == 1 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: targetPort)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard connected == 0 else {
                close(client)
                close(server)
                continue
            }
            let pair = SocketPair(client: client, server: server)
            Thread { [self] in forward(from: client, to: server, pair: pair) }.start()
            Thread { [self] in forward(from: server, to: client, pair: pair) }.start()
        }
    }

    /// Both sockets of one proxied connection, closed when both directions are done.
    private final class SocketPair: Sendable {
        let client: Int32
        let server: Int32
        let open = Atomic<Int>(2)
        init(client: Int32, server: Int32) {
            self.client = client
            self.server = server
        }
        func directionDone() {
            shutdown(client, Int32(SHUT_RDWR))
            shutdown(server, Int32(SHUT_RDWR))
            if open.subtract(1, ordering: .sequentiallyConsistent).newValue == 0 {
                close(client)
                close(server)
            }
        }
    }

    private func forward(from source: Int32, to destination: Int32, pair: SocketPair) {
        defer { pair.directionDone() }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while !stopped.load(ordering: .sequentiallyConsistent) {
            if frozen.load(ordering: .sequentiallyConsistent) {
                var nothing = pollfd(fd: -1, events: 0, revents: 0)
                _ = poll(&nothing, 0, 50)
                continue
            }
            var pending = pollfd(fd: source, events: Int16(POLLIN), revents: 0)
            guard poll(&pending, 1, 100) == 1 else { continue }
            let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            guard count > 0 else { return }
            var written = 0
            while written < count {
                // send with MSG_NOSIGNAL: a peer that closed must not SIGPIPE the test process.
                let result = buffer.withUnsafeBytes {
                    send(destination, $0.baseAddress! + written, count - written, Int32(MSG_NOSIGNAL))
                }
                guard result > 0 else { return }
                written += result
            }
        }
    }
}
