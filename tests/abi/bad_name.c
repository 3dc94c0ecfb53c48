/* ABI test plugin: a name that is not [a-z0-9-] */
#include "config.h"
#include "fixture.h"

FIXTURE_SCHED_OPS;

K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
	K8C_PLUGIN_HEADER(K8C_PLUGIN_SCHEDULER),
	.name = "Bad Name!",
	.version = "1.0",
	.init = fixture_init,
	.fini = fixture_fini,
	.ops = &ops,
	
};
