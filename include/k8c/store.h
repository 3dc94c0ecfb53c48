/* k8c plugin SDK — datastore plugins (kind K8C_PLUGIN_STORE).
 *
 * The contract is etcd v3's, so the embedded SQLite store and the etcd store
 * are interchangeable (DESIGN §4):
 *   - one global revision counter, strictly increasing; every write gets
 *     the next revision; an object's resourceVersion is its mod revision;
 *   - keys are byte strings without NUL, "/registry/<group>/<resource>/...";
 *   - create-if-absent, update and delete conditional on the mod revision;
 *   - range over [key, range_end) with a limit, at a revision;
 *   - watch [key, range_end) from a revision, in revision order, with the
 *     previous value; compacted revisions fail with K8C_EEXPIRED.
 *
 * The API server selects the store whose `schemes` contains the scheme of
 * --datastore-endpoint ("sqlite", "http", "https", ...), calls init() and
 * then open() with the endpoint.  All operations are blocking and
 * thread-safe; a write returns only after it is durable.
 */
#ifndef K8C_STORE_H
#define K8C_STORE_H

#include <k8c/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A key-value pair handed to a callback.  Everything is borrowed for the
 * duration of the call only: copy what you keep. */
typedef struct k8c_store_kv {
	const char *key;          /* NUL-terminated */
	const char *value;        /* value_len bytes plus a NUL; NULL on delete events */
	size_t value_len;
	int64_t create_revision;  /* revision that created the key */
	int64_t mod_revision;     /* revision of the last write to the key */
} k8c_store_kv_t;

/* Called once per pair.  Return 0 to go on, < 0 to stop the operation,
 * which then returns that value. */
typedef int (*k8c_store_kv_fn)(void *udata, const k8c_store_kv_t *kv);

/* What a range read reports besides the pairs. */
typedef struct k8c_store_range_info {
	int64_t revision; /* the store revision the read was served at */
	int64_t count;    /* pairs in the whole range at that revision */
	int more;         /* 1 when limit cut the answer short */
} k8c_store_range_info_t;

enum k8c_store_event_type {
	K8C_STORE_PUT = 1,    /* create or update */
	K8C_STORE_DELETE = 2,
};

/* One watch event; borrowed for the duration of the call. */
typedef struct k8c_store_event {
	int type;                      /* enum k8c_store_event_type */
	const k8c_store_kv_t *kv;      /* new value; on DELETE key and mod_revision (the delete's) only */
	const k8c_store_kv_t *prev_kv; /* value before the event, NULL on create */
} k8c_store_event_t;

/* Watch callback.  Called on a store thread in revision order; it must not
 * block (queue and return).  When the watch ends the callback is called a
 * last time with ev NULL and end set: K8C_OK after watch_cancel, K8C_EEXPIRED
 * when the watcher fell behind the compacted history, K8C_EUNAVAIL when the
 * store is closing or lost its backend. */
typedef void (*k8c_store_watch_fn)(void *udata, const k8c_store_event_t *ev,
                                   const k8c_error_t *end);

typedef struct k8c_store_watch k8c_store_watch_t; /* opaque, owned by the store */

typedef struct k8c_store_ops {
	uint32_t struct_size; /* Since 1.0 */

	/* NULL-terminated list of endpoint URL schemes served.  Since 1.0 */
	const char *const *schemes;

	/* Connect to or open the datastore at endpoint (borrowed).  Required. */
	int (*open)(void *cookie, const char *endpoint, k8c_error_t *err);

	/* Flush and close; outstanding watches end with K8C_EUNAVAIL.  Required. */
	void (*close)(void *cookie);

	/* Current revision of the store.  Required. */
	int (*revision)(void *cookie, int64_t *revision, k8c_error_t *err);

	/* Read one key at revision (0 = latest): fn is called once.  Returns 0,
	 * -K8C_ENOTFOUND, or -K8C_EEXPIRED for a compacted revision.  Required. */
	int (*get)(void *cookie, const char *key, int64_t revision,
	           k8c_store_kv_fn fn, void *udata, k8c_error_t *err);

	/* Read keys in [key, range_end) in key order at revision (0 = latest),
	 * at most limit pairs (0 = no limit).  range_end NULL reads key
	 * alone.  info may be NULL.  Required. */
	int (*range)(void *cookie, const char *key, const char *range_end,
	             int64_t revision, int64_t limit, k8c_store_kv_fn fn,
	             void *udata, k8c_store_range_info_t *info,
	             k8c_error_t *err);

	/* Create key if absent.  *revision receives the new revision.  Returns
	 * -K8C_EEXIST when the key exists.  Required. */
	int (*create)(void *cookie, const char *key, const char *value,
	              size_t value_len, int64_t *revision, k8c_error_t *err);

	/* Replace key's value if its mod revision equals expected_revision.
	 * On -K8C_ECONFLICT, current_fn (may be NULL) receives the current
	 * pair; -K8C_ENOTFOUND when the key is gone.  Required. */
	int (*update)(void *cookie, const char *key, const char *value,
	              size_t value_len, int64_t expected_revision,
	              int64_t *revision, k8c_store_kv_fn current_fn,
	              void *udata, k8c_error_t *err);

	/* Delete key if its mod revision equals expected_revision (0: whatever
	 * it is).  prev_fn (may be NULL) receives the deleted pair, or the
	 * current one on -K8C_ECONFLICT.  Required. */
	int (*delete)(void *cookie, const char *key, int64_t expected_revision,
	              int64_t *revision, k8c_store_kv_fn prev_fn, void *udata,
	              k8c_error_t *err);

	/* Watch [key, range_end) (range_end NULL: key alone) for events with
	 * revision >= start_revision (0: from now).  free_fn (may be NULL) is
	 * called with udata after the final callback.  Returns -K8C_EEXPIRED
	 * when start_revision is compacted.  Required. */
	int (*watch)(void *cookie, const char *key, const char *range_end,
	             int64_t start_revision, k8c_store_watch_fn fn, void *udata,
	             void (*free_fn)(void *udata), k8c_store_watch_t **out,
	             k8c_error_t *err);

	/* End a watch.  When it returns the final callback has run.  Required. */
	void (*watch_cancel)(void *cookie, k8c_store_watch_t *watch);

	/* Forget history before revision.  Optional (NULL: never compacts). */
	int (*compact)(void *cookie, int64_t revision, k8c_error_t *err);

	/* Keys with a time to live (etcd's leases).  Since 1.1.  Optional,
	 * both or neither (NULL: keys never expire; read them only when
	 * K8C_HAS_MEMBER(ops->struct_size, k8c_store_ops_t, update_ttl)).
	 * As create and update, and the store deletes the key — an ordinary
	 * delete with its own revision and DELETE event — no sooner than
	 * ttl_seconds (>= 1) after this write, and no later than a minute or so
	 * after that (etcd shares a lease between writes close in time).  A
	 * later write without a TTL (create, update) keeps the key for good;
	 * one with a TTL sets the new deadline. */
	int (*create_ttl)(void *cookie, const char *key, const char *value,
	                  size_t value_len, int64_t ttl_seconds,
	                  int64_t *revision, k8c_error_t *err);
	int (*update_ttl)(void *cookie, const char *key, const char *value,
	                  size_t value_len, int64_t expected_revision,
	                  int64_t ttl_seconds, int64_t *revision,
	                  k8c_store_kv_fn current_fn, void *udata,
	                  k8c_error_t *err);

	/* K8C_STORE_F_* below.  Since 1.2 (0 when struct_size is shorter). */
	uint32_t flags;
} k8c_store_ops_t;

/* The plugin answers get, range, revision, create, update, delete,
 * compact and the TTL writes without waiting on the network or on its own
 * threads, except through the host's completions (k8c_host_t, 1.2): the
 * API server may call it from the threads that serve many requests.
 * Without this flag those calls are made from a pool of worker threads
 * (right for a store across the network, such as etcd).  watch and
 * watch_cancel are always called directly and must not block for long. */
#define K8C_STORE_F_NONBLOCKING 0x1u

#define K8C_STORE_OPS_SIZE_1_0 \
	(offsetof(k8c_store_ops_t, compact) + sizeof(void *))
#define K8C_STORE_OPS_SIZE_1_1 \
	(offsetof(k8c_store_ops_t, update_ttl) + sizeof(void *))

#ifdef __cplusplus
}
#endif

#endif /* K8C_STORE_H */
