/* The rolling update of a DaemonSet, as kube's rollingUpdate
 * (pkg/controller/daemon/update.go).  Without maxSurge, old pods are
 * deleted while fewer than maxUnavailable pods are unavailable (an old pod
 * that is unavailable anyway goes at once) and manage() creates the new
 * ones; with maxSurge, a new pod is created beside an old one on up to
 * maxSurge nodes and the old one goes once the new one is available.
 * Nodes are looked at in name order. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/mem.h"

#include "ds.h"

/* --- rolling update ------------------------------------------------------- */

/* findUpdatedPodsOnNode: at most one new and one old live pod, else 0. */
static int updated_pods_on_node(const ds_sync_t *s, size_t start, size_t n,
                                ds_pod_t **new_pod, ds_pod_t **old_pod)
{
	*new_pod = *old_pod = NULL;
	for (size_t i = start; i < start + n; i++) {
		ds_pod_t *p = &s->pods[i];
		ds_pod_t **slot;

		if (p->skip || p->deleting)
			continue;
		slot = ds_pod_updated(s, p) ? new_pod : old_pod;
		if (*slot != NULL)
			return 0;
		*slot = p;
	}
	return 1;
}

/* The nodes the rolling update looks at: every node with pods and every
 * node that should run one (updatedDesiredNodeCounts), in name order. */
typedef struct slot {
	const char *node;
	size_t start, n;
} slot_t;

static slot_t *update_slots(const ds_sync_t *s, size_t *n_slots, int *desired)
{
	slot_t *v = k8c_xcalloc(s->n_nodes + s->n_pods + 1, sizeof(slot_t));
	size_t n = 0;

	*desired = 0;
	for (size_t i = 0; i < s->n_pods; i++) {
		if (s->pods[i].node == NULL ||
		    (n > 0 && strcmp(v[n - 1].node, s->pods[i].node) == 0))
			continue;
		v[n].node = s->pods[i].node;
		v[n].n = ds_pods_on(s, v[n].node, &v[n].start);
		n++;
	}
	for (size_t i = 0; i < s->n_nodes; i++) {
		size_t start;

		if (!s->nodes[i].should_run)
			continue;
		(*desired)++;
		if (ds_pods_on(s, s->nodes[i].name, &start) == 0)
			v[n++] = (slot_t){.node = s->nodes[i].name, .start = start, .n = 0};
	}
	*n_slots = n;
	return v;
}

static int node_should_run(const ds_sync_t *s, const char *name)
{
	const ds_sync_node_t *node = ds_find_node(s, name);

	return node != NULL && node->should_run;
}

static int rolling_no_surge(ds_sync_t *s, slot_t *slots, size_t n_slots, int max_unavailable,
                            k8c_error_t *err)
{
	ds_names_t del = {0}, candidates = {0}, none = {0};
	int64_t mrs = ds_min_ready_seconds(s->ds);
	int unavailable = 0, remaining;

	for (size_t i = 0; i < n_slots; i++) {
		ds_pod_t *np, *op;

		if (!updated_pods_on_node(s, slots[i].start, slots[i].n, &np, &op)) {
			unavailable++; /* the manage loop prunes this node first */
			continue;
		}
		if ((np == NULL) == (op == NULL)) {
			unavailable++; /* the manage loop creates or deletes */
		} else if (np != NULL) {
			if (!ds_pod_available(np, mrs, s->now))
				unavailable++;
		} else if (!ds_pod_available(op, mrs, s->now)) {
			ds_names_add(&del, op->name); /* replace it at once */
			unavailable++;
		} else if (unavailable < max_unavailable) {
			ds_names_add(&candidates, op->name);
		}
	}
	remaining = max_unavailable - unavailable;
	for (int i = 0; i < remaining && (size_t)i < candidates.n; i++)
		ds_names_add(&del, candidates.v[i]);
	free(candidates.v);
	return ds_sync_nodes(s, &del, &none, err);
}

static int rolling_surge(ds_sync_t *s, slot_t *slots, size_t n_slots, int max_surge,
                         int desired, k8c_error_t *err)
{
	ds_names_t del = {0}, not_run = {0}, candidates = {0}, create = {0};
	int64_t mrs = ds_min_ready_seconds(s->ds);
	int surged = 0, available = 0, deletable, remaining;

	for (size_t i = 0; i < n_slots; i++) {
		const char *node = slots[i].node;
		ds_pod_t *np, *op;

		if (!updated_pods_on_node(s, slots[i].start, slots[i].n, &np, &op)) {
			surged++;
			continue;
		}
		if (op != NULL ? ds_pod_available(op, mrs, s->now)
		               : np != NULL && ds_pod_available(np, mrs, s->now))
			available++;
		if (op == NULL)
			continue; /* manage handles it */
		if (np == NULL) {
			if (!ds_pod_available(op, mrs, s->now)) {
				if (!node_should_run(s, node))
					ds_names_add(&del, op->name);
				else
					ds_names_add(&create, (char *)node);
			} else if (!node_should_run(s, node)) {
				ds_names_add(&not_run, op->name);
			} else if (surged < max_surge) {
				ds_names_add(&candidates, (char *)node);
			}
		} else if (!ds_pod_available(np, mrs, s->now)) {
			surged++; /* waiting for the new one */
		} else {
			ds_names_add(&del, op->name); /* the new one is available */
		}
	}
	/* old pods where they may no longer run go only as new ones elsewhere
	 * become available */
	deletable = available - desired;
	for (int i = 0; i < deletable && (size_t)i < not_run.n; i++)
		ds_names_add(&del, not_run.v[i]);
	remaining = max_surge - surged;
	for (int i = 0; i < remaining && (size_t)i < candidates.n; i++)
		ds_names_add(&create, candidates.v[i]);
	free(not_run.v);
	free(candidates.v);
	return ds_sync_nodes(s, &del, &create, err);
}

int ds_rolling_update(ds_sync_t *s, k8c_error_t *err)
{
	size_t n_slots;
	int desired, max_surge, max_unavailable, ret;
	slot_t *slots = update_slots(s, &n_slots, &desired);

	max_surge = ds_surge_count(s, desired);
	max_unavailable = ds_unavailable_count(s, desired);
	if (desired > 0 && max_surge == 0 && max_unavailable == 0)
		max_unavailable = 1;
	if (max_surge == 0)
		ret = rolling_no_surge(s, slots, n_slots, max_unavailable, err);
	else
		ret = rolling_surge(s, slots, n_slots, max_surge, desired, err);
	free(slots);
	return ret;
}
