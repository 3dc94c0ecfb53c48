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
 * Kubernetes clients parse: whole numbers an int64 holds print as integers
 * ("1000000000000000", not "1e+15"), other numbers read back exactly
 * (0.1+0.2 prints 0.30000000000000004 as Go does; cJSON accepts "0.3"),
 * and an item of no JSON type (or empty raw text) prints null instead of
 * failing. */
char *k8c_json_print(const struct cJSON *item, size_t *len);

/* For writers that emit JSON text piece by piece with the same printing
 * rules: a growing buffer (owned by the struct until finished). */
typedef struct k8c_json_out {
	char *buf; /* owned; NUL-terminated after k8c_json_out_finish */
	size_t len, cap;
} k8c_json_out_t;

void k8c_json_out_init(k8c_json_out_t *o);
/* Append n bytes as they are. */
void k8c_json_out_raw(k8c_json_out_t *o, const char *s, size_t n);
/* Append s as a quoted, escaped JSON string. */
void k8c_json_out_string(k8c_json_out_t *o, const char *s);
/* Append the JSON text of item (as k8c_json_print). */
void k8c_json_out_item(k8c_json_out_t *o, const struct cJSON *item);
/* The text (caller frees with free()) and its length; o is empty after. */
char *k8c_json_out_finish(k8c_json_out_t *o, size_t *len);

#endif
