/// An entry's two hash fields as one byte string: `definition`, a NUL byte, then `meta` (empty when
/// the hash has none). JSON text never holds a raw NUL, so the split is unambiguous; and as one
/// string the runner fingerprints, compares and hands around a RedBeat entry exactly as it does a
/// celerybeat-redis value, with no second code path for "has it changed".
public enum RedBeatStoredValue {
    public static func joined(definition: [UInt8], meta: [UInt8]?) -> [UInt8] {
        var bytes = definition
        bytes.reserveCapacity(definition.count + 1 + (meta?.count ?? 0))
        bytes.append(0)
        if let meta { bytes += meta }
        return bytes
    }

    /// The two fields back; nil when `bytes` was not made by `joined`.
    public static func split(_ bytes: [UInt8]) -> (definition: ArraySlice<UInt8>, meta: ArraySlice<UInt8>)? {
        guard let separator = bytes.firstIndex(of: 0) else { return nil }
        return (bytes[..<separator], bytes[(separator + 1)...])
    }
}
