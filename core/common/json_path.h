/* Values at dotted paths in JSON objects: k8c_jstr(pod, "metadata.uid").
 * Keys never contain dots here (labels are not reached this way). */
#ifndef K8C_COMMON_JSON_PATH_H
#define K8C_COMMON_JSON_PATH_H

struct cJSON;

/* The value at path (borrowed from obj), or NULL when a part is missing
 * or not an object. */
const struct cJSON *k8c_jget(const struct cJSON *obj, const char *path);
/* The same when it is a string, else NULL. */
const char *k8c_jstr(const struct cJSON *obj, const char *path);

#endif
