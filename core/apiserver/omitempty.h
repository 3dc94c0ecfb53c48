/* Go's `omitempty`: Kubernetes writes an object out without its empty
 * maps and lists ({"labels":{}} is stored and served as no labels), while
 * empty structs stay ({"emptyDir":{}}).  Applied to every object before it
 * is stored, so that what k8c serves reads like what Kubernetes serves. */
#ifndef K8C_APISERVER_OMITEMPTY_H
#define K8C_APISERVER_OMITEMPTY_H

struct cJSON;
struct k8c_schema_node;

/* Remove empty maps and lists (and nulls) from obj of schema type. */
void k8c_omit_empty(const struct k8c_schema_node *type, struct cJSON *obj);

#endif
