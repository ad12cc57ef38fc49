public import BeatRunner
import CivilTime

/// Routes the beat's HTTP requests: `/metrics`, `/healthz` and `/readyz` from the loop's latest
/// snapshot (no I/O), everything else to `pages` (the status page and its JSON, which read Redis).
public struct BeatEndpoints: Sendable {
    let telemetry: BeatTelemetry
    let version: String
    let pages: @Sendable (HTTPRequest) -> HTTPResponse

    public init(telemetry: BeatTelemetry, version: String, pages: @escaping @Sendable (HTTPRequest) -> HTTPResponse) {
        self.telemetry = telemetry
        self.version = version
        self.pages = pages
    }

    public func respond(to request: HTTPRequest) -> HTTPResponse {
        guard request.method == "GET" || request.method == "HEAD" else { return .methodNotAllowed }
        switch request.path {
        case "/metrics":
            let body = MetricsExposition.render(telemetry.snapshot(), version: version)
            return HTTPResponse(status: 200, contentType: MetricsExposition.contentType, body: Array(body.utf8))
        case "/healthz":
            return verdict(telemetry.snapshot().healthProblem(now: SystemClock.monotonicMicroseconds()), ok: "the loop is turning")
        case "/readyz":
            let snapshot = telemetry.snapshot()
            let ok = snapshot.role == .leader ? "leader: sending" : "standby: able to take over"
            return verdict(snapshot.readinessProblem(now: SystemClock.monotonicMicroseconds()), ok: ok)
        default:
            return pages(request)
        }
    }

    private func verdict(_ problem: String?, ok: String) -> HTTPResponse {
        problem.map { .text($0 + "\n", status: 503) } ?? .text(ok + "\n")
    }
}
