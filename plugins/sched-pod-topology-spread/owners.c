/* pod-topology-spread: the selector of default constraints.
 *
 * kube-scheduler gives a pod without constraints of its own the default
 * constraints (System: hostname maxSkew 3 and zone maxSkew 5, both
 * ScheduleAnyway; or the configured List) with a selector deduced from the
 * objects that select the pod (helper.DefaultSelector): the selectors of
 * the Services of its namespace that match its labels, plus that of its
 * controlling ReplicationController, ReplicaSet or StatefulSet.  It reads
 * them from informers; we keep the same four collections through the
 * host's API client: a LIST, then a WATCH from its resourceVersion,
 * resumed when it ends (LIST again when it expired).  Only each object's
 * spec.selector is kept.
 *
 * The lists and watches are (re)started from the scheduling thread when a
 * pod needs them, so nothing runs for a profile whose pods never do; the
 * watch callbacks run on the client's threads and take the lock. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/client.h>

#include "common/mem.h"
#include "spread.h"

#define RETRY_MIN_NS (500LL * 1000 * 1000)
#define RETRY_MAX_NS (30LL * 1000 * 1000 * 1000)
#define SHORT_WATCH_NS (1000LL * 1000 * 1000)

enum { K_SERVICE, K_RC, K_RS, K_SS, K_N };

static const char *const kind_path[K_N] = {
	"/api/v1/services",
	"/api/v1/replicationcontrollers",
	"/apis/apps/v1/replicasets",
	"/apis/apps/v1/statefulsets",
};

enum sync_state {
	S_LIST = 0,   /* list (again), then watch */
	S_WATCHING,
	S_RESUME,     /* the watch ended: watch again from rv */
};

typedef struct kind {
	owner_cache_t *oc; /* borrowed: the cache this is part of */
	int id;
	/* Under oc->lock: namespace -> (k8c_strmap_t *: name -> cJSON *
	 * spec.selector, JSON null when absent); all owned. */
	k8c_strmap_t by_ns;
	char rv[128];
	int state;
	int64_t ended_ns;
	/* Scheduling thread only. */
	k8c_client_watch_t *watch; /* ours until watch_stop */
	int64_t started_ns, retry_at, backoff;
	int failing;               /* a failure was logged */
} kind_t;

struct owner_cache {
	const k8c_host_t *host; /* borrowed until owner_cache_free */
	pthread_mutex_t lock;
	kind_t kinds[K_N];
};

static const cJSON *member(const cJSON *obj, const char *name)
{
	const cJSON *m;

	if (!cJSON_IsObject(obj))
		return NULL;
	m = cJSON_GetObjectItemCaseSensitive(obj, name);
	return cJSON_IsNull(m) ? NULL : m;
}

static const char *str_member(const cJSON *obj, const char *name)
{
	const cJSON *m = member(obj, name);

	return cJSON_IsString(m) ? m->valuestring : NULL;
}

/* --- the store (under oc->lock) ------------------------------------------ */

static void names_free(k8c_strmap_t *names)
{
	k8c_strmap_entry_t *e;
	size_t i;

	for (e = k8c_strmap_first(names, &i); e; e = k8c_strmap_next(names, e, &i))
		cJSON_Delete(e->value);
	k8c_strmap_free(names);
	free(names);
}

static void store_clear(kind_t *k)
{
	k8c_strmap_entry_t *e;
	size_t i;

	for (e = k8c_strmap_first(&k->by_ns, &i); e;
	     e = k8c_strmap_next(&k->by_ns, e, &i))
		names_free(e->value);
	k8c_strmap_free(&k->by_ns);
	k8c_strmap_init(&k->by_ns);
}

static void store_apply(kind_t *k, int type, const cJSON *obj)
{
	const cJSON *meta = member(obj, "metadata"), *sel;
	const char *ns = str_member(meta, "namespace");
	const char *name = str_member(meta, "name");
	k8c_strmap_t *names;

	if (ns == NULL || name == NULL)
		return;
	names = k8c_strmap_get(&k->by_ns, ns);
	if (type == K8C_WATCH_DELETED) {
		if (names != NULL)
			cJSON_Delete(k8c_strmap_remove(names, name));
		if (names != NULL && names->count == 0)
			names_free(k8c_strmap_remove(&k->by_ns, ns));
		return;
	}
	if (names == NULL) {
		names = k8c_xcalloc(1, sizeof(*names));
		k8c_strmap_init(names);
		k8c_strmap_put(&k->by_ns, ns, names);
	}
	sel = member(member(obj, "spec"), "selector");
	cJSON_Delete(k8c_strmap_put(names, name, sel != NULL
	                                                 ? cJSON_Duplicate(sel, 1)
	                                                 : cJSON_CreateNull()));
}

static const cJSON *store_get(const kind_t *k, const char *ns, const char *name)
{
	k8c_strmap_t *names = k8c_strmap_get(&k->by_ns, ns);

	return names != NULL ? k8c_strmap_get(names, name) : NULL;
}

static void set_rv(kind_t *k, const cJSON *obj)
{
	const char *rv = str_member(member(obj, "metadata"), "resourceVersion");

	if (rv != NULL)
		snprintf(k->rv, sizeof(k->rv), "%s", rv);
}

/* --- list and watch ------------------------------------------------------ */

static void watch_event(void *udata, int type, const cJSON *obj,
                        const k8c_error_t *end)
{
	kind_t *k = udata;
	owner_cache_t *oc = k->oc;

	pthread_mutex_lock(&oc->lock);
	if (type == 0) {
		k->state = end != NULL && end->code == K8C_EEXPIRED ? S_LIST
		                                                    : S_RESUME;
		k->ended_ns = oc->host->monotonic_ns(oc->host->ctx);
	} else {
		if (type != K8C_WATCH_BOOKMARK)
			store_apply(k, type, obj);
		set_rv(k, obj);
	}
	pthread_mutex_unlock(&oc->lock);
}

static void sync_failed(kind_t *k, int64_t now, const char *what,
                        const char *msg)
{
	const k8c_host_t *host = k->oc->host;

	k->backoff = k->backoff == 0 ? RETRY_MIN_NS : k->backoff * 2;
	if (k->backoff > RETRY_MAX_NS)
		k->backoff = RETRY_MAX_NS;
	k->retry_at = now + k->backoff;
	if (!k->failing)
		host->log(host->ctx, K8C_LOG_WARN,
		          "default constraints: %s %s failed (%s); retrying, pods "
		          "get no default spreading meanwhile", what,
		          kind_path[k->id], msg);
	k->failing = 1;
}

static int list(kind_t *k, int64_t now)
{
	const k8c_host_t *host = k->oc->host;
	cJSON *out = NULL;
	const cJSON *it;
	k8c_error_t err;

	if (host->client->request(host->client_ctx, "GET", kind_path[k->id], NULL,
	                          NULL, &out, &err) < 0) {
		sync_failed(k, now, "list", err.message);
		return -1;
	}
	pthread_mutex_lock(&k->oc->lock);
	store_clear(k);
	cJSON_ArrayForEach(it, member(out, "items"))
		store_apply(k, K8C_WATCH_ADDED, it);
	k->rv[0] = '\0';
	set_rv(k, out);
	pthread_mutex_unlock(&k->oc->lock);
	cJSON_Delete(out);
	return 0;
}

/* Bring one collection up: list and watch, or watch again. */
static void kind_sync(kind_t *k)
{
	owner_cache_t *oc = k->oc;
	const k8c_host_t *host = oc->host;
	int64_t now = host->monotonic_ns(host->ctx), ended;
	char rv[sizeof(k->rv)];
	k8c_error_t err;
	int state;

	pthread_mutex_lock(&oc->lock);
	state = k->state;
	ended = k->ended_ns;
	pthread_mutex_unlock(&oc->lock);
	if (state == S_WATCHING || now < k->retry_at)
		return;
	if (k->watch != NULL) {
		/* It ended: its final callback ran, so this returns at once. */
		host->client->watch_stop(host->client_ctx, k->watch);
		k->watch = NULL;
		/* A watch that keeps ending at once waits longer each time. */
		if (ended - k->started_ns < SHORT_WATCH_NS && state == S_RESUME) {
			sync_failed(k, now, "watch", "ended at once");
			return;
		}
	}
	if (state == S_LIST && list(k, now) < 0)
		return;
	pthread_mutex_lock(&oc->lock);
	k->state = S_WATCHING; /* before the watch can end and say otherwise */
	memcpy(rv, k->rv, sizeof(rv));
	pthread_mutex_unlock(&oc->lock);
	k->started_ns = now;
	if (host->client->watch(host->client_ctx, kind_path[k->id], rv,
	                        watch_event, k, NULL, &k->watch, &err) < 0) {
		k->watch = NULL;
		pthread_mutex_lock(&oc->lock);
		k->state = err.code == K8C_EEXPIRED ? S_LIST : S_RESUME;
		pthread_mutex_unlock(&oc->lock);
		sync_failed(k, now, "watch", err.message);
		return;
	}
	if (k->failing)
		host->log(host->ctx, K8C_LOG_INFO, "default constraints: %s synced",
		          kind_path[k->id]);
	k->failing = 0;
	k->backoff = 0;
}

owner_cache_t *owner_cache_new(const k8c_host_t *host)
{
	owner_cache_t *oc;

	if (host->client == NULL || host->client->request == NULL ||
	    host->client->watch == NULL || host->client->watch_stop == NULL)
		return NULL;
	oc = k8c_xcalloc(1, sizeof(*oc));
	oc->host = host;
	pthread_mutex_init(&oc->lock, NULL);
	for (int i = 0; i < K_N; i++) {
		oc->kinds[i].oc = oc;
		oc->kinds[i].id = i;
		k8c_strmap_init(&oc->kinds[i].by_ns);
	}
	return oc;
}

void owner_cache_free(owner_cache_t *oc)
{
	if (oc == NULL)
		return;
	/* watch_stop waits for the final callback, which takes the lock:
	 * not held here. */
	for (int i = 0; i < K_N; i++)
		if (oc->kinds[i].watch != NULL)
			oc->host->client->watch_stop(oc->host->client_ctx,
			                             oc->kinds[i].watch);
	for (int i = 0; i < K_N; i++) {
		store_clear(&oc->kinds[i]);
		k8c_strmap_free(&oc->kinds[i].by_ns);
	}
	pthread_mutex_destroy(&oc->lock);
	free(oc);
}

/* --- helper.DefaultSelector ---------------------------------------------- */

/* Do all pairs of the map sel appear in labels? */
static int map_matches(const cJSON *sel, const cJSON *labels)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, sel) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(labels, it->string);

		if (!cJSON_IsString(it) || !cJSON_IsString(v) ||
		    strcmp(it->valuestring, v->valuestring) != 0)
			return 0;
	}
	return 1;
}

/* labels.Merge: set's pairs overwritten by those of add. */
static void map_merge(cJSON *set, const cJSON *add)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, add) {
		if (!cJSON_IsString(it))
			continue;
		cJSON_DeleteItemFromObjectCaseSensitive(set, it->string);
		cJSON_AddStringToObject(set, it->string, it->valuestring);
	}
}

/* The requirements of a LabelSelector as matchExpressions appended to
 * exprs, when it parses and is not absent (Requirements() of Nothing is not
 * ok); else nothing. */
static void add_requirements(cJSON *exprs, const cJSON *sel)
{
	k8c_label_selector_t *check = NULL;
	const cJSON *it;
	k8c_error_t err;

	if (!cJSON_IsObject(sel) ||
	    k8c_label_selector_from_json(sel, &check, &err) < 0)
		return;
	k8c_label_selector_free(check);
	cJSON_ArrayForEach(it, member(sel, "matchLabels")) {
		cJSON *e = cJSON_CreateObject(), *vals = cJSON_CreateArray();

		cJSON_AddStringToObject(e, "key", it->string);
		cJSON_AddStringToObject(e, "operator", "In");
		cJSON_AddItemToArray(vals, cJSON_CreateString(it->valuestring));
		cJSON_AddItemToObject(e, "values", vals);
		cJSON_AddItemToArray(exprs, e);
	}
	cJSON_ArrayForEach(it, member(sel, "matchExpressions"))
		cJSON_AddItemToArray(exprs, cJSON_Duplicate(it, 1));
}

/* metav1.GetControllerOf: the first ownerReference with controller true. */
static const cJSON *controller_of(const cJSON *pod)
{
	const cJSON *refs = member(member(pod, "metadata"), "ownerReferences"), *r;

	if (!cJSON_IsArray(refs))
		return NULL;
	cJSON_ArrayForEach(r, refs)
		if (cJSON_IsTrue(member(r, "controller")))
			return r;
	return NULL;
}

static int owner_kind(const cJSON *ref)
{
	const char *av = str_member(ref, "apiVersion");
	const char *kind = str_member(ref, "kind");

	if (av == NULL || kind == NULL)
		return -1;
	if (strcmp(av, "v1") == 0 && strcmp(kind, "ReplicationController") == 0)
		return K_RC;
	if (strcmp(av, "apps/v1") == 0 && strcmp(kind, "ReplicaSet") == 0)
		return K_RS;
	if (strcmp(av, "apps/v1") == 0 && strcmp(kind, "StatefulSet") == 0)
		return K_SS;
	return -1;
}

/* The selector as a LabelSelector object, or NULL when nothing selects
 * the pod (the common case costs no allocation); under oc->lock. */
static cJSON *default_selector_json(owner_cache_t *oc, const cJSON *pod)
{
	const char *ns = pod_namespace(pod);
	const cJSON *labels = pod_labels(pod), *ref, *owner_sel = NULL;
	k8c_strmap_t *svcs = k8c_strmap_get(&oc->kinds[K_SERVICE].by_ns, ns);
	cJSON *out = NULL, *set = NULL, *exprs = NULL;
	k8c_strmap_entry_t *e;
	size_t i;
	int kind;

	ref = controller_of(pod);
	kind = ref != NULL ? owner_kind(ref) : -1;
	if (kind >= 0 && str_member(ref, "name") != NULL)
		owner_sel = store_get(&oc->kinds[kind], ns, str_member(ref, "name"));
	/* Services with no selector match nothing, not everything. */
	for (e = svcs ? k8c_strmap_first(svcs, &i) : NULL; e;
	     e = k8c_strmap_next(svcs, e, &i)) {
		if (!cJSON_IsObject(e->value) || !map_matches(e->value, labels))
			continue;
		if (out == NULL) {
			out = cJSON_CreateObject();
			set = cJSON_AddObjectToObject(out, "matchLabels");
			exprs = cJSON_AddArrayToObject(out, "matchExpressions");
		}
		map_merge(set, e->value);
	}
	if (owner_sel == NULL)
		return out;
	if (out == NULL) {
		out = cJSON_CreateObject();
		set = cJSON_AddObjectToObject(out, "matchLabels");
		exprs = cJSON_AddArrayToObject(out, "matchExpressions");
	}
	if (kind == K_RC)
		map_merge(set, owner_sel);
	else
		add_requirements(exprs, owner_sel);
	return out;
}

k8c_label_selector_t *owner_cache_default_selector(owner_cache_t *oc,
                                                   const cJSON *pod)
{
	k8c_label_selector_t *sel = NULL;
	cJSON *js;
	k8c_error_t err;

	if (oc == NULL)
		return NULL;
	for (int i = 0; i < K_N; i++)
		kind_sync(&oc->kinds[i]);
	pthread_mutex_lock(&oc->lock);
	js = default_selector_json(oc, pod);
	pthread_mutex_unlock(&oc->lock);
	if (js == NULL)
		return NULL;
	if (k8c_label_selector_from_json(js, &sel, &err) < 0) {
		if (oc->host->log_enabled(oc->host->ctx, K8C_LOG_DEBUG))
			oc->host->log(oc->host->ctx, K8C_LOG_DEBUG,
			              "default constraints: selector of pod %s/%s does "
			              "not parse: %s", pod_namespace(pod),
			              str_member(member(pod, "metadata"), "name")
			                      ?: "?", err.message);
		sel = NULL;
	}
	cJSON_Delete(js);
	if (sel != NULL && k8c_label_selector_count(sel) == 0) {
		k8c_label_selector_free(sel);
		sel = NULL;
	}
	return sel;
}
