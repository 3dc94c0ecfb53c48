/* Directories and files: mkdir -p, atomic writes, rm -r. */
#ifndef K8C_COMMON_DIRS_H
#define K8C_COMMON_DIRS_H

#include <stddef.h>
#include <sys/types.h>

#include <k8c/error.h>

/* Create path and its missing parents (parents 0755, path itself mode).
 * An existing directory is fine.  Errors name the component that could
 * not be created. */
int k8c_mkdir_p(const char *path, mode_t mode, k8c_error_t *err);

/* Read all of path into *out (malloc'd, NUL-terminated; *len bytes
 * before the NUL).  Returns 0, or -errno (-EFBIG past max bytes); the
 * caller words the error. */
int k8c_read_file(const char *path, size_t max, char **out, size_t *len);

/* Write data to path.tmp, fsync it and rename it over path: readers see
 * the old file or the new one, never a part. */
int k8c_write_file_atomic(const char *path, const char *data, size_t len, mode_t mode,
                          k8c_error_t *err);

/* rm -r path (not following symlinks, not crossing mounts); a missing
 * path is fine. */
int k8c_remove_tree(const char *path, k8c_error_t *err);

#endif
