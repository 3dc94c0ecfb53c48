/* The Deployment controller's pure parts, as kube-controller-manager's
 * pkg/controller/deployment/util: int-or-percent rounding and the rolling
 * update fenceposts, the pod-template-hash, template equality ignoring that
 * hash, ReplicaSet orderings, proportional scaling, and readers of the
 * fields the controller uses.  No host, no API: unit-tested alone
 * (tests/unit/test_controller_deployment.c). */
#ifndef K8C_DEP_UTIL_H
#define K8C_DEP_UTIL_H

#include <stddef.h>
#include <stdint.h>

struct cJSON;

#define DEP_HASH_LABEL "pod-template-hash"
#define DEP_ANN_REVISION "deployment.kubernetes.io/revision"
#define DEP_ANN_REVISION_HISTORY "deployment.kubernetes.io/revision-history"
#define DEP_ANN_DESIRED "deployment.kubernetes.io/desired-replicas"
#define DEP_ANN_MAX "deployment.kubernetes.io/max-replicas"
/* revision-history is cut (oldest first) to stay within this many chars */
#define DEP_REV_HISTORY_MAX 2000

/* --- numbers ------------------------------------------------------------- */

/* intstr.GetScaledValueFromIntOrPercent: v is a JSON number or a "N%"
 * string (NULL/null: 0); percentages of total round up or down.  0 with
 * *out set, or -1 when v is neither. */
int dep_scaled_value(const struct cJSON *v, long total, int round_up, long *out);
/* ResolveFenceposts: surge rounds up, unavailable down, both 0 -> 1. */
void dep_fenceposts(const struct cJSON *max_surge, const struct cJSON *max_unavailable,
                    long desired, long *surge, long *unavailable);

/* --- a Deployment -------------------------------------------------------- */

long dep_replicas(const struct cJSON *obj); /* spec.replicas (absent: 1) */
int dep_is_rolling(const struct cJSON *d);  /* strategy RollingUpdate */
long dep_max_surge(const struct cJSON *d);  /* 0 unless RollingUpdate */
long dep_max_unavailable(const struct cJSON *d); /* capped at replicas */
int dep_has_progress_deadline(const struct cJSON *d);

/* --- a ReplicaSet -------------------------------------------------------- */

long dep_jlong(const struct cJSON *obj, const char *path, long dflt);
/* An annotation's value (borrowed), or NULL. */
const char *dep_annotation(const struct cJSON *obj, const char *key);
/* The revision annotation as a number (absent or bad: 0). */
long dep_revision(const struct cJSON *rs);
/* The max-replicas annotation, or -1 when absent or not a number. */
long dep_annotated_max(const struct cJSON *rs);
/* creationTimestamp in ns (0 when absent or bad). */
int64_t dep_created_ns(const struct cJSON *obj);
/* The uid of obj's controller ownerReference (borrowed), or NULL; *kind
 * gets its kind when kind is not NULL. */
const char *dep_controller_uid(const struct cJSON *obj, const char **kind,
                               const char **name);

/* --- templates ----------------------------------------------------------- */

/* apiequality.Semantic.DeepEqual on JSON: a member that is absent equals
 * one whose value is Go's zero (null, false, 0, "", [], {}). */
int dep_semantic_equal(const struct cJSON *a, const struct cJSON *b);
/* EqualIgnoreHash: the two pod templates are equal but for the
 * pod-template-hash label. */
int dep_equal_ignore_hash(const struct cJSON *t1, const struct cJSON *t2);
/* The pod-template-hash of a template (ComputeHash's shape: FNV-32a of the
 * template, then of collision_count when not NULL, as a decimal string
 * spelled with rand.SafeEncodeString's alphabet).  Stable: member order
 * and zero values do not change it.  Caller frees. */
char *dep_template_hash(const struct cJSON *tmpl, const long *collision_count);

/* --- orderings (qsort on arrays of cJSON *) ------------------------------ */

int dep_cmp_created(const void *a, const void *b);    /* oldest first, then name */
int dep_cmp_size_older(const void *a, const void *b); /* largest first, ties older first */
int dep_cmp_size_newer(const void *a, const void *b); /* largest first, ties newer first */
int dep_cmp_revision(const void *a, const void *b);   /* lowest revision first */

/* --- proportional scaling ------------------------------------------------ */

/* One active ReplicaSet in a proportional scale. */
typedef struct dep_prop {
	long replicas;      /* spec.replicas now */
	long annotated_max; /* its max-replicas annotation, -1 when none */
	long size;          /* out: the size to scale it to */
} dep_prop_t;

/* DeploymentController.scale's distribution: rs[] sorted already
 * (dep_cmp_size_newer when growing, _older when shrinking), to_add =
 * allowed size - current total; fills rs[i].size.  d_replicas, max_surge
 * and status_replicas are the Deployment's. */
void dep_proportional(dep_prop_t *rs, size_t n, long to_add, long d_replicas, long max_surge,
                      long status_replicas);

#endif
