#ifndef SWIFTBEAT_CMICROHTTPD_H
#define SWIFTBEAT_CMICROHTTPD_H
/// A few functions over GNU libmicrohttpd (Debian's libmicrohttpd12), for `swiftbeat run --http`.
///
/// Why libmicrohttpd: a small, long-maintained C server that runs its own thread and defends
/// itself (a connection limit, per-IP limits, an idle timeout against slowloris, a memory limit
/// per connection against huge headers), so the beat's single-threaded loop never serves a socket.
///
/// Why opened with dlopen, at the first `--http`, like librabbitmq (see CRabbitMQ.h): a beat run
/// without `--http` maps none of it, and its resident memory does not grow (README, "Memory").
///
/// Swift never sees libmicrohttpd's types: a request reaches `swiftbeat_http_handler` as its method
/// and path, the handler reads query arguments with `swiftbeat_http_argument` and answers with
/// `swiftbeat_http_respond`, all on the server's one thread.
#include <stddef.h>
#include <stdint.h>

struct swiftbeat_http_server;
struct swiftbeat_http_request;

/// Answers one request; must call `swiftbeat_http_respond` once. Runs on the server's thread,
/// one request at a time.
typedef void (*swiftbeat_http_handler)(void *context, struct swiftbeat_http_request *request, const char *method,
                                       const char *path);

/// Limits that keep a slow or hostile client from holding the server (see `HTTPServer.Limits`).
struct swiftbeat_http_limits {
    unsigned connections;
    unsigned connections_per_ip;
    unsigned idle_timeout_seconds;
    /// Bytes a connection may buffer (request line and headers); beyond, the request is refused.
    size_t memory_per_connection;
};

/// Opens the library, binds `host` (an IPv4 or IPv6 literal) and `port`, and starts the server's
/// thread. Returns NULL and sets `*server`, or returns why it could not (a static string that stays valid).
const char *swiftbeat_http_start(const char *host, uint16_t port, struct swiftbeat_http_limits limits,
                                 swiftbeat_http_handler handler, void *context, struct swiftbeat_http_server **server);

/// The port the server listens on (the one asked for, or the one the kernel chose for port 0).
uint16_t swiftbeat_http_port(struct swiftbeat_http_server *server);

/// Stops the thread, closes every connection and frees the server.
void swiftbeat_http_stop(struct swiftbeat_http_server *server);

/// A query argument of the request (`?page=2`), decoded; NULL when absent. Valid during the handler.
const char *swiftbeat_http_argument(struct swiftbeat_http_request *request, const char *name);

/// Queues the answer: the body is copied.
void swiftbeat_http_respond(struct swiftbeat_http_request *request, unsigned status, const char *content_type,
                            const void *body, size_t length);

#endif
