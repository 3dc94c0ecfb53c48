/* ABI test plugin: k8c_plugin is a data object too small for a descriptor. */
#include "config.h"

#include <stdint.h>

extern const uint32_t k8c_plugin[2];
__attribute__((visibility("default"))) const uint32_t k8c_plugin[2] = {1, 0};
