/* ABI test plugin: a store that lacks the required get operation. */
#include "config.h"
#include "fixture.h"

static const char *const schemes[] = {"abitest", NULL};

static int s_open(void *c, const char *e, k8c_error_t *err) { return 0; }
static void s_close(void *c) {}

static const k8c_store_ops_t ops = {
	.struct_size = sizeof(k8c_store_ops_t),
	.schemes = schemes,
	.open = s_open,
	.close = s_close,
	/* get, range, create, ... missing */
};

K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
	K8C_PLUGIN_HEADER(K8C_PLUGIN_STORE),
	.name = "abi-store-missing-op",
	.init = fixture_init,
	.fini = fixture_fini,
	.ops = &ops,
};
