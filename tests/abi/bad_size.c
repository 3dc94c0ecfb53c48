/* ABI test plugin: struct_size smaller than the 1.0 descriptor */
#include "config.h"
#pragma GCC diagnostic ignored "-Woverride-init"
#include "fixture.h"

FIXTURE_SCHED_OPS;

K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
	K8C_PLUGIN_HEADER(K8C_PLUGIN_SCHEDULER),
	.name = "abi-bad-size",
	.version = "1.0",
	.init = fixture_init,
	.fini = fixture_fini,
	.ops = &ops,
	.struct_size = 8,
};
