/* Test plugin: a scheduler policy that misbehaves on request, for the
 * scheduler's bad-plugin tests.  A pod annotated test.k8c.io/misbehave
 * with "filter-error" gets ERROR from filter, with "score-range" a score of
 * 1000 (out of [0, 100], and no normalize_score); other pods pass. */
#include "config.h"
#include "fixture.h"

#include <string.h>

#include <cjson/cJSON.h>

static const char *misbehave(const k8c_sched_cycle_t *cycle)
{
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(cycle->pod, "metadata");

	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(md, "annotations"), "test.k8c.io/misbehave"));
}

static int mb_filter(void *cookie, const k8c_sched_cycle_t *cycle, const k8c_sched_node_t *node,
                     char reason[K8C_SCHED_REASON_MAX])
{
	const char *m = misbehave(cycle);

	(void)cookie;
	(void)node;
	if (m != NULL && strcmp(m, "filter-error") == 0) {
		strcpy(reason, "asked to fail");
		return K8C_SCHED_ERROR;
	}
	return K8C_SCHED_SUCCESS;
}

static int mb_score(void *cookie, const k8c_sched_cycle_t *cycle, const k8c_sched_node_t *node,
                    int64_t *score)
{
	const char *m = misbehave(cycle);

	(void)cookie;
	(void)node;
	*score = m != NULL && strcmp(m, "score-range") == 0 ? 1000 : 50;
	return K8C_SCHED_SUCCESS;
}

static const k8c_sched_policy_ops_t ops = {
	.struct_size = sizeof(k8c_sched_policy_ops_t),
	.filter = mb_filter,
	.score = mb_score,
};

K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
	K8C_PLUGIN_HEADER(K8C_PLUGIN_SCHEDULER),
	.name = "misbehaving",
	.version = "1.0",
	.description = "fails on request, for the scheduler's tests",
	.init = fixture_init,
	.fini = fixture_fini,
	.ops = &ops,
};
