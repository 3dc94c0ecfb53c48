/* Controller "taint-eviction": kube-controller-manager's
 * taint-eviction-controller (the NoExecuteTaintManager; events as
 * "taint-eviction-controller").
 *
 * A pod on a node with NoExecute taints it does not all tolerate is
 * deleted at once; one that tolerates them all with tolerationSeconds is
 * deleted that long after it became subject to them (the latest
 * timeAdded of the node's NoExecute taints, or when the pod came to the
 * node if later), the least of the matching tolerations counting; one
 * that tolerates them without tolerationSeconds stays.  As in kube, a
 * deletion once scheduled keeps its time while taints come and go, and
 * is cancelled (with an event) when the taints are all gone, the pod
 * tolerates them forever, or the pod is deleted first.  A deletion is
 * graceful and preceded by the pod condition DisruptionTarget
 * (DeletionByTaintManager) and the event TaintManagerEviction.
 *
 * Reconciled per node: a node's key is queued when its taints change (the
 * host maps node changes to their own key), when a pod comes to a tainted
 * node or changes its tolerations there, and again when the next
 * scheduled deletion on the node is due. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/client.h>
#include <k8c/controller.h>

#include "common/json_path.h"
#include "common/mem.h"
#include "common/strmap.h"
#include "common/timestamp.h"
#include "delay.h"
#include "pod_index.h"
#include "tolerations.h"

enum { W_NODES = 0, W_PODS = 1 };

#define NS_PER_S INT64_C(1000000000)

/* A pod's deletion to come. */
struct scheduled {
	int64_t deadline_ns; /* wall clock */
	char *node;          /* owned */
};

struct taint_eviction {
	const k8c_host_t *host;          /* borrowed until fini */
	const k8c_controller_host_t *ch; /* borrowed until fini */
	pthread_mutex_t lock;            /* tainted and scheduled */
	k8c_strmap_t tainted;            /* names of nodes with NoExecute taints -> (void *)1 */
	k8c_strmap_t scheduled;          /* pod key -> struct scheduled *, owned */
	nl_pod_index_t pods;
};

static const k8c_controller_watch_t watches[] = {
	{.group = "", .version = "v1", .resource = "nodes", .kind = "Node", .map = K8C_MAP_SELF},
	{.group = "", .version = "v1", .resource = "pods", .kind = "Pod", .map = K8C_MAP_NONE},
};

static int str_is(const char *a, const char *b)
{
	return a != NULL && strcmp(a, b) == 0;
}

static void scheduled_free(struct scheduled *s)
{
	if (s != NULL)
		free(s->node);
	free(s);
}

/* Take pod key's scheduled deletion off the books; 1 when there was one. */
static int unschedule(struct taint_eviction *te, const char *key)
{
	struct scheduled *s;

	pthread_mutex_lock(&te->lock);
	s = k8c_strmap_remove(&te->scheduled, key);
	pthread_mutex_unlock(&te->lock);
	scheduled_free(s);
	return s != NULL;
}

static void cancel_event(struct taint_eviction *te, const cJSON *pod, const char *key)
{
	te->ch->event(te->ch->ctx, W_PODS, pod, "Normal", "TaintManagerEviction",
	              "Cancelling deletion of Pod %s", key);
}

/* Cancel pod key's deletion, with the event kube sends, if one was
 * scheduled. */
static void cancel(struct taint_eviction *te, const char *key, const cJSON *pod)
{
	if (unschedule(te, key))
		cancel_event(te, pod, key);
}

/* The deadline of pod key's deletion: the one scheduled, else a new one
 * at start + seconds. */
static int64_t schedule(struct taint_eviction *te, const char *key, const char *node,
                        int64_t start_ns, int64_t seconds)
{
	struct scheduled *s;
	int64_t deadline;

	pthread_mutex_lock(&te->lock);
	s = k8c_strmap_get(&te->scheduled, key);
	if (s == NULL) {
		s = k8c_xmalloc(sizeof(*s));
		s->deadline_ns = start_ns + (seconds > INT64_MAX / NS_PER_S / 2 ? INT64_MAX / 2
		                                                               : seconds * NS_PER_S);
		s->node = k8c_xstrdup(node);
		k8c_strmap_put(&te->scheduled, key, s);
	}
	deadline = s->deadline_ns;
	pthread_mutex_unlock(&te->lock);
	return deadline;
}

/* addConditionAndDeletePod: DisruptionTarget on the pod's status (when
 * not there yet), then a graceful delete. */
static int evict(struct taint_eviction *te, const cJSON *pod, const char *key, k8c_error_t *err)
{
	const k8c_client_api_t *api = te->host->client;
	const char *ns = k8c_jstr(pod, "metadata.namespace"), *name = k8c_jstr(pod, "metadata.name");
	const cJSON *conds = k8c_jget(pod, "status.conditions"), *c;
	_cleanup_free_ char *path = k8c_xasprintf("/api/v1/namespaces/%s/pods/%s",
	                                          ns != NULL ? ns : "default", name != NULL ? name : "");
	int has = 0, ret;

	unschedule(te, key);
	te->host->log(te->host->ctx, K8C_LOG_INFO, "deleting pod %s (NoExecute taint on %s)", key,
	              k8c_jstr(pod, "spec.nodeName"));
	te->ch->event(te->ch->ctx, W_PODS, pod, "Normal", "TaintManagerEviction",
	              "Marking for deletion Pod %s", key);
	if (!cJSON_IsArray(conds))
		conds = NULL;
	cJSON_ArrayForEach(c, conds) {
		if (str_is(k8c_jstr(c, "type"), "DisruptionTarget") && str_is(k8c_jstr(c, "status"), "True") &&
		    str_is(k8c_jstr(c, "reason"), "DeletionByTaintManager"))
			has = 1;
	}
	if (!has) {
		_cleanup_json_ cJSON *patch = cJSON_CreateObject();
		_cleanup_free_ char *spath = k8c_xasprintf("%s/status", path);
		cJSON *md = cJSON_AddObjectToObject(patch, "metadata");
		cJSON *list = cJSON_AddArrayToObject(cJSON_AddObjectToObject(patch, "status"), "conditions");
		cJSON *cond = cJSON_CreateObject();
		char now[K8C_TIME_STRLEN];
		const char *uid = k8c_jstr(pod, "metadata.uid");

		if (uid != NULL)
			cJSON_AddStringToObject(md, "uid", uid);
		cJSON_AddStringToObject(cond, "type", "DisruptionTarget");
		cJSON_AddStringToObject(cond, "status", "True");
		cJSON_AddNullToObject(cond, "lastProbeTime");
		cJSON_AddStringToObject(cond, "lastTransitionTime",
		                        k8c_time_format(te->host->now_ns(te->host->ctx), now));
		cJSON_AddStringToObject(cond, "reason", "DeletionByTaintManager");
		cJSON_AddStringToObject(cond, "message", "Taint manager: deleting due to NoExecute taint");
		cJSON_AddItemToArray(list, cond);
		ret = api->request(te->host->client_ctx, "PATCH", spath, patch, K8C_PATCH_STRATEGIC,
		                   NULL, err);
		if (ret == -K8C_ENOTFOUND)
			return 0;
		if (ret < 0)
			return ret;
	}
	ret = api->request(te->host->client_ctx, "DELETE", path, NULL, NULL, NULL, err);
	return ret == -K8C_ENOTFOUND ? 0 : ret;
}

/* The time the node's NoExecute taints were last added to (the latest
 * timeAdded); 0 when none says. */
static int64_t taints_since(const cJSON *taints)
{
	const cJSON *t;
	int64_t latest = 0;

	cJSON_ArrayForEach(t, taints) {
		const char *s = k8c_jstr(t, "timeAdded");
		k8c_error_t err;
		int64_t ns;

		if (s != NULL && k8c_time_parse(s, &ns, &err) == 0 && ns > latest)
			latest = ns;
	}
	return latest;
}

/* The node has no NoExecute taint (or is gone): forget it and cancel what
 * was scheduled for its pods. */
static void untainted(struct taint_eviction *te, const char *node, const nl_pod_ref_t *refs,
                      size_t n, int events)
{
	pthread_mutex_lock(&te->lock);
	k8c_strmap_remove(&te->tainted, node);
	pthread_mutex_unlock(&te->lock);
	for (size_t i = 0; i < n; i++) {
		_cleanup_json_ cJSON *pod = NULL;

		if (!unschedule(te, refs[i].key) || !events)
			continue;
		if ((pod = te->ch->get(te->ch->ctx, W_PODS, refs[i].key)) != NULL)
			cancel_event(te, pod, refs[i].key);
	}
}

static int reconcile(void *cookie, const char *key, k8c_error_t *err)
{
	struct taint_eviction *te = cookie;
	_cleanup_json_ cJSON *node = te->ch->get(te->ch->ctx, W_NODES, key);
	_cleanup_json_ cJSON *taints = NULL;
	nl_pod_ref_t *refs;
	size_t n;
	int64_t now, since, next = INT64_MAX;
	int failed = 0;

	taints = node != NULL ? nl_noexecute_taints(node) : NULL;
	if (taints == NULL || cJSON_GetArraySize(taints) == 0) {
		int was;

		pthread_mutex_lock(&te->lock);
		was = k8c_strmap_get(&te->tainted, key) != NULL;
		pthread_mutex_unlock(&te->lock);
		if (!was) /* the common case: a node's status, nothing to do */
			return K8C_RECONCILE_DONE;
		nl_pod_index_on_node(&te->pods, key, &refs, &n);
		untainted(te, key, refs, n, node != NULL);
		nl_pod_refs_free(refs, n);
		return K8C_RECONCILE_DONE;
	}
	pthread_mutex_lock(&te->lock);
	k8c_strmap_put(&te->tainted, key, (void *)1);
	pthread_mutex_unlock(&te->lock);
	nl_pod_index_on_node(&te->pods, key, &refs, &n);
	now = te->host->now_ns(te->host->ctx);
	since = taints_since(taints);
	for (size_t i = 0; i < n; i++) {
		_cleanup_json_ cJSON *pod = te->ch->get(te->ch->ctx, W_PODS, refs[i].key);
		int64_t seconds, deadline;
		k8c_error_t e;

		if (pod == NULL || !str_is(k8c_jstr(pod, "spec.nodeName"), key) ||
		    k8c_jget(pod, "metadata.deletionTimestamp") != NULL)
			continue;
		if (nl_toleration_time(taints, k8c_jget(pod, "spec.tolerations"), &seconds)) {
			if (seconds == NL_TOLERATE_FOREVER) {
				cancel(te, refs[i].key, pod);
				continue;
			}
			deadline = schedule(te, refs[i].key, key,
			                    refs[i].seen_ns > since ? refs[i].seen_ns : since, seconds);
			if (deadline > now) {
				if (deadline - now < next)
					next = deadline - now;
				continue;
			}
		}
		if (evict(te, pod, refs[i].key, &e) < 0) {
			te->host->log(te->host->ctx, K8C_LOG_WARN, "deleting pod %s: %s", refs[i].key,
			              e.message);
			if (!failed)
				*err = e;
			failed = 1;
		}
	}
	nl_pod_refs_free(refs, n);
	if (failed)
		return -(int)(err->code > 0 ? err->code : K8C_EUNAVAIL);
	if (next == INT64_MAX)
		return K8C_RECONCILE_DONE;
	/* the host's queue keeps the earliest delay per key: no bookkeeping */
	return nl_reconcile_after_ms(next / 1000000 + 1);
}

static void on_change(void *cookie, size_t watch, int type, const cJSON *obj, const cJSON *old)
{
	struct taint_eviction *te = cookie;
	char node[256], key[512];
	int moved, tainted;

	if (watch != W_PODS)
		return;
	if (nl_pod_index_change(&te->pods, type, obj, te->host->now_ns(te->host->ctx), node,
	                        sizeof(node), &moved) == NULL) {
		if (type == K8C_WATCH_DELETED && nl_pod_key(obj, key, sizeof(key)) != NULL)
			cancel(te, key, obj);
		return;
	}
	if (!moved && old != NULL &&
	    cJSON_Compare(k8c_jget(old, "spec.tolerations"), k8c_jget(obj, "spec.tolerations"), 1))
		return;
	pthread_mutex_lock(&te->lock);
	tainted = k8c_strmap_get(&te->tainted, node) != NULL;
	pthread_mutex_unlock(&te->lock);
	if (tainted)
		te->ch->enqueue(te->ch->ctx, node);
}

static void fini(void *cookie)
{
	struct taint_eviction *te = cookie;
	size_t i;

	if (te == NULL)
		return;
	for (k8c_strmap_entry_t *e = k8c_strmap_first(&te->scheduled, &i); e;
	     e = k8c_strmap_next(&te->scheduled, e, &i))
		scheduled_free(e->value);
	k8c_strmap_free(&te->scheduled);
	k8c_strmap_free(&te->tainted);
	nl_pod_index_fini(&te->pods);
	pthread_mutex_destroy(&te->lock);
	free(te);
}

static int init(const k8c_host_t *host, const cJSON *config, void **cookie, k8c_error_t *err)
{
	struct taint_eviction *te;
	const cJSON *c;

	if (host->abi_minor < 5 || host->controller == NULL || host->client == NULL)
		return k8c_error_make(err, K8C_EINVAL,
		                      "taint-eviction runs in the controller manager (ABI 1.5)");
	cJSON_ArrayForEach(c, config)
		if (!str_is(c->string, "workers"))
			host->log(host->ctx, K8C_LOG_WARN, "ignoring unknown config key \"%s\"",
			          c->string != NULL ? c->string : "");
	te = k8c_xcalloc(1, sizeof(*te));
	te->host = host;
	te->ch = host->controller;
	pthread_mutex_init(&te->lock, NULL);
	k8c_strmap_init(&te->tainted);
	k8c_strmap_init(&te->scheduled);
	nl_pod_index_init(&te->pods);
	*cookie = te;
	return 0;
}

static const k8c_controller_ops_t ops = {
	.struct_size = sizeof(k8c_controller_ops_t),
	.watches = watches,
	.n_watches = sizeof(watches) / sizeof(watches[0]),
	.workers = 8,
	.event_component = "taint-eviction-controller",
	.reconcile = reconcile,
	.on_change = on_change,
};

K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
	K8C_PLUGIN_HEADER(K8C_PLUGIN_CONTROLLER),
	.name = "taint-eviction",
	.version = PACKAGE_VERSION,
	.description = "deletes pods that do not tolerate their node's NoExecute taints (kube's taint-eviction-controller)",
	.init = init,
	.fini = fini,
	.ops = &ops,
};
