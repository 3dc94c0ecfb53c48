/* Server-side apply (PATCH with application/apply-patch+yaml): creates the
 * object when absent, otherwise merges the applied configuration into it
 * and records the field manager's fields in metadata.managedFields. */
#ifndef K8C_APISERVER_APPLY_H
#define K8C_APISERVER_APPLY_H

#include "apiserver/objects.h"

#include "apiserver/patch.h"

struct cJSON;

/* The API schema through the patch library's k8c_patch_schema_t: maps
 * merge, lists by their merge keys. */
extern const k8c_patch_schema_t k8c_schema_patch_view;

void k8c_apply(k8c_apiserver_t *srv, const k8c_api_request_t *req, const k8c_route_t *r,
               const struct cJSON *applied, const k8c_write_opts_t *o, k8c_api_response_t *resp);

/* The fieldsV1 set of a configuration: {"f:spec":{"f:replicas":{}}, ...},
 * list items keyed by their merge key as k:{"name":"c"}.  Caller frees. */
struct cJSON *k8c_fields_v1(const struct cJSON *config, const void *schema_node);

/* The same set written straight as JSON text (what k8c_json_print writes for
 * it), for a create, where the set is only stored: without building it.
 * skip_top names the top-level members left out and skip_meta those of
 * metadata (NULL-terminated field names, not "f:" keys); a metadata left
 * empty is left out.  Caller frees. */
char *k8c_fields_v1_text(const struct cJSON *config, const void *schema_node,
                         const char *const *skip_top, const char *const *skip_meta);

#endif
