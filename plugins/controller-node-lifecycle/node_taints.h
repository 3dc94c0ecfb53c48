/* The taints the node lifecycle controller owns on a node, computed from
 * its conditions (kube's TaintNodesByCondition, doNoScheduleTaintingPass)
 * and its Ready state (processTaintBaseEviction's NoExecute taints). */
#ifndef K8C_NODE_LIFECYCLE_NODE_TAINTS_H
#define K8C_NODE_LIFECYCLE_NODE_TAINTS_H

#include <stdint.h>

struct cJSON;

#define NL_TAINT_NOT_READY "node.kubernetes.io/not-ready"
#define NL_TAINT_UNREACHABLE "node.kubernetes.io/unreachable"

/* What to do with the NoExecute not-ready/unreachable taints. */
enum nl_noexec {
	NL_NOEXEC_LEAVE = 0, /* as they are */
	NL_NOEXEC_SET = 1,   /* exactly noexec_key (NULL: none of the two) */
};

typedef struct nl_taint_plan {
	int noexec;             /* enum nl_noexec */
	const char *noexec_key; /* static string or NULL */
} nl_taint_plan_t;

/* The status of condition type of node ("True", ...), NULL when absent. */
const char *nl_condition_status(const struct cJSON *node, const char *type);

/* Does node have taint key with effect? */
int nl_has_taint(const struct cJSON *node, const char *key, const char *effect);

/* Rewrite node's spec.taints (node owned by the caller): the NoSchedule
 * condition taints and the unschedulable taint follow the node's
 * conditions and spec.unschedulable; the NoExecute ones follow plan.
 * New taints get timeAdded (time_added, RFC 3339) and go at the end, in
 * kube's order.  Returns 1 when the taints changed. */
int nl_apply_taints(struct cJSON *node, const nl_taint_plan_t *plan, const char *time_added);

#endif
