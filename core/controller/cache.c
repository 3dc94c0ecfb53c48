/* The controller manager's cache: one informer per watched resource,
 * shared by every controller that watches it (kube-controller-manager's
 * shared informer factory), with an index by namespace and one by owner
 * uid.  The cache keeps the informer's own objects (no copies): an object
 * stays valid until the informer reports the next change of its key, and
 * that report takes the write lock before anything replaces it. */
#define K8C_LOG_COMPONENT "controller-manager"
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "common/json_path.h"
#include "common/log.h"
#include "common/mem.h"
#include "controller/internal.h"

const cJSON *ctl_controller_ref(const cJSON *obj)
{
	const cJSON *ref;

	cJSON_ArrayForEach(ref, k8c_jget(obj, "metadata.ownerReferences")) {
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ref, "controller")))
			return ref;
	}
	return NULL;
}

/* --- indexes: name -> (key -> object) ------------------------------------ */

static void index_put(k8c_strmap_t *idx, const char *name, const char *key, const cJSON *obj)
{
	k8c_strmap_t *set = k8c_strmap_get(idx, name);

	if (set == NULL) {
		set = k8c_xcalloc(1, sizeof(*set));
		k8c_strmap_init(set);
		k8c_strmap_put(idx, name, set);
	}
	k8c_strmap_put(set, key, (void *)obj);
}

static void index_remove(k8c_strmap_t *idx, const char *name, const char *key)
{
	k8c_strmap_t *set = k8c_strmap_get(idx, name);

	if (set == NULL)
		return;
	k8c_strmap_remove(set, key);
	if (set->count == 0) {
		k8c_strmap_remove(idx, name);
		k8c_strmap_free(set);
		free(set);
	}
}

static void index_free(k8c_strmap_t *idx)
{
	k8c_strmap_entry_t *e;
	size_t i;

	for (e = k8c_strmap_first(idx, &i); e != NULL; e = k8c_strmap_next(idx, e, &i)) {
		k8c_strmap_free(e->value);
		free(e->value);
	}
	k8c_strmap_free(idx);
}

/* Add (add = 1) or remove obj's entries of both indexes. */
static void index_object(ctl_resource_t *r, const char *key, const cJSON *obj, int add)
{
	const char *ns = k8c_jstr(obj, "metadata.namespace");
	const cJSON *ref;

	if (ns != NULL) {
		if (add)
			index_put(&r->by_ns, ns, key, obj);
		else
			index_remove(&r->by_ns, ns, key);
	}
	cJSON_ArrayForEach(ref, k8c_jget(obj, "metadata.ownerReferences")) {
		const char *uid = k8c_jstr(ref, "uid");
		if (uid == NULL)
			continue;
		if (add)
			index_put(&r->by_owner, uid, key, obj);
		else
			index_remove(&r->by_owner, uid, key);
	}
}

/* The informer's report: update the cache, then tell the subscribers. */
static void on_informer(void *udata, int type, const cJSON *obj, const cJSON *old)
{
	ctl_resource_t *r = udata;
	_cleanup_free_ char *key = k8c_object_key(obj);
	const cJSON *prev;

	if (key == NULL)
		return;
	pthread_rwlock_wrlock(&r->lock);
	prev = k8c_strmap_get(&r->objects, key);
	if (prev != NULL)
		index_object(r, key, prev, 0);
	if (type == K8C_WATCH_DELETED) {
		k8c_strmap_remove(&r->objects, key);
	} else {
		k8c_strmap_put(&r->objects, key, (void *)obj);
		index_object(r, key, obj, 1);
	}
	pthread_rwlock_unlock(&r->lock);
	for (size_t i = 0; i < r->n_subs; i++)
		ctl_instance_changed(r->subs[i].ci, r->subs[i].watch, type, obj, old);
}

static char *collection_path(const k8c_controller_watch_t *w)
{
	if (w->group == NULL || w->group[0] == '\0')
		return k8c_xasprintf("/api/%s/%s", w->version, w->resource);
	return k8c_xasprintf("/apis/%s/%s/%s", w->group, w->version, w->resource);
}

ctl_resource_t *ctl_cache_subscribe(ctl_cache_t *cache, const k8c_controller_watch_t *w,
                                    ctl_instance_t *ci, size_t watch)
{
	const char *group = w->group ? w->group : "";
	ctl_resource_t *r;

	for (r = cache->head; r != NULL; r = r->next) {
		if (strcmp(r->group, group) == 0 && strcmp(r->version, w->version) == 0 &&
		    strcmp(r->resource, w->resource) == 0)
			break;
	}
	if (r == NULL) {
		_cleanup_free_ char *path = collection_path(w);
		r = k8c_xcalloc(1, sizeof(*r));
		r->group = k8c_xstrdup(group);
		r->version = k8c_xstrdup(w->version);
		r->resource = k8c_xstrdup(w->resource);
		pthread_rwlock_init(&r->lock, NULL);
		k8c_strmap_init(&r->objects);
		k8c_strmap_init(&r->by_ns);
		k8c_strmap_init(&r->by_owner);
		r->inf = k8c_informer_shared(cache->client, path, on_informer, r);
		r->next = cache->head;
		cache->head = r;
	}
	r->subs = k8c_xrealloc(r->subs, (r->n_subs + 1) * sizeof(*r->subs));
	r->subs[r->n_subs++] = (ctl_sub_t){ci, watch};
	return r;
}

void ctl_cache_start(ctl_cache_t *cache)
{
	for (ctl_resource_t *r = cache->head; r != NULL; r = r->next)
		k8c_informer_start(r->inf);
}

int ctl_cache_wait_synced(ctl_cache_t *cache, int (*stopping)(void *arg), void *arg)
{
	for (ctl_resource_t *r = cache->head; r != NULL; r = r->next) {
		int waited = 0;
		while (!k8c_informer_wait_synced(r->inf, 1000)) {
			if (stopping(arg))
				return -1;
			if (++waited % 60 == 0)
				K8C_WARN("still waiting for the first list of %s%s%s (%d s): controllers wait",
				         r->group, r->group[0] ? "/" : "", r->resource, waited);
		}
	}
	return 0;
}

void ctl_cache_stop(ctl_cache_t *cache)
{
	for (ctl_resource_t *r = cache->head; r != NULL; r = r->next) {
		k8c_informer_free(r->inf);
		r->inf = NULL;
	}
}

void ctl_cache_free(ctl_cache_t *cache)
{
	ctl_cache_stop(cache);
	while (cache->head != NULL) {
		ctl_resource_t *r = cache->head;
		cache->head = r->next;
		k8c_strmap_free(&r->objects);
		index_free(&r->by_ns);
		index_free(&r->by_owner);
		pthread_rwlock_destroy(&r->lock);
		free(r->subs);
		free(r->group);
		free(r->version);
		free(r->resource);
		free(r);
	}
}

cJSON *ctl_resource_get(ctl_resource_t *r, const char *key)
{
	const cJSON *obj;
	cJSON *copy = NULL;

	pthread_rwlock_rdlock(&r->lock);
	obj = k8c_strmap_get(&r->objects, key);
	if (obj != NULL)
		copy = cJSON_Duplicate(obj, 1);
	pthread_rwlock_unlock(&r->lock);
	return copy;
}

size_t ctl_resource_list(ctl_resource_t *r, const char *ns, const char *owner_uid,
                         int (*fn)(void *arg, const cJSON *obj), void *arg)
{
	const k8c_strmap_t *set;
	k8c_strmap_entry_t *e;
	size_t i, n = 0;

	pthread_rwlock_rdlock(&r->lock);
	if (owner_uid != NULL)
		set = k8c_strmap_get(&r->by_owner, owner_uid);
	else if (ns != NULL)
		set = k8c_strmap_get(&r->by_ns, ns);
	else
		set = &r->objects;
	for (e = set ? k8c_strmap_first(set, &i) : NULL; e != NULL; e = k8c_strmap_next(set, e, &i)) {
		const cJSON *obj = e->value;
		if (owner_uid != NULL && ns != NULL &&
		    strcmp(k8c_jstr(obj, "metadata.namespace") ?: "", ns) != 0)
			continue;
		n++;
		if (fn(arg, obj) != 0)
			break;
	}
	pthread_rwlock_unlock(&r->lock);
	return n;
}
