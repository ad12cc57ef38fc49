/// Standard base64 with padding, as Python's `base64.b64encode` writes it (kombu's Redis body encoding).
enum Base64 {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Appends the encoding of `input` to `output`, so envelopes are written in one buffer. The
    /// room is added first and filled in place: one append per character cost more than encoding.
    static func encode(_ input: [UInt8], into output: inout [UInt8]) {
        let start = output.count
        output.append(contentsOf: repeatElement(UInt8(ascii: "="), count: (input.count + 2) / 3 * 4))
        input.withUnsafeBufferPointer { input in
            alphabet.withUnsafeBufferPointer { alphabet in
                output.withUnsafeMutableBufferPointer { output in
                    var index = 0
                    var position = start
                    func put(_ chunk: UInt32, _ shift: UInt32) {
                        output[position] = alphabet[Int(chunk >> shift & 63)]
                        position += 1
                    }
                    while index + 3 <= input.count {
                        let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
                        put(chunk, 18)
                        put(chunk, 12)
                        put(chunk, 6)
                        put(chunk, 0)
                        index += 3
                    }
                    let remaining = input.count - index
                    if remaining > 0 {
                        // The padding '=' is already in place.
                        var chunk = UInt32(input[index]) << 16
                        if remaining == 2 { chunk |= UInt32(input[index + 1]) << 8 }
                        put(chunk, 18)
                        put(chunk, 12)
                        if remaining == 2 { put(chunk, 6) }
                    }
                }
            }
        }
    }
}
