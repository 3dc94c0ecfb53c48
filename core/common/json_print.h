/* Compact JSON text of a cJSON tree: what cJSON_PrintUnformatted writes,
 * faster (one growing buffer, integers formatted without printf), for the
 * API server's hot paths (stored values, LIST and watch bodies). */
#ifndef K8C_COMMON_JSON_PRINT_H
#define K8C_COMMON_JSON_PRINT_H

#include <stddef.h>

struct cJSON;

/* The JSON text of item (NULL prints null).  Returns a NUL-terminated
 * string the caller frees with free(); its length goes to *len when len is
 * not NULL.  Differences from cJSON_PrintUnformatted, all towards what
 * Kubernetes clients parse: whole numbers up to 2^53 print as integers
 * ("1000000000000000", not "1e+15"), other numbers read back exactly
 * (0.1+0.2 prints 0.30000000000000004 as Go does; cJSON accepts "0.3"),
 * and an item of no JSON type prints null instead of failing. */
char *k8c_json_print(const struct cJSON *item, size_t *len);

#endif
