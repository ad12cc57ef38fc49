import Foundation
import JSON
import Testing
import TestSupport

/// A running beat's `--http` endpoint, as Prometheus, a kubelet or a browser sees it: plain HTTP/1.0
/// requests over a socket (no client library that could hide what the server sends), and the
/// metrics read by Prometheus's own parser (Tests/Python/parse_metrics.py).
struct BeatEndpoint {
    let port: UInt16

    struct Answer {
        var status: Int
        var body: String
    }

    /// The port the beat logged (`http.port=...`): tests ask for port 0, so runs never collide.
    init(of process: ManagedProcess) throws {
        port = try waitFor("the beat to log its http port", timeout: .seconds(30)) {
            guard let range = process.log.range(of: "http.port=") else { return nil }
            return UInt16(process.log[range.upperBound...].prefix { $0.isNumber })
        }
    }

    /// GET `path`; nil when nothing answered within `timeout` seconds (a stopped process).
    func get(_ path: String, timeout: Double = 10) -> Answer? {
        guard let text = Self.exchange(port: port, request: "GET \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", timeout: timeout),
            let statusLine = text.split(separator: "\r\n").first, let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "")
        else { return nil }
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return Answer(status: status, body: body)
    }

    /// Sends `request` and reads until the server closes; nil on a connect failure or timeout.
    static func exchange(port: UInt16, request: String, timeout: Double, from source: UInt32 = loopback) -> String? {
        guard let socket = connect(port: port, timeout: timeout, from: source) else { return nil }
        defer { close(socket) }
        let bytes = Array(request.utf8)
        guard send(socket, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else { return nil }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count == 0 { break }
            if count < 0 { return nil }
            received += buffer[..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// 127.0.0.1, where the tests' scrapes come from.
    static let loopback: UInt32 = 0x7f00_0001

    /// A connected TCP socket to 127.0.0.1:`port` with send and receive timeouts, or nil. `source`
    /// is the client's address (another of the loopback range, 127.0.0.0/8, stands for another host).
    static func connect(port: UInt16, timeout: Double, from source: UInt32 = loopback) -> Int32? {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return nil }
        if source != loopback {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = source.bigEndian
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else {
                close(socket)
                return nil
            }
        }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(socket)
            return nil
        }
        return socket
    }

    struct Unanswered: Error {
        var path: String
    }

    /// One sample of the metrics: its name and labels.
    struct Series: Hashable, CustomStringConvertible {
        var name: String
        var labels: [String: String] = [:]

        var description: String { name + (labels.isEmpty ? "" : "\(labels.sorted { $0.key < $1.key })") }
    }

    /// `/metrics`, through Prometheus's parser (which fails the test on a text it rejects).
    /// Throws (without recording a test issue, so it can be retried) when the endpoint does not answer.
    func metrics() throws -> [Series: Double] {
        guard let answer = get("/metrics"), answer.status == 200 else { throw Unanswered(path: "/metrics") }
        let venv = try #require(RunWorker.newestVenv, "no Celery venv (scripts/test makes them)")
        let output = try RunHarness.python(venv, script: "parse_metrics.py", input: answer.body)
        var samples: [Series: Double] = [:]
        for sample in try #require(try JSONParser.parse(output).arrayValue) {
            let object = try #require(sample.objectValue)
            var labels: [String: String] = [:]
            for member in object["labels"]?.objectValue?.members ?? [] { labels[member.key] = member.value.stringValue }
            samples[Series(name: object["name"]?.stringValue ?? "", labels: labels)] = object["value"]?.numberValue?.doubleValue
        }
        return samples
    }
}

extension Dictionary where Key == BeatEndpoint.Series, Value == Double {
    subscript(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        self[BeatEndpoint.Series(name: name, labels: labels)]
    }

    /// The sum over every series named `name` whose labels include `matching`.
    func total(_ name: String, matching: [String: String] = [:]) -> Double {
        filter { series, _ in series.name == name && matching.allSatisfy { series.labels[$0.key] == $0.value } }.values.reduce(0, +)
    }
}
