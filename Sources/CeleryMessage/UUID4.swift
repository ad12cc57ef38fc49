/// Random (version 4) UUIDs in the lowercase hyphenated form Celery uses for task ids and kombu
/// for Redis delivery tags.
///
/// A beat sends thousands of messages a second and needs two UUIDs for each, so they come from
/// xoshiro256** seeded once from the system's random source instead of one `getrandom` call per UUID.
/// They need to be unique, not secret: nothing is authorised by knowing a task id.
public struct UUID4Generator: Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    public init() {
        var system = SystemRandomNumberGenerator()
        self.init(seed: (system.next(), system.next(), system.next(), system.next()))
    }

    /// A reproducible sequence, for tests.
    public init(seed: (UInt64, UInt64, UInt64, UInt64)) {
        state = seed
        if state == (0, 0, 0, 0) { state.0 = 0x9E37_79B9_7F4A_7C15 }
    }

    public mutating func next() -> String {
        let high = nextWord() & 0xFFFF_FFFF_FFFF_0FFF | 0x0000_0000_0000_4000
        let low = nextWord() & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000
        return Self.format(high: high, low: low)
    }

    private mutating func nextWord() -> UInt64 {
        let result = (state.1 &* 5).rotatedLeft(by: 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = state.3.rotatedLeft(by: 45)
        return result
    }

    private static func format(high: UInt64, low: UInt64) -> String {
        String(unsafeUninitializedCapacity: 36) { buffer in
            var position = 0
            // Hex digits computed, not looked up: a table here was an array allocated per UUID.
            func put(_ word: UInt64, nibbles: ClosedRange<Int>) {
                for index in nibbles.reversed() {
                    let nibble = UInt8(truncatingIfNeeded: word >> UInt64(index * 4)) & 0xF
                    buffer[position] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") - 10 + nibble
                    position += 1
                }
            }
            put(high, nibbles: 8...15)
            buffer[position] = UInt8(ascii: "-"); position += 1
            put(high, nibbles: 4...7)
            buffer[position] = UInt8(ascii: "-"); position += 1
            put(high, nibbles: 0...3)
            buffer[position] = UInt8(ascii: "-"); position += 1
            put(low, nibbles: 12...15)
            buffer[position] = UInt8(ascii: "-"); position += 1
            put(low, nibbles: 0...11)
            return position
        }
    }
}

extension UInt64 {
    fileprivate func rotatedLeft(by count: UInt64) -> UInt64 {
        self << count | self >> (64 - count)
    }
}
