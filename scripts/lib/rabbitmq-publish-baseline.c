/* The yardstick for AMQPClient's publish throughput: a minimal librabbitmq loop that publishes
 * 700-byte persistent messages to a durable queue in confirm mode and waits for the confirms of
 * every batch of 1,000 (acks may be `multiple`). No error handling beyond aborting.
 *
 *   cc -O2 -o /tmp/rabbitmq-publish-baseline scripts/lib/rabbitmq-publish-baseline.c -lrabbitmq
 *   /tmp/rabbitmq-publish-baseline 127.0.0.1 5673 20   # host, port, batches
 */
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void die(const char *what) { fprintf(stderr, "baseline: %s failed\n", what); exit(1); }

static void check(amqp_connection_state_t conn, const char *what) {
    if (amqp_get_rpc_reply(conn).reply_type != AMQP_RESPONSE_NORMAL) die(what);
}

int main(int argc, char **argv) {
    const char *host = argc > 1 ? argv[1] : "127.0.0.1";
    int port = argc > 2 ? atoi(argv[2]) : 5673;
    int batches = argc > 3 ? atoi(argv[3]) : 20;
    const int batch = 1000;
    amqp_connection_state_t conn = amqp_new_connection();
    amqp_socket_t *socket = amqp_tcp_socket_new(conn);
    if (amqp_socket_open(socket, host, port)) die("connect");
    if (amqp_login(conn, "/", 0, 131072, 60, AMQP_SASL_METHOD_PLAIN, "guest", "guest").reply_type != AMQP_RESPONSE_NORMAL) die("login");
    amqp_channel_open(conn, 1); check(conn, "channel.open");
    amqp_confirm_select(conn, 1); check(conn, "confirm.select");
    amqp_bytes_t queue = amqp_cstring_bytes("swiftbeat-baseline");
    amqp_queue_declare(conn, 1, queue, 0, 1, 0, 0, amqp_empty_table); check(conn, "queue.declare");

    char body[700];
    memset(body, 'x', sizeof body);
    amqp_basic_properties_t props;
    memset(&props, 0, sizeof props);
    props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG;
    props.delivery_mode = 2;
    props.content_type = amqp_cstring_bytes("application/json");

    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    uint64_t tag = 0;
    for (int b = 0; b < batches; b++) {
        for (int i = 0; i < batch; i++) {
            if (amqp_basic_publish(conn, 1, amqp_empty_bytes, queue, 1, 0, &props,
                                   (amqp_bytes_t){sizeof body, body}))
                die("publish");
        }
        uint64_t target = tag + batch;
        while (tag < target) {
            amqp_frame_t frame;
            if (amqp_simple_wait_frame(conn, &frame)) die("wait");
            if (frame.frame_type == AMQP_FRAME_METHOD && frame.payload.method.id == AMQP_BASIC_ACK_METHOD)
                tag = ((amqp_basic_ack_t *)frame.payload.method.decoded)->delivery_tag;
            amqp_maybe_release_buffers(conn);
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
    printf("baseline: %d confirmed messages in %.3f s: %.0f messages/s\n", batches * batch, seconds,
           batches * batch / seconds);
    amqp_queue_delete(conn, 1, queue, 0, 0);
    amqp_channel_close(conn, 1, AMQP_REPLY_SUCCESS);
    amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn);
    return 0;
}
