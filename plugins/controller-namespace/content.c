/* Emptying a Terminating namespace, as kube's namespaced resources
 * deleter: every namespaced resource discovery lists with the delete verb
 * (preferred versions, no subresources) is deleted with deletecollection
 * (or one by one) and propagationPolicy Background; what remains is
 * counted, pods by their termination grace period, objects with
 * finalizers by a default estimate; the namespace's deletion conditions
 * say how it goes. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/client.h>

#include "common/json_path.h"
#include "common/mem.h"
#include "common/timestamp.h"
#include "namespace.h"

/* finalizerEstimateSeconds: objects with finalizers are given this long */
#define FINALIZER_ESTIMATE_S 15

/* --- discovery ----------------------------------------------------------------- */

typedef struct gvr {
	char *group, *version, *resource;
	int deletecollection, list;
} gvr_t;

typedef struct gvrs {
	gvr_t *v;
	size_t n;
} gvrs_t;

static int has_verb(const cJSON *res, const char *verb)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(res, "verbs"))
		if (cJSON_IsString(v) && strcmp(v->valuestring, verb) == 0)
			return 1;
	return 0;
}

static void add_resources(gvrs_t *out, const char *group, const char *version, const cJSON *list)
{
	const cJSON *res;

	cJSON_ArrayForEach(res, cJSON_GetObjectItemCaseSensitive(list, "resources")) {
		const char *name = k8c_jstr(res, "name");
		if (name == NULL || strchr(name, '/') != NULL ||
		    !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "namespaced")) || !has_verb(res, "delete"))
			continue;
		out->v = k8c_xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
		out->v[out->n++] = (gvr_t){k8c_xstrdup(group), k8c_xstrdup(version), k8c_xstrdup(name),
		                           has_verb(res, "deletecollection"), has_verb(res, "list")};
	}
}

static void gvrs_free(gvrs_t *g)
{
	for (size_t i = 0; i < g->n; i++) {
		free(g->v[i].group);
		free(g->v[i].version);
		free(g->v[i].resource);
	}
	free(g->v);
}

/* The deletable namespaced resources (ServerPreferredNamespacedResources).
 * Groups that fail are left out and named in *failed (caller frees, NULL
 * when none failed). */
static void discover(ns_ctl_t *c, gvrs_t *out, char **failed)
{
	_cleanup_json_ cJSON *core = NULL, *groups = NULL;
	const cJSON *g;
	k8c_error_t err;
	char *msg = NULL;
	int n_failed = 0;

	memset(out, 0, sizeof(*out));
	*failed = NULL;
	if (ns_request(c, "GET", "/api/v1", NULL, NULL, &core, &err) == 0)
		add_resources(out, "", "v1", core);
	else {
		msg = k8c_xasprintf("v1: %s", err.message);
		n_failed++;
	}
	if (ns_request(c, "GET", "/apis", NULL, NULL, &groups, &err) < 0) {
		free(msg);
		*failed = k8c_xasprintf("unable to retrieve the complete list of server APIs: %s", err.message);
		return;
	}
	cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(groups, "groups")) {
		const char *gv = k8c_jstr(g, "preferredVersion.groupVersion"), *slash;
		_cleanup_free_ char *path = NULL, *group = NULL;
		_cleanup_json_ cJSON *list = NULL;
		if (gv == NULL || (slash = strchr(gv, '/')) == NULL)
			continue;
		path = k8c_xasprintf("/apis/%s", gv);
		group = k8c_xstrndup(gv, (size_t)(slash - gv));
		if (ns_request(c, "GET", path, NULL, NULL, &list, &err) < 0) {
			char *m = k8c_xasprintf("%s%s%s: %s", msg ? msg : "", msg ? ", " : "", gv, err.message);
			free(msg);
			msg = m;
			n_failed++;
			continue;
		}
		add_resources(out, group, slash + 1, list);
	}
	if (n_failed > 0)
		*failed = k8c_xasprintf("Discovery failed for some groups, %d failing: unable to retrieve the complete list of server APIs: %s",
		                        n_failed, msg);
	free(msg);
}

/* --- one resource --------------------------------------------------------------- */

typedef struct totals {
	cJSON *remaining;  /* object: "resource.group" -> count */
	cJSON *finalizers; /* object: finalizer -> count */
	cJSON *errors;     /* array of messages */
} totals_t;

static char *collection_path(const gvr_t *r, const char *ns)
{
	if (r->group[0] == '\0')
		return k8c_xasprintf("/api/%s/namespaces/%s/%s", r->version, ns, r->resource);
	return k8c_xasprintf("/apis/%s/%s/namespaces/%s/%s", r->group, r->version, ns, r->resource);
}

static void count_up(cJSON *obj, const char *key, int n)
{
	cJSON *x = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (x == NULL)
		cJSON_AddNumberToObject(obj, key, n);
	else
		cJSON_SetNumberValue(x, x->valuedouble + n);
}

/* estimateGracefulTermination: the longest grace period of the pods not
 * finished, unless that long has passed since the namespace was deleted. */
static int64_t pods_estimate(ns_ctl_t *c, const char *path, int64_t deleted_ns)
{
	_cleanup_json_ cJSON *list = NULL;
	const cJSON *pod;
	int64_t est = 0;
	k8c_error_t err;

	if (ns_request(c, "GET", path, NULL, NULL, &list, &err) < 0)
		return 0;
	cJSON_ArrayForEach(pod, cJSON_GetObjectItemCaseSensitive(list, "items")) {
		const char *phase = k8c_jstr(pod, "status.phase") ?: "";
		const cJSON *g = k8c_jget(pod, "spec.terminationGracePeriodSeconds");
		if (strcmp(phase, "Succeeded") == 0 || strcmp(phase, "Failed") == 0 || !cJSON_IsNumber(g))
			continue;
		if ((int64_t)g->valuedouble > est)
			est = (int64_t)g->valuedouble;
	}
	if (c->host->now_ns(c->host->ctx) - deleted_ns >= est * 1000000000LL)
		est = 0;
	return est;
}

static int delete_each(ns_ctl_t *c, const char *path, const cJSON *opts, k8c_error_t *err)
{
	_cleanup_json_ cJSON *list = NULL;
	const cJSON *it;
	int ret = 0;

	if (ns_request(c, "GET", path, NULL, NULL, &list, err) < 0)
		return err->code == K8C_ENOTFOUND ? 0 : -1;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(list, "items")) {
		_cleanup_free_ char *p = k8c_xasprintf("%s/%s", path, k8c_jstr(it, "metadata.name") ?: "");
		k8c_error_t e;
		if (ns_request(c, "DELETE", p, opts, NULL, NULL, &e) < 0 && e.code != K8C_ENOTFOUND) {
			*err = e;
			ret = -1;
		}
	}
	return ret;
}

/* deleteAllContentForGroupVersionResource: the estimate for this
 * resource, or < 0 with err filled. */
static int64_t delete_resource(ns_ctl_t *c, const gvr_t *r, const char *ns, int64_t deleted_ns,
                               totals_t *t, k8c_error_t *err)
{
	_cleanup_free_ char *path = collection_path(r, ns);
	_cleanup_json_ cJSON *opts = cJSON_CreateObject(), *list = NULL;
	int64_t est = 0;
	int n = 0, with_finalizers = 0;
	const cJSON *it, *f;

	if (r->group[0] == '\0' && strcmp(r->resource, "pods") == 0)
		est = pods_estimate(c, path, deleted_ns);
	cJSON_AddStringToObject(opts, "kind", "DeleteOptions");
	cJSON_AddStringToObject(opts, "apiVersion", "v1");
	cJSON_AddStringToObject(opts, "propagationPolicy", "Background");
	if (r->deletecollection) {
		if (ns_request(c, "DELETE", path, opts, NULL, NULL, err) < 0 && err->code != K8C_ENOTFOUND)
			return -1;
	} else if (delete_each(c, path, opts, err) < 0) {
		return -1;
	}
	if (!r->list)
		return est;
	if (ns_request(c, "GET", path, NULL, NULL, &list, err) < 0)
		return err->code == K8C_ENOTFOUND ? est : -1;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(list, "items")) {
		n++;
		cJSON_ArrayForEach(f, k8c_jget(it, "metadata.finalizers")) {
			if (cJSON_IsString(f)) {
				count_up(t->finalizers, f->valuestring, 1);
				with_finalizers = 1;
			}
		}
	}
	if (n == 0)
		return est;
	{
		_cleanup_free_ char *k = k8c_xasprintf("%s.%s", r->resource, r->group);
		count_up(t->remaining, k, n);
	}
	if (est != 0)
		return est;
	if (with_finalizers)
		return FINALIZER_ESTIMATE_S;
	k8c_error_make(err, K8C_EUNAVAIL, "unexpected items still remain in namespace: %s for gvr: %s/%s, Resource=%s",
	               ns, r->group, r->version, r->resource);
	return -1;
}

/* --- conditions ---------------------------------------------------------------- */

enum {
	C_DISCOVERY,
	C_GV_PARSING,
	C_CONTENT_FAILURE,
	C_CONTENT_REMAINING,
	C_FINALIZERS_REMAINING,
	C_N
};

static const char *const cond_types[C_N] = {
	"NamespaceDeletionDiscoveryFailure", "NamespaceDeletionGroupVersionParsingFailure",
	"NamespaceDeletionContentFailure", "NamespaceContentRemaining", "NamespaceFinalizersRemaining",
};
static const char *const ok_reasons[C_N] = {
	"ResourcesDiscovered", "ParsedGroupVersions", "ContentDeleted", "ContentRemoved",
	"ContentHasNoFinalizers",
};
static const char *const ok_messages[C_N] = {
	"All resources successfully discovered", "All legacy kube types successfully parsed",
	"All content successfully deleted, may be waiting on finalization",
	"All content successfully removed", "All content-preserving finalizers finished",
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

enum { JOIN_HAS, JOIN_IN, JOIN_KEY };

/* "prefix" + the sorted items of obj (key -> count) joined with ", ",
 * each "KEY has N resource instances" (JOIN_HAS), "KEY in N resource
 * instances" (JOIN_IN) or "KEY"; NULL when empty. */
static char *joined(const cJSON *obj, const char *prefix, int how)
{
	size_t n = 0, cap = (size_t)cJSON_GetArraySize(obj), len = strlen(prefix) + 1;
	char **items = k8c_xcalloc(cap ? cap : 1, sizeof(*items)), *out;
	const cJSON *x;

	cJSON_ArrayForEach(x, obj) {
		if ((int)x->valuedouble == 0)
			continue;
		items[n] = how == JOIN_KEY ? k8c_xstrdup(x->string)
		           : k8c_xasprintf("%s %s %d resource instances", x->string,
		                           how == JOIN_HAS ? "has" : "in", (int)x->valuedouble);
		len += strlen(items[n]) + 2;
		n++;
	}
	if (n == 0) {
		free(items);
		return NULL;
	}
	if (n > 1)
		qsort(items, n, sizeof(*items), cmp_str);
	out = k8c_xmalloc(len);
	strcpy(out, prefix);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			strcat(out, ", ");
		strcat(out, items[i]);
		free(items[i]);
	}
	free(items);
	return out;
}

/* updateConditions: each of our types set to the failure found or to its
 * "ok" variant; lastTransitionTime moves only when the status does. */
static int update_conditions(ns_ctl_t *c, cJSON *ns, char *const failures[C_N], const char *const reasons[C_N])
{
	cJSON *st = cJSON_GetObjectItemCaseSensitive(ns, "status"), *conds;
	char now[K8C_TIME_STRLEN];
	int changed = 0;

	if (!cJSON_IsObject(st)) {
		cJSON_DeleteItemFromObjectCaseSensitive(ns, "status");
		st = cJSON_AddObjectToObject(ns, "status");
	}
	conds = cJSON_GetObjectItemCaseSensitive(st, "conditions");
	if (!cJSON_IsArray(conds)) {
		cJSON_DeleteItemFromObjectCaseSensitive(st, "conditions");
		conds = cJSON_AddArrayToObject(st, "conditions");
	}
	k8c_time_format(c->host->now_ns(c->host->ctx), now);
	for (int i = 0; i < C_N; i++) {
		const char *status = failures[i] ? "True" : "False";
		const char *reason = failures[i] ? reasons[i] : ok_reasons[i];
		const char *message = failures[i] ? failures[i] : ok_messages[i];
		cJSON *cond = NULL, *x;
		cJSON_ArrayForEach(x, conds) {
			if (strcmp(k8c_jstr(x, "type") ?: "", cond_types[i]) == 0) {
				cond = x;
				break;
			}
		}
		if (cond == NULL) {
			cond = cJSON_CreateObject();
			cJSON_AddStringToObject(cond, "type", cond_types[i]);
			cJSON_AddStringToObject(cond, "status", status);
			cJSON_AddStringToObject(cond, "lastTransitionTime", now);
			cJSON_AddStringToObject(cond, "reason", reason);
			cJSON_AddStringToObject(cond, "message", message);
			cJSON_AddItemToArray(conds, cond);
			changed = 1;
			continue;
		}
		if (strcmp(k8c_jstr(cond, "status") ?: "", status) == 0 &&
		    strcmp(k8c_jstr(cond, "reason") ?: "", reason) == 0 &&
		    strcmp(k8c_jstr(cond, "message") ?: "", message) == 0)
			continue;
		if (strcmp(k8c_jstr(cond, "status") ?: "", status) != 0) {
			cJSON_DeleteItemFromObjectCaseSensitive(cond, "lastTransitionTime");
			cJSON_AddStringToObject(cond, "lastTransitionTime", now);
		}
		cJSON_DeleteItemFromObjectCaseSensitive(cond, "status");
		cJSON_AddStringToObject(cond, "status", status);
		cJSON_DeleteItemFromObjectCaseSensitive(cond, "reason");
		cJSON_AddStringToObject(cond, "reason", reason);
		cJSON_DeleteItemFromObjectCaseSensitive(cond, "message");
		cJSON_AddStringToObject(cond, "message", message);
		changed = 1;
	}
	return changed;
}

/* --- all of it ----------------------------------------------------------------- */

int64_t ns_delete_content(ns_ctl_t *c, cJSON *ns, int *conditions_changed, k8c_error_t *err)
{
	const char *name = k8c_jstr(ns, "metadata.name");
	char *failures[C_N] = {0};
	const char *reasons[C_N] = {"DiscoveryFailed", "GroupVersionParsingFailed", "ContentDeletionFailed",
	                            "SomeResourcesRemain", "SomeFinalizersRemain"};
	totals_t t = {cJSON_CreateObject(), cJSON_CreateObject(), cJSON_CreateArray()};
	int64_t deleted_ns = 0, estimate = 0;
	gvrs_t res;
	k8c_error_t e;
	int ret = 0;

	if (k8c_time_parse(k8c_jstr(ns, "metadata.deletionTimestamp"), &deleted_ns, &e) < 0)
		deleted_ns = c->host->now_ns(c->host->ctx);
	discover(c, &res, &failures[C_DISCOVERY]);
	if (failures[C_DISCOVERY] != NULL) {
		k8c_error_make(err, K8C_EUNAVAIL, "%s", failures[C_DISCOVERY]);
		ret = -1;
	}
	for (size_t i = 0; i < res.n; i++) {
		int64_t est = delete_resource(c, &res.v[i], name, deleted_ns, &t, &e);
		if (est < 0) {
			cJSON_AddItemToArray(t.errors, cJSON_CreateString(e.message));
			*err = e;
			ret = -1;
		} else if (est > estimate) {
			estimate = est;
		}
	}
	gvrs_free(&res);
	failures[C_CONTENT_REMAINING] = joined(t.remaining, "Some resources are remaining: ", JOIN_HAS);
	failures[C_FINALIZERS_REMAINING] =
	    joined(t.finalizers, "Some content in the namespace has finalizers remaining: ", JOIN_IN);
	if (cJSON_GetArraySize(t.errors) > 0) {
		cJSON *counts = cJSON_CreateObject(), *x;
		_cleanup_free_ char *list = NULL;
		cJSON_ArrayForEach(x, t.errors)
			count_up(counts, x->valuestring, 1);
		list = joined(counts, "", JOIN_KEY);
		failures[C_CONTENT_FAILURE] = k8c_xasprintf("Failed to delete all resource types, %d remaining: %s",
		                                            cJSON_GetArraySize(t.errors), list ? list : "");
		cJSON_Delete(counts);
	}
	*conditions_changed = update_conditions(c, ns, failures, reasons);
	for (int i = 0; i < C_N; i++)
		free(failures[i]);
	cJSON_Delete(t.remaining);
	cJSON_Delete(t.finalizers);
	cJSON_Delete(t.errors);
	return ret < 0 ? -1 : estimate;
}
