# Helpers of scripts/bench: the tools, the venv, the build and the C probes it measures with.

# The benchmark's own RabbitMQ node, apart from the tests' (scripts/rabbitmq reads these).
export SWIFTBEAT_RABBITMQ_STATE=${SWIFTBEAT_RABBITMQ_STATE:-$SWIFTBEAT_STATE/bench-rabbitmq}
export SWIFTBEAT_RABBITMQ_PORT=${SWIFTBEAT_RABBITMQ_PORT:-5693}
export SWIFTBEAT_RABBITMQ_TLS_PORT=${SWIFTBEAT_RABBITMQ_TLS_PORT:-5694}
export SWIFTBEAT_RABBITMQ_DIST_PORT=${SWIFTBEAT_RABBITMQ_DIST_PORT:-25693}
export SWIFTBEAT_RABBITMQ_EPMD_PORT=${SWIFTBEAT_RABBITMQ_EPMD_PORT:-4393}
export SWIFTBEAT_RABBITMQ_NODE=${SWIFTBEAT_RABBITMQ_NODE:-swiftbeat-bench@localhost}
export BENCH_STATE=${BENCH_STATE:-$SWIFTBEAT_STATE/bench}
export BENCH_SWIFTBEAT=${BENCH_SWIFTBEAT:-$SWIFTBEAT_ROOT/.build-bench/release/swiftbeat}
export BENCH_PUBLISHBENCH=${BENCH_PUBLISHBENCH:-$SWIFTBEAT_ROOT/.build-publishbench/release/PublishBench}

# The anchors' versions: the newest Celery swiftbeat supports, and RedBeat from PyPI.
BENCH_PIP_PACKAGES="celery[redis]==5.7.0 celery-redbeat==2.4.2 packaging"

# redis-benchmark (redis-tools), callgrind (valgrind), perf (linux-perf, for profile-million's
# sampled cold start), and a C compiler for the probes.
bench_install_tools() {
    install_missing_packages redis-tools valgrind linux-perf gcc libc6-dev
}

bench_ensure_venv() {
    local dir=$SWIFTBEAT_ROOT/.venv-bench
    if [ -x "$dir/bin/celery" ] && "$dir/bin/python" -c "import celery, redbeat, redis, packaging; assert celery.__version__ == '5.7.0'" 2>/dev/null; then
        return 0
    fi
    say "creating $dir ($BENCH_PIP_PACKAGES)"
    rm -rf "$dir"
    python3 -m venv "$dir"
    # shellcheck disable=SC2086
    "$dir/bin/pip" install --quiet --disable-pip-version-check $BENCH_PIP_PACKAGES
}

# The build every figure uses: release, with the Swift standard library linked statically (the
# memory targets are for this build), in its own scratch folder so `swift build` elsewhere is untouched.
bench_build() {
    say "building swiftbeat: swift build -c release --static-swift-stdlib (.build-bench)"
    local log=$BENCH_STATE/build.log
    mkdir -p "$BENCH_STATE"
    if ! swift build -c release --static-swift-stdlib --product swiftbeat --scratch-path "$SWIFTBEAT_ROOT/.build-bench" >"$log" 2>&1; then
        grep -E "error" "$log" | head -20 >&2
        die "the build failed (see $log)"
    fi
    grep -E "Build complete" "$log" || true
    [ -x "$BENCH_SWIFTBEAT" ] || die "the build did not produce $BENCH_SWIFTBEAT"
    # Benchmarks/PublishBench: swiftbeat's Broker.publish alone, for the raw-publishing figures.
    say "building Benchmarks/PublishBench (.build-publishbench)"
    if ! swift build -c release --static-swift-stdlib --package-path "$SWIFTBEAT_ROOT/Benchmarks/PublishBench" \
        --scratch-path "$SWIFTBEAT_ROOT/.build-publishbench" >"$BENCH_STATE/build-publishbench.log" 2>&1; then
        grep -E "error" "$BENCH_STATE/build-publishbench.log" | head -20 >&2
        die "the PublishBench build failed (see $BENCH_STATE/build-publishbench.log)"
    fi
    [ -x "$BENCH_PUBLISHBENCH" ] || die "the build did not produce $BENCH_PUBLISHBENCH"
}

bench_compile_probes() {
    mkdir -p "$BENCH_STATE"
    cc -O2 -Wall -o "$BENCH_STATE/benchtool" "$SWIFTBEAT_ROOT/scripts/bench.d/benchtool.c" -lhiredis -lrabbitmq
    cc -O2 -Wall -o "$BENCH_STATE/rabbitmq-publish-baseline" "$SWIFTBEAT_ROOT/scripts/lib/rabbitmq-publish-baseline.c" -lrabbitmq
    cc -O2 -Wall -o "$BENCH_STATE/celery-headers-publish" "$SWIFTBEAT_ROOT/Benchmarks/RabbitMQProbe/celery-headers-publish.c" -lrabbitmq
}
