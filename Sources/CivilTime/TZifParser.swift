/// Reads the compiled time zone files that the `tzdata` package installs (TZif, RFC 8536).
///
/// Only what swiftbeat needs is kept: the instants at which the UTC offset changes, the offset after
/// each, the offset before the first, and the POSIX TZ footer that governs every instant after the
/// last listed transition. Abbreviations and the standard/wall and UT/local indicators are skipped.
enum TZifParser {
    struct Contents: Sendable {
        /// UTC seconds, strictly ascending, each an actual change of offset.
        var transitionTimes: [Int64]
        /// Seconds east of UTC from `transitionTimes[i]` on.
        var offsetsAfter: [Int]
        /// The offset before the first transition (time type 0).
        var initialOffset: Int
        /// The time of the last transition listed in the file (even one that changed only the
        /// abbreviation): the footer governs the instants after it.
        var lastListedTransition: Int64?
        /// The POSIX TZ footer; nil for version 1 files or an empty footer.
        var footer: String?
    }

    struct FormatError: Error {
        var reason: String
    }

    static func parse(_ bytes: [UInt8]) throws(FormatError) -> Contents {
        var reader = ByteReader(bytes: bytes)
        let first = try reader.header()
        guard first.version >= 2 else {
            return try reader.block(first, timeSize: 4, footerFollows: false)
        }
        try reader.skip(first.blockSize(timeSize: 4))
        let second = try reader.header()
        return try reader.block(second, timeSize: 8, footerFollows: true)
    }
}

private struct Header {
    var version: Int
    var isUTCCount: Int
    var isStandardCount: Int
    var leapCount: Int
    var timeCount: Int
    var typeCount: Int
    var characterCount: Int

    func blockSize(timeSize: Int) -> Int {
        timeCount * timeSize + timeCount + typeCount * 6 + characterCount + leapCount * (timeSize + 4)
            + isStandardCount + isUTCCount
    }
}

private struct ByteReader {
    typealias FormatError = TZifParser.FormatError
    let bytes: [UInt8]
    var index = 0

    mutating func skip(_ count: Int) throws(FormatError) {
        guard count <= bytes.count - index else { throw FormatError(reason: "the file is truncated") }
        index += count
    }

    mutating func header() throws(FormatError) -> Header {
        guard bytes.count - index >= 44 else { throw FormatError(reason: "the file is too short for a TZif header") }
        guard bytes[index..<index + 4].elementsEqual("TZif".utf8) else {
            throw FormatError(reason: "it does not start with \"TZif\"")
        }
        let versionByte = bytes[index + 4]
        let version: Int
        switch versionByte {
        case 0: version = 1
        case UInt8(ascii: "2")...UInt8(ascii: "9"): version = Int(versionByte - UInt8(ascii: "0"))
        default: throw FormatError(reason: "unknown version byte \(versionByte)")
        }
        index += 20
        let counts = (0..<6).map { _ in Int(readUInt32()) }
        let header = Header(
            version: version, isUTCCount: counts[0], isStandardCount: counts[1], leapCount: counts[2],
            timeCount: counts[3], typeCount: counts[4], characterCount: counts[5])
        guard header.typeCount >= 1 else { throw FormatError(reason: "it declares no local time types") }
        guard header.isUTCCount == 0 || header.isUTCCount == header.typeCount,
            header.isStandardCount == 0 || header.isStandardCount == header.typeCount
        else { throw FormatError(reason: "inconsistent indicator counts") }
        return header
    }

    mutating func block(_ header: Header, timeSize: Int, footerFollows: Bool) throws(FormatError) -> TZifParser.Contents {
        guard header.blockSize(timeSize: timeSize) <= bytes.count - index else {
            throw FormatError(reason: "the file is truncated")
        }
        guard header.leapCount == 0 else {
            throw FormatError(reason: "it lists leap seconds (a \"right/\" zone), which swiftbeat does not support")
        }
        var times: [Int64] = []
        times.reserveCapacity(header.timeCount)
        for _ in 0..<header.timeCount {
            times.append(timeSize == 8 ? Int64(bitPattern: readUInt64()) : Int64(Int32(bitPattern: readUInt32())))
        }
        let typeIndices = Array(bytes[index..<index + header.timeCount])
        index += header.timeCount
        var offsets: [Int] = []
        for _ in 0..<header.typeCount {
            let offset = Int(Int32(bitPattern: readUInt32()))
            guard abs(offset) <= 26 * 3600 else { throw FormatError(reason: "a UTC offset of \(offset) seconds is out of range") }
            offsets.append(offset)
            index += 2  // isdst, abbreviation index
        }
        index += header.characterCount + header.isStandardCount + header.isUTCCount

        var contents = TZifParser.Contents(
            transitionTimes: [], offsetsAfter: [], initialOffset: offsets[0], lastListedTransition: times.last,
            footer: nil)
        var current = offsets[0]
        for (position, time) in times.enumerated() {
            guard position == 0 || time > times[position - 1] else {
                throw FormatError(reason: "transition times are not in ascending order")
            }
            let type = Int(typeIndices[position])
            guard type < offsets.count else { throw FormatError(reason: "a transition names a missing local time type") }
            if offsets[type] != current {
                contents.transitionTimes.append(time)
                contents.offsetsAfter.append(offsets[type])
                current = offsets[type]
            }
        }

        if footerFollows {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\n") else {
                throw FormatError(reason: "the footer is missing")
            }
            index += 1
            guard let end = bytes[index...].firstIndex(of: UInt8(ascii: "\n")) else {
                throw FormatError(reason: "the footer is not terminated")
            }
            if end > index {
                contents.footer = String(decoding: bytes[index..<end], as: UTF8.self)
            }
        }
        return contents
    }

    mutating func readUInt32() -> UInt32 {
        var value: UInt32 = 0
        for byte in bytes[index..<index + 4] { value = value << 8 | UInt32(byte) }
        index += 4
        return value
    }

    mutating func readUInt64() -> UInt64 {
        var value: UInt64 = 0
        for byte in bytes[index..<index + 8] { value = value << 8 | UInt64(byte) }
        index += 8
        return value
    }
}
