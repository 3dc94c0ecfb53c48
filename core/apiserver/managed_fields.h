/* metadata.managedFields: which field manager set which fields, in
 * Kubernetes' FieldsV1 form ({"f:spec":{"f:replicas":{}}}, list items keyed
 * k:{"name":"c"}).  Every write records its manager: an Update entry grows
 * by the fields the write changed (and those fields leave the other
 * managers' sets); an Apply entry is the applied configuration's set, and
 * applying a field another manager owns with a different value is a
 * conflict unless forced. */
#ifndef K8C_APISERVER_MANAGED_FIELDS_H
#define K8C_APISERVER_MANAGED_FIELDS_H

#include "apiserver/kind.h"

struct cJSON;

/* The manager of a write: fieldManager, else the User-Agent up to '/'. */
const char *k8c_field_manager(const char *field_manager, const char *user_agent, char *buf,
                              size_t len);

/* Record an Update by manager: obj is the new object (modified), old the
 * stored one or NULL on create; subresource "status" or NULL. */
void k8c_managed_fields_update(const k8c_kind_t *kind, struct cJSON *obj, const struct cJSON *old,
                               const char *manager, const char *subresource);

/* Before an apply by manager of the set `applied` (FieldsV1) with the
 * configuration `config` onto live: the conflicts as a cJSON array of
 * {"manager":..., "field":".spec.replicas"} (caller frees), or NULL when
 * there is none.  With force, the conflicting fields are taken from the
 * other managers in live (modified) instead. */
struct cJSON *k8c_managed_fields_conflicts(const k8c_kind_t *kind, struct cJSON *live,
                                           const struct cJSON *config, const struct cJSON *applied,
                                           const char *manager, int force);

/* A new managedFields entry stamped now: manager, operation ("Update",
 * "Apply"), kind's apiVersion, fieldsV1 = fields (taken), subresource when
 * not NULL.  Caller owns it. */
struct cJSON *k8c_managed_fields_entry(const k8c_kind_t *kind, const char *manager, const char *op,
                                       const char *subresource, struct cJSON *fields);

/* The FieldsV1 set of a whole object (config) for kind. */
struct cJSON *k8c_managed_fields_of(const k8c_kind_t *kind, const struct cJSON *config);

#endif
