/* The garbage collector, as kube-controller-manager's: objects whose
 * owners are all gone are deleted, and owners deleted with the orphan or
 * foregroundDeletion finalizer are finished.
 *
 * The ownerReferences graph is the controller manager's cache of the
 * resources below (each object indexed by the uids it references), with
 * the API server asked whenever the cache says an owner is absent (kube's
 * virtual nodes: a stale cache must not delete anything).  Queue keys are
 * "W:ns/name" (or "W:name"), W the watch index.  reconcile(key):
 *
 *   - an object being deleted with the orphan finalizer: every dependent
 *     loses its reference to it, then the finalizer goes (attemptToOrphan);
 *   - an object being deleted with foregroundDeletion: its dependents are
 *     queued; once none with blockOwnerDeletion remains the finalizer goes
 *     and the API server deletes it (processDeletingDependentsItem);
 *   - any other object with owners (attemptToDeleteItem): owners that do
 *     not exist (uid not found) are dangling; with an owner left, dangling
 *     references are removed; with none left, the object is deleted (in
 *     the foreground when an owner waits for it and it has dependents of
 *     its own, else with the policy its finalizers ask for, Background by
 *     default).
 *
 * on_change queues an object when its references or its deletion state
 * change, and when an object goes, its dependents and its owners. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/client.h>
#include <k8c/controller.h>
#include <k8c/plugin.h>

#include "common/json_path.h"
#include "common/mem.h"
#include "gc.h"

/* The resources whose objects may have owners or be owners: what the API
 * server serves, less events (kube's collector ignores them too). */
static const k8c_controller_watch_t gc_watches[] = {
	{"", "v1", "pods", "Pod", K8C_MAP_NONE, NULL},
	{"apps", "v1", "replicasets", "ReplicaSet", K8C_MAP_NONE, NULL},
	{"apps", "v1", "deployments", "Deployment", K8C_MAP_NONE, NULL},
	{"apps", "v1", "statefulsets", "StatefulSet", K8C_MAP_NONE, NULL},
	{"apps", "v1", "daemonsets", "DaemonSet", K8C_MAP_NONE, NULL},
	{"apps", "v1", "controllerrevisions", "ControllerRevision", K8C_MAP_NONE, NULL},
	{"batch", "v1", "jobs", "Job", K8C_MAP_NONE, NULL},
	{"batch", "v1", "cronjobs", "CronJob", K8C_MAP_NONE, NULL},
	{"", "v1", "configmaps", "ConfigMap", K8C_MAP_NONE, NULL},
	{"", "v1", "secrets", "Secret", K8C_MAP_NONE, NULL},
	{"", "v1", "services", "Service", K8C_MAP_NONE, NULL},
	{"", "v1", "endpoints", "Endpoints", K8C_MAP_NONE, NULL},
	{"discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", K8C_MAP_NONE, NULL},
	{"", "v1", "serviceaccounts", "ServiceAccount", K8C_MAP_NONE, NULL},
	{"", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", K8C_MAP_NONE, NULL},
	{"", "v1", "persistentvolumes", "PersistentVolume", K8C_MAP_NONE, NULL},
	{"", "v1", "nodes", "Node", K8C_MAP_NONE, NULL},
	{"", "v1", "namespaces", "Namespace", K8C_MAP_NONE, NULL},
	{"coordination.k8s.io", "v1", "leases", "Lease", K8C_MAP_NONE, NULL},
	{"rbac.authorization.k8s.io", "v1", "roles", "Role", K8C_MAP_NONE, NULL},
	{"rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", K8C_MAP_NONE, NULL},
	{"rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", K8C_MAP_NONE, NULL},
	{"rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", K8C_MAP_NONE, NULL},
};

/* Cluster-scoped resources of the table. */
static int cluster_scoped(const k8c_controller_watch_t *w)
{
	static const char *const names[] = {"persistentvolumes", "nodes", "namespaces", "clusterroles",
	                                    "clusterrolebindings", NULL};

	for (const char *const *n = names; *n != NULL; n++)
		if (strcmp(w->resource, *n) == 0)
			return 1;
	return 0;
}

int gc_watch_of(const gc_ctl_t *c, const char *api_version, const char *kind)
{
	const char *slash;
	size_t glen;

	if (api_version == NULL || kind == NULL)
		return -1;
	slash = strchr(api_version, '/');
	glen = slash ? (size_t)(slash - api_version) : 0;
	for (size_t i = 0; i < c->n_watches; i++) {
		const k8c_controller_watch_t *w = &c->watches[i];
		if (strcmp(w->kind, kind) == 0 && strlen(w->group) == glen &&
		    strncmp(w->group, api_version, glen) == 0)
			return (int)i;
	}
	return -1;
}

char *gc_object_path(const gc_ctl_t *c, size_t w, const char *ns, const char *name)
{
	const k8c_controller_watch_t *x = &c->watches[w];
	_cleanup_free_ char *base = x->group[0] ? k8c_xasprintf("/apis/%s/%s", x->group, x->version)
	                                         : k8c_xasprintf("/api/%s", x->version);

	if (ns != NULL && ns[0] != '\0' && !cluster_scoped(x))
		return k8c_xasprintf("%s/namespaces/%s/%s/%s", base, ns, x->resource, name ? name : "");
	return k8c_xasprintf("%s/%s/%s", base, x->resource, name ? name : "");
}

char *gc_queue_key(size_t w, const char *ns, const char *name)
{
	if (ns != NULL && ns[0] != '\0')
		return k8c_xasprintf("%zu:%s/%s", w, ns, name);
	return k8c_xasprintf("%zu:%s", w, name);
}

int gc_request(gc_ctl_t *c, const char *method, const char *path, const cJSON *body,
               const char *ctype, cJSON **out, k8c_error_t *err)
{
	return c->host->client->request(c->host->client_ctx, method, path, body, ctype, out, err);
}

/* --- the graph from the cache -------------------------------------------------- */

typedef struct deps_arg {
	size_t watch;
	gc_dep_t *deps;
	size_t n;
} deps_arg_t;

static int collect_dep(void *arg, const cJSON *obj)
{
	deps_arg_t *a = arg;

	a->deps = k8c_xrealloc(a->deps, (a->n + 1) * sizeof(*a->deps));
	a->deps[a->n++] = (gc_dep_t){a->watch, cJSON_Duplicate(obj, 1)};
	return 0;
}

gc_dep_t *gc_dependents(gc_ctl_t *c, const char *uid, size_t *n)
{
	deps_arg_t a = {0, NULL, 0};

	for (a.watch = 0; a.watch < c->n_watches; a.watch++)
		c->ch->list(c->ch->ctx, a.watch, NULL, uid, collect_dep, &a);
	*n = a.n;
	return a.deps;
}

void gc_deps_free(gc_dep_t *deps, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cJSON_Delete(deps[i].obj);
	free(deps);
}

static int has_finalizer(const cJSON *obj, const char *f)
{
	const cJSON *x;

	cJSON_ArrayForEach(x, k8c_jget(obj, "metadata.finalizers"))
		if (cJSON_IsString(x) && strcmp(x->valuestring, f) == 0)
			return 1;
	return 0;
}

static int deleting(const cJSON *obj)
{
	return k8c_jstr(obj, "metadata.deletionTimestamp") != NULL;
}

/* Being deleted, waiting for its dependents (foreground). */
static int deleting_dependents(const cJSON *obj)
{
	return deleting(obj) && has_finalizer(obj, "foregroundDeletion");
}

/* obj's reference to owner_uid, or NULL. */
static const cJSON *ref_to(const cJSON *obj, const char *owner_uid)
{
	const cJSON *ref;

	cJSON_ArrayForEach(ref, k8c_jget(obj, "metadata.ownerReferences"))
		if (strcmp(k8c_jstr(ref, "uid") ?: "", owner_uid) == 0)
			return ref;
	return NULL;
}

static void absent_add(gc_ctl_t *c, const char *uid)
{
	pthread_mutex_lock(&c->mu);
	if (c->absent.count >= GC_ABSENT_MAX) {
		k8c_strmap_free(&c->absent);
		k8c_strmap_init(&c->absent);
	}
	k8c_strmap_put(&c->absent, uid, (void *)1);
	pthread_mutex_unlock(&c->mu);
}

static int absent_has(gc_ctl_t *c, const char *uid)
{
	int has;

	pthread_mutex_lock(&c->mu);
	has = k8c_strmap_get(&c->absent, uid) != NULL;
	pthread_mutex_unlock(&c->mu);
	return has;
}

enum { OWNER_SOLID, OWNER_DANGLING, OWNER_WAITING, OWNER_INVALID };

/* Classify one ownerReference of item (kube's isDangling and
 * classifyReferences): the cache answers when it has the owner with that
 * uid, the API server when it does not. */
static int classify(gc_ctl_t *c, const cJSON *item, const cJSON *ref, k8c_error_t *err)
{
	const char *uid = k8c_jstr(ref, "uid"), *name = k8c_jstr(ref, "name");
	const char *ns = k8c_jstr(item, "metadata.namespace");
	int w = gc_watch_of(c, k8c_jstr(ref, "apiVersion"), k8c_jstr(ref, "kind"));
	_cleanup_json_ cJSON *owner = NULL;

	if (uid == NULL || name == NULL)
		return OWNER_DANGLING;
	if (absent_has(c, uid))
		return OWNER_DANGLING;
	if (w < 0) {
		/* a kind we cannot look up: never a reason to delete */
		k8c_error_make(err, K8C_EINVAL, "unknown owner kind %s %s",
		               k8c_jstr(ref, "apiVersion") ?: "", k8c_jstr(ref, "kind") ?: "");
		return -1;
	}
	if (cluster_scoped(&c->watches[w]))
		ns = NULL;
	else if (ns == NULL || ns[0] == '\0')
		return OWNER_INVALID; /* cluster-scoped item, namespaced owner */
	{
		_cleanup_free_ char *key = ns ? k8c_xasprintf("%s/%s", ns, name) : k8c_xstrdup(name);
		owner = c->ch->get(c->ch->ctx, (size_t)w, key);
	}
	if (owner == NULL || strcmp(k8c_jstr(owner, "metadata.uid") ?: "", uid) != 0) {
		_cleanup_free_ char *path = gc_object_path(c, (size_t)w, ns, name);
		cJSON_Delete(owner);
		owner = NULL;
		if (gc_request(c, "GET", path, NULL, NULL, &owner, err) < 0) {
			if (err->code != K8C_ENOTFOUND)
				return -1;
			absent_add(c, uid);
			return OWNER_DANGLING;
		}
		if (strcmp(k8c_jstr(owner, "metadata.uid") ?: "", uid) != 0) {
			absent_add(c, uid);
			return OWNER_DANGLING;
		}
	}
	return deleting_dependents(owner) ? OWNER_WAITING : OWNER_SOLID;
}

/* --- reconcile ----------------------------------------------------------------- */

/* An owner being deleted with the orphan finalizer: release its
 * dependents, then let it go. */
static int orphan_dependents(gc_ctl_t *c, size_t w, const cJSON *owner, k8c_error_t *err)
{
	const char *uid = k8c_jstr(owner, "metadata.uid");
	size_t n;
	gc_dep_t *deps = gc_dependents(c, uid, &n);
	int ret = 0;

	for (size_t i = 0; i < n; i++)
		if (gc_remove_refs(c, deps[i].watch, deps[i].obj, &uid, 1, err) < 0)
			ret = -1;
	gc_deps_free(deps, n);
	if (ret < 0)
		return ret;
	return gc_remove_finalizer(c, w, owner, "orphan", err);
}

/* An owner being deleted in the foreground: its dependents are looked at
 * (and deleted, as their owner waits); the finalizer goes when no
 * dependent blocks it any more. */
static int foreground_owner(gc_ctl_t *c, size_t w, const cJSON *owner, k8c_error_t *err)
{
	const char *uid = k8c_jstr(owner, "metadata.uid");
	size_t n, blocking = 0;
	gc_dep_t *deps = gc_dependents(c, uid, &n);

	for (size_t i = 0; i < n; i++) {
		const cJSON *ref = ref_to(deps[i].obj, uid);
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ref, "blockOwnerDeletion")))
			blocking++;
		if (!deleting(deps[i].obj)) {
			_cleanup_free_ char *key = gc_queue_key(deps[i].watch, k8c_jstr(deps[i].obj, "metadata.namespace"),
			                                        k8c_jstr(deps[i].obj, "metadata.name"));
			c->ch->enqueue(c->ch->ctx, key);
		}
	}
	gc_deps_free(deps, n);
	if (blocking > 0)
		return 10000; /* and whenever a dependent changes or goes */
	if (gc_remove_finalizer(c, w, owner, "foregroundDeletion", err) < 0)
		return -1;
	return K8C_RECONCILE_DONE;
}

typedef struct refs {
	const char **uids;
	size_t n;
} refs_t;

static void refs_add(refs_t *r, const char *uid)
{
	r->uids = k8c_xrealloc(r->uids, (r->n + 1) * sizeof(*r->uids));
	r->uids[r->n++] = uid;
}

/* An object with owners: is any left? */
static int attempt_to_delete(gc_ctl_t *c, size_t w, const cJSON *item, k8c_error_t *err)
{
	refs_t dangling = {0}, waiting = {0};
	size_t solid = 0;
	const cJSON *ref;
	int ret = 0;

	cJSON_ArrayForEach(ref, k8c_jget(item, "metadata.ownerReferences")) {
		int k = classify(c, item, ref, err);
		if (k < 0) {
			ret = -1;
			goto out;
		}
		if (k == OWNER_INVALID) {
			c->ch->event(c->ch->ctx, w, item, "Warning", "OwnerRefInvalidNamespace",
			             "ownerRef [%s/%s, namespace: , name: %s, uid: %s] does not exist in namespace \"\"",
			             k8c_jstr(ref, "apiVersion") ?: "",
			             k8c_jstr(ref, "kind") ?: "", k8c_jstr(ref, "name") ?: "", k8c_jstr(ref, "uid") ?: "");
			goto out;
		}
		if (k == OWNER_DANGLING)
			refs_add(&dangling, k8c_jstr(ref, "uid") ?: "");
		else if (k == OWNER_WAITING)
			refs_add(&waiting, k8c_jstr(ref, "uid") ?: "");
		else
			solid++;
	}
	if (solid > 0) {
		/* references to owners gone or waiting for us go; we stay */
		for (size_t i = 0; i < waiting.n; i++)
			refs_add(&dangling, waiting.uids[i]);
		if (dangling.n > 0)
			ret = gc_remove_refs(c, w, item, dangling.uids, dangling.n, err);
		goto out;
	}
	if (waiting.n > 0) {
		size_t n;
		gc_dep_t *deps = gc_dependents(c, k8c_jstr(item, "metadata.uid"), &n);
		if (n > 0) {
			/* our own dependents go first: foreground, unblocking our
			 * owners when a dependent of ours waits too (a cycle) */
			for (size_t i = 0; i < n; i++) {
				if (deleting_dependents(deps[i].obj)) {
					if (gc_unblock_refs(c, w, item, waiting.uids, waiting.n, err) < 0)
						ret = -1;
					break;
				}
			}
			gc_deps_free(deps, n);
			if (ret == 0)
				ret = gc_delete(c, w, item, "Foreground", err);
			goto out;
		}
		gc_deps_free(deps, n);
	}
	/* no owner left: go, as the finalizers already there ask */
	ret = gc_delete(c, w, item,
	                has_finalizer(item, "orphan")               ? "Orphan"
	                : has_finalizer(item, "foregroundDeletion") ? "Foreground"
	                                                            : "Background",
	                err);
out:
	free(dangling.uids);
	free(waiting.uids);
	return ret < 0 ? -1 : K8C_RECONCILE_DONE;
}

static int gc_reconcile(void *cookie, const char *key, k8c_error_t *err)
{
	gc_ctl_t *c = cookie;
	char *end;
	unsigned long w = strtoul(key, &end, 10);
	_cleanup_json_ cJSON *obj = NULL;

	if (end == key || *end != ':' || w >= c->n_watches)
		return K8C_RECONCILE_DONE;
	obj = c->ch->get(c->ch->ctx, w, end + 1);
	if (obj == NULL || k8c_jstr(obj, "metadata.uid") == NULL)
		return K8C_RECONCILE_DONE; /* gone: on_change queued what depended on it */
	if (deleting(obj)) {
		if (has_finalizer(obj, "orphan"))
			return orphan_dependents(c, w, obj, err) < 0 ? -1 : K8C_RECONCILE_DONE;
		if (has_finalizer(obj, "foregroundDeletion"))
			return foreground_owner(c, w, obj, err);
		return K8C_RECONCILE_DONE; /* a one-way trip: its dependents follow once it is gone */
	}
	if (cJSON_GetArraySize(k8c_jget(obj, "metadata.ownerReferences")) == 0)
		return K8C_RECONCILE_DONE;
	return attempt_to_delete(c, w, obj, err);
}

/* --- changes ------------------------------------------------------------------- */

static void enqueue_obj(gc_ctl_t *c, size_t w, const cJSON *obj)
{
	_cleanup_free_ char *key = gc_queue_key(w, k8c_jstr(obj, "metadata.namespace"),
	                                        k8c_jstr(obj, "metadata.name"));

	c->ch->enqueue(c->ch->ctx, key);
}

/* The owners obj references, in the namespace of obj. */
static void enqueue_owners(gc_ctl_t *c, const cJSON *obj)
{
	const char *ns = k8c_jstr(obj, "metadata.namespace");
	const cJSON *ref;

	cJSON_ArrayForEach(ref, k8c_jget(obj, "metadata.ownerReferences")) {
		int w = gc_watch_of(c, k8c_jstr(ref, "apiVersion"), k8c_jstr(ref, "kind"));
		const char *name = k8c_jstr(ref, "name");
		if (w < 0 || name == NULL)
			continue;
		{
			_cleanup_free_ char *key = gc_queue_key((size_t)w, cluster_scoped(&c->watches[w]) ? NULL : ns, name);
			c->ch->enqueue(c->ch->ctx, key);
		}
	}
}

typedef struct enq_arg {
	gc_ctl_t *c;
	size_t watch;
} enq_arg_t;

static int enqueue_dep(void *arg, const cJSON *obj)
{
	enq_arg_t *a = arg;

	enqueue_obj(a->c, a->watch, obj);
	return 0;
}

static int same_member(const cJSON *a, const cJSON *b, const char *path)
{
	const cJSON *x = k8c_jget(a, path), *y = k8c_jget(b, path);

	if (x == NULL || y == NULL)
		return x == y;
	return cJSON_Compare(x, y, 1);
}

static void gc_on_change(void *cookie, size_t watch, int type, const cJSON *obj, const cJSON *old)
{
	gc_ctl_t *c = cookie;
	const char *uid = k8c_jstr(obj, "metadata.uid");

	if (uid == NULL)
		return;
	if (type == K8C_WATCH_DELETED) {
		/* its dependents may have lost their last owner, and an owner
		 * deleting in the foreground may wait for it no more */
		enq_arg_t a = {c, 0};
		for (a.watch = 0; a.watch < c->n_watches; a.watch++)
			c->ch->list(c->ch->ctx, a.watch, NULL, uid, enqueue_dep, &a);
		enqueue_owners(c, obj);
		return;
	}
	if (type == K8C_WATCH_ADDED || old == NULL) {
		if (cJSON_GetArraySize(k8c_jget(obj, "metadata.ownerReferences")) > 0 ||
		    deleting_dependents(obj) || (deleting(obj) && has_finalizer(obj, "orphan")))
			enqueue_obj(c, watch, obj);
		return;
	}
	if (!same_member(obj, old, "metadata.ownerReferences")) {
		enqueue_obj(c, watch, obj);
		enqueue_owners(c, old); /* a blocking reference may be gone */
	} else if (!same_member(obj, old, "metadata.deletionTimestamp") ||
	           !same_member(obj, old, "metadata.finalizers")) {
		enqueue_obj(c, watch, obj);
		if (deleting(obj))
			enqueue_owners(c, obj);
	}
}

/* --- plugin -------------------------------------------------------------------- */

static int gc_init(const k8c_host_t *host, const cJSON *config, void **cookie, k8c_error_t *err)
{
	gc_ctl_t *c;

	(void)config;
	if (!K8C_HAS_MEMBER(host->struct_size, k8c_host_t, controller) || host->controller == NULL ||
	    host->client == NULL)
		return k8c_error_make(err, K8C_EINVAL, "the garbage collector runs in the controller manager");
	c = k8c_xcalloc(1, sizeof(*c));
	c->host = host;
	c->ch = host->controller;
	c->watches = gc_watches;
	c->n_watches = sizeof(gc_watches) / sizeof(gc_watches[0]);
	pthread_mutex_init(&c->mu, NULL);
	k8c_strmap_init(&c->absent);
	*cookie = c;
	return 0;
}

static void gc_fini(void *cookie)
{
	gc_ctl_t *c = cookie;

	k8c_strmap_free(&c->absent);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

static const k8c_controller_ops_t gc_ops = {
	.struct_size = sizeof(k8c_controller_ops_t),
	.watches = gc_watches,
	.n_watches = sizeof(gc_watches) / sizeof(gc_watches[0]),
	.workers = 20, /* kube's --concurrent-gc-syncs */
	.event_component = "garbage-collector-controller",
	.reconcile = gc_reconcile,
	.on_change = gc_on_change,
};

K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
	K8C_PLUGIN_HEADER(K8C_PLUGIN_CONTROLLER),
	.name = "garbage-collector",
	.version = PACKAGE_VERSION,
	.description = "Garbage collector: deletes objects whose owners are gone; foreground and orphan deletion",
	.init = gc_init,
	.fini = gc_fini,
	.ops = &gc_ops,
};
