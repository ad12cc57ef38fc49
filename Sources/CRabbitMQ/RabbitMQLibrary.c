#include "CRabbitMQ.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

/// The run-time package's file name (Debian: librabbitmq4), the soname the build used to link.
#ifdef __APPLE__
#define SWIFTBEAT_RABBITMQ_LIBRARY "librabbitmq.4.dylib"
#else
#define SWIFTBEAT_RABBITMQ_LIBRARY "librabbitmq.so.4"
#endif

static struct swiftbeat_rabbitmq_functions functions;
static const char *load_failure;
static char load_failure_text[512];
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void fail(const char *reason, const char *detail) {
    snprintf(load_failure_text, sizeof load_failure_text, "%s%s", reason, detail ? detail : "");
    load_failure = load_failure_text;
}

/// The one place the library is opened.
static void load(void) {
    void *library = dlopen(SWIFTBEAT_RABBITMQ_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        fail(dlerror(), NULL);
        return;
    }
#define SWIFTBEAT_RABBITMQ_RESOLVE(name)                                                   \
    functions.name = (__typeof__(functions.name))dlsym(library, #name);                   \
    if (functions.name == NULL) {                                                          \
        fail(SWIFTBEAT_RABBITMQ_LIBRARY " has no function ", #name);                       \
        return;                                                                            \
    }
#define SWIFTBEAT_RABBITMQ_RESOLVE_RETURNING(result, name, parameters, arguments) SWIFTBEAT_RABBITMQ_RESOLVE(name)
#define SWIFTBEAT_RABBITMQ_RESOLVE_VOID(name, parameters, arguments) SWIFTBEAT_RABBITMQ_RESOLVE(name)
    SWIFTBEAT_RABBITMQ_FUNCTIONS(SWIFTBEAT_RABBITMQ_RESOLVE_RETURNING, SWIFTBEAT_RABBITMQ_RESOLVE_VOID)
    SWIFTBEAT_RABBITMQ_RESOLVE(amqp_login_with_properties)
}

const char *swiftbeat_rabbitmq_load(void) {
    pthread_once(&load_once, load);
    return load_failure;
}

const struct swiftbeat_rabbitmq_functions *swiftbeat_rabbitmq(void) {
    const char *failure = swiftbeat_rabbitmq_load();
    if (failure != NULL) {
        fprintf(stderr, "swiftbeat: cannot use librabbitmq: %s\n", failure);
        exit(EXIT_FAILURE);
    }
    return &functions;
}
