/* Shared by core/scheduler/: the node cache (cache.c), the scheduling
 * queue (queue.c), profiles and their plugins (framework.c), and the
 * scheduling loop with its binders (scheduler.c).
 *
 * Threads: the node and pod informers' handlers update the cache and the
 * queue; one scheduling thread pops pods and runs their cycles with the
 * cache read-locked (plugins see a snapshot that cannot change under
 * them); binder threads bind assumed pods. */
#ifndef K8C_SCHEDULER_INTERNAL_H
#define K8C_SCHEDULER_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include <k8c/scheduler.h>

#include "client/informer.h"
#include "client/recorder.h"
#include "common/json_path.h"
#include "common/podresources.h"
#include "common/strmap.h"
#include "plugin/host.h"
#include "scheduler/scheduler.h"

struct cJSON;

/* --- cache.c: nodes and the pods that count on them ------------------------- */

typedef struct spod spod_t;

typedef struct snode {
	char *name;                 /* owned; the map's key */
	const struct cJSON *node;   /* borrowed from the node informer; NULL while only pods name it */
	k8c_podresources_t allocatable, requested, non_zero;
	spod_t **pods;              /* owned array of borrowed entries */
	const struct cJSON **objs;  /* owned array, parallel to pods (the view's pods) */
	size_t n_pods, cap;
	const struct cJSON **with_affinity, **with_anti; /* owned arrays (cap) of borrowed pods */
	size_t n_affinity, n_anti;
	uint64_t generation;
	long list_index;            /* in cache->list, -1 when not listed */
	k8c_sched_node_t view;      /* what plugins see, pointing into the above */
} snode_t;

struct spod {
	char *uid;                  /* owned; the map's key */
	const struct cJSON *pod;    /* the informer's (borrowed), or own while assumed */
	struct cJSON *own;          /* owned copy while assumed, else NULL */
	snode_t *node;              /* where it counts (borrowed) */
	size_t index;               /* in node->pods */
	k8c_podresources_t req, nz;
	int affinity, required_anti; /* has (anti-)affinity terms; required anti-affinity */
	int assumed;                /* bound by us, not yet seen bound by the informer */
	int64_t expires_ns;         /* monotonic: an assumed pod whose binding finished is dropped then */
};

typedef struct scache {
	pthread_rwlock_t lock;
	k8c_strmap_t nodes;         /* name -> snode_t* (owned) */
	k8c_strmap_t pods;          /* uid -> spod_t* (owned) */
	snode_t **list;             /* nodes with a Node object, in a stable order */
	const k8c_sched_node_t **views; /* parallel to list */
	size_t n_list, cap_list;
	uint64_t generation;        /* bumped on every change */
} scache_t;

void cache_init(scache_t *c);
/* Succeeded or Failed: counts on no node, waits in no queue. */
int pod_finished(const struct cJSON *pod);
void cache_free(scache_t *c);
/* Informer handlers (take the write lock).  node/pod are the informer's
 * objects, kept borrowed (see k8c_informer_fn). */
void cache_node_set(scache_t *c, const struct cJSON *node);
void cache_node_delete(scache_t *c, const char *name);
/* A pod that has a node (and is not finished): add or update.  A pod
 * without one, or finished, is removed. */
void cache_pod_set(scache_t *c, const struct cJSON *pod);
void cache_pod_delete(scache_t *c, const char *uid);
/* The scheduler's own: assume pod (borrowed; copied) on node before its
 * binding is through; forget it when the binding failed; finish_binding
 * starts its expiry (the informer's update normally comes first). */
void cache_assume(scache_t *c, const struct cJSON *pod, const char *node);
void cache_forget(scache_t *c, const char *uid);
void cache_finish_binding(scache_t *c, const char *uid);
/* Drop assumed pods whose binding finished long ago but never showed. */
void cache_expire(scache_t *c);

/* --- queue.c: the scheduling queue ----------------------------------------- */

typedef struct squeue squeue_t;

squeue_t *queue_new(void);
void queue_free(squeue_t *q);
/* Add or update an unbound pod (uid, priority, creation time from it):
 * new pods go to the active queue; an update of a pod waiting as
 * unschedulable moves it to active (it may fit now). */
void queue_add(squeue_t *q, const struct cJSON *pod);
void queue_delete(squeue_t *q, const char *uid);
/* Block until a pod is active (or the queue is closed: NULL).  Returns its
 * uid and sets *key to its "namespace/name" (caller frees both). */
char *queue_pop(squeue_t *q, char **key);
/* After a failed attempt: unschedulable pods wait for a cluster change
 * (or 5 min); errors back off (1 s doubling to 10 s). */
void queue_requeue(squeue_t *q, const char *uid, int unschedulable);
/* The attempt succeeded: forget the pod. */
void queue_done(squeue_t *q, const char *uid);
/* Something changed that may let waiting pods fit: move every
 * unschedulable pod to active (or to backoff while it backs off). */
void queue_move_all(squeue_t *q);
void queue_close(squeue_t *q);
size_t queue_pending(squeue_t *q);

/* --- framework.c: profiles and their plugins ---------------------------------- */

typedef struct sched_plugin {
	k8c_plugin_instance_t *inst;           /* owned */
	const k8c_sched_policy_ops_t *ops;     /* borrowed from the plugin */
	void *cookie;
	const char *name;                      /* borrowed from the plugin */
} sched_plugin_t;

typedef struct sched_point {
	sched_plugin_t *plugin;                /* borrowed from the profile */
	int64_t weight;                        /* score only */
} sched_point_t;

typedef struct sched_profile {
	char *scheduler_name;                  /* owned */
	sched_plugin_t *plugins;               /* owned: one instance per plugin */
	size_t n_plugins;
	sched_point_t *filters, *scores, *binders; /* owned arrays */
	size_t n_filters, n_scores, n_binders;
} sched_profile_t;

/* Read the profiles of the scheduler config (NULL: the default profile)
 * and instantiate their plugins. */
int profiles_load(k8c_scheduler_t *s, const struct cJSON *config, k8c_error_t *err);
void profiles_free(k8c_scheduler_t *s);
sched_profile_t *profile_for(k8c_scheduler_t *s, const char *scheduler_name);

/* One cycle's outcome. */
typedef struct sched_result {
	char node[256];           /* chosen node, "" when none */
	char message[1024];       /* why not: "0/5 nodes are available: ..." */
	char nominated[256];      /* post_filter's nominated node */
	int unschedulable;        /* 1: no fit; 0 with no node: an error */
	size_t evaluated, feasible;
} sched_result_t;

/* Run pre_filter .. score for pod on the cache's nodes (read lock held by
 * the caller) and pick a node; reserve it. */
void framework_schedule(k8c_scheduler_t *s, sched_profile_t *p, const struct cJSON *pod,
                        sched_result_t *res);
/* post_filter.c: what post_filter plugins (preemption) get from the
 * host: filter_without runs the profile's filters on a node as if some of
 * its pods were gone.  ctx lives for the cycle (cache read-locked). */
typedef struct filter_ctx {
	k8c_scheduler_t *s;
	sched_profile_t *p;
	k8c_sched_cycle_t *cycles;  /* the cycle's, one per plugin of p */
	const char *skip;           /* plugins whose pre_filter said SKIP */
} filter_ctx_t;
int post_filter_filter_without(void *host_ctx, const k8c_sched_node_t *node,
                               const struct cJSON *const *without, size_t n_without,
                               char reason[K8C_SCHED_REASON_MAX]);

/* Undo reserve (the assume or bind failed). */
void framework_unreserve(k8c_scheduler_t *s, sched_profile_t *p, const struct cJSON *pod,
                         const char *node);
/* Bind through the profile's binders: 0, or < 0 with err. */
int framework_bind(k8c_scheduler_t *s, sched_profile_t *p, const struct cJSON *pod,
                   const char *node, k8c_error_t *err);

/* --- the scheduler ------------------------------------------------------------- */

struct k8c_scheduler {
	k8c_scheduler_config_t cfg;
	scache_t cache;
	squeue_t *queue;
	sched_profile_t *profiles;
	size_t n_profiles;
	int percentage;           /* percentage-of-nodes-to-score, 0: adaptive */
	size_t next_start;        /* where the next search for feasible nodes starts */
	int *codes;               /* the cycle's filter result per node (scheduling thread only) */
	size_t cap_codes;
	k8c_informer_t *node_informer, *pod_informer;
	k8c_recorder_t *events;
	struct k8c_leader *leader;  /* owned, with leader_elect */
	pthread_mutex_t lead_lock;
	pthread_cond_t lead_cond;
	int leading;              /* under lead_lock */
	int loop_stop;            /* under lead_lock */
	pthread_t loop;
	int loop_started;
	/* binders */
	pthread_mutex_t bind_lock;
	pthread_cond_t bind_cond;
	struct bind_job *bind_head, *bind_tail;
	pthread_t *binders;
	int n_binders;
	int stop;
	/* counters (atomics) */
	uint64_t scheduled, failed, attempts;
};

#endif
