@testable import ScheduleStore
import Testing

/// The name of an entry is its key without the prefix's characters; the fast way (dropping bytes)
/// must give the same name as counting characters, whatever the prefix and the key.
@Suite struct EntryReaderNameTests {
    @Test func droppingThePrefixsBytesGivesWhatDroppingItsCharactersGives() {
        let prefixes = ["tasks:meta:", "", "x", "tâches:", "a\r", "e", "[p]*"]
        let rests = ["e1", "", "é", "e\u{301}x", "\u{301}x", "\nx", "😀", "long-entry-name-with-more-than-fifteen-bytes"]
        for prefix in prefixes {
            for rest in rests {
                for key in [prefix + rest, rest, "other:" + rest] {
                    #expect(EntryReader.name(of: key, prefix: prefix) == String(key.dropFirst(prefix.count)), "\(prefix) \(key)")
                }
            }
        }
    }
}
