@testable import CeleryRouting
import Testing

/// Task-name globs as Python's `fnmatch.translate` reads them (whole name, case-sensitive).
@Suite struct GlobPatternTests {
    @Test(arguments: [
        ("proj.*", "proj.tasks.add", true),
        ("proj.*", "proj.", true),
        ("proj.*", "proj", false),
        ("proj.*", "xproj.tasks", false),
        ("*.daily", "reports.daily", true),
        ("*.daily", "reports.daily.x", false),
        ("proj.tasks.?ul", "proj.tasks.mul", true),
        ("proj.tasks.?ul", "proj.tasks.mmul", false),
        ("[ab]*", "billing", true),
        ("[ab]*", "Billing", false),
        ("[!p]*.c*", "ab.c", true),
        ("[!p]*.c*", "proj.c", false),
        ("[a-c]x", "bx", true),
        ("[a-c]x", "dx", false),
        ("[]]x", "]x", true),
        ("[x", "[x", true),
        ("a*b*c", "aXXbYYc", true),
        ("a*b*c", "aXXbYY", false),
        ("*", "", true),
        ("é*", "ecole", false),
        ("é*", "é.x", true),
    ])
    func matchesAsFnmatchDoes(pattern: String, name: String, expected: Bool) {
        #expect(GlobPattern(pattern).matches(name) == expected, "\(pattern) against \(name)")
    }
}
