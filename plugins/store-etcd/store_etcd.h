/* store-etcd internals: the instance, the HTTP calls to etcd's v3 JSON
 * gateway, and the watch threads.  One instance per init(); everything is
 * thread-safe unless a comment says otherwise. */
#ifndef K8C_STORE_ETCD_H
#define K8C_STORE_ETCD_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include <k8c/store.h>

struct cJSON;

typedef struct etcd_conf {
	int64_t request_timeout_ms; /* requestTimeoutSeconds (10) */
	int64_t dial_timeout_ms;    /* dialTimeoutSeconds (2) */
	int64_t max_connections;    /* maxConnections (64) */
	int64_t lease_reuse_ms;     /* leaseReuseSeconds (60): TTL writes share a lease */
	int64_t compact_interval_ms; /* compactIntervalSeconds (300; 0: never) */
	char *ca_file;              /* caFile, https: the CA bundle (owned) */
	char *cert_file;            /* certFile, https: client certificate (owned) */
	char *key_file;             /* keyFile, https: its private key (owned) */
} etcd_conf_t;

/* A keep-alive connection for unary calls, pooled. */
typedef struct etcd_conn {
	CURL *curl;             /* owned */
	struct etcd_conn *next; /* in the free list */
} etcd_conn_t;

typedef struct etcd_watch etcd_watch_t;

typedef struct etcd {
	const k8c_host_t *host; /* borrowed for the instance's life */
	etcd_conf_t conf;

	/* set by open, cleared by close (under w_mu for the watch side) */
	char **endpoints;    /* base URLs "http://h:p" (owned) */
	size_t n_endpoints;
	char *endpoint_text; /* as given, for messages (owned) */
	int is_open;         /* atomic */
	int preferred;       /* atomic: the endpoint that answered last */

	pthread_mutex_t pool_mu;
	pthread_cond_t pool_cond;
	etcd_conn_t *free_conns; /* idle connections */
	int64_t n_conns;         /* connections in existence */
	int64_t in_flight;       /* etcd_call()s running (pool_mu; pool_cond at 0) */

	pthread_mutex_t w_mu;
	pthread_cond_t w_cond;  /* a detached watch thread ended (w_mu) */
	etcd_watch_t *watches; /* every handle not yet released (w_mu) */
	int w_detached;        /* threads of self-cancelled watches still running (w_mu) */

	/* the lease TTL writes share (lease_mu) */
	pthread_mutex_t lease_mu;
	int64_t lease_id, lease_ttl, lease_granted_ms;

	/* compact.c */
	pthread_mutex_t c_mu;
	pthread_cond_t c_cond; /* CLOCK_MONOTONIC */
	pthread_t compactor;
	int c_stop;    /* c_mu */
	int c_running; /* open/close's thread */
} etcd_t;

#define ETCD_LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define ETCD_STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

#define ETCD_LOG(e, level, ...) ((e)->host->log((e)->host->ctx, (level), __VA_ARGS__))

/* http.c */

/* What a call may do again on another member: reads and writes that
 * cannot have been applied (the connection failed before sending). */
enum etcd_retry { ETCD_READ, ETCD_WRITE };

/* POST body to path ("kv/range") on a member, failing over to the others.
 * On success *out is the parsed answer (caller frees).  Errors: EUNAVAIL
 * (no member reachable, or etcd says unavailable), ETIMEOUT, EEXPIRED
 * (compacted revision), EINVAL (future revision, bad request), ETOOLARGE,
 * EIO. */
int etcd_call(etcd_t *e, const char *path, const char *body, enum etcd_retry retry,
              struct cJSON **out, k8c_error_t *err);
/* Map an etcd error answer ({"error","code","message"}) to a k8c error. */
int etcd_error(const struct cJSON *answer, long http_code, const char *url, k8c_error_t *err);
/* A curl handle with the instance's TLS and timeout settings, not yet
 * pointed anywhere. */
CURL *etcd_curl_new(etcd_t *e);
void etcd_pool_close(etcd_t *e);
/* Wait until no etcd_call() is running (after is_open was cleared). */
void etcd_calls_drain(etcd_t *e);

/* kv.c: the unary operations of k8c_store_ops_t */
int etcd_revision(void *cookie, int64_t *revision, k8c_error_t *err);
int etcd_get(void *cookie, const char *key, int64_t revision, k8c_store_kv_fn fn, void *udata,
             k8c_error_t *err);
int etcd_range(void *cookie, const char *key, const char *range_end, int64_t revision,
               int64_t limit, k8c_store_kv_fn fn, void *udata, k8c_store_range_info_t *info,
               k8c_error_t *err);
int etcd_create(void *cookie, const char *key, const char *value, size_t value_len,
                int64_t *revision, k8c_error_t *err);
int etcd_update(void *cookie, const char *key, const char *value, size_t value_len,
                int64_t expected_revision, int64_t *revision, k8c_store_kv_fn current_fn,
                void *udata, k8c_error_t *err);
int etcd_delete(void *cookie, const char *key, int64_t expected_revision, int64_t *revision,
                k8c_store_kv_fn prev_fn, void *udata, k8c_error_t *err);
int etcd_compact(void *cookie, int64_t revision, k8c_error_t *err);
int etcd_create_ttl(void *cookie, const char *key, const char *value, size_t value_len,
                    int64_t ttl_seconds, int64_t *revision, k8c_error_t *err);
int etcd_update_ttl(void *cookie, const char *key, const char *value, size_t value_len,
                    int64_t expected_revision, int64_t ttl_seconds, int64_t *revision,
                    k8c_store_kv_fn current_fn, void *udata, k8c_error_t *err);

/* JSON helpers shared by kv.c and watch.c */
/* An int64 member that etcd writes as a string (absent: 0). */
int64_t etcd_int(const struct cJSON *obj, const char *name);
/* Decode a kv object into out; the key and value buffers are allocated
 * into *key_buf and *value_buf (caller frees both).  Returns -1 when
 * malformed. */
int etcd_kv(const struct cJSON *kv, k8c_store_kv_t *out, char **key_buf, char **value_buf);
/* The base64 range fields of a request: "key" and, unless range_end is
 * NULL, "range_end" ("" = every key from key on). */
void etcd_add_range(struct cJSON *req, const char *key, const char *range_end);

/* compact.c: compaction every compactIntervalSeconds, from open to close */
int etcd_compactor_start(etcd_t *e, k8c_error_t *err);
void etcd_compactor_stop(etcd_t *e);

/* watch.c */
int etcd_watch(void *cookie, const char *key, const char *range_end, int64_t start_revision,
               k8c_store_watch_fn fn, void *udata, void (*free_fn)(void *udata),
               k8c_store_watch_t **out, k8c_error_t *err);
void etcd_watch_cancel(void *cookie, k8c_store_watch_t *watch);
/* close(): end every watch with K8C_EUNAVAIL (handles stay until cancel). */
void etcd_watch_end_all(etcd_t *e);
/* fini(): release the handles nobody cancelled. */
void etcd_watch_free_all(etcd_t *e);

#endif
