import CeleryMessage
import JSON
import Testing

/// Expected strings come from Celery 5.7's `celery.utils.saferepr.saferepr` in Python.
@Suite struct PythonReprTests {
    @Test func scalarsAndContainersLookLikePython() throws {
        let value = try JSONParser.parse(#"[1, 2.5, true, false, null, "x", {"k": [1]}]"#)
        #expect(PythonRepr.of(value) == "[1, 2.5, True, False, None, 'x', {'k': [1]}]")
    }

    @Test func stringsKeepSingleQuotesAndEscapeOnlyThem() {
        #expect(PythonRepr.of(.string("it's \"q\"\nü")) == "'it\\'s \"q\"\nü'")
    }

    @Test func containersDeeperThanThreeLevelsAreElided() throws {
        // saferepr([[[[1]]], {'a': {'b': {'c': 1}}}])
        let value = try JSONParser.parse(#"[[[[1]]], {"a": {"b": {"c": 1}}}]"#)
        #expect(PythonRepr.of(value) == "[[[[...]]], {'a': {'b': {...}}}]")
    }

    @Test func longOutputIsCutAndClosed() {
        // saferepr(list(range(100)), 20) == '[0, 1, 2, 3, 4, 5, 6..., ...]'
        let value = JSONValue.array((0..<100).map { .integer($0) })
        #expect(PythonRepr.of(value, maximumLength: 20) == "[0, 1, 2, 3, 4, 5, 6..., ...]")
    }

    @Test func longStringsAreTruncatedAtAWordBoundary() {
        // saferepr(['hello world again'], 12) == "['hello...']"
        #expect(PythonRepr.of(.array([.string("hello world again")]), maximumLength: 12) == "['hello...']")
    }
}
