#ifndef SWIFTBEAT_CREDISTLS_H
#define SWIFTBEAT_CREDISTLS_H
#include <stddef.h>

/// A TLS client over OpenSSL for RedisClient, which reads RESP with hiredis 0.14 (no TLS of its own)
/// and owns its sockets. OpenSSL is Debian's libssl3, the same one librabbitmq uses.
///
/// libssl is not linked: like librabbitmq (see CRabbitMQ.h), it is opened with dlopen the first
/// time a process makes a TLS context, so a beat on plain redis:// never maps libssl and libcrypto
/// (1.7 MB resident). OpenSSL's many macros over `SSL_ctrl` are why this is C and not Swift: Swift
/// sees only the functions below, opaque handles, and no OpenSSL header.
///
/// Ownership: every handle made here has exactly one free function, and Swift calls each from
/// exactly one `deinit` (`TLSContext`, `TLSSession`). Nothing here closes the socket: its owner does.

/// Opens libssl once per process; later calls give the first answer again. NULL when it is loaded,
/// else why not, as one line.
const char *swiftbeat_tls_load(void);

/// How the server's certificate is checked, as redis-py's `ssl_cert_reqs` and `ssl_check_hostname`
/// and its file options say. Paths are NULL when not given.
struct swiftbeat_tls_settings {
    /// 0: do not verify (CERT_NONE); 1: the chain must verify (CERT_REQUIRED, CERT_OPTIONAL).
    int verify_peer;
    /// PEM file of trusted CAs; NULL: the system's (OpenSSL's default paths, Debian: /etc/ssl/certs).
    const char *ca_file;
    /// PEM client certificate (chain) and its key, for servers that authenticate clients
    /// (`tls-auth-clients yes`); key_file NULL means the key is in cert_file.
    const char *cert_file;
    const char *key_file;
};

/// An `SSL_CTX` made from `settings` (the CA file and the client certificate are read here, once),
/// or NULL with one line in `error` naming what could not be read and why.
void *swiftbeat_tls_context_new(const struct swiftbeat_tls_settings *settings, char *error, size_t error_size);
void swiftbeat_tls_context_free(void *context);

/// The ways a TLS call that moved no bytes can end.
enum swiftbeat_tls_status {
    /// The peer closed the connection (close_notify or EOF).
    swiftbeat_tls_closed = 0,
    /// The socket's SO_RCVTIMEO or SO_SNDTIMEO ran out (the socket is blocking).
    swiftbeat_tls_timed_out = -1,
    /// A socket error (errno is left as the failed call set it) or a TLS failure (described in `error`).
    swiftbeat_tls_failed = -2,
};

/// An `SSL` for `context` on the connected, blocking socket `fd`, after a complete handshake
/// bounded by the socket's timeouts. `host` is sent as SNI (unless it is an IP address, which SNI
/// cannot carry) and, when `check_hostname` is set, must match the certificate (an IP address
/// against its IP SANs). NULL on failure, with `*status` saying how and `error` why.
void *swiftbeat_tls_session_open(void *context, int fd, const char *host, int check_hostname,
                                 enum swiftbeat_tls_status *status, char *error, size_t error_size);
void swiftbeat_tls_session_free(void *session);

/// Reads up to `size` decrypted bytes, blocking; returns the count (> 0) or a status (<= 0).
long swiftbeat_tls_read(void *session, void *buffer, size_t size, char *error, size_t error_size);
/// Writes up to `size` bytes, blocking; returns the count written (> 0) or a status (<= 0).
long swiftbeat_tls_write(void *session, const void *bytes, size_t size, char *error, size_t error_size);
/// Decrypted bytes OpenSSL holds that the socket will not signal again: poll(2) cannot see them.
int swiftbeat_tls_pending(void *session);
#endif
