/* k8c plugin SDK — scheduler policy plugins (kind K8C_PLUGIN_SCHEDULER).
 *
 * The scheduler runs one scheduling cycle per unbound pod through the
 * extension points of the Kubernetes scheduling framework, in this order:
 *
 *   pre_filter -> filter (per node) -> [post_filter if no node fits]
 *   -> pre_score -> score (per feasible node) -> normalize_score
 *   -> reserve -> bind  (unreserve when a later step fails)
 *
 * A profile in the config file lists the policy plugins and their score
 * weights.  Every extension point is optional: a plugin fills in the ones
 * it implements and leaves the rest NULL (at least one must be set).
 *
 * Scheduling runs on the scheduler's thread; filter and score may be called
 * from several threads at once for different nodes of the same cycle, so
 * they must only read the cycle and the cookie.
 */
#ifndef K8C_SCHEDULER_H
#define K8C_SCHEDULER_H

#include <k8c/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Result of an extension point. */
enum k8c_sched_code {
	K8C_SCHED_SUCCESS = 0,
	K8C_SCHED_UNSCHEDULABLE = 1,      /* does not fit now; may fit after a cluster change or preemption */
	K8C_SCHED_UNRESOLVABLE = 2,       /* does not fit, and preemption cannot help */
	K8C_SCHED_SKIP = 3,               /* pre_filter: this plugin has nothing to check for the pod; bind: let the next binder bind */
	K8C_SCHED_ERROR = 4,              /* internal failure: the pod is retried with backoff */
};

#define K8C_SCHED_REASON_MAX 256
#define K8C_SCHED_MAX_SCORE 100 /* normalized scores lie in [0, 100] */

/* Resource amounts: CPU in millicores, memory and storage in bytes. */
typedef struct k8c_sched_scalar {
	const char *name;   /* borrowed, e.g. "nvidia.com/gpu" */
	int64_t value;      /* in the resource's base unit, milli for fractional ones */
} k8c_sched_scalar_t;

typedef struct k8c_sched_resources {
	int64_t milli_cpu;
	int64_t memory;
	int64_t ephemeral_storage;
	int64_t pods;
	size_t n_scalars;                   /* extended resources */
	const k8c_sched_scalar_t *scalars;  /* borrowed array of n_scalars */
} k8c_sched_resources_t;

/* What the scheduler's node cache knows about one node.  Borrowed for the
 * duration of a call.  The host allocates it; members appended in later
 * minors are read only when host->abi_minor says they are there. */
typedef struct k8c_sched_node {
	const char *name;                          /* metadata.name */
	const struct cJSON *node;                  /* the Node object */
	const k8c_sched_resources_t *allocatable;  /* status.allocatable, parsed */
	const k8c_sched_resources_t *requested;    /* sum of requests of bound and assumed pods */
	size_t n_pods;
	const struct cJSON *const *pods;           /* the pods bound to or assumed on the node */
	/* Like requested, but a container that requests no cpu or memory counts
	 * the scheduler's defaults (100m cpu, 200Mi memory), as kube-scheduler's
	 * NonZeroRequested; what scoring uses.  May be NULL: then a plugin that
	 * needs it computes it from pods. */
	const k8c_sched_resources_t *non_zero_requested;
	/* Since 1.4 (read only when host->abi_minor >= 4): the pods of `pods`
	 * that have any pod affinity or anti-affinity term, and those with a
	 * required anti-affinity term, as kube-scheduler's NodeInfo keeps
	 * them, so that a policy skips the nodes with none cheaply. */
	size_t n_pods_with_affinity;
	const struct cJSON *const *pods_with_affinity;
	size_t n_pods_with_required_anti_affinity;
	const struct cJSON *const *pods_with_required_anti_affinity;
	/* Changes whenever the node or its pods change, and no two nodes
	 * share a value: the same generation is the same node in the same
	 * state (a plugin may cache per-node results under it).  0: unknown,
	 * cache nothing. */
	uint64_t generation;
	/* Since 1.4, looked up once per node change so that policies need not
	 * search the Node object in every cycle: metadata.labels and
	 * spec.taints (borrowed, NULL when absent), spec.unschedulable. */
	const struct cJSON *labels;
	const struct cJSON *taints;
	int unschedulable;
} k8c_sched_node_t;

/* One scheduling cycle for one pod.  The host allocates it; members
 * appended in later minors are read only when host->abi_minor says they
 * are there. */
typedef struct k8c_sched_cycle {
	const struct cJSON *pod;                   /* borrowed Pod */
	const k8c_sched_resources_t *requests;     /* the pod's effective requests (max of init containers, sum of containers, plus overhead) */
	void *state;                               /* this plugin's own cycle state: set in pre_filter or pre_score, freed with state_free */
	/* Since 1.4: every node of the cycle's snapshot of the cluster, for
	 * plugins that look beyond one node (inter-pod affinity, topology
	 * spread look at the pods and labels of all nodes in pre_filter and
	 * pre_score).  Borrowed; the snapshot does not change during the
	 * cycle.  Nodes appear in the same order in every cycle until nodes
	 * come or go. */
	const k8c_sched_node_t *const *all_nodes;
	size_t n_all_nodes;
	/* Since 1.4, for post_filter (preemption): what each node of all_nodes
	 * got from filter, in the same order: K8C_SCHED_SUCCESS for nodes the
	 * cycle did not look at, else UNSCHEDULABLE or UNRESOLVABLE (NULL
	 * outside post_filter). */
	const int *node_codes;
	/* Since 1.4, for post_filter: run the profile's filter plugins for the
	 * pod on node as if the pods `without` (n_without entries of
	 * node->pods) were gone.  Returns K8C_SCHED_SUCCESS or the first
	 * failure, with its reason.  Plugins' pre_filter state is the cycle's
	 * (computed with those pods present).  NULL outside post_filter. */
	int (*filter_without)(void *host_ctx, const k8c_sched_node_t *node,
	                      const struct cJSON *const *without, size_t n_without,
	                      char reason[K8C_SCHED_REASON_MAX]);
	void *host_ctx;
} k8c_sched_cycle_t;

/* A node and its score, for normalize_score. */
typedef struct k8c_sched_node_score {
	const char *name;
	int64_t score;
} k8c_sched_node_score_t;

typedef struct k8c_sched_policy_ops {
	uint32_t struct_size; /* Since 1.0 */

	/* Once per cycle before filtering.  May reject the pod outright
	 * (UNSCHEDULABLE/UNRESOLVABLE with a reason) or return SKIP so that
	 * filter is not called for this pod. */
	int (*pre_filter)(void *cookie, k8c_sched_cycle_t *cycle,
	                  char reason[K8C_SCHED_REASON_MAX]);

	/* Can the pod run on node?  SUCCESS, or UNSCHEDULABLE/UNRESOLVABLE
	 * with a short reason ("Insufficient cpu"). */
	int (*filter)(void *cookie, const k8c_sched_cycle_t *cycle,
	              const k8c_sched_node_t *node,
	              char reason[K8C_SCHED_REASON_MAX]);

	/* Called when no node passed filter: may pick a node on which evicting
	 * lower-priority pods would make room.  On SUCCESS it writes that
	 * node's name into nominated_node (NUL-terminated). */
	int (*post_filter)(void *cookie, const k8c_sched_cycle_t *cycle,
	                   const k8c_sched_node_t *const *nodes, size_t n_nodes,
	                   char nominated_node[256],
	                   char reason[K8C_SCHED_REASON_MAX]);

	/* Once per cycle with the feasible nodes, before score. */
	int (*pre_score)(void *cookie, k8c_sched_cycle_t *cycle,
	                 const k8c_sched_node_t *const *nodes, size_t n_nodes);

	/* Score one feasible node; any int64 range as long as normalize_score
	 * brings it into [0, K8C_SCHED_MAX_SCORE].  Without normalize_score the
	 * score must lie there already: a score out of range fails the cycle
	 * (the pod is retried, the error logged). */
	int (*score)(void *cookie, const k8c_sched_cycle_t *cycle,
	             const k8c_sched_node_t *node, int64_t *score);

	/* Rewrite the scores of this plugin in place into [0, 100]. */
	int (*normalize_score)(void *cookie, const k8c_sched_cycle_t *cycle,
	                       k8c_sched_node_score_t *scores, size_t n);

	/* The pod is about to be bound to node_name: update plugin caches. */
	int (*reserve)(void *cookie, const k8c_sched_cycle_t *cycle,
	               const char *node_name);

	/* Undo reserve after a later failure. */
	void (*unreserve)(void *cookie, const k8c_sched_cycle_t *cycle,
	                  const char *node_name);

	/* Bind the pod to node_name (normally a POST to pods/binding through
	 * the host's client).  SKIP lets the next binder, finally the default
	 * one, bind. */
	int (*bind)(void *cookie, const k8c_sched_cycle_t *cycle,
	            const char *node_name, k8c_error_t *err);

	/* Free cycle->state at the end of the cycle (may be NULL when the
	 * plugin never sets state). */
	void (*state_free)(void *cookie, void *state);
} k8c_sched_policy_ops_t;

#define K8C_SCHED_POLICY_OPS_SIZE_1_0 \
	(offsetof(k8c_sched_policy_ops_t, state_free) + sizeof(void *))

#ifdef __cplusplus
}
#endif

#endif /* K8C_SCHEDULER_H */
