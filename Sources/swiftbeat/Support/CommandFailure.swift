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

/// Unbuffered writes to stderr, for errors and logs.
enum StandardError {
    static func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(2, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}
