/* Scheduler policy "node-name": kube-scheduler's NodeName.
 *
 * A pod whose spec.nodeName is set fits only the node of that name; every
 * other node is rejected as unresolvable (preemption cannot rename a node)
 * with Kubernetes' reason "node(s) didn't match the requested node name".
 *
 * pre_filter returns SKIP for the usual pod, which has no spec.nodeName,
 * so that filter is never called for it.  (kube-scheduler's NodeName has
 * no PreFilter and answers Success in Filter for such a pod: the result is
 * the same.)
 *
 * A spec.nodeName that is not a string is ignored as if unset: the API
 * server's validation refuses such a pod, so only a confused host can hand
 * us one, and we must merely not crash on it.
 *
 * No config. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/scheduler.h>

#define REASON_MISMATCH "node(s) didn't match the requested node name"

struct node_name {
	const k8c_host_t *host; /* borrowed, valid until fini */
};

/* The pod's spec.nodeName, borrowed from the pod; NULL when unset, empty
 * or not a string. */
static const char *pod_node_name(const cJSON *pod)
{
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(pod, "spec");
	const cJSON *nn = cJSON_GetObjectItemCaseSensitive(spec, "nodeName");

	if (!cJSON_IsString(nn) || nn->valuestring == NULL || nn->valuestring[0] == '\0')
		return NULL;
	return nn->valuestring;
}

/* The node's name: the cache's, else the Node's metadata.name (borrowed). */
static const char *node_name_of(const k8c_sched_node_t *node)
{
	const cJSON *md, *name;

	if (node->name != NULL)
		return node->name;
	md = cJSON_GetObjectItemCaseSensitive(node->node, "metadata");
	name = cJSON_GetObjectItemCaseSensitive(md, "name");
	return cJSON_IsString(name) ? name->valuestring : NULL;
}

static int pre_filter(void *cookie, k8c_sched_cycle_t *cycle, char reason[K8C_SCHED_REASON_MAX])
{
	(void)cookie;
	(void)reason;
	if (cycle == NULL || pod_node_name(cycle->pod) == NULL)
		return K8C_SCHED_SKIP;
	return K8C_SCHED_SUCCESS;
}

static int filter(void *cookie, const k8c_sched_cycle_t *cycle, const k8c_sched_node_t *node,
                  char reason[K8C_SCHED_REASON_MAX])
{
	const char *want, *have;

	(void)cookie;
	if (cycle == NULL || node == NULL) {
		snprintf(reason, K8C_SCHED_REASON_MAX, "invalid nodeInfo");
		return K8C_SCHED_ERROR;
	}
	want = pod_node_name(cycle->pod);
	if (want == NULL)
		return K8C_SCHED_SUCCESS;
	have = node_name_of(node);
	if (have != NULL && strcmp(want, have) == 0)
		return K8C_SCHED_SUCCESS;
	snprintf(reason, K8C_SCHED_REASON_MAX, REASON_MISMATCH);
	return K8C_SCHED_UNRESOLVABLE;
}

static int init(const k8c_host_t *host, const cJSON *config, void **cookie, k8c_error_t *err)
{
	struct node_name *nn;
	const cJSON *c;

	cJSON_ArrayForEach(c, config)
	{
		host->log(host->ctx, K8C_LOG_WARN, "ignoring unknown config key \"%s\"",
		          c->string ? c->string : "");
	}
	nn = calloc(1, sizeof(*nn));
	if (nn == NULL)
		return k8c_error_make(err, K8C_ENOMEM, "node-name: out of memory");
	nn->host = host;
	*cookie = nn;
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
    .name = "node-name",
    .version = PACKAGE_VERSION,
    .description = "a pod's spec.nodeName against the node (kube-scheduler NodeName)",
    .init = init,
    .fini = fini,
    .ops = &ops,
};
