import AMQPClient
@testable import Broker
import CeleryMessage
import JSON
import Testing
import TestSupport

/// The AMQP form of swiftbeat's messages against what a Python worker received from real Celery
/// (Fixtures/golden/*-amqp-*.json): the same properties, and headers of the same Python types.
@Suite struct AMQPMessageEncodingTests {
    static let fixtures: [(minor: String, name: String)] = GoldenCases.celeryMinors.flatMap { minor in
        GoldenCases.names.map { (minor, $0) }
    }

    @Test(arguments: fixtures)
    func propertiesAndHeaderTypesMatchRealCelery(fixture: (minor: String, name: String)) throws {
        let golden = try #require(try Fixtures.json("golden/celery-\(fixture.minor)-amqp-\(fixture.name).json").objectValue)
        let message = GoldenCases.message(fixture.name)
        let outgoing = try AMQPBroker.outgoing(message)

        #expect(outgoing.exchange == golden["exchange"]?.stringValue)
        #expect(outgoing.routingKey == golden["routing_key"]?.stringValue)
        #expect(outgoing.mandatory)
        let properties = try #require(golden["properties"]?.objectValue)
        #expect(outgoing.properties.contentType == properties["content_type"]?.stringValue)
        #expect(outgoing.properties.contentEncoding == properties["content_encoding"]?.stringValue)
        #expect(outgoing.properties.deliveryMode?.rawValue == properties["delivery_mode"]?.numberValue?.int64Value.map(UInt8.init))
        #expect(outgoing.properties.priority.map(Int64.init) == properties["priority"]?.numberValue?.int64Value)
        #expect(outgoing.properties.expiration == properties["expiration"]?.stringValue)
        #expect(outgoing.properties.correlationID == message.id)
        #expect(outgoing.properties.replyTo == message.replyTo)

        let types = try #require(golden["header_types"]?.objectValue)
        #expect(outgoing.properties.headers.entries.map(\.key) == types.keys.sorted().sorted { order(of: $0, in: golden) < order(of: $1, in: golden) })
        for entry in outgoing.properties.headers.entries {
            // The one difference between Celery minors: 5.3 sends ignore_result False, 5.7 None (unset).
            if fixture.minor == "5.3", entry.key == "ignore_result" { continue }
            #expect(pythonType(of: entry.value) == types[entry.key]?.stringValue, "header \(entry.key)")
        }
        #expect(String(decoding: outgoing.body, as: UTF8.self) == golden["body_text"]?.stringValue)
    }

    @Test func integersBeyond64BitsCannotBeHeaders() {
        let error = #expect(throws: AMQPBroker.HeaderError.self) {
            try AMQPBroker.fieldValue(.array([.number(JSONNumber(literal: "123456789012345678901")!)]), at: "x_big")
        }
        #expect(error?.reason == "header x_big[0]: the integer 123456789012345678901 does not fit in 64 bits")
    }

    @Test func largeIntegersUse64BitsAndSmallOnes32AsPythonDoes() throws {
        #expect(try AMQPBroker.fieldValue(.integer(2_147_483_647), at: "x") == .int32(2_147_483_647))
        #expect(try AMQPBroker.fieldValue(.integer(2_147_483_648), at: "x") == .int64(2_147_483_648))
        #expect(try AMQPBroker.fieldValue(.integer(-2_147_483_649), at: "x") == .int64(-2_147_483_649))
        #expect(try AMQPBroker.fieldValue(.double(2.5), at: "x") == .double(2.5))
    }

    private func order(of key: String, in golden: JSONObject) -> Int {
        golden["header_order"]?.arrayValue?.firstIndex { $0.stringValue == key } ?? .max
    }

    /// The Python type py-amqp decodes each field-table tag into.
    private func pythonType(of value: AMQPFieldValue) -> String {
        switch value {
        case .string: "str"
        case .bool: "bool"
        case .int32, .int64: "int"
        case .double: "float"
        case .null: "NoneType"
        case .array: "list"
        case .table: "dict"
        }
    }
}
