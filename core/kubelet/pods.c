/* The kubelet's pod table: an informer of the pods bound to its node(s)
 * feeds it; workers sync one pod at a time from the work queue; the PLEG
 * (pod lifecycle event generator, as in the kubelet) lists the runtime
 * every second and queues the pods whose containers changed state.  At
 * start the runtime's list tells which containers already run: pods
 * still bound to us adopt them, the others (deleted while the agent was
 * down) are stopped and removed. */
#define K8C_LOG_COMPONENT "kubelet"
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "common/log.h"
#include "common/mem.h"
#include "common/timestamp.h"
#include "kubelet/internal.h"

#define PLEG_PERIOD_NS 1000000000LL

const cJSON *kl_container_spec(const cJSON *pod, const char *name, int *is_init)
{
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(pod, "spec"), *c;
	static const char *const lists[] = {"initContainers", "containers"};

	for (int l = 0; l < 2; l++)
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(spec, lists[l])) {
			const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "name"));
			if (n != NULL && strcmp(n, name) == 0) {
				if (is_init != NULL)
					*is_init = l == 0;
				return c;
			}
		}
	return NULL;
}

kcontainer_t *kl_container(kpod_t *kp, const char *name)
{
	for (size_t i = 0; i < kp->n_containers; i++)
		if (strcmp(kp->containers[i].name, name) == 0)
			return &kp->containers[i];
	return NULL;
}

void kl_pod_free(kpod_t *kp)
{
	if (kp == NULL)
		return;
	for (size_t i = 0; i < kp->n_containers; i++)
		free(kp->containers[i].name);
	free(kp->containers);
	cJSON_Delete(kp->pod);
	cJSON_Delete(kp->conditions);
	free(kp->last_status);
	free(kp->uid);
	free(kp->ns);
	free(kp->name);
	free(kp);
}

/* What the runtime listed at start for containers of pods, to adopt. */
typedef struct adopted {
	char sandbox_id[K8C_RUNTIME_ID_MAX];
	int sandbox_ready;
	k8c_strmap_t containers; /* name -> adopted_container_t* */
	char *ns, *name;
} adopted_t;

typedef struct adopted_container {
	char id[K8C_RUNTIME_ID_MAX];
	uint32_t attempt;
} adopted_container_t;

static void adopted_free(adopted_t *a)
{
	k8c_strmap_entry_t *e;
	size_t i;

	for (e = k8c_strmap_first(&a->containers, &i); e; e = k8c_strmap_next(&a->containers, e, &i))
		free(e->value);
	k8c_strmap_free(&a->containers);
	free(a->ns);
	free(a->name);
	free(a);
}

/* A new table entry for pod; its containers adopt what the runtime runs
 * for its uid.  Lock held. */
static kpod_t *pod_new(k8c_kubelet_t *kl, const cJSON *pod, const char *uid, knode_t *node)
{
	kpod_t *kp = k8c_xcalloc(1, sizeof(*kp));
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(pod, "spec"), *c;
	adopted_t *a = k8c_strmap_remove(&kl->adopt, uid);
	size_t n = (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(spec, "initContainers")) +
	           (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(spec, "containers"));
	static const char *const lists[] = {"initContainers", "containers"};

	kp->uid = k8c_xstrdup(uid);
	kp->ns = k8c_xstrdup(k8c_jstr(pod, "metadata.namespace") ? k8c_jstr(pod, "metadata.namespace") : "default");
	kp->name = k8c_xstrdup(k8c_jstr(pod, "metadata.name"));
	kp->node = node;
	kp->containers = k8c_xcalloc(n ? n : 1, sizeof(*kp->containers));
	for (int l = 0; l < 2; l++)
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(spec, lists[l])) {
			const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "name"));
			kcontainer_t *kc;
			if (name == NULL || kp->n_containers >= n)
				continue;
			kc = &kp->containers[kp->n_containers++];
			kc->name = k8c_xstrdup(name);
			kc->is_init = l == 0;
			kp->n_init += l == 0;
			for (int p = 0; p < N_PROBES; p++)
				kc->probes[p].result = -1;
			kc->log_attempt = kc->log_prev_attempt = -1;
			if (a != NULL) {
				adopted_container_t *ac = k8c_strmap_get(&a->containers, name);
				if (ac != NULL) {
					snprintf(kc->id, sizeof(kc->id), "%s", ac->id);
					kc->restart_count = (int)ac->attempt;
					kc->log_attempt = (int)ac->attempt;
					kc->log_prev_attempt = (int)ac->attempt - 1;
					kc->last_start_mono = k8c_time_monotonic_ns();
				}
			}
		}
	if (a != NULL) {
		snprintf(kp->sandbox_id, sizeof(kp->sandbox_id), "%s", a->sandbox_id);
		kp->adopted = 1;
		adopted_free(a);
	}
	return kp;
}

static knode_t *node_of(k8c_kubelet_t *kl, const cJSON *pod)
{
	const char *node = k8c_jstr(pod, "spec.nodeName");

	return node ? k8c_strmap_get(&kl->node_by_name, node) : NULL;
}

static void on_pod(void *udata, int type, const cJSON *obj, const cJSON *old)
{
	k8c_kubelet_t *kl = udata;
	const char *uid = k8c_jstr(obj, "metadata.uid");
	knode_t *node = node_of(kl, obj);
	kpod_t *kp;

	const char *old_uid = old ? k8c_jstr(old, "metadata.uid") : NULL;

	if (uid == NULL || node == NULL)
		return;
	if (old_uid != NULL && strcmp(old_uid, uid) != 0) {
		/* deleted and created again under its name while we were not
		 * watching: the old one is gone */
		pthread_mutex_lock(&kl->lock);
		kp = k8c_strmap_get(&kl->pods, old_uid);
		if (kp != NULL)
			kp->gone = 1;
		pthread_mutex_unlock(&kl->lock);
		if (kp != NULL)
			k8c_workqueue_add(kl->queue, old_uid);
	}
	pthread_mutex_lock(&kl->lock);
	kp = k8c_strmap_get(&kl->pods, uid);
	if (type == K8C_WATCH_DELETED) {
		if (kp != NULL)
			kp->gone = 1;
	} else {
		if (kp == NULL) {
			kp = pod_new(kl, obj, uid, node);
			k8c_strmap_put(&kl->pods, uid, kp);
		}
		cJSON_Delete(kp->pod);
		kp->pod = cJSON_Duplicate(obj, 1);
	}
	pthread_mutex_unlock(&kl->lock);
	if (kp != NULL)
		k8c_workqueue_add(kl->queue, uid);
}

static void *worker(void *arg)
{
	k8c_kubelet_t *kl = arg;
	char *uid;

	while (k8c_workqueue_get(kl->queue, &uid)) {
		kl_sync_pod(kl, uid);
		k8c_workqueue_done(kl->queue, uid);
		free(uid);
	}
	return NULL;
}

/* --- the runtime's list: adoption at start, PLEG afterwards ---------------- */

typedef struct listing {
	k8c_kubelet_t *kl;
	k8c_strmap_t *states; /* id -> (state + 1) | generation << 8 */
	uintptr_t gen;
	int adopting;
} listing_t;

static void on_entry(void *udata, const k8c_runtime_entry_t *e)
{
	listing_t *ls = udata;
	k8c_kubelet_t *kl = ls->kl;

	if (ls->adopting && e->pod_uid != NULL) {
		adopted_t *a = k8c_strmap_get(&kl->adopt, e->pod_uid);
		if (a == NULL) {
			a = k8c_xcalloc(1, sizeof(*a));
			k8c_strmap_init(&a->containers);
			a->ns = k8c_xstrdup(e->pod_namespace ? e->pod_namespace : "");
			a->name = k8c_xstrdup(e->pod_name ? e->pod_name : "");
			k8c_strmap_put(&kl->adopt, e->pod_uid, a);
		}
		if (!e->is_container) {
			/* the newest ready sandbox wins */
			if (a->sandbox_id[0] == '\0' || e->state)
				snprintf(a->sandbox_id, sizeof(a->sandbox_id), "%s", e->id);
		} else if (e->container_name != NULL) {
			adopted_container_t *ac = k8c_strmap_get(&a->containers, e->container_name);
			if (ac == NULL || e->attempt >= ac->attempt) {
				if (ac == NULL) {
					ac = k8c_xcalloc(1, sizeof(*ac));
					k8c_strmap_put(&a->containers, e->container_name, ac);
				}
				snprintf(ac->id, sizeof(ac->id), "%s", e->id);
				ac->attempt = e->attempt;
			}
		}
	}
	if (ls->states != NULL) {
		uintptr_t was = (uintptr_t)k8c_strmap_get(ls->states, e->id);
		uintptr_t now = (uintptr_t)(e->state + 1) | ls->gen << 8;
		k8c_strmap_put(ls->states, e->id, (void *)now);
		/* a change, or a container that exited before we ever saw it */
		if (e->pod_uid != NULL && ((was != 0 && (was & 0xff) != (now & 0xff)) ||
		                           (was == 0 && e->is_container && e->state == K8C_CONTAINER_EXITED)))
			k8c_workqueue_add(kl->queue, e->pod_uid);
	}
}

static void *pleg_thread(void *arg)
{
	k8c_kubelet_t *kl = arg;
	k8c_strmap_t states;
	listing_t ls = {kl, &states, 0, 0};

	k8c_strmap_init(&states);
	for (;;) {
		struct timespec ts;
		k8c_strmap_entry_t *e;
		k8c_error_t err;
		size_t i;
		int stop;

		ls.gen = (ls.gen + 1) & 0xffffff;
		if (kl->cfg.runtime->list(kl->cfg.runtime_cookie, on_entry, &ls, &err) < 0)
			K8C_WARN("runtime list: %s", err.message);
		/* forget containers that are gone */
		for (;;) {
			char *gone = NULL;
			for (e = k8c_strmap_first(&states, &i); e; e = k8c_strmap_next(&states, e, &i))
				if (((uintptr_t)e->value >> 8) != ls.gen) {
					gone = k8c_xstrdup(e->key);
					break;
				}
			if (gone == NULL)
				break;
			k8c_strmap_remove(&states, gone);
			free(gone);
		}
		ts = k8c_timespec_in(CLOCK_REALTIME, PLEG_PERIOD_NS);
		pthread_mutex_lock(&kl->lock);
		if (!kl->stop)
			pthread_cond_timedwait(&kl->cond, &kl->lock, &ts);
		stop = kl->stop;
		pthread_mutex_unlock(&kl->lock);
		if (stop)
			break;
	}
	k8c_strmap_free(&states);
	return NULL;
}

/* Pods the runtime runs that no bound pod claims any more: stop them. */
static void remove_orphans(k8c_kubelet_t *kl, k8c_strmap_t *orphans)
{
	k8c_strmap_entry_t *e;
	size_t i;
	k8c_error_t err;

	for (e = k8c_strmap_first(orphans, &i); e; e = k8c_strmap_next(orphans, e, &i)) {
		adopted_t *a = e->value;
		k8c_strmap_entry_t *c;
		size_t j;

		K8C_INFO("pod %s/%s (uid %s) was deleted while the agent was down: stopping its containers",
		         a->ns, a->name, e->key);
		for (c = k8c_strmap_first(&a->containers, &j); c; c = k8c_strmap_next(&a->containers, c, &j)) {
			adopted_container_t *ac = c->value;
			if (kl->cfg.runtime->stop_container(kl->cfg.runtime_cookie, ac->id, 0, &err) < 0 ||
			    kl->cfg.runtime->remove_container(kl->cfg.runtime_cookie, ac->id, &err) < 0)
				K8C_WARN("container %s: %s", ac->id, err.message);
		}
		if (a->sandbox_id[0] &&
		    (kl->cfg.runtime->stop_sandbox(kl->cfg.runtime_cookie, a->sandbox_id, &err) < 0 ||
		     kl->cfg.runtime->remove_sandbox(kl->cfg.runtime_cookie, a->sandbox_id, &err) < 0))
			K8C_WARN("sandbox %s: %s", a->sandbox_id, err.message);
	}
}

void kl_pods_start(k8c_kubelet_t *kl)
{
	listing_t ls = {kl, NULL, 0, 1};
	_cleanup_free_ char *path = NULL;
	k8c_error_t err;

	k8c_strmap_init(&kl->adopt);
	kl->queue = k8c_workqueue_new();
	if (kl->cfg.runtime->list(kl->cfg.runtime_cookie, on_entry, &ls, &err) < 0)
		K8C_WARN("runtime list: %s (containers of an earlier run are not adopted)", err.message);
	else if (kl->adopt.count > 0)
		K8C_INFO("the runtime runs containers of %zu pods: adopting them", kl->adopt.count);
	if (kl->n_nodes == 1) {
		_cleanup_free_ char *esc = k8c_client_escape(kl->nodes[0].name);
		path = k8c_xasprintf("/api/v1/pods?fieldSelector=spec.nodeName%%3D%s", esc);
	} else {
		path = k8c_xstrdup("/api/v1/pods?fieldSelector=spec.nodeName%21%3D");
	}
	kl->pod_informer = k8c_informer_new(kl->cfg.client, path, on_pod, kl);
	kl->n_workers = kl->cfg.workers > 0 ? kl->cfg.workers : 4;
	kl->workers = k8c_xcalloc((size_t)kl->n_workers, sizeof(*kl->workers));
	for (int i = 0; i < kl->n_workers; i++)
		pthread_create(&kl->workers[i], NULL, worker, kl);
	k8c_informer_start(kl->pod_informer);
	/* once the bound pods are known, what is left in adopt is orphaned */
	while (!k8c_informer_wait_synced(kl->pod_informer, 1000)) {
		pthread_mutex_lock(&kl->lock);
		int stop = kl->stop;
		pthread_mutex_unlock(&kl->lock);
		if (stop)
			return;
	}
	{
		/* take what is left out of the table, then call the runtime
		 * without the lock */
		k8c_strmap_t orphans;
		k8c_strmap_entry_t *e;
		size_t i;

		pthread_mutex_lock(&kl->lock);
		orphans = kl->adopt;
		k8c_strmap_init(&kl->adopt);
		pthread_mutex_unlock(&kl->lock);
		remove_orphans(kl, &orphans);
		for (e = k8c_strmap_first(&orphans, &i); e; e = k8c_strmap_next(&orphans, e, &i))
			adopted_free(e->value);
		k8c_strmap_free(&orphans);
	}
	pthread_create(&kl->pleg, NULL, pleg_thread, kl);
}

void kl_pods_stop(k8c_kubelet_t *kl)
{
	k8c_strmap_entry_t *e;
	size_t i;

	k8c_informer_free(kl->pod_informer);
	kl->pod_informer = NULL;
	if (kl->queue != NULL)
		k8c_workqueue_shutdown(kl->queue);
	for (int i2 = 0; i2 < kl->n_workers; i2++)
		pthread_join(kl->workers[i2], NULL);
	free(kl->workers);
	kl->workers = NULL;
	kl->n_workers = 0;
	if (kl->pleg)
		pthread_join(kl->pleg, NULL);
	k8c_workqueue_free(kl->queue);
	kl->queue = NULL;
	for (e = k8c_strmap_first(&kl->pods, &i); e; e = k8c_strmap_next(&kl->pods, e, &i))
		kl_pod_free(e->value);
	k8c_strmap_free(&kl->pods);
	for (e = k8c_strmap_first(&kl->adopt, &i); e; e = k8c_strmap_next(&kl->adopt, e, &i))
		adopted_free(e->value);
	k8c_strmap_free(&kl->adopt);
}
