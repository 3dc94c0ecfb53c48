/* controller plugin "statefulset": Kubernetes 1.32's StatefulSet
 * controller.  reconcile(namespace/name) claims the set's pods (adopts
 * orphans named <set>-<ordinal> that match the selector, releases those
 * that stopped matching), finds or creates the update ControllerRevision,
 * runs the update algorithm (sts_update.c), writes the status through
 * statefulsets/status and trims the revision history. */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <k8c/client.h>
#include <k8c/controller.h>
#include <k8c/plugin.h>

#include "common/json_path.h"
#include "common/mem.h"
#include "common/selector.h"
#include "sts.h"

static const k8c_controller_watch_t watches[] = {
    [STS_W_SETS] = {"apps", "v1", "statefulsets", "StatefulSet", K8C_MAP_SELF, NULL},
    [STS_W_PODS] = {"", "v1", "pods", "Pod", K8C_MAP_OWNER, "StatefulSet"},
    [STS_W_REVS] = {"apps", "v1", "controllerrevisions", "ControllerRevision", K8C_MAP_OWNER_UNCOUNTED,
                    "StatefulSet"},
    [STS_W_PVCS] = {"", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", K8C_MAP_NONE,
                    NULL},
};

typedef struct pod_list {
	const cJSON *set;
	sts_vec_t pods;
} pod_list_t;

static int collect_member(void *arg, const cJSON *pod)
{
	pod_list_t *l = arg;

	if (sts_is_member(l->set, pod))
		sts_vec_push_copy(&l->pods, pod);
	return 0;
}

/* Set (adopt) or drop (release) the set's controller reference on a pod. */
static int patch_owner(sts_ctl_t *c, const cJSON *set, const cJSON *pod, int adopt,
                       k8c_error_t *err)
{
	_cleanup_json_ cJSON *patch = cJSON_CreateObject();
	cJSON *md = cJSON_AddObjectToObject(patch, "metadata");
	cJSON *refs = cJSON_AddArrayToObject(md, "ownerReferences");
	const char *uid = k8c_jstr(set, "metadata.uid") ?: "";
	const cJSON *ref;
	_cleanup_free_ char *path = k8c_xasprintf("/api/v1/namespaces/%s/pods/%s",
	                                          k8c_jstr(pod, "metadata.namespace") ?: "default",
	                                          k8c_jstr(pod, "metadata.name") ?: "");

	cJSON_ArrayForEach(ref, k8c_jget(pod, "metadata.ownerReferences"))
	{
		const char *u = k8c_jstr(ref, "uid");
		if (u == NULL || strcmp(u, uid) != 0)
			cJSON_AddItemToArray(refs, cJSON_Duplicate(ref, 1));
	}
	if (adopt)
		cJSON_AddItemToArray(refs, sts_controller_ref(set));
	cJSON_AddStringToObject(md, "uid", k8c_jstr(pod, "metadata.uid") ?: "");
	return c->host->client->request(c->host->client_ctx, "PATCH", path, patch, K8C_PATCH_MERGE,
	                                NULL, err);
}

/* canAdopt: adopt only for a set that still exists, with this uid, and is
 * not being deleted (the cache may be behind).  Asked once per sync. */
static int can_adopt(sts_ctl_t *c, const cJSON *set, int *cached)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_json_ cJSON *live = NULL;
	const char *uid, *want = k8c_jstr(set, "metadata.uid");
	k8c_error_t e;

	if (*cached >= 0)
		return *cached;
	path = k8c_xasprintf("/apis/apps/v1/namespaces/%s/statefulsets/%s",
	                     k8c_jstr(set, "metadata.namespace") ?: "default",
	                     k8c_jstr(set, "metadata.name") ?: "");
	*cached = 0;
	if (c->host->client->request(c->host->client_ctx, "GET", path, NULL, NULL, &live, &e) < 0)
		return 0;
	uid = k8c_jstr(live, "metadata.uid");
	*cached =
	    uid != NULL && want != NULL && strcmp(uid, want) == 0 && !sts_is_terminating(live);
	return *cached;
}

/* ClaimPods: keep the owned pods that match, adopt matching orphans,
 * release owned pods that no longer match.  l is compacted to the
 * claimed pods. */
static int claim_pods(sts_ctl_t *c, const cJSON *set, const k8c_label_selector_t *sel, sts_vec_t *l,
                      k8c_error_t *err)
{
	const char *uid = k8c_jstr(set, "metadata.uid") ?: "";
	size_t keep = 0;
	int ret = 0, adoptable = -1;

	for (size_t i = 0; i < l->n; i++) {
		cJSON *pod = l->v[i];
		const char *owner = sts_controller_uid(pod);
		int match = k8c_label_selector_matches(sel, k8c_jget(pod, "metadata.labels"));
		int claimed = 0;
		k8c_error_t e;

		if (owner != NULL && strcmp(owner, uid) == 0) {
			claimed = match;
			if (!match && !sts_is_terminating(set) &&
			    patch_owner(c, set, pod, 0, &e) < 0 && e.code != K8C_ENOTFOUND)
				ret = k8c_error_make(err, e.code, "release pod: %s", e.message);
		} else if (owner == NULL && match && !sts_is_terminating(set) &&
		           !sts_is_terminating(pod) && can_adopt(c, set, &adoptable)) {
			if (patch_owner(c, set, pod, 1, &e) < 0) {
				if (e.code != K8C_ENOTFOUND)
					ret =
					    k8c_error_make(err, e.code, "adopt pod: %s", e.message);
			} else {
				claimed = 1;
			}
		}
		if (claimed)
			l->v[keep++] = pod;
		else
			cJSON_Delete(pod);
	}
	l->n = keep;
	return ret;
}

static int sync_set(sts_ctl_t *c, const char *key, const cJSON *set,
                    const k8c_label_selector_t *sel, k8c_error_t *err)
{
	pod_list_t pods = {.set = set};
	sts_history_t h;
	sts_status_t st = {0};
	k8c_error_t e2;
	long long mrs;
	int ret, ret2;

	c->ch->list(c->ch->ctx, STS_W_PODS, k8c_jstr(set, "metadata.namespace"), NULL,
	            collect_member, &pods);
	ret = claim_pods(c, set, sel, &pods.pods, err);
	if (ret >= 0 && (ret = sts_history_load(c, set, sel, &h, err)) >= 0) {
		ret = sts_update(c, key, set, &h, pods.pods.v, pods.pods.n, &st, err);
		if (sts_status_complete_and_differs(set, &st) &&
		    (ret2 = sts_put_status(c, set, &st, &e2)) < 0 && ret >= 0) {
			*err = e2;
			ret = ret2;
		}
		if ((ret2 = sts_history_truncate(c, set, &h, pods.pods.v, pods.pods.n, &e2)) < 0 &&
		    ret >= 0) {
			*err = e2;
			ret = ret2;
		}
		sts_history_free(&h);
	}
	sts_vec_free(&pods.pods);
	if (ret < 0)
		return ret;
	mrs = sts_jint(set, "spec.minReadySeconds", 0);
	if (mrs > 0 && st.available != sts_replicas(set))
		return sts_requeue_ms(mrs);
	return K8C_RECONCILE_DONE;
}

static int reconcile(void *cookie, const char *key, k8c_error_t *err)
{
	sts_ctl_t *c = cookie;
	_cleanup_json_ cJSON *set = c->ch->get(c->ch->ctx, STS_W_SETS, key);
	k8c_label_selector_t *sel = NULL;
	k8c_error_t e;
	int ret;

	if (set == NULL) {
		c->ch->forget(c->ch->ctx, key);
		return K8C_RECONCILE_DONE;
	}
	if (!c->ch->satisfied(c->ch->ctx, key))
		return 1000; /* the cache has not seen our last creations/deletions yet */
	if (k8c_label_selector_from_json(k8c_jget(set, "spec.selector"), &sel, &e) < 0) {
		/* not transient: wait for the set to change */
		c->host->log(c->host->ctx, K8C_LOG_WARN, "statefulset %s: bad selector: %s", key,
		             e.message);
		return K8C_RECONCILE_DONE;
	}
	ret = sync_set(c, key, set, sel, err);
	k8c_label_selector_free(sel);
	return ret;
}

/* Orphan pods and revisions map to no key by ownership; the set that may
 * adopt one is the one their name starts with. */
static void on_change(void *cookie, size_t watch, int type, const cJSON *obj, const cJSON *old)
{
	sts_ctl_t *c = cookie;
	const char *name = k8c_jstr(obj, "metadata.name"), *dash;
	const char *ns = k8c_jstr(obj, "metadata.namespace") ?: "default";
	size_t n;

	(void)old;
	if ((watch != STS_W_PODS && watch != STS_W_REVS) || type == K8C_WATCH_DELETED ||
	    name == NULL || sts_controller_uid(obj) != NULL)
		return;
	if (watch == STS_W_PODS) {
		if (sts_ordinal(name, &n) < 0)
			return;
	} else {
		if ((dash = strrchr(name, '-')) == NULL)
			return;
		n = (size_t)(dash - name);
	}
	_cleanup_free_ char *key = k8c_xasprintf("%s/%.*s", ns, (int)n, name);
	c->ch->enqueue(c->ch->ctx, key);
}

static int sts_init(const k8c_host_t *host, const cJSON *config, void **cookie, k8c_error_t *err)
{
	sts_ctl_t *c;

	(void)config;
	if (!K8C_HAS_MEMBER(host->struct_size, k8c_host_t, controller) || host->controller == NULL)
		return k8c_error_make(
		    err, K8C_EINVAL,
		    "the statefulset controller runs in the controller manager only");
	if (host->client == NULL)
		return k8c_error_make(err, K8C_EINVAL,
		                      "the statefulset controller needs an API client");
	c = k8c_xcalloc(1, sizeof(*c));
	c->host = host;
	c->ch = host->controller;
	*cookie = c;
	return 0;
}

static void sts_fini(void *cookie)
{
	free(cookie);
}

static const k8c_controller_ops_t ops = {
    .struct_size = sizeof(k8c_controller_ops_t),
    .watches = watches,
    .n_watches = sizeof(watches) / sizeof(watches[0]),
    .workers = 5, /* kube-controller-manager's --concurrent-statefulset-syncs */
    .event_component = "statefulset-controller",
    .reconcile = reconcile,
    .on_change = on_change,
};

K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
    K8C_PLUGIN_HEADER(K8C_PLUGIN_CONTROLLER),
    .name = "statefulset",
    .version = "1.0.0",
    .description = "StatefulSet controller: ordered pods with stable identity and storage",
    .init = sts_init,
    .fini = sts_fini,
    .ops = &ops,
};
