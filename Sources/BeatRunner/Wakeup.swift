#if canImport(Glibc)
import Glibc
#endif

/// The write end of the self-pipe, for the signal handler. A signal handler may only touch
/// async-signal-safe state: one file descriptor set before the handler is installed, and `write`.
nonisolated(unsafe) private var shutdownPipeWriter: Int32 = -1

private func requestShutdown(_ signal: Int32) {
    var byte = UInt8(truncatingIfNeeded: signal)
    _ = write(shutdownPipeWriter, &byte, 1)
}

/// Where the loop sleeps: until a deadline, a shutdown signal (SIGTERM, SIGINT) or a message on
/// the change subscription, whichever comes first. One `poll(2)` over a self-pipe and the
/// subscription's socket, so an idle beat uses no CPU and still reacts at once.
final class Wakeup {
    private let reader: Int32
    private(set) var shutdownRequested = false

    /// Installs the handlers for SIGTERM and SIGINT; call once per process.
    init() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
        }
        reader = fds[0]
        shutdownPipeWriter = fds[1]
        signal(SIGTERM, requestShutdown)
        signal(SIGINT, requestShutdown)
        // A parent may start us with these signals blocked (the mask is inherited: Foundation's
        // Process and threads of libdispatch block most signals); blocked, SIGTERM would never
        // arrive and an orchestrator would have to SIGKILL the beat, leaving its lock to expire.
        var shutdownSignals = sigset_t()
        sigemptyset(&shutdownSignals)
        sigaddset(&shutdownSignals, SIGTERM)
        sigaddset(&shutdownSignals, SIGINT)
        sigprocmask(SIG_UNBLOCK, &shutdownSignals, nil)
    }

    /// Sleeps up to `microseconds`; returns early when a signal arrives or `socket` is readable.
    func wait(microseconds: Int64, socket: Int32?) {
        guard !shutdownRequested else { return }
        var fds = [pollfd(fd: reader, events: Int16(POLLIN), revents: 0)]
        if let socket { fds.append(pollfd(fd: socket, events: Int16(POLLIN), revents: 0)) }
        let milliseconds = Int32(clamping: max(0, (microseconds + 999) / 1000))
        _ = poll(&fds, nfds_t(fds.count), milliseconds)
        drainSignals()
    }

    /// Notices a signal that arrived while the loop was busy.
    func drainSignals() {
        var buffer = [UInt8](repeating: 0, count: 16)
        while read(reader, &buffer, buffer.count) > 0 {
            shutdownRequested = true
        }
    }
}
