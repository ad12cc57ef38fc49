#include "CRedisTLS.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/// The run-time package's file name (Debian: libssl3), the soname a linked build would use.
#ifdef __APPLE__
#define SWIFTBEAT_SSL_LIBRARY "libssl.3.dylib"
#else
#define SWIFTBEAT_SSL_LIBRARY "libssl.so.3"
#endif

/// Every OpenSSL function used here, called only through `ssl.name`: OpenSSL is never linked, so
/// a direct call would fail the link, which keeps this list complete. `dlsym` on libssl's handle
/// also finds the libcrypto functions (libcrypto is libssl's dependency).
#define SWIFTBEAT_SSL_FUNCTIONS(F)                                                                 \
    F(const SSL_METHOD *, TLS_client_method, (void))                                               \
    F(SSL_CTX *, SSL_CTX_new, (const SSL_METHOD *method))                                          \
    F(void, SSL_CTX_free, (SSL_CTX * context))                                                     \
    F(void, SSL_CTX_set_verify, (SSL_CTX * context, int mode, SSL_verify_cb callback))             \
    F(int, SSL_CTX_load_verify_locations, (SSL_CTX * context, const char *file, const char *path)) \
    F(int, SSL_CTX_set_default_verify_paths, (SSL_CTX * context))                                  \
    F(int, SSL_CTX_use_certificate_chain_file, (SSL_CTX * context, const char *file))              \
    F(int, SSL_CTX_use_PrivateKey_file, (SSL_CTX * context, const char *file, int type))           \
    F(int, SSL_CTX_check_private_key, (const SSL_CTX *context))                                    \
    F(long, SSL_CTX_ctrl, (SSL_CTX * context, int command, long number, void *argument))          \
    F(uint64_t, SSL_CTX_set_options, (SSL_CTX * context, uint64_t options))                        \
    F(SSL *, SSL_new, (SSL_CTX * context))                                                         \
    F(void, SSL_free, (SSL * session))                                                             \
    F(int, SSL_set_fd, (SSL * session, int fd))                                                    \
    F(long, SSL_ctrl, (SSL * session, int command, long number, void *argument))                  \
    F(int, SSL_set1_host, (SSL * session, const char *host))                                       \
    F(void, SSL_set_hostflags, (SSL * session, unsigned int flags))                                \
    F(X509_VERIFY_PARAM *, SSL_get0_param, (SSL * session))                                        \
    F(int, SSL_connect, (SSL * session))                                                           \
    F(int, SSL_read, (SSL * session, void *buffer, int size))                                      \
    F(int, SSL_write, (SSL * session, const void *bytes, int size))                                \
    F(int, SSL_pending, (const SSL *session))                                                      \
    F(int, SSL_get_error, (const SSL *session, int result))                                        \
    F(long, SSL_get_verify_result, (const SSL *session))                                           \
    F(int, X509_VERIFY_PARAM_set1_ip_asc, (X509_VERIFY_PARAM * parameters, const char *address))  \
    F(const char *, X509_verify_cert_error_string, (long code))                                    \
    F(unsigned long, ERR_get_error, (void))                                                        \
    F(unsigned long, ERR_peek_error, (void))                                                       \
    F(void, ERR_error_string_n, (unsigned long code, char *text, size_t size))                     \
    F(void, ERR_clear_error, (void))

static struct {
#define SWIFTBEAT_SSL_FIELD(result, name, parameters) result(*name) parameters;
    SWIFTBEAT_SSL_FUNCTIONS(SWIFTBEAT_SSL_FIELD)
#undef SWIFTBEAT_SSL_FIELD
} ssl;

static const char *load_failure;
static char load_failure_text[512];
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

/// The one place libssl is opened. The handle is never closed: the library stays for the life of
/// the process, like a linked one.
static void load(void) {
    void *library = dlopen(SWIFTBEAT_SSL_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        snprintf(load_failure_text, sizeof load_failure_text, "%s", dlerror());
        load_failure = load_failure_text;
        return;
    }
#define SWIFTBEAT_SSL_RESOLVE(result, name, parameters)                                               \
    ssl.name = (__typeof__(ssl.name))dlsym(library, #name);                                           \
    if (ssl.name == NULL) {                                                                           \
        snprintf(load_failure_text, sizeof load_failure_text, SWIFTBEAT_SSL_LIBRARY " has no function " #name); \
        load_failure = load_failure_text;                                                             \
        return;                                                                                       \
    }
    SWIFTBEAT_SSL_FUNCTIONS(SWIFTBEAT_SSL_RESOLVE)
#undef SWIFTBEAT_SSL_RESOLVE
}

const char *swiftbeat_tls_load(void) {
    pthread_once(&load_once, load);
    return load_failure;
}

/// OpenSSL's reason for the last failure on this thread, e.g. "No such file or directory" for a
/// missing file: the library's text without its "error:8000002:..." code prefix.
static void describe_openssl_error(const char *what, char *error, size_t size) {
    unsigned long code = ssl.ERR_get_error(), next;
    // The first error queued is usually the specific one (the system call); later ones wrap it.
    while ((next = ssl.ERR_get_error()) != 0) (void)next;
    char text[256] = "unknown OpenSSL error";
    if (code != 0) {
        ssl.ERR_error_string_n(code, text, sizeof text);
        // "error:80000002:system library::No such file or directory": keep the part after the last "::" or ":".
        const char *reason = strstr(text, "::");
        reason = reason ? reason + 2 : (strrchr(text, ':') ? strrchr(text, ':') + 1 : text);
        memmove(text, reason, strlen(reason) + 1);
    }
    snprintf(error, size, "%s: %s", what, text);
}

void *swiftbeat_tls_context_new(const struct swiftbeat_tls_settings *settings, char *error, size_t error_size) {
    const char *failure = swiftbeat_tls_load();
    if (failure != NULL) {
        snprintf(error, error_size, "cannot load OpenSSL: %s (install libssl3)", failure);
        return NULL;
    }
    ssl.ERR_clear_error();
    SSL_CTX *context = ssl.SSL_CTX_new(ssl.TLS_client_method());
    if (context == NULL) {
        describe_openssl_error("cannot make a TLS context", error, error_size);
        return NULL;
    }
    // TLS 1.2 at least, as redis-py's default context; an EOF without close_notify is an ordinary
    // close (redis does not always send one); records may be written one at a time, so a write
    // that times out midway fails cleanly instead of being retried with other bytes.
    ssl.SSL_CTX_ctrl(context, SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_2_VERSION, NULL);
    ssl.SSL_CTX_set_options(context, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_COMPRESSION);
    ssl.SSL_CTX_ctrl(context, SSL_CTRL_MODE, SSL_MODE_ENABLE_PARTIAL_WRITE, NULL);
    ssl.SSL_CTX_set_verify(context, settings->verify_peer ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);

    char what[1200];
    if (settings->ca_file != NULL) {
        if (ssl.SSL_CTX_load_verify_locations(context, settings->ca_file, NULL) != 1) {
            snprintf(what, sizeof what, "cannot read the CA file %s (ssl_ca_certs)", settings->ca_file);
            goto fail;
        }
    } else if (ssl.SSL_CTX_set_default_verify_paths(context) != 1) {
        snprintf(what, sizeof what, "cannot read the system's CA certificates");
        goto fail;
    }
    if (settings->cert_file != NULL) {
        if (ssl.SSL_CTX_use_certificate_chain_file(context, settings->cert_file) != 1) {
            snprintf(what, sizeof what, "cannot read the client certificate %s (ssl_certfile)", settings->cert_file);
            goto fail;
        }
        const char *key = settings->key_file != NULL ? settings->key_file : settings->cert_file;
        if (ssl.SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM) != 1) {
            snprintf(what, sizeof what, "cannot read the client key %s (ssl_keyfile)", key);
            goto fail;
        }
        if (ssl.SSL_CTX_check_private_key(context) != 1) {
            snprintf(what, sizeof what, "the client key %s does not match the certificate %s", key, settings->cert_file);
            goto fail;
        }
    }
    return context;
fail:
    describe_openssl_error(what, error, error_size);
    ssl.SSL_CTX_free(context);
    return NULL;
}

void swiftbeat_tls_context_free(void *context) { ssl.SSL_CTX_free(context); }

/// The status of a failed SSL_connect, SSL_read or SSL_write, with `error` filled for failures.
static enum swiftbeat_tls_status failed_call(SSL *session, int result, const char *during, char *error, size_t size) {
    int saved_errno = errno;
    switch (ssl.SSL_get_error(session, result)) {
    case SSL_ERROR_ZERO_RETURN:
        return swiftbeat_tls_closed;
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
        // A blocking socket asks to be retried only when its SO_RCVTIMEO/SO_SNDTIMEO ran out.
        errno = EAGAIN;
        return swiftbeat_tls_timed_out;
    case SSL_ERROR_SYSCALL:
        if (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK) {
            errno = saved_errno;
            return swiftbeat_tls_timed_out;
        }
        if (saved_errno == 0) return swiftbeat_tls_closed;
        snprintf(error, size, "%s", strerror(saved_errno));
        errno = saved_errno;
        return swiftbeat_tls_failed;
    default: {
        // The verification result is kept also when it is not enforced (ssl_cert_reqs=none): only
        // a handshake that failed because of it is described by it.
        long verified = ssl.SSL_get_verify_result(session);
        if (ERR_GET_REASON(ssl.ERR_peek_error()) == SSL_R_CERTIFICATE_VERIFY_FAILED && verified != X509_V_OK) {
            snprintf(error, size, "the server's certificate does not verify: %s", ssl.X509_verify_cert_error_string(verified));
            ssl.ERR_clear_error();
        } else {
            describe_openssl_error(during, error, size);
        }
        errno = 0;
        return swiftbeat_tls_failed;
    }
    }
}

void *swiftbeat_tls_session_open(void *context, int fd, const char *host, int check_hostname,
                                 enum swiftbeat_tls_status *status, char *error, size_t error_size) {
    ssl.ERR_clear_error();
    SSL *session = ssl.SSL_new(context);
    if (session == NULL || ssl.SSL_set_fd(session, fd) != 1) {
        describe_openssl_error("cannot start TLS", error, error_size);
        *status = swiftbeat_tls_failed;
        if (session != NULL) ssl.SSL_free(session);
        return NULL;
    }
    unsigned char address[16];
    int is_address = inet_pton(AF_INET, host, address) == 1 || inet_pton(AF_INET6, host, address) == 1;
    if (!is_address) ssl.SSL_ctrl(session, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, (void *)host);
    if (check_hostname) {
        int set = is_address ? ssl.X509_VERIFY_PARAM_set1_ip_asc(ssl.SSL_get0_param(session), host)
                             : ssl.SSL_set1_host(session, host);
        // As Python's ssl module: "*" matches one whole label, never part of one.
        ssl.SSL_set_hostflags(session, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        if (set != 1) {
            describe_openssl_error("cannot set the host name to check", error, error_size);
            *status = swiftbeat_tls_failed;
            ssl.SSL_free(session);
            return NULL;
        }
    }
    int result = ssl.SSL_connect(session);
    if (result != 1) {
        *status = failed_call(session, result, "TLS handshake failed", error, error_size);
        if (*status == swiftbeat_tls_closed) snprintf(error, error_size, "the server closed the connection during the TLS handshake");
        ssl.SSL_free(session);
        return NULL;
    }
    return session;
}

void swiftbeat_tls_session_free(void *session) { ssl.SSL_free(session); }

long swiftbeat_tls_read(void *session, void *buffer, size_t size, char *error, size_t error_size) {
    ssl.ERR_clear_error();
    int result = ssl.SSL_read(session, buffer, size > INT32_MAX ? INT32_MAX : (int)size);
    return result > 0 ? result : failed_call(session, result, "TLS read failed", error, error_size);
}

long swiftbeat_tls_write(void *session, const void *bytes, size_t size, char *error, size_t error_size) {
    ssl.ERR_clear_error();
    int result = ssl.SSL_write(session, bytes, size > INT32_MAX ? INT32_MAX : (int)size);
    return result > 0 ? result : failed_call(session, result, "TLS write failed", error, error_size);
}

int swiftbeat_tls_pending(void *session) { return ssl.SSL_pending(session); }
