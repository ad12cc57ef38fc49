import Foundation
import Glibc
import Synchronization

/// A TCP proxy on 127.0.0.1 in front of a server that can stop forwarding in both directions
/// while keeping every socket open: to the client, a server that died without closing TCP (a
/// vanished host, a frozen VM, a network partition). Used to see heartbeats detect a dead
/// connection, and (`freezeUpstream(atOccurrence:of:)`) to cut a client off at an exact point of
/// its conversation, such as its second Redis `EXEC`.
///
/// Each accepted connection gets two forwarding threads that poll with a short timeout, so
/// `stop()` (also run on release) ends them all within a fraction of a second.
public final class FreezableProxy: Sendable {
    public let port: Int
    private let listener: Int32
    private let targetPort: Int
    private let frozen = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)
    /// What the client sends stops here (the server's answers still flow).
    private let upstreamFrozen = Atomic<Bool>(false)
    /// When upstream froze, in microseconds since the epoch (0: not yet).
    private let upstreamFrozenMicroseconds = Atomic<Int64>(0)
    private let trigger = Mutex<(pattern: [UInt8], remaining: Int)?>(nil)

    public init(targetPort: Int) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw ProxyError("socket() failed") }
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(listener, 16) == 0 else {
            close(listener)
            throw ProxyError("bind/listen failed")
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
    public func freeze(_ isFrozen: Bool) {
        frozen.store(isFrozen, ordering: .sequentiallyConsistent)
    }

    /// Arms the proxy: the chunk of client bytes (on any connection) that holds the `occurrence`-th
    /// copy of `pattern` from now on is held back, and nothing more from any client reaches the
    /// server until `thawUpstream()`; the server's replies to what it already got still arrive.
    public func freezeUpstream(atOccurrence occurrence: Int, of pattern: [UInt8]) {
        trigger.withLock { $0 = (pattern, occurrence) }
    }

    /// When the armed freeze happened (seconds since the epoch), or nil while it has not.
    public var upstreamFrozenAt: Double? {
        let microseconds = upstreamFrozenMicroseconds.load(ordering: .sequentiallyConsistent)
        return microseconds == 0 ? nil : Double(microseconds) / 1_000_000
    }

    /// Forwards what was held back, and everything after it.
    public func thawUpstream() {
        trigger.withLock { $0 = nil }
        upstreamFrozen.store(false, ordering: .sequentiallyConsistent)
    }

    public func stop() {
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
            Thread { [self] in forward(from: client, to: server, pair: pair, upstream: true) }.start()
            Thread { [self] in forward(from: server, to: client, pair: pair, upstream: false) }.start()
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

    private func forward(from source: Int32, to destination: Int32, pair: SocketPair, upstream: Bool) {
        defer { pair.directionDone() }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while !stopped.load(ordering: .sequentiallyConsistent) {
            if isHeld(upstream: upstream) {
                Self.pause()
                continue
            }
            var pending = pollfd(fd: source, events: Int16(POLLIN), revents: 0)
            guard poll(&pending, 1, 100) == 1 else { continue }
            let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            guard count > 0 else { return }
            if upstream && triggers(buffer[..<count]) {
                while isHeld(upstream: true) && !stopped.load(ordering: .sequentiallyConsistent) { Self.pause() }
            }
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

    private func isHeld(upstream: Bool) -> Bool {
        frozen.load(ordering: .sequentiallyConsistent) || (upstream && upstreamFrozen.load(ordering: .sequentiallyConsistent))
    }

    private static func pause() {
        var nothing = pollfd(fd: -1, events: 0, revents: 0)
        _ = poll(&nothing, 0, 20)
    }

    /// Counts the armed pattern in a chunk the client sent; true (and upstream frozen) when the
    /// chunk holds the awaited occurrence. (A copy split across two chunks is not counted.)
    private func triggers(_ chunk: ArraySlice<UInt8>) -> Bool {
        trigger.withLock { armed in
            guard let (pattern, remaining) = armed, !pattern.isEmpty, chunk.count >= pattern.count else { return false }
            var found = 0
            var index = chunk.startIndex
            while index <= chunk.endIndex - pattern.count {
                if chunk[index..<index + pattern.count].elementsEqual(pattern) {
                    found += 1
                    index += pattern.count
                } else {
                    index += 1
                }
            }
            guard found >= remaining else {
                armed = (pattern, remaining - found)
                return false
            }
            armed = nil
            upstreamFrozen.store(true, ordering: .sequentiallyConsistent)
            upstreamFrozenMicroseconds.store(Int64(Date().timeIntervalSince1970 * 1_000_000), ordering: .sequentiallyConsistent)
            return true
        }
    }
}

public struct ProxyError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
