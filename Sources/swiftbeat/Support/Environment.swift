#if canImport(Glibc)
import Glibc
#endif

/// The process environment: the one place swiftbeat reads variables, so each setting's
/// precedence (flag, then variable, then default) is decided next to its flag and nowhere else.
enum Environment {
    static func value(_ name: String) -> String? {
        guard let pointer = getenv(name) else { return nil }
        let value = String(cString: pointer)
        return value.isEmpty ? nil : value
    }

    /// The first of `names` that is set.
    static func first(_ names: String...) -> String? {
        names.lazy.compactMap(value).first
    }
}
