/* What RabbitMQ itself can take of Celery's messages: scripts/lib/rabbitmq-publish-baseline.c's loop
 * (messages to durable queues, confirm mode, mandatory, batches of 1,000), publishing either the
 * baseline's message, one shaped like swiftbeat's (the properties and the 21 application headers
 * Celery 5.7 sends, a 78-byte body) or a minimal one (delivery mode only, a 2-byte body). Comparing
 * them on the same node says how much of the "raw publishing, AMQP" ratio is the broker's cost of
 * Celery's header table rather than the publisher's. A diagnostic beside the benchmark, not part of it.
 *
 * The optional arguments after WINDOW vary what RabbitMQ offers, for `scripts/bench rabbitmq-bound`
 * (issue 19: what moves the bound of RabbitMQ's queue process): the queue's kind, several connections
 * (one process each, so they publish at the same time) and several channels per connection, each
 * channel to a queue of its own with an equal share of the messages, and the delivery mode.
 *
 *   cc -O2 -o /tmp/celery-headers-publish Benchmarks/RabbitMQProbe/celery-headers-publish.c -lrabbitmq
 *   /tmp/celery-headers-publish 127.0.0.1 5693 100 plain     # the baseline's message
 *   /tmp/celery-headers-publish 127.0.0.1 5693 100 celery    # swiftbeat's message
 *   /tmp/celery-headers-publish 127.0.0.1 5693 100 celery 2  # ...with one batch always in flight
 *   /tmp/celery-headers-publish 127.0.0.1 5693 100 celery 2 quorum 2 2 1  # 4 transient quorum queues
 *
 * Arguments: host, port, batches (in all), message kind (plain|celery|minimal), window (batches a
 * channel writes before its oldest one's confirms are awaited; 1, the default, is the baseline's
 * pattern, 2 is swiftbeat's), queue kind (classic, the default|lazy (x-queue-mode)|quorum
 * (x-queue-type)), connections (1), channels per connection (1), delivery mode (2, persistent|1).
 * The time runs from the moment every connection is ready until the last confirm of all of them.
 */
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BATCH 1000
#define MAX_CHANNELS 16

static void die(const char *what) { fprintf(stderr, "celery-headers-publish: %s failed\n", what); exit(1); }

static void check(amqp_connection_state_t conn, const char *what) {
    if (amqp_get_rpc_reply(conn).reply_type != AMQP_RESPONSE_NORMAL) die(what);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);  // system-wide: comparable across the forked publishers
    return t.tv_sec + t.tv_nsec / 1e9;
}

#define TEXT(k, v) {amqp_cstring_bytes(k), {.kind = AMQP_FIELD_KIND_UTF8, .value.bytes = amqp_cstring_bytes(v)}}
#define NONE(k) {amqp_cstring_bytes(k), {.kind = AMQP_FIELD_KIND_VOID}}
#define INT(k, n) {amqp_cstring_bytes(k), {.kind = AMQP_FIELD_KIND_I32, .value.i32 = n}}

struct options {
    const char *host, *kind, *queue_kind;
    int port, batches, window, connections, channels, delivery_mode;
};

/* One connection's share: `channels` channels in confirm mode, each to its own fresh queue. */
struct publisher {
    amqp_connection_state_t conn;
    char names[MAX_CHANNELS][64];
    uint64_t sent[MAX_CHANNELS], confirmed[MAX_CHANNELS];
};

static void open_publisher(struct publisher *p, const struct options *o, int index) {
    p->conn = amqp_new_connection();
    amqp_socket_t *socket = amqp_tcp_socket_new(p->conn);
    if (amqp_socket_open(socket, o->host, o->port)) die("connect");
    if (amqp_login(p->conn, "/", 0, 131072, 60, AMQP_SASL_METHOD_PLAIN, "guest", "guest").reply_type != AMQP_RESPONSE_NORMAL)
        die("login");
    amqp_table_entry_t argument = {amqp_cstring_bytes(""), {.kind = AMQP_FIELD_KIND_UTF8}};
    amqp_table_t arguments = amqp_empty_table;
    if (strcmp(o->queue_kind, "quorum") == 0) {
        argument.key = amqp_cstring_bytes("x-queue-type");
        argument.value.value.bytes = amqp_cstring_bytes("quorum");
        arguments = (amqp_table_t){1, &argument};
    } else if (strcmp(o->queue_kind, "lazy") == 0) {
        argument.key = amqp_cstring_bytes("x-queue-mode");
        argument.value.value.bytes = amqp_cstring_bytes("lazy");
        arguments = (amqp_table_t){1, &argument};
    } else if (strcmp(o->queue_kind, "classic") != 0) {
        die("the queue kind (classic|lazy|quorum)");
    }
    for (int c = 0; c < o->channels; c++) {
        amqp_channel_t channel = c + 1;
        amqp_channel_open(p->conn, channel); check(p->conn, "channel.open");
        amqp_confirm_select(p->conn, channel); check(p->conn, "confirm.select");
        snprintf(p->names[c], sizeof p->names[c], "swiftbeat-celery-headers-probe-%d-%d", index, c);
        amqp_bytes_t queue = amqp_cstring_bytes(p->names[c]);
        amqp_queue_delete(p->conn, channel, queue, 0, 0); check(p->conn, "queue.delete");
        amqp_queue_declare(p->conn, channel, queue, 0, 1, 0, 0, arguments); check(p->conn, "queue.declare");
        p->sent[c] = p->confirmed[c] = 0;
    }
}

static void close_publisher(struct publisher *p, const struct options *o) {
    for (int c = 0; c < o->channels; c++) {
        amqp_queue_delete(p->conn, c + 1, amqp_cstring_bytes(p->names[c]), 0, 0);
        amqp_channel_close(p->conn, c + 1, AMQP_REPLY_SUCCESS);
    }
    amqp_connection_close(p->conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(p->conn);
}

static int behind(const struct publisher *p, int channels, uint64_t in_flight) {
    for (int c = 0; c < channels; c++)
        if (p->confirmed[c] + in_flight < p->sent[c]) return 1;
    return 0;
}

/* Each channel in turn gets a batch; then the confirms are read until every channel has at most
 * window - 1 batches unconfirmed (none after the last). */
static void publish_share(struct publisher *p, const struct options *o, amqp_basic_properties_t *props,
                          amqp_bytes_t body) {
    int batches = o->batches / (o->connections * o->channels);
    for (int b = 0; b < batches; b++) {
        for (int c = 0; c < o->channels; c++) {
            amqp_bytes_t queue = amqp_cstring_bytes(p->names[c]);
            for (int i = 0; i < BATCH; i++)
                if (amqp_basic_publish(p->conn, c + 1, amqp_empty_bytes, queue, 1, 0, props, body)) die("publish");
            p->sent[c] += BATCH;
        }
        uint64_t in_flight = b == batches - 1 ? 0 : (uint64_t)(o->window - 1) * BATCH;
        while (behind(p, o->channels, in_flight)) {
            amqp_frame_t frame;
            if (amqp_simple_wait_frame(p->conn, &frame)) die("wait");
            if (frame.frame_type == AMQP_FRAME_METHOD) {
                if (frame.payload.method.id == AMQP_BASIC_NACK_METHOD) die("a confirm (nack)");
                if (frame.payload.method.id == AMQP_BASIC_RETURN_METHOD) die("routing (basic.return)");
                if (frame.payload.method.id == AMQP_BASIC_ACK_METHOD && frame.channel >= 1 && frame.channel <= o->channels) {
                    uint64_t tag = ((amqp_basic_ack_t *)frame.payload.method.decoded)->delivery_tag;
                    if (tag > p->confirmed[frame.channel - 1]) p->confirmed[frame.channel - 1] = tag;
                }
            }
            amqp_maybe_release_buffers(p->conn);
        }
    }
}

int main(int argc, char **argv) {
    if (argc < 5) die("usage: HOST PORT BATCHES plain|celery|minimal [WINDOW [QUEUE CONNECTIONS CHANNELS MODE]]; arguments");
    struct options o = {argv[1], argv[4], argc > 6 ? argv[6] : "classic", atoi(argv[2]), atoi(argv[3]),
                        argc > 5 ? atoi(argv[5]) : 1, argc > 7 ? atoi(argv[7]) : 1, argc > 8 ? atoi(argv[8]) : 1,
                        argc > 9 ? atoi(argv[9]) : 2};
    if (o.window < 1 || o.connections < 1 || o.channels < 1 || o.channels > MAX_CHANNELS || o.connections > 64 ||
        o.batches % (o.connections * o.channels) != 0 || (o.delivery_mode != 1 && o.delivery_mode != 2))
        die("the arguments (batches a multiple of connections × channels, at most 64 connections and 16 channels, mode 1 or 2)");

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
    props.delivery_mode = o.delivery_mode;
    props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG;
    amqp_bytes_t body = {sizeof plain_body, plain_body};
    if (strcmp(o.kind, "minimal") == 0) {
        body = amqp_cstring_bytes("[]");
    } else {
        props.content_type = amqp_cstring_bytes("application/json");
        props._flags |= AMQP_BASIC_CONTENT_TYPE_FLAG;
    }
    if (strcmp(o.kind, "celery") == 0) {
        props._flags |= AMQP_BASIC_CONTENT_ENCODING_FLAG | AMQP_BASIC_CORRELATION_ID_FLAG | AMQP_BASIC_REPLY_TO_FLAG |
                        AMQP_BASIC_PRIORITY_FLAG | AMQP_BASIC_EXPIRATION_FLAG | AMQP_BASIC_HEADERS_FLAG;
        props.content_encoding = amqp_cstring_bytes("utf-8");
        props.correlation_id = amqp_cstring_bytes("0d3c2bd8-0b77-4a44-9c57-8d1b2f6a9c11");
        props.reply_to = amqp_cstring_bytes("5b9c7a3e-2f44-3a1b-9d4e-6c2b7f1e0a99");
        props.priority = 0;
        props.expiration = amqp_cstring_bytes("3600000");
        props.headers = (amqp_table_t){sizeof headers / sizeof headers[0], headers};
        body = amqp_cstring_bytes("[[1], {}, {\"callbacks\": null, \"errbacks\": null, \"chain\": null, \"chord\": null}]");
    } else if (strcmp(o.kind, "plain") != 0 && strcmp(o.kind, "minimal") != 0) {
        die("the message kind (plain|celery|minimal)");
    }

    // One process per connection: each sets up, says it is ready, waits for the start, publishes its
    // share and reports when its last confirm arrived.
    int ready[2], go[2], done[2];
    if (pipe(ready) || pipe(go) || pipe(done)) die("pipe");
    for (int i = 0; i < o.connections; i++) {
        pid_t pid = fork();
        if (pid < 0) die("fork");
        if (pid == 0) {
            struct publisher p;
            open_publisher(&p, &o, i);
            char byte = 1;
            if (write(ready[1], &byte, 1) != 1 || read(go[0], &byte, 1) != 1) die("the start");
            publish_share(&p, &o, &props, body);
            double end = now();
            if (write(done[1], &end, sizeof end) != sizeof end) die("the report");
            close_publisher(&p, &o);
            exit(0);
        }
    }
    for (int i = 0; i < o.connections; i++) {
        char byte;
        if (read(ready[0], &byte, 1) != 1) die("a publisher's setup");
    }
    double start = now(), end = start;
    char starts[64] = {0};
    if (write(go[1], starts, o.connections) != o.connections) die("the start");
    for (int i = 0; i < o.connections; i++) {
        double t;
        if (read(done[0], &t, sizeof t) != sizeof t) die("a publisher");
        if (t > end) end = t;
    }
    int failed = 0;
    for (int i = 0; i < o.connections; i++) {
        int status;
        if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) failed = 1;
    }
    if (failed) die("a publisher");
    double seconds = end - start;
    int total = o.batches * BATCH;
    printf("%s, window %d, %s queues, %d connections × %d channels, delivery mode %d: %d confirmed messages in "
           "%.3f s: %.0f messages/s\n", o.kind, o.window, o.queue_kind, o.connections, o.channels, o.delivery_mode,
           total, seconds, total / seconds);
    return 0;
}
