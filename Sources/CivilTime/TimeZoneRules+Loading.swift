#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

extension TimeZoneRules {
    /// Where the compiled tz database lives: `$TZDIR` when set (the convention glibc and Python's
    /// `zoneinfo` follow), else `/usr/share/zoneinfo` (Debian's `tzdata` package).
    public static var defaultDirectory: String {
        if let value = getenv("TZDIR"), value.pointee != 0 {
            return String(cString: value)
        }
        return "/usr/share/zoneinfo"
    }

    /// The zone named `identifier`, read from `directory` (default: `defaultDirectory`) on first use
    /// and cached for the life of the process: this is the only I/O time zones ever do.
    ///
    /// `"UTC"` and `"Etc/UTC"` need no file, so they work on hosts without tzdata.
    public static func load(identifier: String, directory: String? = nil) throws(TimeZoneError) -> TimeZoneRules {
        if identifier == "UTC" || identifier == "Etc/UTC" {
            return identifier == "UTC" ? .utc : TimeZoneRules(fixedOffsetSeconds: 0, identifier: identifier)
        }
        let directory = directory ?? defaultDirectory
        let key = directory + "\u{0}" + identifier
        if let cached = cache.withLock({ $0[key] }) {
            return cached
        }
        guard isPlausibleName(identifier) else {
            throw TimeZoneError(identifier: identifier, detail: .invalidName)
        }
        let path = directory.hasSuffix("/") ? directory + identifier : directory + "/" + identifier
        let bytes: [UInt8]
        do {
            bytes = try readFile(path)
        } catch {
            throw TimeZoneError(identifier: identifier, detail: error)
        }
        let zone = try TimeZoneRules(tzif: bytes, identifier: identifier, path: path)
        cache.withLock { $0[key] = zone }
        return zone
    }

    private static let cache = Mutex<[String: TimeZoneRules]>([:])

    /// IANA names are ASCII path components of letters, digits, `_`, `-`, `+` and `.`; anything that
    /// could climb out of the directory or is empty is refused before touching the file system.
    private static func isPlausibleName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 255, !name.hasPrefix("/") else { return false }
        for component in name.split(separator: "/", omittingEmptySubsequences: false) {
            guard !component.isEmpty, component != ".", component != ".." else { return false }
            for byte in component.utf8 {
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "+"),
                    UInt8(ascii: "."):
                    continue
                default:
                    return false
                }
            }
        }
        return true
    }

    /// Reads a whole regular file of at most 1 MiB (the largest TZif file is under 10 KiB).
    private static func readFile(_ path: String) throws(TimeZoneError.Detail) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR {
                throw .notFound(path: path)
            }
            throw .unreadable(path: path, reason: String(cString: strerror(code)))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw .notFound(path: path)
        }
        let limit = 1 << 20
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            guard bytes.count <= limit else {
                throw .malformedFile(path: path, reason: "it is larger than 1 MiB")
            }
        }
        return bytes
    }
}
