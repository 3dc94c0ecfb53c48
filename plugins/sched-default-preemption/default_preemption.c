/* Scheduler policy "default-preemption": kube-scheduler's DefaultPreemption
 * PostFilter plugin (Kubernetes 1.32, pkg/scheduler/framework/preemption and
 * plugins/defaultpreemption).
 *
 * post_filter runs when no node passed filter.  It looks for a node where
 * evicting pods of lower priority than the incoming pod would make it fit:
 *
 *  1. Eligibility.  spec.preemptionPolicy Never: no preemption.  A pod that
 *     is already nominated to a node (status.nominatedNodeName) waits while
 *     that node has a lower-priority pod that is terminating because the
 *     scheduler preempted it (deletionTimestamp set and DisruptionTarget=True
 *     with reason PreemptionByScheduler), unless filter found that node
 *     UNRESOLVABLE (or did not report it: Kubernetes counts absent nodes as
 *     UnschedulableAndUnresolvable).
 *  2. Candidates: the nodes filter found UNSCHEDULABLE; UNRESOLVABLE ones
 *     are not helped by preemption.  At most max(minCandidateNodesPercentage%
 *     of them, minCandidateNodesAbsolute) candidates are collected, walking
 *     the nodes from a random offset, so that a large cluster does not dry-run
 *     preemption on every node.
 *  3. Per node: remove every pod of lower priority (spec.priority, absent is
 *     0) and run the profile's filters (cycle->filter_without).  If the pod
 *     still does not fit, the node fails with the filters' reason.  Else
 *     reprieve: most important first (higher priority, then earlier
 *     status.startTime), put each back and keep it if the pod still fits.
 *     What is left are the victims.
 *  4. Pick one node (pickOneNodeForPreemption): fewest PodDisruptionBudget
 *     violations, lowest highest-victim priority, smallest sum of victim
 *     priorities (each plus 2^31 so that all are positive), fewest victims,
 *     latest earliest start time among the highest-priority victims, then
 *     the first found.
 *  5. Evict the victims through the host's API client: PATCH the victim's
 *     status with DisruptionTarget=True (reason PreemptionByScheduler,
 *     message "<schedulerName>: preempting to accommodate a higher priority
 *     pod"), DELETE it (graceful), and post a Normal "Preempted" event
 *     "Preempted by pod <uid> on node <node>".  A victim already terminating
 *     gets no call; one that is already gone (404) is fine.  Any other API
 *     failure is an ERROR.
 *  6. SUCCESS with the node's name in nominated_node; the host nominates the
 *     pod to it and retries it once the victims are gone.
 *
 * On failure, reason is Kubernetes' PostFilter message without its final
 * period (the host appends " REASON."):
 *   "preemption: not eligible due to preemptionPolicy=Never"
 *   "preemption: 0/5 nodes are available: 1 Insufficient cpu,
 *    2 No preemption victims found for incoming pod,
 *    2 Preemption is not helpful for scheduling"
 * (each node's reason counted, "COUNT REASON" sorted as strings).
 *
 * Left out, because k8c has no such objects or the ABI does not show them:
 * PodDisruptionBudgets (k8c has none: no victim violates one, so criterion
 * 1 is always a tie), scheduler extenders, Permit's waiting pods, and
 * clearing status.nominatedNodeName of lower-priority pods nominated to the
 * chosen node (the host's nominator is not visible here: node->pods holds
 * only bound and assumed pods, which are never nominated).  The host's
 * filter_without runs with the cycle's pre_filter state (Kubernetes updates
 * it with AddPod/RemovePod extensions), and its reason is one string per
 * node, counted whole as the host's own FitError message does.
 *
 * Config (kube's DefaultPreemptionArgs):
 *   minCandidateNodesPercentage  0-100, default 10
 *   minCandidateNodesAbsolute    >= 0, default 100 (not both 0)
 *
 * post_filter runs on the scheduler's thread only and is rare: it allocates
 * its work buffers per call. */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/client.h>
#include <k8c/scheduler.h>

#include "common/mem.h"
#include "common/names.h"
#include "common/strmap.h"
#include "common/timestamp.h"

#define NOT_HELPFUL "Preemption is not helpful for scheduling"
#define NO_VICTIMS "No preemption victims found for incoming pod"
#define DEFAULT_SCHEDULER "default-scheduler"
#define RMAX K8C_SCHED_REASON_MAX

typedef struct preemption {
	const k8c_host_t *host; /* borrowed, valid until fini */
	int64_t min_pct, min_abs;
	uint64_t rng; /* xorshift state for the random offset */
} preemption_t;

/* A pod on a node that may be preempted. */
typedef struct victim {
	const cJSON *pod; /* borrowed from node->pods */
	int32_t prio;
	int64_t start; /* status.startTime, or the call's "now" when it has not started */
	size_t idx;    /* position in node->pods: keeps the order stable */
} victim_t;

/* A node where preemption helps, with the keys of pickOneNodeForPreemption. */
typedef struct candidate {
	size_t node;       /* index in cycle->all_nodes */
	victim_t *victims; /* owned by the run; most important first */
	size_t n;
	int32_t highest;  /* priority of victims[0] */
	int64_t sum;      /* sum of (priority + 2^31) */
	int64_t earliest; /* earliest start among the victims of priority `highest` */
} candidate_t;

/* The state of one post_filter call. */
typedef struct run {
	preemption_t *pe;               /* borrowed: its rng moves */
	const k8c_sched_cycle_t *cycle; /* borrowed */
	int32_t prio;                   /* the incoming pod's */
	int64_t now;
	size_t cap;            /* entries of pv, without and both victim arrays */
	victim_t *pv;          /* owned: potential victims of the node at hand */
	const cJSON **without; /* owned: the pods filter_without leaves out */
	candidate_t best, cur; /* cur is swapped into best when it wins */
	size_t n_candidates;
	size_t n_failed;   /* nodes that got a status of their own */
	k8c_strmap_t hist; /* reason -> number of nodes (intptr_t) */
	char error[RMAX];  /* the first filter error, when error_seen */
	int error_seen;
} run_t;

/* ------------------------------------------------------------------------
 * Pod fields
 * ------------------------------------------------------------------------ */

/* obj.a.b as a string (borrowed), or NULL (b may be NULL for obj.a). */
static const char *jstr(const cJSON *obj, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, a);

	if (b != NULL)
		v = cJSON_GetObjectItemCaseSensitive(v, b);
	return cJSON_IsString(v) && v->valuestring != NULL ? v->valuestring : NULL;
}

static int streq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* Format a reason, truncated to K8C_SCHED_REASON_MAX. */
__attribute__((format(printf, 2, 3))) static void set_reason(char reason[RMAX], const char *fmt,
                                                             ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, RMAX, fmt, ap);
	va_end(ap);
}

/* spec.priority (corev1helpers.PodPriority): absent is 0.  A value of
 * another type or out of int32 range is what API validation refuses; it
 * is read as 0 or clamped, never trusted further. */
static int32_t pod_priority(const cJSON *pod)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(pod, "spec"), "priority");
	double d;

	if (!cJSON_IsNumber(v))
		return 0;
	d = v->valuedouble;
	if (!(d == d))
		return 0;
	if (d <= (double)INT32_MIN)
		return INT32_MIN;
	if (d >= (double)INT32_MAX)
		return INT32_MAX;
	return (int32_t)d;
}

/* GetPodStartTime: status.startTime, or now for pods that have not started
 * (assumed and just bound pods; an unparsable time counts the same). */
static int64_t pod_start(const cJSON *pod, int64_t now)
{
	const char *s = jstr(pod, "status", "startTime");
	int64_t ns;

	if (s == NULL || k8c_time_parse(s, &ns, NULL) < 0)
		return now;
	return ns;
}

static int terminating(const cJSON *pod)
{
	const cJSON *dt = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(pod, "metadata"), "deletionTimestamp");

	return dt != NULL && !cJSON_IsNull(dt);
}

/* The pod's first condition of type `type`, or NULL. */
static const cJSON *find_condition(const cJSON *pod, const char *type)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(
	                          cJSON_GetObjectItemCaseSensitive(pod, "status"), "conditions"))
	{
		if (streq(jstr(c, "type", NULL), type))
			return c;
	}
	return NULL;
}

/* podTerminatingByPreemption: being deleted because the scheduler
 * preempted it. */
static int terminating_by_preemption(const cJSON *pod)
{
	const cJSON *c;

	if (!terminating(pod))
		return 0;
	c = find_condition(pod, "DisruptionTarget");
	return c != NULL && streq(jstr(c, "status", NULL), "True") &&
	       streq(jstr(c, "reason", NULL), "PreemptionByScheduler");
}

/* MoreImportantPod: higher priority, then earlier start; then the node's
 * order, so that the result does not depend on qsort. */
static int by_importance(const void *a, const void *b)
{
	const victim_t *x = a, *y = b;

	if (x->prio != y->prio)
		return x->prio > y->prio ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* ------------------------------------------------------------------------
 * Config, instances
 * ------------------------------------------------------------------------ */

static int get_int(const cJSON *cfg, const char *key, int64_t lo, int64_t hi, int64_t *out,
                   k8c_error_t *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);

	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsNumber(v))
		return k8c_error_make(err, K8C_EINVAL, "config: %s must be an integer", key);
	/* The range first: casting a huge double to int64 is undefined. */
	if (!(v->valuedouble >= (double)lo && v->valuedouble <= (double)hi)) {
		if (hi == INT32_MAX)
			return k8c_error_make(
			    err, K8C_EINVAL,
			    "config: %s: Invalid value: %g: not in valid range [%lld, inf)", key,
			    v->valuedouble, (long long)lo);
		return k8c_error_make(
		    err, K8C_EINVAL,
		    "config: %s: Invalid value: %g: not in valid range [%lld, %lld]", key,
		    v->valuedouble, (long long)lo, (long long)hi);
	}
	if (v->valuedouble != (double)(int64_t)v->valuedouble)
		return k8c_error_make(err, K8C_EINVAL, "config: %s must be an integer", key);
	*out = (int64_t)v->valuedouble;
	return 0;
}

static int pe_init(const k8c_host_t *host, const cJSON *config, void **cookie, k8c_error_t *err)
{
	static const char *const known[] = {
	    "minCandidateNodesPercentage", "minCandidateNodesAbsolute", "apiVersion", "kind", NULL};
	preemption_t *pe;
	int64_t pct = 10, abs_ = 100;
	const cJSON *c;

	if (config != NULL && !cJSON_IsObject(config))
		return k8c_error_make(err, K8C_EINVAL, "config: must be an object");
	cJSON_ArrayForEach(c, config)
	{
		int found = 0;
		for (const char *const *k = known; *k != NULL && !found; k++)
			found = c->string != NULL && strcmp(c->string, *k) == 0;
		if (!found)
			host->log(host->ctx, K8C_LOG_WARN, "config: ignoring unknown field %s",
			          c->string ? c->string : "");
	}
	if (get_int(config, "minCandidateNodesPercentage", 0, 100, &pct, err) < 0 ||
	    get_int(config, "minCandidateNodesAbsolute", 0, INT32_MAX, &abs_, err) < 0)
		return -K8C_EINVAL;
	if (pct == 0 && abs_ == 0)
		return k8c_error_make(err, K8C_EINVAL,
		                      "config: minCandidateNodesPercentage and "
		                      "minCandidateNodesAbsolute cannot both be zero");
	if (host->client == NULL)
		host->log(host->ctx, K8C_LOG_WARN, "no API client: preemption will fail");
	pe = k8c_xcalloc(1, sizeof(*pe));
	pe->host = host;
	pe->min_pct = pct;
	pe->min_abs = abs_;
	pe->rng = (uint64_t)host->now_ns(host->ctx) ^ (uint64_t)host->monotonic_ns(host->ctx) ^
	          (uint64_t)(uintptr_t)pe;
	if (pe->rng == 0)
		pe->rng = 0x9e3779b97f4a7c15ULL;
	*cookie = pe;
	return 0;
}

static void pe_fini(void *cookie)
{
	free(cookie);
}

/* A random number (xorshift64*); good enough for an offset. */
static uint64_t next_rand(preemption_t *pe)
{
	uint64_t x = __atomic_load_n(&pe->rng, __ATOMIC_RELAXED);

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	__atomic_store_n(&pe->rng, x, __ATOMIC_RELAXED);
	return x * 0x2545f4914f6cdd1dULL;
}

/* calculateNumCandidates. */
static size_t num_candidates(const preemption_t *pe, size_t n)
{
	int64_t k = (int64_t)n * pe->min_pct / 100;

	if (k < pe->min_abs)
		k = pe->min_abs;
	return (size_t)k > n ? n : (size_t)k;
}

/* ------------------------------------------------------------------------
 * Eligibility (PodEligibleToPreemptOthers)
 * ------------------------------------------------------------------------ */

static int eligible(const run_t *r, char reason[RMAX])
{
	const k8c_sched_cycle_t *cy = r->cycle;
	const char *nominated = jstr(cy->pod, "status", "nominatedNodeName");

	if (streq(jstr(cy->pod, "spec", "preemptionPolicy"), "Never")) {
		set_reason(reason, "preemption: not eligible due to preemptionPolicy=Never");
		return 0;
	}
	if (nominated == NULL || nominated[0] == '\0')
		return 1;
	for (size_t i = 0; i < cy->n_all_nodes; i++) {
		const k8c_sched_node_t *node = cy->all_nodes[i];
		if (node == NULL || !streq(node->name, nominated))
			continue;
		/* Filter found the nominated node unresolvable (or did not
		 * report it): preempt again, elsewhere. */
		if (cy->node_codes[i] != K8C_SCHED_UNSCHEDULABLE)
			return 1;
		for (size_t j = 0; j < node->n_pods; j++) {
			const cJSON *p = node->pods[j];
			if (pod_priority(p) < r->prio && terminating_by_preemption(p)) {
				set_reason(reason, "preemption: not eligible due to a terminating "
				                   "pod on the nominated node");
				return 0;
			}
		}
		return 1;
	}
	return 1;
}

/* ------------------------------------------------------------------------
 * Victims on one node (SelectVictimsOnNode)
 * ------------------------------------------------------------------------ */

static void ensure(run_t *r, size_t n)
{
	if (n <= r->cap)
		return;
	r->pv = k8c_xrealloc(r->pv, n * sizeof(*r->pv));
	r->without = k8c_xrealloc(r->without, n * sizeof(*r->without));
	r->best.victims = k8c_xrealloc(r->best.victims, n * sizeof(*r->best.victims));
	r->cur.victims = k8c_xrealloc(r->cur.victims, n * sizeof(*r->cur.victims));
	r->cap = n;
}

static void candidate_keys(candidate_t *c)
{
	c->highest = c->victims[0].prio;
	c->earliest = c->victims[0].start;
	c->sum = 0;
	for (size_t i = 0; i < c->n; i++) {
		c->sum += (int64_t)c->victims[i].prio + ((int64_t)INT32_MAX + 1);
		if (c->victims[i].prio == c->highest && c->victims[i].start < c->earliest)
			c->earliest = c->victims[i].start;
	}
}

/* Does a make a better preemption target than b?  Ties keep b, the one
 * found first.  (No PDBs: their criterion always ties.) */
static int better(const candidate_t *a, const candidate_t *b)
{
	if (a->highest != b->highest)
		return a->highest < b->highest;
	if (a->sum != b->sum)
		return a->sum < b->sum;
	if (a->n != b->n)
		return a->n < b->n;
	return a->earliest > b->earliest;
}

/* Fill r->cur for node ni and return SUCCESS, or the node's failure with
 * its reason: UNSCHEDULABLE/UNRESOLVABLE (counted in the message) or ERROR. */
static int select_victims(run_t *r, size_t ni, char reason[RMAX])
{
	const k8c_sched_cycle_t *cy = r->cycle;
	const k8c_sched_node_t *node = cy->all_nodes[ni];
	size_t n = 0, nv = 0;
	int code;

	ensure(r, node->n_pods);
	for (size_t j = 0; j < node->n_pods; j++) {
		const cJSON *p = node->pods[j];
		int32_t prio;
		if (p == NULL)
			continue;
		prio = pod_priority(p);
		if (prio < r->prio)
			r->pv[n++] = (victim_t){p, prio, pod_start(p, r->now), j};
	}
	if (n == 0) {
		set_reason(reason, NO_VICTIMS);
		return K8C_SCHED_UNRESOLVABLE;
	}
	for (size_t j = 0; j < n; j++)
		r->without[j] = r->pv[j].pod;
	/* If the pod does not fit even without all of them, this node is no
	 * candidate.  (Kubernetes does not look for affinity to a victim
	 * either.) */
	reason[0] = '\0';
	code = cy->filter_without(cy->host_ctx, node, r->without, n, reason);
	if (code != K8C_SCHED_SUCCESS)
		return code == K8C_SCHED_UNSCHEDULABLE || code == K8C_SCHED_UNRESOLVABLE
		           ? code
		           : K8C_SCHED_ERROR;
	qsort(r->pv, n, sizeof(*r->pv), by_importance);
	/* Reprieve, most important first: pv[j] goes back on the node while
	 * the victims so far and the pods after it stay away. */
	for (size_t j = 0; j < n; j++) {
		size_t m = 0;
		char why[RMAX] = "";
		for (size_t k = 0; k < nv; k++)
			r->without[m++] = r->cur.victims[k].pod;
		for (size_t k = j + 1; k < n; k++)
			r->without[m++] = r->pv[k].pod;
		code = cy->filter_without(cy->host_ctx, node, r->without, m, why);
		if (code == K8C_SCHED_SUCCESS)
			continue;
		if (code != K8C_SCHED_UNSCHEDULABLE && code != K8C_SCHED_UNRESOLVABLE) {
			memcpy(reason, why, RMAX);
			return K8C_SCHED_ERROR;
		}
		r->cur.victims[nv++] = r->pv[j];
	}
	if (nv == 0) {
		/* The pod fits with every pod in place: filter said otherwise
		 * a moment ago.  Kubernetes reports this as an error too. */
		set_reason(reason, "expected at least one victim pod on node \"%s\"", node->name);
		return K8C_SCHED_ERROR;
	}
	r->cur.node = ni;
	r->cur.n = nv;
	candidate_keys(&r->cur);
	return K8C_SCHED_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Candidates (findCandidates, DryRunPreemption) and the FitError message
 * ------------------------------------------------------------------------ */

static void count_reason(k8c_strmap_t *hist, const char *reason, size_t n)
{
	intptr_t have = (intptr_t)k8c_strmap_get(hist, reason);

	k8c_strmap_put(hist, reason, (void *)(have + (intptr_t)n));
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "preemption: 0/N nodes are available: 2 A, 3 B" (FitError.Error() with
 * the nodes that got no status of their own counted as "Preemption is not
 * helpful for scheduling"; the final period is the host's). */
static void fit_message(run_t *r, char reason[RMAX])
{
	size_t n_all = r->cycle->n_all_nodes, n = 0, len, i;
	k8c_strmap_entry_t *e;
	char **texts;

	if (n_all > r->n_failed)
		count_reason(&r->hist, NOT_HELPFUL, n_all - r->n_failed);
	texts = k8c_xcalloc(r->hist.count + 1, sizeof(*texts));
	for (e = k8c_strmap_first(&r->hist, &i); e != NULL; e = k8c_strmap_next(&r->hist, e, &i))
		texts[n++] = k8c_xasprintf("%ld %s", (long)(intptr_t)e->value, e->key);
	qsort(texts, n, sizeof(*texts), by_string);
	len = (size_t)snprintf(reason, RMAX, "preemption: 0/%zu nodes are available:", n_all);
	for (i = 0; i < n; i++) {
		if (len < RMAX)
			len += (size_t)snprintf(reason + len, RMAX - len, "%s%s", i ? ", " : " ",
			                        texts[i]);
		free(texts[i]);
	}
	free(texts);
}

static int find_candidates(run_t *r, char reason[RMAX])
{
	const k8c_sched_cycle_t *cy = r->cycle;
	size_t n_pot = 0, want, off;
	_cleanup_free_ size_t *pot = NULL;

	if (cy->n_all_nodes == 0) {
		set_reason(reason, "preemption: no nodes available");
		return K8C_SCHED_ERROR;
	}
	pot = k8c_xcalloc(cy->n_all_nodes, sizeof(*pot));
	for (size_t i = 0; i < cy->n_all_nodes; i++)
		if (cy->node_codes[i] == K8C_SCHED_UNSCHEDULABLE && cy->all_nodes[i] != NULL)
			pot[n_pot++] = i;
	if (n_pot == 0) {
		fit_message(r, reason);
		return K8C_SCHED_UNSCHEDULABLE;
	}
	want = num_candidates(r->pe, n_pot);
	off = (size_t)(next_rand(r->pe) % n_pot);
	for (size_t k = 0; k < n_pot && r->n_candidates < want; k++) {
		char why[RMAX] = "";
		int code = select_victims(r, pot[(off + k) % n_pot], why);
		if (code == K8C_SCHED_SUCCESS) {
			if (r->n_candidates++ == 0 || better(&r->cur, &r->best)) {
				candidate_t t = r->best;
				r->best = r->cur;
				r->cur = t;
			}
			continue;
		}
		r->n_failed++;
		if (code == K8C_SCHED_ERROR) {
			if (!r->error_seen)
				snprintf(r->error, RMAX, "%s", why[0] ? why : "filter error");
			r->error_seen = 1;
		} else {
			count_reason(&r->hist, why[0] ? why : "node(s) didn't fit", 1);
		}
	}
	if (r->n_candidates > 0)
		return K8C_SCHED_SUCCESS;
	if (r->error_seen) {
		set_reason(reason, "preemption: %s", r->error);
		return K8C_SCHED_ERROR;
	}
	fit_message(r, reason);
	return K8C_SCHED_UNSCHEDULABLE;
}

/* ------------------------------------------------------------------------
 * Eviction (prepareCandidate, PreemptPod)
 * ------------------------------------------------------------------------ */

/* {"status":{"conditions":[DisruptionTarget]}} for a strategic merge patch
 * of pods/status, or NULL when the victim has that condition already
 * (UpdatePodCondition: the transition time stays when the status does). */
static cJSON *condition_patch(const run_t *r, const cJSON *victim, const char *message)
{
	const cJSON *old = find_condition(victim, "DisruptionTarget");
	const char *ltt = NULL;
	char now[K8C_TIME_STRLEN];
	cJSON *patch, *conds, *c;

	if (old != NULL && streq(jstr(old, "status", NULL), "True")) {
		const cJSON *probe = cJSON_GetObjectItemCaseSensitive(old, "lastProbeTime");
		if (streq(jstr(old, "reason", NULL), "PreemptionByScheduler") &&
		    streq(jstr(old, "message", NULL), message) &&
		    (probe == NULL || cJSON_IsNull(probe)))
			return NULL;
		ltt = jstr(old, "lastTransitionTime", NULL);
	}
	if (ltt == NULL)
		ltt = k8c_time_format(r->now, now);
	patch = cJSON_CreateObject();
	conds = cJSON_AddArrayToObject(cJSON_AddObjectToObject(patch, "status"), "conditions");
	c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "type", "DisruptionTarget");
	cJSON_AddStringToObject(c, "status", "True");
	cJSON_AddNullToObject(c, "lastProbeTime");
	cJSON_AddStringToObject(c, "lastTransitionTime", ltt);
	cJSON_AddStringToObject(c, "reason", "PreemptionByScheduler");
	cJSON_AddStringToObject(c, "message", message);
	cJSON_AddItemToArray(conds, c);
	return patch;
}

static cJSON *pod_ref(const cJSON *pod)
{
	cJSON *o = cJSON_CreateObject();
	const char *v;

	cJSON_AddStringToObject(o, "apiVersion", "v1");
	cJSON_AddStringToObject(o, "kind", "Pod");
	if ((v = jstr(pod, "metadata", "namespace")) != NULL)
		cJSON_AddStringToObject(o, "namespace", v);
	if ((v = jstr(pod, "metadata", "name")) != NULL)
		cJSON_AddStringToObject(o, "name", v);
	if ((v = jstr(pod, "metadata", "uid")) != NULL)
		cJSON_AddStringToObject(o, "uid", v);
	return o;
}

/* The victim's Normal "Preempted" event (best effort, as events are). */
static void post_event(const run_t *r, const cJSON *victim, const char *ns, const char *name,
                       const char *node, const char *sched)
{
	const k8c_host_t *host = r->pe->host;
	const char *uid = jstr(r->cycle->pod, "metadata", "uid");
	char now[K8C_TIME_STRLEN], path[128], ename[256], msg[RMAX + 64];
	_cleanup_json_ cJSON *ev = cJSON_CreateObject();
	cJSON *md;
	k8c_error_t err;

	k8c_time_format(r->now, now);
	snprintf(ename, sizeof(ename), "%.236s.%llx", name, (unsigned long long)r->now);
	snprintf(msg, sizeof(msg), "Preempted by pod %.100s on node %.200s", uid ? uid : "", node);
	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/events", ns);
	cJSON_AddStringToObject(ev, "apiVersion", "v1");
	cJSON_AddStringToObject(ev, "kind", "Event");
	md = cJSON_AddObjectToObject(ev, "metadata");
	cJSON_AddStringToObject(md, "name", ename);
	cJSON_AddStringToObject(md, "namespace", ns);
	cJSON_AddItemToObject(ev, "involvedObject", pod_ref(victim));
	cJSON_AddItemToObject(ev, "related", pod_ref(r->cycle->pod));
	cJSON_AddStringToObject(ev, "reason", "Preempted");
	cJSON_AddStringToObject(ev, "message", msg);
	cJSON_AddStringToObject(ev, "type", "Normal");
	cJSON_AddStringToObject(ev, "action", "Preempting");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(ev, "source"), "component", sched);
	cJSON_AddStringToObject(ev, "firstTimestamp", now);
	cJSON_AddStringToObject(ev, "lastTimestamp", now);
	cJSON_AddNumberToObject(ev, "count", 1);
	cJSON_AddStringToObject(ev, "reportingComponent", sched);
	cJSON_AddStringToObject(ev, "reportingInstance", "");
	if (host->client->request(host->client_ctx, "POST", path, ev, NULL, NULL, &err) < 0)
		host->log(host->ctx, K8C_LOG_DEBUG, "pod %s/%s: event Preempted: %s", ns, name,
		          err.message);
}

static int preempt_pod(const run_t *r, const cJSON *victim, const char *node, const char *sched,
                       char reason[RMAX])
{
	const k8c_host_t *host = r->pe->host;
	const char *ns = jstr(victim, "metadata", "namespace");
	const char *name = jstr(victim, "metadata", "name");
	char path[400], message[RMAX];
	_cleanup_json_ cJSON *patch = NULL, *opts = NULL;
	k8c_error_t err;

	/* Stored pods have valid names: anything else must not become a
	 * request to some other path. */
	if (ns == NULL || name == NULL || !k8c_is_dns1123_label(ns, NULL, 0) ||
	    !k8c_is_dns1123_subdomain(name, NULL, 0)) {
		set_reason(reason, "preemption: a victim on node %s has no valid name", node);
		return K8C_SCHED_ERROR;
	}
	if (terminating(victim)) {
		/* Graceful deletion has started: nothing to send. */
		host->log(host->ctx, K8C_LOG_DEBUG,
		          "victim %s/%s on node %s is already terminating", ns, name, node);
		return K8C_SCHED_SUCCESS;
	}
	snprintf(message, sizeof(message),
	         "%.180s: preempting to accommodate a higher priority pod", sched);
	patch = condition_patch(r, victim, message);
	if (patch != NULL) {
		snprintf(path, sizeof(path), "/api/v1/namespaces/%s/pods/%s/status", ns, name);
		if (host->client->request(host->client_ctx, "PATCH", path, patch,
		                          K8C_PATCH_STRATEGIC, NULL, &err) < 0) {
			if (err.code == K8C_ENOTFOUND)
				return K8C_SCHED_SUCCESS; /* already gone */
			set_reason(reason, "preemption: pod %s/%s: DisruptionTarget: %s", ns, name,
			           err.message);
			return K8C_SCHED_ERROR;
		}
	}
	opts = cJSON_CreateObject();
	cJSON_AddStringToObject(opts, "kind", "DeleteOptions");
	cJSON_AddStringToObject(opts, "apiVersion", "v1");
	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/pods/%s", ns, name);
	if (host->client->request(host->client_ctx, "DELETE", path, opts, NULL, NULL, &err) < 0) {
		if (err.code == K8C_ENOTFOUND)
			return K8C_SCHED_SUCCESS;
		set_reason(reason, "preemption: deleting pod %s/%s: %s", ns, name, err.message);
		return K8C_SCHED_ERROR;
	}
	host->log(host->ctx, K8C_LOG_DEBUG, "preempted pod %s/%s on node %s", ns, name, node);
	post_event(r, victim, ns, name, node, sched);
	return K8C_SCHED_SUCCESS;
}

static int evict(const run_t *r, const candidate_t *c, char reason[RMAX])
{
	const k8c_host_t *host = r->pe->host;
	const char *node = r->cycle->all_nodes[c->node]->name;
	const char *sched = jstr(r->cycle->pod, "spec", "schedulerName");

	/* The API server defaults spec.schedulerName. */
	if (sched == NULL || sched[0] == '\0')
		sched = DEFAULT_SCHEDULER;
	if (host->client == NULL || host->client->request == NULL) {
		set_reason(reason, "preemption: no API client: cannot evict %zu pod(s) on node %s",
		           c->n, node);
		return K8C_SCHED_ERROR;
	}
	for (size_t i = 0; i < c->n; i++) {
		int code = preempt_pod(r, c->victims[i].pod, node, sched, reason);
		if (code != K8C_SCHED_SUCCESS)
			return code;
	}
	return K8C_SCHED_SUCCESS;
}

/* ------------------------------------------------------------------------
 * post_filter (Evaluator.Preempt)
 * ------------------------------------------------------------------------ */

static int pe_post_filter(void *cookie, const k8c_sched_cycle_t *cycle,
                          const k8c_sched_node_t *const *nodes, size_t n_nodes,
                          char nominated_node[256], char reason[RMAX])
{
	preemption_t *pe = cookie;
	const k8c_host_t *host = pe->host;
	run_t r;
	int code;

	(void)nodes; /* == cycle->all_nodes, which node_codes is aligned with */
	(void)n_nodes;
	reason[0] = '\0';
	if (cycle == NULL || cycle->pod == NULL) {
		set_reason(reason, "preemption: no pod");
		return K8C_SCHED_ERROR;
	}
	/* A host without the 1.4 post_filter members gives nothing to go by. */
	if (host->abi_minor < 4 || cycle->all_nodes == NULL || cycle->node_codes == NULL ||
	    cycle->filter_without == NULL)
		return K8C_SCHED_UNSCHEDULABLE;

	memset(&r, 0, sizeof(r));
	r.pe = pe;
	r.cycle = cycle;
	r.prio = pod_priority(cycle->pod);
	r.now = host->now_ns(host->ctx);
	k8c_strmap_init(&r.hist);
	if (!eligible(&r, reason))
		code = K8C_SCHED_UNSCHEDULABLE;
	else
		code = find_candidates(&r, reason);
	if (code == K8C_SCHED_SUCCESS) {
		const char *node = cycle->all_nodes[r.best.node]->name;
		code = evict(&r, &r.best, reason);
		if (code == K8C_SCHED_SUCCESS) {
			const char *ns = jstr(cycle->pod, "metadata", "namespace");
			const char *name = jstr(cycle->pod, "metadata", "name");
			snprintf(nominated_node, 256, "%s", node);
			host->log(host->ctx, K8C_LOG_INFO,
			          "pod %s/%s: preempted %zu pod(s) on node %s", ns ? ns : "",
			          name ? name : "", r.best.n, node);
		}
	}
	k8c_strmap_free(&r.hist);
	free(r.pv);
	free(r.without);
	free(r.best.victims);
	free(r.cur.victims);
	return code;
}

static const k8c_sched_policy_ops_t ops = {
    .struct_size = sizeof(k8c_sched_policy_ops_t),
    .post_filter = pe_post_filter,
};

K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
    K8C_PLUGIN_HEADER(K8C_PLUGIN_SCHEDULER),
    .name = "default-preemption",
    .version = PACKAGE_VERSION,
    .description = "evicts lower-priority pods to make room (kube-scheduler DefaultPreemption)",
    .init = pe_init,
    .fini = pe_fini,
    .ops = &ops,
};
