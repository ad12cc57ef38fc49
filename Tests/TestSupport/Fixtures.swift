public import Foundation
public import JSON

/// Files under the repository's `Fixtures/` folder.
public enum Fixtures {
    /// The repository root, found from this source file's location (tests run from any directory).
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static func url(_ relativePath: String) -> URL {
        repositoryRoot.appendingPathComponent("Fixtures").appendingPathComponent(relativePath)
    }

    public static func bytes(_ relativePath: String) throws -> [UInt8] {
        Array(try Data(contentsOf: url(relativePath)))
    }

    public static func json(_ relativePath: String) throws -> JSONValue {
        try JSONParser.parse(try bytes(relativePath))
    }

    /// Names of the files in a fixture folder whose names match `prefix`.
    public static func files(in folder: String, prefix: String = "") throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url(folder).path)
            .filter { $0.hasPrefix(prefix) }
            .sorted()
    }
}
