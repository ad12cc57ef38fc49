#ifndef SWIFTBEAT_CRABBITMQ_SHIM_H
#define SWIFTBEAT_CRABBITMQ_SHIM_H
#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>
#include <amqp_ssl_socket.h>

/// amqp_login_with_properties is variadic (the SASL arguments follow), and Swift cannot call
/// variadic C functions: this fixes the method to PLAIN with a user name and a password.
static inline amqp_rpc_reply_t swiftbeat_amqp_login_plain(
    amqp_connection_state_t state, const char *vhost, int channel_max, int frame_max, int heartbeat,
    const amqp_table_t *client_properties, const char *user, const char *password) {
    return amqp_login_with_properties(state, vhost, channel_max, frame_max, heartbeat, client_properties,
                                      AMQP_SASL_METHOD_PLAIN, user, password);
}
#endif
