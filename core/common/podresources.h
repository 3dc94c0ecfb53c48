/* A Pod's effective resource requests and a Node's allocatable resources,
 * computed the way kube-scheduler does (component-helpers' PodRequests and
 * the scheduler framework's Resource), in the scheduler ABI's form
 * k8c_sched_resources_t: CPU in millicores, memory and ephemeral storage in
 * bytes, extended and other scalar resources ("nvidia.com/gpu",
 * "hugepages-2Mi") in whole units, rounded up.
 *
 * Pod requests:
 *   - each container's requests; a resource it only limits counts its limit,
 *     as the API server's defaulting would have set it;
 *   - summed over spec.containers and over restartable ("sidecar") init
 *     containers, which keep running;
 *   - at least, per resource, what each ordinary init container needs while
 *     it runs: its own requests plus the sidecars started before it;
 *   - pod-level spec.resources.requests replace the sum for cpu, memory
 *     and hugepages-* when set;
 *   - plus spec.overhead;
 *   - pods = 1.
 * Negative totals count as 0, as in the scheduler.
 */
#ifndef K8C_COMMON_PODRESOURCES_H
#define K8C_COMMON_PODRESOURCES_H

#include <stddef.h>
#include <stdint.h>

#include <k8c/error.h>
#include <k8c/scheduler.h>

struct cJSON;

/* Resource amounts that own their scalar array.  res.scalars points to an
 * array owned by this struct, sorted by name, and each scalar's name is a
 * string owned by it too: both stay valid until k8c_podresources_free().
 * So a k8c_podresources_t can be handed out as `&r.res` for as long as r
 * lives.  Zero-initialised (K8C_PODRESOURCES_INIT) it is empty and valid. */
typedef struct k8c_podresources {
	k8c_sched_resources_t res;
	size_t cap; /* allocated entries of the scalar array */
} k8c_podresources_t;

#define K8C_PODRESOURCES_INIT                                                                      \
	{                                                                                          \
		{0, 0, 0, 0, 0, NULL}, 0                                                           \
	}

/* kube-scheduler's requests for containers that request nothing, used when
 * scoring (schedutil.DefaultMilliCPURequest, DefaultMemoryRequest). */
#define K8C_PODRESOURCES_DEFAULT_MILLI_CPU 100
#define K8C_PODRESOURCES_DEFAULT_MEMORY (200LL * 1024 * 1024)

enum k8c_podresources_flags {
	/* Count K8C_PODRESOURCES_DEFAULT_MILLI_CPU and _MEMORY for each
	 * container (and init container) that has no cpu / memory request at
	 * all: kube-scheduler's "non-zero" requests, used for scoring. */
	K8C_PODRESOURCES_NON_ZERO = 1u << 0,
	/* Ignore pod-level spec.resources (feature gate PodLevelResources
	 * off). */
	K8C_PODRESOURCES_NO_POD_LEVEL = 1u << 1,
};

/* The effective requests of pod (a Pod object, borrowed).  On success *out
 * is overwritten with a new value (free it with k8c_podresources_free());
 * on failure *out is left empty.  Malformed quantities or lists are
 * K8C_EINVAL, sums that overflow K8C_ETOOLARGE; the message names the
 * field ("spec.containers[1].resources.requests.cpu: ..."). */
int k8c_podresources_from_pod(const struct cJSON *pod, unsigned flags, k8c_podresources_t *out,
                              k8c_error_t *err);
/* A Node's status.allocatable (node borrowed; missing means all zero).
 * Same ownership and errors as k8c_podresources_from_pod. */
int k8c_podresources_from_node(const struct cJSON *node, k8c_podresources_t *out, k8c_error_t *err);
/* A ResourceList object ({"cpu": "2", "pods": "110", ...}) as a node's
 * capacity or allocatable: cpu, memory, ephemeral-storage, pods and scalar
 * resources; other names are ignored.  NULL or JSON null is empty. */
int k8c_podresources_from_list(const struct cJSON *list, k8c_podresources_t *out, k8c_error_t *err);
/* Free what r owns and leave it empty.  NULL is fine. */
void k8c_podresources_free(k8c_podresources_t *r);

/* acc += add, every member (pods too) and every scalar, saturating at the
 * int64 limits: the requested amounts of a node are the sum over its pods.
 * Names are copied. */
void k8c_podresources_add(k8c_podresources_t *acc, const k8c_sched_resources_t *add);

/* The scalar named name in r, or NULL when r has none. */
const k8c_sched_scalar_t *k8c_podresources_find(const k8c_sched_resources_t *r, const char *name);
/* Its value, 0 when absent. */
int64_t k8c_podresources_scalar(const k8c_sched_resources_t *r, const char *name);

/* Resource name classes (core/v1 helper and scheduler util): */
/* Extended: outside the kubernetes.io/ namespace, e.g. "nvidia.com/gpu". */
int k8c_podresources_is_extended(const char *name);
/* Scalar: extended, hugepages-*, attachable-volumes-* or a prefixed native
 * resource ("example.kubernetes.io/foo"): counted in the scalar array. */
int k8c_podresources_is_scalar(const char *name);

#endif
