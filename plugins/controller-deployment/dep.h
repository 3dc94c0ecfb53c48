/* The Deployment controller plugin's internals: the instance (cookie), one
 * sync of one Deployment, and the steps of kube-controller-manager's
 * DeploymentController that the files share. */
#ifndef K8C_DEP_H
#define K8C_DEP_H

#include <stddef.h>
#include <stdint.h>

#include <k8c/client.h>
#include <k8c/controller.h>
#include <k8c/plugin.h>

struct cJSON;

/* watches[] indexes */
enum { W_DEPLOY = 0, W_RS = 1, W_POD = 2 };

typedef struct dep_ctl {
	const k8c_host_t *host;             /* borrowed, valid until fini */
	const k8c_controller_host_t *ch;    /* host->controller */
} dep_ctl_t;

/* A list of ReplicaSets borrowed from a dep_sync_t. */
typedef struct dep_rsv {
	struct cJSON **v;
	size_t n, cap;
} dep_rsv_t;

/* One reconcile of one Deployment. */
typedef struct dep_sync {
	dep_ctl_t *ctl;
	struct cJSON *d;   /* the Deployment, owned; replaced by what the API answers */
	char *ns, *name;   /* owned */
	dep_rsv_t rs;      /* the ReplicaSets it owns, each owned by this sync */
	int64_t now_ns;
	int64_t requeue_ms; /* > 0: look again after that long */
} dep_sync_t;

void dep_rsv_push(dep_rsv_t *l, struct cJSON *rs);
void dep_rsv_free(dep_rsv_t *l); /* the array, not the objects */
long dep_sum_replicas(const dep_rsv_t *l); /* of spec.replicas */

#define DLOG(s, level, ...) (s)->ctl->host->log((s)->ctl->host->ctx, (level), __VA_ARGS__)

/* --- dep_write.c: API writes ---------------------------------------------- */

/* PUT the ReplicaSet rs (its content is replaced by the answer). */
int dep_rs_update(dep_sync_t *s, struct cJSON *rs, k8c_error_t *err);
/* PUT s->d to /status (s->d replaced by the answer). */
int dep_status_update(dep_sync_t *s, k8c_error_t *err);
/* Scale rs to n, setting the replica annotations: scaleReplicaSet.  op is
 * "up", "down" or "" for the event; *scaled says whether the size
 * changed. */
int dep_scale_rs(dep_sync_t *s, struct cJSON *rs, long n, const char *op, int *scaled,
                 k8c_error_t *err);
/* scaleReplicaSetAndRecordEvent: nothing when rs already has n. */
int dep_scale_rs_event(dep_sync_t *s, struct cJSON *rs, long n, int *scaled, k8c_error_t *err);
/* Set the desired/max replica annotations; 1 when changed. */
int dep_set_replicas_annotations(struct cJSON *rs, long desired, long max);

/* --- dep_rollout.c: the steps -------------------------------------------- */

/* getAllReplicaSetsAndSyncRevision: *new_rs (may be NULL) and old (all
 * others) from s->rs, the new one created when create is set. */
int dep_new_and_old(dep_sync_t *s, int create, struct cJSON **new_rs, dep_rsv_t *old,
                    k8c_error_t *err);
int dep_sync_scale(dep_sync_t *s, k8c_error_t *err);          /* sync(): paused or scaled */
int dep_sync_status_only(dep_sync_t *s, k8c_error_t *err);    /* syncStatusOnly */
int dep_scaling_event(dep_sync_t *s, int *yes, k8c_error_t *err);
int dep_rollout_rolling(dep_sync_t *s, k8c_error_t *err);
int dep_rollout_recreate(dep_sync_t *s, k8c_error_t *err);
int dep_check_paused(dep_sync_t *s, k8c_error_t *err);

/* --- dep_claim.c: adoption ------------------------------------------------ */

/* Fill s->rs with the ReplicaSets s->d controls, adopting orphans its
 * selector matches and releasing its own that it no longer matches. */
int dep_claim(dep_sync_t *s, k8c_error_t *err);

#endif
