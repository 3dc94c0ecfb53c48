/* The parsed (anti-)affinity terms of existing pods, kept per node across
 * cycles, as kube-scheduler's NodeInfo keeps PodInfos with their terms
 * parsed once.  Parsing label selectors on every cycle for every pod with
 * affinity would cost more than the rest of a cycle together.
 *
 * Entries are indexed by the node's position in cycle->all_nodes (nodes
 * keep their order from cycle to cycle until nodes come or go) and are
 * trusted while the node's name, generation (which the ABI promises
 * changes with the node's pods) and numbers of pods with affinity are
 * unchanged; otherwise the entry is parsed again.  Comparing the pod
 * pointers too cost more than the rest of a cycle (one cache miss per
 * node in the host's arrays), and the cached pointers are never read, so
 * a host breaking the promise gets stale terms, not a crash.  A node
 * added in the middle makes the entries after it parse again once. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/scheduler.h>

#include "common/mem.h"
#include "inter_pod_affinity.h"

void ipa_cache_init(ipa_cache_t *c)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
}

static void entry_clear(ipa_node_entry_t *e)
{
	for (size_t i = 0; i < e->n; i++)
		ipa_pod_terms_free(&e->pods[i].terms);
	free(e->pods);
	free(e->anti);
	free(e->name);
	memset(e, 0, sizeof(*e));
}

void ipa_cache_free(ipa_cache_t *c)
{
	for (size_t i = 0; i < c->n; i++)
		entry_clear(&c->v[i]);
	free(c->v);
	c->v = NULL;
	c->n = 0;
	pthread_mutex_destroy(&c->lock);
}

static const char *node_name(const k8c_sched_node_t *node)
{
	return node->name != NULL ? node->name : "";
}

/* The node's list lengths, 0 for a list that is NULL. */
static size_t n_aff_of(const k8c_sched_node_t *node)
{
	return node->pods_with_affinity != NULL ? node->n_pods_with_affinity : 0;
}

static size_t n_anti_of(const k8c_sched_node_t *node)
{
	return node->pods_with_required_anti_affinity != NULL
		? node->n_pods_with_required_anti_affinity : 0;
}

static int entry_fresh(const ipa_node_entry_t *e, const k8c_sched_node_t *node)
{
	if (e->name == NULL || e->generation != node->generation ||
	    e->n_aff != n_aff_of(node) || e->n_anti != n_anti_of(node))
		return 0;
	/* The same name pointer spares a strcmp on memory that is cold by
	 * now: with thousands of nodes it is most of the cost of a cycle. */
	return e->name_seen == node->name || strcmp(e->name, node_name(node)) == 0;
}

static void entry_add_pod(ipa_node_entry_t *e, const cJSON *pod)
{
	ipa_cached_pod_t *cp = &e->pods[e->n++];

	cp->pod = pod;
	/* Not strict: a malformed group is left empty. */
	ipa_pod_terms_parse(pod, 0, &cp->terms, NULL);
}

static void entry_build(ipa_node_entry_t *e, const k8c_sched_node_t *node)
{
	size_t n_aff = n_aff_of(node), n_anti = n_anti_of(node);

	entry_clear(e);
	e->name = k8c_xstrdup(node_name(node));
	e->name_seen = node->name;
	e->generation = node->generation;
	e->n_aff = n_aff;
	e->n_anti = n_anti;
	e->pods = k8c_xcalloc(n_aff + n_anti + 1, sizeof(ipa_cached_pod_t));
	e->anti = k8c_xcalloc(n_anti + 1, sizeof(size_t));
	for (size_t j = 0; j < n_aff; j++) {
		entry_add_pod(e, node->pods_with_affinity[j]);
		for (int g = 0; g < IPA_N_GROUPS; g++)
			if (e->pods[j].terms.g[g].n > 0)
				e->aff_groups |= 1u << g;
	}
	/* Pods with required anti-affinity are pods with affinity too; a host
	 * that lists one only there still gets it parsed. */
	for (size_t j = 0; j < n_anti; j++) {
		const cJSON *pod = node->pods_with_required_anti_affinity[j];
		size_t k = 0;

		while (k < n_aff && e->pods[k].pod != pod)
			k++;
		if (k == n_aff) {
			k = e->n;
			entry_add_pod(e, pod);
		}
		e->anti[j] = k;
	}
}

const ipa_node_entry_t *ipa_cache_node(ipa_cache_t *c, size_t n_nodes, size_t i,
                                       const k8c_sched_node_t *node)
{
	ipa_node_entry_t *e;

	if (c->n != n_nodes) {
		for (size_t j = n_nodes; j < c->n; j++)
			entry_clear(&c->v[j]);
		c->v = k8c_xrealloc(c->v, (n_nodes + 1) * sizeof(ipa_node_entry_t));
		if (n_nodes > c->n)
			memset(&c->v[c->n], 0, (n_nodes - c->n) * sizeof(ipa_node_entry_t));
		c->n = n_nodes;
	}
	e = &c->v[i];
	if (!entry_fresh(e, node)) {
		entry_build(e, node);
		c->rebuilt++;
	}
	return e;
}
