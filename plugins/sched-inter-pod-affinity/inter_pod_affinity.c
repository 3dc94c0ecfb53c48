/* Scheduler policy "inter-pod-affinity": kube-scheduler's InterPodAffinity
 * (Kubernetes 1.32).
 *
 *   pre_filter       parse the pod's podAffinity/podAntiAffinity terms;
 *                    over cycle->all_nodes count, per topology pair
 *                    (key=value), the existing pods matching all of the
 *                    pod's required affinity terms, those matching each
 *                    required anti-affinity term, and the existing pods'
 *                    required anti-affinity terms that match the pod
 *                    (from the nodes' pods_with_required_anti_affinity
 *                    only).  SKIP when the pod has no required terms and
 *                    no existing anti-affinity term matches it (checked
 *                    in O(nodes) without looking at a pod when no node
 *                    has a pod with required anti-affinity).
 *                    UNRESOLVABLE when a term is malformed.
 *   filter           Kubernetes' three checks, in its order and wording:
 *                    "node(s) didn't match pod affinity rules"
 *                    (UNRESOLVABLE: preemption cannot add pods), "node(s)
 *                    didn't match pod anti-affinity rules" and "node(s)
 *                    didn't satisfy existing pods anti-affinity rules"
 *                    (UNSCHEDULABLE).  A pod whose affinity terms no pod
 *                    matches anywhere passes when it matches its own
 *                    terms (the first pod of a group).
 *   pre_score        per topology pair: + weight of the pod's preferred
 *                    affinity terms and - weight of its preferred
 *                    anti-affinity terms for each existing pod matching
 *                    them; + hardPodAffinityWeight for each required
 *                    affinity term of an existing pod that the pod
 *                    matches; +/- weight of the existing pods' preferred
 *                    (anti-)affinity terms that the pod matches.
 *   score            sum over the node's topology pairs
 *   normalize_score  min-max into [0, 100], as Kubernetes (floats,
 *                    truncated); unchanged when no pair was scored
 *
 * Config (InterPodAffinityArgs): hardPodAffinityWeight (0..100, default
 * 1), ignorePreferredTermsOfExistingPods (default false: when true, a pod
 * without preferred terms gets no score from existing pods' terms).
 *
 * As in kube-scheduler, terminating pods (deletionTimestamp set) still
 * count: they may run for a long time yet (kubernetes#87621, #112098 was
 * not merged).  Namespaces: a term without namespaces and
 * namespaceSelector means the pod's own namespace; namespaceSelector {}
 * means all; a non-empty one needs the namespaces' labels, fetched with
 * GET /api/v1/namespaces once per cycle and only when such a term is
 * looked at (without an API client: logged once, the selector matches no
 * namespace; when the request fails the cycle ends in ERROR and the pod
 * is retried, rather than placing it against an anti-affinity rule).
 *
 * Left out: PreFilterExtensions AddPod/RemovePod (the ABI has no such
 * point; preemption is the host's business) and queueing hints. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/client.h>
#include <k8c/scheduler.h>

#include "common/mem.h"
#include "inter_pod_affinity.h"

#define REASON_AFFINITY "node(s) didn't match pod affinity rules"
#define REASON_ANTI "node(s) didn't match pod anti-affinity rules"
#define REASON_EXISTING "node(s) didn't satisfy existing pods anti-affinity rules"

#define HARD_WEIGHT_DEFAULT 1
#define HARD_WEIGHT_MIN 0
#define HARD_WEIGHT_MAX 100

/* The cookie. */
typedef struct instance {
	const k8c_host_t *host;     /* borrowed until fini */
	int64_t hard_weight;        /* hardPodAffinityWeight */
	int ignore_existing_pref;   /* ignorePreferredTermsOfExistingPods */
	int warned_no_client;       /* under cache.lock */
	int warned_no_all_nodes;    /* under cache.lock */
	char skipped;               /* its address is the state of a cycle
	                               whose pre_filter returned SKIP */
	ipa_cache_t cache;
} instance_t;

/* The cycle state: written by pre_filter and pre_score on the scheduler's
 * thread, only read by filter and score. */
typedef struct cycle_state {
	ipa_pod_terms_t terms;     /* the pod's, owned */
	ipa_pod_view_t pod;        /* borrowed from cycle->pod */
	ipa_namespaces_t nss;      /* fetched at most once */
	unsigned resolved;         /* bit g: group g's namespaceSelectors resolved */
	int inc_ns_ready;          /* inc_ns_labels looked up */
	const cJSON *inc_ns_labels; /* the pod's namespace's labels, in nss.list */
	/* filter */
	int filter_ready;
	int self_match;            /* the pod matches all its required affinity terms */
	ipa_pair_map_t aff, anti, existing;
	ipa_keys_t existing_keys;  /* the topology keys of existing */
	/* score */
	int score_ready;
	ipa_pair_map_t scores;
	ipa_keys_t score_keys;
} cycle_state_t;

#define LOG(inst, level, ...)                                               \
	do {                                                                \
		if ((inst)->host != NULL && (inst)->host->log != NULL)      \
			(inst)->host->log((inst)->host->ctx, level, __VA_ARGS__); \
	} while (0)

/* A cycle state pointer that is ours to read (not NULL, not the marker). */
static int real_state(const instance_t *inst, const void *state)
{
	return state != NULL && (inst == NULL || state != (const void *)&inst->skipped);
}

__attribute__((format(printf, 2, 3)))
static void set_reason(char reason[K8C_SCHED_REASON_MAX], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, K8C_SCHED_REASON_MAX, fmt, ap);
	va_end(ap);
}

static const cJSON *member(const cJSON *obj, const char *name)
{
	const cJSON *m;

	if (!cJSON_IsObject(obj))
		return NULL;
	m = cJSON_GetObjectItemCaseSensitive(obj, name);
	return cJSON_IsNull(m) ? NULL : m;
}

static const cJSON *node_labels(const k8c_sched_node_t *node)
{
	const cJSON *labels = member(member(node->node, "metadata"), "labels");

	return cJSON_IsObject(labels) && labels->child != NULL ? labels : NULL;
}

/* Every node of the cycle (ABI 1.4). */
static int cycle_nodes(instance_t *inst, const k8c_sched_cycle_t *cycle,
                       const k8c_sched_node_t *const **nodes, size_t *n)
{
	if (inst->host == NULL || inst->host->abi_minor < 4) {
		if (!inst->warned_no_all_nodes) {
			inst->warned_no_all_nodes = 1;
			LOG(inst, K8C_LOG_WARN, "the scheduler gives no all_nodes "
			    "(ABI before 1.4): inter-pod affinity cannot be checked");
		}
		return 0;
	}
	*nodes = cycle->all_nodes;
	*n = cycle->all_nodes != NULL ? cycle->n_all_nodes : 0;
	return 1;
}

/* --- the cycle state ------------------------------------------------------ */

static void state_destroy(cycle_state_t *st)
{
	if (st == NULL)
		return;
	ipa_pod_terms_free(&st->terms);
	cJSON_Delete(st->nss.list);
	ipa_pair_map_free(&st->aff);
	ipa_pair_map_free(&st->anti);
	ipa_pair_map_free(&st->existing);
	ipa_keys_free(&st->existing_keys);
	ipa_pair_map_free(&st->scores);
	ipa_keys_free(&st->score_keys);
	free(st);
}

static void pod_key(const cJSON *pod, char *buf, size_t len)
{
	const cJSON *meta = member(pod, "metadata");
	const cJSON *ns = member(meta, "namespace"), *name = member(meta, "name");

	snprintf(buf, len, "%s/%s", cJSON_IsString(ns) ? ns->valuestring : "",
	         cJSON_IsString(name) ? name->valuestring : "?");
}

/* The pod's parsed terms in a new state, or NULL with the reason (the pod
 * is malformed: logged). */
static cycle_state_t *state_new(instance_t *inst, const cJSON *pod,
                                char reason[K8C_SCHED_REASON_MAX])
{
	cycle_state_t *st = k8c_xcalloc(1, sizeof(*st));
	k8c_error_t err;
	char key[256];

	if (ipa_pod_terms_parse(pod, 1, &st->terms, &err) < 0) {
		set_reason(reason, "invalid pod affinity: %s", err.message);
		pod_key(pod, key, sizeof(key));
		LOG(inst, K8C_LOG_WARN, "pod %s: invalid pod affinity: %s", key,
		    err.message);
		state_destroy(st);
		return NULL;
	}
	ipa_pod_view(pod, &st->pod);
	return st;
}

/* --- namespaces ------------------------------------------------------------- */

static void fetch_namespaces(instance_t *inst, cycle_state_t *st)
{
	const k8c_host_t *h = inst->host;
	cJSON *out = NULL;
	k8c_error_t err;

	if (st->nss.tried)
		return;
	st->nss.tried = 1;
	if (h == NULL || h->client == NULL || h->client->request == NULL) {
		if (!inst->warned_no_client) {
			inst->warned_no_client = 1;
			LOG(inst, K8C_LOG_WARN, "no API client: a non-empty "
			    "namespaceSelector of a pod affinity term matches no "
			    "namespace");
		}
		return;
	}
	if (h->client->request(h->client_ctx, "GET", "/api/v1/namespaces", NULL,
	                       NULL, &out, &err) < 0) {
		snprintf(st->nss.failure, sizeof(st->nss.failure),
		         "listing namespaces for a namespaceSelector: %s", err.message);
		st->nss.failed = 1;
		LOG(inst, K8C_LOG_WARN, "%s", st->nss.failure);
		return;
	}
	if (!cJSON_IsArray(member(out, "items"))) {
		snprintf(st->nss.failure, sizeof(st->nss.failure),
		         "listing namespaces for a namespaceSelector: no items");
		st->nss.failed = 1;
		LOG(inst, K8C_LOG_WARN, "%s", st->nss.failure);
		cJSON_Delete(out);
		return;
	}
	st->nss.list = out;
	st->nss.known = 1;
}

/* The labels of the pod's namespace, for existing pods' namespaceSelectors. */
static void incoming_ns(instance_t *inst, cycle_state_t *st)
{
	if (st->inc_ns_ready)
		return;
	st->inc_ns_ready = 1;
	fetch_namespaces(inst, st);
	st->inc_ns_labels = ipa_namespace_labels(&st->nss, st->pod.ns);
}

/* The pod's own namespaceSelectors of group g into namespace lists. */
static void resolve_group(instance_t *inst, cycle_state_t *st, int g)
{
	if (st->resolved & (1u << g))
		return;
	st->resolved |= 1u << g;
	if (!(st->terms.ns_sel_mask & (1u << g)))
		return;
	fetch_namespaces(inst, st);
	ipa_terms_resolve_namespaces(&st->terms.g[g], &st->nss);
}

/* --- pre_filter ------------------------------------------------------------------ */

/* The node's value of each term's topologyKey (with the label's own key
 * string); whether any is set. */
static int term_values(const ipa_terms_t *ts, const cJSON *labels,
                       const char **keys, const char **values)
{
	int any = 0;

	for (size_t t = 0; t < ts->n; t++) {
		values[t] = ipa_label(labels, ts->v[t].topology_key, &keys[t]);
		any |= values[t] != NULL;
	}
	return any;
}

/* Existing pods' required anti-affinity terms that match the pod. */
static void count_existing_anti(instance_t *inst, cycle_state_t *st,
                                const k8c_sched_node_t *const *nodes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const k8c_sched_node_t *node = nodes[i];
		const ipa_node_entry_t *e;
		const cJSON *labels = NULL;
		int labels_done = 0;

		if (node == NULL || node->n_pods_with_required_anti_affinity == 0)
			continue;
		e = ipa_cache_node(&inst->cache, n, i, node);
		for (size_t j = 0; j < e->n_anti; j++) {
			const ipa_cached_pod_t *cp = &e->pods[e->anti[j]];
			const ipa_terms_t *ts = &cp->terms.g[IPA_REQ_ANTI];

			if (cp->terms.ns_sel_mask & (1u << IPA_REQ_ANTI))
				incoming_ns(inst, st);
			for (size_t k = 0; k < ts->n; k++) {
				const char *key, *v;

				if (!ipa_term_matches(&ts->v[k], &st->pod, st->inc_ns_labels,
				                      st->nss.known))
					continue;
				if (!labels_done) {
					labels = node_labels(node);
					labels_done = 1;
				}
				v = ipa_label(labels, ts->v[k].topology_key, &key);
				if (v != NULL && ipa_pair_map_add(&st->existing, key, v, 1))
					ipa_keys_add(&st->existing_keys, key);
			}
		}
	}
}

/* Existing pods matching the pod's required affinity (all terms) and
 * anti-affinity (each term) terms. */
static void count_incoming(cycle_state_t *st, const k8c_sched_node_t *const *nodes,
                           size_t n)
{
	const ipa_terms_t *aff = &st->terms.g[IPA_REQ_AFF];
	const ipa_terms_t *anti = &st->terms.g[IPA_REQ_ANTI];
	size_t nt = aff->n + anti->n;
	_cleanup_free_ const char **keys = k8c_xcalloc(nt + 1, sizeof(char *));
	_cleanup_free_ const char **vals = k8c_xcalloc(nt + 1, sizeof(char *));
	const char **ak = keys, **av = vals;
	const char **nk = keys + aff->n, **nv = vals + aff->n;

	for (size_t i = 0; i < n; i++) {
		const k8c_sched_node_t *node = nodes[i];
		const cJSON *labels;
		int any_aff, any_anti;

		if (node == NULL || node->n_pods == 0 || node->pods == NULL ||
		    (labels = node_labels(node)) == NULL)
			continue;
		any_aff = term_values(aff, labels, ak, av);
		any_anti = term_values(anti, labels, nk, nv);
		if (!any_aff && !any_anti)
			continue;
		for (size_t p = 0; p < node->n_pods; p++) {
			ipa_pod_view_t view;

			ipa_pod_view(node->pods[p], &view);
			if (any_aff && ipa_terms_match_all(aff, &view))
				for (size_t t = 0; t < aff->n; t++)
					if (av[t] != NULL)
						ipa_pair_map_add(&st->aff, ak[t], av[t], 1);
			if (!any_anti)
				continue;
			for (size_t t = 0; t < anti->n; t++)
				if (nv[t] != NULL &&
				    ipa_term_matches(&anti->v[t], &view, NULL, 0))
					ipa_pair_map_add(&st->anti, nk[t], nv[t], 1);
		}
	}
}

static int ipa_pre_filter(void *cookie, k8c_sched_cycle_t *cycle,
                          char reason[K8C_SCHED_REASON_MAX])
{
	instance_t *inst = cookie;
	const k8c_sched_node_t *const *nodes = NULL;
	size_t n = 0;
	cycle_state_t *st;
	int has_req, any_anti = 0, have_nodes;

	/* A new cycle: cycle->state is NULL here. */
	cycle->state = NULL;
	st = state_new(inst, cycle->pod, reason);
	if (st == NULL)
		return K8C_SCHED_UNRESOLVABLE;
	has_req = st->terms.g[IPA_REQ_AFF].n > 0 || st->terms.g[IPA_REQ_ANTI].n > 0;
	pthread_mutex_lock(&inst->cache.lock);
	have_nodes = cycle_nodes(inst, cycle, &nodes, &n);
	for (size_t i = 0; have_nodes && i < n && !any_anti; i++)
		any_anti = nodes[i] != NULL &&
		           nodes[i]->n_pods_with_required_anti_affinity > 0;
	if (any_anti)
		count_existing_anti(inst, st, nodes, n);
	if (have_nodes && has_req) {
		resolve_group(inst, st, IPA_REQ_AFF);
		resolve_group(inst, st, IPA_REQ_ANTI);
		if (!st->nss.failed)
			count_incoming(st, nodes, n);
	}
	pthread_mutex_unlock(&inst->cache.lock);

	if (!have_nodes && has_req) {
		state_destroy(st);
		set_reason(reason, "inter-pod affinity needs every node of the "
		           "cycle (scheduler ABI 1.4)");
		return K8C_SCHED_ERROR;
	}
	if (st->nss.failed) {
		set_reason(reason, "%s", st->nss.failure);
		state_destroy(st);
		return K8C_SCHED_ERROR;
	}
	if (!has_req && st->existing.n == 0) {
		state_destroy(st);
		cycle->state = &inst->skipped;
		return K8C_SCHED_SKIP;
	}
	st->self_match = ipa_terms_match_all(&st->terms.g[IPA_REQ_AFF], &st->pod);
	st->filter_ready = 1;
	cycle->state = st;
	return K8C_SCHED_SUCCESS;
}

/* --- filter ------------------------------------------------------------------------ */

static int satisfies_affinity(const cycle_state_t *st, const cJSON *labels)
{
	const ipa_terms_t *ts = &st->terms.g[IPA_REQ_AFF];
	int pods_exist = 1;

	for (size_t t = 0; t < ts->n; t++) {
		const char *v = ipa_label(labels, ts->v[t].topology_key, NULL);

		if (v == NULL)
			return 0; /* every topology label must be on the node */
		if (ipa_pair_map_get(&st->aff, ts->v[t].topology_key, v) <= 0)
			pods_exist = 0;
	}
	/* The first pod of a group that has affinity to itself: no pod
	 * anywhere matches the terms, and the pod matches them. */
	return pods_exist || (st->aff.n == 0 && st->self_match);
}

static int satisfies_anti(const cycle_state_t *st, const cJSON *labels)
{
	const ipa_terms_t *ts = &st->terms.g[IPA_REQ_ANTI];

	if (st->anti.n == 0)
		return 1;
	for (size_t t = 0; t < ts->n; t++) {
		const char *v = ipa_label(labels, ts->v[t].topology_key, NULL);

		if (v != NULL && ipa_pair_map_get(&st->anti, ts->v[t].topology_key, v) > 0)
			return 0;
	}
	return 1;
}

/* kube-scheduler looks up every label of the node; looking up the few
 * topology keys of the counted pairs instead gives the same answer
 * without hashing the node's other labels. */
static int satisfies_existing(const cycle_state_t *st, const cJSON *labels)
{
	for (size_t k = 0; k < st->existing_keys.n; k++) {
		const char *key = st->existing_keys.v[k];
		const char *v = ipa_label(labels, key, NULL);

		if (v != NULL && ipa_pair_map_get(&st->existing, key, v) > 0)
			return 0;
	}
	return 1;
}

static int ipa_filter(void *cookie, const k8c_sched_cycle_t *cycle,
                      const k8c_sched_node_t *node,
                      char reason[K8C_SCHED_REASON_MAX])
{
	instance_t *inst = cookie;
	const cycle_state_t *st = cycle->state;
	const cJSON *labels;

	if ((const void *)st == (const void *)&inst->skipped)
		return K8C_SCHED_SUCCESS;
	if (st == NULL || !st->filter_ready) {
		set_reason(reason, "inter-pod affinity: no pre_filter state");
		return K8C_SCHED_ERROR;
	}
	labels = node_labels(node);
	if (!satisfies_affinity(st, labels)) {
		set_reason(reason, "%s", REASON_AFFINITY);
		return K8C_SCHED_UNRESOLVABLE;
	}
	if (!satisfies_anti(st, labels)) {
		set_reason(reason, "%s", REASON_ANTI);
		return K8C_SCHED_UNSCHEDULABLE;
	}
	if (!satisfies_existing(st, labels)) {
		set_reason(reason, "%s", REASON_EXISTING);
		return K8C_SCHED_UNSCHEDULABLE;
	}
	return K8C_SCHED_SUCCESS;
}

/* --- pre_score, score, normalize_score ------------------------------------------------ */

static void score_add(cycle_state_t *st, const char *key, const char *value,
                      int64_t delta)
{
	if (ipa_pair_map_add(&st->scores, key, value, delta))
		ipa_keys_add(&st->score_keys, key);
}

/* The pod's preferred terms against an existing pod. */
static void score_incoming(cycle_state_t *st, const ipa_terms_t *ts,
                           const char **keys, const char **vals,
                           const ipa_pod_view_t *existing, int64_t sign)
{
	for (size_t t = 0; t < ts->n; t++)
		if (vals[t] != NULL && ipa_term_matches(&ts->v[t], existing, NULL, 0))
			score_add(st, keys[t], vals[t], sign * ts->v[t].weight);
}

/* An existing pod's terms (hard_weight > 0: required, weighted by it;
 * else preferred with their weights) against the pod. */
static void score_existing_terms(cycle_state_t *st, const ipa_terms_t *ts,
                                 int64_t hard_weight, int64_t sign,
                                 const cJSON *labels)
{
	for (size_t t = 0; t < ts->n; t++) {
		const char *key, *v = ipa_label(labels, ts->v[t].topology_key, &key);

		if (v != NULL && ipa_term_matches(&ts->v[t], &st->pod, st->inc_ns_labels,
		                                  st->nss.known))
			score_add(st, key, v,
			          sign * (hard_weight > 0 ? hard_weight : ts->v[t].weight));
	}
}

/* The groups of existing pods' terms that score. */
static unsigned scoring_groups(const instance_t *inst)
{
	return (1u << IPA_PREF_AFF) | (1u << IPA_PREF_ANTI) |
	       (inst->hard_weight > 0 ? 1u << IPA_REQ_AFF : 0);
}

static void score_existing(instance_t *inst, cycle_state_t *st,
                           const ipa_cached_pod_t *cp, const cJSON *labels)
{
	if (cp->terms.ns_sel_mask & scoring_groups(inst))
		incoming_ns(inst, st);
	if (inst->hard_weight > 0)
		score_existing_terms(st, &cp->terms.g[IPA_REQ_AFF], inst->hard_weight,
		                     1, labels);
	score_existing_terms(st, &cp->terms.g[IPA_PREF_AFF], 0, 1, labels);
	score_existing_terms(st, &cp->terms.g[IPA_PREF_ANTI], 0, -1, labels);
}

static void score_nodes(instance_t *inst, cycle_state_t *st,
                        const k8c_sched_node_t *const *nodes, size_t n,
                        int has_pref)
{
	const ipa_terms_t *pa = &st->terms.g[IPA_PREF_AFF];
	const ipa_terms_t *pn = &st->terms.g[IPA_PREF_ANTI];
	size_t nt = pa->n + pn->n;
	_cleanup_free_ const char **keys = k8c_xcalloc(nt + 1, sizeof(char *));
	_cleanup_free_ const char **vals = k8c_xcalloc(nt + 1, sizeof(char *));

	unsigned used = scoring_groups(inst);

	for (size_t i = 0; i < n; i++) {
		const k8c_sched_node_t *node = nodes[i];
		const ipa_node_entry_t *e = NULL;
		const cJSON *labels;

		if (node == NULL)
			continue;
		if (node->pods_with_affinity != NULL && node->n_pods_with_affinity > 0) {
			e = ipa_cache_node(&inst->cache, n, i, node);
			if (!(e->aff_groups & used))
				e = NULL; /* only required anti-affinity: nothing to score */
		}
		if ((!has_pref && e == NULL) || (labels = node_labels(node)) == NULL)
			continue; /* kube-scheduler: a node without labels scores nothing */
		if (has_pref && node->pods != NULL &&
		    (term_values(pa, labels, keys, vals) |
		     term_values(pn, labels, keys + pa->n, vals + pa->n))) {
			for (size_t p = 0; p < node->n_pods; p++) {
				ipa_pod_view_t view;

				ipa_pod_view(node->pods[p], &view);
				score_incoming(st, pa, keys, vals, &view, 1);
				score_incoming(st, pn, keys + pa->n, vals + pa->n, &view, -1);
			}
		}
		for (size_t j = 0; e != NULL && j < e->n_aff; j++)
			score_existing(inst, st, &e->pods[j], labels);
	}
}

static int ipa_pre_score(void *cookie, k8c_sched_cycle_t *cycle,
                         const k8c_sched_node_t *const *feasible, size_t n_feasible)
{
	instance_t *inst = cookie;
	cycle_state_t *st = cycle->state;
	const k8c_sched_node_t *const *nodes;
	char reason[K8C_SCHED_REASON_MAX];
	size_t n;
	int has_pref;

	if (!real_state(inst, st)) {
		/* pre_filter skipped the pod (or did not run). */
		st = state_new(inst, cycle->pod, reason);
		if (st == NULL)
			return K8C_SCHED_ERROR;
		cycle->state = st;
	}
	ipa_pair_map_free(&st->scores);
	ipa_keys_free(&st->score_keys);
	st->score_ready = 0;
	has_pref = st->terms.g[IPA_PREF_AFF].n > 0 || st->terms.g[IPA_PREF_ANTI].n > 0;
	if (inst->ignore_existing_pref && !has_pref) {
		st->score_ready = 1;
		return K8C_SCHED_SUCCESS;
	}
	pthread_mutex_lock(&inst->cache.lock);
	if (!cycle_nodes(inst, cycle, &nodes, &n)) {
		nodes = feasible;
		n = n_feasible;
	}
	if (has_pref) {
		resolve_group(inst, st, IPA_PREF_AFF);
		resolve_group(inst, st, IPA_PREF_ANTI);
	}
	if (!st->nss.failed)
		score_nodes(inst, st, nodes, n, has_pref);
	pthread_mutex_unlock(&inst->cache.lock);
	if (st->nss.failed)
		return K8C_SCHED_ERROR;
	st->score_ready = 1;
	return K8C_SCHED_SUCCESS;
}

static int ipa_score(void *cookie, const k8c_sched_cycle_t *cycle,
                     const k8c_sched_node_t *node, int64_t *score)
{
	const cycle_state_t *st = cycle->state;
	const cJSON *labels;

	*score = 0;
	if (!real_state(cookie, st) || !st->score_ready || st->scores.n == 0)
		return K8C_SCHED_SUCCESS;
	labels = node_labels(node);
	for (size_t k = 0; k < st->score_keys.n; k++) {
		const char *key = st->score_keys.v[k], *v = ipa_label(labels, key, NULL);

		if (v != NULL)
			*score += ipa_pair_map_get(&st->scores, key, v);
	}
	return K8C_SCHED_SUCCESS;
}

/* Min-max into [0, 100] as kube-scheduler's NormalizeScore: in floats,
 * truncated; all equal gives 0. */
static int ipa_normalize_score(void *cookie, const k8c_sched_cycle_t *cycle,
                               k8c_sched_node_score_t *scores, size_t n)
{
	const cycle_state_t *st = cycle != NULL ? cycle->state : NULL;
	int64_t min = INT64_MAX, max = INT64_MIN;

	if (!real_state(cookie, st) || !st->score_ready || st->scores.n == 0 || n == 0)
		return K8C_SCHED_SUCCESS;
	for (size_t i = 0; i < n; i++) {
		if (scores[i].score > max)
			max = scores[i].score;
		if (scores[i].score < min)
			min = scores[i].score;
	}
	for (size_t i = 0; i < n; i++) {
		double f = 0;

		if (max > min)
			f = (double)K8C_SCHED_MAX_SCORE *
			    ((double)(scores[i].score - min) / (double)(max - min));
		scores[i].score = (int64_t)f;
	}
	return K8C_SCHED_SUCCESS;
}

static void ipa_state_free(void *cookie, void *state)
{
	if (real_state(cookie, state))
		state_destroy(state);
}

/* --- instance ----------------------------------------------------------------------- */

static int parse_config(instance_t *inst, const cJSON *config, k8c_error_t *err)
{
	const cJSON *it;

	if (config != NULL && !cJSON_IsObject(config))
		return k8c_error_make(err, K8C_EINVAL, "config must be an object");
	cJSON_ArrayForEach(it, config) {
		if (strcmp(it->string, "hardPodAffinityWeight") == 0) {
			if (!cJSON_IsNumber(it) || it->valuedouble < HARD_WEIGHT_MIN ||
			    it->valuedouble > HARD_WEIGHT_MAX ||
			    it->valuedouble != (double)(int64_t)it->valuedouble) {
				_cleanup_free_ char *v = cJSON_PrintUnformatted(it);

				return k8c_error_make(err, K8C_EINVAL,
				                      "hardPodAffinityWeight: Invalid value: "
				                      "%s: not in valid range [%d-%d]",
				                      v != NULL ? v : "?", HARD_WEIGHT_MIN,
				                      HARD_WEIGHT_MAX);
			}
			inst->hard_weight = (int64_t)it->valuedouble;
		} else if (strcmp(it->string, "ignorePreferredTermsOfExistingPods") == 0) {
			if (!cJSON_IsBool(it))
				return k8c_error_make(err, K8C_EINVAL,
				                      "ignorePreferredTermsOfExistingPods: "
				                      "must be a boolean");
			inst->ignore_existing_pref = cJSON_IsTrue(it);
		} else {
			LOG(inst, K8C_LOG_WARN, "config: unknown field \"%s\" ignored",
			    it->string);
		}
	}
	return 0;
}

static int ipa_init(const k8c_host_t *host, const struct cJSON *config,
                    void **cookie, k8c_error_t *err)
{
	instance_t *inst = k8c_xcalloc(1, sizeof(*inst));
	int ret;

	inst->host = host;
	inst->hard_weight = HARD_WEIGHT_DEFAULT;
	ret = parse_config(inst, config, err);
	if (ret < 0) {
		free(inst);
		return ret;
	}
	ipa_cache_init(&inst->cache);
	if (inst->hard_weight != HARD_WEIGHT_DEFAULT || inst->ignore_existing_pref)
		LOG(inst, K8C_LOG_INFO, "hardPodAffinityWeight %lld, "
		    "ignorePreferredTermsOfExistingPods %s",
		    (long long)inst->hard_weight,
		    inst->ignore_existing_pref ? "true" : "false");
	*cookie = inst;
	return 0;
}

static void ipa_fini(void *cookie)
{
	instance_t *inst = cookie;

	if (inst == NULL)
		return;
	ipa_cache_free(&inst->cache);
	free(inst);
}

static const k8c_sched_policy_ops_t ops = {
	.struct_size = sizeof(k8c_sched_policy_ops_t),
	.pre_filter = ipa_pre_filter,
	.filter = ipa_filter,
	.pre_score = ipa_pre_score,
	.score = ipa_score,
	.normalize_score = ipa_normalize_score,
	.state_free = ipa_state_free,
};

K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
	K8C_PLUGIN_HEADER(K8C_PLUGIN_SCHEDULER),
	.name = "inter-pod-affinity",
	.version = PACKAGE_VERSION,
	.description = "pod affinity and anti-affinity, as kube-scheduler's "
	               "InterPodAffinity",
	.init = ipa_init,
	.fini = ipa_fini,
	.ops = &ops,
};
