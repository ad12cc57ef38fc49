import JSON

/// JSON given on the command line, checked once with an error that names the option.
enum JSONArgument {
    static func parse(_ text: String, option: String) throws -> JSONValue {
        do {
            return try JSONParser.parse(text)
        } catch {
            throw CommandFailure.badInput("\(option): \(error)")
        }
    }

    static func array(_ text: String, option: String) throws -> [JSONValue] {
        let value = try parse(text, option: option)
        guard let array = value.arrayValue else {
            throw CommandFailure.badInput("\(option) must be a JSON array, not \(value.typeName)")
        }
        return array
    }

    static func object(_ text: String, option: String) throws -> JSONObject {
        let value = try parse(text, option: option)
        guard let object = value.objectValue else {
            throw CommandFailure.badInput("\(option) must be a JSON object, not \(value.typeName)")
        }
        return object
    }

    /// `KEY=JSON`, as `--header` and `--option` take them.
    static func keyValue(_ text: String, option: String) throws -> (key: String, value: JSONValue) {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw CommandFailure.badInput("\(option) takes KEY=JSON, not \"\(text)\"")
        }
        let key = String(text[..<equals])
        return (key, try parse(String(text[text.index(after: equals)...]), option: "\(option) \(key)"))
    }
}
