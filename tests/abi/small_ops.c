/* ABI test plugin: the ops table's struct_size is smaller than 1.0's. */
#include "config.h"
#include "fixture.h"

static const k8c_sched_policy_ops_t ops = {
	.struct_size = 4,
	.filter = fixture_filter,
};

K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
	K8C_PLUGIN_HEADER(K8C_PLUGIN_SCHEDULER),
	.name = "abi-small-ops",
	.init = fixture_init,
	.fini = fixture_fini,
	.ops = &ops,
};
