/* What RabbitMQ itself can take of Celery's messages: scripts/lib/rabbitmq-publish-baseline.c's loop
 * (persistent messages to a durable queue, confirm mode, mandatory, batches of 1,000), publishing
 * either the baseline's message or one shaped like swiftbeat's (the properties and the 21
 * application headers Celery 5.7 sends, a 78-byte body). Comparing the two on the same node says
 * how much of the "raw publishing, AMQP" ratio is the broker's cost of Celery's header table rather
 * than the publisher's. A diagnostic beside the benchmark, not part of it.
 *
 *   cc -O2 -o /tmp/celery-headers-publish Benchmarks/RabbitMQProbe/celery-headers-publish.c -lrabbitmq
 *   /tmp/celery-headers-publish 127.0.0.1 5693 100 plain     # the baseline's message
 *   /tmp/celery-headers-publish 127.0.0.1 5693 100 celery    # swiftbeat's message
 *   /tmp/celery-headers-publish 127.0.0.1 5693 100 celery 2  # ...with one batch always in flight
 *
 * Arguments: host, port, batches, message kind, window (batches written before the oldest one's
 * confirms are awaited; 1, the default, is the baseline's pattern, 2 is swiftbeat's).
 */
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void die(const char *what) { fprintf(stderr, "celery-headers-publish: %s failed\n", what); exit(1); }

static void check(amqp_connection_state_t conn, const char *what) {
    if (amqp_get_rpc_reply(conn).reply_type != AMQP_RESPONSE_NORMAL) die(what);
}

#define TEXT(k, v) {amqp_cstring_bytes(k), {.kind = AMQP_FIELD_KIND_UTF8, .value.bytes = amqp_cstring_bytes(v)}}
#define NONE(k) {amqp_cstring_bytes(k), {.kind = AMQP_FIELD_KIND_VOID}}
#define INT(k, n) {amqp_cstring_bytes(k), {.kind = AMQP_FIELD_KIND_I32, .value.i32 = n}}

int main(int argc, char **argv) {
    if (argc < 5) die("usage: HOST PORT BATCHES plain|celery [WINDOW]; arguments");
    const char *host = argv[1];
    int port = atoi(argv[2]), batches = atoi(argv[3]);
    int celery = strcmp(argv[4], "celery") == 0;
    int window = argc > 5 ? atoi(argv[5]) : 1;
    const int batch = 1000;
    amqp_connection_state_t conn = amqp_new_connection();
    amqp_socket_t *socket = amqp_tcp_socket_new(conn);
    if (amqp_socket_open(socket, host, port)) die("connect");
    if (amqp_login(conn, "/", 0, 131072, 60, AMQP_SASL_METHOD_PLAIN, "guest", "guest").reply_type != AMQP_RESPONSE_NORMAL)
        die("login");
    amqp_channel_open(conn, 1); check(conn, "channel.open");
    amqp_confirm_select(conn, 1); check(conn, "confirm.select");
    amqp_bytes_t queue = amqp_cstring_bytes("swiftbeat-celery-headers-probe");
    amqp_queue_declare(conn, 1, queue, 0, 1, 0, 0, amqp_empty_table); check(conn, "queue.declare");

    char plain_body[700];
    memset(plain_body, 'x', sizeof plain_body);
    amqp_field_value_t no_limits[2] = {{.kind = AMQP_FIELD_KIND_VOID}, {.kind = AMQP_FIELD_KIND_VOID}};
    amqp_table_entry_t headers[] = {
        TEXT("lang", "py"), TEXT("task", "bench.noop"), TEXT("id", "0d3c2bd8-0b77-4a44-9c57-8d1b2f6a9c11"),
        NONE("shadow"), NONE("eta"), TEXT("expires", "2026-11-27T22:00:00.000000+00:00"), NONE("group"),
        NONE("group_index"), INT("retries", 0),
        {amqp_cstring_bytes("timelimit"), {.kind = AMQP_FIELD_KIND_ARRAY, .value.array = {2, no_limits}}},
        TEXT("root_id", "0d3c2bd8-0b77-4a44-9c57-8d1b2f6a9c11"), NONE("parent_id"), TEXT("argsrepr", "[1]"),
        TEXT("kwargsrepr", "{}"), TEXT("origin", "gen12345@benchhost"), NONE("ignore_result"),
        INT("replaced_task_nesting", 0), NONE("stamped_headers"),
        {amqp_cstring_bytes("stamps"), {.kind = AMQP_FIELD_KIND_TABLE, .value.table = {0, NULL}}},
        {amqp_cstring_bytes("celery_beat_task"), {.kind = AMQP_FIELD_KIND_BOOLEAN, .value.boolean = 1}},
        TEXT("periodic_task_name", "e1"),
    };
    amqp_basic_properties_t props;
    memset(&props, 0, sizeof props);
    props.delivery_mode = 2;
    props.content_type = amqp_cstring_bytes("application/json");
    props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG;
    amqp_bytes_t body = {sizeof plain_body, plain_body};
    if (celery) {
        props._flags |= AMQP_BASIC_CONTENT_ENCODING_FLAG | AMQP_BASIC_CORRELATION_ID_FLAG | AMQP_BASIC_REPLY_TO_FLAG |
                        AMQP_BASIC_PRIORITY_FLAG | AMQP_BASIC_EXPIRATION_FLAG | AMQP_BASIC_HEADERS_FLAG;
        props.content_encoding = amqp_cstring_bytes("utf-8");
        props.correlation_id = amqp_cstring_bytes("0d3c2bd8-0b77-4a44-9c57-8d1b2f6a9c11");
        props.reply_to = amqp_cstring_bytes("5b9c7a3e-2f44-3a1b-9d4e-6c2b7f1e0a99");
        props.priority = 0;
        props.expiration = amqp_cstring_bytes("3600000");
        props.headers = (amqp_table_t){sizeof headers / sizeof headers[0], headers};
        body = amqp_cstring_bytes("[[1], {}, {\"callbacks\": null, \"errbacks\": null, \"chain\": null, \"chord\": null}]");
    }

    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    uint64_t confirmed = 0, sent = 0;
    for (int b = 0; b < batches; b++) {
        for (int i = 0; i < batch; i++) {
            if (amqp_basic_publish(conn, 1, amqp_empty_bytes, queue, 1, 0, &props, body)) die("publish");
        }
        sent += batch;
        uint64_t in_flight = b == batches - 1 ? 0 : (uint64_t)(window - 1) * batch;
        while (confirmed + in_flight < sent) {
            amqp_frame_t frame;
            if (amqp_simple_wait_frame(conn, &frame)) die("wait");
            if (frame.frame_type == AMQP_FRAME_METHOD && frame.payload.method.id == AMQP_BASIC_ACK_METHOD)
                confirmed = ((amqp_basic_ack_t *)frame.payload.method.decoded)->delivery_tag;
            amqp_maybe_release_buffers(conn);
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
    printf("%s, window %d: %d confirmed messages in %.3f s: %.0f messages/s\n", celery ? "celery" : "plain", window,
           batches * batch, seconds, batches * batch / seconds);
    amqp_queue_delete(conn, 1, queue, 0, 0);
    amqp_channel_close(conn, 1, AMQP_REPLY_SUCCESS);
    amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn);
    return 0;
}
