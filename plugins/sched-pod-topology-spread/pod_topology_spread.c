/* Scheduler policy "pod-topology-spread": kube-scheduler's PodTopologySpread
 * (Kubernetes 1.32, with MinDomains, NodeInclusionPolicy and
 * MatchLabelKeys on as they are by default).
 *
 *   pre_filter       for the pod's DoNotSchedule constraints, count the
 *                    matching pods (same namespace, not terminating) of
 *                    every topology domain over all nodes of the snapshot,
 *                    and the global minimum (0 when fewer domains than
 *                    minDomains); SKIP when there is no such constraint
 *   filter           a node lacking a topology key is UNRESOLVABLE; one
 *                    where count + self-match - minimum > maxSkew is
 *                    UNSCHEDULABLE
 *   pre_score        for the ScheduleAnyway constraints: the domains of the
 *                    feasible nodes, their matching pods over all nodes,
 *                    and each constraint's weight log(domains + 2)
 *   score            sum over constraints of count * weight + maxSkew - 1
 *                    (per node for kubernetes.io/hostname)
 *   normalize_score  fewest matching pods scores 100; nodes lacking a key
 *                    score 0
 *
 * Config (PodTopologySpreadArgs): {"defaultingType": "System" | "List",
 * "defaultConstraints": [TopologySpreadConstraint without labelSelector]}.
 * System (the default) spreads by hostname (maxSkew 3) and zone (maxSkew
 * 5), both ScheduleAnyway.  Default constraints apply to pods without
 * constraints of their own, with the selector of the Services,
 * ReplicationController, ReplicaSet or StatefulSet that select the pod
 * (owners.c reads them through the host's API client; without a client no
 * default constraints apply, which init logs).
 *
 * Speed: the matching pods of each node and the values of the topology
 * keys are remembered across cycles while the node's generation holds
 * (memo.c), so that the next pod of a workload recounts only the node
 * that changed; pre_filter decides every node of the snapshot at once and
 * pre_score scores every feasible one, so that filter and score only look
 * their node up.  A pod without constraints (and without defaults that
 * apply) costs pre_filter two member lookups and no allocation.
 *
 * Departures from kube-scheduler, none in the results of valid pods:
 * constraints the API server's validation refuses (see constraints.c) make
 * the pod UNRESOLVABLE with the validation message, also when they are
 * ScheduleAnyway ones; without a node snapshot (a scheduler of ABI < 1.4)
 * DoNotSchedule constraints are an ERROR and ScheduleAnyway ones count the
 * feasible nodes only. */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/mem.h"
#include "spread.h"

#define REASON_SKEW "node(s) didn't match pod topology spread constraints"
#define REASON_LABEL REASON_SKEW " (missing required label)"

/* The cycle state. */
typedef struct state {
	const char *ns;     /* borrowed from the pod */
	size_t n_own;       /* the pod's own constraints */
	clist_t hard, soft; /* its own, or the defaults with default_sel */
	k8c_label_selector_t *default_sel; /* owned; shared by the defaults */
	int default_sel_done;
	node_req_t req;     /* the pod's required node affinity */
	int req_done;
	/* filter */
	domains_t *hard_dom;   /* owned, per hard constraint */
	int64_t *hard_min;     /* owned */
	unsigned char *self_match;
	ptrmap_t verdicts;     /* node of all_nodes -> filter's answer */
	/* score */
	int score_done;        /* pre_score ran */
	int scoring;           /* soft constraints apply */
	int require_all;       /* nodes lacking a key are ignored */
	domains_t *soft_dom;   /* owned, per soft constraint */
	double *weight;        /* owned */
	domains_t scores;      /* feasible node name -> raw score */
	k8c_strmap_t ignored;  /* names of the ignored feasible nodes */
} state_t;

/* The cookie. */
typedef struct instance {
	const k8c_host_t *host;   /* borrowed until fini */
	int has_all_nodes;        /* host ABI >= 1.4 */
	int system_defaulted;
	clist_t defaults;         /* templates: no selector */
	size_t n_default_hard, n_default_soft;
	owner_cache_t *owners;    /* owned; NULL without defaults or client */
	memo_t *memo;             /* owned; NULL without a node snapshot */
} instance_t;

#define LOG(inst, level, ...) \
	(inst)->host->log((inst)->host->ctx, level, __VA_ARGS__)

static const cJSON *member(const cJSON *obj, const char *name)
{
	const cJSON *m;

	if (!cJSON_IsObject(obj))
		return NULL;
	m = cJSON_GetObjectItemCaseSensitive(obj, name);
	return cJSON_IsNull(m) ? NULL : m;
}

__attribute__((format(printf, 2, 3)))
static void set_reason(char reason[K8C_SCHED_REASON_MAX], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, K8C_SCHED_REASON_MAX, fmt, ap);
	va_end(ap);
}

static void domains_free(domains_t *d, size_t n)
{
	for (size_t i = 0; d != NULL && i < n; i++)
		domains_clear(&d[i]);
	free(d);
}

/* --- state ------------------------------------------------------------------ */

static void state_free(state_t *st)
{
	if (st == NULL)
		return;
	domains_free(st->hard_dom, st->hard.n);
	domains_free(st->soft_dom, st->soft.n);
	clist_free(&st->hard);
	clist_free(&st->soft);
	k8c_label_selector_free(st->default_sel);
	node_req_free(&st->req);
	free(st->hard_min);
	free(st->self_match);
	ptrmap_clear(&st->verdicts);
	free(st->weight);
	domains_clear(&st->scores);
	k8c_strmap_free(&st->ignored);
	free(st);
}

/* Does the pod list constraints of its own (and any DoNotSchedule one)?
 * Cheap: no allocation. */
static int pod_has_own(const cJSON *pod, int *any_hard)
{
	const cJSON *list = member(member(pod, "spec"), "topologySpreadConstraints");
	const cJSON *it;

	*any_hard = 0;
	if (list != NULL && !cJSON_IsArray(list)) {
		*any_hard = 1; /* malformed: pre_filter says so */
		return 1;
	}
	if (list == NULL || list->child == NULL)
		return 0;
	cJSON_ArrayForEach(it, list) {
		const cJSON *w = member(it, "whenUnsatisfiable");

		if (!cJSON_IsString(w) || strcmp(w->valuestring, "ScheduleAnyway") != 0)
			*any_hard = 1;
	}
	return 1;
}

static void log_invalid(instance_t *inst, const cJSON *pod, const char *msg)
{
	const cJSON *name = member(member(pod, "metadata"), "name");

	LOG(inst, K8C_LOG_WARN, "pod %s/%s: invalid topology spread constraints: %s",
	    pod_namespace(pod), cJSON_IsString(name) ? name->valuestring : "?", msg);
}

/* A new state with the pod's own constraints parsed. */
static int state_new(const cJSON *pod, state_t **out, k8c_error_t *err)
{
	state_t *st = k8c_xcalloc(1, sizeof(*st));
	int ret;

	st->ns = pod_namespace(pod);
	k8c_strmap_init(&st->ignored);
	ret = pod_constraints_parse(pod, &st->hard, &st->soft, &st->n_own, err);
	if (ret < 0) {
		state_free(st);
		return ret;
	}
	*out = st;
	return 0;
}

/* The default constraints of kind `when` into l, with the pod's deduced
 * selector (computed once per cycle); 0 when none applies. */
static int apply_defaults(instance_t *inst, state_t *st, const cJSON *pod,
                          int when, clist_t *l)
{
	if (!st->default_sel_done) {
		st->default_sel = owner_cache_default_selector(inst->owners, pod);
		st->default_sel_done = 1;
	}
	if (st->default_sel == NULL)
		return 0;
	for (size_t i = 0; i < inst->defaults.n; i++) {
		const constraint_t *t = &inst->defaults.v[i];
		constraint_t *c;

		if (t->when != when)
			continue;
		l->v = k8c_xrealloc(l->v, (l->n + 1) * sizeof(constraint_t));
		c = &l->v[l->n++];
		*c = *t;
		c->key = k8c_xstrdup(t->key);
		c->sel = st->default_sel;
		c->own_sel = 0;
	}
	return l->n > 0;
}

/* Per node, whether the inclusion policies let it count for constraint c
 * (matchNodeInclusionPolicies); *aff and *taint cache the node's answers
 * across constraints (-1: not asked yet). */
static int node_included(state_t *st, const cJSON *pod, const constraint_t *c,
                         const k8c_sched_node_t *node, int *aff, int *taint)
{
	if (c->affinity_honor) {
		if (!st->req_done) {
			node_req_parse(pod, &st->req);
			st->req_done = 1;
		}
		if (*aff < 0)
			*aff = node_req_empty(&st->req) || node_req_matches(&st->req, node);
		if (!*aff)
			return 0;
	}
	if (c->taints_honor) {
		if (*taint < 0)
			*taint = !node_has_untolerated_taint(
				member(member(pod, "spec"), "tolerations"), node);
		if (!*taint)
			return 0;
	}
	return 1;
}

/* What a cycle reads of the nodes, through the memo when there is one. */
typedef struct view {
	memo_t *memo;       /* borrowed, locked; NULL: read the nodes */
	int *key_tab;       /* owned, per constraint */
	int *sel_tab;       /* owned, per constraint */
} view_t;

static void view_init(view_t *v, memo_t *memo, const state_t *st,
                      const clist_t *l)
{
	v->memo = memo;
	v->key_tab = k8c_xcalloc(l->n + 1, sizeof(int));
	v->sel_tab = k8c_xcalloc(l->n + 1, sizeof(int));
	for (size_t i = 0; i < l->n; i++) {
		v->key_tab[i] = memo ? memo_key_table(memo, l->v[i].key) : -1;
		v->sel_tab[i] = memo ? memo_sel_table(memo, st->ns, l->v[i].sel) : -1;
	}
}

static void view_fini(view_t *v)
{
	free(v->key_tab);
	free(v->sel_tab);
}

/* The values of the constraints' keys on the node at pos; 0 when one is
 * missing. */
static int node_values(const view_t *v, const clist_t *l, ssize_t pos,
                       const k8c_sched_node_t *node, const char **values)
{
	const cJSON *labels = v->memo ? NULL : node_labels(node);
	int all = 1;

	for (size_t i = 0; i < l->n; i++) {
		values[i] = v->memo ? memo_label(v->memo, v->key_tab[i], pos, node,
		                                 l->v[i].key)
		                    : label_value(labels, l->v[i].key);
		if (values[i] == NULL)
			all = 0;
	}
	return all;
}

/* counts[i] for each wanted constraint of l on the node at pos. */
static void node_counts(const view_t *v, const state_t *st, const clist_t *l,
                        ssize_t pos, const k8c_sched_node_t *node,
                        const unsigned char *want, int64_t *counts)
{
	if (v->memo == NULL) {
		count_matching_pods(node, st->ns, l->v, l->n, want, counts);
		return;
	}
	for (size_t i = 0; i < l->n; i++)
		if (want == NULL || want[i])
			counts[i] = memo_count(v->memo, v->sel_tab[i], pos, node,
			                       st->ns, &l->v[i]);
}

/* pre_score's count from the memo's sums over all nodes, when every node
 * counts alike for the pod (no nodeAffinityPolicy Honor with a node
 * selector or affinity of its own, no nodeTaintsPolicy Honor): per
 * constraint, the sums of the domains the feasible nodes have.  0: not
 * so, count node by node. */
static int count_domains_from_totals(state_t *st, const view_t *v, const cJSON *pod,
                                     const clist_t *l, domains_t *dom,
                                     const k8c_sched_node_t *const *nodes, int require_all)
{
	memo_totals_query_t q = {0};

	if (v->memo == NULL || l->n > MEMO_TOTALS_KEYS)
		return 0;
	for (size_t i = 0; i < l->n; i++) {
		const constraint_t *c = &l->v[i];

		if (v->key_tab[i] < 0 || (!c->is_hostname && v->sel_tab[i] < 0) || c->taints_honor)
			return 0;
		if (c->affinity_honor) {
			if (!st->req_done) {
				node_req_parse(pod, &st->req);
				st->req_done = 1;
			}
			if (!node_req_empty(&st->req))
				return 0;
		}
		if (require_all) {
			q.req_tab[q.n_req] = v->key_tab[i];
			q.req_keys[q.n_req++] = c->key;
		}
	}
	q.ns = st->ns;
	for (size_t i = 0; i < l->n; i++) {
		const domains_t *sums;

		if (l->v[i].is_hostname)
			continue; /* scored node by node */
		q.key_tab = v->key_tab[i];
		q.sel_tab = v->sel_tab[i];
		q.key = l->v[i].key;
		q.c = &l->v[i];
		sums = memo_domain_totals(v->memo, nodes, &q);
		for (size_t e = 0; e < dom[i].n; e++) {
			const int64_t *n = domain_find(sums, dom[i].keys + dom[i].key[e]);

			if (n != NULL)
				dom[i].count[e] += *n;
		}
	}
	return 1;
}

/* Count the matching pods of every node (nodes[i] at memo position i)
 * into dom (per constraint of l).  With create, every eligible node makes
 * its domain (pre_filter); without, only the domains already in dom
 * count, and hostname constraints not at all (pre_score).  Nodes lacking a
 * key are skipped when require_all; else their value is "". */
static void count_domains(state_t *st, const view_t *v, const cJSON *pod,
                          const clist_t *l, domains_t *dom,
                          const k8c_sched_node_t *const *nodes, size_t n_nodes,
                          int create, int require_all)
{
	_cleanup_free_ const char **values = NULL;
	_cleanup_free_ unsigned char *want = NULL;
	_cleanup_free_ int64_t *counts = NULL;

	if (!create && count_domains_from_totals(st, v, pod, l, dom, nodes, require_all))
		return;
	values = k8c_xcalloc(l->n + 1, sizeof(char *));
	want = k8c_xcalloc(l->n + 1, 1);
	counts = k8c_xcalloc(l->n + 1, sizeof(int64_t));
	for (size_t n = 0; n < n_nodes; n++) {
		const k8c_sched_node_t *node = nodes[n];
		ssize_t pos = v->memo ? (ssize_t)n : -1;
		int aff = -1, taint = -1, any = 0;

		if (node == NULL)
			continue;
		if (!node_values(v, l, pos, node, values) && require_all)
			continue;
		for (size_t i = 0; i < l->n; i++) {
			if (values[i] == NULL)
				values[i] = "";
			want[i] = (create || (!l->v[i].is_hostname &&
			                      domain_find(&dom[i], values[i]) != NULL)) &&
			          node_included(st, pod, &l->v[i], node, &aff, &taint);
			any |= want[i];
		}
		if (!any)
			continue;
		node_counts(v, st, l, pos, node, want, counts);
		for (size_t i = 0; i < l->n; i++)
			if (want[i])
				*domain_add(&dom[i], values[i]) += counts[i];
	}
}

/* --- filtering ------------------------------------------------------------- */

/* Filter's answer for a node whose values of the constraints' keys are
 * values (NULL: missing): SUCCESS, UNRESOLVABLE or UNSCHEDULABLE, checked
 * constraint by constraint as kube-scheduler does. */
static int verdict(const state_t *st, const char *const *values)
{
	for (size_t i = 0; i < st->hard.n; i++) {
		const int64_t *slot;

		if (values[i] == NULL)
			return K8C_SCHED_UNRESOLVABLE;
		/* 'existing matching num' + 'self-match' - 'global min' */
		slot = domain_find(&st->hard_dom[i], values[i]);
		if ((slot != NULL ? *slot : 0) + st->self_match[i] - st->hard_min[i] >
		    st->hard.v[i].max_skew)
			return K8C_SCHED_UNSCHEDULABLE;
	}
	return K8C_SCHED_SUCCESS;
}

/* The global minimum per constraint, self-match, and every node's
 * verdict, so that filter reads no labels. */
static void prepare_filter(state_t *st, const view_t *v, const cJSON *pod,
                           const k8c_sched_node_t *const *all, size_t n_all)
{
	_cleanup_free_ const char **values = k8c_xcalloc(st->hard.n + 1,
	                                                 sizeof(char *));

	for (size_t i = 0; i < st->hard.n; i++) {
		const domains_t *d = &st->hard_dom[i];
		int64_t min = INT64_MAX;

		for (size_t j = 0; j < d->n; j++)
			if (d->count[j] < min)
				min = d->count[j];
		/* Fewer eligible domains than minDomains: the global minimum
		 * is 0 (so is it without any domain: minDomains >= 1). */
		if ((int64_t)d->n < st->hard.v[i].min_domains)
			min = 0;
		st->hard_min[i] = min;
		st->self_match[i] = k8c_label_selector_matches(st->hard.v[i].sel,
		                                               pod_labels(pod));
	}
	ptrmap_reset(&st->verdicts, n_all);
	for (size_t n = 0; n < n_all; n++) {
		if (all[n] == NULL)
			continue;
		node_values(v, &st->hard, (ssize_t)n, all[n], values);
		ptrmap_put(&st->verdicts, all[n], (uint32_t)verdict(st, values));
	}
}

static int pts_pre_filter(void *cookie, k8c_sched_cycle_t *cycle,
                          char reason[K8C_SCHED_REASON_MAX])
{
	instance_t *inst = cookie;
	const k8c_sched_node_t *const *all = NULL;
	size_t n_all = 0;
	state_t *st;
	view_t v;
	k8c_error_t err;
	int any_hard;

	cycle->state = NULL;
	/* The common case first: nothing to check, nothing allocated. */
	if (!pod_has_own(cycle->pod, &any_hard) && inst->n_default_hard == 0)
		return K8C_SCHED_SKIP;
	if (state_new(cycle->pod, &st, &err) < 0) {
		set_reason(reason, "invalid topology spread constraints: %s",
		           err.message);
		log_invalid(inst, cycle->pod, err.message);
		return K8C_SCHED_UNRESOLVABLE;
	}
	if (st->n_own == 0)
		apply_defaults(inst, st, cycle->pod, WHEN_DO_NOT_SCHEDULE, &st->hard);
	if (st->hard.n == 0) {
		/* The host frees no state after SKIP: drop it. */
		state_free(st);
		return K8C_SCHED_SKIP;
	}
	if (inst->memo == NULL) {
		state_free(st);
		set_reason(reason, "pod topology spread needs the scheduler's node "
		                   "snapshot (plugin ABI 1.4)");
		return K8C_SCHED_ERROR;
	}
	all = cycle->all_nodes;
	n_all = all != NULL ? cycle->n_all_nodes : 0;
	st->hard_dom = k8c_xcalloc(st->hard.n, sizeof(domains_t));
	st->hard_min = k8c_xcalloc(st->hard.n, sizeof(int64_t));
	st->self_match = k8c_xcalloc(st->hard.n, 1);
	memo_begin(inst->memo, all, n_all, 1);
	view_init(&v, inst->memo, st, &st->hard);
	count_domains(st, &v, cycle->pod, &st->hard, st->hard_dom, all, n_all, 1,
	              1);
	prepare_filter(st, &v, cycle->pod, all, n_all);
	view_fini(&v);
	memo_end(inst->memo);
	cycle->state = st;
	return K8C_SCHED_SUCCESS;
}

static int pts_filter(void *cookie, const k8c_sched_cycle_t *cycle,
                      const k8c_sched_node_t *node,
                      char reason[K8C_SCHED_REASON_MAX])
{
	const instance_t *inst = cookie;
	const state_t *st = cycle->state;
	uint32_t code;
	int any_hard;

	if (st == NULL) {
		/* pre_filter skipped the pod, or did not run. */
		if ((!pod_has_own(cycle->pod, &any_hard) || !any_hard) &&
		    inst->n_default_hard == 0)
			return K8C_SCHED_SUCCESS;
		set_reason(reason, "pod topology spread: no pre_filter state");
		return K8C_SCHED_ERROR;
	}
	if (!ptrmap_get(&st->verdicts, node, &code)) {
		/* Not a node of the snapshot pre_filter saw: read it. */
		const cJSON *labels = node_labels(node);
		_cleanup_free_ const char **values =
			k8c_xcalloc(st->hard.n + 1, sizeof(char *));

		for (size_t i = 0; i < st->hard.n; i++)
			values[i] = label_value(labels, st->hard.v[i].key);
		code = (uint32_t)verdict(st, values);
	}
	if (code == K8C_SCHED_UNRESOLVABLE)
		set_reason(reason, "%s", REASON_LABEL);
	else if (code == K8C_SCHED_UNSCHEDULABLE)
		set_reason(reason, "%s", REASON_SKEW);
	return (int)code;
}

/* --- scoring --------------------------------------------------------------- */

static const char *sched_node_name(const k8c_sched_node_t *node)
{
	const cJSON *name;

	if (node->name != NULL)
		return node->name;
	name = member(member(node->node, "metadata"), "name");
	return cJSON_IsString(name) ? name->valuestring : "";
}

/* The raw score of every feasible node (kube-scheduler computes it in
 * Score; here once, so that score is a lookup): per constraint, the
 * matching pods of the node's domain (of the node itself for hostname)
 * times the weight, plus maxSkew - 1. */
static void score_nodes(state_t *st, const view_t *v,
                        const k8c_sched_node_t *const *nodes, size_t n_nodes)
{
	_cleanup_free_ const char **values = k8c_xcalloc(st->soft.n + 1,
	                                                 sizeof(char *));

	for (size_t n = 0; n < n_nodes; n++) {
		const k8c_sched_node_t *node = nodes[n];
		ssize_t pos = -1;
		double sum = 0;

		if (node == NULL)
			continue;
		if (v->memo != NULL)
			pos = memo_pos(v->memo, node);
		if (!node_values(v, &st->soft, pos, node, values) && st->require_all)
			continue; /* ignored: 0 */
		for (size_t i = 0; i < st->soft.n; i++) {
			const constraint_t *c = &st->soft.v[i];
			const int64_t *slot;
			int64_t cnt = 0;

			if (values[i] == NULL)
				continue;
			if (c->is_hostname)
				cnt = memo_count(v->memo, v->sel_tab[i], pos, node, st->ns, c);
			else if ((slot = domain_find(&st->soft_dom[i], values[i])))
				cnt = *slot;
			sum += (double)cnt * st->weight[i] + (double)(c->max_skew - 1);
		}
		*domain_add(&st->scores, sched_node_name(node)) = llround(sum);
	}
}

static int pts_pre_score(void *cookie, k8c_sched_cycle_t *cycle,
                         const k8c_sched_node_t *const *nodes, size_t n_nodes)
{
	instance_t *inst = cookie;
	state_t *st = cycle->state;
	const k8c_sched_node_t *const *all = nodes;
	size_t n_all = n_nodes, n_ok = 0;
	_cleanup_free_ const char **values = NULL;
	memo_t *memo = NULL;
	view_t v;
	k8c_error_t err;
	int any_hard;

	if (st == NULL) {
		if (!pod_has_own(cycle->pod, &any_hard) && inst->n_default_soft == 0)
			return K8C_SCHED_SUCCESS;
		if (state_new(cycle->pod, &st, &err) < 0) {
			log_invalid(inst, cycle->pod, err.message);
			return K8C_SCHED_ERROR;
		}
		cycle->state = st;
	}
	if (st->score_done)
		return K8C_SCHED_SUCCESS; /* called twice: keep the first */
	st->score_done = 1;
	if (st->n_own == 0 &&
	    (inst->n_default_soft == 0 ||
	     !apply_defaults(inst, st, cycle->pod, WHEN_SCHEDULE_ANYWAY, &st->soft)))
		return K8C_SCHED_SUCCESS;
	if (st->soft.n == 0)
		return K8C_SCHED_SUCCESS;
	if (inst->memo != NULL && cycle->all_nodes != NULL) {
		/* Without the snapshot (ABI < 1.4) the feasible nodes are all
		 * we know of. */
		all = cycle->all_nodes;
		n_all = cycle->n_all_nodes;
		memo = inst->memo;
		memo_begin(memo, all, n_all, 1);
	}
	/* Only pods with constraints of their own (or List defaults) need
	 * every key on a node; system defaults spread by hostname also on
	 * nodes without a zone. */
	st->require_all = st->n_own > 0 || !inst->system_defaulted;
	st->soft_dom = k8c_xcalloc(st->soft.n, sizeof(domains_t));
	st->weight = k8c_xcalloc(st->soft.n, sizeof(double));
	values = k8c_xcalloc(st->soft.n + 1, sizeof(char *));
	view_init(&v, memo, st, &st->soft);
	for (size_t n = 0; n < n_nodes; n++) {
		const k8c_sched_node_t *node = nodes[n];
		ssize_t pos;

		if (node == NULL)
			continue;
		pos = memo ? memo_pos(memo, node) : -1;
		if (!node_values(&v, &st->soft, pos, node, values) &&
		    st->require_all) {
			k8c_strmap_put(&st->ignored, sched_node_name(node), st);
			continue;
		}
		n_ok++;
		for (size_t i = 0; i < st->soft.n; i++)
			if (!st->soft.v[i].is_hostname)
				domain_add(&st->soft_dom[i], values[i] ? values[i] : "");
	}
	for (size_t i = 0; i < st->soft.n; i++)
		st->weight[i] = log((double)((st->soft.v[i].is_hostname
		                                      ? n_ok
		                                      : st->soft_dom[i].n) + 2));
	count_domains(st, &v, cycle->pod, &st->soft, st->soft_dom, all, n_all, 0,
	              st->require_all);
	score_nodes(st, &v, nodes, n_nodes);
	view_fini(&v);
	if (memo != NULL)
		memo_end(memo);
	st->scoring = 1;
	return K8C_SCHED_SUCCESS;
}

static int pts_score(void *cookie, const k8c_sched_cycle_t *cycle,
                     const k8c_sched_node_t *node, int64_t *score)
{
	const state_t *st = cycle->state;
	const int64_t *slot;

	*score = 0;
	if (st == NULL || !st->scoring)
		return K8C_SCHED_SUCCESS;
	/* A node pre_score was not given scores as an ignored one. */
	slot = domain_find(&st->scores, sched_node_name(node));
	*score = slot != NULL ? *slot : 0;
	return K8C_SCHED_SUCCESS;
}

static int pts_normalize_score(void *cookie, const k8c_sched_cycle_t *cycle,
                               k8c_sched_node_score_t *scores, size_t n)
{
	const state_t *st = cycle->state;
	int64_t min = INT64_MAX, max = 0;
	unsigned char *ignored;

	if (st == NULL || !st->scoring)
		return K8C_SCHED_SUCCESS;
	ignored = k8c_xcalloc(n + 1, 1);
	for (size_t i = 0; i < n; i++) {
		if (st->ignored.count > 0 && scores[i].name != NULL &&
		    k8c_strmap_get(&st->ignored, scores[i].name) != NULL) {
			ignored[i] = 1;
			continue;
		}
		if (scores[i].score < min)
			min = scores[i].score;
		if (scores[i].score > max)
			max = scores[i].score;
	}
	for (size_t i = 0; i < n; i++) {
		if (ignored[i])
			scores[i].score = 0;
		else if (max == 0)
			scores[i].score = K8C_SCHED_MAX_SCORE;
		else
			scores[i].score = K8C_SCHED_MAX_SCORE *
			                  (max + min - scores[i].score) / max;
	}
	free(ignored);
	return K8C_SCHED_SUCCESS;
}

static void pts_state_free(void *cookie, void *state)
{
	state_free(state);
}

/* --- instance ---------------------------------------------------------------- */

static int parse_config(instance_t *inst, const cJSON *config, k8c_error_t *err)
{
	const cJSON *type = member(config, "defaultingType");
	const cJSON *list = member(config, "defaultConstraints"), *it;
	int system = 1, ret;

	if (config != NULL && !cJSON_IsObject(config))
		return k8c_error_make(err, K8C_EINVAL, "config must be an object");
	cJSON_ArrayForEach(it, config)
		if (strcmp(it->string, "defaultingType") != 0 &&
		    strcmp(it->string, "defaultConstraints") != 0)
			LOG(inst, K8C_LOG_WARN, "config: unknown field \"%s\" ignored",
			    it->string);
	if (type != NULL) {
		if (cJSON_IsString(type) && strcmp(type->valuestring, "List") == 0)
			system = 0;
		else if (!cJSON_IsString(type) ||
		         strcmp(type->valuestring, "System") != 0)
			return k8c_error_make(err, K8C_EINVAL,
			                      "defaultingType: Unsupported value: \"%s\": "
			                      "supported values: \"System\", \"List\"",
			                      cJSON_IsString(type) ? type->valuestring
			                                           : "?");
	}
	ret = defaults_parse(list, system, &inst->defaults, err);
	if (ret < 0)
		return ret;
	inst->system_defaulted = system;
	for (size_t j = 0; j < inst->defaults.n; j++) {
		if (inst->defaults.v[j].when == WHEN_DO_NOT_SCHEDULE)
			inst->n_default_hard++;
		else
			inst->n_default_soft++;
	}
	return 0;
}

static int pts_init(const k8c_host_t *host, const struct cJSON *config,
                    void **cookie, k8c_error_t *err)
{
	instance_t *inst = k8c_xcalloc(1, sizeof(*inst));
	int ret;

	inst->host = host;
	inst->has_all_nodes = host->abi_minor >= 4;
	if (inst->has_all_nodes)
		inst->memo = memo_new();
	ret = parse_config(inst, config, err);
	if (ret < 0) {
		clist_free(&inst->defaults);
		memo_free(inst->memo);
		free(inst);
		return ret;
	}
	if (!inst->has_all_nodes)
		LOG(inst, K8C_LOG_WARN, "the scheduler (ABI 1.%u) gives no node "
		    "snapshot: pods with DoNotSchedule constraints cannot be "
		    "scheduled, ScheduleAnyway ones count feasible nodes only",
		    (unsigned)host->abi_minor);
	if (inst->defaults.n > 0) {
		inst->owners = owner_cache_new(host);
		if (inst->owners == NULL) {
			/* Without the objects that select a pod there is no
			 * selector to spread by: no default constraints. */
			LOG(inst, K8C_LOG_WARN, "no API client: the %s default "
			    "constraints are not applied",
			    inst->system_defaulted ? "System" : "List");
			inst->n_default_hard = inst->n_default_soft = 0;
		}
	}
	*cookie = inst;
	return 0;
}

static void pts_fini(void *cookie)
{
	instance_t *inst = cookie;

	if (inst == NULL)
		return;
	owner_cache_free(inst->owners);
	memo_free(inst->memo);
	clist_free(&inst->defaults);
	free(inst);
}

static const k8c_sched_policy_ops_t ops = {
	.struct_size = sizeof(k8c_sched_policy_ops_t),
	.pre_filter = pts_pre_filter,
	.filter = pts_filter,
	.pre_score = pts_pre_score,
	.score = pts_score,
	.normalize_score = pts_normalize_score,
	.state_free = pts_state_free,
};

K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
	K8C_PLUGIN_HEADER(K8C_PLUGIN_SCHEDULER),
	.name = "pod-topology-spread",
	.version = PACKAGE_VERSION,
	.description = "topologySpreadConstraints, as kube-scheduler's "
	               "PodTopologySpread",
	.init = pts_init,
	.fini = pts_fini,
	.ops = &ops,
};
