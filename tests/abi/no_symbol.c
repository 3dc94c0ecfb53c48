/* ABI test plugin: a shared object without the k8c_plugin symbol. */
#include "config.h"
#include "fixture.h"

FIXTURE_SCHED_OPS;

__attribute__((visibility("default"))) const k8c_plugin_t k8c_plugin_v2 = {
	K8C_PLUGIN_HEADER(K8C_PLUGIN_SCHEDULER),
	.name = "abi-no-symbol",
	.init = fixture_init,
	.fini = fixture_fini,
	.ops = &ops,
};
