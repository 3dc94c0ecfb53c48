/* Image references ("busybox", "busybox:1.36",
 * "registry.example.com:5000/team/app:v1") in their full form, as Docker
 * and the kubelet match images.  Pure string code: no I/O. */
#ifndef K8C_IMAGE_IMAGE_REF_H
#define K8C_IMAGE_IMAGE_REF_H

#include <k8c/error.h>

/* The full form of an image reference: "busybox" is
 * "docker.io/library/busybox:latest".  References by digest
 * (@sha256:...) are refused: the local store has no digests.  *out is
 * malloc'd; on error (always -K8C_EINVAL) it is left alone. */
int k8c_image_normalize(const char *ref, char **out, k8c_error_t *err);

#endif
