/* Scheduler policy "node-unschedulable": kube-scheduler's NodeUnschedulable.
 *
 * A node with spec.unschedulable: true (kubectl cordon) is rejected as
 * unresolvable, with Kubernetes' reason "node(s) were unschedulable",
 * unless the pod tolerates the taint node.kubernetes.io/unschedulable with
 * effect NoSchedule (and an empty value), as DaemonSet pods do.
 *
 * pre_filter returns SKIP for a pod that tolerates that taint: filter
 * could never reject it.  For the others filter looks at one field of the
 * node and, only on a cordoned node, at the pod's tolerations.
 *
 * spec.unschedulable counts only when it is the JSON value true; any other
 * type is taken as false.  A toleration that is not an object or has a
 * member of the wrong type tolerates nothing.  The API server's validation
 * refuses both; we only must not crash on them. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/scheduler.h>

#define TAINT_KEY "node.kubernetes.io/unschedulable"
#define TAINT_EFFECT "NoSchedule"
#define REASON_UNSCHEDULABLE "node(s) were unschedulable"

struct node_unschedulable {
	const k8c_host_t *host; /* borrowed, valid until fini */
};

static const cJSON *path2(const cJSON *obj, const char *a, const char *b)
{
	return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj, a), b);
}

/* A toleration's string member: "" when absent or null, NULL when of
 * another type (the toleration is then malformed). */
static const char *member(const cJSON *tol, const char *name)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(tol, name);

	if (m == NULL || cJSON_IsNull(m))
		return "";
	return cJSON_IsString(m) && m->valuestring != NULL ? m->valuestring : NULL;
}

/* core/v1 Toleration.ToleratesTaint against the taint
 * {key: node.kubernetes.io/unschedulable, value: "", effect: NoSchedule}. */
static bool tolerates_unschedulable(const cJSON *tol)
{
	const char *key, *value, *effect, *op;

	if (!cJSON_IsObject(tol))
		return false;
	key = member(tol, "key");
	value = member(tol, "value");
	effect = member(tol, "effect");
	op = member(tol, "operator");
	if (key == NULL || value == NULL || effect == NULL || op == NULL)
		return false;
	if (effect[0] != '\0' && strcmp(effect, TAINT_EFFECT) != 0)
		return false;
	if (key[0] != '\0' && strcmp(key, TAINT_KEY) != 0)
		return false;
	if (op[0] == '\0' || strcmp(op, "Equal") == 0)
		return value[0] == '\0';
	return strcmp(op, "Exists") == 0;
}

static bool pod_tolerates(const cJSON *pod)
{
	const cJSON *tols = path2(pod, "spec", "tolerations"), *t;

	if (!cJSON_IsArray(tols))
		return false;
	cJSON_ArrayForEach(t, tols)
	{
		if (tolerates_unschedulable(t))
			return true;
	}
	return false;
}

static int pre_filter(void *cookie, k8c_sched_cycle_t *cycle, char reason[K8C_SCHED_REASON_MAX])
{
	(void)cookie;
	(void)reason;
	if (cycle != NULL && pod_tolerates(cycle->pod))
		return K8C_SCHED_SKIP;
	return K8C_SCHED_SUCCESS;
}

static int filter(void *cookie, const k8c_sched_cycle_t *cycle, const k8c_sched_node_t *node,
                  char reason[K8C_SCHED_REASON_MAX])
{
	const struct node_unschedulable *nu = cookie;

	if (cycle == NULL || node == NULL || node->node == NULL) {
		snprintf(reason, K8C_SCHED_REASON_MAX, "invalid nodeInfo");
		return K8C_SCHED_ERROR;
	}
	/* since ABI 1.4 the host has looked spec.unschedulable up */
	if (nu->host->abi_minor >= 4 ? !node->unschedulable
	                             : !cJSON_IsTrue(path2(node->node, "spec", "unschedulable")))
		return K8C_SCHED_SUCCESS;
	/* Tested again here: the host may call filter without pre_filter. */
	if (pod_tolerates(cycle->pod))
		return K8C_SCHED_SUCCESS;
	snprintf(reason, K8C_SCHED_REASON_MAX, REASON_UNSCHEDULABLE);
	return K8C_SCHED_UNRESOLVABLE;
}

static int init(const k8c_host_t *host, const cJSON *config, void **cookie, k8c_error_t *err)
{
	struct node_unschedulable *nu;
	const cJSON *c;

	cJSON_ArrayForEach(c, config)
	{
		host->log(host->ctx, K8C_LOG_WARN, "ignoring unknown config key \"%s\"",
		          c->string ? c->string : "");
	}
	nu = calloc(1, sizeof(*nu));
	if (nu == NULL)
		return k8c_error_make(err, K8C_ENOMEM, "node-unschedulable: out of memory");
	nu->host = host;
	*cookie = nu;
	return 0;
}

static void fini(void *cookie)
{
	free(cookie);
}

static const k8c_sched_policy_ops_t ops = {
    .struct_size = sizeof(k8c_sched_policy_ops_t),
    .pre_filter = pre_filter,
    .filter = filter,
};

K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
    K8C_PLUGIN_HEADER(K8C_PLUGIN_SCHEDULER),
    .name = "node-unschedulable",
    .version = PACKAGE_VERSION,
    .description = "cordoned nodes (spec.unschedulable) unless tolerated "
                   "(kube-scheduler NodeUnschedulable)",
    .init = init,
    .fini = fini,
    .ops = &ops,
};
