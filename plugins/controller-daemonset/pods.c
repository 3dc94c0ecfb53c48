/* The DaemonSet's pods, node by node, as kube's daemon controller keeps
 * them: manage() creates the pod a node is missing and deletes pods on
 * nodes where they do not belong, failed ones (with backoff) and extra
 * ones (the oldest stays); syncNodes does the creating and deleting for
 * it and for the rolling update (rolling.c).
 *
 * Pods are created as kube creates them: generateName "<ds>-", the
 * template's labels plus controller-revision-hash and
 * pod-template-generation, the DaemonSet default tolerations, and a
 * required node affinity term matchFields metadata.name In [node] in
 * place of the template's required terms, for the scheduler to bind.
 *
 * Departure: a daemon pod bound to a node that no longer exists is
 * deleted here; in Kubernetes the pod garbage collector does it. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/client.h>

#include "common/json_path.h"
#include "common/mem.h"
#include "common/timestamp.h"

#include "ds.h"

#define SLOW_START_BATCH 1 /* controller.SlowStartInitialBatchSize */

/* --- API helpers ---------------------------------------------------------- */

int ds_api(ds_sync_t *s, const char *method, const cJSON *body, const char *content_type,
           cJSON **out, k8c_error_t *err, const char *path_fmt, ...)
{
	const k8c_host_t *h = s->ctl->host;
	_cleanup_free_ char *path = NULL;
	va_list ap;

	va_start(ap, path_fmt);
	path = k8c_xvasprintf(path_fmt, ap);
	va_end(ap);
	return h->client->request(h->client_ctx, method, path, body, content_type, out, err);
}

cJSON *ds_owner_ref(const ds_sync_t *s)
{
	cJSON *ref = cJSON_CreateObject();

	cJSON_AddStringToObject(ref, "apiVersion", "apps/v1");
	cJSON_AddStringToObject(ref, "kind", "DaemonSet");
	cJSON_AddStringToObject(ref, "name", s->name);
	cJSON_AddStringToObject(ref, "uid", s->uid);
	cJSON_AddTrueToObject(ref, "controller");
	cJSON_AddTrueToObject(ref, "blockOwnerDeletion");
	return ref;
}

/* --- reading the pods ----------------------------------------------------- */

static void pod_clear(ds_pod_t *p)
{
	free(p->name);
	free(p->uid);
	free(p->node);
	free(p->hash);
	free(p->generation);
}

void ds_pods_free(ds_pod_t *pods, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pod_clear(&pods[i]);
	free(pods);
}

static char *dup_or_null(const char *s)
{
	return s != NULL ? k8c_xstrdup(s) : NULL;
}

static int64_t parse_time(const char *s)
{
	k8c_error_t err;
	int64_t ns = 0;

	if (s == NULL || k8c_time_parse(s, &ns, &err) < 0)
		return 0;
	return ns;
}

static void read_status(ds_pod_t *p, const cJSON *pod)
{
	const char *phase = k8c_jstr(pod, "status.phase");
	const cJSON *c;

	if (phase == NULL)
		p->phase = POD_OTHER;
	else if (strcmp(phase, "Running") == 0)
		p->phase = POD_RUNNING;
	else if (strcmp(phase, "Succeeded") == 0)
		p->phase = POD_SUCCEEDED;
	else if (strcmp(phase, "Failed") == 0)
		p->phase = POD_FAILED;
	cJSON_ArrayForEach(c, k8c_jget(pod, "status.conditions")) {
		const char *type = k8c_jstr(c, "type"), *st = k8c_jstr(c, "status");

		if (type == NULL || strcmp(type, "Ready") != 0)
			continue;
		p->ready = st != NULL && strcmp(st, "True") == 0;
		p->ready_since = parse_time(k8c_jstr(c, "lastTransitionTime"));
	}
}

const char *ds_controller_uid(const cJSON *obj)
{
	const cJSON *ref;

	cJSON_ArrayForEach(ref, k8c_jget(obj, "metadata.ownerReferences"))
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ref, "controller")))
			return k8c_jstr(ref, "uid");
	return NULL;
}

typedef struct pod_list {
	const ds_sync_t *s;
	ds_pod_t *v;
	size_t n, cap;
} pod_list_t;

/* Under the cache's read lock: copy what we need, nothing else. */
static int collect_pod(void *arg, const cJSON *pod)
{
	pod_list_t *l = arg;
	const char *owner = ds_controller_uid(pod), *name = k8c_jstr(pod, "metadata.name");
	const cJSON *labels = k8c_jget(pod, "metadata.labels");
	int matches, deleting = k8c_jget(pod, "metadata.deletionTimestamp") != NULL;
	ds_pod_t *p;

	if (name == NULL)
		return 0;
	if (!cJSON_IsObject(labels))
		labels = NULL;
	if (owner != NULL && strcmp(owner, l->s->uid) != 0)
		return 0;
	matches = k8c_label_selector_matches(l->s->selector, labels);
	if (owner == NULL && (!matches || deleting))
		return 0; /* ClaimPods: orphans that match are adopted */
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = k8c_xrealloc(l->v, l->cap * sizeof(ds_pod_t));
	}
	p = &l->v[l->n++];
	memset(p, 0, sizeof(*p));
	p->name = k8c_xstrdup(name);
	p->uid = dup_or_null(k8c_jstr(pod, "metadata.uid"));
	p->node = dup_or_null(ds_target_node(pod));
	p->hash = dup_or_null(k8c_jstr(labels, DS_HASH_LABEL));
	p->generation = dup_or_null(k8c_jstr(labels, DS_GENERATION_LABEL));
	p->scheduled = k8c_jstr(pod, "spec.nodeName") != NULL &&
	               k8c_jstr(pod, "spec.nodeName")[0] != '\0';
	p->deleting = deleting;
	p->created = parse_time(k8c_jstr(pod, "metadata.creationTimestamp"));
	read_status(p, pod);
	p->skip = deleting && (p->phase == POD_SUCCEEDED || p->phase == POD_FAILED);
	p->adopt = owner == NULL;
	p->release = owner != NULL && !matches;
	return 0;
}

/* podByCreationTimestampAndPhase: scheduled first, then oldest, then name. */
int ds_pod_older(const ds_pod_t *a, const ds_pod_t *b)
{
	if (a->scheduled != b->scheduled)
		return a->scheduled;
	if (a->created != b->created)
		return a->created < b->created;
	return strcmp(a->name, b->name) < 0;
}

/* By target node (none last), then the order above. */
static int pod_cmp(const void *x, const void *y)
{
	const ds_pod_t *a = x, *b = y;
	int c;

	if ((a->node == NULL) != (b->node == NULL))
		return a->node == NULL ? 1 : -1;
	if (a->node != NULL && (c = strcmp(a->node, b->node)) != 0)
		return c;
	if (ds_pod_older(a, b))
		return -1;
	return ds_pod_older(b, a) ? 1 : 0;
}

static int patch_pod_owner(ds_sync_t *s, const ds_pod_t *p, int release, k8c_error_t *err)
{
	cJSON *patch = cJSON_CreateObject(), *meta = cJSON_AddObjectToObject(patch, "metadata");
	cJSON *refs = cJSON_AddArrayToObject(meta, "ownerReferences"), *ref;
	int ret;

	if (release) {
		ref = cJSON_CreateObject();
		cJSON_AddStringToObject(ref, "$patch", "delete");
		cJSON_AddStringToObject(ref, "uid", s->uid);
		cJSON_AddItemToArray(refs, ref);
	} else {
		cJSON_AddItemToArray(refs, ds_owner_ref(s));
	}
	if (p->uid != NULL)
		cJSON_AddStringToObject(meta, "uid", p->uid); /* only that pod */
	ret = ds_api(s, "PATCH", patch, K8C_PATCH_STRATEGIC, NULL, err,
	             "/api/v1/namespaces/%s/pods/%s", s->ns, p->name);
	cJSON_Delete(patch);
	return ret;
}

/* --- orphans: pods without a controller, by namespace --------------------- */

void ds_orphan_set(ds_ctl_t *ctl, const char *ns, const char *key, int orphan)
{
	k8c_strmap_t *set;

	pthread_mutex_lock(&ctl->lock);
	set = k8c_strmap_get(&ctl->orphans, ns);
	if (orphan) {
		if (set == NULL) {
			set = k8c_xcalloc(1, sizeof(*set));
			k8c_strmap_init(set);
			k8c_strmap_put(&ctl->orphans, ns, set);
		}
		k8c_strmap_put(set, key, set);
	} else if (set != NULL) {
		k8c_strmap_remove(set, key);
		if (set->count == 0) {
			k8c_strmap_remove(&ctl->orphans, ns);
			k8c_strmap_free(set);
			free(set);
		}
	}
	pthread_mutex_unlock(&ctl->lock);
}

void ds_orphans_free(ds_ctl_t *ctl)
{
	k8c_strmap_entry_t *e;
	size_t i;

	for (e = k8c_strmap_first(&ctl->orphans, &i); e != NULL;
	     e = k8c_strmap_next(&ctl->orphans, e, &i)) {
		k8c_strmap_free(e->value);
		free(e->value);
	}
	k8c_strmap_free(&ctl->orphans);
}

/* Keys of the orphan pods of ns (caller frees the array and strings). */
static char **orphans_of(ds_ctl_t *ctl, const char *ns, size_t *n)
{
	k8c_strmap_t *set;
	k8c_strmap_entry_t *e;
	char **keys = NULL;
	size_t i;

	*n = 0;
	pthread_mutex_lock(&ctl->lock);
	set = k8c_strmap_get(&ctl->orphans, ns);
	if (set != NULL) {
		keys = k8c_xcalloc(set->count, sizeof(*keys));
		for (e = k8c_strmap_first(set, &i); e != NULL; e = k8c_strmap_next(set, e, &i))
			keys[(*n)++] = k8c_xstrdup(e->key);
	}
	pthread_mutex_unlock(&ctl->lock);
	return keys;
}

/* getDaemonPods: the pods the DaemonSet controls (through the owner
 * index) and the orphans it adopts; those that stopped matching are
 * released.  A failed adoption leaves the pod out this round. */
void ds_pods_collect(ds_sync_t *s)
{
	const k8c_controller_host_t *ch = s->ctl->ch;
	pod_list_t l = {.s = s};
	size_t kept = 0, n_orphans;
	char **orphans;

	ch->list(ch->ctx, W_POD, s->ns, s->uid, collect_pod, &l);
	orphans = orphans_of(s->ctl, s->ns, &n_orphans);
	for (size_t i = 0; i < n_orphans; i++) {
		cJSON *pod = ch->get(ch->ctx, W_POD, orphans[i]);

		if (pod != NULL)
			collect_pod(&l, pod);
		cJSON_Delete(pod);
		free(orphans[i]);
	}
	free(orphans);
	for (size_t i = 0; i < l.n; i++) {
		ds_pod_t *p = &l.v[i];
		k8c_error_t err;
		int drop = 0;

		if (p->adopt || p->release) {
			drop = patch_pod_owner(s, p, p->release, &err) < 0 || p->release;
			if (drop && !p->release)
				s->ctl->host->log(s->ctl->host->ctx, K8C_LOG_WARN,
				                  "daemonset %s: adopting pod %s: %s", s->key, p->name,
				                  err.message);
		}
		if (drop) {
			pod_clear(p);
			continue;
		}
		l.v[kept++] = *p;
	}
	if (kept > 1)
		qsort(l.v, kept, sizeof(ds_pod_t), pod_cmp);
	s->pods = l.v;
	s->n_pods = kept;
}

/* The pods targeting node (counting the skipped ones too: callers skip). */
size_t ds_pods_on(const ds_sync_t *s, const char *node, size_t *start)
{
	size_t lo = 0, hi = s->n_pods, n = 0;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *m = s->pods[mid].node;

		if (m != NULL && strcmp(m, node) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*start = lo;
	while (lo + n < s->n_pods && s->pods[lo + n].node != NULL &&
	       strcmp(s->pods[lo + n].node, node) == 0)
		n++;
	return n;
}

const ds_sync_node_t *ds_find_node(const ds_sync_t *s, const char *name)
{
	size_t lo = 0, hi = s->n_nodes;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(s->nodes[mid].name, name);

		if (c == 0)
			return &s->nodes[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* --- counting ------------------------------------------------------------- */

int64_t ds_min_ready_seconds(const cJSON *ds)
{
	const cJSON *m = k8c_jget(ds, "spec.minReadySeconds");

	/* an int32 in the API: clamped to it, so that ms and ns of it fit
	 * an int64 */
	if (!cJSON_IsNumber(m) || !(m->valuedouble > 0))
		return 0;
	return m->valuedouble >= 2147483647.0 ? 2147483647 : (int64_t)m->valuedouble;
}

int ds_pod_available(const ds_pod_t *p, int64_t min_ready_s, int64_t now)
{
	if (!p->ready)
		return 0;
	if (min_ready_s == 0)
		return 1;
	return p->ready_since != 0 && p->ready_since + min_ready_s * 1000000000LL < now;
}

int ds_pod_updated(const ds_sync_t *s, const ds_pod_t *p)
{
	if (s->hash != NULL && s->hash[0] != '\0' && p->hash != NULL && strcmp(p->hash, s->hash) == 0)
		return 1;
	return s->generation != NULL && p->generation != NULL &&
	       strcmp(s->generation, p->generation) == 0;
}

/* intstr.GetScaledValueFromIntOrPercent, rounding up. */
int ds_scaled_value(const cJSON *v, int total, int *out)
{
	char *end;
	long pct;

	*out = 0;
	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (cJSON_IsNumber(v)) {
		*out = (int)v->valuedouble;
		return 0;
	}
	if (!cJSON_IsString(v))
		return -1;
	pct = strtol(v->valuestring, &end, 10);
	if (end == v->valuestring || strcmp(end, "%") != 0)
		return -1;
	*out = (int)((pct * total + 99) / 100);
	return 0;
}

static int is_rolling(const ds_sync_t *s)
{
	const char *type = k8c_jstr(s->ds, "spec.updateStrategy.type");

	return type == NULL || strcmp(type, "RollingUpdate") == 0;
}

/* util.SurgeCount / UnavailableCount. */
int ds_surge_count(const ds_sync_t *s, int total)
{
	int v = 0;

	if (!is_rolling(s) ||
	    ds_scaled_value(k8c_jget(s->ds, "spec.updateStrategy.rollingUpdate.maxSurge"), total, &v) < 0)
		return 0;
	return v;
}

int ds_unavailable_count(const ds_sync_t *s, int total)
{
	const cJSON *mu = k8c_jget(s->ds, "spec.updateStrategy.rollingUpdate.maxUnavailable");
	int v = 1;

	if (!is_rolling(s))
		return 0;
	if (mu != NULL && ds_scaled_value(mu, total, &v) < 0)
		return 0;
	return v;
}

/* --- creating and deleting ------------------------------------------------ */

void ds_names_add(ds_names_t *l, char *name)
{
	l->v = k8c_xrealloc(l->v, (l->n + 1) * sizeof(char *));
	l->v[l->n++] = name;
}

/* util.CreatePodTemplate plus GetPodFromTemplate, for node. */
static cJSON *pod_for(const ds_sync_t *s, const char *node)
{
	const cJSON *tmpl = k8c_jget(s->ds, "spec.template"), *m;
	cJSON *pod = cJSON_CreateObject(), *meta, *labels, *spec, *refs;
	_cleanup_free_ char *prefix = k8c_xasprintf("%s-", s->name);

	cJSON_AddStringToObject(pod, "apiVersion", "v1");
	cJSON_AddStringToObject(pod, "kind", "Pod");
	meta = cJSON_AddObjectToObject(pod, "metadata");
	cJSON_AddStringToObject(meta, "generateName", prefix);
	cJSON_AddStringToObject(meta, "namespace", s->ns);
	m = k8c_jget(tmpl, "metadata.labels");
	labels = cJSON_IsObject(m) ? cJSON_Duplicate(m, 1) : cJSON_CreateObject();
	if (s->generation != NULL) {
		cJSON_DeleteItemFromObjectCaseSensitive(labels, DS_GENERATION_LABEL);
		cJSON_AddStringToObject(labels, DS_GENERATION_LABEL, s->generation);
	}
	cJSON_DeleteItemFromObjectCaseSensitive(labels, DS_HASH_LABEL);
	cJSON_AddStringToObject(labels, DS_HASH_LABEL, s->hash);
	cJSON_AddItemToObject(meta, "labels", labels);
	m = k8c_jget(tmpl, "metadata.annotations");
	if (cJSON_IsObject(m))
		cJSON_AddItemToObject(meta, "annotations", cJSON_Duplicate(m, 1));
	m = k8c_jget(tmpl, "metadata.finalizers");
	if (cJSON_IsArray(m))
		cJSON_AddItemToObject(meta, "finalizers", cJSON_Duplicate(m, 1));
	refs = cJSON_AddArrayToObject(meta, "ownerReferences");
	cJSON_AddItemToArray(refs, ds_owner_ref(s));
	m = k8c_jget(tmpl, "spec");
	spec = cJSON_IsObject(m) ? cJSON_Duplicate(m, 1) : cJSON_CreateObject();
	ds_add_default_tolerations(spec);
	ds_replace_node_affinity(spec, node);
	cJSON_AddItemToObject(pod, "spec", spec);
	return pod;
}

/* syncNodes: create on the nodes, delete the pods, at most burstReplicas
 * of each; creations in slow-start batches (1, 2, 4...) that stop after a
 * batch with a failure. */
int ds_sync_nodes(ds_sync_t *s, ds_names_t *del, ds_names_t *create, k8c_error_t *err)
{
	const k8c_controller_host_t *ch = s->ctl->ch;
	size_t n_create = create->n < DS_BURST_REPLICAS ? create->n : DS_BURST_REPLICAS;
	size_t n_del = del->n < DS_BURST_REPLICAS ? del->n : DS_BURST_REPLICAS;
	size_t pos = 0, batch = n_create < SLOW_START_BATCH ? n_create : SLOW_START_BATCH;
	int failures = 0;
	k8c_error_t e;

	for (size_t i = 0; i < n_create; i++)
		s->ctl->host->log(s->ctl->host->ctx, K8C_LOG_DEBUG,
		                  "daemonset %s: a pod for node %s (%zu pods seen there)", s->key,
		                  create->v[i], ds_pods_on(s, create->v[i], &(size_t){0}));
	for (size_t i = 0; i < n_del; i++)
		s->ctl->host->log(s->ctl->host->ctx, K8C_LOG_DEBUG, "daemonset %s: deleting pod %s",
		                  s->key, del->v[i]);
	s->acted += n_create + n_del;
	if (n_create > 0)
		ch->expect_creations(ch->ctx, s->key, (int)n_create);
	while (pos < n_create) {
		int batch_failed = 0;

		for (size_t i = pos; i < pos + batch; i++) {
			cJSON *pod = pod_for(s, create->v[i]), *out = NULL;

			if (ds_api(s, "POST", pod, NULL, &out, &e, "/api/v1/namespaces/%s/pods", s->ns) < 0) {
				ch->creation_observed(ch->ctx, s->key);
				ch->event(ch->ctx, W_DS, s->ds, "Warning", "FailedCreate",
				          "Error creating: %s", e.message);
				if (failures++ == 0)
					*err = e;
				batch_failed = 1;
			} else {
				const char *name = k8c_jstr(out, "metadata.name");

				ch->event(ch->ctx, W_DS, s->ds, "Normal", "SuccessfulCreate",
				          "Created pod: %s", name != NULL ? name : "");
			}
			cJSON_Delete(pod);
			cJSON_Delete(out);
		}
		pos += batch;
		if (batch_failed) {
			/* the ones never tried are not expected */
			for (; pos < n_create; pos++)
				ch->creation_observed(ch->ctx, s->key);
			break;
		}
		batch = 2 * batch < n_create - pos ? 2 * batch : n_create - pos;
	}
	for (size_t i = 0; i < n_del; i++) {
		_cleanup_free_ char *pod_key = k8c_xasprintf("%s/%s", s->ns, del->v[i]);

		ch->expect_deletion(ch->ctx, s->key, pod_key);
		if (ds_api(s, "DELETE", NULL, NULL, NULL, &e, "/api/v1/namespaces/%s/pods/%s",
		           s->ns, del->v[i]) < 0) {
			ch->deletion_observed(ch->ctx, s->key, pod_key);
			if (e.code == K8C_ENOTFOUND)
				continue;
			ch->event(ch->ctx, W_DS, s->ds, "Warning", "FailedDelete",
			          "Error deleting: %s", e.message);
			if (failures++ == 0)
				*err = e;
			continue;
		}
		ch->event(ch->ctx, W_DS, s->ds, "Normal", "SuccessfulDelete", "Deleted pod: %s",
		          del->v[i]);
	}
	free(del->v);
	free(create->v);
	return failures > 0 ? -1 : 0;
}

/* --- manage --------------------------------------------------------------- */

static void requeue(ds_sync_t *s, int64_t ms)
{
	if (ms > 0 && (s->requeue_ms == 0 || ms < s->requeue_ms))
		s->requeue_ms = ms;
}

/* A failed pod: delete it unless its node's backoff says wait. */
static int failed_pod_deletable(ds_sync_t *s, const ds_pod_t *p, const char *node)
{
	_cleanup_free_ char *bkey = k8c_xasprintf("%s/%s", s->uid, node);
	int64_t wait = ds_backoff_check(s->ctl, bkey, s->now);

	if (wait > 0) {
		requeue(s, wait);
		return 0;
	}
	s->ctl->ch->event(s->ctl->ch->ctx, W_DS, s->ds, "Warning", "FailedDaemonPod",
	                  "Found failed daemon pod %s/%s on node %s, will try to kill it",
	                  s->ns, p->name, node);
	return 1;
}

/* podsShouldBeOnNode. */
static void pods_should_be_on_node(ds_sync_t *s, const ds_sync_node_t *node, int surge,
                                   ds_names_t *create, ds_names_t *del)
{
	size_t start, n = ds_pods_on(s, node->name, &start), n_live = 0;
	int should_run = node->should_run, should_continue = node->should_continue, exists = 0;
	ds_pod_t **live = k8c_xcalloc(n + 1, sizeof(ds_pod_t *));
	ds_pod_t *oldest_new = NULL, *oldest_old = NULL;

	for (size_t i = start; i < start + n; i++)
		exists |= !s->pods[i].skip;
	if (should_run && !exists) {
		ds_names_add(create, node->name);
	} else if (should_continue) {
		for (size_t i = start; i < start + n; i++) {
			ds_pod_t *p = &s->pods[i];

			if (p->skip || p->deleting)
				continue;
			if (p->phase == POD_FAILED) {
				if (failed_pod_deletable(s, p, node->name))
					ds_names_add(del, p->name);
			} else if (p->phase == POD_SUCCEEDED) {
				ds_names_add(del, p->name);
			} else {
				live[n_live++] = p; /* already oldest first */
			}
		}
		if (!surge) {
			/* more than one: all but the oldest go */
			for (size_t i = 1; i < n_live; i++)
				ds_names_add(del, live[i]->name);
		} else if (n_live == 0) {
			if (should_run)
				ds_names_add(create, node->name);
		} else if (n_live > 1) {
			/* two only while the new one is not ready and the old is */
			for (size_t i = 0; i < n_live; i++) {
				int is_new = ds_pod_updated(s, live[i]);

				if (is_new && oldest_new == NULL)
					oldest_new = live[i];
				else if (!is_new && oldest_old == NULL)
					oldest_old = live[i];
				else
					ds_names_add(del, live[i]->name);
			}
			if (oldest_new != NULL && oldest_old != NULL &&
			    (!oldest_old->ready ||
			     ds_pod_available(oldest_new, ds_min_ready_seconds(s->ds), s->now)))
				ds_names_add(del, oldest_old->name);
		}
	} else if (exists) {
		for (size_t i = start; i < start + n; i++)
			if (!s->pods[i].skip && !s->pods[i].deleting)
				ds_names_add(del, s->pods[i].name);
	}
	free(live);
}

int ds_manage(ds_sync_t *s, k8c_error_t *err)
{
	ds_names_t create = {0}, del = {0};
	int surge = ds_surge_count(s, 1) != 0;

	for (size_t i = 0; i < s->n_nodes; i++)
		pods_should_be_on_node(s, &s->nodes[i], surge, &create, &del);
	/* pods for nodes that are gone (see the departure above) */
	for (size_t i = 0; i < s->n_pods; i++) {
		ds_pod_t *p = &s->pods[i];

		if (p->node != NULL && !p->skip && !p->deleting && ds_find_node(s, p->node) == NULL)
			ds_names_add(&del, p->name);
	}
	return ds_sync_nodes(s, &del, &create, err);
}
