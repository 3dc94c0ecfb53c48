/* ABI test plugin: a valid scheduler policy plugin.  Its init fails when
 * the config says {"fail": true} and otherwise logs through the host table,
 * so tests can watch the instance lifecycle. */
#include "config.h"
#include "fixture.h"

#include <cjson/cJSON.h>

typedef struct good {
	const k8c_host_t *host;
	int instance;
} good_t;

static int good_init(const k8c_host_t *host, const struct cJSON *config,
                     void **cookie, k8c_error_t *err)
{
	good_t *g;

	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(config, "fail")))
		return k8c_error_make(err, K8C_EINVAL, "asked to fail by its config");
	g = calloc(1, sizeof(*g));
	g->host = host;
	g->instance = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(config, "instance"));
	host->log(host->ctx, K8C_LOG_INFO, "init instance %d in %s", g->instance,
	          host->data_dir ? host->data_dir : "(no data dir)");
	*cookie = g;
	return 0;
}

static void good_fini(void *cookie)
{
	good_t *g = cookie;

	g->host->log(g->host->ctx, K8C_LOG_INFO, "fini instance %d", g->instance);
	free(g);
}

FIXTURE_SCHED_OPS;

K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
	K8C_PLUGIN_HEADER(K8C_PLUGIN_SCHEDULER),
	.name = "abi-good",
	.version = "1.0",
	.description = "a valid plugin for the ABI tests",
	.init = good_init,
	.fini = good_fini,
	.ops = &ops,
};
