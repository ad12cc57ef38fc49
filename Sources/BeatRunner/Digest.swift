/// A fingerprint of an entry's stored bytes, to tell an edit from data already seen without
/// keeping (or re-parsing) the bytes. Fingerprints are only compared within one run, so a seed
/// drawn per process is all the protection they need, as with `Hasher`; this is a word-at-a-time
/// multiply-mix hash (wyhash's mixing) rather than `Hasher`'s SipHash because every entry of a
/// reload is fingerprinted, and SipHash took longer than the rest of reading an unchanged entry.
enum Digest {
    private static let seed = UInt64.random(in: .min ... .max)

    static func of(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBytes { raw in
            var state = seed ^ mix(UInt64(raw.count), 0x9E37_79B9_7F4A_7C15)
            var offset = 0
            while offset + 8 <= raw.count {
                state = mix(state ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self), 0xA076_1D64_78BD_642F)
                offset += 8
            }
            var tail: UInt64 = 0
            for (shift, position) in (offset..<raw.count).enumerated() {
                tail |= UInt64(raw[position]) << (8 * UInt64(shift))
            }
            state = mix(state ^ tail, 0xE703_7ED1_A0B4_28DB)
            return Int(truncatingIfNeeded: mix(state, 0x8EBC_6AF0_9C88_C6E3))
        }
    }

    /// The high and low halves of the full product, folded together.
    private static func mix(_ lhs: UInt64, _ rhs: UInt64) -> UInt64 {
        let product = lhs.multipliedFullWidth(by: rhs)
        return product.high ^ product.low
    }
}
