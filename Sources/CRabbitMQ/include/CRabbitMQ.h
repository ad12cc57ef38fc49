#ifndef SWIFTBEAT_CRABBITMQ_H
#define SWIFTBEAT_CRABBITMQ_H
/// librabbitmq's types and constants as its headers declare them, and its functions, under their
/// own names, as wrappers that call through a table the first AMQP connection fills with dlopen.
///
/// Why not link it: librabbitmq links OpenSSL, so linking it maps libcrypto and libssl (1.7 MB
/// resident) into every beat, including the ones whose broker is Redis. The Swift code keeps
/// calling `amqp_new_connection(...)` as before; only a process that uses AMQP opens the library.
///
/// How: the headers' own declarations of the functions below are renamed out of the way
/// (`swiftbeat_unlinked_...`, never called, so never linked), and each name is then defined again
/// as a `static inline` wrapper. A function used from Swift must be in both lists.
#define amqp_new_connection swiftbeat_unlinked_amqp_new_connection
#define amqp_destroy_connection swiftbeat_unlinked_amqp_destroy_connection
#define amqp_tcp_socket_new swiftbeat_unlinked_amqp_tcp_socket_new
#define amqp_ssl_socket_new swiftbeat_unlinked_amqp_ssl_socket_new
#define amqp_ssl_socket_set_verify_peer swiftbeat_unlinked_amqp_ssl_socket_set_verify_peer
#define amqp_ssl_socket_set_verify_hostname swiftbeat_unlinked_amqp_ssl_socket_set_verify_hostname
#define amqp_ssl_socket_set_cacert swiftbeat_unlinked_amqp_ssl_socket_set_cacert
#define amqp_ssl_socket_set_key swiftbeat_unlinked_amqp_ssl_socket_set_key
#define amqp_socket_open_noblock swiftbeat_unlinked_amqp_socket_open_noblock
#define amqp_set_handshake_timeout swiftbeat_unlinked_amqp_set_handshake_timeout
#define amqp_set_rpc_timeout swiftbeat_unlinked_amqp_set_rpc_timeout
#define amqp_get_sockfd swiftbeat_unlinked_amqp_get_sockfd
#define amqp_login_with_properties swiftbeat_unlinked_amqp_login_with_properties
#define amqp_channel_open swiftbeat_unlinked_amqp_channel_open
#define amqp_channel_close swiftbeat_unlinked_amqp_channel_close
#define amqp_confirm_select swiftbeat_unlinked_amqp_confirm_select
#define amqp_connection_close swiftbeat_unlinked_amqp_connection_close
#define amqp_exchange_declare swiftbeat_unlinked_amqp_exchange_declare
#define amqp_queue_declare swiftbeat_unlinked_amqp_queue_declare
#define amqp_queue_bind swiftbeat_unlinked_amqp_queue_bind
#define amqp_queue_delete swiftbeat_unlinked_amqp_queue_delete
#define amqp_basic_publish swiftbeat_unlinked_amqp_basic_publish
#define amqp_basic_get swiftbeat_unlinked_amqp_basic_get
#define amqp_send_method swiftbeat_unlinked_amqp_send_method
#define amqp_simple_wait_frame_noblock swiftbeat_unlinked_amqp_simple_wait_frame_noblock
#define amqp_get_rpc_reply swiftbeat_unlinked_amqp_get_rpc_reply
#define amqp_maybe_release_buffers swiftbeat_unlinked_amqp_maybe_release_buffers
#define amqp_error_string2 swiftbeat_unlinked_amqp_error_string2
#define amqp_encode_table swiftbeat_unlinked_amqp_encode_table
#define init_amqp_pool swiftbeat_unlinked_init_amqp_pool
#define recycle_amqp_pool swiftbeat_unlinked_recycle_amqp_pool
#define empty_amqp_pool swiftbeat_unlinked_empty_amqp_pool
#define amqp_pool_alloc swiftbeat_unlinked_amqp_pool_alloc
#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>
#undef amqp_new_connection
#undef amqp_destroy_connection
#undef amqp_tcp_socket_new
#undef amqp_ssl_socket_new
#undef amqp_ssl_socket_set_verify_peer
#undef amqp_ssl_socket_set_verify_hostname
#undef amqp_ssl_socket_set_cacert
#undef amqp_ssl_socket_set_key
#undef amqp_socket_open_noblock
#undef amqp_set_handshake_timeout
#undef amqp_set_rpc_timeout
#undef amqp_get_sockfd
#undef amqp_login_with_properties
#undef amqp_channel_open
#undef amqp_channel_close
#undef amqp_confirm_select
#undef amqp_connection_close
#undef amqp_exchange_declare
#undef amqp_queue_declare
#undef amqp_queue_bind
#undef amqp_queue_delete
#undef amqp_basic_publish
#undef amqp_basic_get
#undef amqp_send_method
#undef amqp_simple_wait_frame_noblock
#undef amqp_get_rpc_reply
#undef amqp_maybe_release_buffers
#undef amqp_error_string2
#undef amqp_encode_table
#undef init_amqp_pool
#undef recycle_amqp_pool
#undef empty_amqp_pool
#undef amqp_pool_alloc

/// The functions with a result: `RETURNING(result, name, (parameters), (arguments))`, and those
/// without: `VOID(name, (parameters), (arguments))`, as librabbitmq 0.11 declares them.
#define SWIFTBEAT_RABBITMQ_FUNCTIONS(RETURNING, VOID)                                                          \
    RETURNING(amqp_connection_state_t, amqp_new_connection, (void), ())                                        \
    RETURNING(int, amqp_destroy_connection, (amqp_connection_state_t state), (state))                          \
    RETURNING(amqp_socket_t *, amqp_tcp_socket_new, (amqp_connection_state_t state), (state))                  \
    RETURNING(amqp_socket_t *, amqp_ssl_socket_new, (amqp_connection_state_t state), (state))                  \
    VOID(amqp_ssl_socket_set_verify_peer, (amqp_socket_t * socket, amqp_boolean_t verify), (socket, verify))   \
    VOID(amqp_ssl_socket_set_verify_hostname, (amqp_socket_t * socket, amqp_boolean_t verify), (socket, verify)) \
    RETURNING(int, amqp_ssl_socket_set_cacert, (amqp_socket_t * socket, const char *cacert), (socket, cacert)) \
    RETURNING(int, amqp_ssl_socket_set_key, (amqp_socket_t * socket, const char *cert, const char *key),      \
              (socket, cert, key))                                                                             \
    RETURNING(int, amqp_socket_open_noblock,                                                                   \
              (amqp_socket_t * socket, const char *host, int port, const struct timeval *timeout),             \
              (socket, host, port, timeout))                                                                   \
    RETURNING(int, amqp_set_handshake_timeout, (amqp_connection_state_t state, const struct timeval *timeout), \
              (state, timeout))                                                                                \
    RETURNING(int, amqp_set_rpc_timeout, (amqp_connection_state_t state, const struct timeval *timeout),       \
              (state, timeout))                                                                                \
    RETURNING(int, amqp_get_sockfd, (amqp_connection_state_t state), (state))                                  \
    RETURNING(amqp_channel_open_ok_t *, amqp_channel_open, (amqp_connection_state_t state, amqp_channel_t channel), \
              (state, channel))                                                                                \
    RETURNING(amqp_rpc_reply_t, amqp_channel_close,                                                            \
              (amqp_connection_state_t state, amqp_channel_t channel, int code), (state, channel, code))        \
    RETURNING(amqp_confirm_select_ok_t *, amqp_confirm_select,                                                 \
              (amqp_connection_state_t state, amqp_channel_t channel), (state, channel))                       \
    RETURNING(amqp_rpc_reply_t, amqp_connection_close, (amqp_connection_state_t state, int code), (state, code)) \
    RETURNING(amqp_exchange_declare_ok_t *, amqp_exchange_declare,                                             \
              (amqp_connection_state_t state, amqp_channel_t channel, amqp_bytes_t exchange, amqp_bytes_t type, \
               amqp_boolean_t passive, amqp_boolean_t durable, amqp_boolean_t auto_delete,                     \
               amqp_boolean_t internal, amqp_table_t arguments),                                               \
              (state, channel, exchange, type, passive, durable, auto_delete, internal, arguments))            \
    RETURNING(amqp_queue_declare_ok_t *, amqp_queue_declare,                                                   \
              (amqp_connection_state_t state, amqp_channel_t channel, amqp_bytes_t queue, amqp_boolean_t passive, \
               amqp_boolean_t durable, amqp_boolean_t exclusive, amqp_boolean_t auto_delete,                   \
               amqp_table_t arguments),                                                                        \
              (state, channel, queue, passive, durable, exclusive, auto_delete, arguments))                    \
    RETURNING(amqp_queue_bind_ok_t *, amqp_queue_bind,                                                         \
              (amqp_connection_state_t state, amqp_channel_t channel, amqp_bytes_t queue, amqp_bytes_t exchange, \
               amqp_bytes_t routing_key, amqp_table_t arguments),                                              \
              (state, channel, queue, exchange, routing_key, arguments))                                       \
    RETURNING(amqp_queue_delete_ok_t *, amqp_queue_delete,                                                     \
              (amqp_connection_state_t state, amqp_channel_t channel, amqp_bytes_t queue,                      \
               amqp_boolean_t if_unused, amqp_boolean_t if_empty),                                             \
              (state, channel, queue, if_unused, if_empty))                                                    \
    RETURNING(int, amqp_basic_publish,                                                                         \
              (amqp_connection_state_t state, amqp_channel_t channel, amqp_bytes_t exchange,                   \
               amqp_bytes_t routing_key, amqp_boolean_t mandatory, amqp_boolean_t immediate,                   \
               const amqp_basic_properties_t *properties, amqp_bytes_t body),                                  \
              (state, channel, exchange, routing_key, mandatory, immediate, properties, body))                 \
    RETURNING(amqp_rpc_reply_t, amqp_basic_get,                                                                \
              (amqp_connection_state_t state, amqp_channel_t channel, amqp_bytes_t queue, amqp_boolean_t no_ack), \
              (state, channel, queue, no_ack))                                                                 \
    RETURNING(int, amqp_send_method,                                                                           \
              (amqp_connection_state_t state, amqp_channel_t channel, amqp_method_number_t id, void *decoded), \
              (state, channel, id, decoded))                                                                   \
    RETURNING(int, amqp_simple_wait_frame_noblock,                                                             \
              (amqp_connection_state_t state, amqp_frame_t * frame, const struct timeval *timeout),            \
              (state, frame, timeout))                                                                         \
    RETURNING(amqp_rpc_reply_t, amqp_get_rpc_reply, (amqp_connection_state_t state), (state))                  \
    VOID(amqp_maybe_release_buffers, (amqp_connection_state_t state), (state))                                 \
    RETURNING(const char *, amqp_error_string2, (int error), (error))                                          \
    RETURNING(int, amqp_encode_table, (amqp_bytes_t encoded, amqp_table_t * input, size_t * offset),           \
              (encoded, input, offset))                                                                        \
    VOID(init_amqp_pool, (amqp_pool_t * pool, size_t page_size), (pool, page_size))                            \
    VOID(recycle_amqp_pool, (amqp_pool_t * pool), (pool))                                                      \
    VOID(empty_amqp_pool, (amqp_pool_t * pool), (pool))                                                        \
    RETURNING(void *, amqp_pool_alloc, (amqp_pool_t * pool, size_t amount), (pool, amount))

/// librabbitmq's functions as `dlsym` found them in the loaded library.
struct swiftbeat_rabbitmq_functions {
#define SWIFTBEAT_RABBITMQ_FIELD(result, name, parameters, arguments) result(*name) parameters;
#define SWIFTBEAT_RABBITMQ_VOID_FIELD(name, parameters, arguments) void(*name) parameters;
    SWIFTBEAT_RABBITMQ_FUNCTIONS(SWIFTBEAT_RABBITMQ_FIELD, SWIFTBEAT_RABBITMQ_VOID_FIELD)
#undef SWIFTBEAT_RABBITMQ_FIELD
#undef SWIFTBEAT_RABBITMQ_VOID_FIELD
    /// Variadic, so it has no wrapper: `swiftbeat_amqp_login_plain` calls it.
    amqp_rpc_reply_t (*amqp_login_with_properties)(amqp_connection_state_t state, const char *vhost, int channel_max,
                                                   int frame_max, int heartbeat, const amqp_table_t *properties,
                                                   amqp_sasl_method_enum sasl_method, ...);
};

/// Opens librabbitmq (once per process; later calls return the first answer). NULL when it is
/// loaded, else why not, as one line (`dlerror`'s text). The handle is never closed: the library
/// stays for the life of the process, like a linked one.
const char *swiftbeat_rabbitmq_load(void);

/// The loaded functions; loads them first if needed. A process that calls this without the library
/// installed stops with one line on stderr: callers that can report an error call
/// `swiftbeat_rabbitmq_load` first (`AMQPConnection` does, before anything else).
const struct swiftbeat_rabbitmq_functions *swiftbeat_rabbitmq(void);

#define SWIFTBEAT_RABBITMQ_WRAPPER(result, name, parameters, arguments) \
    static inline result name parameters { return swiftbeat_rabbitmq()->name arguments; }
#define SWIFTBEAT_RABBITMQ_VOID_WRAPPER(name, parameters, arguments) \
    static inline void name parameters { swiftbeat_rabbitmq()->name arguments; }
SWIFTBEAT_RABBITMQ_FUNCTIONS(SWIFTBEAT_RABBITMQ_WRAPPER, SWIFTBEAT_RABBITMQ_VOID_WRAPPER)
#undef SWIFTBEAT_RABBITMQ_WRAPPER
#undef SWIFTBEAT_RABBITMQ_VOID_WRAPPER

/// amqp_login_with_properties is variadic (the SASL arguments follow), and Swift cannot call
/// variadic C functions: this fixes the method to PLAIN with a user name and a password.
static inline amqp_rpc_reply_t swiftbeat_amqp_login_plain(
    amqp_connection_state_t state, const char *vhost, int channel_max, int frame_max, int heartbeat,
    const amqp_table_t *client_properties, const char *user, const char *password) {
    return swiftbeat_rabbitmq()->amqp_login_with_properties(state, vhost, channel_max, frame_max, heartbeat,
                                                            client_properties, AMQP_SASL_METHOD_PLAIN, user, password);
}
#endif
