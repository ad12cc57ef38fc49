import BeatCore
import BeatHTTP
import BeatRunner
import JSON
import ScheduleStore

/// The status page's HTML: one self-contained document (inline CSS, no scripts, no external
/// assets), readable in any browser and in `curl`. Entries come a page at a time, filtered by a
/// plain GET form, so 100,000 entries stay usable.
struct StatusPage {
    static let pageSize = 100
    /// Invalid entries listed in full up to this many; the rest are counted (and in `/api/status`).
    static let invalidShown = 100

    /// `?q=` (in the name or task), `?state=` (all, valid, disabled, invalid) and `?page=` (from 1).
    struct Filter {
        var text: String
        var state: String
        var page: Int

        init(_ request: HTTPRequest) {
            text = request.query("q") ?? ""
            let state = request.query("state") ?? "all"
            self.state = ["valid", "disabled", "invalid"].contains(state) ? state : "all"
            page = max(1, Int(request.query("page") ?? "") ?? 1)
        }

        func matches(_ decoded: DecodedEntry) -> Bool {
            let shown: Bool
            switch decoded.result {
            case .failure: shown = state == "all" || state == "invalid"
            case .success(let entry): shown = state == "all" || state == (entry.enabled ? "valid" : "disabled")
            }
            guard shown else { return false }
            guard !text.isEmpty else { return true }
            return decoded.stored.name.contains(text) || (decoded.entry?.task.contains(text) ?? false)
        }

        func query(page: Int) -> String {
            "?q=\(Self.percentEncoded(text))&state=\(state)&page=\(page)"
        }

        static func percentEncoded(_ text: String) -> String {
            var result = ""
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                    UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                    result.append(Character(Unicode.Scalar(byte)))
                default:
                    let hex = Array("0123456789ABCDEF")
                    result += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 15)])
                }
            }
            return result
        }
    }

    var node: BeatSnapshot
    var holder: BeatStatus.Holder?
    var lockValue: String?
    var remainingMilliseconds: Int64?
    var lockKey: String
    var zone: String
    var total: Int
    var invalid: [(name: String, reason: String)]
    var filter: Filter
    var matching: Int
    /// The page's entries, as `list --json` gives them.
    var rows: [JSONValue]

    func render() -> String {
        var html = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>swiftbeat</title>
            <style>body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;margin:.5em 0}
            td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}th{background:#eee}.bad{color:#a00}
            .role{font-weight:bold}</style></head><body><h1>swiftbeat</h1>
            """
        html += "<p id=\"node\">This node: <span class=\"role\">\(node.role.rawValue)</span>"
        if let error = node.redisError { html += " <span class=\"bad\">(redis: \(Self.escaped(error)))</span>" }
        html += "</p>\n<p id=\"leader\">Leader (lock <code>\(Self.escaped(lockKey))</code>): "
        if let holder {
            html += "<b>\(Self.escaped(holder.host))</b> pid \(holder.pid)"
            if let since = holder.since { html += " since \(Self.escaped(since))" }
        } else if let lockValue {
            html += "a process that is not swiftbeat (\(Self.escaped(lockValue)))"
        } else {
            html += "<span class=\"bad\">none: no beat is sending</span>"
        }
        if let remainingMilliseconds { html += ", expires in \(remainingMilliseconds / 1000) s unless renewed" }
        html += "</p>\n<p>\(total) entries, \(invalid.count) invalid; times in \(Self.escaped(zone)).</p>\n"
        html += invalidSection()
        html += form()
        html += entriesTable()
        html += pager()
        return html + "</body></html>\n"
    }

    private func invalidSection() -> String {
        guard !invalid.isEmpty else { return "" }
        var html = "<h2>Invalid entries (skipped)</h2><table id=\"invalid\"><tr><th>Name</th><th>Reason</th></tr>\n"
        for item in invalid.prefix(Self.invalidShown) {
            html += "<tr><td>\(Self.escaped(item.name))</td><td class=\"bad\">\(Self.escaped(item.reason))</td></tr>\n"
        }
        if invalid.count > Self.invalidShown {
            html += "<tr><td colspan=\"2\">and \(invalid.count - Self.invalidShown) more: <a href=\"/api/status\">/api/status</a></td></tr>"
        }
        return html + "</table>\n"
    }

    private func form() -> String {
        var html = "<h2>Entries</h2><form method=\"get\" action=\"/\">Name or task contains "
        html += "<input name=\"q\" value=\"\(Self.escaped(filter.text))\"> <select name=\"state\">"
        for state in ["all", "valid", "disabled", "invalid"] {
            html += "<option\(state == filter.state ? " selected" : "")>\(state)</option>"
        }
        return html + "</select> <button>Show</button></form>\n"
    }

    private func entriesTable() -> String {
        var html = "<table id=\"entries\"><tr><th>Name</th><th>Task</th><th>Schedule</th><th>Enabled</th><th>Last run</th>"
        html += "<th>Next run</th><th>Runs</th><th>Queue</th></tr>\n"
        for row in rows {
            guard let item = row.objectValue else { continue }
            let name = Self.escaped(item["name"]?.stringValue ?? "")
            guard item["valid"]?.boolValue == true else {
                html += "<tr><td>\(name)</td><td colspan=\"7\" class=\"bad\">invalid: \(Self.escaped(item["error"]?.stringValue ?? ""))</td></tr>\n"
                continue
            }
            let cells = [
                item["task"]?.stringValue ?? "", item["schedule"]?.stringValue ?? "",
                item["enabled"]?.boolValue == true ? "yes" : "no", item["last_run_at"]?.stringValue ?? "never",
                item["next_run_at"]?.stringValue ?? "-", item["total_run_count"]?.numberValue?.description ?? "0",
                item["queue"]?.stringValue ?? "",
            ]
            html += "<tr><td>\(name)</td>" + cells.map { "<td>\(Self.escaped($0))</td>" }.joined() + "</tr>\n"
        }
        return html + "</table>\n"
    }

    private func pager() -> String {
        let pages = max(1, (matching + Self.pageSize - 1) / Self.pageSize)
        var html = "<p id=\"pager\">\(matching) matching, page \(filter.page) of \(pages)"
        if filter.page > 1 { html += " <a href=\"/\(filter.query(page: filter.page - 1))\">previous</a>" }
        if filter.page < pages { html += " <a href=\"/\(filter.query(page: filter.page + 1))\">next</a>" }
        return html + "</p>\n"
    }

    static func escaped(_ text: String) -> String {
        BeatHTTP.escaped(text, ["&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"])
    }
}
