# Python virtual environments holding real Celery, for interop tests, golden captures and benchmarks.
# Sourced by the scripts; creates what is missing and is quick when everything is there.

# The Celery versions swiftbeat is tested against: the oldest supported minor and the newest.
SWIFTBEAT_CELERY_VERSIONS=${SWIFTBEAT_CELERY_VERSIONS:-"5.3.6 5.7.0"}

# celery_pins VERSION -> the pip requirements for that version. Celery 5.3 names kombu<6, and pip would
# take the newest kombu, whose Redis transport refuses the redis-py that celery[redis]==5.3.6 allows;
# a real 5.3 deployment runs the kombu and py-amqp of its time, so those are pinned too (py-amqp 5.3.1
# still has the field-table decoding quirks that swiftbeat's header encoding must survive).
celery_pins() {
    case $1 in
    5.3.*) echo "celery[redis]==$1 kombu==5.3.7 amqp==5.3.1" ;;
    *) echo "celery[redis]==$1" ;;
    esac
}

# venv_dir VERSION -> the venv's folder
venv_dir() {
    echo "$SWIFTBEAT_ROOT/.venv-celery-$1"
}

# ensure_celery_venv VERSION: a venv with celery[redis]==VERSION and what its Redis transport imports.
ensure_celery_venv() {
    local version=$1 dir
    dir=$(venv_dir "$version")
    if [ -x "$dir/bin/celery" ] && "$dir/bin/python" -c "import celery, kombu, redis, packaging, yaml, ephem, ruamel.yaml; assert celery.__version__ == '$version'" 2>/dev/null; then
        return 0
    fi
    echo "scripts: creating $dir (celery $version)" >&2
    rm -rf "$dir"
    python3 -m venv "$dir"
    # kombu's Redis transport imports packaging, which celery 5.3 does not pull in (environment notes);
    # PyYAML is for the schedule-file helpers; ephem is what Celery's `solar` computes with
    # (`scripts/capture-solar-fixtures`, and a worker or exporter loading a solar entry); ruamel.yaml
    # is the YAML 1.2 reader the differential tests compare swiftbeat's YAML reader with.
    # shellcheck disable=SC2046
    "$dir/bin/pip" install --quiet --disable-pip-version-check $(celery_pins "$version") packaging PyYAML ephem "ruamel.yaml==0.18.17"
}

ensure_celery_venvs() {
    local version
    for version in $SWIFTBEAT_CELERY_VERSIONS; do
        ensure_celery_venv "$version"
        ensure_prometheus_parser "$(venv_dir "$version")"
        ensure_redbeat "$(venv_dir "$version")"
    done
}

# ensure_prometheus_parser VENV: Prometheus's own text-format parser (prometheus_client), with which
# the tests read `swiftbeat run --http`'s /metrics, as a Prometheus server would.
ensure_prometheus_parser() {
    "$1/bin/python" -c "import prometheus_client.parser" 2>/dev/null && return 0
    echo "scripts: installing prometheus-client into $1" >&2
    "$1/bin/pip" install --quiet --disable-pip-version-check "prometheus-client==0.21.1"
}

# ensure_redbeat VENV: celery-redbeat, whose own API writes the entries and whose own beat shares
# the lock in the `--store redbeat` tests.
ensure_redbeat() {
    "$1/bin/python" -c "import redbeat, importlib.metadata as m; assert m.version('celery-redbeat') == '2.4.2'" 2>/dev/null && return 0
    echo "scripts: installing celery-redbeat into $1" >&2
    "$1/bin/pip" install --quiet --disable-pip-version-check "celery-redbeat==2.4.2"
}

# The venv of the newest version, for single-version tools.
newest_celery_venv() {
    local newest
    newest=$(echo "$SWIFTBEAT_CELERY_VERSIONS" | tr ' ' '\n' | sort -V | tail -1)
    venv_dir "$newest"
}
