import Testing

/// The HA tests' verdicts rest on `HASlotCheck`; these make sure it does see what it must reject.
@Suite("HASlotCheck tells duplicates and gaps")
struct HASlotCheckTests {
    func series(_ entry: String, _ times: [Double]) -> [HAFiring] {
        times.enumerated().map { HAFiring(id: "\(entry)-\($0.offset)", entry: entry, firedAt: $0.element) }
    }

    @Test func oneFiringPerSecondPasses() {
        let firings = series("a", (100...110).map { Double($0) + 0.004 })
        #expect(HASlotCheck().problems(firings, entries: ["a"]).isEmpty)
    }

    @Test func twoFiringsInOneSecondAreADuplicate() {
        let firings = series("a", [100.002, 101.003, 101.9, 102.001])
        let problems = HASlotCheck().problems(firings, entries: ["a"])
        #expect(problems.count == 1 && problems[0].contains("fired twice in second 101"), "\(problems)")
    }

    @Test func aRepeatedTaskIDIsReported() {
        var firings = series("a", [100.002, 101.003])
        firings[1].id = firings[0].id
        #expect(HASlotCheck().problems(firings, entries: ["a"]).contains { $0.contains("sent twice") })
    }

    @Test func aGapNeedsATakeoverAndAPromptCatchUp() {
        // Seconds 103 and 104 missed; the catch-up fires at 105.6, then the regular 106.
        let firings = series("a", [101.001, 102.001, 105.6, 106.001])
        #expect(!HASlotCheck().problems(firings, entries: ["a"]).isEmpty, "a gap with no takeover must be reported")
        var check = HASlotCheck()
        check.gaps = [(102.5, 105.5)]
        #expect(check.problems(firings, entries: ["a"]).isEmpty)
        check.gaps = [(102.5, 104.0)]
        #expect(check.problems(firings, entries: ["a"]).first?.contains("catch-up") == true, "1.6 s after the takeover is late")
    }

    @Test func anEntryThatNeverFiredIsReported() {
        #expect(HASlotCheck().problems(series("a", [100.0]), entries: ["a", "b"]) == ["b never fired"])
    }
}
