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

    /// Installs the handlers for SIGTERM and SIGINT and unblocks both; call once per process, on
    /// the thread that runs the loop.
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
        // The signal mask is inherited across exec: a parent that blocks SIGTERM in the spawning
        // thread (a supervisor, a test runner's worker thread) would leave the beat deaf to it,
        // so it could only be killed, never released its lock, and a standby waited out the TTL.
        var handled = sigset_t()
        sigemptyset(&handled)
        sigaddset(&handled, SIGTERM)
        sigaddset(&handled, SIGINT)
        sigprocmask(SIG_UNBLOCK, &handled, nil)
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
