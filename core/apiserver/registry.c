/* Every resource the API server serves.  Each descriptor lives with its
 * kind group in core/apiserver/kinds/. */
#include "config.h"

#include <string.h>

#include "apiserver/kind.h"

/* core/v1 (kinds/core_*.c) */
extern const k8c_kind_t k8c_kind_namespaces, k8c_kind_pods, k8c_kind_services,
	k8c_kind_endpoints, k8c_kind_nodes, k8c_kind_events, k8c_kind_configmaps,
	k8c_kind_secrets, k8c_kind_serviceaccounts, k8c_kind_persistentvolumes,
	k8c_kind_persistentvolumeclaims;
/* apps/v1, batch/v1, coordination.k8s.io/v1, discovery.k8s.io/v1,
 * rbac.authorization.k8s.io/v1, events.k8s.io/v1, scheduling.k8s.io/v1
 * (kinds/<group>*.c) */
extern const k8c_kind_t k8c_kind_deployments, k8c_kind_replicasets,
	k8c_kind_statefulsets, k8c_kind_daemonsets, k8c_kind_controllerrevisions,
	k8c_kind_jobs, k8c_kind_cronjobs, k8c_kind_leases, k8c_kind_endpointslices,
	k8c_kind_roles, k8c_kind_rolebindings, k8c_kind_clusterroles,
	k8c_kind_clusterrolebindings, k8c_kind_events_events_k8s_io,
	k8c_kind_priorityclasses;

const k8c_kind_t *const k8c_kinds[] = {
	&k8c_kind_namespaces, &k8c_kind_pods, &k8c_kind_services,
	&k8c_kind_endpoints, &k8c_kind_nodes, &k8c_kind_events,
	&k8c_kind_configmaps, &k8c_kind_secrets, &k8c_kind_serviceaccounts,
	&k8c_kind_persistentvolumes, &k8c_kind_persistentvolumeclaims,
	&k8c_kind_deployments, &k8c_kind_replicasets, &k8c_kind_statefulsets,
	&k8c_kind_daemonsets, &k8c_kind_controllerrevisions,
	&k8c_kind_jobs, &k8c_kind_cronjobs,
	&k8c_kind_leases,
	&k8c_kind_endpointslices,
	&k8c_kind_roles, &k8c_kind_rolebindings, &k8c_kind_clusterroles,
	&k8c_kind_clusterrolebindings,
	&k8c_kind_events_events_k8s_io,
	&k8c_kind_priorityclasses,
	NULL,
};

const k8c_kind_t *k8c_kind_by_resource(const char *group, const char *version,
                                       const char *resource)
{
	for (const k8c_kind_t *const *k = k8c_kinds; *k != NULL; k++)
		if (strcmp((*k)->group, group) == 0 && strcmp((*k)->version, version) == 0 &&
		    strcmp((*k)->resource, resource) == 0)
			return *k;
	return NULL;
}

const k8c_kind_t *k8c_kind_by_kind(const char *group, const char *version,
                                   const char *kind)
{
	for (const k8c_kind_t *const *k = k8c_kinds; *k != NULL; k++)
		if (strcmp((*k)->group, group) == 0 && strcmp((*k)->version, version) == 0 &&
		    strcmp((*k)->kind, kind) == 0)
			return *k;
	return NULL;
}
