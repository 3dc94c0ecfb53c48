/* The kinds of the non-core API groups: apps/v1, batch/v1,
 * coordination.k8s.io/v1, discovery.k8s.io/v1, rbac.authorization.k8s.io/v1,
 * events.k8s.io/v1 and scheduling.k8s.io/v1.  Each descriptor is defined in
 * the file of its concept (apps_deployment.c, apps_workloads.c,
 * apps_statefulset.c, batch.c, misc_groups.c, rbac.c, scheduling.c);
 * registry.c lists them. */
#ifndef K8C_APISERVER_KINDS_GROUPS_H
#define K8C_APISERVER_KINDS_GROUPS_H

#include <stddef.h>

#include "apiserver/kind.h"

/* apps/v1 */
extern const k8c_kind_t k8c_kind_deployments, k8c_kind_replicasets,
	k8c_kind_statefulsets, k8c_kind_daemonsets, k8c_kind_controllerrevisions;
/* batch/v1 */
extern const k8c_kind_t k8c_kind_jobs, k8c_kind_cronjobs;
/* coordination.k8s.io/v1, discovery.k8s.io/v1, events.k8s.io/v1 */
extern const k8c_kind_t k8c_kind_leases, k8c_kind_endpointslices,
	k8c_kind_events_events_k8s_io;

/* events.k8s.io/v1 Event <-> core/v1 Event, in place (event_convert.c). */
void k8c_event_to_core(struct cJSON *obj);
void k8c_event_from_core(struct cJSON *obj);
/* rbac.authorization.k8s.io/v1 */
extern const k8c_kind_t k8c_kind_roles, k8c_kind_rolebindings,
	k8c_kind_clusterroles, k8c_kind_clusterrolebindings;

/* RBAC objects are not named like the others: Kubernetes only asks that the
 * name be a valid path segment (ValidateRBACName), so "system:node" is a
 * fine ClusterRole.  Returns 1 when name is valid; otherwise msg (if not
 * NULL) receives Kubernetes' wording ("may not contain '/'", several joined
 * by "; ").  For the core's metadata.name check of the four RBAC kinds. */
int k8c_rbac_name_valid(const char *name, char *msg, size_t msglen);

/* scheduling.k8s.io/v1 (scheduling.c) */
extern const k8c_kind_t k8c_kind_priorityclasses;

/* The highest value of a PriorityClass not named system-*
 * (HighestUserDefinablePriority). */
#define K8C_HIGHEST_USER_DEFINABLE_PRIORITY 1000000000

/* A built-in PriorityClass: the API server creates these at start and
 * refuses to delete them, as Kubernetes does (SystemPriorityClasses). */
typedef struct k8c_system_priority_class {
	const char *name;        /* "system-node-critical" */
	int value;               /* 2000001000 */
	const char *description; /* Kubernetes' description */
} k8c_system_priority_class_t;
extern const k8c_system_priority_class_t k8c_system_priority_classes[];
extern const size_t k8c_n_system_priority_classes;

/* The pod templates of the workloads are defaulted and validated by the
 * core kinds (core/apiserver/kinds/core.h: k8c_core_podspec_defaults,
 * k8c_core_pod_template_validate, k8c_core_pvc_spec_defaults), called from
 * groups_common.c and apps_statefulset.c. */

#endif
