/* Internals of the "pod-topology-spread" scheduler policy, shared by its
 * files:
 *
 *   pod_topology_spread.c the extension points and the config
 *   constraints.c         TopologySpreadConstraints parsed as kube-scheduler
 *                         sees them, the node inclusion policies (the pod's
 *                         required node affinity, its tolerations) and the
 *                         counting of matching pods on a node
 *   owners.c              the Services, ReplicationControllers, ReplicaSets
 *                         and StatefulSets that default constraints take
 *                         their selector from, kept by watches through the
 *                         host's API client
 *   memo.c                per-node counts and label values remembered
 *                         across cycles under the nodes' generations
 *   domains.c             the per-cycle tables: domain -> count, node
 *                         pointer -> result
 *
 * Not an API: nothing here leaves the plugin. */
#ifndef K8C_PLUGIN_POD_TOPOLOGY_SPREAD_H
#define K8C_PLUGIN_POD_TOPOLOGY_SPREAD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <k8c/scheduler.h>

#include "common/selector.h"
#include "common/strmap.h"

#define LABEL_HOSTNAME "kubernetes.io/hostname"
#define LABEL_ZONE "topology.kubernetes.io/zone"

#define SPREAD_PATH_MAX 160

enum when_unsatisfiable {
	WHEN_DO_NOT_SCHEDULE = 1,
	WHEN_SCHEDULE_ANYWAY = 2,
};

/* One TopologySpreadConstraint, as kube-scheduler's internal
 * topologySpreadConstraint: the selector already merged with the values of
 * matchLabelKeys, the unset fields defaulted. */
typedef struct constraint {
	int32_t max_skew;
	int32_t min_domains;  /* 1 when unset */
	int when;             /* enum when_unsatisfiable */
	int affinity_honor;   /* nodeAffinityPolicy: Honor (the default) */
	int taints_honor;     /* nodeTaintsPolicy: Honor (default Ignore) */
	int is_hostname;      /* topologyKey is kubernetes.io/hostname */
	char *key;            /* owned */
	k8c_label_selector_t *sel; /* owned when own_sel; NULL in a template */
	int own_sel;
} constraint_t;

typedef struct clist {
	size_t n;
	constraint_t *v; /* owned */
} clist_t;

void clist_free(clist_t *l);

/* Parse one TopologySpreadConstraint (js) at path into *c (zeroed first;
 * owned by the caller, constraint_free, also after an error).  pod_labels
 * (metadata.labels, may be NULL) give the matchLabelKeys values.  A
 * template (config defaultConstraints) must not have a labelSelector and
 * gets no selector: it is deduced per pod.  Errors (K8C_EINVAL) use the
 * wording of Kubernetes' validation, prefixed with path. */
int constraint_parse(const struct cJSON *js, const char *path, int template_,
                     const struct cJSON *pod_labels, constraint_t *c,
                     k8c_error_t *err);
void constraint_free(constraint_t *c);

/* Add c (moved in) to l, refusing a
 * {topologyKey, whenUnsatisfiable} pair already there as Kubernetes'
 * validation does; path names c in the message.  On error c is freed. */
int clist_add_unique(clist_t *l, constraint_t *c, const char *path,
                     k8c_error_t *err);

/* spec.topologySpreadConstraints of the pod into hard (DoNotSchedule) and
 * soft (ScheduleAnyway); *n_own gets how many the pod has.  On error both
 * lists are emptied. */
int pod_constraints_parse(const struct cJSON *pod, clist_t *hard, clist_t *soft,
                          size_t *n_own, k8c_error_t *err);

/* The config's defaultConstraints (list, may be NULL) into out as
 * templates; with system (defaultingType System) the list must be empty
 * and out gets kube-scheduler's system defaults instead. */
int defaults_parse(const struct cJSON *list, int system, clist_t *out,
                   k8c_error_t *err);

/* The pod's required node affinity: spec.nodeSelector and the required
 * nodeSelectorTerms of spec.affinity.nodeAffinity (nodeaffinity.
 * RequiredNodeAffinity).  Terms that do not parse are left out and so never
 * match, as kube-scheduler ignores their errors here. */
typedef struct name_req {
	int negate;
	char *name; /* owned */
} name_req_t;

typedef struct aff_term {
	k8c_label_selector_t *exprs; /* owned; NULL when no matchExpressions */
	size_t n_names;
	name_req_t *names;           /* owned */
} aff_term_t;

typedef struct node_req {
	const struct cJSON *node_selector; /* borrowed from the pod; NULL: none */
	int has_terms;                     /* required affinity given */
	size_t n_terms;
	aff_term_t *terms;                 /* owned */
} node_req_t;

void node_req_parse(const struct cJSON *pod, node_req_t *out);
void node_req_free(node_req_t *r);
/* 1 when there is nothing to check (every node matches). */
int node_req_empty(const node_req_t *r);
int node_req_matches(const node_req_t *r, const k8c_sched_node_t *node);

/* 1 when node has a NoSchedule or NoExecute taint that none of tolerations
 * (the pod's spec.tolerations, may be NULL) tolerates. */
int node_has_untolerated_taint(const struct cJSON *tolerations,
                               const k8c_sched_node_t *node);

/* The node's metadata.labels (an object) or NULL. */
const struct cJSON *node_labels(const k8c_sched_node_t *node);
/* The string value of labels[key], or NULL. */
const char *label_value(const struct cJSON *labels, const char *key);

/* For each i < n with want[i] set, counts[i] gets the number of the node's
 * pods in namespace ns, not terminating, whose labels sels[i] matches
 * (countPodsMatchSelector).  One pass over the pods. */
void count_matching_pods(const k8c_sched_node_t *node, const char *ns,
                         const constraint_t *cs, size_t n,
                         const unsigned char *want, int64_t *counts);

/* A pod's metadata.namespace ("" when absent) and metadata.labels (NULL). */
const char *pod_namespace(const struct cJSON *pod);
const struct cJSON *pod_labels(const struct cJSON *pod);

/* --- domains.c ------------------------------------------------------------ */

/* Topology value -> matching pods. */
typedef struct domains {
	size_t n, cap;     /* entries */
	size_t mask;       /* slots - 1 */
	uint32_t *slot;    /* owned: entry + 1, 0 when free */
	uint64_t *hash;    /* owned, per entry */
	size_t *key;       /* owned, per entry: offset into keys */
	int64_t *count;    /* owned, per entry */
	char *keys;        /* owned: the values, NUL-terminated */
	size_t keys_len, keys_cap;
} domains_t;

int64_t *domain_find(const domains_t *d, const char *value);
/* The count of value, made 0 when new; valid until the next domain_add. */
int64_t *domain_add(domains_t *d, const char *value);
void domains_clear(domains_t *d);

/* A node pointer -> small integer table for one cycle, sized up front:
 * what filter and score use to find a node's precomputed result without
 * reading its labels.  Readers only after the last put. */
typedef struct ptrmap {
	size_t n, mask;
	const void **key;  /* owned array, NULL when free */
	uint32_t *val;     /* owned array */
} ptrmap_t;

/* Empty p, with room for n keys. */
void ptrmap_reset(ptrmap_t *p, size_t n);
void ptrmap_put(ptrmap_t *p, const void *key, uint32_t val);
int ptrmap_get(const ptrmap_t *p, const void *key, uint32_t *val);
void ptrmap_clear(ptrmap_t *p);

/* --- memo.c --------------------------------------------------------------- */

typedef struct memo memo_t;

memo_t *memo_new(void);
void memo_free(memo_t *m);
/* Start using the memo for a cycle over nodes (cycle->all_nodes); the
 * memo is locked until memo_end.  Position i below is nodes[i]. */
void memo_begin(memo_t *m, const k8c_sched_node_t *const *nodes, size_t n,
                int has_generation);
void memo_end(memo_t *m);
/* The position of a node of this cycle, or -1 (then nothing is kept). */
ssize_t memo_pos(memo_t *m, const k8c_sched_node_t *node);
/* Tables for a topology key and for a (namespace, selector), found or
 * made for this cycle; -1 when none is free (results then are computed
 * and not kept). */
int memo_key_table(memo_t *m, const char *key);
int memo_sel_table(memo_t *m, const char *ns, const k8c_label_selector_t *sel);
/* The value of key on the node at pos (borrowed until memo_end), NULL
 * when it has none. */
const char *memo_label(memo_t *m, int table, ssize_t pos,
                       const k8c_sched_node_t *node, const char *key);
/* The number of the node's pods that count for c (count_matching_pods). */
int64_t memo_count(memo_t *m, int table, ssize_t pos,
                   const k8c_sched_node_t *node, const char *ns,
                   const constraint_t *c);

/* memo_domain_totals' question: the matching pods of (sel_tab: namespace
 * ns, c's selector) on every node, summed by the node's value of key
 * (key_tab; "" when the node lacks it), leaving out the nodes that lack
 * any of req_keys (req_tab; n_req <= MEMO_TOTALS_KEYS). */
#define MEMO_TOTALS_KEYS 8
typedef struct memo_totals_query {
	int key_tab, sel_tab;
	const char *key, *ns;
	const constraint_t *c;
	int n_req;
	int req_tab[MEMO_TOTALS_KEYS];
	const char *req_keys[MEMO_TOTALS_KEYS];
} memo_totals_query_t;

/* The sums (borrowed until memo_end) over the nodes of memo_begin (nodes
 * as given there), kept across cycles and adjusted only for the nodes
 * whose generation changed: what a cycle would otherwise add up node by
 * node.  The tables must be this cycle's (>= 0). */
const domains_t *memo_domain_totals(memo_t *m, const k8c_sched_node_t *const *nodes,
                                    const memo_totals_query_t *q);

/* --- owners.c ------------------------------------------------------------- */

typedef struct owner_cache owner_cache_t;

/* A cache fed by the host's API client; NULL when the host has none.
 * host is borrowed until owner_cache_free. */
owner_cache_t *owner_cache_new(const k8c_host_t *host);
void owner_cache_free(owner_cache_t *oc);
/* helper.DefaultSelector: the selector of the pod's Services and of its
 * controlling ReplicationController, ReplicaSet or StatefulSet; owned by
 * the caller, or NULL when it is empty (then no default constraint
 * applies).  Called on the scheduling thread: it (re)starts the lists and
 * watches it needs, at most once per call and with a backoff on failure. */
k8c_label_selector_t *owner_cache_default_selector(owner_cache_t *oc,
                                                   const struct cJSON *pod);

#endif
