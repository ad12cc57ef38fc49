#include "CMicroHTTPD.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/// The run-time package's file name (Debian: libmicrohttpd12), the soname the headers describe.
#define SWIFTBEAT_MHD_LIBRARY "libmicrohttpd.so.12"

/// The library's functions this file calls, resolved once.
static struct {
    struct MHD_Daemon *(*start_daemon)(unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc, void *apc_cls,
                                       MHD_AccessHandlerCallback dh, void *dh_cls, ...);
    void (*stop_daemon)(struct MHD_Daemon *daemon);
    const union MHD_DaemonInfo *(*get_daemon_info)(struct MHD_Daemon *daemon, enum MHD_DaemonInfoType info_type, ...);
    const char *(*lookup_connection_value)(struct MHD_Connection *connection, enum MHD_ValueKind kind, const char *key);
    struct MHD_Response *(*create_response_from_buffer)(size_t size, void *buffer, enum MHD_ResponseMemoryMode mode);
    enum MHD_Result (*add_response_header)(struct MHD_Response *response, const char *header, const char *content);
    enum MHD_Result (*queue_response)(struct MHD_Connection *connection, unsigned int status_code,
                                      struct MHD_Response *response);
    void (*destroy_response)(struct MHD_Response *response);
} mhd;
static const char *load_failure;
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

/// The one place the library is opened.
static void load(void) {
    void *library = dlopen(SWIFTBEAT_MHD_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        load_failure = "cannot open " SWIFTBEAT_MHD_LIBRARY " (install Debian's libmicrohttpd12)";
        return;
    }
#define SWIFTBEAT_MHD_RESOLVE(field, name)                                    \
    *(void **)(&mhd.field) = dlsym(library, #name);                           \
    if (mhd.field == NULL) {                                                  \
        load_failure = SWIFTBEAT_MHD_LIBRARY " has no function " #name;       \
        return;                                                               \
    }
    SWIFTBEAT_MHD_RESOLVE(start_daemon, MHD_start_daemon)
    SWIFTBEAT_MHD_RESOLVE(stop_daemon, MHD_stop_daemon)
    SWIFTBEAT_MHD_RESOLVE(get_daemon_info, MHD_get_daemon_info)
    SWIFTBEAT_MHD_RESOLVE(lookup_connection_value, MHD_lookup_connection_value)
    SWIFTBEAT_MHD_RESOLVE(create_response_from_buffer, MHD_create_response_from_buffer)
    SWIFTBEAT_MHD_RESOLVE(add_response_header, MHD_add_response_header)
    SWIFTBEAT_MHD_RESOLVE(queue_response, MHD_queue_response)
    SWIFTBEAT_MHD_RESOLVE(destroy_response, MHD_destroy_response)
}

struct swiftbeat_http_server {
    struct MHD_Daemon *daemon;
    swiftbeat_http_handler handler;
    void *context;
};

/// What the handler sees as a request: the connection, and whether it has been answered.
struct swiftbeat_http_request {
    struct MHD_Connection *connection;
    enum MHD_Result result;
    int answered;
};

/// libmicrohttpd's access handler: it is called when the headers are in (and again per piece of
/// a request body, which the beat never wants: the first call answers, and the rest is discarded).
static enum MHD_Result access_handler(void *cls, struct MHD_Connection *connection, const char *url,
                                      const char *method, const char *version, const char *upload_data,
                                      size_t *upload_data_size, void **request_state) {
    (void)version;
    (void)upload_data;
    struct swiftbeat_http_server *server = cls;
    if (*request_state != NULL) {
        // A body arriving after the answer was queued: drop it.
        *upload_data_size = 0;
        return MHD_YES;
    }
    *request_state = server;
    struct swiftbeat_http_request request = {connection, MHD_NO, 0};
    server->handler(server->context, &request, method, url);
    return request.answered ? request.result : MHD_NO;
}

const char *swiftbeat_http_start(const char *host, uint16_t port, struct swiftbeat_http_limits limits,
                                 swiftbeat_http_handler handler, void *context, struct swiftbeat_http_server **out) {
    pthread_once(&load_once, load);
    if (load_failure != NULL) return load_failure;

    struct sockaddr_storage address;
    memset(&address, 0, sizeof address);
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
    struct sockaddr_in *v4 = (struct sockaddr_in *)&address;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&address;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
    } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        flags |= MHD_USE_IPv6;
    } else {
        return "the host is not an IPv4 or IPv6 address";
    }

    struct swiftbeat_http_server *server = calloc(1, sizeof *server);
    if (server == NULL) return "out of memory";
    server->handler = handler;
    server->context = context;
    server->daemon = mhd.start_daemon(
        flags, port, NULL, NULL, access_handler, server,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&address,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)limits.connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)limits.connections_per_ip,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)limits.idle_timeout_seconds,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)limits.memory_per_connection,
        MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1,
        MHD_OPTION_END);
    if (server->daemon == NULL) {
        free(server);
        return "cannot listen there (the address is in use, or not this machine's)";
    }
    *out = server;
    return NULL;
}

uint16_t swiftbeat_http_port(struct swiftbeat_http_server *server) {
    const union MHD_DaemonInfo *info = mhd.get_daemon_info(server->daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}

void swiftbeat_http_stop(struct swiftbeat_http_server *server) {
    mhd.stop_daemon(server->daemon);
    free(server);
}

const char *swiftbeat_http_argument(struct swiftbeat_http_request *request, const char *name) {
    return mhd.lookup_connection_value(request->connection, MHD_GET_ARGUMENT_KIND, name);
}

void swiftbeat_http_respond(struct swiftbeat_http_request *request, unsigned status, const char *content_type,
                            const void *body, size_t length) {
    struct MHD_Response *response =
        mhd.create_response_from_buffer(length, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (response == NULL) return;
    mhd.add_response_header(response, "Content-Type", content_type);
    mhd.add_response_header(response, "Cache-Control", "no-store");
    request->result = mhd.queue_response(request->connection, status, response);
    request->answered = 1;
    mhd.destroy_response(response);
}
