/* k8c plugin SDK — controller plugins (kind K8C_PLUGIN_CONTROLLER).
 *
 * A controller is a level-triggered reconcile loop (DESIGN §6).  It declares
 * which resources it watches and how an event maps to a work-queue key; the
 * controller-manager runs the informers and the rate-limited work queue and
 * calls reconcile(key) from its workers.  reconcile reads and writes the
 * cluster through the host's API client (<k8c/client.h>) and must be
 * idempotent: it may be called again for the same key at any time.
 */
#ifndef K8C_CONTROLLER_H
#define K8C_CONTROLLER_H

#include <k8c/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* How an event on a watched object becomes a key. */
enum k8c_controller_map {
	K8C_MAP_SELF = 1,   /* the object's own "namespace/name" */
	K8C_MAP_OWNER = 2,  /* its controller ownerReference of owner_kind, same namespace */
};

/* One watched resource. */
typedef struct k8c_controller_watch {
	const char *group;      /* "" for core, "apps", "batch", ... */
	const char *version;    /* "v1" */
	const char *resource;   /* plural: "replicasets" */
	int map;                /* enum k8c_controller_map */
	const char *owner_kind; /* with K8C_MAP_OWNER: "ReplicaSet"; else NULL */
} k8c_controller_watch_t;

/* reconcile() results besides errors. */
#define K8C_RECONCILE_DONE 0 /* forget the key until the next event */

typedef struct k8c_controller_ops {
	uint32_t struct_size; /* Since 1.0 */

	/* Watched resources: an array of n_watches, static, owned by the
	 * plugin.  The first one is the controller's primary resource.
	 * Required (n_watches >= 1). */
	const k8c_controller_watch_t *watches;
	size_t n_watches;

	/* Default number of concurrent workers (0: 1); the config file may
	 * override it with `workers`. */
	uint32_t workers;

	/* Bring the object named by key ("namespace/name", or "name" for a
	 * cluster-scoped primary) to its desired state.  Returns
	 * K8C_RECONCILE_DONE, > 0 to be called again after that many
	 * milliseconds, or < 0 with err filled to be retried with exponential
	 * backoff (5 ms doubling to 1000 s).  Keys are never reconciled
	 * concurrently with themselves.  Required. */
	int (*reconcile)(void *cookie, const char *key, k8c_error_t *err);
} k8c_controller_ops_t;

#define K8C_CONTROLLER_OPS_SIZE_1_0 \
	(offsetof(k8c_controller_ops_t, reconcile) + sizeof(void *))

#ifdef __cplusplus
}
#endif

#endif /* K8C_CONTROLLER_H */
