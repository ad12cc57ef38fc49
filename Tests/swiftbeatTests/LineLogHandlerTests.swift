import Testing
@testable import swiftbeat

/// Log lines must split back into their fields, whatever an entry's error text holds.
@Suite struct LineLogHandlerTests {
    @Test(arguments: [
        ("plain", "plain"),
        ("", #""""#),
        ("two words", #""two words""#),
        (#"missing "task""#, #""missing \"task\"""#),
        (#"a\b c"#, #""a\\b c""#),
        ("k=v", #""k=v""#),
        ("line\nbreak", #""line\nbreak""#),
    ])
    func valuesAreQuotedOnlyWhenNeeded(value: String, written: String) {
        #expect(LineLogHandler.quotedIfNeeded(value) == written)
    }
}
