import ArgumentParser
import CeleryConfig
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// `run`'s HTTP endpoint and log format. Off and text unless asked for.
struct ObservabilityOptions: ParsableArguments {
    @Option(
        name: .customLong("http"),
        help: ArgumentHelp(
            "Serve /metrics, /healthz, /readyz and a status page on this address (also SWIFTBEAT_HTTP, config key http).",
            discussion: "An IP address and a port: 127.0.0.1:9808, 0.0.0.0:9808 or [::1]:9808. Default: off.",
            valueName: "host:port"))
    var http: String?

    @Option(
        name: .customLong("log-format"),
        help: ArgumentHelp(
            "text (key=value lines) or json (one object per line) (also SWIFTBEAT_LOG_FORMAT, config key log_format).",
            discussion: "Default: text."))
    var logFormat: String?

    /// The flags and the environment are checked as soon as they are parsed; the config file's
    /// values when `run` reads it.
    func validate() throws {
        let settings = Settings(file: nil, environment: { Environment.value($0) })
        _ = try httpAddress(settings)
        _ = try resolvedLogFormat(settings)
    }

    func resolvedLogFormat(_ settings: Settings) throws -> String {
        let format = try logFormat ?? readSetting({ () throws(ConfigError) in try settings.string(.logFormat) }) ?? "text"
        guard ["text", "json"].contains(format) else {
            let source = settings.source(of: .logFormat, flag: "--log-format", given: logFormat != nil)
            throw ValidationError("\(source) must be text or json, not \(format)")
        }
        return format
    }

    /// The address to serve on: the flag, else SWIFTBEAT_HTTP, else the config file's `http`; nil
    /// when none is set.
    func httpAddress(_ settings: Settings) throws -> (host: String, port: UInt16)? {
        guard let text = try http ?? readSetting({ () throws(ConfigError) in try settings.string(.http) }) else { return nil }
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else {
            throw ValidationError("--http must be HOST:PORT, such as 127.0.0.1:9808, not \(text)")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard Self.isIPAddress(host) else {
            throw ValidationError("--http needs an IP address before the port, such as 0.0.0.0:\(port), not \(host)")
        }
        return (host, port)
    }

    /// An IPv4 or IPv6 literal: the server binds one address, and a host name could name several.
    static func isIPAddress(_ host: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET, host, &address) == 1 || inet_pton(AF_INET6, host, &address) == 1
    }

    func bootstrapLogging(level: Logger.Level, _ settings: Settings) throws {
        if try resolvedLogFormat(settings) == "json" {
            LoggingSystem.bootstrap { _ in JSONLogHandler(logLevel: level) }
        } else {
            LoggingSystem.bootstrap { _ in LineLogHandler(logLevel: level) }
        }
    }
}
