#if canImport(Glibc)
import Glibc
#endif

/// sd_notify(3) in a few lines: each state ("READY=1", "WATCHDOG=1", "STATUS=...") is one
/// datagram to the unix socket systemd names in `NOTIFY_SOCKET`. libsystemd is not linked for
/// this: it would be a library mapped into every beat for one `sendto`.
public final class SystemdNotifier {
    private let descriptor: Int32
    private var address = sockaddr_un()
    private let addressLength: socklen_t

    /// Nil when `notifySocket` (the `NOTIFY_SOCKET` value) is unset or unusable: not under systemd.
    /// A leading "@" names an abstract socket (a NUL first byte), as systemd writes it.
    public init?(notifySocket: String?) {
        guard let notifySocket, notifySocket.hasPrefix("/") || notifySocket.hasPrefix("@") else { return nil }
        var path = Array(notifySocket.utf8)
        if path.first == UInt8(ascii: "@") { path[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.count < capacity else { return nil }
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        self.descriptor = descriptor
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { bytes in
            for (index, byte) in path.enumerated() { bytes[index] = byte }
        }
        // An abstract name is exactly its bytes long; a path ends at its NUL.
        addressLength = socklen_t(MemoryLayout<sa_family_t>.size + path.count + (path.first == 0 ? 0 : 1))
    }

    deinit {
        close(descriptor)
    }

    /// Sends one notification ("READY=1", or several lines); false when systemd did not take it.
    @discardableResult
    public func send(_ state: String) -> Bool {
        var bytes = Array(state.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                sendto(descriptor, &bytes, bytes.count, Int32(MSG_NOSIGNAL), socketAddress, addressLength)
            }
        }
        return sent == bytes.count
    }

    /// How often to send "WATCHDOG=1", in microseconds: half of `WATCHDOG_USEC`, as sd_watchdog_enabled(3)
    /// advises; nil when no watchdog is set, or it is for another process (`WATCHDOG_PID`).
    public static func watchdogInterval(watchdogMicroseconds: String?, watchdogPID: String?) -> Int64? {
        guard let text = watchdogMicroseconds, let microseconds = Int64(text), microseconds > 0 else { return nil }
        if let watchdogPID, Int32(watchdogPID) != getpid() { return nil }
        return microseconds / 2
    }
}
