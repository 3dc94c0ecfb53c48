/* ABI test plugin: k8c_plugin is a function, not a data object. */
#include "config.h"

int k8c_plugin(void);
__attribute__((visibility("default"))) int k8c_plugin(void)
{
	return 42;
}
