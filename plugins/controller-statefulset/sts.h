/* The StatefulSet controller plugin's internal interface: what its files
 * share.  The pure parts (pod identity, claims, revisions, the update plan)
 * take and return cJSON trees and touch no host, so the unit test drives
 * them directly; sts_control.c and statefulset.c talk to the API. */
#ifndef K8C_PLUGIN_STS_H
#define K8C_PLUGIN_STS_H

#include <stddef.h>
#include <stdint.h>

#include <k8c/controller.h>
#include <k8c/error.h>

struct cJSON;
struct k8c_label_selector;

/* Indexes into the watch table (statefulset.c). */
enum { STS_W_SETS = 0, STS_W_PODS = 1, STS_W_REVS = 2, STS_W_PVCS = 3 };

#define STS_LABEL_POD_NAME "statefulset.kubernetes.io/pod-name"
#define STS_LABEL_POD_INDEX "apps.kubernetes.io/pod-index"
#define STS_LABEL_REVISION "controller-revision-hash"
#define STS_LABEL_HASH "controller.kubernetes.io/hash"

/* One controller instance (the plugin's cookie). */
typedef struct sts_ctl {
	const k8c_host_t *host;          /* borrowed until fini */
	const k8c_controller_host_t *ch; /* host->controller, borrowed */
} sts_ctl_t;

/* --- sts_json.c: small JSON helpers ----------------------------------------- */
/* The number at path (saturated to the range of long long), or def. */
long long sts_jint(const struct cJSON *obj, const char *path, long long def);
/* seconds as a reconcile delay in milliseconds, clamped to INT_MAX (0 when
 * seconds <= 0). */
int sts_requeue_ms(long long seconds);
/* The object member key of obj, created empty when absent (obj not NULL). */
struct cJSON *sts_jobj(struct cJSON *obj, const char *key);
/* Replace (or add) member key of obj with item (takes ownership of item). */
void sts_jset(struct cJSON *obj, const char *key, struct cJSON *item);
/* Compact JSON with object keys sorted at every level and strings escaped
 * as Go's encoding/json writes them: what json.Marshal of a
 * map[string]interface{} gives.  Caller frees. */
char *sts_canonical_json(const struct cJSON *item);
/* The controller ownerReference naming set (new tree, caller owns). */
struct cJSON *sts_controller_ref(const struct cJSON *set);
/* The uid of obj's controller ownerReference, or NULL (borrowed). */
const char *sts_controller_uid(const struct cJSON *obj);
int sts_is_terminating(const struct cJSON *obj);
/* The value of label key (which may hold dots) of obj, or NULL (borrowed). */
const char *sts_label(const struct cJSON *obj, const char *key);

/* A growing array of owned trees (the cache copies a sync works on). */
typedef struct sts_vec {
	struct cJSON **v;
	size_t n, cap;
} sts_vec_t;

/* Append a copy of item. */
void sts_vec_push_copy(sts_vec_t *vec, const struct cJSON *item);
/* Free the trees and the array. */
void sts_vec_free(sts_vec_t *vec);

/* --- sts_pods.c: pod identity and state (pure) ------------------------------- */
/* The ordinal of a pod named PARENT-N, or -1; *parent_len (may be NULL)
 * gets the length of PARENT. */
int sts_ordinal(const char *name, size_t *parent_len);
/* Whether the pod's name says it belongs to set (getParentName == set). */
int sts_is_member(const struct cJSON *set, const struct cJSON *pod);
int sts_start_ordinal(const struct cJSON *set);
int sts_replicas(const struct cJSON *set);
/* A new pod for ordinal from set's metadata and template (the template
 * given, which is the one of a revision), labelled with revision (may be
 * NULL).  Caller owns it. */
struct cJSON *sts_new_pod(const struct cJSON *set, const struct cJSON *tmpl, int ordinal,
                          const char *revision);
int sts_identity_matches(const struct cJSON *set, const struct cJSON *pod);
int sts_storage_matches(const struct cJSON *set, const struct cJSON *pod);
const char *sts_pod_revision(const struct cJSON *pod);
int sts_pod_created(const struct cJSON *pod);
int sts_pod_failed(const struct cJSON *pod);
int sts_pod_succeeded(const struct cJSON *pod);
int sts_pod_pending(const struct cJSON *pod);
int sts_pod_running_ready(const struct cJSON *pod);
/* Running and Ready for min_ready_s seconds at now_ns. */
int sts_pod_available(const struct cJSON *pod, int64_t min_ready_s, int64_t now_ns);
int sts_pod_healthy(const struct cJSON *pod);

/* --- sts_claims.c: volumeClaimTemplates ------------------------------------- */
/* "<template>-<set>-<ordinal>" (caller frees). */
char *sts_claim_name(const struct cJSON *set, const char *tmpl_name, int ordinal);
/* The PVCs the pod of ordinal needs: a new array of PersistentVolumeClaim
 * objects (caller owns). */
struct cJSON *sts_claims(const struct cJSON *set, int ordinal);
/* Whether pod's ordinal is within [start, start + replicas). */
int sts_in_range(const struct cJSON *set, int ordinal);
/* Bring claim's ownerReferences in line with the set's
 * persistentVolumeClaimRetentionPolicy for pod (pod may be a pod that does
 * not exist yet: no uid, then nothing is owned by it).  Returns 1 when
 * claim was changed. */
int sts_claim_apply_policy(struct cJSON *claim, const struct cJSON *set, const struct cJSON *pod);

/* --- sts_history.c: ControllerRevisions (pure) ------------------------------ */
/* The revision data of set: {"spec":{"template":{...,"$patch":"replace"}}}
 * as canonical JSON (caller frees). */
char *sts_patch(const struct cJSON *set);
/* FNV-1 32 of data then the collision count, encoded as Kubernetes'
 * rand.SafeEncodeString(fmt.Sprint(hash)) (caller frees). */
char *sts_hash(const char *data, const int32_t *collision_count);
/* A new ControllerRevision for set (name, labels, owner, data, revision). */
struct cJSON *sts_revision_new(const struct cJSON *set, long long revision, int32_t collision);
/* Whether revision a and b hold the same data. */
int sts_revision_equal(const struct cJSON *a, const struct cJSON *b);
/* Sort revisions (cJSON* array) by revision, creationTimestamp, name. */
void sts_revisions_sort(struct cJSON **revs, size_t n);
/* The pod template a revision records (borrowed from rev), or NULL. */
const struct cJSON *sts_revision_template(const struct cJSON *rev);

/* --- sts_status.c: the status the controller computes (pure) ---------------- */
typedef struct sts_status {
	long long observed_generation;
	int replicas, ready, available, current, updated;
	int32_t collision;
	const char *current_revision; /* borrowed */
	const char *update_revision;  /* borrowed */
} sts_status_t;

void sts_status_count(sts_status_t *st, struct cJSON *const *pods, size_t n, int64_t min_ready_s,
                      int64_t now_ns);
/* completeRollingUpdate, then whether set's status differs from st. */
int sts_status_complete_and_differs(const struct cJSON *set, sts_status_t *st);
/* The status object (new tree, caller owns). */
struct cJSON *sts_status_json(const sts_status_t *st, const struct cJSON *old_status);

/* --- sts_control.c: API writes with their events ---------------------------- */
int sts_create_pod(sts_ctl_t *c, const char *key, const struct cJSON *set, struct cJSON *pod,
                   k8c_error_t *err);
int sts_delete_pod(sts_ctl_t *c, const char *key, const struct cJSON *set, const struct cJSON *pod,
                   k8c_error_t *err);
int sts_create_claims(sts_ctl_t *c, const struct cJSON *set, const struct cJSON *pod,
                      k8c_error_t *err);
/* Bring the pod's existing claims in line with the retention policy. */
int sts_fix_claim_owners(sts_ctl_t *c, const struct cJSON *set, const struct cJSON *pod,
                         k8c_error_t *err);
/* 1 when a claim of the pod is owned by an earlier pod of the same name. */
int sts_claims_stale(sts_ctl_t *c, const struct cJSON *set, const struct cJSON *pod);
/* Patch the pod's identity labels back (adopted or edited pods). */
int sts_update_pod_identity(sts_ctl_t *c, const struct cJSON *set, const struct cJSON *pod,
                            k8c_error_t *err);
int sts_put_status(sts_ctl_t *c, const struct cJSON *set, const sts_status_t *st, k8c_error_t *err);

/* --- sts_revisions.c: the set's history through the API --------------------- */
typedef struct sts_history {
	struct cJSON **revs; /* owned copies, sorted */
	size_t n;
	struct cJSON *current, *update; /* owned (copies) */
	int32_t collision;
} sts_history_t;

/* The revisions of set (adopting orphans) and its current and update
 * revisions; on failure h holds nothing (no sts_history_free needed). */
int sts_history_load(sts_ctl_t *c, const struct cJSON *set, const struct k8c_label_selector *sel,
                     sts_history_t *h, k8c_error_t *err);
int sts_history_truncate(sts_ctl_t *c, const struct cJSON *set, const sts_history_t *h,
                         struct cJSON *const *pods, size_t n_pods, k8c_error_t *err);
void sts_history_free(sts_history_t *h);

/* --- sts_update.c: the update algorithm ------------------------------------- */
/* updateStatefulSet: create, delete and update pods of set (pods: owned
 * copies, member pods of any ordinal) and fill st. */
int sts_update(sts_ctl_t *c, const char *key, const struct cJSON *set, const sts_history_t *h,
               struct cJSON **pods, size_t n_pods, sts_status_t *st, k8c_error_t *err);

#endif
