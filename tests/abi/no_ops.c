/* ABI test plugin: a scheduler policy that implements no operation. */
#include "config.h"
#include "fixture.h"

static const k8c_sched_policy_ops_t ops = {
	.struct_size = sizeof(k8c_sched_policy_ops_t),
};

K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
	K8C_PLUGIN_HEADER(K8C_PLUGIN_SCHEDULER),
	.name = "abi-no-ops",
	.init = fixture_init,
	.fini = fixture_fini,
	.ops = &ops,
};
