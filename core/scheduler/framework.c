/* The scheduling framework: profiles of policy plugins (see scheduler.h
 * for the config) and one scheduling cycle through their extension
 * points, as kube-scheduler's framework runs them:
 *
 *   pre_filter  every filter plugin; SKIP leaves its filter out
 *   filter      node after node from where the last cycle stopped, each
 *               node through the plugins until one rejects it, until
 *               enough feasible nodes are found (percentageOfNodesToScore)
 *   post_filter when none fits (preemption), first SUCCESS wins
 *   pre_score, score, normalize_score   weighted sum per feasible node
 *   pick        the highest total; ties broken at random
 *   reserve     every plugin that has it; unreserve in reverse on failure
 *
 * The message of a pod that fits nowhere reads as Kubernetes' FitError:
 * "0/5 nodes are available: 2 Insufficient cpu, 3 node(s) had untolerated
 * taint {...}." with "N reason" parts sorted as strings. */
#define K8C_LOG_COMPONENT "scheduler"
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/log.h"
#include "common/mem.h"
#include "scheduler/internal.h"

#define MIN_FEASIBLE_NODES 100
#define MIN_FEASIBLE_PERCENTAGE 5

typedef struct default_point {
	const char *name;
	int64_t weight;
} default_point_t;

/* kube-scheduler 1.32's default profile, with the policies k8c has */
static const char *const default_filters[] = {
	"node-unschedulable", "node-name", "taint-toleration", "node-affinity", "node-ports",
	"node-resources-fit", "pod-topology-spread", "inter-pod-affinity",
	"default-preemption", /* post_filter only */
};
static const default_point_t default_scores[] = {
	{"taint-toleration", 3}, {"node-affinity", 2}, {"node-resources-fit", 1},
	{"pod-topology-spread", 2}, {"inter-pod-affinity", 2}, {"balanced-allocation", 1},
};
static const char *const default_binders[] = {"default-binder"};

/* --- profiles ------------------------------------------------------------------ */

static sched_plugin_t *plugin_get(k8c_scheduler_t *s, sched_profile_t *p, const char *name,
                                  const cJSON *plugin_config, int optional, k8c_error_t *err)
{
	const k8c_loaded_plugin_t *lp;
	const cJSON *args = NULL, *pc;
	sched_plugin_t *sp;

	for (size_t i = 0; i < p->n_plugins; i++)
		if (strcmp(p->plugins[i].name, name) == 0)
			return &p->plugins[i];
	lp = k8c_plugin_set_find(s->cfg.plugins, K8C_PLUGIN_SCHEDULER, name);
	if (lp == NULL) {
		if (!optional)
			k8c_error_make(err, K8C_EINVAL,
			               "profile %s: no scheduler plugin named \"%s\" is loaded (see `k8c plugins`)",
			               p->scheduler_name, name);
		else
			K8C_DEBUG("profile %s: policy %s is not installed: left out", p->scheduler_name, name);
		return NULL;
	}
	if (((const k8c_sched_policy_ops_t *)lp->desc->ops)->struct_size < K8C_SCHED_POLICY_OPS_SIZE_1_0) {
		k8c_error_make(err, K8C_EINVAL, "scheduler plugin %s: its operation table is too small", name);
		return NULL;
	}
	cJSON_ArrayForEach(pc, plugin_config) {
		const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pc, "name"));
		if (n != NULL && strcmp(n, name) == 0)
			args = cJSON_GetObjectItemCaseSensitive(pc, "args");
	}
	if (args == NULL)
		args = k8c_plugin_config_for(s->cfg.plugin_config, K8C_PLUGIN_SCHEDULER, name);
	/* the array never moves: sized for every name the profile can list */
	sp = &p->plugins[p->n_plugins];
	if (k8c_plugin_instance_new_client(lp, args, s->cfg.data_dir,
	                                   s->cfg.client ? k8c_client_api() : NULL,
	                                   s->cfg.client ? k8c_client_ctx(s->cfg.client) : NULL,
	                                   &sp->inst, err) < 0) {
		char why[K8C_ERROR_MESSAGE_MAX];
		snprintf(why, sizeof(why), "%s", err->message);
		k8c_error_make(err, err->code, "profile %s: plugin %s: %s", p->scheduler_name, name, why);
		return NULL;
	}
	sp->ops = lp->desc->ops;
	sp->cookie = k8c_plugin_instance_cookie(sp->inst);
	sp->name = lp->desc->name;
	p->n_plugins++;
	return sp;
}

static void point_add(sched_point_t **arr, size_t *n, sched_plugin_t *sp, int64_t weight)
{
	*arr = k8c_xrealloc(*arr, (*n + 1) * sizeof(**arr));
	(*arr)[(*n)++] = (sched_point_t){sp, weight};
}

/* One point list: names (strings or {name, weight}) of cfg, or the
 * defaults.  Returns < 0 with err. */
static int load_points(k8c_scheduler_t *s, sched_profile_t *p, const cJSON *list,
                       const cJSON *plugin_config, int is_score, sched_point_t **arr, size_t *n,
                       const char *const *def, const default_point_t *def_scores, size_t n_def,
                       k8c_error_t *err)
{
	const cJSON *it;

	if (list == NULL) {
		for (size_t i = 0; i < n_def; i++) {
			const char *name = def_scores ? def_scores[i].name : def[i];
			sched_plugin_t *sp = plugin_get(s, p, name, plugin_config, 1, err);
			if (sp != NULL)
				point_add(arr, n, sp, def_scores ? def_scores[i].weight : 0);
		}
		return 0;
	}
	if (!cJSON_IsArray(list))
		return k8c_error_make(err, K8C_EINVAL, "profile %s: plugins lists must be lists",
		                      p->scheduler_name);
	cJSON_ArrayForEach(it, list) {
		const char *name = cJSON_IsString(it) ? it->valuestring
		                   : cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "name"));
		const cJSON *w = cJSON_GetObjectItemCaseSensitive(it, "weight");
		int64_t weight = 1;
		sched_plugin_t *sp;

		if (name == NULL)
			return k8c_error_make(err, K8C_EINVAL, "profile %s: a plugin entry without a name",
			                      p->scheduler_name);
		if (is_score && w != NULL) {
			if (!cJSON_IsNumber(w) || w->valuedouble < 1 || w->valuedouble > 100)
				return k8c_error_make(err, K8C_EINVAL,
				                      "profile %s: plugin %s: weight must be 1..100",
				                      p->scheduler_name, name);
			weight = (int64_t)w->valuedouble;
		}
		if ((sp = plugin_get(s, p, name, plugin_config, 0, err)) == NULL)
			return -1;
		point_add(arr, n, sp, weight);
	}
	return 0;
}

static int profile_load(k8c_scheduler_t *s, sched_profile_t *p, const cJSON *cfg, k8c_error_t *err)
{
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cfg, "scheduler-name"));
	const cJSON *plugins = cJSON_GetObjectItemCaseSensitive(cfg, "plugins");
	const cJSON *pc = cJSON_GetObjectItemCaseSensitive(cfg, "plugin-config");
	size_t max = sizeof(default_filters) / sizeof(*default_filters) +
	             sizeof(default_scores) / sizeof(*default_scores) + 1;

	p->scheduler_name = k8c_xstrdup(name ? name : "default-scheduler");
	max += (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(plugins, "filter")) +
	       (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(plugins, "score")) +
	       (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(plugins, "bind"));
	p->plugins = k8c_xcalloc(max, sizeof(*p->plugins));
	if (load_points(s, p, cJSON_GetObjectItemCaseSensitive(plugins, "filter"), pc, 0, &p->filters,
	                &p->n_filters, default_filters, NULL,
	                sizeof(default_filters) / sizeof(*default_filters), err) < 0 ||
	    load_points(s, p, cJSON_GetObjectItemCaseSensitive(plugins, "score"), pc, 1, &p->scores,
	                &p->n_scores, NULL, default_scores,
	                sizeof(default_scores) / sizeof(*default_scores), err) < 0 ||
	    load_points(s, p, cJSON_GetObjectItemCaseSensitive(plugins, "bind"), pc, 0, &p->binders,
	                &p->n_binders, default_binders, NULL, 1, err) < 0)
		return -1;
	if (p->n_binders == 0)
		return k8c_error_make(err, K8C_EINVAL,
		                      "profile %s: no bind plugin (the default-binder plugin is not installed?)",
		                      p->scheduler_name);
	K8C_INFO("profile %s: %zu filter, %zu score, %zu bind plugins", p->scheduler_name,
	         p->n_filters, p->n_scores, p->n_binders);
	return 0;
}

/* Settings under plugins.scheduler for a policy no profile runs are
 * probably a mistake: say so. */
static void warn_unused(k8c_scheduler_t *s)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(s->cfg.plugin_config, "scheduler")) {
		int used = 0;
		for (size_t i = 0; i < s->n_profiles && !used; i++)
			for (size_t j = 0; j < s->profiles[i].n_plugins && !used; j++)
				used = strcmp(s->profiles[i].plugins[j].name, it->string) == 0;
		if (!used)
			K8C_WARN("plugins.scheduler.%s is configured, but no scheduler profile runs it (name it in scheduler.profiles[].plugins)",
			         it->string);
	}
}

int profiles_load(k8c_scheduler_t *s, const cJSON *config, k8c_error_t *err)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(config, "profiles");
	const cJSON *pct = cJSON_GetObjectItemCaseSensitive(config, "percentage-of-nodes-to-score");
	const cJSON *it;
	size_t n = list ? (size_t)cJSON_GetArraySize(list) : 1;

	if (pct != NULL && (!cJSON_IsNumber(pct) || pct->valuedouble < 0 || pct->valuedouble > 100))
		return k8c_error_make(err, K8C_EINVAL,
		                      "scheduler.percentage-of-nodes-to-score must be 0..100 (0: adaptive)");
	s->percentage = pct ? (int)pct->valuedouble : 0;
	if (list != NULL && (!cJSON_IsArray(list) || n == 0))
		return k8c_error_make(err, K8C_EINVAL, "scheduler.profiles must be a non-empty list");
	s->profiles = k8c_xcalloc(n, sizeof(*s->profiles));
	if (list == NULL) {
		s->n_profiles = 1;
		if (profile_load(s, &s->profiles[0], NULL, err) < 0)
			return -1;
		warn_unused(s);
		return 0;
	}
	cJSON_ArrayForEach(it, list) {
		sched_profile_t *p = &s->profiles[s->n_profiles++];
		if (profile_load(s, p, it, err) < 0)
			return -1;
		for (size_t j = 0; j + 1 < s->n_profiles; j++)
			if (strcmp(s->profiles[j].scheduler_name, p->scheduler_name) == 0)
				return k8c_error_make(err, K8C_EINVAL, "two profiles are named %s",
				                      p->scheduler_name);
	}
	warn_unused(s);
	return 0;
}

void profiles_free(k8c_scheduler_t *s)
{
	for (size_t i = 0; i < s->n_profiles; i++) {
		sched_profile_t *p = &s->profiles[i];
		for (size_t j = 0; j < p->n_plugins; j++)
			k8c_plugin_instance_free(p->plugins[j].inst);
		free(p->plugins);
		free(p->filters);
		free(p->scores);
		free(p->binders);
		free(p->scheduler_name);
	}
	free(s->profiles);
	s->profiles = NULL;
	s->n_profiles = 0;
}

sched_profile_t *profile_for(k8c_scheduler_t *s, const char *scheduler_name)
{
	if (scheduler_name == NULL || !*scheduler_name)
		scheduler_name = "default-scheduler";
	for (size_t i = 0; i < s->n_profiles; i++)
		if (strcmp(s->profiles[i].scheduler_name, scheduler_name) == 0)
			return &s->profiles[i];
	return NULL;
}

/* --- one cycle ------------------------------------------------------------------ */

/* kube-scheduler's numFeasibleNodesToFind. */
static size_t nodes_to_find(int percentage, size_t all)
{
	long pct = percentage;
	size_t n;

	if (all < MIN_FEASIBLE_NODES || pct >= 100)
		return all;
	if (pct <= 0) {
		pct = 50 - (long)(all / 125);
		if (pct < MIN_FEASIBLE_PERCENTAGE)
			pct = MIN_FEASIBLE_PERCENTAGE;
	}
	n = all * (size_t)pct / 100;
	return n < MIN_FEASIBLE_NODES ? MIN_FEASIBLE_NODES : n;
}

typedef struct reason_count {
	const char *reason; /* owned by the histogram's map */
	long count;
	char text[K8C_SCHED_REASON_MAX + 24];
} reason_count_t;

static int by_text(const void *a, const void *b)
{
	return strcmp(((const reason_count_t *)a)->text, ((const reason_count_t *)b)->text);
}


/* The seed of the random tie-break: from the pod's uid and the attempt, so
 * that the same cluster and pods give the same decisions in every run
 * (the benchmark's placement digest compares them; kube-scheduler draws
 * from a process-wide source instead). */
static unsigned tie_seed(const cJSON *pod, uint64_t attempts)
{
	const char *uid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(pod, "metadata"), "uid"));
	uint32_t h = 2166136261u;

	for (; uid != NULL && *uid; uid++)
		h = (h ^ (unsigned char)*uid) * 16777619u;
	return h ^ (unsigned)attempts;
}
/* "0/N nodes are available: 2 A, 3 B." from the histogram. */
static void fit_message(sched_result_t *res, size_t all, k8c_strmap_t *hist)
{
	reason_count_t *rc = k8c_xcalloc(hist->count + 1, sizeof(*rc));
	k8c_strmap_entry_t *e;
	size_t n = 0, i, len;

	for (e = k8c_strmap_first(hist, &i); e != NULL; e = k8c_strmap_next(hist, e, &i)) {
		rc[n].reason = e->key;
		rc[n].count = (long)(intptr_t)e->value;
		snprintf(rc[n].text, sizeof(rc[n].text), "%ld %s", rc[n].count, rc[n].reason);
		n++;
	}
	qsort(rc, n, sizeof(*rc), by_text);
	len = (size_t)snprintf(res->message, sizeof(res->message), "0/%zu nodes are available:", all);
	for (i = 0; i < n && len < sizeof(res->message); i++)
		len += (size_t)snprintf(res->message + len, sizeof(res->message) - len, "%s%s",
		                        i ? ", " : " ", rc[i].text);
	if (len < sizeof(res->message))
		snprintf(res->message + len, sizeof(res->message) - len, ".");
	free(rc);
}

static void count_reason(k8c_strmap_t *hist, const char *reason)
{
	intptr_t n = (intptr_t)k8c_strmap_get(hist, reason);

	k8c_strmap_put(hist, reason, (void *)(n + 1));
}

void framework_schedule(k8c_scheduler_t *s, sched_profile_t *p, const cJSON *pod,
                        sched_result_t *res)
{
	const k8c_sched_node_t *const *all = s->cache.views;
	size_t n_all = s->cache.n_list, want, feasible = 0, evaluated = 0;
	k8c_sched_cycle_t *cycles = k8c_xcalloc(p->n_plugins, sizeof(*cycles));
	char *skip = k8c_xcalloc(p->n_plugins + 1, 1);
	const k8c_sched_node_t **ok = NULL;
	int64_t *totals = NULL;
	k8c_podresources_t req = K8C_PODRESOURCES_INIT;
	k8c_strmap_t hist;
	char reason[K8C_SCHED_REASON_MAX];
	k8c_error_t err;
	size_t best = 0;
	unsigned seed = tie_seed(pod, s->attempts);

	memset(res, 0, sizeof(*res));
	k8c_strmap_init(&hist);
#define IDX(sp) ((size_t)((sp) - p->plugins))
	if (k8c_podresources_from_pod(pod, 0, &req, &err) < 0) {
		snprintf(res->message, sizeof(res->message), "%s", err.message);
		res->unschedulable = 1;
		goto out;
	}
	for (size_t i = 0; i < p->n_plugins; i++)
		cycles[i] = (k8c_sched_cycle_t){.pod = pod, .requests = &req.res, .all_nodes = all,
		                                .n_all_nodes = n_all};
	if (n_all == 0) {
		snprintf(res->message, sizeof(res->message), "no nodes available to schedule pods");
		res->unschedulable = 1;
		goto out;
	}

	/* pre_filter */
	for (size_t f = 0; f < p->n_filters; f++) {
		sched_plugin_t *sp = p->filters[f].plugin;
		int code;
		if (sp->ops->pre_filter == NULL)
			continue;
		reason[0] = '\0';
		code = sp->ops->pre_filter(sp->cookie, &cycles[IDX(sp)], reason);
		if (code == K8C_SCHED_SKIP) {
			skip[IDX(sp)] = 1;
		} else if (code == K8C_SCHED_UNSCHEDULABLE || code == K8C_SCHED_UNRESOLVABLE) {
			snprintf(res->message, sizeof(res->message), "0/%zu nodes are available: %s.", n_all,
			         reason[0] ? reason : sp->name);
			res->unschedulable = 1;
			goto out;
		} else if (code != K8C_SCHED_SUCCESS) {
			snprintf(res->message, sizeof(res->message), "running PreFilter plugin %s: %s",
			         sp->name, reason[0] ? reason : "error");
			goto out;
		}
	}

	/* filter, from where the last cycle stopped */
	want = nodes_to_find(s->percentage, n_all);
	ok = k8c_xmalloc(want * sizeof(*ok));
	if (s->cap_codes < n_all) {
		s->cap_codes = n_all * 2;
		s->codes = k8c_xrealloc(s->codes, s->cap_codes * sizeof(*s->codes));
	}
	for (size_t k = 0; k < n_all && feasible < want; k++) {
		size_t at = (s->next_start + k) % n_all;
		const k8c_sched_node_t *node = all[at];
		int fits = 1;
		evaluated++;
		s->codes[at] = K8C_SCHED_SUCCESS;
		for (size_t f = 0; f < p->n_filters && fits; f++) {
			sched_plugin_t *sp = p->filters[f].plugin;
			int code;
			if (skip[IDX(sp)] || sp->ops->filter == NULL)
				continue;
			reason[0] = '\0';
			code = sp->ops->filter(sp->cookie, &cycles[IDX(sp)], node, reason);
			if (code == K8C_SCHED_SUCCESS)
				continue;
			if (code != K8C_SCHED_UNSCHEDULABLE && code != K8C_SCHED_UNRESOLVABLE) {
				snprintf(res->message, sizeof(res->message), "running Filter plugin %s on node %s: %s",
				         sp->name, node->name, reason[0] ? reason : "error");
				goto out;
			}
			count_reason(&hist, reason[0] ? reason : sp->name);
			s->codes[at] = code;
			fits = 0;
		}
		if (fits)
			ok[feasible++] = node;
	}
	s->next_start = (s->next_start + evaluated) % n_all;
	res->evaluated = evaluated;
	res->feasible = feasible;

	if (feasible == 0) {
		filter_ctx_t fctx = {s, p, cycles, skip};
		res->unschedulable = 1;
		fit_message(res, n_all, &hist);
		for (size_t f = 0; f < p->n_filters; f++) {
			sched_plugin_t *sp = p->filters[f].plugin;
			k8c_sched_cycle_t *cy = &cycles[IDX(sp)];
			char nominated[256] = "";
			size_t len = strlen(res->message);
			int code;
			if (sp->ops->post_filter == NULL)
				continue;
			reason[0] = '\0';
			cy->node_codes = s->codes;
			cy->filter_without = post_filter_filter_without;
			cy->host_ctx = &fctx;
			code = sp->ops->post_filter(sp->cookie, cy, all, n_all, nominated, reason);
			cy->node_codes = NULL;
			cy->filter_without = NULL;
			cy->host_ctx = NULL;
			if (code == K8C_SCHED_SUCCESS) {
				snprintf(res->nominated, sizeof(res->nominated), "%s", nominated);
				break;
			}
			if (reason[0] && len < sizeof(res->message))
				snprintf(res->message + len, sizeof(res->message) - len, " %s.", reason);
		}
		goto out;
	}

	/* score */
	if (feasible > 1 && p->n_scores > 0) {
		totals = k8c_xcalloc(feasible, sizeof(*totals));
		k8c_sched_node_score_t *scores = k8c_xmalloc(feasible * sizeof(*scores));
		for (size_t sc = 0; sc < p->n_scores; sc++) {
			sched_plugin_t *sp = p->scores[sc].plugin;
			k8c_sched_cycle_t *cy = &cycles[IDX(sp)];
			int code = K8C_SCHED_SUCCESS;
			if (sp->ops->score == NULL)
				continue;
			if (sp->ops->pre_score != NULL)
				code = sp->ops->pre_score(sp->cookie, cy, ok, feasible);
			if (code == K8C_SCHED_SKIP)
				continue;
			if (code != K8C_SCHED_SUCCESS) {
				snprintf(res->message, sizeof(res->message), "running PreScore plugin %s: error",
				         sp->name);
				free(scores);
				goto out;
			}
			for (size_t j = 0; j < feasible; j++) {
				scores[j].name = ok[j]->name;
				scores[j].score = 0;
				if (sp->ops->score(sp->cookie, cy, ok[j], &scores[j].score) != K8C_SCHED_SUCCESS) {
					snprintf(res->message, sizeof(res->message),
					         "running Score plugin %s on node %s: error", sp->name, ok[j]->name);
					free(scores);
					goto out;
				}
			}
			if (sp->ops->normalize_score != NULL &&
			    sp->ops->normalize_score(sp->cookie, cy, scores, feasible) != K8C_SCHED_SUCCESS) {
				snprintf(res->message, sizeof(res->message), "running NormalizeScore plugin %s: error",
				         sp->name);
				free(scores);
				goto out;
			}
			for (size_t j = 0; j < feasible; j++) {
				if (scores[j].score < 0 || scores[j].score > K8C_SCHED_MAX_SCORE) {
					snprintf(res->message, sizeof(res->message),
					         "plugin %s gave node %s the score %lld, out of [0, %d]", sp->name,
					         ok[j]->name, (long long)scores[j].score, K8C_SCHED_MAX_SCORE);
					free(scores);
					goto out;
				}
				totals[j] += scores[j].score * p->scores[sc].weight;
			}
		}
		free(scores);
		/* the highest; ties at random (reservoir sampling, as kube-scheduler) */
		for (size_t j = 1, ties = 1; j < feasible; j++) {
			if (totals[j] > totals[best]) {
				best = j;
				ties = 1;
			} else if (totals[j] == totals[best] && (size_t)rand_r(&seed) % ++ties == 0) {
				best = j;
			}
		}
	}
	snprintf(res->node, sizeof(res->node), "%s", ok[best]->name);

	/* reserve */
	for (size_t i = 0; i < p->n_plugins; i++) {
		sched_plugin_t *sp = &p->plugins[i];
		if (sp->ops->reserve == NULL)
			continue;
		if (sp->ops->reserve(sp->cookie, &cycles[i], res->node) != K8C_SCHED_SUCCESS) {
			for (size_t j = i; j-- > 0;)
				if (p->plugins[j].ops->unreserve != NULL)
					p->plugins[j].ops->unreserve(p->plugins[j].cookie, &cycles[j], res->node);
			snprintf(res->message, sizeof(res->message), "running Reserve plugin %s: error",
			         sp->name);
			res->node[0] = '\0';
			break;
		}
	}
out:
#undef IDX
	for (size_t i = 0; i < p->n_plugins; i++)
		if (cycles[i].state != NULL && p->plugins[i].ops->state_free != NULL)
			p->plugins[i].ops->state_free(p->plugins[i].cookie, cycles[i].state);
	k8c_strmap_free(&hist);
	k8c_podresources_free(&req);
	free(totals);
	free(ok);
	free(skip);
	free(cycles);
}

void framework_unreserve(k8c_scheduler_t *s, sched_profile_t *p, const cJSON *pod,
                         const char *node)
{
	k8c_sched_cycle_t cycle = {.pod = pod};

	(void)s;
	for (size_t j = p->n_plugins; j-- > 0;)
		if (p->plugins[j].ops->unreserve != NULL)
			p->plugins[j].ops->unreserve(p->plugins[j].cookie, &cycle, node);
}

int framework_bind(k8c_scheduler_t *s, sched_profile_t *p, const cJSON *pod, const char *node,
                   k8c_error_t *err)
{
	k8c_sched_cycle_t cycle = {.pod = pod};

	(void)s;
	for (size_t b = 0; b < p->n_binders; b++) {
		sched_plugin_t *sp = p->binders[b].plugin;
		int code;
		if (sp->ops->bind == NULL)
			continue;
		code = sp->ops->bind(sp->cookie, &cycle, node, err);
		if (code == K8C_SCHED_SKIP)
			continue;
		if (code == K8C_SCHED_SUCCESS)
			return 0;
		if (err->code == 0)
			k8c_error_make(err, K8C_EIO, "bind plugin %s failed", sp->name);
		return -1;
	}
	return k8c_error_make(err, K8C_EINVAL, "no bind plugin bound the pod");
}
