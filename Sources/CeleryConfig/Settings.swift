public import JSON

/// Settings from the environment and the config file, for the command line to put under its flags:
/// a flag wins, then the first environment variable of the setting that is set, then the config
/// file, then the default (each command applies its flag and its default).
///
/// No module reads the environment itself: the command line hands its lookup in.
public struct Settings: Sendable {
    public let file: ConfigFile?
    let environment: @Sendable (String) -> String?

    public init(file: ConfigFile?, environment: @escaping @Sendable (String) -> String?) {
        self.file = file
        self.environment = environment
    }

    /// A setting's value and where it came from, for messages.
    public struct Value: Sendable {
        public var value: JSONValue
        /// `environment variable CELERY_TASK_ROUTES` or `swiftbeat.yaml line 4: task_routes`.
        public var origin: String
        /// Whether it came from an environment variable, as text.
        public var isText: Bool
        /// The config file's line, when it came from one.
        public var line: Int?

        /// An error about this value, naming where it came from.
        public func error(_ reason: String) -> ConfigError {
            ConfigError("\(origin): \(reason)")
        }
    }

    public func value(_ setting: Setting) -> Value? {
        for variable in setting.environment {
            if let text = environment(variable), !text.isEmpty {
                return Value(value: .string(text), origin: "environment variable \(variable)", isText: true)
            }
        }
        guard let file, let value = file.values[setting.name] else { return nil }
        return Value(value: value, origin: file.place(of: setting), isText: false, line: file.lines[setting.name])
    }

    /// Where a value a command refuses came from, for its one line: the flag when one was given,
    /// else the environment variable or the config file's line, else `fallback`.
    public func source(of setting: Setting, flag: String, given: Bool, fallback: String? = nil) -> String {
        given ? flag : value(setting)?.origin ?? fallback ?? flag
    }

    public func string(_ setting: Setting) throws(ConfigError) -> String? {
        guard let found = value(setting), !found.value.isNull else { return nil }
        guard let text = found.value.stringValue else { throw found.error("expected a string, not \(found.value.typeName)") }
        return text
    }

    /// A number; from the environment, its text.
    public func number(_ setting: Setting) throws(ConfigError) -> Double? {
        guard let found = value(setting), !found.value.isNull else { return nil }
        if let number = found.value.numberValue { return number.doubleValue }
        if found.isText, let text = found.value.stringValue, let number = Double(text), number.isFinite { return number }
        throw found.error("expected a number, not \(found.isText ? "\"\(found.value.stringValue ?? "")\"" : found.value.typeName)")
    }

    public func integer(_ setting: Setting) throws(ConfigError) -> Int? {
        guard let number = try number(setting) else { return nil }
        guard number == number.rounded(), abs(number) < 1e15 else {
            throw value(setting)!.error("expected an integer, not \(number)")
        }
        return Int(number)
    }

    /// A boolean; from the environment `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`.
    public func bool(_ setting: Setting) throws(ConfigError) -> Bool? {
        guard let found = value(setting), !found.value.isNull else { return nil }
        if case .bool(let bool) = found.value { return bool }
        if found.isText, let text = found.value.stringValue?.lowercased() {
            if ["true", "1", "yes", "on"].contains(text) { return true }
            if ["false", "0", "no", "off"].contains(text) { return false }
        }
        throw found.error("expected true or false, not \(found.isText ? "\"\(found.value.stringValue ?? "")\"" : found.value.typeName)")
    }

    /// A structured value (a mapping, a list); from the environment, JSON text.
    public func json(_ setting: Setting) throws(ConfigError) -> Value? {
        guard var found = value(setting), !found.value.isNull else { return nil }
        if found.isText, let text = found.value.stringValue {
            do {
                found.value = try JSONParser.parse(Array(text.utf8))
            } catch {
                throw found.error("invalid JSON: \(error.reason)")
            }
        }
        return found
    }
}
