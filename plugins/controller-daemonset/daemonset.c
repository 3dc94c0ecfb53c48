/* Controller plugin "daemonset": kube-controller-manager 1.32's DaemonSet
 * controller.  One pod per eligible node (elig.c), created and deleted as
 * nodes come, go and change (pods.c), RollingUpdate and OnDelete,
 * ControllerRevisions (history.c) and the status counts (status.c).
 *
 * Watches: daemonsets (their own keys), pods and controllerrevisions
 * (their DaemonSet's key), nodes (cached only: on_change enqueues the
 * DaemonSets whose pod should run on a node that comes, that should run
 * or continue on one that goes, and whose should-run or should-continue
 * answer for a node changes with its labels or spec, as kube's addNode
 * and updateNode). */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/client.h>
#include <k8c/controller.h>

#include "common/json_path.h"
#include "common/mem.h"

#include "ds.h"

#define BACKOFF_INITIAL_NS 1000000000LL        /* 1 s */
#define BACKOFF_MAX_NS (15LL * 60 * 1000000000LL) /* 15 min */

static const k8c_controller_watch_t watches[] = {
	[W_DS] = {"apps", "v1", "daemonsets", "DaemonSet", K8C_MAP_SELF, NULL},
	[W_POD] = {"", "v1", "pods", "Pod", K8C_MAP_OWNER, "DaemonSet"},
	[W_NODE] = {"", "v1", "nodes", "Node", K8C_MAP_NONE, NULL},
	[W_CR] = {"apps", "v1", "controllerrevisions", "ControllerRevision", K8C_MAP_OWNER_UNCOUNTED,
	          "DaemonSet"},
};

#define LOG(ctl, level, ...) (ctl)->host->log((ctl)->host->ctx, level, __VA_ARGS__)

/* --- failed pod backoff --------------------------------------------------- */

typedef struct ds_backoff {
	int64_t last_ns;  /* when the last period started */
	int64_t delay_ns; /* its length */
} ds_backoff_t;

/* Drop entries idle for twice the maximum (flowcontrol.Backoff.GC). */
static void backoff_gc(ds_ctl_t *ctl, int64_t now)
{
	k8c_strmap_entry_t *e, *next;
	size_t i;
	int again = 1;

	while (again) {
		again = 0;
		for (e = k8c_strmap_first(&ctl->backoff, &i); e != NULL; e = next) {
			ds_backoff_t *b = e->value;

			next = k8c_strmap_next(&ctl->backoff, e, &i);
			if (now - b->last_ns > 2 * BACKOFF_MAX_NS) {
				free(k8c_strmap_remove(&ctl->backoff, e->key));
				again = 1; /* the map changed: walk again */
				break;
			}
		}
	}
}

int64_t ds_backoff_check(ds_ctl_t *ctl, const char *key, int64_t now)
{
	ds_backoff_t *b;
	int64_t wait = 0;

	pthread_mutex_lock(&ctl->lock);
	b = k8c_strmap_get(&ctl->backoff, key);
	if (b != NULL && now - b->last_ns < b->delay_ns) {
		wait = (b->delay_ns - (now - b->last_ns)) / 1000000 + 1;
	} else if (b == NULL || now - b->last_ns > 2 * BACKOFF_MAX_NS) {
		if (b == NULL) {
			if (k8c_strmap_get(&ctl->backoff, key) == NULL && ctl->backoff.count > 1024)
				backoff_gc(ctl, now);
			b = k8c_xcalloc(1, sizeof(*b));
			k8c_strmap_put(&ctl->backoff, key, b);
		}
		b->delay_ns = BACKOFF_INITIAL_NS;
		b->last_ns = now;
	} else {
		b->delay_ns = 2 * b->delay_ns < BACKOFF_MAX_NS ? 2 * b->delay_ns : BACKOFF_MAX_NS;
		b->last_ns = now;
	}
	pthread_mutex_unlock(&ctl->lock);
	return wait;
}

/* --- nodes ---------------------------------------------------------------- */

/* The nodes of one sync: each Node is read borrowed under the cache's
 * list callback and only its name and its eligibility for the DaemonSet
 * are kept (no copy of labels or taints per node per sync). */
typedef struct node_list {
	const ds_sched_t *sched;
	ds_sync_node_t *v;
	size_t n, cap;
} node_list_t;

static int collect_node(void *arg, const cJSON *obj)
{
	node_list_t *l = arg;
	ds_node_t node;
	ds_sync_node_t *n;

	if (!ds_node_from_json(obj, &node))
		return 0;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = k8c_xrealloc(l->v, l->cap * sizeof(ds_sync_node_t));
	}
	n = &l->v[l->n++];
	n->name = k8c_xstrdup(node.name);
	ds_node_should_run(l->sched, &node, &n->should_run, &n->should_continue);
	return 0;
}

static int node_cmp(const void *a, const void *b)
{
	return strcmp(((const ds_sync_node_t *)a)->name, ((const ds_sync_node_t *)b)->name);
}

static void nodes_free(ds_sync_node_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

/* --- reconcile ------------------------------------------------------------ */

static void sync_free(ds_sync_t *s)
{
	cJSON_Delete(s->ds);
	k8c_label_selector_free(s->selector);
	ds_sched_free(&s->sched);
	nodes_free(s->nodes, s->n_nodes);
	ds_pods_free(s->pods, s->n_pods);
	ds_revs_free(s->old_revs, s->n_old_revs);
	free(s->generation);
	free(s->hash);
}

/* The DaemonSet and what it needs from the cache; 0 when there is
 * nothing to do. */
static int sync_read(ds_sync_t *s, k8c_error_t *err)
{
	const k8c_controller_host_t *ch = s->ctl->ch;
	node_list_t nodes = {.sched = &s->sched};
	const char *gen;
	int ret;

	s->ds = ch->get(ch->ctx, W_DS, s->key);
	if (s->ds == NULL) {
		ch->forget(ch->ctx, s->key);
		return 0;
	}
	s->ns = k8c_jstr(s->ds, "metadata.namespace");
	s->name = k8c_jstr(s->ds, "metadata.name");
	s->uid = k8c_jstr(s->ds, "metadata.uid");
	if (s->ns == NULL || s->name == NULL || s->uid == NULL)
		return 0;
	if (k8c_jget(s->ds, "metadata.deletionTimestamp") != NULL)
		return 0;
	ret = k8c_label_selector_from_json(k8c_jget(s->ds, "spec.selector"), &s->selector, err);
	if (ret < 0) {
		LOG(s->ctl, K8C_LOG_WARN, "daemonset %s: invalid selector: %s", s->key, err->message);
		return 0;
	}
	if (k8c_label_selector_is_everything(s->selector)) {
		ch->event(ch->ctx, W_DS, s->ds, "Warning", "SelectingAll",
		          "This daemon set is selecting all pods. A non-empty selector is required.");
		return 0;
	}
	ret = ds_sched_parse(k8c_jget(s->ds, "spec.template.spec"), &s->sched, err);
	if (ret < 0) {
		LOG(s->ctl, K8C_LOG_WARN, "daemonset %s: %s", s->key, err->message);
		return 0;
	}
	/* expectations first, then the pods: what was seen is then at least
	 * what they count (read the other way round, a pod created by the last
	 * sync can be observed in between and created again) */
	s->satisfied = ch->satisfied(ch->ctx, s->key);
	/* the annotation's name has dots: no dotted path */
	gen = k8c_jstr(cJSON_GetObjectItemCaseSensitive(k8c_jget(s->ds, "metadata.annotations"),
	                                                DS_GENERATION_ANNOTATION), "");
	s->generation = gen != NULL ? k8c_xstrdup(gen) : NULL;
	ch->list(ch->ctx, W_NODE, NULL, NULL, collect_node, &nodes);
	if (nodes.n > 1)
		qsort(nodes.v, nodes.n, sizeof(ds_sync_node_t), node_cmp);
	s->nodes = nodes.v;
	s->n_nodes = nodes.n;
	ds_pods_collect(s);
	return 1;
}

static int ds_reconcile(void *cookie, const char *key, k8c_error_t *err)
{
	ds_ctl_t *ctl = cookie;
	ds_sync_t s = {.ctl = ctl, .key = key, .now = ctl->host->now_ns(ctl->host->ctx)};
	const char *type;
	int ret;

	ret = sync_read(&s, err);
	if (ret <= 0)
		goto out;
	ret = ds_history_sync(&s, err);
	if (ret < 0)
		goto out;
	if (!s.satisfied) {
		/* our own creations and deletions are not all seen yet */
		ret = ds_update_status(&s, 0, err);
		goto out;
	}
	ret = ds_manage(&s, err);
	if (ret < 0)
		goto out;
	/* the rolling update works from the same pods: only when manage
	 * changed none of them (its changes bring the key back) */
	type = k8c_jstr(s.ds, "spec.updateStrategy.type");
	if (s.acted == 0 && (type == NULL || strcmp(type, "RollingUpdate") == 0)) {
		ret = ds_rolling_update(&s, err);
		if (ret < 0)
			goto out;
	}
	ret = ds_history_cleanup(&s, err);
	if (ret < 0) {
		/* not err->message itself: vsnprintf into its own argument */
		char msg[sizeof(err->message)];

		snprintf(msg, sizeof(msg), "%s", err->message);
		k8c_error_make(err, err->code, "failed to clean up revisions of DaemonSet: %s", msg);
		goto out;
	}
	ret = ds_update_status(&s, 1, err);
out:
	if (ret >= 0)
		ret = s.requeue_ms <= 0 ? K8C_RECONCILE_DONE
		      : s.requeue_ms > INT_MAX ? INT_MAX : (int)s.requeue_ms;
	sync_free(&s);
	return ret;
}

/* --- node changes --------------------------------------------------------- */

typedef struct key_list {
	char **v;
	size_t n;
} key_list_t;

static void key_add(key_list_t *l, const char *ns, const char *name)
{
	l->v = k8c_xrealloc(l->v, (l->n + 1) * sizeof(char *));
	l->v[l->n++] = k8c_xasprintf("%s/%s", ns, name);
}

/* Enqueue the keys (outside the cache's list callback) and free them. */
static void enqueue_keys(ds_ctl_t *ctl, key_list_t *l)
{
	for (size_t i = 0; i < l->n; i++) {
		ctl->ch->enqueue(ctl->ch->ctx, l->v[i]);
		free(l->v[i]);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Keys of the DaemonSets of ns whose selector matches labels. */
typedef struct key_arg {
	const cJSON *labels;
	key_list_t keys;
} key_arg_t;

static int collect_key(void *arg, const cJSON *ds)
{
	key_arg_t *a = arg;
	const char *ns = k8c_jstr(ds, "metadata.namespace"), *name = k8c_jstr(ds, "metadata.name");
	k8c_label_selector_t *sel = NULL;
	int match = 0;

	if (ns == NULL || name == NULL)
		return 0;
	if (k8c_label_selector_from_json(k8c_jget(ds, "spec.selector"), &sel, NULL) == 0)
		match = !k8c_label_selector_is_everything(sel) &&
		        k8c_label_selector_matches(sel, a->labels);
	k8c_label_selector_free(sel);
	if (match)
		key_add(&a->keys, ns, name);
	return 0;
}

static void enqueue_sets(ds_ctl_t *ctl, const char *ns, const cJSON *labels)
{
	key_arg_t a = {.labels = cJSON_IsObject(labels) ? labels : NULL};

	ctl->ch->list(ctl->ch->ctx, W_DS, ns, NULL, collect_key, &a);
	enqueue_keys(ctl, &a.keys);
}

/* A node change: the DaemonSets it concerns.  type ADDED: those that
 * should run a pod on node (addNode); DELETED: those that should run or
 * continue there (their pods there go, their counts change); MODIFIED:
 * those whose should-run or should-continue answer differs between old
 * and node (updateNode). */
typedef struct node_arg {
	int type;
	ds_node_t node, old; /* borrowed; old only for MODIFIED */
	key_list_t keys;
} node_arg_t;

static int collect_node_key(void *arg, const cJSON *ds)
{
	node_arg_t *a = arg;
	const char *ns = k8c_jstr(ds, "metadata.namespace"), *name = k8c_jstr(ds, "metadata.name");
	ds_sched_t sched;
	k8c_error_t err;
	int run, cont, old_run, old_cont, match;

	if (ns == NULL || name == NULL ||
	    ds_sched_parse(k8c_jget(ds, "spec.template.spec"), &sched, &err) < 0)
		return 0; /* its sync does nothing either */
	ds_node_should_run(&sched, &a->node, &run, &cont);
	if (a->type == K8C_WATCH_MODIFIED) {
		ds_node_should_run(&sched, &a->old, &old_run, &old_cont);
		match = run != old_run || cont != old_cont;
	} else if (a->type == K8C_WATCH_DELETED) {
		match = run || cont;
	} else {
		match = run;
	}
	ds_sched_free(&sched);
	if (match)
		key_add(&a->keys, ns, name);
	return 0;
}

static void node_changed(ds_ctl_t *ctl, int type, const cJSON *obj, const cJSON *old)
{
	node_arg_t a = {.type = type};

	if (!ds_node_from_json(obj, &a.node))
		return;
	if (type == K8C_WATCH_MODIFIED && (old == NULL || !ds_node_from_json(old, &a.old)))
		a.type = K8C_WATCH_ADDED; /* nothing to compare with: as a new node */
	ctl->ch->list(ctl->ch->ctx, W_DS, NULL, NULL, collect_node_key, &a);
	enqueue_keys(ctl, &a.keys);
}

static int pod_ready(const cJSON *pod)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, k8c_jget(pod, "status.conditions")) {
		const char *type = k8c_jstr(c, "type"), *st = k8c_jstr(c, "status");

		if (type != NULL && strcmp(type, "Ready") == 0)
			return st != NULL && strcmp(st, "True") == 0;
	}
	return 0;
}

/* A daemon pod that just became ready becomes available minReadySeconds
 * later: look at its DaemonSet again then (and a second more, against
 * clock skew, as kube does). */
static void pod_became_ready(ds_ctl_t *ctl, const cJSON *pod, const cJSON *old)
{
	const cJSON *ref;
	const char *ns = k8c_jstr(pod, "metadata.namespace");
	_cleanup_free_ char *key = NULL;
	cJSON *ds;
	int64_t mrs;

	if (old == NULL || ns == NULL || pod_ready(old) || !pod_ready(pod))
		return;
	cJSON_ArrayForEach(ref, k8c_jget(pod, "metadata.ownerReferences")) {
		const char *kind = k8c_jstr(ref, "kind"), *name = k8c_jstr(ref, "name");

		if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ref, "controller")) ||
		    kind == NULL || name == NULL || strcmp(kind, "DaemonSet") != 0)
			continue;
		key = k8c_xasprintf("%s/%s", ns, name);
		break;
	}
	if (key == NULL)
		return;
	ds = ctl->ch->get(ctl->ch->ctx, W_DS, key);
	mrs = ds_min_ready_seconds(ds);
	cJSON_Delete(ds);
	if (mrs > 0)
		ctl->ch->enqueue_after(ctl->ch->ctx, key, (mrs + 1) * 1000);
}

/* A pod without a controller: remember it, and let the DaemonSets that
 * could adopt it look. */
static void pod_changed(ds_ctl_t *ctl, int type, const cJSON *pod, const cJSON *old)
{
	const char *ns = k8c_jstr(pod, "metadata.namespace"), *name = k8c_jstr(pod, "metadata.name");
	_cleanup_free_ char *key = NULL;
	int orphan;

	if (ns == NULL || name == NULL)
		return;
	if (type == K8C_WATCH_MODIFIED)
		pod_became_ready(ctl, pod, old);
	key = k8c_xasprintf("%s/%s", ns, name);
	orphan = type != K8C_WATCH_DELETED && ds_controller_uid(pod) == NULL;
	ds_orphan_set(ctl, ns, key, orphan);
	if (orphan && k8c_jget(pod, "metadata.deletionTimestamp") == NULL)
		enqueue_sets(ctl, ns, k8c_jget(pod, "metadata.labels"));
}

static int same(const cJSON *a, const cJSON *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && cJSON_Compare(a, b, 1));
}

static void ds_on_change(void *cookie, size_t watch, int type, const cJSON *obj,
                         const cJSON *old)
{
	ds_ctl_t *ctl = cookie;

	if (watch == W_POD) {
		pod_changed(ctl, type, obj, old);
		return;
	}
	if (watch != W_NODE)
		return;
	/* a node's status (heartbeats) does not change where pods belong */
	if (type == K8C_WATCH_MODIFIED && old != NULL &&
	    same(k8c_jget(obj, "metadata.labels"), k8c_jget(old, "metadata.labels")) &&
	    same(k8c_jget(obj, "spec"), k8c_jget(old, "spec")))
		return;
	node_changed(ctl, type, obj, old);
}

/* --- instance ------------------------------------------------------------- */

static int ds_init(const k8c_host_t *host, const cJSON *config, void **cookie,
                   k8c_error_t *err)
{
	ds_ctl_t *ctl;

	if (!K8C_HAS_MEMBER(host->struct_size, k8c_host_t, controller) ||
	    host->controller == NULL || host->client == NULL)
		return k8c_error_make(err, K8C_EINVAL,
		                      "the daemonset controller runs in the controller manager only");
	ctl = k8c_xcalloc(1, sizeof(*ctl));
	ctl->host = host;
	ctl->ch = host->controller;
	pthread_mutex_init(&ctl->lock, NULL);
	k8c_strmap_init(&ctl->backoff);
	k8c_strmap_init(&ctl->orphans);
	*cookie = ctl;
	return 0;
}

static void ds_fini(void *cookie)
{
	ds_ctl_t *ctl = cookie;
	k8c_strmap_entry_t *e;
	size_t i;

	if (ctl == NULL)
		return;
	for (e = k8c_strmap_first(&ctl->backoff, &i); e != NULL; e = k8c_strmap_next(&ctl->backoff, e, &i))
		free(e->value);
	k8c_strmap_free(&ctl->backoff);
	ds_orphans_free(ctl);
	pthread_mutex_destroy(&ctl->lock);
	free(ctl);
}

static const k8c_controller_ops_t ops = {
	.struct_size = sizeof(k8c_controller_ops_t),
	.watches = watches,
	.n_watches = sizeof(watches) / sizeof(watches[0]),
	.workers = 2, /* --concurrent-daemonset-syncs */
	.event_component = "daemonset-controller",
	.reconcile = ds_reconcile,
	.on_change = ds_on_change,
};

K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
	K8C_PLUGIN_HEADER(K8C_PLUGIN_CONTROLLER),
	.name = "daemonset",
	.version = PACKAGE_VERSION,
	.description = "DaemonSets: one pod per eligible node, rolling updates, revisions",
	.init = ds_init,
	.fini = ds_fini,
	.ops = &ops,
};
