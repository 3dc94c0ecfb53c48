/* Small helpers for kind descriptors: reading and defaulting fields of a
 * cJSON object by dotted path, and the human durations of Table output. */
#ifndef K8C_APISERVER_KINDS_UTIL_H
#define K8C_APISERVER_KINDS_UTIL_H

#include <stddef.h>

#include "common/json_path.h" /* k8c_jget, k8c_jstr */

struct cJSON;

/* metadata.FIELD as a string, or NULL. */
const char *k8c_meta_str(const struct cJSON *obj, const char *field);
/* The integer at path, or def when absent or not a number. */
long long k8c_jint(const struct cJSON *obj, const char *path, long long def);
/* 1/0 for true/false at path, def otherwise. */
int k8c_jbool(const struct cJSON *obj, const char *path, int def);
/* The object at path, created (with every missing parent) when absent or
 * null.  NULL when something on the way is not an object. */
struct cJSON *k8c_jobject(struct cJSON *obj, const char *path);

/* Set obj[key] when it is absent or null. */
void k8c_jdefault_str(struct cJSON *obj, const char *key, const char *value);
void k8c_jdefault_int(struct cJSON *obj, const char *key, long long value);
void k8c_jdefault_bool(struct cJSON *obj, const char *key, int value);

#define K8C_DURATION_STRLEN 32
/* kubectl's human duration: "45s", "3m20s", "15m", "5h30m", "20h", "3d4h",
 * "120d", "3y20d", "10y"; "<invalid>" below -1 s, "0s" for -1 s. */
char *k8c_human_duration(long long seconds, char buf[K8C_DURATION_STRLEN]);
/* The AGE cell of obj: human duration since metadata.creationTimestamp,
 * "<unknown>" without one. */
char *k8c_age(const struct cJSON *obj, long long now_s, char buf[K8C_DURATION_STRLEN]);

#endif
