import CFuzzer
import Glibc

/// Runs libFuzzer on the target named by SWIFTBEAT_FUZZ_TARGET, with libFuzzer's flags and corpus
/// folders as arguments: every argument that is not a flag is a corpus folder to libFuzzer, so the
/// target comes from the environment. Stops with one line when it names no target.
@main
enum SwiftbeatFuzz {
    static func main() {
        _ = selectedTarget
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
    }
}

/// Also under libFuzzer's name, which its runtime refers to.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : [UInt8](UnsafeBufferPointer(start: data, count: size))
    selectedTarget.run(bytes)
    return 0
}

let selectedTarget: FuzzTarget = {
    let name = getenv("SWIFTBEAT_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let target = FuzzTarget.all.first(where: { $0.name == name }) else {
        let names = FuzzTarget.all.map(\.name).joined(separator: ", ")
        let line = "swiftbeat-fuzz: set SWIFTBEAT_FUZZ_TARGET to one of: \(names)\n"
        _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
        exit(2)
    }
    return target
}()
