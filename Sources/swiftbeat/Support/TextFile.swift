#if canImport(Glibc)
import Glibc
#endif

/// Reading and writing whole text files without Foundation (the binary stays small).
enum TextFile {
    static func read(_ path: String) throws(CommandFailure) -> String {
        guard let file = fopen(path, "rb") else {
            throw .badInput("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count > 0 { bytes.append(contentsOf: buffer[..<count]) }
            if count < buffer.count {
                if ferror(file) != 0 { throw .badInput("cannot read \(path): \(String(cString: strerror(errno)))") }
                break
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .badInput("\(path) is not UTF-8 text")
        }
        return text
    }
}

