/* ControllerRevisions of a DaemonSet, as kube's daemon controller keeps
 * them (pkg/controller/daemon/update.go): one revision per distinct
 * template, named <ds>-<hash>, labelled controller-revision-hash=<hash>,
 * its data the strategic merge patch that restores the template
 * ({"spec":{"template":{"$patch":"replace",...}}}, what `kubectl rollout
 * undo` applies), its revision number above every older one.  Old
 * revisions beyond revisionHistoryLimit are deleted, oldest first, unless
 * a pod still carries their hash.
 *
 * The hash is FNV-32a of the template, printed as kube prints it
 * (rand.SafeEncodeString of the decimal sum).  kube hashes the Go struct's
 * dump; we hash the template's JSON with sorted keys: the values differ
 * from kube's, the shape and the collision handling do not. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/client.h>

#include "common/json_path.h"
#include "common/mem.h"

#include "ds.h"

/* --- canonical JSON and the hash ----------------------------------------- */

static int key_cmp(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;

	return strcmp(x->string, y->string);
}

cJSON *ds_json_sorted(const cJSON *v)
{
	cJSON *out, *c;
	size_t n = 0, i = 0;
	cJSON **kids;

	if (cJSON_IsArray(v)) {
		out = cJSON_CreateArray();
		cJSON_ArrayForEach(c, v)
			cJSON_AddItemToArray(out, ds_json_sorted(c));
		return out;
	}
	if (!cJSON_IsObject(v))
		return cJSON_Duplicate(v, 1);
	out = cJSON_CreateObject();
	cJSON_ArrayForEach(c, v)
		n++;
	kids = k8c_xcalloc(n + 1, sizeof(cJSON *));
	cJSON_ArrayForEach(c, v)
		kids[i++] = c;
	if (n > 1)
		qsort(kids, n, sizeof(cJSON *), key_cmp);
	for (i = 0; i < n; i++)
		cJSON_AddItemToObject(out, kids[i]->string, ds_json_sorted(kids[i]));
	free(kids);
	return out;
}

char *ds_compute_hash(const cJSON *tmpl, int64_t collision_count)
{
	static const char alphanums[] = "bcdfghjklmnpqrstvwxz2456789";
	cJSON *sorted = ds_json_sorted(tmpl);
	char *text = cJSON_PrintUnformatted(sorted), dec[16], *out;
	uint32_t h = 2166136261u;
	size_t i;

	for (const unsigned char *p = (const unsigned char *)(text != NULL ? text : ""); *p; p++)
		h = (h ^ *p) * 16777619u;
	if (collision_count >= 0) {
		/* as Go's binary.LittleEndian.PutUint32 into 8 bytes */
		for (i = 0; i < 8; i++) {
			unsigned char b = i < 4 ? (unsigned char)((uint32_t)collision_count >> (8 * i)) : 0;
			h = (h ^ b) * 16777619u;
		}
	}
	free(text);
	cJSON_Delete(sorted);
	snprintf(dec, sizeof(dec), "%" PRIu32, h);
	out = k8c_xstrdup(dec);
	for (i = 0; out[i] != '\0'; i++)
		out[i] = alphanums[(unsigned char)out[i] % (sizeof(alphanums) - 1)];
	return out;
}

/* getPatch: the template, to be put back whole. */
cJSON *ds_history_patch(const cJSON *ds)
{
	cJSON *patch = cJSON_CreateObject(), *spec = cJSON_AddObjectToObject(patch, "spec");
	cJSON *tmpl = cJSON_Duplicate(k8c_jget(ds, "spec.template"), 1), *sorted;

	if (!cJSON_IsObject(tmpl)) {
		cJSON_Delete(tmpl);
		tmpl = cJSON_CreateObject();
	}
	cJSON_DeleteItemFromObjectCaseSensitive(tmpl, "$patch");
	cJSON_AddStringToObject(tmpl, "$patch", "replace");
	cJSON_AddItemToObject(spec, "template", tmpl);
	sorted = ds_json_sorted(patch);
	cJSON_Delete(patch);
	return sorted;
}

/* --- the revisions in the cache ------------------------------------------- */

void ds_revs_free(ds_rev_t *revs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(revs[i].name);
		free(revs[i].hash);
		cJSON_Delete(revs[i].data);
	}
	free(revs);
}

typedef struct rev_list {
	const ds_sync_t *s;
	ds_rev_t *v;
	size_t n;
} rev_list_t;

static int collect_rev(void *arg, const cJSON *cr)
{
	rev_list_t *l = arg;
	const char *owner = ds_controller_uid(cr), *name = k8c_jstr(cr, "metadata.name");
	const cJSON *labels = k8c_jget(cr, "metadata.labels"), *rev;
	const char *hash = k8c_jstr(labels, DS_HASH_LABEL);
	ds_rev_t *r;
	int adopt = 0;

	if (name == NULL)
		return 0;
	if (owner == NULL) {
		/* ClaimControllerRevisions: orphans that match are adopted */
		if (k8c_jget(cr, "metadata.deletionTimestamp") != NULL ||
		    !k8c_label_selector_matches(l->s->selector, cJSON_IsObject(labels) ? labels : NULL))
			return 0;
		adopt = 1;
	} else if (strcmp(owner, l->s->uid) != 0) {
		return 0;
	}
	l->v = k8c_xrealloc(l->v, (l->n + 1) * sizeof(ds_rev_t));
	r = &l->v[l->n++];
	memset(r, 0, sizeof(*r));
	r->name = k8c_xstrdup(name);
	r->hash = hash != NULL ? k8c_xstrdup(hash) : NULL;
	rev = k8c_jget(cr, "revision");
	r->revision = cJSON_IsNumber(rev) ? (int64_t)rev->valuedouble : 0;
	r->data = cJSON_Duplicate(k8c_jget(cr, "data"), 1);
	r->adopt = adopt;
	return 0;
}

static int patch_rev(ds_sync_t *s, const char *name, cJSON *patch, const char *type,
                     k8c_error_t *err)
{
	int ret = ds_api(s, "PATCH", patch, type, NULL, err,
	                 "/apis/apps/v1/namespaces/%s/controllerrevisions/%s", s->ns, name);

	cJSON_Delete(patch);
	return ret;
}

static int adopt_rev(ds_sync_t *s, ds_rev_t *r, k8c_error_t *err)
{
	cJSON *patch = cJSON_CreateObject(), *meta = cJSON_AddObjectToObject(patch, "metadata");
	cJSON *refs = cJSON_AddArrayToObject(meta, "ownerReferences");

	cJSON_AddItemToArray(refs, ds_owner_ref(s));
	return patch_rev(s, r->name, patch, K8C_PATCH_STRATEGIC, err);
}

/* Set a label (value NULL: the name) and/or the revision number. */
static int relabel_rev(ds_sync_t *s, ds_rev_t *r, int64_t revision, k8c_error_t *err)
{
	cJSON *patch = cJSON_CreateObject();

	if (r->hash == NULL) {
		cJSON *labels = cJSON_AddObjectToObject(cJSON_AddObjectToObject(patch, "metadata"),
		                                        "labels");
		/* kube uses the name, not a new hash: no collision to fear */
		cJSON_AddStringToObject(labels, DS_HASH_LABEL, r->name);
		r->hash = k8c_xstrdup(r->name);
	}
	if (revision > 0) {
		cJSON_AddNumberToObject(patch, "revision", (double)revision);
		r->revision = revision;
	}
	return patch_rev(s, r->name, patch, K8C_PATCH_MERGE, err);
}

static int64_t collision_count(const cJSON *ds)
{
	const cJSON *c = k8c_jget(ds, "status.collisionCount");

	return cJSON_IsNumber(c) ? (int64_t)c->valuedouble : -1;
}

/* A name taken by another template: bump status.collisionCount (from a
 * fresh read) so that the next hash differs, and fail this round. */
static int bump_collision(ds_sync_t *s, const char *name, k8c_error_t *err)
{
	cJSON *cur = NULL, *status;
	int64_t cc;
	int ret;

	ret = ds_api(s, "GET", NULL, NULL, &cur, err, "/apis/apps/v1/namespaces/%s/daemonsets/%s",
	             s->ns, s->name);
	if (ret < 0)
		return ret;
	cc = collision_count(cur);
	if (cc != collision_count(s->ds)) {
		cJSON_Delete(cur);
		return k8c_error_make(err, K8C_ECONFLICT,
		                      "found a stale collision count (%" PRId64 ", expected %" PRId64
		                      ") of DaemonSet \"%s\" while processing; will retry until it "
		                      "is updated", collision_count(s->ds), cc, s->name);
	}
	status = cJSON_GetObjectItemCaseSensitive(cur, "status");
	if (!cJSON_IsObject(status)) {
		cJSON_DeleteItemFromObjectCaseSensitive(cur, "status");
		status = cJSON_AddObjectToObject(cur, "status");
	}
	cJSON_DeleteItemFromObjectCaseSensitive(status, "collisionCount");
	cJSON_AddNumberToObject(status, "collisionCount", (double)(cc < 0 ? 1 : cc + 1));
	ret = ds_api(s, "PUT", cur, NULL, NULL, err,
	             "/apis/apps/v1/namespaces/%s/daemonsets/%s/status", s->ns, s->name);
	cJSON_Delete(cur);
	if (ret < 0)
		return ret;
	s->ctl->host->log(s->ctl->host->ctx, K8C_LOG_INFO,
	                  "daemonset %s: hash collision on %s, collisionCount bumped", s->key, name);
	return k8c_error_make(err, K8C_EEXIST, "controllerrevisions \"%s\" already exists", name);
}

/* snapshot: a new revision for the current template. */
static int snapshot(ds_sync_t *s, const cJSON *patch, int64_t revision, k8c_error_t *err)
{
	_cleanup_free_ char *hash = ds_compute_hash(k8c_jget(s->ds, "spec.template"),
	                                            collision_count(s->ds));
	_cleanup_free_ char *name = k8c_xasprintf("%s-%s", s->name, hash);
	cJSON *cr = cJSON_CreateObject(), *meta, *labels, *refs, *out = NULL;
	const cJSON *tl = k8c_jget(s->ds, "spec.template.metadata.labels");
	const cJSON *ann = k8c_jget(s->ds, "metadata.annotations");
	int ret;

	cJSON_AddStringToObject(cr, "apiVersion", "apps/v1");
	cJSON_AddStringToObject(cr, "kind", "ControllerRevision");
	meta = cJSON_AddObjectToObject(cr, "metadata");
	cJSON_AddStringToObject(meta, "name", name);
	cJSON_AddStringToObject(meta, "namespace", s->ns);
	labels = cJSON_IsObject(tl) ? cJSON_Duplicate(tl, 1) : cJSON_CreateObject();
	cJSON_DeleteItemFromObjectCaseSensitive(labels, DS_HASH_LABEL);
	cJSON_AddStringToObject(labels, DS_HASH_LABEL, hash);
	cJSON_AddItemToObject(meta, "labels", labels);
	if (cJSON_IsObject(ann))
		cJSON_AddItemToObject(meta, "annotations", cJSON_Duplicate(ann, 1));
	refs = cJSON_AddArrayToObject(meta, "ownerReferences");
	cJSON_AddItemToArray(refs, ds_owner_ref(s));
	cJSON_AddItemToObject(cr, "data", cJSON_Duplicate(patch, 1));
	cJSON_AddNumberToObject(cr, "revision", (double)revision);
	ret = ds_api(s, "POST", cr, NULL, NULL, err,
	             "/apis/apps/v1/namespaces/%s/controllerrevisions", s->ns);
	cJSON_Delete(cr);
	if (ret >= 0) {
		s->hash = K8C_STEAL(hash);
		return 0;
	}
	if (err->code != K8C_EEXIST)
		return ret;
	/* already there: ours from an earlier round, or a collision */
	ret = ds_api(s, "GET", NULL, NULL, &out, err,
	             "/apis/apps/v1/namespaces/%s/controllerrevisions/%s", s->ns, name);
	if (ret < 0)
		return ret;
	if (cJSON_Compare(k8c_jget(out, "data"), patch, 1)) {
		const char *h = k8c_jstr(out, "metadata.labels." DS_HASH_LABEL);

		s->hash = k8c_xstrdup(h != NULL ? h : hash);
		cJSON_Delete(out);
		return 0;
	}
	cJSON_Delete(out);
	return bump_collision(s, name, err);
}

/* Relabel the pods of a duplicate revision with the kept one's hash. */
static int relabel_pods(ds_sync_t *s, const char *from, const char *to, k8c_error_t *err)
{
	for (size_t i = 0; i < s->n_pods; i++) {
		cJSON *patch;
		int ret;

		if (s->pods[i].hash == NULL || strcmp(s->pods[i].hash, from) != 0)
			continue;
		patch = cJSON_CreateObject();
		cJSON_AddStringToObject(
			cJSON_AddObjectToObject(cJSON_AddObjectToObject(patch, "metadata"), "labels"),
			DS_HASH_LABEL, to);
		ret = ds_api(s, "PATCH", patch, K8C_PATCH_MERGE, NULL, err,
		             "/api/v1/namespaces/%s/pods/%s", s->ns, s->pods[i].name);
		cJSON_Delete(patch);
		if (ret < 0 && err->code != K8C_ENOTFOUND)
			return ret;
		free(s->pods[i].hash);
		s->pods[i].hash = k8c_xstrdup(to);
	}
	return 0;
}

static int delete_rev(ds_sync_t *s, const char *name, k8c_error_t *err)
{
	int ret = ds_api(s, "DELETE", NULL, NULL, NULL, err,
	                 "/apis/apps/v1/namespaces/%s/controllerrevisions/%s", s->ns, name);

	return ret < 0 && err->code == K8C_ENOTFOUND ? 0 : ret;
}

/* constructHistory: find or make the current revision, set s->hash and
 * s->old_revs. */
int ds_history_sync(ds_sync_t *s, k8c_error_t *err)
{
	rev_list_t l = {.s = s};
	cJSON *patch = ds_history_patch(s->ds);
	size_t *cur = NULL, n_cur = 0, keep = 0;
	int64_t max_old = 0;
	int ret = 0;

	s->ctl->ch->list(s->ctl->ch->ctx, W_CR, s->ns, NULL, collect_rev, &l);
	cur = k8c_xcalloc(l.n + 1, sizeof(size_t));
	for (size_t i = 0; i < l.n && ret >= 0; i++) {
		ds_rev_t *r = &l.v[i];

		if (r->adopt)
			ret = adopt_rev(s, r, err);
		if (ret >= 0 && r->hash == NULL)
			ret = relabel_rev(s, r, 0, err);
		if (cJSON_Compare(r->data, patch, 1))
			cur[n_cur++] = i;
		else if (r->revision > max_old)
			max_old = r->revision;
	}
	if (ret < 0)
		goto out;
	if (n_cur == 0) {
		ret = snapshot(s, patch, max_old + 1, err);
	} else {
		/* dedupCurHistories: keep the highest revision */
		keep = cur[0];
		for (size_t i = 1; i < n_cur; i++)
			if (l.v[cur[i]].revision > l.v[keep].revision)
				keep = cur[i];
		for (size_t i = 0; i < n_cur && ret >= 0; i++) {
			if (cur[i] == keep)
				continue;
			ret = relabel_pods(s, l.v[cur[i]].hash, l.v[keep].hash, err);
			if (ret >= 0)
				ret = delete_rev(s, l.v[cur[i]].name, err);
		}
		if (ret >= 0 && l.v[keep].revision < max_old + 1)
			ret = relabel_rev(s, &l.v[keep], max_old + 1, err);
		if (ret >= 0)
			s->hash = k8c_xstrdup(l.v[keep].hash);
	}
	if (ret < 0)
		goto out;
	/* the old ones, for cleanup */
	s->old_revs = k8c_xcalloc(l.n + 1, sizeof(ds_rev_t));
	for (size_t i = 0; i < l.n; i++) {
		int is_cur = 0;

		for (size_t j = 0; j < n_cur; j++)
			is_cur |= cur[j] == i;
		if (is_cur)
			continue;
		s->old_revs[s->n_old_revs++] = l.v[i];
		memset(&l.v[i], 0, sizeof(l.v[i]));
	}
out:
	free(cur);
	ds_revs_free(l.v, l.n);
	cJSON_Delete(patch);
	return ret;
}

static int rev_cmp(const void *a, const void *b)
{
	const ds_rev_t *x = a, *y = b;

	return x->revision < y->revision ? -1 : x->revision > y->revision;
}

/* cleanupHistory: the oldest revisions beyond revisionHistoryLimit that no
 * pod uses. */
int ds_history_cleanup(ds_sync_t *s, k8c_error_t *err)
{
	const cJSON *lim = k8c_jget(s->ds, "spec.revisionHistoryLimit");
	int64_t keep = cJSON_IsNumber(lim) ? (int64_t)lim->valuedouble : 10;
	int64_t kill = (int64_t)s->n_old_revs - keep;

	if (kill <= 0)
		return 0;
	if (s->n_old_revs > 1)
		qsort(s->old_revs, s->n_old_revs, sizeof(ds_rev_t), rev_cmp);
	for (size_t i = 0; i < s->n_old_revs && kill > 0; i++) {
		ds_rev_t *r = &s->old_revs[i];
		int live = 0;
		int ret;

		for (size_t j = 0; j < s->n_pods && !live; j++)
			live = r->hash != NULL && s->pods[j].hash != NULL &&
			       strcmp(r->hash, s->pods[j].hash) == 0;
		if (live)
			continue;
		ret = delete_rev(s, r->name, err);
		if (ret < 0)
			return ret;
		kill--;
	}
	return 0;
}
