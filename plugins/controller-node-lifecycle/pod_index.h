/* Which pods are on which node: the informers' cache has no index by
 * spec.nodeName, and scanning 150,000 pods for every node is too slow, so
 * the node controllers keep their own, fed from on_change.  Thread-safe
 * (its own mutex). */
#ifndef K8C_NODE_LIFECYCLE_POD_INDEX_H
#define K8C_NODE_LIFECYCLE_POD_INDEX_H

#include <pthread.h>
#include <stdint.h>

#include "common/strmap.h"

struct cJSON;

typedef struct nl_pod_index {
	pthread_mutex_t lock;
	k8c_strmap_t by_node; /* node name -> k8c_strmap_t * (pod key -> struct nl_pod_seen *), owned */
	k8c_strmap_t node_of; /* pod key -> char * node name, owned */
} nl_pod_index_t;

/* One pod on a node, as nl_pod_index_on_node hands them out. */
typedef struct nl_pod_ref {
	char *key;       /* "namespace/name", owned by the array (nl_pod_refs_free) */
	int64_t seen_ns; /* wall time the index first saw the pod on this node */
} nl_pod_ref_t;

void nl_pod_index_init(nl_pod_index_t *idx);
void nl_pod_index_fini(nl_pod_index_t *idx);

/* Apply a watch change of a pod (type K8C_WATCH_*; obj borrowed).  Returns
 * the pod's node name when the pod is on a node after the change (newly or
 * not), else NULL: copied into node (size n), truncated; *moved is 1 when
 * the pod was not on that node before. */
const char *nl_pod_index_change(nl_pod_index_t *idx, int type, const struct cJSON *obj,
                                int64_t now_ns, char *node, size_t n, int *moved);

/* The pods on node: *out an array of *n refs owned by the caller
 * (nl_pod_refs_free), NULL when none. */
void nl_pod_index_on_node(nl_pod_index_t *idx, const char *node, nl_pod_ref_t **out, size_t *n);
void nl_pod_refs_free(nl_pod_ref_t *refs, size_t n);

/* "namespace/name" of a pod, in buf (size n); NULL when it has no name. */
const char *nl_pod_key(const struct cJSON *pod, char *buf, size_t n);

#endif
