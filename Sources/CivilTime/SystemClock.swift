#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The real clocks. Only the edges (the runner and the command line) read them:
/// everything that decides when to fire takes the time as a parameter, so it can be tested without sleeping.
public enum SystemClock {
    /// The wall clock, for deciding what is due and for stamping `last_run_at`.
    public static func now() -> Instant {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Instant(microsecondsSinceEpoch: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000)
    }

    /// A clock that never jumps and keeps counting while the process is stopped or the machine suspended
    /// (`CLOCK_BOOTTIME`), for sleeping and for judging how long a lock may still be trusted.
    public static func monotonicMicroseconds() -> Int64 {
        var spec = timespec()
        #if os(Linux)
        clock_gettime(CLOCK_BOOTTIME, &spec)
        #else
        clock_gettime(CLOCK_MONOTONIC, &spec)
        #endif
        return Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000
    }
}
