/* The scheduler's node cache: every Node with the pods that count on it
 * (bound, not finished) and the pods the scheduler assumed there before
 * their binding shows, as kube-scheduler's cache with NodeInfo.  Requests
 * are summed per node when its pods change; the view each node hands
 * plugins (k8c_sched_node_t) points into the node's own arrays.
 *
 * Objects are the informers' own (see k8c_informer_fn): a handler swaps
 * the pointers under the write lock, and cycles read under the read lock,
 * so no object is copied but the assumed ones. */
#define K8C_LOG_COMPONENT "scheduler"
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/log.h"
#include "common/mem.h"
#include "common/timestamp.h"
#include "scheduler/internal.h"

#define ASSUMED_TTL_NS (30LL * 1000000000LL) /* kube-scheduler's durationToExpireAssumedPod: 15 min; binds here finish within seconds */

void cache_init(scache_t *c)
{
	memset(c, 0, sizeof(*c));
	pthread_rwlock_init(&c->lock, NULL);
	k8c_strmap_init(&c->nodes);
	k8c_strmap_init(&c->pods);
}

static void node_free(snode_t *n)
{
	k8c_podresources_free(&n->allocatable);
	k8c_podresources_free(&n->requested);
	k8c_podresources_free(&n->non_zero);
	free(n->pods);
	free(n->objs);
	free(n->with_affinity);
	free(n->with_anti);
	free(n->name);
	free(n);
}

static void pod_free(spod_t *p)
{
	k8c_podresources_free(&p->req);
	k8c_podresources_free(&p->nz);
	cJSON_Delete(p->own);
	free(p->uid);
	free(p);
}

void cache_free(scache_t *c)
{
	k8c_strmap_entry_t *e;
	size_t i;

	for (e = k8c_strmap_first(&c->pods, &i); e != NULL; e = k8c_strmap_next(&c->pods, e, &i))
		pod_free(e->value);
	for (e = k8c_strmap_first(&c->nodes, &i); e != NULL; e = k8c_strmap_next(&c->nodes, e, &i))
		node_free(e->value);
	k8c_strmap_free(&c->pods);
	k8c_strmap_free(&c->nodes);
	free(c->list);
	free(c->views);
	pthread_rwlock_destroy(&c->lock);
}

/* Recompute what the node's view says from its pods: sums, subsets,
 * generation.  Write lock held. */
static void node_refresh(scache_t *c, snode_t *n)
{
	k8c_podresources_free(&n->requested);
	k8c_podresources_free(&n->non_zero);
	n->n_affinity = n->n_anti = 0;
	for (size_t i = 0; i < n->n_pods; i++) {
		spod_t *p = n->pods[i];
		k8c_podresources_add(&n->requested, &p->req.res);
		k8c_podresources_add(&n->non_zero, &p->nz.res);
		if (p->affinity)
			n->with_affinity[n->n_affinity++] = p->pod;
		if (p->required_anti)
			n->with_anti[n->n_anti++] = p->pod;
		n->objs[i] = p->pod;
	}
	n->generation = ++c->generation;
	n->view = (k8c_sched_node_t){
		.name = n->name,
		.node = n->node,
		.allocatable = &n->allocatable.res,
		.requested = &n->requested.res,
		.n_pods = n->n_pods,
		.pods = n->objs,
		.non_zero_requested = &n->non_zero.res,
		.n_pods_with_affinity = n->n_affinity,
		.pods_with_affinity = n->with_affinity,
		.n_pods_with_required_anti_affinity = n->n_anti,
		.pods_with_required_anti_affinity = n->with_anti,
		.generation = n->generation,
		.labels = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(n->node, "metadata"), "labels"),
		.taints = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(n->node, "spec"), "taints"),
		.unschedulable = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(n->node, "spec"), "unschedulable")),
	};
}

static snode_t *node_get(scache_t *c, const char *name)
{
	snode_t *n = k8c_strmap_get(&c->nodes, name);

	if (n == NULL) {
		n = k8c_xcalloc(1, sizeof(*n));
		n->name = k8c_xstrdup(name);
		n->list_index = -1;
		k8c_strmap_put(&c->nodes, n->name, n);
		node_refresh(c, n);
	}
	return n;
}

static void list_add(scache_t *c, snode_t *n)
{
	if (n->list_index >= 0)
		return;
	if (c->n_list == c->cap_list) {
		c->cap_list = c->cap_list ? c->cap_list * 2 : 64;
		c->list = k8c_xrealloc(c->list, c->cap_list * sizeof(*c->list));
		c->views = k8c_xrealloc(c->views, c->cap_list * sizeof(*c->views));
	}
	n->list_index = (long)c->n_list;
	c->list[c->n_list] = n;
	c->views[c->n_list++] = &n->view;
}

static void list_remove(scache_t *c, snode_t *n)
{
	size_t i = (size_t)n->list_index, last = c->n_list - 1;

	if (n->list_index < 0)
		return;
	/* keep the order stable (plugins may rely on it): shift down */
	memmove(&c->list[i], &c->list[i + 1], (last - i) * sizeof(*c->list));
	memmove(&c->views[i], &c->views[i + 1], (last - i) * sizeof(*c->views));
	c->n_list--;
	for (size_t j = i; j < c->n_list; j++)
		c->list[j]->list_index = (long)j;
	n->list_index = -1;
}

/* A node with neither a Node object nor pods goes. */
static void node_maybe_drop(scache_t *c, snode_t *n)
{
	if (n->node != NULL || n->n_pods > 0)
		return;
	list_remove(c, n);
	k8c_strmap_remove(&c->nodes, n->name);
	node_free(n);
}

void cache_node_set(scache_t *c, const cJSON *node)
{
	const char *name = k8c_jstr(node, "metadata.name");
	k8c_error_t err;
	snode_t *n;

	if (name == NULL)
		return;
	pthread_rwlock_wrlock(&c->lock);
	n = node_get(c, name);
	n->node = node;
	k8c_podresources_free(&n->allocatable);
	if (k8c_podresources_from_node(node, &n->allocatable, &err) < 0)
		K8C_WARN("node %s: allocatable: %s (counted as none)", name, err.message);
	list_add(c, n);
	node_refresh(c, n);
	pthread_rwlock_unlock(&c->lock);
}

void cache_node_delete(scache_t *c, const char *name)
{
	snode_t *n;

	pthread_rwlock_wrlock(&c->lock);
	n = k8c_strmap_get(&c->nodes, name);
	if (n != NULL) {
		n->node = NULL;
		list_remove(c, n);
		node_refresh(c, n);
		node_maybe_drop(c, n);
	}
	pthread_rwlock_unlock(&c->lock);
}

/* Take p off its node.  Write lock held. */
static void pod_unplace(scache_t *c, spod_t *p)
{
	snode_t *n = p->node;
	size_t last;

	if (n == NULL)
		return;
	last = n->n_pods - 1;
	if (p->index != last) {
		n->pods[p->index] = n->pods[last];
		n->pods[p->index]->index = p->index;
	}
	n->n_pods--;
	p->node = NULL;
	node_refresh(c, n);
	node_maybe_drop(c, n);
}

static void pod_place(scache_t *c, spod_t *p, const char *node)
{
	snode_t *n = node_get(c, node);

	if (n->n_pods == n->cap) {
		n->cap = n->cap ? n->cap * 2 : 16;
		n->pods = k8c_xrealloc(n->pods, n->cap * sizeof(*n->pods));
		n->objs = k8c_xrealloc(n->objs, n->cap * sizeof(*n->objs));
		n->with_affinity = k8c_xrealloc(n->with_affinity, n->cap * sizeof(*n->with_affinity));
		n->with_anti = k8c_xrealloc(n->with_anti, n->cap * sizeof(*n->with_anti));
	}
	p->index = n->n_pods;
	n->pods[n->n_pods++] = p;
	p->node = n;
	node_refresh(c, n);
}

static int has_terms(const cJSON *pod, const char *kind, int required_only)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(pod, "spec"),
		                                 "affinity"),
		kind);

	if (a == NULL)
		return 0;
	if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
		    a, "requiredDuringSchedulingIgnoredDuringExecution")) > 0)
		return 1;
	return !required_only &&
	       cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
		       a, "preferredDuringSchedulingIgnoredDuringExecution")) > 0;
}

/* (Re)compute what p carries from its object. */
static void pod_describe(spod_t *p)
{
	k8c_error_t err;

	k8c_podresources_free(&p->req);
	k8c_podresources_free(&p->nz);
	if (k8c_podresources_from_pod(p->pod, 0, &p->req, &err) < 0 ||
	    k8c_podresources_from_pod(p->pod, K8C_PODRESOURCES_NON_ZERO, &p->nz, &err) < 0)
		K8C_DEBUG("pod %s: requests: %s (counted as none)", p->uid, err.message);
	p->affinity = has_terms(p->pod, "podAffinity", 0) || has_terms(p->pod, "podAntiAffinity", 0);
	p->required_anti = has_terms(p->pod, "podAntiAffinity", 1);
}

int pod_finished(const cJSON *pod)
{
	const char *phase = k8c_jstr(pod, "status.phase");

	return phase != NULL && (strcmp(phase, "Succeeded") == 0 || strcmp(phase, "Failed") == 0);
}

void cache_pod_set(scache_t *c, const cJSON *pod)
{
	const char *uid = k8c_jstr(pod, "metadata.uid"), *node = k8c_jstr(pod, "spec.nodeName");
	spod_t *p;

	if (uid == NULL)
		return;
	if (node == NULL || !*node || pod_finished(pod)) {
		cache_pod_delete(c, uid);
		return;
	}
	pthread_rwlock_wrlock(&c->lock);
	p = k8c_strmap_get(&c->pods, uid);
	if (p == NULL) {
		p = k8c_xcalloc(1, sizeof(*p));
		p->uid = k8c_xstrdup(uid);
		k8c_strmap_put(&c->pods, p->uid, p);
	}
	/* the informer's object from now on (an assumed pod is confirmed) */
	p->pod = pod;
	cJSON_Delete(p->own);
	p->own = NULL;
	p->assumed = 0;
	pod_describe(p);
	if (p->node == NULL || strcmp(p->node->name, node) != 0) {
		pod_unplace(c, p);
		pod_place(c, p, node);
	} else {
		node_refresh(c, p->node);
	}
	pthread_rwlock_unlock(&c->lock);
}

void cache_pod_delete(scache_t *c, const char *uid)
{
	spod_t *p;

	pthread_rwlock_wrlock(&c->lock);
	p = k8c_strmap_remove(&c->pods, uid);
	if (p != NULL) {
		pod_unplace(c, p);
		pod_free(p);
	}
	pthread_rwlock_unlock(&c->lock);
}

void cache_assume(scache_t *c, const cJSON *pod, const char *node)
{
	const char *uid = k8c_jstr(pod, "metadata.uid");
	spod_t *p;
	cJSON *own;

	if (uid == NULL)
		return;
	own = cJSON_Duplicate(pod, 1);
	cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(own, "spec"), "nodeName");
	cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(own, "spec"), "nodeName", node);
	pthread_rwlock_wrlock(&c->lock);
	p = k8c_strmap_get(&c->pods, uid);
	if (p != NULL) { /* bound meanwhile (by someone else): keep what was seen */
		pthread_rwlock_unlock(&c->lock);
		cJSON_Delete(own);
		return;
	}
	p = k8c_xcalloc(1, sizeof(*p));
	p->uid = k8c_xstrdup(uid);
	p->own = own;
	p->pod = own;
	p->assumed = 1;
	k8c_strmap_put(&c->pods, p->uid, p);
	pod_describe(p);
	pod_place(c, p, node);
	pthread_rwlock_unlock(&c->lock);
}

void cache_forget(scache_t *c, const char *uid)
{
	spod_t *p;

	pthread_rwlock_wrlock(&c->lock);
	p = k8c_strmap_get(&c->pods, uid);
	if (p != NULL && p->assumed) {
		k8c_strmap_remove(&c->pods, uid);
		pod_unplace(c, p);
		pod_free(p);
	}
	pthread_rwlock_unlock(&c->lock);
}

void cache_finish_binding(scache_t *c, const char *uid)
{
	spod_t *p;

	pthread_rwlock_wrlock(&c->lock);
	p = k8c_strmap_get(&c->pods, uid);
	if (p != NULL && p->assumed)
		p->expires_ns = k8c_time_monotonic_ns() + ASSUMED_TTL_NS;
	pthread_rwlock_unlock(&c->lock);
}

void cache_expire(scache_t *c)
{
	int64_t now = k8c_time_monotonic_ns();

	for (;;) {
		k8c_strmap_entry_t *e;
		spod_t *gone = NULL;
		size_t i;

		pthread_rwlock_wrlock(&c->lock);
		for (e = k8c_strmap_first(&c->pods, &i); e != NULL; e = k8c_strmap_next(&c->pods, e, &i)) {
			spod_t *p = e->value;
			if (p->assumed && p->expires_ns > 0 && p->expires_ns < now) {
				gone = p;
				break;
			}
		}
		if (gone != NULL) {
			K8C_WARN("pod %s: assumed bound to %s, but never seen bound: forgotten", gone->uid,
			         gone->node ? gone->node->name : "?");
			k8c_strmap_remove(&c->pods, gone->uid);
			pod_unplace(c, gone);
			pod_free(gone);
		}
		pthread_rwlock_unlock(&c->lock);
		if (gone == NULL)
			return;
	}
}
