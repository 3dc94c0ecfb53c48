/* ABI test plugin: needs a symbol nothing provides, so dlopen(RTLD_NOW)
 * fails (built without -z defs on purpose). */
#include "config.h"
#include "fixture.h"

int k8c_abi_test_no_such_function(void);

static int unresolved_init(const k8c_host_t *host, const struct cJSON *config,
                           void **cookie, k8c_error_t *err)
{
	return k8c_abi_test_no_such_function();
}

FIXTURE_SCHED_OPS;

K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
	K8C_PLUGIN_HEADER(K8C_PLUGIN_SCHEDULER),
	.name = "abi-unresolved",
	.init = unresolved_init,
	.fini = fixture_fini,
	.ops = &ops,
};
