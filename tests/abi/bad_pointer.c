/* ABI test plugin: the name points outside the plugin (into libc). */
#include "config.h"
#include "fixture.h"

#include <string.h>

FIXTURE_SCHED_OPS;

K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
	K8C_PLUGIN_HEADER(K8C_PLUGIN_SCHEDULER),
	.name = (const char *)(uintptr_t)strlen,
	.init = fixture_init,
	.fini = fixture_fini,
	.ops = &ops,
};
