import BeatCore
import CivilTime
import JSON
import Testing

/// The hand-written fast encoder of `last_run_at` must say exactly what the value encoder says.
@Suite struct PythonDatetimeEncodingTests {
    @Test(arguments: [Int64(0), 1_795_795_686_787_371, -1, 253_402_300_799_999_999, 1_700_000_000_000_000])
    func bytesMatchTheValueEncoding(micros: Int64) throws {
        let instant = Instant(microsecondsSinceEpoch: micros)
        #expect(PythonDatetime.encodedBytes(instant) == JSONWriter.serialize(PythonDatetime.encode(instant)))
        #expect(PythonDatetime.decode(try JSONParser.parse(PythonDatetime.encodedBytes(instant))) == instant)
    }
}
