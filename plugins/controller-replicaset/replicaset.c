/* The ReplicaSet controller: keeps spec.replicas pods matching the
 * selector, as kube-controller-manager's.  reconcile(key):
 *
 *   1. claim: pods the set controls that stop matching are released, orphan
 *      pods that match are adopted (ownerReferences, controller: true);
 *   2. unless expectations are pending (a create or delete not yet seen in
 *      the cache), create or delete the difference, the least valuable pods
 *      first (pod_rank.c), at most 500 per sync, creations in batches that
 *      double from 1 (slow start: a failing template fails once, not 500
 *      times);
 *   3. status: replicas, fullyLabeledReplicas, readyReplicas,
 *      availableReplicas (minReadySeconds), observedGeneration and the
 *      ReplicaFailure condition, written through the status subresource.
 *
 * This file is the model for new controllers: a cookie, a watch table, a
 * reconcile that reads the cache and writes through the API. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/client.h>
#include <k8c/controller.h>
#include <k8c/plugin.h>

#include "common/json_path.h"
#include "common/mem.h"
#include "common/selector.h"
#include "common/timestamp.h"
#include "replicaset.h"

#define BURST_REPLICAS 500

static const k8c_controller_watch_t rs_watches[] = {
	[RS_WATCH_SETS] = {"apps", "v1", "replicasets", "ReplicaSet", K8C_MAP_SELF, NULL},
	[RS_WATCH_PODS] = {"", "v1", "pods", "Pod", K8C_MAP_OWNER, "ReplicaSet"},
};

/* --- orphans: pods without a controller, by namespace ------------------------ */

static void orphan_set(rs_ctl_t *c, const char *ns, const char *key, int orphan)
{
	k8c_strmap_t *set;

	pthread_mutex_lock(&c->mu);
	set = k8c_strmap_get(&c->orphans, ns);
	if (orphan) {
		if (set == NULL) {
			set = k8c_xcalloc(1, sizeof(*set));
			k8c_strmap_init(set);
			k8c_strmap_put(&c->orphans, ns, set);
		}
		k8c_strmap_put(set, key, set);
	} else if (set != NULL) {
		k8c_strmap_remove(set, key);
		if (set->count == 0) {
			k8c_strmap_remove(&c->orphans, ns);
			k8c_strmap_free(set);
			free(set);
		}
	}
	pthread_mutex_unlock(&c->mu);
}

/* Keys of the orphan pods of ns (caller frees the array and strings). */
static char **orphans_of(rs_ctl_t *c, const char *ns, size_t *n)
{
	k8c_strmap_t *set;
	k8c_strmap_entry_t *e;
	char **keys = NULL;
	size_t i;

	*n = 0;
	pthread_mutex_lock(&c->mu);
	set = k8c_strmap_get(&c->orphans, ns);
	if (set != NULL) {
		keys = k8c_xcalloc(set->count, sizeof(*keys));
		for (e = k8c_strmap_first(set, &i); e != NULL; e = k8c_strmap_next(set, e, &i))
			keys[(*n)++] = k8c_xstrdup(e->key);
	}
	pthread_mutex_unlock(&c->mu);
	return keys;
}

typedef struct match_arg {
	const rs_ctl_t *c;
	const cJSON *labels;
	char **keys;
	size_t n;
} match_arg_t;

static int collect_matching_set(void *arg, const cJSON *rs)
{
	match_arg_t *m = arg;
	k8c_label_selector_t *sel = NULL;

	if (k8c_label_selector_from_json(k8c_jget(rs, "spec.selector"), &sel, NULL) == 0 &&
	    !k8c_label_selector_is_everything(sel) && k8c_label_selector_matches(sel, m->labels)) {
		m->keys = k8c_xrealloc(m->keys, (m->n + 1) * sizeof(*m->keys));
		m->keys[m->n++] = k8c_xasprintf("%s/%s", k8c_jstr(rs, "metadata.namespace"),
		                                k8c_jstr(rs, "metadata.name"));
	}
	k8c_label_selector_free(sel);
	return 0;
}

/* A pod changed: keep the orphan index, and let the sets that could adopt
 * an orphan (or lost a pod whose labels changed) look at it. */
static void rs_on_change(void *cookie, size_t watch, int type, const cJSON *obj, const cJSON *old)
{
	rs_ctl_t *c = cookie;
	const char *ns = k8c_jstr(obj, "metadata.namespace"), *name = k8c_jstr(obj, "metadata.name");
	_cleanup_free_ char *key = NULL;
	int orphan;

	if (watch != RS_WATCH_PODS || ns == NULL || name == NULL)
		return;
	key = k8c_xasprintf("%s/%s", ns, name);
	rs_index_update(c, type, obj, old, key);
	orphan = type != K8C_WATCH_DELETED && rs_controller_ref(obj, NULL) == NULL;
	orphan_set(c, ns, key, orphan);
	if (orphan && rs_pod_active(obj)) {
		match_arg_t m = {c, k8c_jget(obj, "metadata.labels"), NULL, 0};
		c->ch->list(c->ch->ctx, RS_WATCH_SETS, ns, NULL, collect_matching_set, &m);
		for (size_t i = 0; i < m.n; i++) {
			c->ch->enqueue(c->ch->ctx, m.keys[i]);
			free(m.keys[i]);
		}
		free(m.keys);
	}
}

/* --- the sync ---------------------------------------------------------------- */

/* Add the record of a pod the set now controls (adopted). */
static void add_pod(sync_ctx_t *s, const cJSON *pod, int ref_index)
{
	s->pods = k8c_xrealloc(s->pods, (s->n_pods + 1) * sizeof(*s->pods));
	rs_pod_fill(&s->pods[s->n_pods], pod, ref_index);
	rs_pod_judge(&s->pods[s->n_pods], k8c_jget(pod, "metadata.labels"), s);
	s->n_pods++;
}

int rs_request(rs_ctl_t *c, const char *method, const char *path, const cJSON *body,
                   const char *ctype, cJSON **out, k8c_error_t *err)
{
	return c->host->client->request(c->host->client_ctx, method, path, body, ctype, out, err);
}

cJSON *rs_owner_ref(const sync_ctx_t *s)
{
	cJSON *ref = cJSON_CreateObject();

	cJSON_AddStringToObject(ref, "apiVersion", "apps/v1");
	cJSON_AddStringToObject(ref, "kind", "ReplicaSet");
	cJSON_AddStringToObject(ref, "name", s->name);
	cJSON_AddStringToObject(ref, "uid", s->uid);
	cJSON_AddBoolToObject(ref, "controller", 1);
	cJSON_AddBoolToObject(ref, "blockOwnerDeletion", 1);
	return ref;
}

/* Adopt an orphan: add the controller reference, if the pod is still the
 * one seen (uid) and still an orphan (the patch fails otherwise). */
static int adopt(sync_ctx_t *s, const cJSON *pod, k8c_error_t *err)
{
	_cleanup_json_ cJSON *patch = cJSON_CreateArray(), *out = NULL;
	_cleanup_free_ char *path = k8c_xasprintf("/api/v1/namespaces/%s/pods/%s", s->ns,
	                                          k8c_jstr(pod, "metadata.name"));
	cJSON *op;
	int has_refs = cJSON_GetArraySize(k8c_jget(pod, "metadata.ownerReferences")) > 0;

	op = cJSON_CreateObject();
	cJSON_AddStringToObject(op, "op", "test");
	cJSON_AddStringToObject(op, "path", "/metadata/uid");
	cJSON_AddStringToObject(op, "value", k8c_jstr(pod, "metadata.uid") ?: "");
	cJSON_AddItemToArray(patch, op);
	op = cJSON_CreateObject();
	cJSON_AddStringToObject(op, "op", "add");
	if (has_refs) {
		cJSON_AddStringToObject(op, "path", "/metadata/ownerReferences/-");
		cJSON_AddItemToObject(op, "value", rs_owner_ref(s));
	} else {
		cJSON *list = cJSON_CreateArray();
		cJSON_AddItemToArray(list, rs_owner_ref(s));
		cJSON_AddStringToObject(op, "path", "/metadata/ownerReferences");
		cJSON_AddItemToObject(op, "value", list);
	}
	cJSON_AddItemToArray(patch, op);
	if (rs_request(s->c, "PATCH", path, patch, K8C_PATCH_JSON, &out, err) < 0)
		return -1;
	add_pod(s, out, cJSON_GetArraySize(k8c_jget(out, "metadata.ownerReferences")) - 1);
	return 0;
}

/* Release a pod that stopped matching: remove our reference (the test
 * makes sure it is still ours at that index). */
static int release(sync_ctx_t *s, const rs_pod_t *pod, k8c_error_t *err)
{
	_cleanup_json_ cJSON *patch = cJSON_CreateArray();
	_cleanup_free_ char *path = k8c_xasprintf("/api/v1/namespaces/%s/pods/%s", s->ns, pod->name);
	_cleanup_free_ char *at = k8c_xasprintf("/metadata/ownerReferences/%d", pod->ref_index);
	_cleanup_free_ char *at_uid = k8c_xasprintf("/metadata/ownerReferences/%d/uid", pod->ref_index);
	cJSON *op = cJSON_CreateObject();

	cJSON_AddStringToObject(op, "op", "test");
	cJSON_AddStringToObject(op, "path", at_uid);
	cJSON_AddStringToObject(op, "value", s->uid);
	cJSON_AddItemToArray(patch, op);
	op = cJSON_CreateObject();
	cJSON_AddStringToObject(op, "op", "remove");
	cJSON_AddStringToObject(op, "path", at);
	cJSON_AddItemToArray(patch, op);
	if (rs_request(s->c, "PATCH", path, patch, K8C_PATCH_JSON, NULL, err) < 0 &&
	    err->code != K8C_ENOTFOUND && err->code != K8C_EINVAL)
		return -1;
	return 0;
}

/* Is the set itself still the one we saw and not being deleted?  Asked of
 * the API server before adopting, as kube does (a stale cache must not
 * make a dying set adopt). */
static int can_adopt(sync_ctx_t *s, k8c_error_t *err)
{
	_cleanup_free_ char *path = k8c_xasprintf("/apis/apps/v1/namespaces/%s/replicasets/%s",
	                                          s->ns, s->name);
	_cleanup_json_ cJSON *fresh = NULL;

	if (rs_request(s->c, "GET", path, NULL, NULL, &fresh, err) < 0)
		return err->code == K8C_ENOTFOUND ? 0 : -1;
	return strcmp(k8c_jstr(fresh, "metadata.uid") ?: "", s->uid) == 0 &&
	       k8c_jstr(fresh, "metadata.deletionTimestamp") == NULL;
}

/* Step 1: the pods the set controls, after adoption and release. */
static int claim_pods(sync_ctx_t *s, k8c_error_t *err)
{
	rs_ctl_t *c = s->c;
	int deleting = k8c_jstr(s->rs, "metadata.deletionTimestamp") != NULL;
	char **orphans;
	size_t n_orphans, kept = 0;
	int adopt_ok = -2, ret = 0;

	rs_index_collect(c, s);
	/* a set being deleted keeps what it has; else release what stopped matching */
	for (size_t i = 0; i < s->n_pods; i++) {
		rs_pod_t *p = &s->pods[i];
		if (p->matches || deleting) {
			s->pods[kept++] = *p;
			continue;
		}
		if (release(s, p, err) < 0)
			ret = -1;
		free(p->name);
		free(p->node);
	}
	s->n_pods = kept;
	if (deleting)
		return ret;
	orphans = orphans_of(c, s->ns, &n_orphans);
	for (size_t i = 0; i < n_orphans; i++) {
		_cleanup_json_ cJSON *p = c->ch->get(c->ch->ctx, RS_WATCH_PODS, orphans[i]);
		free(orphans[i]);
		if (p == NULL || rs_controller_ref(p, NULL) != NULL || !rs_pod_active(p) ||
		    !k8c_label_selector_matches(s->sel, k8c_jget(p, "metadata.labels")))
			continue;
		if (adopt_ok == -2)
			adopt_ok = can_adopt(s, err);
		if (adopt_ok < 0)
			ret = -1;
		if (adopt_ok <= 0)
			continue;
		if (adopt(s, p, err) < 0 && err->code != K8C_ENOTFOUND && err->code != K8C_EINVAL)
			ret = -1;
	}
	free(orphans);
	return ret;
}

static void sync_free(sync_ctx_t *s)
{
	for (size_t i = 0; i < s->n_pods; i++) {
		free(s->pods[i].name);
		free(s->pods[i].node);
	}
	free(s->pods);
	cJSON_Delete(s->rs);
	k8c_label_selector_free(s->sel);
}

static int rs_reconcile(void *cookie, const char *key, k8c_error_t *err)
{
	rs_ctl_t *c = cookie;
	const k8c_controller_host_t *ch = c->ch;
	sync_ctx_t s = {.c = c, .key = key};
	int needs_sync, ret = 0, again;
	k8c_error_t sel_err;

	s.rs = ch->get(ch->ctx, RS_WATCH_SETS, key);
	if (s.rs == NULL) {
		ch->forget(ch->ctx, key); /* deleted: nothing pending any more */
		return K8C_RECONCILE_DONE;
	}
	s.ns = k8c_jstr(s.rs, "metadata.namespace");
	s.name = k8c_jstr(s.rs, "metadata.name");
	s.uid = k8c_jstr(s.rs, "metadata.uid");
	if (s.ns == NULL || s.name == NULL || s.uid == NULL) {
		sync_free(&s);
		return K8C_RECONCILE_DONE;
	}
	/* expectations are read before the cache: what was seen is then at
	 * least what they count */
	needs_sync = ch->satisfied(ch->ctx, key) &&
	             k8c_jstr(s.rs, "metadata.deletionTimestamp") == NULL;
	if (k8c_label_selector_from_json(k8c_jget(s.rs, "spec.selector"), &s.sel, &sel_err) < 0) {
		/* the API server validates selectors: only a bug gets here */
		ch->event(ch->ctx, RS_WATCH_SETS, s.rs, "Warning", "SelectorParsingFailed",
		          "invalid selector: %s", sel_err.message);
		sync_free(&s);
		return K8C_RECONCILE_DONE;
	}
	s.now_ns = k8c_time_now_ns();
	s.min_ready = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(s.rs, "spec"), "minReadySeconds"));
	s.template_labels = k8c_jget(s.rs, "spec.template.metadata.labels");
	if (claim_pods(&s, err) < 0)
		ret = -1;
	if (ret == 0 && needs_sync && rs_manage_replicas(&s, err) < 0)
		ret = -1;
	{
		k8c_error_t serr = {0};
		again = rs_update_status(&s, &serr);
		if (again < 0 && ret == 0) {
			*err = serr;
			ret = -1;
		}
	}
	sync_free(&s);
	if (ret < 0)
		return -1;
	return again > 0 ? again : K8C_RECONCILE_DONE;
}

static int rs_init(const k8c_host_t *host, const cJSON *config, void **cookie, k8c_error_t *err)
{
	const cJSON *burst = cJSON_GetObjectItemCaseSensitive(config, "burst-replicas");
	rs_ctl_t *c;

	if (!K8C_HAS_MEMBER(host->struct_size, k8c_host_t, controller) || host->controller == NULL ||
	    host->client == NULL)
		return k8c_error_make(err, K8C_EINVAL, "the replicaset controller runs in the controller manager");
	c = k8c_xcalloc(1, sizeof(*c));
	c->host = host;
	c->ch = host->controller;
	c->burst = cJSON_IsNumber(burst) && burst->valuedouble >= 1 ? (int64_t)burst->valuedouble
	                                                             : BURST_REPLICAS;
	pthread_mutex_init(&c->mu, NULL);
	k8c_strmap_init(&c->orphans);
	pthread_mutex_init(&c->pods_mu, NULL);
	k8c_strmap_init(&c->by_owner);
	*cookie = c;
	return 0;
}

static void rs_fini(void *cookie)
{
	rs_ctl_t *c = cookie;
	k8c_strmap_entry_t *e;
	size_t i;

	for (e = k8c_strmap_first(&c->orphans, &i); e != NULL; e = k8c_strmap_next(&c->orphans, e, &i)) {
		k8c_strmap_free(e->value);
		free(e->value);
	}
	k8c_strmap_free(&c->orphans);
	pthread_mutex_destroy(&c->mu);
	rs_index_free(c);
	pthread_mutex_destroy(&c->pods_mu);
	free(c);
}

static const k8c_controller_ops_t rs_ops = {
	.struct_size = sizeof(k8c_controller_ops_t),
	.watches = rs_watches,
	.n_watches = sizeof(rs_watches) / sizeof(rs_watches[0]),
	.workers = 5, /* kube's --concurrent-replicaset-syncs */
	.event_component = "replicaset-controller",
	.reconcile = rs_reconcile,
	.on_change = rs_on_change,
};

K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
	K8C_PLUGIN_HEADER(K8C_PLUGIN_CONTROLLER),
	.name = "replicaset",
	.version = PACKAGE_VERSION,
	.description = "ReplicaSet controller: keeps spec.replicas pods matching the selector",
	.init = rs_init,
	.fini = rs_fini,
	.ops = &rs_ops,
};
