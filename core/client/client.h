/* The API client of the components (kubelet, scheduler, controllers): the
 * k8c_client_api_t of <k8c/client.h> over HTTP with libcurl, plus typed
 * shortcuts for the core's own callers.  Plugins reach the same client
 * through k8c_host_t.client.
 *
 * A k8c_client_t is thread-safe: requests borrow a keep-alive connection
 * from a pool, each watch streams on a thread of its own. */
#ifndef K8C_CLIENT_CLIENT_H
#define K8C_CLIENT_CLIENT_H

#include <k8c/client.h>

struct cJSON;

typedef struct k8c_client k8c_client_t;

typedef struct k8c_client_config {
	const char *server;        /* "http://127.0.0.1:6443" (borrowed) */
	const char *user_agent;    /* "k8c-kubelet/0.1.0" (borrowed; NULL: "k8c") */
	int timeout_ms;            /* per request (0: 30 s) */
} k8c_client_config_t;

/* A client of cfg->server.  Nothing is connected yet: the first request
 * says whether the server answers. */
int k8c_client_new(const k8c_client_config_t *cfg, k8c_client_t **out, k8c_error_t *err);
/* Stop every watch (their final callbacks run) and free. */
void k8c_client_free(k8c_client_t *c);

/* The table and context to hand plugins (k8c_host_t.client/client_ctx). */
const k8c_client_api_t *k8c_client_api(void);
static inline void *k8c_client_ctx(k8c_client_t *c) { return c; }

/* Shortcuts for k8c_client_api()->request(c, ...). */
int k8c_client_request(k8c_client_t *c, const char *method, const char *path,
                       const struct cJSON *body, const char *content_type,
                       struct cJSON **out, k8c_error_t *err);
int k8c_client_watch(k8c_client_t *c, const char *path, const char *resource_version,
                     k8c_client_watch_fn fn, void *udata, void (*free_fn)(void *udata),
                     k8c_client_watch_t **out, k8c_error_t *err);
void k8c_client_watch_stop(k8c_client_t *c, k8c_client_watch_t *w);

/* The server URL the client talks to (borrowed), without a trailing '/'. */
const char *k8c_client_server(const k8c_client_t *c);

/* Percent-encode s for a query value or a path segment (caller frees). */
char *k8c_client_escape(const char *s);

/* Internal to core/client/: the error an HTTP status and Status body map to. */
int k8c_client_status_error(long http_status, const char *body, k8c_error_t *err);

#endif
