# Shared by every script: the repository root, a state folder, and waiting without fixed sleeps.
set -euo pipefail
SWIFTBEAT_ROOT=${SWIFTBEAT_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
SWIFTBEAT_STATE=${SWIFTBEAT_STATE:-$SWIFTBEAT_ROOT/.state}
mkdir -p "$SWIFTBEAT_STATE"

say() { echo "scripts: $*" >&2; }
die() { echo "scripts: $*" >&2; exit 1; }

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.1 s until it succeeds or the deadline passes.
wait_for() {
    local seconds=$1 what=$2
    shift 2
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -lt $deadline ] || die "gave up after ${seconds}s waiting for $what"
        sleep 0.1
    done
}

# as_root COMMAND...: runs COMMAND as root, through sudo when needed.
as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}
