/* Inside the controller manager: the shared cache of watched resources
 * (cache.c), expectations (expectations.c), the per-controller rate
 * limiter (ratelimit.c) and the controllers themselves (manager.c,
 * host_api.c). */
#ifndef K8C_CONTROLLER_INTERNAL_H
#define K8C_CONTROLLER_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include <k8c/controller.h>

#include "client/informer.h"
#include "client/recorder.h"
#include "common/strmap.h"
#include "common/workqueue.h"
#include "controller/controller.h"
#include "plugin/host.h"

struct cJSON;
typedef struct ctl_instance ctl_instance_t;

/* --- cache.c: one informer per resource, shared by every controller ---- */

/* A controller instance interested in a resource: watches[watch] of it. */
typedef struct ctl_sub {
	ctl_instance_t *ci;  /* borrowed */
	size_t watch;
} ctl_sub_t;

typedef struct ctl_resource {
	char *group, *version, *resource; /* owned */
	k8c_informer_t *inf;              /* owned */
	pthread_rwlock_t lock;            /* guards the three maps */
	k8c_strmap_t objects;             /* key -> const cJSON * (the informer's object) */
	k8c_strmap_t by_ns;               /* namespace -> k8c_strmap_t * (key -> object), owned */
	k8c_strmap_t by_owner;            /* ownerReference uid -> k8c_strmap_t * (key -> object), owned */
	ctl_sub_t *subs;                  /* owned array; fixed once informers start */
	size_t n_subs;
	struct ctl_resource *next;
} ctl_resource_t;

typedef struct ctl_cache {
	k8c_client_t *client;   /* borrowed */
	ctl_resource_t *head;   /* owned list */
} ctl_cache_t;

/* The resource of w, created on first use; ci subscribes to it as its
 * watch number `watch`. */
ctl_resource_t *ctl_cache_subscribe(ctl_cache_t *cache, const k8c_controller_watch_t *w,
                                    ctl_instance_t *ci, size_t watch);
/* Start every informer. */
void ctl_cache_start(ctl_cache_t *cache);
/* Wait until each listed once (a controller must not act on a partial
 * cache), however long it takes (warning each minute), unless
 * stopping(arg) says to give up: then -1. */
int ctl_cache_wait_synced(ctl_cache_t *cache, int (*stopping)(void *arg), void *arg);
/* Stop the informers (no callback runs after). */
void ctl_cache_stop(ctl_cache_t *cache);
void ctl_cache_free(ctl_cache_t *cache);

struct cJSON *ctl_resource_get(ctl_resource_t *r, const char *key);
size_t ctl_resource_list(ctl_resource_t *r, const char *ns, const char *owner_uid,
                         int (*fn)(void *arg, const struct cJSON *obj), void *arg);

/* The controller ownerReference of obj (borrowed) or NULL. */
const struct cJSON *ctl_controller_ref(const struct cJSON *obj);

/* --- expectations.c ------------------------------------------------------ */

typedef struct ctl_expectations {
	pthread_mutex_t mu;
	k8c_strmap_t by_key; /* controller key -> owned record */
} ctl_expectations_t;

void ctl_expectations_init(ctl_expectations_t *ex);
void ctl_expectations_destroy(ctl_expectations_t *ex);
void ctl_expect_creations(ctl_expectations_t *ex, const char *key, int n);
void ctl_expect_deletion(ctl_expectations_t *ex, const char *key, const char *obj_key);
void ctl_creation_observed(ctl_expectations_t *ex, const char *key);
void ctl_deletion_observed(ctl_expectations_t *ex, const char *key, const char *obj_key);
int ctl_expectations_satisfied(ctl_expectations_t *ex, const char *key, int64_t now_ns);
void ctl_expectations_forget(ctl_expectations_t *ex, const char *key);

/* --- ratelimit.c: client-go's default controller rate limiter ------------ */

typedef struct ctl_ratelimit {
	pthread_mutex_t mu;
	k8c_strmap_t failures;  /* key -> (uintptr_t) failures so far */
	double tokens;          /* the overall bucket: 10/s, burst 100 */
	int64_t last_ns;
} ctl_ratelimit_t;

void ctl_ratelimit_init(ctl_ratelimit_t *rl);
void ctl_ratelimit_destroy(ctl_ratelimit_t *rl);
/* The delay before retrying key after one more failure. */
int64_t ctl_ratelimit_when(ctl_ratelimit_t *rl, const char *key, int64_t now_ns);
/* key succeeded: its per-key backoff starts over. */
void ctl_ratelimit_forget(ctl_ratelimit_t *rl, const char *key);

/* --- manager.c / host_api.c ---------------------------------------------- */

struct ctl_instance {
	k8c_controller_manager_t *cm;          /* borrowed */
	const k8c_loaded_plugin_t *p;          /* borrowed */
	const k8c_controller_ops_t *ops;       /* the plugin's */
	k8c_plugin_instance_t *inst;           /* owned */
	void *cookie;                          /* the instance's */
	k8c_controller_host_t host;            /* handed to the plugin; ctx is this */
	ctl_resource_t **res;                  /* per watch, borrowed from the cache */
	k8c_workqueue_t *queue;                /* owned */
	pthread_t *workers;                    /* owned, n_workers of them */
	size_t n_workers, n_started;
	int has_on_change;
	ctl_ratelimit_t rl;
	ctl_expectations_t ex;
	k8c_recorder_t *recorder;              /* owned */
	char *component;                       /* owned: "replicaset-controller" */
};

/* Fill ci->host (host_api.c). */
void ctl_host_init(ctl_instance_t *ci, const struct cJSON *options);
/* A change of watches[watch] of ci (cache.c calls it after updating the
 * cache): the table's mapping, expectations, then on_change. */
void ctl_instance_changed(ctl_instance_t *ci, size_t watch, int type, const struct cJSON *obj,
                          const struct cJSON *old);

#endif
