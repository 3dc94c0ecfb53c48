/* DELETE of one object and of a collection: preconditions, the garbage
 * collector's finalizers (orphan, foregroundDeletion) from the propagation
 * policy, graceful deletion of pods bound to a node, and namespaces that
 * become Terminating (the namespace controller empties them). */
#define K8C_LOG_COMPONENT "apiserver"
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/kinds/util.h"
#include "apiserver/objects.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/selector.h"
#include "common/timestamp.h"

#define DELETE_RETRIES 5

typedef struct delete_opts {
	long long grace;            /* -1: the object's own */
	const char *propagation;    /* "Background", "Foreground", "Orphan" or NULL */
	int orphan_dependents;      /* the deprecated orphanDependents: 0, 1, or -1 when absent */
	const char *pre_uid;
	const char *pre_rv;
	int dry_run;
	cJSON *body;                /* owned DeleteOptions, or NULL */
} delete_opts_t;

static int parse_opts(const k8c_api_request_t *req, delete_opts_t *d, k8c_api_response_t *resp)
{
	const char *g = k8c_api_param(req, "gracePeriodSeconds");
	const char *dry = k8c_api_param(req, "dryRun");

	memset(d, 0, sizeof(*d));
	d->grace = -1;
	d->orphan_dependents = -1;
	if (req->body_len > 0) {
		d->body = cJSON_ParseWithLength(req->body, req->body_len);
		if (!cJSON_IsObject(d->body)) {
			cJSON_Delete(d->body);
			d->body = NULL;
			k8c_api_respond_status(resp, 400, "BadRequest", NULL, "the DeleteOptions body is not a JSON object");
			return -1;
		}
		if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(d->body, "gracePeriodSeconds")))
			d->grace = k8c_jint(d->body, "gracePeriodSeconds", -1);
		d->propagation = k8c_jstr(d->body, "propagationPolicy");
		if (cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(d->body, "orphanDependents")))
			d->orphan_dependents = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d->body, "orphanDependents"));
		d->pre_uid = k8c_jstr(d->body, "preconditions.uid");
		d->pre_rv = k8c_jstr(d->body, "preconditions.resourceVersion");
		if (cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(d->body, "dryRun")) &&
		    cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(d->body, "dryRun")) > 0)
			d->dry_run = 1;
	}
	if (g != NULL)
		d->grace = atoll(g);
	if (k8c_api_param(req, "propagationPolicy") != NULL)
		d->propagation = k8c_api_param(req, "propagationPolicy");
	if (dry != NULL && strcmp(dry, "All") == 0)
		d->dry_run = 1;
	if (k8c_api_param(req, "orphanDependents") != NULL)
		d->orphan_dependents = strcmp(k8c_api_param(req, "orphanDependents"), "true") == 0;
	if (d->orphan_dependents >= 0 && d->propagation != NULL) {
		k8c_api_respond_status(resp, 422, "Invalid", NULL,
		                       "propagationPolicy: Invalid value: \"%s\": orphanDependents and deletionPropagation cannot be both set",
		                       d->propagation);
		cJSON_Delete(d->body);
		d->body = NULL;
		return -1;
	}
	if (d->propagation != NULL && strcmp(d->propagation, "Background") != 0 &&
	    strcmp(d->propagation, "Foreground") != 0 && strcmp(d->propagation, "Orphan") != 0) {
		k8c_api_respond_status(resp, 422, "Invalid", NULL,
		                       "propagationPolicy: Unsupported value: \"%s\": supported values: \"Foreground\", \"Background\", \"Orphan\"",
		                       d->propagation);
		cJSON_Delete(d->body);
		d->body = NULL;
		return -1;
	}
	return 0;
}

/* Set metadata.deletionTimestamp (ts_ns) and deletionGracePeriodSeconds;
 * the generation of an object not yet being deleted goes up, as
 * Kubernetes' BeforeDelete and markAsDeleting do. */
static void set_deleting(cJSON *obj, int64_t ts_ns, long long grace)
{
	cJSON *md = k8c_jobject(obj, "metadata");
	char ts[K8C_TIME_STRLEN];

	if (k8c_jstr(obj, "metadata.deletionTimestamp") == NULL && k8c_jint(obj, "metadata.generation", 0) > 0) {
		long long gen = k8c_jint(obj, "metadata.generation", 0);
		cJSON_DeleteItemFromObjectCaseSensitive(md, "generation");
		cJSON_AddNumberToObject(md, "generation", (double)(gen + 1));
	}
	cJSON_DeleteItemFromObjectCaseSensitive(md, "deletionTimestamp");
	cJSON_AddStringToObject(md, "deletionTimestamp", k8c_time_format(ts_ns, ts));
	cJSON_DeleteItemFromObjectCaseSensitive(md, "deletionGracePeriodSeconds");
	cJSON_AddNumberToObject(md, "deletionGracePeriodSeconds", (double)grace);
}

/* markAsDeleting: an object that waits for finalizers is deleting from
 * now (or from its earlier timestamp) with a grace period of 0. */
static void mark_deleting(cJSON *obj)
{
	const char *cur = k8c_jstr(obj, "metadata.deletionTimestamp");
	int64_t now = k8c_time_now_ns(), ts = now;
	k8c_error_t err;

	if (cur != NULL && k8c_time_parse(cur, &ts, &err) == 0 && ts <= now)
		now = ts;
	set_deleting(obj, now, 0);
}

static int is_pod(const k8c_kind_t *k)
{
	return k->group[0] == '\0' && strcmp(k->resource, "pods") == 0;
}

static int is_namespace(const k8c_kind_t *k)
{
	return k->group[0] == '\0' && strcmp(k->resource, "namespaces") == 0;
}

static int has_finalizer(const cJSON *obj, const char *f)
{
	const cJSON *x;

	cJSON_ArrayForEach(x, k8c_jget(obj, "metadata.finalizers"))
		if (cJSON_IsString(x) && strcmp(x->valuestring, f) == 0)
			return 1;
	return 0;
}

static int n_finalizers(const cJSON *obj)
{
	const cJSON *f = k8c_jget(obj, "metadata.finalizers");

	return cJSON_IsArray(f) ? cJSON_GetArraySize(f) : 0;
}

/* Should the object carry the orphan / foregroundDeletion finalizer after
 * this DELETE (Kubernetes' shouldOrphanDependents and
 * shouldDeleteDependents: the options decide, else the finalizers it has;
 * the default policy of every served kind is to delete dependents). */
static void gc_wanted(const cJSON *obj, const delete_opts_t *d, int *orphan, int *foreground)
{
	const cJSON *x;

	*orphan = *foreground = 0;
	if (d->orphan_dependents >= 0) {
		*orphan = d->orphan_dependents;
		return;
	}
	if (d->propagation != NULL) {
		*orphan = strcmp(d->propagation, "Orphan") == 0;
		*foreground = strcmp(d->propagation, "Foreground") == 0;
		return;
	}
	cJSON_ArrayForEach(x, k8c_jget(obj, "metadata.finalizers")) {
		if (!cJSON_IsString(x))
			continue;
		if (strcmp(x->valuestring, "orphan") == 0) {
			*orphan = 1;
			break;
		}
		if (strcmp(x->valuestring, "foregroundDeletion") == 0)
			break;
	}
	*foreground = has_finalizer(obj, "foregroundDeletion");
}

/* Put the GC finalizers the options ask for on obj (deletionFinalizers-
 * ForGarbageCollection); 1 when the set of finalizers changed. */
static int gc_finalizers(cJSON *obj, const delete_opts_t *d)
{
	int orphan, foreground, had_orphan = has_finalizer(obj, "orphan"),
	    had_fg = has_finalizer(obj, "foregroundDeletion");
	cJSON *md = k8c_jobject(obj, "metadata"), *list, *x, *next;

	gc_wanted(obj, d, &orphan, &foreground);
	if (orphan == had_orphan && foreground == had_fg)
		return 0;
	list = cJSON_GetObjectItemCaseSensitive(md, "finalizers");
	if (!cJSON_IsArray(list)) {
		cJSON_DeleteItemFromObjectCaseSensitive(md, "finalizers");
		list = cJSON_AddArrayToObject(md, "finalizers");
	}
	for (x = list->child; x != NULL; x = next) {
		next = x->next;
		if (cJSON_IsString(x) && (strcmp(x->valuestring, "orphan") == 0 ||
		                          strcmp(x->valuestring, "foregroundDeletion") == 0))
			cJSON_Delete(cJSON_DetachItemViaPointer(list, x));
	}
	if (orphan)
		cJSON_AddItemToArray(list, cJSON_CreateString("orphan"));
	if (foreground)
		cJSON_AddItemToArray(list, cJSON_CreateString("foregroundDeletion"));
	if (cJSON_GetArraySize(list) == 0)
		cJSON_DeleteItemFromObjectCaseSensitive(md, "finalizers");
	return 1;
}

enum { GRACE_NONE, GRACE_NOW, GRACE_PENDING };

/* BeforeDelete with the pod strategy's CheckGracefulDelete: GRACE_NOW
 * when obj was marked for a graceful deletion (*grace its period, 0 for
 * pods that go at once), GRACE_PENDING when a graceful deletion is already
 * running and this DELETE does not shorten it, GRACE_NONE for kinds
 * without graceful deletion and for objects already deleting with a grace
 * period of 0. */
static int before_delete(const k8c_kind_t *kind, cJSON *obj, const delete_opts_t *d, long long *grace)
{
	const char *ts = k8c_jstr(obj, "metadata.deletionTimestamp"), *phase;
	long long want = d->grace < 0 && d->grace != -1 ? 1 : d->grace; /* negative: 1 s */

	*grace = 0;
	if (!is_pod(kind))
		return GRACE_NONE;
	if (ts != NULL) {
		long long cur = k8c_jint(obj, "metadata.deletionGracePeriodSeconds", 0);
		int64_t when;
		k8c_error_t err;
		if (cur <= 0)
			return GRACE_NONE;
		if (want < 0 || want >= cur)
			return GRACE_PENDING;
		if (k8c_time_parse(ts, &when, &err) < 0)
			when = k8c_time_now_ns() + cur * 1000000000LL;
		*grace = want;
		set_deleting(obj, when - (cur - want) * 1000000000LL, want);
		return GRACE_NOW;
	}
	phase = k8c_jstr(obj, "status.phase");
	*grace = want >= 0 ? want : k8c_jint(obj, "spec.terminationGracePeriodSeconds", 30);
	/* unbound or finished pods go at once (Kubernetes' pod strategy) */
	if (k8c_jstr(obj, "spec.nodeName") == NULL || (k8c_jstr(obj, "spec.nodeName"))[0] == '\0' ||
	    (phase && (strcmp(phase, "Succeeded") == 0 || strcmp(phase, "Failed") == 0)))
		*grace = 0;
	set_deleting(obj, k8c_time_now_ns() + *grace * 1000000000LL, *grace);
	return GRACE_NOW;
}

static void respond_conflict_loop(k8c_api_response_t *resp, const k8c_kind_t *kind, const char *name)
{
	k8c_error_t err;

	k8c_error_make(&err, K8C_ECONFLICT, "the object kept changing; try again");
	k8c_respond_error(resp, kind, name, -K8C_ECONFLICT, &err);
}

/* Check the DeleteOptions preconditions against old; 0 or -1 with resp filled. */
static int check_preconditions(const k8c_kind_t *kind, const char *name, const cJSON *old,
                               const delete_opts_t *d, k8c_api_response_t *resp)
{
	k8c_error_t err;

	if (d->pre_uid != NULL && strcmp(d->pre_uid, k8c_jstr(old, "metadata.uid") ?: "") != 0) {
		k8c_error_make(&err, K8C_ECONFLICT, "Precondition failed: UID in precondition: %s, UID in object meta: %s",
		               d->pre_uid, k8c_jstr(old, "metadata.uid") ?: "");
		k8c_respond_error(resp, kind, name, -K8C_ECONFLICT, &err);
		return -1;
	}
	if (d->pre_rv != NULL && strcmp(d->pre_rv, k8c_jstr(old, "metadata.resourceVersion") ?: "") != 0) {
		k8c_error_make(&err, K8C_ECONFLICT, "Precondition failed: ResourceVersion in precondition: %s, ResourceVersion in object meta: %s",
		               d->pre_rv, k8c_jstr(old, "metadata.resourceVersion") ?: "");
		k8c_respond_error(resp, kind, name, -K8C_ECONFLICT, &err);
		return -1;
	}
	return 0;
}

/* The first DELETE of a namespace only marks it Terminating (with the GC
 * finalizers the options ask for): the namespace controller empties it and
 * removes the "kubernetes" finalizer through namespaces/NAME/finalize,
 * after which the API server deletes it.  Returns 1 when it answered. */
static int namespace_terminate(k8c_apiserver_t *srv, const k8c_kind_t *kind, const char *name,
                               const cJSON *old, const delete_opts_t *d, int *retry,
                               k8c_api_response_t *resp)
{
	_cleanup_json_ cJSON *obj = NULL;
	const cJSON *spec_f = k8c_jget(old, "spec.finalizers");
	k8c_error_t err;
	int ret;

	*retry = 0;
	if (k8c_jstr(old, "metadata.deletionTimestamp") != NULL) {
		if (cJSON_GetArraySize(spec_f) == 0)
			return 0; /* finalized: the generic deletion */
		k8c_api_respond_json(resp, 200, cJSON_Duplicate(old, 1));
		return 1;
	}
	obj = cJSON_Duplicate(old, 1);
	{
		char ts[K8C_TIME_STRLEN];
		cJSON *md = k8c_jobject(obj, "metadata"), *st = k8c_jobject(obj, "status");
		cJSON_AddStringToObject(md, "deletionTimestamp", k8c_time_format(k8c_time_now_ns(), ts));
		cJSON_DeleteItemFromObjectCaseSensitive(st, "phase");
		cJSON_AddStringToObject(st, "phase", "Terminating");
	}
	gc_finalizers(obj, d);
	if (!d->dry_run) {
		k8c_namespace_cache_forget(srv, name);
		ret = k8c_storage_update(srv, kind, obj, k8c_storage_rv(old), &err);
		k8c_namespace_cache_forget(srv, name); /* and lookups that raced the update */
		if (ret == -K8C_ECONFLICT) {
			*retry = 1;
			return 1;
		}
		if (ret < 0) {
			k8c_respond_error(resp, kind, name, ret, &err);
			return 1;
		}
	}
	k8c_api_respond_json(resp, 200, K8C_STEAL(obj));
	return 1;
}

/* Delete one object with the options; resp gets the answer.  As
 * Kubernetes' generic registry: a graceful deletion or pending finalizers
 * only mark the object (deletionTimestamp), otherwise it goes now. */
static void delete_one(k8c_apiserver_t *srv, const k8c_kind_t *kind, const char *ns, const char *name,
                       const delete_opts_t *d, k8c_api_response_t *resp)
{
	for (int attempt = 0; attempt < DELETE_RETRIES; attempt++) {
		_cleanup_json_ cJSON *old = NULL, *obj = NULL;
		k8c_error_t err;
		long long grace = 0;
		int graceful, ret, retry;

		ret = k8c_storage_get(srv, kind, ns, name, &old, &err);
		if (ret < 0) {
			k8c_respond_error(resp, kind, name, ret, &err);
			return;
		}
		if (check_preconditions(kind, name, old, d, resp) < 0)
			return;
		if (is_namespace(kind) && namespace_terminate(srv, kind, name, old, d, &retry, resp)) {
			if (retry)
				continue;
			return;
		}
		obj = cJSON_Duplicate(old, 1);
		graceful = before_delete(kind, obj, d, &grace);
		if (graceful == GRACE_PENDING) {
			/* finalizers cannot change while a graceful deletion runs */
			k8c_api_respond_json(resp, 200, K8C_STEAL(obj));
			return;
		}
		gc_finalizers(obj, d);
		if (n_finalizers(obj) > 0 || (graceful == GRACE_NOW && grace > 0)) {
			/* marked, not deleted: finalizers pending or a grace period */
			if (graceful == GRACE_NONE)
				mark_deleting(obj);
			if (!d->dry_run && !cJSON_Compare(obj, old, 1)) {
				ret = k8c_storage_update(srv, kind, obj, k8c_storage_rv(old), &err);
				if (ret == -K8C_ECONFLICT)
					continue;
				if (ret < 0) {
					k8c_respond_error(resp, kind, name, ret, &err);
					return;
				}
			}
			k8c_api_respond_json(resp, 200, K8C_STEAL(obj));
			return;
		}
		if (!d->dry_run) {
			int64_t rev;
			ret = k8c_storage_delete(srv, kind, ns, name, k8c_storage_rv(old), &rev, &err);
			if (ret == -K8C_ECONFLICT)
				continue;
			if (ret < 0) {
				k8c_respond_error(resp, kind, name, ret, &err);
				return;
			}
		}
		k8c_api_respond_json(resp, 200, K8C_STEAL(obj));
		return;
	}
	respond_conflict_loop(resp, kind, name);
}

void k8c_handle_delete(k8c_apiserver_t *srv, const k8c_api_request_t *req, const k8c_route_t *r,
                       k8c_api_response_t *resp)
{
	delete_opts_t d;
	const char *why;

	if (parse_opts(req, &d, resp) < 0)
		return;
	/* objects the kind keeps (system PriorityClasses); deletecollection
	 * does not ask, as in Kubernetes */
	if (r->kind->delete_forbidden != NULL && (why = r->kind->delete_forbidden(r->name)) != NULL)
		k8c_respond_forbidden(resp, r->kind, r->name, "%s", why);
	else
		delete_one(srv, r->kind, r->ns, r->name, &d, resp);
	cJSON_Delete(d.body);
}

void k8c_handle_delete_collection(k8c_apiserver_t *srv, const k8c_api_request_t *req,
                                  const k8c_route_t *r, k8c_api_response_t *resp)
{
	_cleanup_json_ cJSON *items = NULL;
	delete_opts_t d;
	const cJSON *o;

	if (parse_opts(req, &d, resp) < 0)
		return;
	items = k8c_list_matching(srv, req, r, resp);
	if (items != NULL) {
		cJSON *deleted = cJSON_CreateArray();
		cJSON_ArrayForEach(o, items) {
			k8c_api_response_t one = {0};
			delete_one(srv, r->kind, k8c_jstr(o, "metadata.namespace"), k8c_jstr(o, "metadata.name"),
			           &d, &one);
			if (one.code == 200) {
				cJSON *x = cJSON_ParseWithLength(one.body, one.body_len);
				if (x != NULL)
					cJSON_AddItemToArray(deleted, x);
			}
			k8c_api_response_free(&one);
		}
		k8c_api_respond_json(resp, 200, k8c_make_list(r->kind, deleted, 0, NULL));
	}
	cJSON_Delete(d.body);
}
