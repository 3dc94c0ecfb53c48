/* The Deployment controller, as kube-controller-manager's: a Deployment
 * owns ReplicaSets named <deployment>-<pod-template-hash>, one per pod
 * template it has had; reconcile(key) (syncDeployment):
 *
 *   1. claim the ReplicaSets (adopt matching orphans, release strays);
 *   2. a deleted Deployment only gets its status;
 *   3. the Progressing condition says DeploymentPaused/DeploymentResumed;
 *   4. paused, or resized (a ReplicaSet's desired-replicas annotation is
 *      not spec.replicas): scale proportionally, no rollout;
 *   5. otherwise roll out: RollingUpdate or Recreate (dep_rollout.c), the
 *      new ReplicaSet found or made by dep_newrs.c;
 *   6. the status (counts, Available, Progressing with the progress
 *      deadline: dep_status.c).
 *
 * The ReplicaSet controller makes the pods; this one only sizes
 * ReplicaSets.  Pods are watched for Recreate, which waits until the old
 * ones are gone. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/json_path.h"
#include "common/mem.h"
#include "common/selector.h"
#include "dep.h"
#include "dep_util.h"

static const k8c_controller_watch_t dep_watches[] = {
	[W_DEPLOY] = {"apps", "v1", "deployments", "Deployment", K8C_MAP_SELF, NULL},
	[W_RS] = {"apps", "v1", "replicasets", "ReplicaSet", K8C_MAP_OWNER, "Deployment"},
	[W_POD] = {"", "v1", "pods", "Pod", K8C_MAP_NONE, NULL},
};

/* --- events to keys ------------------------------------------------------ */

typedef struct keys_arg {
	const cJSON *labels;
	char **keys;
	size_t n;
} keys_arg_t;

static int matching_deployment(void *arg, const cJSON *d)
{
	keys_arg_t *a = arg;
	k8c_label_selector_t *sel = NULL;

	if (k8c_label_selector_from_json(k8c_jget(d, "spec.selector"), &sel, NULL) == 0 &&
	    !k8c_label_selector_is_everything(sel) && k8c_label_selector_matches(sel, a->labels)) {
		a->keys = k8c_xrealloc(a->keys, (a->n + 1) * sizeof(*a->keys));
		a->keys[a->n++] = k8c_xasprintf("%s/%s", k8c_jstr(d, "metadata.namespace"),
		                                k8c_jstr(d, "metadata.name"));
	}
	k8c_label_selector_free(sel);
	return 0;
}

static void enqueue_ref(dep_ctl_t *c, const char *ns, const char *kind, const char *name)
{
	_cleanup_free_ char *key = NULL;

	if (kind == NULL || name == NULL || strcmp(kind, "Deployment") != 0)
		return;
	key = k8c_xasprintf("%s/%s", ns, name);
	c->ch->enqueue(c->ch->ctx, key);
}

/* A ReplicaSet changed: an orphan concerns every Deployment that could
 * adopt it, a change of controller the one it left (the host queues its
 * current owner). */
static void rs_changed(dep_ctl_t *c, int type, const cJSON *rs, const cJSON *old)
{
	const char *ns = k8c_jstr(rs, "metadata.namespace"), *kind = NULL, *name = NULL;
	const char *uid = dep_controller_uid(rs, NULL, NULL);

	if (ns == NULL)
		return;
	if (old != NULL) {
		const char *old_uid = dep_controller_uid(old, &kind, &name);
		if (old_uid != NULL && (uid == NULL || strcmp(uid, old_uid) != 0))
			enqueue_ref(c, ns, kind, name);
	}
	if (uid == NULL && type != K8C_WATCH_DELETED) {
		keys_arg_t a = {k8c_jget(rs, "metadata.labels"), NULL, 0};
		c->ch->list(c->ch->ctx, W_DEPLOY, ns, NULL, matching_deployment, &a);
		for (size_t i = 0; i < a.n; i++) {
			c->ch->enqueue(c->ch->ctx, a.keys[i]);
			free(a.keys[i]);
		}
		free(a.keys);
	}
}

/* A pod went away: a Recreate Deployment may now start its new pods. */
static void pod_deleted(dep_ctl_t *c, const cJSON *pod)
{
	const char *ns = k8c_jstr(pod, "metadata.namespace"), *kind = NULL, *name = NULL;
	_cleanup_json_ cJSON *rs = NULL, *d = NULL;
	_cleanup_free_ char *key = NULL;

	if (ns == NULL || dep_controller_uid(pod, &kind, &name) == NULL || kind == NULL ||
	    name == NULL || strcmp(kind, "ReplicaSet") != 0)
		return;
	key = k8c_xasprintf("%s/%s", ns, name);
	rs = c->ch->get(c->ch->ctx, W_RS, key);
	if (rs == NULL || dep_controller_uid(rs, &kind, &name) == NULL || kind == NULL ||
	    name == NULL || strcmp(kind, "Deployment") != 0)
		return;
	free(key);
	key = k8c_xasprintf("%s/%s", ns, name);
	d = c->ch->get(c->ch->ctx, W_DEPLOY, key);
	if (d != NULL && !dep_is_rolling(d))
		c->ch->enqueue(c->ch->ctx, key);
}

static void dep_on_change(void *cookie, size_t watch, int type, const cJSON *obj, const cJSON *old)
{
	dep_ctl_t *c = cookie;

	if (watch == W_RS)
		rs_changed(c, type, obj, old);
	else if (watch == W_POD && type == K8C_WATCH_DELETED)
		pod_deleted(c, obj);
}

/* --- the sync ------------------------------------------------------------ */

static void sync_free(dep_sync_t *s)
{
	for (size_t i = 0; i < s->rs.n; i++)
		cJSON_Delete(s->rs.v[i]);
	dep_rsv_free(&s->rs);
	cJSON_Delete(s->d);
	free(s->ns);
	free(s->name);
}

/* A selector of {} selects every pod: refused, as kube does. */
static int selects_all(dep_sync_t *s, k8c_error_t *err)
{
	const cJSON *sel = k8c_jget(s->d, "spec.selector");
	cJSON *st;

	if (!cJSON_IsObject(sel) || cJSON_GetArraySize(k8c_jget(sel, "matchLabels")) > 0 ||
	    cJSON_GetArraySize(k8c_jget(sel, "matchExpressions")) > 0)
		return 0;
	s->ctl->ch->event(s->ctl->ch->ctx, W_DEPLOY, s->d, "Warning", "SelectingAll",
	                  "This deployment is selecting all pods. A non-empty selector is required.");
	if (dep_jlong(s->d, "status.observedGeneration", 0) < dep_jlong(s->d, "metadata.generation", 0)) {
		st = cJSON_GetObjectItemCaseSensitive(s->d, "status");
		if (!cJSON_IsObject(st)) {
			cJSON_DeleteItemFromObjectCaseSensitive(s->d, "status");
			st = cJSON_AddObjectToObject(s->d, "status");
		}
		cJSON_DeleteItemFromObjectCaseSensitive(st, "observedGeneration");
		cJSON_AddNumberToObject(st, "observedGeneration",
		                        (double)dep_jlong(s->d, "metadata.generation", 0));
		if (dep_status_update(s, err) < 0)
			return -1;
	}
	return 1;
}

static int sync_deployment(dep_sync_t *s, k8c_error_t *err)
{
	int ret, scaling;

	if ((ret = selects_all(s, err)) != 0)
		return ret < 0 ? ret : 0;
	if ((ret = dep_claim(s, err)) < 0)
		return ret;
	if (k8c_jget(s->d, "metadata.deletionTimestamp") != NULL)
		return dep_sync_status_only(s, err);
	if ((ret = dep_check_paused(s, err)) < 0)
		return ret;
	if (cJSON_IsTrue(k8c_jget(s->d, "spec.paused")))
		return dep_sync_scale(s, err);
	if ((ret = dep_scaling_event(s, &scaling, err)) < 0)
		return ret;
	if (scaling)
		return dep_sync_scale(s, err);
	if (dep_is_rolling(s->d))
		return dep_rollout_rolling(s, err);
	return dep_rollout_recreate(s, err);
}

static int dep_reconcile(void *cookie, const char *key, k8c_error_t *err)
{
	dep_ctl_t *c = cookie;
	dep_sync_t s = {.ctl = c, .requeue_ms = 0};
	const char *ns, *name;
	int ret;

	s.d = c->ch->get(c->ch->ctx, W_DEPLOY, key);
	if (s.d == NULL)
		return K8C_RECONCILE_DONE; /* deleted: its ReplicaSets are the garbage collector's */
	ns = k8c_jstr(s.d, "metadata.namespace");
	name = k8c_jstr(s.d, "metadata.name");
	if (ns == NULL || name == NULL || k8c_jstr(s.d, "metadata.uid") == NULL) {
		cJSON_Delete(s.d);
		return K8C_RECONCILE_DONE;
	}
	s.ns = k8c_xstrdup(ns);
	s.name = k8c_xstrdup(name);
	s.now_ns = c->host->now_ns(c->host->ctx);
	ret = sync_deployment(&s, err);
	sync_free(&s);
	if (ret < 0)
		return -1;
	return s.requeue_ms > 0 ? (int)(s.requeue_ms > 0x7fffffff ? 0x7fffffff : s.requeue_ms)
	                        : K8C_RECONCILE_DONE;
}

static int dep_init(const k8c_host_t *host, const cJSON *config, void **cookie, k8c_error_t *err)
{
	dep_ctl_t *c;

	(void)config;
	if (!K8C_HAS_MEMBER(host->struct_size, k8c_host_t, controller) || host->controller == NULL ||
	    host->client == NULL)
		return k8c_error_make(err, K8C_EINVAL,
		                      "the deployment controller runs in the controller manager");
	c = k8c_xcalloc(1, sizeof(*c));
	c->host = host;
	c->ch = host->controller;
	*cookie = c;
	return 0;
}

static void dep_fini(void *cookie)
{
	free(cookie);
}

static const k8c_controller_ops_t dep_ops = {
	.struct_size = sizeof(k8c_controller_ops_t),
	.watches = dep_watches,
	.n_watches = sizeof(dep_watches) / sizeof(dep_watches[0]),
	.workers = 5, /* kube's --concurrent-deployment-syncs */
	.event_component = "deployment-controller",
	.reconcile = dep_reconcile,
	.on_change = dep_on_change,
};

K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
	K8C_PLUGIN_HEADER(K8C_PLUGIN_CONTROLLER),
	.name = "deployment",
	.version = PACKAGE_VERSION,
	.description = "Deployment controller: rolling updates and Recreate through ReplicaSets",
	.init = dep_init,
	.fini = dep_fini,
	.ops = &dep_ops,
};
