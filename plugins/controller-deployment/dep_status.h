/* A Deployment's status as kube-controller-manager computes it: the counts
 * from its ReplicaSets, the Available and Progressing conditions (with
 * Kubernetes' reasons and messages), progress deadlines.  Pure: the time
 * is an argument.  Objects are cJSON trees; "status" arguments are
 * DeploymentStatus objects. */
#ifndef K8C_DEP_STATUS_H
#define K8C_DEP_STATUS_H

#include <stddef.h>
#include <stdint.h>

struct cJSON;

/* Condition reasons (deployment util's constants). */
#define DEP_R_NEW_RS "NewReplicaSetCreated"
#define DEP_R_FOUND_NEW_RS "FoundNewReplicaSet"
#define DEP_R_RS_UPDATED "ReplicaSetUpdated"
#define DEP_R_NEW_RS_AVAILABLE "NewReplicaSetAvailable"
#define DEP_R_TIMED_OUT "ProgressDeadlineExceeded"
#define DEP_R_PAUSED "DeploymentPaused"
#define DEP_R_RESUMED "DeploymentResumed"
#define DEP_R_FAILED_RS_CREATE "ReplicaSetCreateError"
#define DEP_R_MIN_AVAILABLE "MinimumReplicasAvailable"
#define DEP_R_MIN_UNAVAILABLE "MinimumReplicasUnavailable"

/* The condition of that type (borrowed from status), or NULL. */
struct cJSON *dep_condition(const struct cJSON *status, const char *type);
/* A new condition with both times now; caller owns it. */
struct cJSON *dep_condition_new(const char *type, const char *status, const char *reason,
                                const char *message, int64_t now_ns);
/* SetDeploymentCondition: takes ownership of cond; nothing changes when
 * one of its type has the same status and reason; lastTransitionTime is
 * kept when the status is the same.  status gets a conditions array. */
void dep_condition_set(struct cJSON *status, struct cJSON *cond);
void dep_condition_remove(struct cJSON *status, const char *type);

/* calculateStatus: a new DeploymentStatus (caller owns) from the
 * ReplicaSets all[0..n) (NULL entries skipped) and new_rs (may be NULL),
 * with d's conditions copied and Available set. */
struct cJSON *dep_status_calculate(const struct cJSON *d, struct cJSON *const *all, size_t n,
                                   const struct cJSON *new_rs, int64_t now_ns);

int dep_complete(const struct cJSON *d, const struct cJSON *status);
int dep_progressing(const struct cJSON *d, const struct cJSON *status);
int dep_timed_out(const struct cJSON *d, const struct cJSON *status, int64_t now_ns);

/* syncRolloutStatus's conditions: Progressing from d's old status and the
 * new one, ReplicaFailure from the ReplicaSets. */
void dep_rollout_conditions(const struct cJSON *d, struct cJSON *status, struct cJSON *const *all,
                            size_t n, const struct cJSON *new_rs, int64_t now_ns);

/* requeueStuckDeployment: ms after which d must be looked at again to
 * notice a progress deadline, or -1. */
int64_t dep_stuck_requeue_ms(const struct cJSON *d, const struct cJSON *new_status, int64_t now_ns);

#endif
