/* Informers: LIST + WATCH with resume (see informer.h).  The reflector
 * thread lists, starts a watch and sleeps until the watch ends; the watch
 * thread applies events.  Only one of them applies changes at a time, so
 * handlers see one ordered stream.  lock guards the copy for readers. */
#define K8C_LOG_COMPONENT "informer"
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "client/informer.h"
#include "common/json_intern.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/strmap.h"
#include "common/timestamp.h"

#define PAGE 500
#define BACKOFF_MAX_MS 30000

typedef struct shared shared_t;

struct k8c_informer {
	shared_t *shared;     /* a subscription: the shared informer it reads (else NULL) */
	k8c_client_t *c;      /* borrowed */
	char *path;           /* owned */
	k8c_informer_fn fn;
	void *udata;
	pthread_t thread;
	int started;

	pthread_mutex_t lock;
	pthread_cond_t cond;  /* synced, watch_ended, stop */
	k8c_strmap_t objects; /* key -> cJSON* (owned) */
	char rv[32];          /* last resourceVersion seen */
	int synced;
	int stop;
	int watch_ended;
	k8c_error_t watch_end;
	k8c_client_watch_t *watch; /* the running watch, owned */
};

char *k8c_object_key(const cJSON *obj)
{
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	const char *ns = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(md, "namespace"));
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(md, "name"));

	if (name == NULL)
		return NULL;
	return ns && *ns ? k8c_xasprintf("%s/%s", ns, name) : k8c_xstrdup(name);
}

static const char *rv_of(const cJSON *obj)
{
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(md, "resourceVersion"));
}

static void set_rv(k8c_informer_t *inf, const char *rv)
{
	if (rv != NULL && strlen(rv) < sizeof(inf->rv)) {
		pthread_mutex_lock(&inf->lock);
		strcpy(inf->rv, rv);
		pthread_mutex_unlock(&inf->lock);
	}
}

/* Put obj (owned, taken) into the copy and tell the handler.  Its
 * metadata.managedFields go first, as kube's components drop them from
 * their informers: no component reads them, and they are often half the
 * object (the API server keeps its own record on updates). */
static void apply_put(k8c_informer_t *inf, cJSON *obj)
{
	_cleanup_free_ char *key = NULL;
	cJSON *old;

	cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj, "metadata"),
	                                        "managedFields");
	k8c_json_intern_keys(obj); /* held for long: share its keys */
	key = k8c_object_key(obj);
	if (key == NULL) {
		cJSON_Delete(obj);
		return;
	}
	pthread_mutex_lock(&inf->lock);
	old = k8c_strmap_put(&inf->objects, key, obj);
	if (old != NULL && strcmp(rv_of(old) ? rv_of(old) : "", rv_of(obj) ? rv_of(obj) : "") == 0) {
		/* unchanged (a relist): keep the object handlers may hold */
		k8c_strmap_put(&inf->objects, key, old);
		pthread_mutex_unlock(&inf->lock);
		cJSON_Delete(obj);
		return;
	}
	pthread_mutex_unlock(&inf->lock);
	if (old == NULL)
		inf->fn(inf->udata, K8C_WATCH_ADDED, obj, NULL);
	else
		inf->fn(inf->udata, K8C_WATCH_MODIFIED, obj, old);
	cJSON_Delete(old);
}

static void apply_delete(k8c_informer_t *inf, const char *key, const cJSON *last)
{
	cJSON *old;

	pthread_mutex_lock(&inf->lock);
	old = k8c_strmap_remove(&inf->objects, key);
	pthread_mutex_unlock(&inf->lock);
	if (old != NULL || last != NULL)
		inf->fn(inf->udata, K8C_WATCH_DELETED, last ? last : old, NULL);
	cJSON_Delete(old);
}

static void on_event(void *udata, int type, const cJSON *obj, const k8c_error_t *end)
{
	k8c_informer_t *inf = udata;

	if (obj == NULL) {
		pthread_mutex_lock(&inf->lock);
		inf->watch_ended = 1;
		inf->watch_end = *end;
		pthread_cond_broadcast(&inf->cond);
		pthread_mutex_unlock(&inf->lock);
		return;
	}
	if (type == K8C_WATCH_DELETED) {
		_cleanup_free_ char *key = k8c_object_key(obj);
		if (key != NULL)
			apply_delete(inf, key, obj);
	} else if (type != K8C_WATCH_BOOKMARK) {
		apply_put(inf, cJSON_Duplicate(obj, 1));
	}
	set_rv(inf, rv_of(obj));
}

/* Sleep ms unless stopped; returns 1 when stopped. */
static int pause_ms(k8c_informer_t *inf, int64_t ms)
{
	struct timespec ts = k8c_timespec_in(CLOCK_REALTIME, ms * 1000000);
	int stop;

	pthread_mutex_lock(&inf->lock);
	while (!inf->stop && pthread_cond_timedwait(&inf->cond, &inf->lock, &ts) != ETIMEDOUT)
		;
	stop = inf->stop;
	pthread_mutex_unlock(&inf->lock);
	return stop;
}

/* LIST every page into a fresh map; then make the copy equal to it,
 * telling the handler what changed.  Returns < 0 with err set. */
static int relist(k8c_informer_t *inf, k8c_error_t *err)
{
	k8c_strmap_t seen;
	_cleanup_free_ char *cont = NULL;
	char rv[32] = "";
	cJSON *items = cJSON_CreateArray();
	k8c_strmap_entry_t *e;
	size_t i;
	int ret = 0;

	do {
		_cleanup_free_ char *esc = cont ? k8c_client_escape(cont) : NULL;
		_cleanup_free_ char *p = k8c_xasprintf("%s%slimit=%d%s%s", inf->path,
		                                       strchr(inf->path, '?') ? "&" : "?", PAGE,
		                                       esc ? "&continue=" : "", esc ? esc : "");
		_cleanup_json_ cJSON *page = NULL;
		const cJSON *md;
		const char *next, *page_rv;
		cJSON *item;

		if ((ret = k8c_client_request(inf->c, "GET", p, NULL, NULL, &page, err)) < 0)
			break;
		md = cJSON_GetObjectItemCaseSensitive(page, "metadata");
		next = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(md, "continue"));
		page_rv = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(md, "resourceVersion"));
		free(cont);
		cont = next != NULL && *next ? k8c_xstrdup(next) : NULL;
		if (page_rv != NULL)
			snprintf(rv, sizeof(rv), "%s", page_rv);
		while ((item = cJSON_DetachItemFromArray(cJSON_GetObjectItemCaseSensitive(page, "items"), 0)) != NULL)
			cJSON_AddItemToArray(items, item);
	} while (cont != NULL);
	if (ret < 0) {
		cJSON_Delete(items);
		return ret;
	}
	/* the items of a LIST carry no kind: the watch's objects do */
	k8c_strmap_init(&seen);
	while (items->child != NULL) { /* (cJSON_GetArraySize walks the list: quadratic) */
		cJSON *item = cJSON_DetachItemViaPointer(items, items->child);
		_cleanup_free_ char *key = k8c_object_key(item);
		if (key != NULL)
			k8c_strmap_put(&seen, key, (void *)1);
		apply_put(inf, item);
	}
	cJSON_Delete(items);
	/* what is gone: the keys in one walk, then their deletions */
	{
		char **gone = NULL;
		size_t n_gone = 0, cap = 0;
		pthread_mutex_lock(&inf->lock);
		for (e = k8c_strmap_first(&inf->objects, &i); e != NULL;
		     e = k8c_strmap_next(&inf->objects, e, &i))
			if (k8c_strmap_get(&seen, e->key) == NULL) {
				if (n_gone == cap) {
					cap = cap ? cap * 2 : 64;
					gone = k8c_xrealloc(gone, cap * sizeof(*gone));
				}
				gone[n_gone++] = k8c_xstrdup(e->key);
			}
		pthread_mutex_unlock(&inf->lock);
		for (size_t g = 0; g < n_gone; g++) {
			apply_delete(inf, gone[g], NULL);
			free(gone[g]);
		}
		free(gone);
	}
	k8c_strmap_free(&seen);
	set_rv(inf, rv);
	return 0;
}

static void *reflector(void *arg)
{
	k8c_informer_t *inf = arg;
	int64_t backoff_ms = 0, watch_start;
	int need_list = 1;
	k8c_error_t err;

	pthread_setname_np(pthread_self(), "k8c-informer");

	for (;;) {
		char rv[32];

		if (backoff_ms > 0 && pause_ms(inf, backoff_ms))
			break;
		pthread_mutex_lock(&inf->lock);
		if (inf->stop) {
			pthread_mutex_unlock(&inf->lock);
			break;
		}
		pthread_mutex_unlock(&inf->lock);
		if (need_list) {
			if (relist(inf, &err) < 0) {
				backoff_ms = backoff_ms ? backoff_ms * 2 : 500;
				if (backoff_ms > BACKOFF_MAX_MS)
					backoff_ms = BACKOFF_MAX_MS;
				K8C_WARN("list %s: %s (again in %lld ms)", inf->path, err.message,
				         (long long)backoff_ms);
				continue;
			}
			need_list = 0;
			backoff_ms = 0;
			pthread_mutex_lock(&inf->lock);
			inf->synced = 1;
			pthread_cond_broadcast(&inf->cond);
			pthread_mutex_unlock(&inf->lock);
		}
		pthread_mutex_lock(&inf->lock);
		memcpy(rv, inf->rv, sizeof(rv));
		inf->watch_ended = 0;
		pthread_mutex_unlock(&inf->lock);
		if (k8c_client_watch(inf->c, inf->path, rv, on_event, inf, NULL, &inf->watch,
		                     &err) < 0) {
			need_list = 1;
			continue;
		}
		watch_start = k8c_time_monotonic_ns();
		pthread_mutex_lock(&inf->lock);
		while (!inf->watch_ended && !inf->stop)
			pthread_cond_wait(&inf->cond, &inf->lock);
		err = inf->watch_end;
		pthread_mutex_unlock(&inf->lock);
		k8c_client_watch_stop(inf->c, inf->watch);
		inf->watch = NULL;
		pthread_mutex_lock(&inf->lock);
		if (inf->stop) {
			pthread_mutex_unlock(&inf->lock);
			break;
		}
		pthread_mutex_unlock(&inf->lock);
		if (err.code == K8C_EEXPIRED) {
			K8C_DEBUG("watch %s: %s: listing again", inf->path, err.message);
			need_list = 1;
			backoff_ms = 0;
		} else if (k8c_time_monotonic_ns() - watch_start > 10000000000LL) {
			backoff_ms = 0; /* it ran a while (the server's timeout): go on from rv */
		} else if (err.code == K8C_ETIMEOUT && backoff_ms == 0) {
			backoff_ms = 100; /* ended at once: do not spin */
		} else {
			K8C_DEBUG("watch %s: %s", inf->path, err.message);
			backoff_ms = backoff_ms ? backoff_ms * 2 : 500;
			if (backoff_ms > BACKOFF_MAX_MS)
				backoff_ms = BACKOFF_MAX_MS;
			/* a server that lost our revision (restored) answers 410 */
		}
		if (err.code != K8C_ETIMEOUT && err.code != K8C_EEXPIRED && err.code != K8C_EUNAVAIL)
			need_list = 1;
	}
	return NULL;
}

/* --- informers shared by the components of one process ------------------
 *
 * The scheduler and the controller manager inside `k8c server` both watch
 * every pod and node; with k8c_informer_shared they read one informer (one
 * LIST+WATCH, one copy of the objects) through subscriptions.  The shared
 * informer has a client of its own, so that it outlives the component that
 * made it.  Its handler calls every subscription's handler in turn under
 * `dispatch`; a new subscription is first told of every object already
 * there (ADDED), under the same lock, so it sees one ordered stream. */

struct shared {
	char *key;                 /* "SERVER\nPATH", owned */
	k8c_client_t *client;      /* owned */
	k8c_informer_t *inf;       /* owned: the real informer */
	pthread_mutex_t dispatch;  /* held while the subscriptions' handlers run */
	k8c_informer_t **subs;     /* started subscriptions (borrowed) */
	size_t n_subs;
	int refs;                  /* subscriptions, started or not */
	shared_t *next;
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static shared_t *registry; /* guarded by registry_lock */

/* The informer that holds the objects. */
static k8c_informer_t *real(k8c_informer_t *inf)
{
	return inf->shared ? inf->shared->inf : inf;
}

static void dispatch(void *udata, int type, const cJSON *obj, const cJSON *old)
{
	shared_t *sh = udata;

	pthread_mutex_lock(&sh->dispatch);
	for (size_t i = 0; i < sh->n_subs; i++)
		sh->subs[i]->fn(sh->subs[i]->udata, type, obj, old);
	pthread_mutex_unlock(&sh->dispatch);
}

static void subscribe(k8c_informer_t *sub)
{
	shared_t *sh = sub->shared;
	k8c_strmap_entry_t *e;
	const cJSON **objs;
	size_t i, n = 0;

	pthread_mutex_lock(&registry_lock);
	if (!sh->inf->started)
		k8c_informer_start(sh->inf);
	pthread_mutex_unlock(&registry_lock);
	/* nothing is freed while dispatch is held: what the copy holds now
	 * stays valid until this subscription has seen it */
	pthread_mutex_lock(&sh->dispatch);
	pthread_mutex_lock(&sh->inf->lock);
	objs = k8c_xcalloc(sh->inf->objects.count + 1, sizeof(*objs));
	for (e = k8c_strmap_first(&sh->inf->objects, &i); e != NULL;
	     e = k8c_strmap_next(&sh->inf->objects, e, &i))
		objs[n++] = e->value;
	pthread_mutex_unlock(&sh->inf->lock);
	for (i = 0; i < n; i++)
		sub->fn(sub->udata, K8C_WATCH_ADDED, objs[i], NULL);
	free(objs);
	sh->subs = k8c_xrealloc(sh->subs, (sh->n_subs + 1) * sizeof(*sh->subs));
	sh->subs[sh->n_subs++] = sub;
	sub->started = 1;
	pthread_mutex_unlock(&sh->dispatch);
}

static void unsubscribe(k8c_informer_t *sub)
{
	shared_t *sh = sub->shared, **pp;
	int last;

	pthread_mutex_lock(&sh->dispatch);
	for (size_t i = 0; i < sh->n_subs; i++) {
		if (sh->subs[i] == sub) {
			sh->subs[i] = sh->subs[--sh->n_subs];
			break;
		}
	}
	pthread_mutex_unlock(&sh->dispatch);
	pthread_mutex_lock(&registry_lock);
	last = --sh->refs == 0;
	if (last) {
		for (pp = &registry; *pp != sh; pp = &(*pp)->next)
			;
		*pp = sh->next;
	}
	pthread_mutex_unlock(&registry_lock);
	if (last) {
		k8c_informer_free(sh->inf); /* its thread ends: no dispatch after */
		k8c_client_free(sh->client);
		pthread_mutex_destroy(&sh->dispatch);
		free(sh->subs);
		free(sh->key);
		free(sh);
	}
	free(sub->path);
	free(sub);
}

k8c_informer_t *k8c_informer_shared(k8c_client_t *c, const char *path, k8c_informer_fn fn,
                                    void *udata)
{
	_cleanup_free_ char *key = k8c_xasprintf("%s\n%s", k8c_client_server(c), path);
	k8c_informer_t *sub = k8c_xcalloc(1, sizeof(*sub));
	shared_t *sh;

	pthread_mutex_lock(&registry_lock);
	for (sh = registry; sh != NULL && strcmp(sh->key, key) != 0; sh = sh->next)
		;
	if (sh == NULL) {
		k8c_client_config_t cfg = {.server = k8c_client_server(c),
		                           .user_agent = "k8c-informer/" PACKAGE_VERSION};
		k8c_error_t err;
		sh = k8c_xcalloc(1, sizeof(*sh));
		if (k8c_client_new(&cfg, &sh->client, &err) < 0)
			k8c_die("informer: %s", err.message); /* only a bad URL fails, and c has it */
		sh->key = K8C_STEAL(key);
		sh->inf = k8c_informer_new(sh->client, path, dispatch, sh);
		pthread_mutex_init(&sh->dispatch, NULL);
		sh->next = registry;
		registry = sh;
	}
	sh->refs++;
	pthread_mutex_unlock(&registry_lock);
	sub->shared = sh;
	sub->path = k8c_xstrdup(path);
	sub->fn = fn;
	sub->udata = udata;
	return sub;
}

k8c_informer_t *k8c_informer_new(k8c_client_t *c, const char *path, k8c_informer_fn fn,
                                 void *udata)
{
	k8c_informer_t *inf = k8c_xcalloc(1, sizeof(*inf));

	inf->c = c;
	inf->path = k8c_xstrdup(path);
	inf->fn = fn;
	inf->udata = udata;
	pthread_mutex_init(&inf->lock, NULL);
	pthread_cond_init(&inf->cond, NULL);
	k8c_strmap_init(&inf->objects);
	return inf;
}

static void subscribe(k8c_informer_t *sub);

void k8c_informer_start(k8c_informer_t *inf)
{
	if (inf->shared != NULL) {
		subscribe(inf);
		return;
	}
	int ret = pthread_create(&inf->thread, NULL, reflector, inf);

	if (ret != 0)
		k8c_die("informer: pthread_create: %s", strerror(ret));
	inf->started = 1;
}

int k8c_informer_wait_synced(k8c_informer_t *inf, int64_t timeout_ms)
{
	struct timespec ts = k8c_timespec_in(CLOCK_REALTIME, timeout_ms * 1000000);
	int synced;

	inf = real(inf);
	pthread_mutex_lock(&inf->lock);
	while (!inf->synced && !inf->stop &&
	       pthread_cond_timedwait(&inf->cond, &inf->lock, &ts) != ETIMEDOUT)
		;
	synced = inf->synced;
	pthread_mutex_unlock(&inf->lock);
	return synced;
}

cJSON *k8c_informer_get(k8c_informer_t *inf, const char *key)
{
	cJSON *obj;

	inf = real(inf);
	pthread_mutex_lock(&inf->lock);
	obj = k8c_strmap_get(&inf->objects, key);
	obj = obj ? cJSON_Duplicate(obj, 1) : NULL;
	pthread_mutex_unlock(&inf->lock);
	return obj;
}

size_t k8c_informer_count(k8c_informer_t *inf)
{
	size_t n;

	inf = real(inf);
	pthread_mutex_lock(&inf->lock);
	n = inf->objects.count;
	pthread_mutex_unlock(&inf->lock);
	return n;
}

void k8c_informer_free(k8c_informer_t *inf)
{
	k8c_strmap_entry_t *e;
	size_t i;

	if (inf == NULL)
		return;
	if (inf->shared != NULL) {
		unsubscribe(inf);
		return;
	}
	pthread_mutex_lock(&inf->lock);
	inf->stop = 1;
	pthread_cond_broadcast(&inf->cond);
	pthread_mutex_unlock(&inf->lock);
	if (inf->started)
		pthread_join(inf->thread, NULL);
	for (e = k8c_strmap_first(&inf->objects, &i); e != NULL;
	     e = k8c_strmap_next(&inf->objects, e, &i))
		cJSON_Delete(e->value);
	k8c_strmap_free(&inf->objects);
	pthread_cond_destroy(&inf->cond);
	pthread_mutex_destroy(&inf->lock);
	free(inf->path);
	free(inf);
}
