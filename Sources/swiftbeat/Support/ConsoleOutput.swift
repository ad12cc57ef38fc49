#if canImport(Glibc)
import Glibc
#endif

/// Unbuffered writes to a standard stream: errors and log lines go out whole and at once, and
/// output does not interleave oddly with them.
enum ConsoleOutput {
    static func write(_ text: String, to fileDescriptor: Int32) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(fileDescriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}

/// stderr, for errors and logs.
enum StandardError {
    static func write(_ text: String) {
        ConsoleOutput.write(text, to: 2)
    }
}

/// stdout, for a command's output.
enum StandardOutput {
    static func write(_ text: String) {
        ConsoleOutput.write(text, to: 1)
    }
}
