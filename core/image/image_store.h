/* The local image store: root filesystems unpacked under
 * DATA-DIR/images/<id>/rootfs, named by image references as Kubernetes
 * writes them ("busybox", "busybox:1.36", "registry:5000/team/app:v1"),
 * kept in DATA-DIR/images/index.json.  `k8c image` imports, lists and
 * removes; the kubelet resolves a pod's image to its rootfs.  Writers
 * serialise on an flock of DATA-DIR/images/.lock; the index is replaced
 * atomically, so readers never see half of it. */
#ifndef K8C_IMAGE_IMAGE_STORE_H
#define K8C_IMAGE_IMAGE_STORE_H

#include <stdint.h>

#include <k8c/error.h>

#include "image/image_ref.h"

struct cJSON;

/* Unpack the root filesystem tarball file (tar, optionally compressed)
 * as ref, replacing what ref named before.  Entries that would land
 * outside the rootfs ("..", absolute paths, through symlinks) are
 * refused.  progress (may be NULL) is called now and then with the files
 * and bytes unpacked so far.  *id_out (may be NULL) receives the new
 * image's id, malloc'd. */
int k8c_image_import(const char *data_dir, const char *ref, const char *file,
                     void (*progress)(int64_t files, int64_t bytes, void *arg), void *arg,
                     char **id_out, k8c_error_t *err);

/* The images: a cJSON array of {"name","id","size","created"} (caller
 * frees), sorted by name. */
int k8c_image_list(const char *data_dir, struct cJSON **out, k8c_error_t *err);

/* Forget ref; its rootfs is deleted when no other name uses it.
 * -K8C_ENOTFOUND when ref names no image.  Import and remove also delete
 * what crashed imports and removals left (unnamed or half-unpacked image
 * directories more than an hour old). */
int k8c_image_remove(const char *data_dir, const char *ref, k8c_error_t *err);

/* The rootfs directory of ref (malloc'd), or -K8C_ENOTFOUND. */
int k8c_image_rootfs(const char *data_dir, const char *ref, char **out, k8c_error_t *err);

#endif
