/* sched-inter-pod-affinity — private header shared by the plugin's files.
 *
 * Layout of the plugin:
 *   inter_pod_affinity.c  descriptor, config, the extension points
 *   terms.c               PodAffinityTerms: parsing (with matchLabelKeys
 *                         and mismatchLabelKeys merged), matching, and
 *                         the namespaces of a namespaceSelector
 *   topology.c            counts and scores per topology pair (key=value)
 *   cache.c               the parsed terms of existing pods, per node,
 *                         kept across cycles under the node's generation
 *
 * Strings of the topology maps are borrowed from the node labels of the
 * cycle's snapshot (valid until the cycle ends); everything else here is
 * owned by the struct that holds it. */
#ifndef K8C_SCHED_INTER_POD_AFFINITY_H
#define K8C_SCHED_INTER_POD_AFFINITY_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <k8c/error.h>

#include "common/selector.h"

struct cJSON;

/* How a term's namespaceSelector selects namespaces. */
enum ipa_ns_kind {
	IPA_NS_NONE = 0, /* absent (or resolved into ns): no namespace */
	IPA_NS_ALL = 1,  /* {}: every namespace */
	IPA_NS_SOME = 2, /* non-empty: the namespaces whose labels match */
};

/* One PodAffinityTerm, as kube-scheduler's framework.AffinityTerm. */
typedef struct ipa_term {
	k8c_label_selector_t *sel;    /* owned; labelSelector with the
	                                 (mis)matchLabelKeys merged; a
	                                 nothing-selector when absent */
	char **ns;                    /* owned names, each owned */
	size_t n_ns, cap_ns;
	int ns_kind;                  /* enum ipa_ns_kind */
	k8c_label_selector_t *ns_sel; /* owned; IPA_NS_SOME only */
	char *topology_key;           /* owned, never empty */
	int64_t weight;               /* preferred terms: 1..100; 0 otherwise */
} ipa_term_t;

typedef struct ipa_terms {
	size_t n;
	ipa_term_t *v; /* owned */
} ipa_terms_t;

/* The four groups of a pod's terms. */
enum ipa_group {
	IPA_REQ_AFF = 0,   /* podAffinity required */
	IPA_REQ_ANTI = 1,  /* podAntiAffinity required */
	IPA_PREF_AFF = 2,  /* podAffinity preferred */
	IPA_PREF_ANTI = 3, /* podAntiAffinity preferred */
	IPA_N_GROUPS = 4,
};

typedef struct ipa_pod_terms {
	ipa_terms_t g[IPA_N_GROUPS];
	unsigned ns_sel_mask; /* bit g: a term of group g has a non-empty
	                         namespaceSelector */
} ipa_pod_terms_t;

/* A pod's namespace and labels, borrowed from its JSON. */
typedef struct ipa_pod_view {
	const char *ns;              /* "" when missing */
	const struct cJSON *labels;  /* object or NULL */
} ipa_pod_view_t;

void ipa_pod_view(const struct cJSON *pod, ipa_pod_view_t *v);

/* Parse a pod's spec.affinity.podAffinity and podAntiAffinity into *out
 * (zeroed first; freed with ipa_pod_terms_free even on error).  strict
 * (the pod being scheduled): the first malformed term fails the parse
 * with its field path.  Not strict (an existing pod): a group with a
 * malformed term is left empty, as kube-scheduler's PodInfo does. */
int ipa_pod_terms_parse(const struct cJSON *pod, int strict,
                        ipa_pod_terms_t *out, k8c_error_t *err);
void ipa_pod_terms_free(ipa_pod_terms_t *pt);

/* AffinityTerm.Matches: the pod's namespace is one of the term's, or the
 * namespaceSelector matches ns_labels (the labels of the pod's
 * namespace; a non-empty selector matches nothing when !ns_known), and
 * the labelSelector matches the pod's labels. */
int ipa_term_matches(const ipa_term_t *t, const ipa_pod_view_t *pod,
                     const struct cJSON *ns_labels, int ns_known);
/* The pod matches every term of ts (none: no). */
int ipa_terms_match_all(const ipa_terms_t *ts, const ipa_pod_view_t *pod);

/* Namespaces fetched once per cycle (GET /api/v1/namespaces). */
typedef struct ipa_namespaces {
	int tried;           /* fetch attempted this cycle */
	int known;           /* list usable */
	int failed;          /* the request failed: the cycle ends in ERROR */
	char failure[K8C_ERROR_MESSAGE_MAX + 64]; /* why, for the reason */
	struct cJSON *list;  /* owned NamespaceList */
} ipa_namespaces_t;

/* Labels of namespace name (NULL when unknown or unlabelled). */
const struct cJSON *ipa_namespace_labels(const ipa_namespaces_t *nss,
                                         const char *name);
/* Resolve the non-empty namespaceSelectors of ts into their namespace
 * lists, as kube-scheduler's mergeAffinityTermNamespacesIfNotEmpty: the
 * namespaces whose labels match are added and the selector then selects
 * none.  Without a usable list no namespace is added. */
void ipa_terms_resolve_namespaces(ipa_terms_t *ts, const ipa_namespaces_t *nss);

/* --- topology pairs --------------------------------------------------- */

typedef struct ipa_pair {
	const char *key, *value; /* borrowed from the snapshot's node labels */
	uint64_t hash;
	int64_t count;
} ipa_pair_t;

/* Open addressing map (key, value) -> count.  n counts entries created,
 * also those whose count came back to 0 (as kube-scheduler's score map,
 * which never deletes). */
typedef struct ipa_pair_map {
	ipa_pair_t *v; /* owned; cap slots, NULL when empty */
	size_t cap, n;
} ipa_pair_map_t;

/* Returns 1 when the pair was new. */
int ipa_pair_map_add(ipa_pair_map_t *m, const char *key, const char *value,
                     int64_t delta);
int64_t ipa_pair_map_get(const ipa_pair_map_t *m, const char *key,
                         const char *value);
void ipa_pair_map_free(ipa_pair_map_t *m);

/* Distinct topology keys (borrowed), for scoring a node. */
typedef struct ipa_keys {
	const char **v; /* owned array of borrowed strings */
	size_t n, cap;
} ipa_keys_t;

void ipa_keys_add(ipa_keys_t *k, const char *key);
void ipa_keys_free(ipa_keys_t *k);

/* The string value of label key in labels (an object or NULL), with the
 * map key's own string in *item_key (borrowed), or NULL. */
const char *ipa_label(const struct cJSON *labels, const char *key,
                      const char **item_key);

/* --- existing pods' terms, cached per node ---------------------------- */

typedef struct ipa_cached_pod {
	const struct cJSON *pod; /* identity only (matches the anti list to
	                            pods while building); never read */
	ipa_pod_terms_t terms;   /* owned */
} ipa_cached_pod_t;

/* The parsed terms of one node's pods with affinity: pods[0..n_aff) are
 * node->pods_with_affinity in order; anti[j] indexes the entry of
 * node->pods_with_required_anti_affinity[j]. */
typedef struct ipa_node_entry {
	char *name;             /* owned; NULL: never built */
	const char *name_seen;  /* node->name when built: identity only */
	uint64_t generation;
	size_t n_aff, n_anti, n;
	ipa_cached_pod_t *pods; /* owned, n of them */
	size_t *anti;           /* owned, n_anti of them */
	unsigned aff_groups;    /* bit g: a pod of pods[0..n_aff) has group g */
} ipa_node_entry_t;

typedef struct ipa_cache {
	pthread_mutex_t lock;   /* held by pre_filter and pre_score */
	size_t n;
	ipa_node_entry_t *v;    /* owned; indexed by position in all_nodes */
	uint64_t rebuilt;       /* entries (re)built, for tests and logs */
} ipa_cache_t;

struct k8c_sched_node;

/* The entry of the node at position i of the cycle's nodes (n_nodes of
 * them), rebuilt when it is stale.  Call with lock held; valid until the
 * lock is released. */
const ipa_node_entry_t *ipa_cache_node(ipa_cache_t *c, size_t n_nodes,
                                       size_t i,
                                       const struct k8c_sched_node *node);
void ipa_cache_init(ipa_cache_t *c);
void ipa_cache_free(ipa_cache_t *c);

#endif
