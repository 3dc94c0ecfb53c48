/* Object keys of long-lived cJSON trees, shared.
 *
 * Every member of a cJSON object owns a malloc'd copy of its key: a pod
 * held in an informer's cache carries some 150 of them ("metadata",
 * "name", "containerPort", ...), a fifth of its memory, and 150,000 pods
 * carry the same few hundred keys.  k8c_json_intern_keys points each key
 * at one process-wide copy instead (cJSON_StringIsConst: cJSON_Delete and
 * cJSON_Duplicate then leave it alone).  The copies live until the process
 * ends; past K8C_JSON_INTERN_MAX distinct keys (label and annotation keys
 * are the user's) new keys stay owned by their members. */
#ifndef K8C_COMMON_JSON_INTERN_H
#define K8C_COMMON_JSON_INTERN_H

#include <stddef.h>

struct cJSON;

#define K8C_JSON_INTERN_MAX 65536

/* Share the keys of tree (and all below it).  The tree may then be read,
 * duplicated, deleted and changed with cJSON's functions as before;
 * code that frees a member's string itself must check cJSON_StringIsConst. */
void k8c_json_intern_keys(struct cJSON *tree);

/* How many distinct keys are shared (for tests). */
size_t k8c_json_intern_count(void);

#endif
