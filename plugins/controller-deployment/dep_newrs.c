/* The new ReplicaSet of a Deployment (kube's getNewReplicaSet): found by
 * its template, its revision annotations kept in step (revision-history
 * when an old one comes back by `rollout undo`), or created as
 * <deployment>-<pod-template-hash> with the hash in its selector, labels
 * and template labels; hash collisions bump status.collisionCount. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/json_path.h"
#include "common/mem.h"
#include "dep.h"
#include "dep_status.h"
#include "dep_util.h"

/* Annotations of the Deployment that are not copied to its ReplicaSets. */
static int skip_annotation(const char *k)
{
	static const char *const skip[] = {
		"kubectl.kubernetes.io/last-applied-configuration",
		DEP_ANN_REVISION,
		DEP_ANN_REVISION_HISTORY,
		DEP_ANN_DESIRED,
		DEP_ANN_MAX,
		"deprecated.deployment.rollback.to",
		NULL,
	};

	for (size_t i = 0; skip[i]; i++)
		if (strcmp(k, skip[i]) == 0)
			return 1;
	return 0;
}

static cJSON *annotations_of(cJSON *obj)
{
	cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	cJSON *a = cJSON_GetObjectItemCaseSensitive(md, "annotations");

	if (!cJSON_IsObject(a)) {
		if (!cJSON_IsObject(md)) {
			cJSON_DeleteItemFromObjectCaseSensitive(obj, "metadata");
			md = cJSON_AddObjectToObject(obj, "metadata");
		}
		cJSON_DeleteItemFromObjectCaseSensitive(md, "annotations");
		a = cJSON_AddObjectToObject(md, "annotations");
	}
	return a;
}

/* A member's string (keys with dots: not k8c_jstr's paths). */
static const char *member_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void put_str(cJSON *obj, const char *key, const char *value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	cJSON_AddStringToObject(obj, key, value);
}

/* revision-history gains old_rev, its oldest entries cut to stay within
 * DEP_REV_HISTORY_MAX characters. */
static void add_history(cJSON *ann, const char *old_rev)
{
	const char *h = member_str(ann, DEP_ANN_REVISION_HISTORY);
	size_t total;
	const char *p;
	char *v;

	if (h == NULL || *h == '\0' || *h == ',') {
		put_str(ann, DEP_ANN_REVISION_HISTORY, old_rev);
		return;
	}
	total = strlen(h) + strlen(old_rev) + 1;
	p = h;
	while (total > DEP_REV_HISTORY_MAX && p != NULL) {
		const char *comma = strchr(p, ',');
		total -= (comma ? (size_t)(comma - p) : strlen(p)) + 1;
		p = comma ? comma + 1 : NULL;
	}
	if (total > DEP_REV_HISTORY_MAX)
		return;
	v = p && *p ? k8c_xasprintf("%s,%s", p, old_rev) : k8c_xstrdup(old_rev);
	put_str(ann, DEP_ANN_REVISION_HISTORY, v);
	free(v);
}

/* SetNewReplicaSetAnnotations: 1 when rs changed. */
static int set_new_rs_annotations(const cJSON *d, cJSON *rs, long new_rev, int exists)
{
	cJSON *ann = annotations_of(rs);
	const cJSON *a;
	const char *old;
	long old_rev = 0;
	int changed = 0;
	char buf[32];

	cJSON_ArrayForEach(a, k8c_jget(d, "metadata.annotations")) {
		const char *cur = member_str(ann, a->string);
		if (!cJSON_IsString(a) || skip_annotation(a->string) ||
		    (cur != NULL && strcmp(cur, a->valuestring) == 0))
			continue;
		put_str(ann, a->string, a->valuestring);
		changed = 1;
	}
	old = member_str(ann, DEP_ANN_REVISION);
	if (old != NULL && *old != '\0') {
		char *end;
		old_rev = strtol(old, &end, 10);
		if (*end != '\0')
			return changed; /* kube gives up on a bad revision */
	}
	if (old_rev < new_rev) {
		_cleanup_free_ char *was = old ? k8c_xstrdup(old) : NULL;
		snprintf(buf, sizeof(buf), "%ld", new_rev);
		put_str(ann, DEP_ANN_REVISION, buf);
		changed = 1;
		/* an old ReplicaSet made new again: remember its revisions */
		if (was != NULL && *was != '\0')
			add_history(ann, was);
	}
	if (!exists)
		changed |= dep_set_replicas_annotations(
			rs, dep_replicas(d), dep_replicas(d) + dep_max_surge(d));
	return changed;
}

/* SetDeploymentRevision: 1 when changed. */
static int set_deployment_revision(cJSON *d, const char *rev)
{
	cJSON *ann = annotations_of(d);
	const char *cur = member_str(ann, DEP_ANN_REVISION);

	if (cur != NULL && strcmp(cur, rev ? rev : "") == 0)
		return 0;
	put_str(ann, DEP_ANN_REVISION, rev ? rev : "");
	return 1;
}

static cJSON *status_of(cJSON *d)
{
	cJSON *st = cJSON_GetObjectItemCaseSensitive(d, "status");

	if (!cJSON_IsObject(st)) {
		cJSON_DeleteItemFromObjectCaseSensitive(d, "status");
		st = cJSON_AddObjectToObject(d, "status");
	}
	return st;
}

static cJSON *find_new(dep_sync_t *s)
{
	const cJSON *tmpl = k8c_jget(s->d, "spec.template");
	_cleanup_free_ cJSON **v = NULL;
	cJSON *found = NULL;

	if (s->rs.n == 0)
		return NULL;
	v = k8c_xcalloc(s->rs.n, sizeof(*v));
	memcpy(v, s->rs.v, s->rs.n * sizeof(*v));
	if (s->rs.n > 1)
		qsort(v, s->rs.n, sizeof(*v), dep_cmp_created);
	for (size_t i = 0; i < s->rs.n && found == NULL; i++)
		if (dep_equal_ignore_hash(k8c_jget(v[i], "spec.template"), tmpl))
			found = v[i];
	return found;
}

long dep_sum_replicas(const dep_rsv_t *l)
{
	long n = 0;

	for (size_t i = 0; i < l->n; i++)
		n += dep_replicas(l->v[i]);
	return n;
}

/* NewRSNewReplicas: how big the new ReplicaSet may be now. */
static int new_rs_replicas(const cJSON *d, const dep_rsv_t *all, const cJSON *new_rs, long *out,
                           k8c_error_t *err)
{
	long want = dep_replicas(d), cur = dep_replicas(new_rs), surge, total, up;

	if (!dep_is_rolling(d)) {
		*out = want;
		return 0;
	}
	if (dep_scaled_value(k8c_jget(d, "spec.strategy.rollingUpdate.maxSurge"), want, 1, &surge) < 0)
		return k8c_error_make(err, K8C_EINVAL,
		                      "invalid value for IntOrString: invalid type: string is not a percentage");
	total = dep_sum_replicas(all);
	if (total >= want + surge) {
		*out = cur;
		return 0;
	}
	up = want + surge - total;
	if (up > want - cur)
		up = want - cur;
	*out = cur + up;
	return 0;
}

static cJSON *controller_ref(const cJSON *d)
{
	cJSON *r = cJSON_CreateObject();

	cJSON_AddStringToObject(r, "apiVersion", "apps/v1");
	cJSON_AddStringToObject(r, "kind", "Deployment");
	cJSON_AddStringToObject(r, "name", k8c_jstr(d, "metadata.name"));
	cJSON_AddStringToObject(r, "uid", k8c_jstr(d, "metadata.uid"));
	cJSON_AddBoolToObject(r, "controller", 1);
	cJSON_AddBoolToObject(r, "blockOwnerDeletion", 1);
	return r;
}

static cJSON *object_at(cJSON *obj, const char *key)
{
	cJSON *o = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!cJSON_IsObject(o)) {
		cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
		o = cJSON_AddObjectToObject(obj, key);
	}
	return o;
}

/* The ReplicaSet a Deployment's template becomes (replicas 0). */
static cJSON *build_rs(const cJSON *d, const char *hash)
{
	cJSON *rs = cJSON_CreateObject(), *md, *spec, *tmpl, *sel;
	_cleanup_free_ char *name = k8c_xasprintf("%s-%s", k8c_jstr(d, "metadata.name"), hash);
	const cJSON *mrs = k8c_jget(d, "spec.minReadySeconds");

	tmpl = cJSON_Duplicate(k8c_jget(d, "spec.template"), 1);
	if (tmpl == NULL)
		tmpl = cJSON_CreateObject();
	put_str(object_at(object_at(tmpl, "metadata"), "labels"), DEP_HASH_LABEL, hash);
	sel = cJSON_Duplicate(k8c_jget(d, "spec.selector"), 1);
	if (sel == NULL)
		sel = cJSON_CreateObject();
	put_str(object_at(sel, "matchLabels"), DEP_HASH_LABEL, hash);

	cJSON_AddStringToObject(rs, "apiVersion", "apps/v1");
	cJSON_AddStringToObject(rs, "kind", "ReplicaSet");
	md = cJSON_AddObjectToObject(rs, "metadata");
	cJSON_AddStringToObject(md, "name", name);
	cJSON_AddStringToObject(md, "namespace", k8c_jstr(d, "metadata.namespace"));
	cJSON_AddItemToObject(md, "labels",
	                      cJSON_Duplicate(k8c_jget(tmpl, "metadata.labels"), 1));
	cJSON_AddItemToArray(cJSON_AddArrayToObject(md, "ownerReferences"), controller_ref(d));
	spec = cJSON_AddObjectToObject(rs, "spec");
	cJSON_AddNumberToObject(spec, "replicas", 0);
	if (cJSON_IsNumber(mrs) && mrs->valuedouble != 0)
		cJSON_AddNumberToObject(spec, "minReadySeconds", mrs->valuedouble);
	cJSON_AddItemToObject(spec, "selector", sel);
	cJSON_AddItemToObject(spec, "template", tmpl);
	return rs;
}

/* After AlreadyExists: is the ReplicaSet of that name ours and of this
 * template (the cache had not seen it yet), or a hash collision?  Asked
 * of the API server: the cache may still lack it.  0 with *out when it is
 * ours, 1 for a collision, < 0 when it could not be read. */
static int existing_same(dep_sync_t *s, const char *name, cJSON **out, k8c_error_t *err)
{
	_cleanup_free_ char *path = k8c_xasprintf("/apis/apps/v1/namespaces/%s/replicasets/%s", s->ns,
	                                          name);
	cJSON *rs = NULL;
	const char *uid;
	int ret;

	*out = NULL;
	ret = s->ctl->host->client->request(s->ctl->host->client_ctx, "GET", path, NULL, NULL, &rs,
	                                    err);
	if (ret < 0)
		return ret;
	uid = dep_controller_uid(rs, NULL, NULL);
	if (uid != NULL && strcmp(uid, k8c_jstr(s->d, "metadata.uid")) == 0 &&
	    dep_equal_ignore_hash(k8c_jget(s->d, "spec.template"), k8c_jget(rs, "spec.template"))) {
		*out = rs;
		return 0;
	}
	cJSON_Delete(rs);
	return 1;
}

static int create_failed(dep_sync_t *s, const char *name, int ret, k8c_error_t *err)
{
	k8c_error_t ignored;
	_cleanup_free_ char *msg = NULL;

	if (ret == -K8C_EEXIST) {
		/* a hash collision: count it and come back with another name */
		cJSON *st = status_of(s->d);
		long cc = dep_jlong(s->d, "status.collisionCount", 0) + 1;
		cJSON_DeleteItemFromObjectCaseSensitive(st, "collisionCount");
		cJSON_AddNumberToObject(st, "collisionCount", (double)cc);
		if (dep_status_update(s, &ignored) == 0)
			DLOG(s, K8C_LOG_INFO, "deployment %s/%s: hash collision on %s, collisionCount now %ld",
			     s->ns, s->name, name, cc);
		return ret;
	}
	if (strstr(err->message, "because it is being terminated") != NULL)
		return ret; /* the namespace goes: nothing to report */
	msg = k8c_xasprintf("Failed to create new replica set \"%s\": %s", name, err->message);
	if (dep_has_progress_deadline(s->d)) {
		dep_condition_set(status_of(s->d),
		                  dep_condition_new("Progressing", "False", DEP_R_FAILED_RS_CREATE, msg,
		                                    s->now_ns));
		(void)dep_status_update(s, &ignored);
	}
	s->ctl->ch->event(s->ctl->ch->ctx, W_DEPLOY, s->d, "Warning", DEP_R_FAILED_RS_CREATE, "%s", msg);
	return ret;
}

static int create_new(dep_sync_t *s, const dep_rsv_t *old, long new_rev, cJSON **new_rs,
                      k8c_error_t *err)
{
	const cJSON *ccj = k8c_jget(s->d, "status.collisionCount");
	long cc = cJSON_IsNumber(ccj) ? (long)ccj->valuedouble : 0;
	_cleanup_free_ char *hash = dep_template_hash(k8c_jget(s->d, "spec.template"),
	                                              cJSON_IsNumber(ccj) ? &cc : NULL);
	_cleanup_free_ char *path = k8c_xasprintf("/apis/apps/v1/namespaces/%s/replicasets", s->ns);
	_cleanup_json_ cJSON *rs = build_rs(s->d, hash);
	dep_rsv_t all = {0};
	cJSON *created = NULL;
	char rev[32];
	long n = 0;
	int ret, already = 0, needs;

	for (size_t i = 0; i < old->n; i++)
		dep_rsv_push(&all, old->v[i]);
	dep_rsv_push(&all, rs);
	ret = new_rs_replicas(s->d, &all, rs, &n, err);
	dep_rsv_free(&all);
	if (ret < 0)
		return ret;
	cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(rs, "spec"), "replicas");
	cJSON_AddNumberToObject(cJSON_GetObjectItemCaseSensitive(rs, "spec"), "replicas", (double)n);
	set_new_rs_annotations(s->d, rs, new_rev, 0);
	ret = s->ctl->host->client->request(s->ctl->host->client_ctx, "POST", path, rs, NULL,
	                                    &created, err);
	if (ret == -K8C_EEXIST) {
		k8c_error_t exists = *err;
		int same = existing_same(s, k8c_jstr(rs, "metadata.name"), &created, err);
		if (same < 0)
			return same;
		if (same > 0) {
			*err = exists;
			return create_failed(s, k8c_jstr(rs, "metadata.name"), ret, err);
		}
		already = 1;
	} else if (ret < 0) {
		return create_failed(s, k8c_jstr(rs, "metadata.name"), ret, err);
	}
	if (!cJSON_IsObject(created)) {
		cJSON_Delete(created);
		return k8c_error_make(err, K8C_EINTERNAL, "creating replica set %s: no object in the answer",
		                      k8c_jstr(rs, "metadata.name"));
	}
	dep_rsv_push(&s->rs, created);
	*new_rs = created;
	if (!already && n > 0)
		s->ctl->ch->event(s->ctl->ch->ctx, W_DEPLOY, s->d, "Normal", "ScalingReplicaSet",
		                  "Scaled up replica set %s from 0 to %ld",
		                  k8c_jstr(created, "metadata.name"), n);
	snprintf(rev, sizeof(rev), "%ld", new_rev);
	needs = set_deployment_revision(s->d, rev);
	if (!already && dep_has_progress_deadline(s->d)) {
		_cleanup_free_ char *msg = k8c_xasprintf("Created new replica set \"%s\"",
		                                         k8c_jstr(created, "metadata.name"));
		dep_condition_set(status_of(s->d), dep_condition_new("Progressing", "True", DEP_R_NEW_RS,
		                                                     msg, s->now_ns));
		needs = 1;
	}
	return needs ? dep_status_update(s, err) : 0;
}

/* The existing new ReplicaSet: its annotations and minReadySeconds first,
 * then the Deployment's revision. */
static int sync_existing(dep_sync_t *s, cJSON *new_rs, long new_rev, k8c_error_t *err)
{
	_cleanup_json_ cJSON *copy = cJSON_Duplicate(new_rs, 1);
	long mrs = dep_jlong(s->d, "spec.minReadySeconds", 0);
	int changed = set_new_rs_annotations(s->d, copy, new_rev, 1), needs, ret;
	cJSON *spec = object_at(copy, "spec");

	if (changed || dep_jlong(copy, "spec.minReadySeconds", 0) != mrs) {
		cJSON_DeleteItemFromObjectCaseSensitive(spec, "minReadySeconds");
		if (mrs != 0)
			cJSON_AddNumberToObject(spec, "minReadySeconds", (double)mrs);
		if ((ret = dep_rs_update(s, copy, err)) < 0)
			return ret;
		cJSON *old = new_rs->child;
		new_rs->child = copy->child;
		copy->child = old;
		return 0;
	}
	needs = set_deployment_revision(s->d, dep_annotation(new_rs, DEP_ANN_REVISION));
	if (dep_has_progress_deadline(s->d) &&
	    dep_condition(k8c_jget(s->d, "status"), "Progressing") == NULL) {
		_cleanup_free_ char *msg = k8c_xasprintf("Found new replica set \"%s\"",
		                                         k8c_jstr(new_rs, "metadata.name"));
		dep_condition_set(status_of(s->d), dep_condition_new("Progressing", "True",
		                                                     DEP_R_FOUND_NEW_RS, msg, s->now_ns));
		needs = 1;
	}
	return needs ? dep_status_update(s, err) : 0;
}

int dep_new_and_old(dep_sync_t *s, int create, cJSON **new_rs, dep_rsv_t *old, k8c_error_t *err)
{
	long max_rev = 0;

	*new_rs = find_new(s);
	old->n = 0;
	for (size_t i = 0; i < s->rs.n; i++) {
		if (s->rs.v[i] == *new_rs)
			continue;
		dep_rsv_push(old, s->rs.v[i]);
		if (dep_revision(s->rs.v[i]) > max_rev)
			max_rev = dep_revision(s->rs.v[i]);
	}
	if (*new_rs != NULL)
		return sync_existing(s, *new_rs, max_rev + 1, err);
	if (!create)
		return 0;
	return create_new(s, old, max_rev + 1, new_rs, err);
}
