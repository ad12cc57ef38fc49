/// A fingerprint of an entry's stored bytes, to tell an edit from data already seen without
/// keeping (or re-parsing) the bytes. `Hasher` is seeded per process, which is all this needs:
/// fingerprints are only compared within one run.
enum Digest {
    static func of(_ bytes: [UInt8]) -> Int {
        var hasher = Hasher()
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        return hasher.finalize()
    }
}
