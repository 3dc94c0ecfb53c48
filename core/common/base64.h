/* Base64 (RFC 4648, standard alphabet with padding), as Go's
 * encoding/base64.StdEncoding: Secret data, continue tokens. */
#ifndef K8C_COMMON_BASE64_H
#define K8C_COMMON_BASE64_H

#include <stddef.h>

/* Encode len bytes; caller frees. */
char *k8c_base64_encode(const void *data, size_t len);
/* Decode s (padding required, no whitespace); *out (caller frees,
 * NUL-terminated for convenience) and *len; -1 on malformed input. */
int k8c_base64_decode(const char *s, unsigned char **out, size_t *len);

#endif
