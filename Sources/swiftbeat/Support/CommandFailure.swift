#if canImport(Glibc)
import Glibc
#endif

/// How a command fails: one line that names the problem, and an exit code scripts can act on.
struct CommandFailure: Error, CustomStringConvertible {
    enum Code: Int32 {
        /// Bad input or a missing entry: retrying the same command will not help.
        case badInput = 1
        /// A connection or server error: retrying later may help.
        case unavailable = 2
    }

    var code: Code
    var message: String

    static func badInput(_ message: String) -> CommandFailure {
        CommandFailure(code: .badInput, message: message)
    }

    static func unavailable(_ message: String) -> CommandFailure {
        CommandFailure(code: .unavailable, message: message)
    }

    var description: String { message }

    func exit() -> Never {
        StandardError.write("swiftbeat: \(message)\n")
        Glibc.exit(code.rawValue)
    }
}

