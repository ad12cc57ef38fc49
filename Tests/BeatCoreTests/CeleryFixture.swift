import BeatCore
import CivilTime
import JSON
import TestSupport

/// The cases of `Fixtures/schedules/celery-5.7.0-schedules.jsonl`, written by
/// `scripts/capture-crontab-fixtures` from real Celery 5.7.0.
enum CeleryFixture {
    static let fileName = "schedules/celery-5.7.0-schedules.jsonl"

    static func cases(kind: String) throws -> [JSONObject] {
        let bytes = try Fixtures.bytes(fileName)
        var result: [JSONObject] = []
        for line in bytes.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            let object = try JSONParser.parse(Array(line)).objectValue!
            if object["kind"]?.stringValue == kind {
                result.append(object)
            }
        }
        return result
    }
}

extension JSONObject {
    func int64(_ key: String) -> Int64 {
        self[key]!.numberValue!.int64Value!
    }

    func instant(_ key: String) -> Instant {
        Instant(microsecondsSinceEpoch: int64(key))
    }

    func string(_ key: String) -> String {
        self[key]!.stringValue!
    }
}
