/* Creating directory paths (mkdir -p). */
#ifndef K8C_COMMON_DIRS_H
#define K8C_COMMON_DIRS_H

#include <sys/types.h>

#include <k8c/error.h>

/* Create path and its missing parents (parents 0755, path itself mode).
 * An existing directory is fine.  Errors name the component that could
 * not be created. */
int k8c_mkdir_p(const char *path, mode_t mode, k8c_error_t *err);

#endif
