/// Why a config file or a setting cannot be used, as one line that names the file (and line) or the
/// environment variable, the setting and the problem:
/// `swiftbeat.yaml line 4: task_routes: route "reports.*": a route must be a queue name or a mapping of options, not number`.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
