# Reading what `swift test` ran, from the xUnit files of --xunit-output (sourced, not run).
#
# SwiftPM writes XCTest's results to FILE and Swift Testing's to FILE-swift-testing.xml; both hold
# one <testcase> per test function (a parameterized test is one testcase, whatever its number of
# cases), self-closing when it passed, else holding <failure .../> elements or a <skipped> element.
# That is the format Swift 6.3's swift test writes; count_results checks its totals against the
# console summary ("Test run with N tests"), so a change of format fails loudly instead of
# miscounting.

# count_results XUNIT_FILE...: prints "TOTAL PASSED FAILED SKIPPED", then one line per test that
# failed ("failed: Suite/test()") or was skipped ("skipped: Suite/test()").
count_results() {
    awk '
        function finish() { count[state]++; if (state != "passed") names = names state ": " id "\n"; open = 0 }
        /<testcase / {
            total++
            match($0, /classname="[^"]*"/); class = substr($0, RSTART + 11, RLENGTH - 12)
            match($0, / name="[^"]*"/); name = substr($0, RSTART + 7, RLENGTH - 8)
            id = class "/" name; state = "passed"; open = 1
            if ($0 ~ /\/>[[:space:]]*$/) finish()
            next
        }
        open && /<failure/ { state = "failed" }
        open && /<skipped/ && state != "failed" { state = "skipped" }
        open && /<\/testcase>/ { finish() }
        END {
            printf "%d %d %d %d\n", total, count["passed"], count["failed"], count["skipped"]
            printf "%s", names
        }' "$@"
}

# console_test_count LOG: the N of Swift Testing's last "Test run with N tests" line, or nothing.
console_test_count() {
    grep -aEo "Test run with [0-9]+ tests?" "$1" | tail -1 | grep -Eo "[0-9]+" || true
}
