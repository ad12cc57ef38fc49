# Test certificates for the private RabbitMQ node of scripts/rabbitmq and the TLS redis-servers of
# the tests (Tests/TestSupport/TestCertificates.swift). Sourced, not run.
#
# make_test_certificates DIR writes, once (kept while the files exist):
#   ca.pem / ca.key             the test CA
#   server.pem / server.key     CN=localhost; SANs DNS:localhost, IP:127.0.0.1 and DNS:127.0.0.1.
#                               librabbitmq 0.11 matches the host name against DNS SANs only (never
#                               IP SANs), so a URL with 127.0.0.1 needs the DNS:127.0.0.1 entry.
#   client.pem / client.key     a client certificate signed by the CA (for ssl_certfile/ssl_keyfile)
#   other-ca.pem / other-ca.key an unrelated CA that signed nothing (verification must fail with it)
# EC P-256 keys: quick to make, and Erlang's TLS accepts them.

make_test_certificates() {
    local dir=$1
    if [[ -s $dir/ca.pem && -s $dir/server.pem && -s $dir/client.pem && -s $dir/other-ca.pem ]]; then
        return 0
    fi
    command -v openssl >/dev/null || { echo "make_test_certificates: openssl is not installed" >&2; return 1; }
    mkdir -p "$dir"
    local days=3650
    _make_ca "$dir/ca" "swiftbeat test CA" "$days"
    _make_ca "$dir/other-ca" "swiftbeat unrelated CA" "$days"
    _make_leaf "$dir" server "localhost" "subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:127.0.0.1
extendedKeyUsage=serverAuth
basicConstraints=critical,CA:FALSE" "$days"
    _make_leaf "$dir" client "swiftbeat-test-client" "extendedKeyUsage=clientAuth
basicConstraints=critical,CA:FALSE" "$days"
    rm -f "$dir"/*.csr "$dir"/*.srl
}

_make_ca() { # _make_ca PREFIX CN DAYS
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$1.key" -out "$1.pem" -days "$3" -subj "/CN=$2" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        2>/dev/null
}

_make_leaf() { # _make_leaf DIR NAME CN EXTENSIONS DAYS
    local dir=$1 name=$2
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$dir/$name.key" -out "$dir/$name.csr" -subj "/CN=$3" 2>/dev/null
    openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
        -out "$dir/$name.pem" -days "$5" -extfile <(printf '%s\n' "$4") 2>/dev/null
}
