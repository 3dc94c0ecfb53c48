/* Admission: what Kubernetes' admission plugins decide about a write
 * beyond the kind's own defaulting and validation (kind.h), for the rules
 * that read other objects and so need the server.  One plugin so far,
 * Priority (Kubernetes' plugin/pkg/admission/priority):
 *
 *   - pods, create: a spec.priorityClassName must name an existing
 *     PriorityClass (403 Forbidden otherwise); spec.priority and
 *     spec.preemptionPolicy are set from it, or from the globalDefault class
 *     (whose name then goes into spec.priorityClassName), or else to 0 and
 *     PreemptLowerPriority; a priority or policy the client gave that
 *     differs from the one computed is a 403;
 *   - pods, update: a priority or policy left out keeps the stored one;
 *   - priorityclasses, create and update: globalDefault on a class while
 *     another one is the default is a 403.
 *
 * objects.c runs them where the Kubernetes API server does: the mutating
 * step on the defaulted object, before the kind's prepare and validate
 * hooks; the validating step once the kind's validation passed, before the
 * write.  Both run for dry runs too and ignore the status subresource. */
#ifndef K8C_APISERVER_ADMISSION_H
#define K8C_APISERVER_ADMISSION_H

#include "apiserver/internal.h"

struct cJSON;

/* op is enum k8c_op; old is the stored object on update (borrowed), NULL
 * on create.  name is the object's name for messages (on create Kubernetes
 * names the generateName prefix, the name not being generated yet, or
 * "Unknown").  0, or < 0 with resp filled. */
int k8c_admission_mutate(k8c_apiserver_t *srv, const k8c_kind_t *kind, int op,
                         struct cJSON *obj, const struct cJSON *old, const char *name,
                         k8c_api_response_t *resp);
int k8c_admission_validate(k8c_apiserver_t *srv, const k8c_kind_t *kind, int op,
                           const struct cJSON *obj, k8c_api_response_t *resp);

#endif
