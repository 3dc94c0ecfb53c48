/* The ReplicaSet controller (plugins/controller-replicaset): shared
 * between its files. */
#ifndef K8C_CONTROLLER_REPLICASET_H
#define K8C_CONTROLLER_REPLICASET_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <k8c/client.h>
#include <k8c/controller.h>

#include "common/selector.h"
#include "common/strmap.h"

struct cJSON;

/* watches[] indexes */
#define RS_WATCH_SETS 0
#define RS_WATCH_PODS 1

typedef struct rs_ctl {
	const k8c_host_t *host;            /* borrowed until fini */
	const k8c_controller_host_t *ch;   /* host->controller */
	int64_t burst;                     /* most pods created or deleted per sync (500) */
	pthread_mutex_t mu;                /* guards orphans */
	k8c_strmap_t orphans;              /* namespace -> k8c_strmap_t * of pod keys without a controller */
	pthread_mutex_t pods_mu;           /* guards by_owner */
	k8c_strmap_t by_owner;             /* controller uid -> k8c_strmap_t * (pod key -> record), pod_index.c */
} rs_ctl_t;

/* --- pod_rank.c: which pods go first when scaling down ---------------------- */

/* One candidate for deletion, with what kube's ActivePodsWithRanks compares. */
typedef struct rs_pod_rank {
	const char *name;          /* borrowed (the last tie-break); fill leaves it alone */
	int assigned;              /* spec.nodeName set */
	int phase;                 /* 0 Pending, 1 Unknown, 2 Running (others: 0) */
	int ready;
	int64_t colocated;         /* active pods of the set on the same node */
	int64_t ready_since_ns;    /* Ready condition's lastTransitionTime (0: unknown) */
	int64_t restarts;          /* highest restartCount of its containers */
	int64_t created_ns;        /* creationTimestamp */
} rs_pod_rank_t;

/* What a sync needs of one pod the set controls, read from the cache
 * without copying the pod. */
typedef struct rs_pod {
	char *name;          /* owned */
	char *node;          /* spec.nodeName, owned, or NULL */
	int ref_index;       /* our reference's index in metadata.ownerReferences */
	int matches;         /* its labels match the selector */
	int active, labeled, ready, available;
	rs_pod_rank_t rank;  /* rank.name is name */
} rs_pod_t;

/* One sync of one set (replicaset.c, manage.c, status.c). */
typedef struct sync_ctx {
	rs_ctl_t *c;                 /* borrowed */
	const char *key;             /* borrowed */
	struct cJSON *rs;            /* the cached set (copy, owned) */
	const char *ns, *name, *uid; /* inside rs */
	k8c_label_selector_t *sel;   /* owned */
	rs_pod_t *pods;              /* the pods it controls (owned array) */
	size_t n_pods;
	int64_t now_ns, min_ready;   /* for availability */
	const struct cJSON *template_labels; /* inside rs */
	char failure[512];           /* ReplicaFailure message, or "" */
	const char *failure_reason;
	const rs_pod_rank_t *victims; /* manage.c: the ranked pods being deleted */
} sync_ctx_t;

/* pod_index.c: the records of the pods each set controls. */
/* A pod changed (on_change; key is its "namespace/name"). */
void rs_index_update(rs_ctl_t *c, int type, const struct cJSON *obj, const struct cJSON *old,
                     const char *key);
/* Append the records of the pods set s->uid controls to s->pods, judged
 * against s (selector, template labels, minReadySeconds). */
void rs_index_collect(rs_ctl_t *c, sync_ctx_t *s);
void rs_index_free(rs_ctl_t *c);
/* Fill p from pod (name and node copied; matches, labeled, available are
 * rs_pod_judge's). */
void rs_pod_fill(rs_pod_t *p, const struct cJSON *pod, int ref_index);
void rs_pod_judge(rs_pod_t *p, const struct cJSON *labels, const sync_ctx_t *s);

int rs_request(rs_ctl_t *c, const char *method, const char *path, const struct cJSON *body,
               const char *ctype, struct cJSON **out, k8c_error_t *err);
/* Our controller reference to put on a pod (caller owns). */
struct cJSON *rs_owner_ref(const sync_ctx_t *s);

/* manage.c: create or delete the difference between the active pods and
 * spec.replicas (fills s->failure on errors). */
int rs_manage_replicas(sync_ctx_t *s, k8c_error_t *err);
/* status.c: compute and write the status when it changed. Returns the
 * delay in ms after which availability must be looked at again (0: none). */
int rs_update_status(sync_ctx_t *s, k8c_error_t *err);

/* Fill r from pod (borrowed). */
void rs_pod_rank_fill(rs_pod_rank_t *r, const struct cJSON *pod);
/* Sort ranks, the pods to delete first at the front: unassigned before
 * assigned, Pending before Unknown before Running, not ready before ready,
 * more colocated first, ready for less time first, more restarts first,
 * newer first (kube-controller-manager's ActivePodsWithRanks). */
void rs_pod_rank_sort(rs_pod_rank_t *ranks, size_t n);

/* Pod Ready condition status True? */
int rs_pod_ready(const struct cJSON *pod);
/* Ready for at least min_ready_seconds at now_ns? */
int rs_pod_available(const struct cJSON *pod, int64_t min_ready_seconds, int64_t now_ns);
/* The availability rule on its parts: ready since ready_since_ns for at
 * least min_ready_seconds at now_ns. */
int rs_ready_long_enough(int ready, int64_t ready_since_ns, int64_t min_ready_seconds, int64_t now_ns);
/* obj's controller ownerReference (borrowed) and its index, or NULL. */
const struct cJSON *rs_controller_ref(const struct cJSON *obj, int *index);
/* Not finished (Succeeded/Failed) and not being deleted. */
int rs_pod_active(const struct cJSON *pod);

#endif
