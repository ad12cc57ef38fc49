# A private redis-server on loopback for scripts (tests start their own from Swift).
# redis_start NAME PORT: starts it unless it already answers; redis_stop NAME: stops only what redis_start started.

redis_start() {
    local name=$1 port=$2 dir="$SWIFTBEAT_STATE/redis-$1"
    mkdir -p "$dir"
    if redis-cli -p "$port" ping >/dev/null 2>&1; then
        say "redis already answers on 127.0.0.1:$port; using it"
        return 0
    fi
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
        --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
    wait_for 20 "redis on port $port" redis-cli -p "$port" ping
    echo "$port" >"$dir/port"
}

redis_stop() {
    local dir="$SWIFTBEAT_STATE/redis-$1" pid
    [ -f "$dir/redis.pid" ] || return 0
    pid=$(cat "$dir/redis.pid")
    if kill "$pid" 2>/dev/null; then
        local deadline=$((SECONDS + 20))
        while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    fi
    rm -f "$dir/redis.pid" "$dir/port"
}
