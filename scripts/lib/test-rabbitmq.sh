# The private RabbitMQ node of scripts/rabbitmq, as scripts/test uses it (sourced, not run).
#
# Several checkouts on one machine may each run their own node (scripts/rabbitmq keeps its state
# in the checkout). Every node wants the same fixed ports by default, and a node on those ports
# that another checkout started cannot be used from here (another Erlang cookie, another state).
# So: use this checkout's node if it already runs; else start one on the default ports if they
# are free, else on the first free set of other ports. Ports the caller set through the
# SWIFTBEAT_RABBITMQ_* variables are used as given.

SWIFTBEAT_RABBITMQ_STARTED=no

# use_private_rabbitmq: leaves this checkout's node running and the SWIFTBEAT_RABBITMQ_* ports
# exported (the tests run scripts/rabbitmq ctl, which must find the same node).
use_private_rabbitmq() {
    local rabbitmq="$SWIFTBEAT_ROOT/scripts/rabbitmq"
    if "$rabbitmq" status >/dev/null 2>&1; then
        say "using this checkout's RabbitMQ node, already running: $("$rabbitmq" url)"
        export_rabbitmq_ports
        return 0
    fi
    if [ -z "${SWIFTBEAT_RABBITMQ_PORT:-}${SWIFTBEAT_RABBITMQ_TLS_PORT:-}${SWIFTBEAT_RABBITMQ_DIST_PORT:-}${SWIFTBEAT_RABBITMQ_EPMD_PORT:-}" ]; then
        choose_free_rabbitmq_ports
    fi
    export_rabbitmq_ports
    "$rabbitmq" start >&2 || die "could not start the private RabbitMQ node (logs in ${SWIFTBEAT_RABBITMQ_STATE:-$SWIFTBEAT_STATE/rabbitmq}/log)"
    SWIFTBEAT_RABBITMQ_STARTED=yes
}

# stop_private_rabbitmq: stops the node if use_private_rabbitmq started it, and only then.
stop_private_rabbitmq() {
    if [ "$SWIFTBEAT_RABBITMQ_STARTED" = yes ]; then
        "$SWIFTBEAT_ROOT/scripts/rabbitmq" stop >&2 || true
        SWIFTBEAT_RABBITMQ_STARTED=no
    fi
}

export_rabbitmq_ports() {
    export SWIFTBEAT_RABBITMQ_PORT=${SWIFTBEAT_RABBITMQ_PORT:-5673}
    export SWIFTBEAT_RABBITMQ_TLS_PORT=${SWIFTBEAT_RABBITMQ_TLS_PORT:-5674}
    export SWIFTBEAT_RABBITMQ_DIST_PORT=${SWIFTBEAT_RABBITMQ_DIST_PORT:-25673}
    export SWIFTBEAT_RABBITMQ_EPMD_PORT=${SWIFTBEAT_RABBITMQ_EPMD_PORT:-4371}
}

# choose_free_rabbitmq_ports: the defaults (5673, 5674, 25673, 4371), or the same shifted by a
# multiple of 100, whichever set is free first.
choose_free_rabbitmq_ports() {
    local shift
    for shift in 0 100 200 300 400 500 600 700 800 900 1000; do
        if port_free $((5673 + shift)) && port_free $((5674 + shift)) && port_free $((25673 + shift)) &&
            port_free $((4371 + shift)); then
            SWIFTBEAT_RABBITMQ_PORT=$((5673 + shift))
            SWIFTBEAT_RABBITMQ_TLS_PORT=$((5674 + shift))
            SWIFTBEAT_RABBITMQ_DIST_PORT=$((25673 + shift))
            SWIFTBEAT_RABBITMQ_EPMD_PORT=$((4371 + shift))
            [ "$shift" = 0 ] || say "RabbitMQ's default test ports are taken (another checkout's node?); using AMQP port $SWIFTBEAT_RABBITMQ_PORT"
            return 0
        fi
    done
    die "no free set of RabbitMQ test ports on 127.0.0.1 (tried 5673-6673); set SWIFTBEAT_RABBITMQ_PORT, _TLS_PORT, _DIST_PORT and _EPMD_PORT"
}

# port_free PORT: nothing accepts connections on 127.0.0.1:PORT.
port_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
