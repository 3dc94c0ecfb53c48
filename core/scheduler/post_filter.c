/* What the host gives post_filter plugins (preemption): filter_without
 * runs the profile's filter plugins for the cycle's pod on a node as if
 * some of its pods were gone, on a view of the node made for the call
 * (requests summed without them).  The plugins' pre_filter state is the
 * cycle's: a policy that counted the removed pods there (inter-pod
 * affinity, topology spread) still counts them, where kube-scheduler's
 * PreFilterExtensions would have taken them out. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/mem.h"
#include "scheduler/internal.h"

static int removed(const cJSON *pod, const cJSON *const *without, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (without[i] == pod)
			return 1;
	return 0;
}

int post_filter_filter_without(void *host_ctx, const k8c_sched_node_t *node,
                               const cJSON *const *without, size_t n_without,
                               char reason[K8C_SCHED_REASON_MAX])
{
	static uint64_t views; /* generations no cached node has (scheduling thread only) */
	const filter_ctx_t *ctx = host_ctx;
	const snode_t *n = (const snode_t *)((const char *)node - offsetof(snode_t, view));
	k8c_podresources_t requested = K8C_PODRESOURCES_INIT, non_zero = K8C_PODRESOURCES_INIT;
	const cJSON **objs = k8c_xcalloc(n->n_pods + 1, sizeof(*objs));
	const cJSON **aff = k8c_xcalloc(n->n_pods + 1, sizeof(*aff));
	const cJSON **anti = k8c_xcalloc(n->n_pods + 1, sizeof(*anti));
	size_t n_objs = 0, n_aff = 0, n_anti = 0;
	k8c_sched_node_t view = *node;
	int code = K8C_SCHED_SUCCESS;
	const sched_profile_t *p = ctx->p;

	for (size_t i = 0; i < n->n_pods; i++) {
		const spod_t *sp = n->pods[i];
		if (removed(sp->pod, without, n_without))
			continue;
		objs[n_objs++] = sp->pod;
		k8c_podresources_add(&requested, &sp->req.res);
		k8c_podresources_add(&non_zero, &sp->nz.res);
		if (sp->affinity)
			aff[n_aff++] = sp->pod;
		if (sp->required_anti)
			anti[n_anti++] = sp->pod;
	}
	view.pods = objs;
	view.n_pods = n_objs;
	view.requested = &requested.res;
	view.non_zero_requested = &non_zero.res;
	view.pods_with_affinity = aff;
	view.n_pods_with_affinity = n_aff;
	view.pods_with_required_anti_affinity = anti;
	view.n_pods_with_required_anti_affinity = n_anti;
	view.generation = UINT64_MAX - ++views;
	reason[0] = '\0';
	for (size_t f = 0; f < p->n_filters && code == K8C_SCHED_SUCCESS; f++) {
		const sched_plugin_t *sp = p->filters[f].plugin;
		size_t i = (size_t)(sp - p->plugins);
		if (ctx->skip[i] || sp->ops->filter == NULL)
			continue;
		code = sp->ops->filter(sp->cookie, &ctx->cycles[i], &view, reason);
	}
	k8c_podresources_free(&requested);
	k8c_podresources_free(&non_zero);
	free(objs);
	free(aff);
	free(anti);
	return code;
}
