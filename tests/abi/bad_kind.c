/* ABI test plugin: declares a plugin kind the core does not know */
#include "config.h"
#pragma GCC diagnostic ignored "-Woverride-init"
#include "fixture.h"

FIXTURE_SCHED_OPS;

K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
	K8C_PLUGIN_HEADER(K8C_PLUGIN_SCHEDULER),
	.name = "abi-bad-kind",
	.version = "1.0",
	.init = fixture_init,
	.fini = fixture_fini,
	.ops = &ops,
	.kind = 99,
};
