public import JSON
public import YAML

extension ScheduleFile {
    /// Run state lives in Redis, not in a schedule file.
    static let runStateKeys: Set<String> = ["total_run_count", "last_run_at"]

    /// A stored entry as a schedule file holds it: everything as stored (format, unknown members,
    /// number spellings), without run state, and without `name` when it is the entry's own name.
    /// `parse` turns it back into the same entry.
    public static func fileEntry(name: String, stored: [UInt8]) throws(JSONError) -> JSONObject {
        guard case .object(var object) = try JSONParser.parse(stored) else {
            throw JSONError(offset: 0, reason: "the entry is not a JSON object")
        }
        for key in runStateKeys { object[key] = nil }
        if object["name"] == .string(name) { object["name"] = nil }
        return object
    }

    /// A whole file: entries in the order given, YAML (after `header`, a comment) or JSON
    /// (indented as `json.dumps(indent=2)` does). Ends with a line break.
    public static func write(
        _ entries: [(name: String, entry: JSONObject)], format: Format, header: String? = nil
    ) -> String {
        var object = JSONObject()
        for entry in entries { object[entry.name] = .object(entry.entry) }
        switch format {
        case .json:
            return JSONWriter.indented(.object(object)) + "\n"
        case .yaml:
            var text = ""
            if let header {
                for line in header.split(separator: "\n", omittingEmptySubsequences: false) { text += "# \(line)\n" }
            }
            return text + (object.isEmpty ? "{}\n" : YAMLWriter.document(.object(object)))
        }
    }
}
