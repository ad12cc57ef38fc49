import ArgumentParser
import BeatHTTP
import BeatRunner
import Logging
import SystemdNotify

/// What watches a running beat from outside: the HTTP endpoint (`--http`) and systemd's
/// notifications (when started with `NOTIFY_SOCKET`). Both only read what the loop publishes.
struct BeatObservation {
    var server: HTTPServer?
    var supervision: SystemdSupervision?

    static func attach(
        to beat: Beat, http: (host: String, port: UInt16)?, configuration: RunnerConfiguration, logger: Logger
    ) throws -> BeatObservation {
        var observation = BeatObservation()
        if let notifier = SystemdNotifier(notifySocket: Environment.value("NOTIFY_SOCKET")) {
            let interval = SystemdNotifier.watchdogInterval(
                watchdogMicroseconds: Environment.value("WATCHDOG_USEC"), watchdogPID: Environment.value("WATCHDOG_PID"))
            let supervision = SystemdSupervision(notifier: notifier, watchdogInterval: interval)
            beat.turned = supervision.turned
            observation.supervision = supervision
        }
        if let http {
            let pages = StatusPages(configuration: configuration, telemetry: beat.telemetry)
            let endpoints = BeatEndpoints(telemetry: beat.telemetry, version: Swiftbeat.configuration.version) { pages.respond(to: $0) }
            do {
                let server = try HTTPServer(host: http.host, port: http.port) { endpoints.respond(to: $0) }
                observation.server = server
                logger.info("serving metrics, health and the status page", metadata: ["http.host": "\(http.host)", "http.port": "\(server.port)"])
            } catch {
                throw CommandFailure.unavailable(error.description)
            }
        }
        return observation
    }
}
