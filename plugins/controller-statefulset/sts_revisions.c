/* A StatefulSet's ControllerRevisions through the API: list (and adopt
 * orphans), find or create the update revision (a roll back renumbers an
 * older equal revision), and truncate the history to
 * revisionHistoryLimit, as Kubernetes' getStatefulSetRevisions and
 * truncateHistory. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <k8c/client.h>

#include "common/json_path.h"
#include "common/mem.h"
#include "common/selector.h"
#include "sts.h"

typedef struct rev_list {
	const k8c_label_selector_t *sel;
	const char *uid;
	sts_vec_t revs;
} rev_list_t;

static int collect(void *arg, const cJSON *rev)
{
	rev_list_t *l = arg;
	const char *owner = sts_controller_uid(rev);

	if (owner != NULL && strcmp(owner, l->uid) != 0)
		return 0;
	if (k8c_label_selector_matches(l->sel, k8c_jget(rev, "metadata.labels")))
		sts_vec_push_copy(&l->revs, rev);
	return 0;
}

static int request(sts_ctl_t *c, const char *method, const char *path, const cJSON *body,
                   const char *ctype, cJSON **out, k8c_error_t *err)
{
	if (c->host->client == NULL)
		return k8c_error_make(err, K8C_EUNAVAIL, "no API client");
	return c->host->client->request(c->host->client_ctx, method, path, body, ctype, out, err);
}

static char *rev_path(const cJSON *set, const char *name)
{
	const char *ns = k8c_jstr(set, "metadata.namespace") ?: "default";

	return name ? k8c_xasprintf("/apis/apps/v1/namespaces/%s/controllerrevisions/%s", ns, name)
	            : k8c_xasprintf("/apis/apps/v1/namespaces/%s/controllerrevisions", ns);
}

/* adoptOrphanRevisions: the set becomes the controller of rev. */
static int adopt(sts_ctl_t *c, const cJSON *set, cJSON *rev, k8c_error_t *err)
{
	_cleanup_json_ cJSON *patch = cJSON_CreateObject();
	_cleanup_free_ char *path = rev_path(set, k8c_jstr(rev, "metadata.name"));
	cJSON *md = cJSON_AddObjectToObject(patch, "metadata"), *refs;
	const cJSON *old = k8c_jget(rev, "metadata.ownerReferences");

	refs = cJSON_IsArray(old) ? cJSON_Duplicate(old, 1) : cJSON_CreateArray();
	cJSON_AddItemToArray(refs, sts_controller_ref(set));
	cJSON_AddItemToObject(md, "ownerReferences", refs);
	cJSON_AddStringToObject(md, "uid", k8c_jstr(rev, "metadata.uid") ?: "");
	int ret = request(c, "PATCH", path, patch, K8C_PATCH_MERGE, NULL, err);

	if (ret < 0)
		return ret;
	sts_jset((cJSON *)k8c_jget(rev, "metadata"), "ownerReferences", cJSON_Duplicate(refs, 1));
	return 0;
}

/* CreateControllerRevision: a name taken by other data raises the
 * collision count and tries the next name. */
static int create_revision(sts_ctl_t *c, const cJSON *set, long long number, int32_t *collision,
                           cJSON **out, k8c_error_t *err)
{
	_cleanup_free_ char *path = rev_path(set, NULL);

	for (int tries = 0; tries < 100; tries++) {
		_cleanup_json_ cJSON *rev = sts_revision_new(set, number, *collision);
		k8c_error_t e;

		if (request(c, "POST", path, rev, NULL, out, &e) >= 0)
			return 0;
		if (e.code != K8C_EEXIST)
			return k8c_error_make(err, e.code, "create revision: %s", e.message);
		_cleanup_free_ char *get = rev_path(set, k8c_jstr(rev, "metadata.name"));
		_cleanup_json_ cJSON *have = NULL;
		if (request(c, "GET", get, NULL, NULL, &have, &e) < 0)
			return k8c_error_make(err, e.code, "get revision: %s", e.message);
		if (sts_revision_equal(have, rev)) {
			*out = K8C_STEAL(have);
			return 0;
		}
		(*collision)++;
	}
	return k8c_error_make(err, K8C_ECONFLICT, "no free revision name");
}

/* UpdateControllerRevision: give an older revision the newest number. */
static int renumber(sts_ctl_t *c, const cJSON *set, const cJSON *rev, long long number, cJSON **out,
                    k8c_error_t *err)
{
	_cleanup_free_ char *path = rev_path(set, k8c_jstr(rev, "metadata.name"));
	_cleanup_json_ cJSON *body = cJSON_Duplicate(rev, 1);

	for (int attempt = 0; attempt < 5; attempt++) {
		k8c_error_t e;
		sts_jset(body, "apiVersion", cJSON_CreateString("apps/v1"));
		sts_jset(body, "kind", cJSON_CreateString("ControllerRevision"));
		sts_jset(body, "revision", cJSON_CreateNumber((double)number));
		if (request(c, "PUT", path, body, NULL, out, &e) >= 0)
			return 0;
		if (e.code != K8C_ECONFLICT)
			return k8c_error_make(err, e.code, "update revision: %s", e.message);
		cJSON_Delete(body);
		body = NULL;
		if (request(c, "GET", path, NULL, NULL, &body, &e) < 0)
			return k8c_error_make(err, e.code, "get revision: %s", e.message);
	}
	return k8c_error_make(err, K8C_ECONFLICT, "update revision: conflicts");
}

/* On failure h is left empty (nothing to free). */
int sts_history_load(sts_ctl_t *c, const cJSON *set, const k8c_label_selector_t *sel,
                     sts_history_t *h, k8c_error_t *err)
{
	rev_list_t l = {.sel = sel, .uid = k8c_jstr(set, "metadata.uid") ?: ""};
	const char *cur_name = k8c_jstr(set, "status.currentRevision");
	long long next = 1;
	size_t n_equal = 0, last_equal = 0;
	_cleanup_json_ cJSON *want = NULL;
	int ret;

	memset(h, 0, sizeof(*h));
	h->collision = (int32_t)sts_jint(set, "status.collisionCount", 0);
	c->ch->list(c->ch->ctx, STS_W_REVS, k8c_jstr(set, "metadata.namespace"), NULL, collect, &l);
	h->revs = l.revs.v;
	h->n = l.revs.n;
	for (size_t i = 0; i < h->n; i++)
		if (sts_controller_uid(h->revs[i]) == NULL && !sts_is_terminating(set) &&
		    (ret = adopt(c, set, h->revs[i], err)) < 0)
			goto fail;
	sts_revisions_sort(h->revs, h->n);
	if (h->n > 0)
		next = sts_jint(h->revs[h->n - 1], "revision", 0) + 1;

	want = sts_revision_new(set, next, h->collision);
	for (size_t i = 0; i < h->n; i++)
		if (sts_revision_equal(h->revs[i], want)) {
			n_equal++;
			last_equal = i;
		}
	if (n_equal > 0 && last_equal == h->n - 1) {
		h->update = cJSON_Duplicate(h->revs[h->n - 1], 1);
	} else if (n_equal > 0) {
		if ((ret = renumber(c, set, h->revs[last_equal], next, &h->update, err)) < 0)
			goto fail;
	} else if ((ret = create_revision(c, set, next, &h->collision, &h->update, err)) < 0) {
		goto fail;
	}
	for (size_t i = 0; cur_name != NULL && i < h->n; i++)
		if (strcmp(k8c_jstr(h->revs[i], "metadata.name") ?: "", cur_name) == 0) {
			h->current = cJSON_Duplicate(h->revs[i], 1);
			break;
		}
	if (h->current == NULL)
		h->current = cJSON_Duplicate(h->update, 1);
	return 0;
fail:
	/* the caller frees h only when this succeeds */
	sts_history_free(h);
	return ret;
}

int sts_history_truncate(sts_ctl_t *c, const cJSON *set, const sts_history_t *h, cJSON *const *pods,
                         size_t n_pods, k8c_error_t *err)
{
	const char *cur = k8c_jstr(h->current, "metadata.name") ?: "";
	const char *upd = k8c_jstr(h->update, "metadata.name") ?: "";
	long long limit = sts_jint(set, "spec.revisionHistoryLimit", 10);
	size_t n_hist = 0, *hist = k8c_xcalloc(h->n + 1, sizeof(*hist));
	int ret = 0;

	for (size_t i = 0; i < h->n; i++) {
		const char *name = k8c_jstr(h->revs[i], "metadata.name") ?: "";
		int live = strcmp(name, cur) == 0 || strcmp(name, upd) == 0;
		for (size_t j = 0; !live && j < n_pods; j++)
			live = pods[j] != NULL && strcmp(sts_pod_revision(pods[j]), name) == 0;
		if (!live)
			hist[n_hist++] = i;
	}
	if (limit < 0)
		n_hist = 0; /* a negative limit (accepted by 1.32's validation) keeps all */
	for (size_t k = 0; (long long)n_hist > limit && k < n_hist - (size_t)limit; k++) {
		_cleanup_free_ char *path =
		    rev_path(set, k8c_jstr(h->revs[hist[k]], "metadata.name"));
		k8c_error_t e;
		if (request(c, "DELETE", path, NULL, NULL, NULL, &e) < 0 &&
		    e.code != K8C_ENOTFOUND) {
			ret = k8c_error_make(err, e.code, "delete revision: %s", e.message);
			break;
		}
	}
	free(hist);
	return ret;
}

void sts_history_free(sts_history_t *h)
{
	for (size_t i = 0; i < h->n; i++)
		cJSON_Delete(h->revs[i]);
	free(h->revs);
	cJSON_Delete(h->current);
	cJSON_Delete(h->update);
	memset(h, 0, sizeof(*h));
}
