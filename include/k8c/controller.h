/* k8c plugin SDK — controller plugins (kind K8C_PLUGIN_CONTROLLER).
 *
 * A controller is a level-triggered reconcile loop (DESIGN §6).  It declares
 * which resources it watches and how a change of a watched object maps to a
 * work-queue key; the controller manager runs one shared informer per
 * resource for all controllers, a rate-limited work queue per controller
 * instance, and calls reconcile(key) from a pool of workers.  reconcile
 * reads the cluster from the informers' cache (k8c_controller_host_t.get
 * and .list), writes it through the API client (<k8c/client.h>; status
 * through status subresources), and must be idempotent: it may be called
 * again for the same key at any time.
 *
 * Controller plugins need ABI 1.5: the controller manager did not exist
 * before, and the loader refuses controller plugins built against an
 * older header.
 *
 * Keys are "namespace/name" for namespaced objects and "name" for
 * cluster-scoped ones.
 */
#ifndef K8C_CONTROLLER_H
#define K8C_CONTROLLER_H

#include <k8c/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* How a change of a watched object becomes a key. */
enum k8c_controller_map {
	K8C_MAP_SELF = 1,  /* the object's own key */
	K8C_MAP_OWNER = 2, /* the key of its controller ownerReference (controller: true)
	                    * whose kind is owner_kind, in the object's namespace;
	                    * the host also counts the object against that key's
	                    * expectations (see expect_creations) */
	K8C_MAP_NONE = 3,  /* no key: the resource is only cached (get/list), and
	                    * on_change may enqueue what it wants */
	K8C_MAP_OWNER_UNCOUNTED = 4, /* as K8C_MAP_OWNER, but not counted against
	                    * the owner's expectations: for what a controller
	                    * creates beside the objects it expects (a DaemonSet's
	                    * ControllerRevisions beside its pods).  Since 1.6 */
};

/* One watched resource.  Arrays of these are static, owned by the plugin. */
typedef struct k8c_controller_watch {
	const char *group;      /* "" for core, "apps", "batch", ... */
	const char *version;    /* "v1" */
	const char *resource;   /* plural: "replicasets" */
	const char *kind;       /* "ReplicaSet": the kind events and owner references name */
	int map;                /* enum k8c_controller_map */
	const char *owner_kind; /* with K8C_MAP_OWNER: "ReplicaSet"; else NULL */
} k8c_controller_watch_t;

/* reconcile() results besides errors. */
#define K8C_RECONCILE_DONE 0 /* forget the key until the next event */

/* k8c_controller_ops_t.flags */
#define K8C_CONTROLLER_F_DISABLED_BY_DEFAULT 0x1u /* runs only when named in --controllers */

typedef struct k8c_controller_ops {
	uint32_t struct_size; /* sizeof(k8c_controller_ops_t) of the plugin */
	uint32_t flags;       /* K8C_CONTROLLER_F_* */

	/* Watched resources: an array of n_watches.  The first one is the
	 * controller's primary resource (its keys are what reconcile gets
	 * and what events are about by default).  Required, n_watches >= 1. */
	const k8c_controller_watch_t *watches;
	size_t n_watches;

	/* Default number of concurrent workers (0: 1); the plugin's config
	 * (plugins: {controller: {NAME: {workers: N}}}) overrides it. */
	uint32_t workers;

	/* The component events are reported as ("replicaset-controller");
	 * NULL: the plugin name followed by "-controller". */
	const char *event_component;

	/* Bring the object named by key to its desired state.  Returns
	 * K8C_RECONCILE_DONE, > 0 to be called again after that many
	 * milliseconds, or < 0 with err filled to be retried with per-key
	 * exponential backoff (5 ms doubling to 1000 s; success forgets it)
	 * under an overall limit of 10 retries/s, burst 100, as client-go's
	 * default controller rate limiter.  A key is never reconciled
	 * concurrently with itself; other keys are.  Required. */
	int (*reconcile)(void *cookie, const char *key, k8c_error_t *err);

	/* Optional: called for every change of every watched object, on the
	 * informer's thread, one change at a time per resource, before the
	 * host maps the change to a key and settles expectations with it (so
	 * an index the plugin keeps here is current when a worker sees the
	 * key).  type is K8C_WATCH_ADDED/MODIFIED/DELETED (see
	 * <k8c/client.h>); obj the new object (the last known one when
	 * deleted), old the previous one (MODIFIED only, else NULL); both
	 * borrowed for the call.  For mappings a table cannot say (a Node
	 * change concerns every DaemonSet): call enqueue from here.  Keep it
	 * quick and do not call the API from here. */
	void (*on_change)(void *cookie, size_t watch, int type, const struct cJSON *obj,
	                  const struct cJSON *old);
} k8c_controller_ops_t;

#define K8C_CONTROLLER_OPS_SIZE_1_5 \
	(offsetof(k8c_controller_ops_t, on_change) + sizeof(void *))

/* The controller manager's services to one controller instance, found in
 * k8c_host_t.controller (since 1.5) and valid until fini() returns.  Pass
 * ctx as the first argument.  Everything is thread-safe. */
typedef struct k8c_controller_host {
	uint32_t struct_size; /* sizeof(k8c_controller_host_t) in the core */
	void *ctx;

	/* The controller manager's settings (read-only, borrowed): the
	 * command-line/config values such as "node-monitor-grace-period"
	 * (strings as given, e.g. "40s"); absent ones are not there. */
	const struct cJSON *options;

	/* Queue key for reconcile (now / after delay_ms).  A key already
	 * queued is queued once. */
	void (*enqueue)(void *ctx, const char *key);
	void (*enqueue_after)(void *ctx, const char *key, int64_t delay_ms);

	/* A copy of the cached object of watches[watch] with this key, owned
	 * by the caller (cJSON_Delete), or NULL when there is none. */
	struct cJSON *(*get)(void *ctx, size_t watch, const char *key);

	/* Visit the cached objects of watches[watch]: those in namespace ns
	 * (NULL: all namespaces) and, when owner_uid is not NULL, only those
	 * with an ownerReference of that uid (found through an index, not a
	 * scan).  fn gets each object borrowed for the call and returns 0 to
	 * go on, non-zero to stop.  fn runs under the cache's read lock: it
	 * must not call the API nor the host, but for enqueue and
	 * enqueue_after (copy what it needs).  Returns
	 * the number of objects visited. */
	size_t (*list)(void *ctx, size_t watch, const char *ns, const char *owner_uid,
	               int (*fn)(void *arg, const struct cJSON *obj), void *arg);

	/* Expectations, against acting twice on a stale cache (client-go's
	 * ControllerExpectations): before creating n objects for key, call
	 * expect_creations(key, n); before deleting one, expect_deletion(key,
	 * its key).  Each ADDED object of a K8C_MAP_OWNER watch owned by key
	 * lowers the creations, each one deleted or marked for deletion
	 * clears its deletion.  A create that failed lowers them by hand
	 * (creation_observed), a delete that failed likewise
	 * (deletion_observed).  satisfied() is 1 when nothing is pending or
	 * the expectations are older than 5 minutes: only then may the
	 * controller trust the cache to count what it owns.  forget() drops
	 * them (the owner is gone). */
	void (*expect_creations)(void *ctx, const char *key, int n);
	void (*expect_deletion)(void *ctx, const char *key, const char *obj_key);
	void (*creation_observed)(void *ctx, const char *key);
	void (*deletion_observed)(void *ctx, const char *key, const char *obj_key);
	int (*satisfied)(void *ctx, const char *key);
	void (*forget)(void *ctx, const char *key);

	/* Record an Event about obj, an object of watches[watch] (borrowed),
	 * as event_component; type "Normal" or "Warning".  Queued: never
	 * blocks on the API.  Repeats are correlated (count). */
	void (*event)(void *ctx, size_t watch, const struct cJSON *obj, const char *type,
	              const char *reason, const char *fmt, ...)
		__attribute__((format(printf, 6, 7)));
} k8c_controller_host_t;

#ifdef __cplusplus
}
#endif

#endif /* K8C_CONTROLLER_H */
