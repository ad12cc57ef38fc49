/* The benchmark's measuring probes, in C so that they take as little of the 2 shared cores as
 * possible from the beat under test. Every time printed is CLOCK_REALTIME in microseconds since the
 * epoch, so it compares with the due instants the loader wrote.
 *
 *   benchtool drain PORT DB LIST COUNT TIMEOUT_S OUT
 *       Pops LIST (RPOP LIST 1000, BRPOP when empty) until COUNT messages, TIMEOUT_S seconds, or
 *       SIGTERM, after which it empties the list and exits. Writes one line per message: "pop_us entry fire_us", where
 *       entry is the first integer of the `argsrepr` header and fire_us is the `expires` header
 *       minus 3600 s (the loader gives every entry options.expires = 3600). pop_us is an upper
 *       bound on when the message entered the list.
 *   benchtool waitlen PORT DB LIST COUNT TIMEOUT_S
 *       Polls LLEN every 200 us; prints "first_us last_us count": when the list first held a
 *       message and when it first held COUNT (last_us 0 if it never did within TIMEOUT_S).
 *   benchtool firstmsg PORT DB LIST TIMEOUT_S LOG -- COMMAND...
 *       Starts COMMAND (stdout and stderr to LOG), waits (BRPOP) for the first message in LIST,
 *       prints "start_us first_us pid" (first_us 0 on timeout) and leaves COMMAND running: the
 *       caller stops it by pid.
 *   benchtool brpop PORT DB LIST TIMEOUT_S
 *       Waits (BRPOP) for one message in LIST; prints when it came (0 on timeout).
 *   benchtool amqpcount HOST PORT QUEUE COUNT TIMEOUT_S
 *       Polls the queue's ready-message count (passive queue.declare) every 2 ms; prints
 *       "first_us last_us count" like waitlen.
 */
#define _GNU_SOURCE
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested = 0;
static void on_signal(int sig) { (void)sig; stop_requested = 1; }

static long long now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (long long)t.tv_sec * 1000000LL + t.tv_nsec / 1000;
}

static void die(const char *what) {
    fprintf(stderr, "benchtool: %s\n", what);
    exit(2);
}

static redisContext *connect_redis(int port, int db) {
    redisContext *c = redisConnect("127.0.0.1", port);
    if (!c || c->err) die("cannot connect to redis");
    redisReply *r = redisCommand(c, "SELECT %d", db);
    if (!r || r->type == REDIS_REPLY_ERROR) die("SELECT failed");
    freeReplyObject(r);
    return c;
}

/* days_from_civil (Howard Hinnant), for a timegm that ignores the process's zone. */
static long long days_from_civil(long long y, unsigned m, unsigned d) {
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

/* Parses ISO 8601 "YYYY-MM-DDTHH:MM:SS[.ffffff][+HH:MM|Z]" at s; returns microseconds or 0. */
static long long parse_iso(const char *s, const char *end) {
    int y, mo, d, h, mi, sec, n = 0;
    if (end - s < 19 || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6) return 0;
    const char *p = s + n;
    long long micro = 0;
    if (p < end && *p == '.') {
        int digits = 0;
        p++;
        while (p < end && *p >= '0' && *p <= '9') {
            if (digits < 6) { micro = micro * 10 + (*p - '0'); digits++; }
            p++;
        }
        while (digits++ < 6) micro *= 10;
    }
    long long offset = 0;
    if (p < end && (*p == '+' || *p == '-')) {
        int oh = 0, om = 0;
        sscanf(p + 1, "%2d:%2d", &oh, &om);
        offset = (oh * 3600LL + om * 60LL) * (*p == '-' ? -1 : 1);
    }
    long long secs = days_from_civil(y, mo, d) * 86400LL + h * 3600LL + mi * 60LL + sec - offset;
    return secs * 1000000LL + micro;
}

/* The string value of header `name` in a kombu envelope (JSON with or without spaces). */
static const char *header_value(const char *msg, size_t len, const char *name, size_t *value_len) {
    const char *end = msg + len;
    size_t nlen = strlen(name);
    const char *p = msg;
    while ((p = memmem(p, end - p, name, nlen)) != NULL) {
        const char *q = p + nlen;
        while (q < end && (*q == ' ' || *q == ':')) q++;
        if (q < end && *q == '"') {
            const char *v = q + 1;
            const char *e = memchr(v, '"', end - v);
            if (!e) return NULL;
            *value_len = e - v;
            return v;
        }
        p = q;
    }
    return NULL;
}

static void record(FILE *out, long long pop, const char *msg, size_t len) {
    size_t alen = 0, elen = 0;
    const char *a = header_value(msg, len, "\"argsrepr\"", &alen);
    const char *e = header_value(msg, len, "\"expires\"", &elen);
    long long entry = -999999;
    if (a) {
        const char *q = a, *aend = a + alen;
        while (q < aend && !(*q == '-' || (*q >= '0' && *q <= '9'))) q++;
        if (q < aend) entry = strtoll(q, NULL, 10);
    }
    long long fire = e ? parse_iso(e, e + elen) : 0;
    if (fire) fire -= 3600LL * 1000000LL;
    fprintf(out, "%lld %lld %lld\n", pop, entry, fire);
}

static int cmd_drain(int argc, char **argv) {
    if (argc < 8) die("usage: drain PORT DB LIST COUNT TIMEOUT_S OUT");
    int port = atoi(argv[2]), db = atoi(argv[3]);
    const char *list = argv[4];
    long long count = atoll(argv[5]);
    double time_limit = atof(argv[6]);
    FILE *out = fopen(argv[7], "w");
    if (!out) die("cannot open output");
    setvbuf(out, NULL, _IOFBF, 1 << 20);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    redisContext *c = connect_redis(port, db);
    long long got = 0, deadline = now_us() + (long long)(time_limit * 1e6);
    while (got < count) {
        redisReply *r = redisCommand(c, "RPOP %s 1000", list);
        long long pop = now_us();
        if (!r) die("redis connection lost");
        if (r->type == REDIS_REPLY_ARRAY && r->elements > 0) {
            for (size_t i = 0; i < r->elements; i++) {
                record(out, pop, r->element[i]->str, r->element[i]->len);
            }
            got += r->elements;
            freeReplyObject(r);
            continue;
        }
        freeReplyObject(r);
        if (stop_requested || pop > deadline) break; /* the list is empty */
        r = redisCommand(c, "BRPOP %s 0.05", list);
        pop = now_us();
        if (!r) die("redis connection lost");
        if (r->type == REDIS_REPLY_ARRAY && r->elements == 2) {
            record(out, pop, r->element[1]->str, r->element[1]->len);
            got++;
        }
        freeReplyObject(r);
    }
    fclose(out);
    fprintf(stderr, "benchtool drain: %lld messages\n", got);
    return 0;
}

static long long llen(redisContext *c, const char *list) {
    redisReply *r = redisCommand(c, "LLEN %s", list);
    if (!r || r->type != REDIS_REPLY_INTEGER) die("LLEN failed");
    long long n = r->integer;
    freeReplyObject(r);
    return n;
}

static void sleep_us(long us) {
    struct timespec t = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&t, NULL);
}

static int cmd_waitlen(int argc, char **argv) {
    if (argc < 7) die("usage: waitlen PORT DB LIST COUNT TIMEOUT_S");
    int port = atoi(argv[2]), db = atoi(argv[3]);
    const char *list = argv[4];
    long long count = atoll(argv[5]);
    long long deadline = now_us() + (long long)(atof(argv[6]) * 1e6);
    redisContext *c = connect_redis(port, db);
    long long first = 0, last = 0, n = 0;
    while (now_us() < deadline) {
        n = llen(c, list);
        long long t = now_us();
        if (n > 0 && !first) first = t;
        if (n >= count) { last = t; break; }
        sleep_us(200);
    }
    printf("%lld %lld %lld\n", first, last, n);
    return 0;
}

static int cmd_firstmsg(int argc, char **argv) {
    if (argc < 9 || strcmp(argv[7], "--") != 0) die("usage: firstmsg PORT DB LIST TIMEOUT_S LOG -- COMMAND...");
    int port = atoi(argv[2]), db = atoi(argv[3]);
    const char *list = argv[4];
    double timeout = atof(argv[5]);
    redisContext *c = connect_redis(port, db);
    fflush(NULL);
    long long start = now_us();
    pid_t pid = fork();
    if (pid < 0) die("fork failed");
    if (pid == 0) {
        FILE *log = freopen(argv[6], "a", stdout);
        if (!log || dup2(fileno(stdout), 2) < 0) _exit(126);
        execvp(argv[8], argv + 8);
        _exit(127);
    }
    char seconds[32];
    snprintf(seconds, sizeof seconds, "%.3f", timeout);
    redisReply *r = redisCommand(c, "BRPOP %s %s", list, seconds);
    long long first = now_us();
    if (!r) die("redis connection lost");
    if (r->type != REDIS_REPLY_ARRAY) first = 0;
    freeReplyObject(r);
    printf("%lld %lld %d\n", start, first, (int)pid);
    return 0;
}

static int cmd_brpop(int argc, char **argv) {
    if (argc < 6) die("usage: brpop PORT DB LIST TIMEOUT_S");
    redisContext *c = connect_redis(atoi(argv[2]), atoi(argv[3]));
    redisReply *r = redisCommand(c, "BRPOP %s %s", argv[4], argv[5]);
    long long t = now_us();
    if (!r) die("redis connection lost");
    printf("%lld\n", r->type == REDIS_REPLY_ARRAY ? t : 0LL);
    return 0;
}

static int cmd_amqpcount(int argc, char **argv) {
    if (argc < 7) die("usage: amqpcount HOST PORT QUEUE COUNT TIMEOUT_S");
    const char *host = argv[2];
    int port = atoi(argv[3]);
    amqp_bytes_t queue = amqp_cstring_bytes(argv[4]);
    long long count = atoll(argv[5]);
    long long deadline = now_us() + (long long)(atof(argv[6]) * 1e6);
    amqp_connection_state_t conn = amqp_new_connection();
    amqp_socket_t *socket = amqp_tcp_socket_new(conn);
    if (amqp_socket_open(socket, host, port)) die("amqp connect");
    if (amqp_login(conn, "/", 0, 131072, 60, AMQP_SASL_METHOD_PLAIN, "guest", "guest").reply_type != AMQP_RESPONSE_NORMAL)
        die("amqp login");
    int channel = 1;
    amqp_channel_open(conn, channel);
    long long first = 0, last = 0, n = 0;
    while (now_us() < deadline) {
        amqp_queue_declare_ok_t *ok = amqp_queue_declare(conn, channel, queue, 1, 0, 0, 0, amqp_empty_table);
        long long t = now_us();
        if (!ok) {
            /* The queue does not exist yet: the broker closed the channel; open the next one. */
            amqp_maybe_release_buffers(conn);
            channel++;
            amqp_channel_open(conn, channel);
            sleep_us(2000);
            continue;
        }
        n = ok->message_count;
        amqp_maybe_release_buffers(conn);
        if (n > 0 && !first) first = t;
        if (n >= count) { last = t; break; }
        sleep_us(2000);
    }
    printf("%lld %lld %lld\n", first, last, n);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) die("usage: benchtool drain|waitlen|firstmsg|brpop|amqpcount ...");
    if (!strcmp(argv[1], "drain")) return cmd_drain(argc, argv);
    if (!strcmp(argv[1], "waitlen")) return cmd_waitlen(argc, argv);
    if (!strcmp(argv[1], "firstmsg")) return cmd_firstmsg(argc, argv);
    if (!strcmp(argv[1], "brpop")) return cmd_brpop(argc, argv);
    if (!strcmp(argv[1], "amqpcount")) return cmd_amqpcount(argc, argv);
    die("unknown subcommand");
    return 2;
}
