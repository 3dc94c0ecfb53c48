/* Taints against tolerations, as the taint eviction controller weighs
 * them (k8s.io/api/core/v1 Toleration.ToleratesTaint and
 * v1helper.GetMatchingTolerations). */
#ifndef K8C_NODE_LIFECYCLE_TOLERATIONS_H
#define K8C_NODE_LIFECYCLE_TOLERATIONS_H

#include <stdint.h>

struct cJSON;

#define NL_TOLERATE_FOREVER INT64_C(-1)

/* Does toleration tol (a Toleration object, borrowed) tolerate taint (a
 * Taint object)?  An empty effect matches every effect, an empty key with
 * Exists every taint; the operator is Equal when empty.  Malformed
 * entries tolerate nothing. */
int nl_tolerates(const struct cJSON *tol, const struct cJSON *taint);

/* For the taints of a node that a pod must tolerate (a list of Taint
 * objects, NULL or empty: none) and the pod's tolerations (a list or
 * NULL): 0 when some taint is not tolerated; else 1 with *seconds the
 * time the pod may stay (getMinTolerationTime over the tolerations that
 * matched a taint: the least tolerationSeconds, <= 0 counting as 0,
 * NL_TOLERATE_FOREVER when none of them has tolerationSeconds; 0 when
 * there are no taints at all, which callers do not ask). */
int nl_toleration_time(const struct cJSON *taints, const struct cJSON *tolerations,
                       int64_t *seconds);

/* The NoExecute taints of node (its spec.taints): a new array owned by
 * the caller (cJSON_Delete), empty when none. */
struct cJSON *nl_noexecute_taints(const struct cJSON *node);

#endif
