/* Scheduler policy "taint-toleration": kube-scheduler's TaintToleration.
 *
 * filter: a node with a NoSchedule or NoExecute taint (node.spec.taints)
 * that none of the pod's tolerations (pod.spec.tolerations) tolerates is
 * rejected as unresolvable (preemption cannot remove a taint), with
 * Kubernetes' reason "node(s) had untolerated taint {key: value}".
 *
 * score: the number of the node's PreferNoSchedule taints the pod does not
 * tolerate; normalize_score turns those counts around into [0, 100], the
 * fewest intolerable taints scoring highest (Kubernetes'
 * DefaultNormalizeScore with reverse = true).
 *
 * Entries that are not well-formed (a taint or toleration that is not an
 * object, a key/value/effect/operator that is not a string) are ignored: a
 * broken taint restricts nothing, a broken toleration tolerates nothing.
 * The API server's validation keeps such entries out; we only must not
 * crash on them. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/scheduler.h>

#define EFFECT_NO_SCHEDULE "NoSchedule"
#define EFFECT_NO_EXECUTE "NoExecute"
#define EFFECT_PREFER_NO_SCHEDULE "PreferNoSchedule"

struct taint_toleration {
	const k8c_host_t *host; /* borrowed, valid until fini */
};

/* The fields of a taint or a toleration, borrowed from the cJSON tree.
 * Absent fields are "". */
struct fields {
	const char *key, *value, *effect, *operator_;
};

/* Read the string members of a taint or toleration.  False when entry is
 * not an object or a member is present with another type than string. */
static bool read_fields(const cJSON *entry, struct fields *f)
{
	static const char *const names[] = { "key", "value", "effect", "operator" };
	const char **out[] = { &f->key, &f->value, &f->effect, &f->operator_ };

	if (!cJSON_IsObject(entry))
		return false;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(entry, names[i]);

		*out[i] = "";
		if (m == NULL || cJSON_IsNull(m))
			continue;
		if (!cJSON_IsString(m) || m->valuestring == NULL)
			return false;
		*out[i] = m->valuestring;
	}
	return true;
}

/* core/v1 Toleration.ToleratesTaint: an empty effect matches every
 * effect, an empty key every key (with Exists, that tolerates all); the
 * operator is Equal when empty; any other operator tolerates nothing. */
static bool tolerates(const struct fields *tol, const struct fields *taint)
{
	if (tol->effect[0] != '\0' && strcmp(tol->effect, taint->effect) != 0)
		return false;
	if (tol->key[0] != '\0' && strcmp(tol->key, taint->key) != 0)
		return false;
	if (tol->operator_[0] == '\0' || strcmp(tol->operator_, "Equal") == 0)
		return strcmp(tol->value, taint->value) == 0;
	return strcmp(tol->operator_, "Exists") == 0;
}

/* j if it is a list, else NULL (nothing to iterate). */
static const cJSON *as_list(const cJSON *j)
{
	return cJSON_IsArray(j) ? j : NULL;
}

/* Does any well-formed toleration of the list tolerate taint? */
static bool tolerated(const cJSON *tolerations, const struct fields *taint)
{
	const cJSON *t;

	cJSON_ArrayForEach(t, as_list(tolerations)) {
		struct fields tol;

		if (read_fields(t, &tol) && tolerates(&tol, taint))
			return true;
	}
	return false;
}

static const cJSON *path2(const cJSON *obj, const char *a, const char *b)
{
	return cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(obj, a), b);
}

/* spec.taints of the node: looked up by the host since ABI 1.4. */
static const cJSON *node_taints(const struct taint_toleration *tt, const k8c_sched_node_t *node)
{
	if (tt->host->abi_minor >= 4)
		return node->taints;
	return path2(node->node, "spec", "taints");
}

static void log_malformed(const struct taint_toleration *tt, const char *node,
                          const char *what)
{
	if (tt->host->log_enabled(tt->host->ctx, K8C_LOG_DEBUG))
		tt->host->log(tt->host->ctx, K8C_LOG_DEBUG,
		              "node %s: ignoring a malformed %s", node, what);
}

static const char *node_name(const k8c_sched_node_t *node)
{
	return node->name != NULL ? node->name : "(unnamed)";
}

static int filter(void *cookie, const k8c_sched_cycle_t *cycle,
                  const k8c_sched_node_t *node, char reason[K8C_SCHED_REASON_MAX])
{
	const struct taint_toleration *tt = cookie;
	const cJSON *taints, *tolerations, *t;

	if (cycle == NULL || cycle->pod == NULL || node == NULL || node->node == NULL) {
		snprintf(reason, K8C_SCHED_REASON_MAX, "invalid nodeInfo");
		return K8C_SCHED_ERROR;
	}
	taints = node_taints(tt, node);
	if (taints == NULL)
		return K8C_SCHED_SUCCESS;
	tolerations = path2(cycle->pod, "spec", "tolerations");
	if (!cJSON_IsArray(taints) && !cJSON_IsNull(taints))
		log_malformed(tt, node_name(node), "spec.taints (not a list)");
	cJSON_ArrayForEach(t, as_list(taints)) {
		struct fields taint;

		if (!read_fields(t, &taint)) {
			log_malformed(tt, node_name(node), "taint");
			continue;
		}
		if (strcmp(taint.effect, EFFECT_NO_SCHEDULE) != 0 &&
		    strcmp(taint.effect, EFFECT_NO_EXECUTE) != 0)
			continue;
		if (!tolerated(tolerations, &taint)) {
			snprintf(reason, K8C_SCHED_REASON_MAX,
			         "node(s) had untolerated taint {%s: %s}",
			         taint.key, taint.value);
			return K8C_SCHED_UNRESOLVABLE;
		}
	}
	return K8C_SCHED_SUCCESS;
}

static int score(void *cookie, const k8c_sched_cycle_t *cycle,
                 const k8c_sched_node_t *node, int64_t *out)
{
	const struct taint_toleration *tt = cookie;
	const cJSON *taints, *tolerations, *t;
	int64_t count = 0;

	*out = 0;
	if (cycle == NULL || cycle->pod == NULL || node == NULL || node->node == NULL)
		return K8C_SCHED_ERROR;
	taints = node_taints(tt, node);
	if (taints == NULL)
		return K8C_SCHED_SUCCESS;
	tolerations = path2(cycle->pod, "spec", "tolerations");
	cJSON_ArrayForEach(t, as_list(taints)) {
		struct fields taint;

		/* Kubernetes first keeps the tolerations whose effect is empty
		 * or PreferNoSchedule: the others cannot match such a taint
		 * anyway, so testing all of them gives the same count. */
		if (read_fields(t, &taint) &&
		    strcmp(taint.effect, EFFECT_PREFER_NO_SCHEDULE) == 0 &&
		    !tolerated(tolerations, &taint))
			count++;
	}
	*out = count;
	return K8C_SCHED_SUCCESS;
}

static int normalize_score(void *cookie, const k8c_sched_cycle_t *cycle,
                           k8c_sched_node_score_t *scores, size_t n)
{
	int64_t max = 0;

	(void)cookie;
	(void)cycle;
	for (size_t i = 0; i < n; i++)
		if (scores[i].score > max)
			max = scores[i].score;
	for (size_t i = 0; i < n; i++) {
		int64_t s = scores[i].score < 0 ? 0 : scores[i].score;

		if (max == 0)
			scores[i].score = K8C_SCHED_MAX_SCORE;
		else /* s <= max, and counts are small: no overflow */
			scores[i].score = K8C_SCHED_MAX_SCORE - K8C_SCHED_MAX_SCORE * s / max;
	}
	return K8C_SCHED_SUCCESS;
}

static int init(const k8c_host_t *host, const cJSON *config, void **cookie,
                k8c_error_t *err)
{
	struct taint_toleration *tt;
	const cJSON *c;

	cJSON_ArrayForEach(c, config)
		host->log(host->ctx, K8C_LOG_WARN, "ignoring unknown config key \"%s\"",
		          c->string ? c->string : "");
	tt = calloc(1, sizeof(*tt));
	if (tt == NULL)
		return k8c_error_make(err, K8C_ENOMEM, "taint-toleration: out of memory");
	tt->host = host;
	*cookie = tt;
	return 0;
}

static void fini(void *cookie)
{
	free(cookie);
}

static const k8c_sched_policy_ops_t ops = {
	.struct_size = sizeof(k8c_sched_policy_ops_t),
	.filter = filter,
	.score = score,
	.normalize_score = normalize_score,
};

K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
	K8C_PLUGIN_HEADER(K8C_PLUGIN_SCHEDULER),
	.name = "taint-toleration",
	.version = PACKAGE_VERSION,
	.description = "nodes' taints against pods' tolerations (kube-scheduler TaintToleration)",
	.init = init,
	.fini = fini,
	.ops = &ops,
};
