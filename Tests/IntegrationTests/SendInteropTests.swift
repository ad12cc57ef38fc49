import JSON
import Testing
import TestSupport

/// `swiftbeat send`, the real binary, against real Python Celery workers (Tests/Python/probe.py)
/// on both brokers, for every Celery version in `CeleryVenv.all` (5.3 and the newest under
/// scripts/test). What the worker decoded is compared with what was sent.
///
/// The tests of this suite are spread over the `SendInteropTests+*.swift` files; they share the
/// brokers and workers of `InteropFixtures`.
@Suite("swiftbeat send to Python Celery workers", .sharedInteropFixtures, .enabled(if: InteropTarget.isAvailable))
struct SendInteropTests {
    /// Arguments Python must get back exactly: nesting, unicode beyond the BMP, escapes, integers
    /// beyond 32, 64 and 70 bits of both signs (JSON carries them as text and Python ints are
    /// unbounded), floats in exponent form, and every JSON literal.
    static let arguments = #"""
        [{"nested": {"list": [1, [2, [3, {"deep": null}]]], "empty_object": {}, "empty_list": []}},
         "unicode: ü € 😀 𝄞 \"quotes\" \\ backslash \n newline \t tab \u0000 nul \u001f unit separator",
         2147483648, 4294967296, -2147483649, 9223372036854775807, -9223372036854775808,
         18446744073709551616, 1180591620717411303424, -1180591620717411303424,
         0.1, 1e-07, 1.5e300, -2.5, 3.141592653589793,
         true, false, null, "", 0, []]
        """#

    /// Keyword arguments, in an order Python keeps (dicts are ordered), with unicode keys.
    static let keywordArguments = #"""
        {"zeta": 1, "ключ": "значение", "emoji_😀": "𝄞", "big": 1180591620717411303424, "float": 2.5,
         "none": null, "flag": false, "list": [1, "two", 3.0], "object": {"k": "v", "nested": {"n": [null]}},
         "alpha": "last key, not sorted"}
        """#

    @Test("Args, kwargs and the task id arrive exactly as sent, with Celery's defaults", arguments: InteropTarget.all)
    func argumentsArriveExactly(target: InteropTarget) async throws {
        let worker = try await InteropFixtures.shared.worker(.main, for: target)
        let url = try await InteropFixtures.shared.brokerURL(for: target)
        let id = try await send(["--args", Self.arguments, "--kwargs", Self.keywordArguments], to: url)

        let record = try await worker.pollForRecord(id: id)
        #expect(record["id"] == .string(id))
        #expect(record["task"] == .string("probe.record"))
        #expect(record["args"] == (try json(Self.arguments)))
        let kwargs = try #require(record.object("kwargs"))
        let sentKwargs = try #require(try json(Self.keywordArguments).objectValue)
        #expect(kwargs == sentKwargs)
        #expect(kwargs.keys == sentKwargs.keys, "Python keeps the order of keyword arguments")
        // A few values spelled out, so a failure names them plainly.
        let args = try #require(record["args"]?.arrayValue)
        #expect(args[8].numberValue?.literal == "1180591620717411303424")
        #expect(args[9].numberValue?.literal == "-1180591620717411303424")
        #expect(args[1].stringValue?.unicodeScalars.contains("\u{1D11E}") == true)

        // What Celery's own send_task would have set.
        #expect(record["root_id"] == .string(id))
        #expect(record["parent_id"] == .null)
        #expect(record["correlation_id"] == .string(id))
        #expect(record["retries"] == .integer(0))
        #expect(record["eta"] == .null)
        #expect(record["expires"] == .null)
        #expect(record["timelimit"] == .array([.null, .null]))
        #expect(record["priority"] == .integer(0))
        #expect(record["exchange"] == .string(""))
        #expect(record["routing_key"] == .string("celery"))
        #expect(record.object("protocol")?["lang"] == .string("py"))
        #expect(record["celery"] == .string(target.venv.version))
    }

    @Test("Extra headers arrive as request attributes, time limits as timelimit [hard, soft]", arguments: InteropTarget.all)
    func headersAndTimeLimits(target: InteropTarget) async throws {
        let worker = try await InteropFixtures.shared.worker(.main, for: target)
        let url = try await InteropFixtures.shared.brokerURL(for: target)
        let custom = #"{"n": [1, 2.5, null, true], "s": "ü 😀", "big": 4294967296, "negative": -7}"#
        let id = try await send(
            [
                "--header", #"periodic_task_name="nightly report ü""#, "--header", "celery_beat_task=true",
                "--header", "x_custom=\(custom)", "--time-limit", "30", "--soft-time-limit", "12.5",
            ], to: url)

        let record = try await worker.pollForRecord(id: id)
        let headers = try #require(record.object("headers"))
        #expect(headers["periodic_task_name"] == .string("nightly report ü"))
        #expect(headers["celery_beat_task"] == .bool(true))
        #expect(headers["x_custom"] == (try json(custom)))
        #expect(record["timelimit"] == .array([.integer(30), .double(12.5)]))
    }
}
