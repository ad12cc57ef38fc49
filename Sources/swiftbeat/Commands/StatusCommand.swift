import ArgumentParser
import BeatRunner
import RedisClient
#if canImport(Glibc)
import Glibc
#endif

/// `swiftbeat status`: is a leader sending, and who is it.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show who holds the beat's lock, for how long still, and how many entries there are.",
        discussion: """
            Exit status: 0 when a leader holds the lock, 3 when none does, 2 when Redis cannot be reached.

            Example:
              swiftbeat status --scheduler-url redis://127.0.0.1:6379/1
            """)

    @OptionGroup var config: ConfigOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup var lock: LockOptions

    func run() throws {
        let settings = try config.settings()
        let store = try self.store.resolved(settings)
        var lockKey = try self.lock.resolved(settings).resolvedKey
        if store.kind == .redBeat {
            lockKey = try RedBeatLockSettings.resolve(keyPrefix: store.resolvedKeyPrefix, lockKey: self.lock.key, lockTTL: nil, maxInterval: 1, settings).key
        }
        let redis = try store.connect()
        defer { redis.close() }
        let status: BeatStatus
        do {
            status = try BeatStatus.read(from: redis, lockKey: lockKey, keyPrefix: store.resolvedKeyPrefix, store: store.kind)
        } catch {
            throw CommandFailure.unavailable("cannot read the beat's state: \(error)")
        }
        if let sentinel = redis.discoveredBy, let group = redis.configuration.sentinel {
            // Which server answered matters once a failover can move the master; never the password.
            print("redis: master \(group.masterName ?? "?") at \(redis.endpoint) db \(redis.configuration.database), named by sentinel \(sentinel) of \(group.addresses)")
        }
        if let value = status.lockValue {
            let remaining = status.remainingMilliseconds.map { ", expires in \(Double($0) / 1000) s unless renewed" } ?? ""
            if let holder = status.holder {
                let since = holder.since.map { " since \($0)" } ?? ""
                print("lock \(status.lockKey): held by \(holder.host) pid \(holder.pid)\(since)\(remaining)")
            } else {
                print("lock \(status.lockKey): held by a process that is not swiftbeat (value \(value))\(remaining)")
            }
        } else {
            print("lock \(status.lockKey): not held; no beat is sending")
        }
        print("entries: \(status.entryCount) under \(store.resolvedKeyPrefix) (\(status.invalidEntries.count) invalid)")
        for invalid in status.invalidEntries {
            print("  invalid \(invalid.key): \(invalid.reason)")
        }
        if !status.isHeld { Glibc.exit(3) }
    }
}
