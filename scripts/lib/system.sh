# The Debian packages swiftbeat builds and tests with. install_system_packages installs what is
# missing (apt-get update first), so a fresh Debian 12 machine needs nothing done by hand.

SWIFTBEAT_APT_PACKAGES=(
    libhiredis-dev librabbitmq-dev pkg-config # the C libraries swiftbeat links
    libssl-dev                                # OpenSSL's headers, for rediss:// (libssl is opened at run time)
    redis-server rabbitmq-server              # the real servers the tests run against
    tzdata                                    # the zone files crontabs are evaluated in
    python3 python3-venv python3-pip          # the Python Celery workers of the interop tests
    openssl                                   # certificates for the AMQPS and rediss:// tests
    procps iproute2 valgrind                  # process and socket checks, the leak check
    libmicrohttpd-dev                         # the HTTP server of `run --http` (opened with dlopen)
    chromium systemd                          # the status page's screenshot test, systemd-analyze verify
)

install_system_packages() {
    install_missing_packages "${SWIFTBEAT_APT_PACKAGES[@]}"
    # Debian starts the packaged servers on install where it can; the tests start their own on other
    # ports, so those are left alone (and stopped nowhere: they are not ours).
}

# install_missing_packages PACKAGE...: apt-get installs those of PACKAGE not installed yet.
install_missing_packages() {
    local missing=() package
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -gt 0 ] || return 0
    say "installing ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

require_swift() {
    command -v swift >/dev/null || die "swift is not on PATH: install the Swift 6 toolchain (swift.org) first"
}

# describe_tzdata: one line naming the tz database release the tests read: the machine's (the
# binary, the CLI and integration tests, SystemTzdataTests) and the pinned one of the unit tests.
describe_tzdata() {
    local directory=${TZDIR:-/usr/share/zoneinfo} release=unknown
    if [ -f "$directory/tzdata.zi" ]; then
        release=$(head -1 "$directory/tzdata.zi" | sed 's/^# version //')
    elif [ -f "$directory/+VERSION" ]; then
        release=$(head -1 "$directory/+VERSION")
    fi
    local package=
    [ "$directory" != /usr/share/zoneinfo ] || package=$(dpkg-query -W -f='${Version}' tzdata 2>/dev/null || true)
    echo "tzdata: $release in $directory${package:+ (Debian package tzdata $package)}; unit tests read the pinned $(cat "$SWIFTBEAT_ROOT/Fixtures/tzdata/VERSION") in Fixtures/tzdata"
}
