/* Internals shared by openapi.c (schemas) and openapi_paths.c (documents). */
#ifndef K8C_APISERVER_SCHEMA_OPENAPI_H
#define K8C_APISERVER_SCHEMA_OPENAPI_H

struct cJSON;

/* {"$ref": "#/components/schemas/NAME"} (v3) or "#/definitions/NAME" (v2). */
struct cJSON *k8c_openapi_ref(const char *name, int v3);
/* {"group": G, "kind": K, "version": V} */
struct cJSON *k8c_openapi_gvk(const char *group, const char *version, const char *kind);
/* Add the definition of a schema type and of every type it uses to defs
 * (components.schemas or definitions); unknown names are ignored. */
void k8c_openapi_add_type(struct cJSON *defs, const char *name, int v3);
/* Add every type of the schema (the v2 document). */
void k8c_openapi_add_all_types(struct cJSON *defs, int v3);
/* Sort an object's members by name. */
void k8c_openapi_sort(struct cJSON *obj);

#endif
