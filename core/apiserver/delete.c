/* DELETE of one object and of a collection: preconditions, finalizers,
 * propagation policy, graceful deletion of pods bound to a node, and the
 * cascade of a namespace's contents. */
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
	if (d->propagation != NULL && strcmp(d->propagation, "Background") != 0 &&
	    strcmp(d->propagation, "Foreground") != 0 && strcmp(d->propagation, "Orphan") != 0) {
		k8c_api_respond_status(resp, 422, "Invalid", NULL,
		                       "propagationPolicy: Unsupported value: \"%s\": supported values: \"Foreground\", \"Background\", \"Orphan\"",
		                       d->propagation);
		return -1;
	}
	return 0;
}

static void add_finalizer(cJSON *obj, const char *f)
{
	cJSON *md = k8c_jobject(obj, "metadata");
	cJSON *list = cJSON_GetObjectItemCaseSensitive(md, "finalizers"), *x;

	if (!cJSON_IsArray(list)) {
		cJSON_DeleteItemFromObjectCaseSensitive(md, "finalizers");
		list = cJSON_AddArrayToObject(md, "finalizers");
	}
	cJSON_ArrayForEach(x, list)
		if (cJSON_IsString(x) && strcmp(x->valuestring, f) == 0)
			return;
	cJSON_AddItemToArray(list, cJSON_CreateString(f));
}

/* Mark obj as being deleted (deletionTimestamp now + grace). */
static void mark_deleting(cJSON *obj, long long grace)
{
	cJSON *md = k8c_jobject(obj, "metadata");
	char ts[K8C_TIME_STRLEN];

	if (k8c_jstr(obj, "metadata.deletionTimestamp") == NULL) {
		cJSON_AddStringToObject(md, "deletionTimestamp",
		                        k8c_time_format(k8c_time_now_ns() + grace * 1000000000LL, ts));
	}
	cJSON_DeleteItemFromObjectCaseSensitive(md, "deletionGracePeriodSeconds");
	cJSON_AddNumberToObject(md, "deletionGracePeriodSeconds", (double)grace);
}

static int is_pod(const k8c_kind_t *k)
{
	return k->group[0] == '\0' && strcmp(k->resource, "pods") == 0;
}

static int is_namespace(const k8c_kind_t *k)
{
	return k->group[0] == '\0' && strcmp(k->resource, "namespaces") == 0;
}

/* Delete every object in namespace ns (the namespace is being deleted). */
static void purge_namespace(k8c_apiserver_t *srv, const char *ns)
{
	for (const k8c_kind_t *const *kp = k8c_kinds; *kp != NULL; kp++) {
		_cleanup_free_ char *prefix = NULL, *end = NULL;
		const k8c_kind_t *k = *kp;
		size_t n;
		if (!k->namespaced)
			continue;
		prefix = k8c_storage_key(k, ns, NULL);
		end = k8c_xstrdup(prefix);
		n = strlen(end);
		end[n - 1]++; /* '/' + 1 = '0': the end of the prefix range */
		for (;;) {
			int64_t rev;
			k8c_error_t err;
			_cleanup_json_ cJSON *names = cJSON_CreateArray();
			const cJSON *nm;
			if (k8c_storage_list_names(srv, prefix, end, names, &err) < 0 ||
			    cJSON_GetArraySize(names) == 0)
				break;
			cJSON_ArrayForEach(nm, names)
				k8c_storage_delete(srv, k, ns, nm->valuestring, 0, &rev, &err);
		}
	}
}

/* Delete one object with the options; resp gets the answer. */
static void delete_one(k8c_apiserver_t *srv, const k8c_kind_t *kind, const char *ns, const char *name,
                       const delete_opts_t *d, k8c_api_response_t *resp)
{
	for (int attempt = 0; attempt < DELETE_RETRIES; attempt++) {
		_cleanup_json_ cJSON *old = NULL, *obj = NULL;
		k8c_error_t err;
		long long grace;
		int needs_update = 0, ret;

		ret = k8c_storage_get(srv, kind, ns, name, &old, &err);
		if (ret < 0) {
			k8c_respond_error(resp, kind, name, ret, &err);
			return;
		}
		if (d->pre_uid != NULL && strcmp(d->pre_uid, k8c_jstr(old, "metadata.uid") ?: "") != 0) {
			k8c_error_make(&err, K8C_ECONFLICT, "Precondition failed: UID in precondition: %s, UID in object meta: %s",
			               d->pre_uid, k8c_jstr(old, "metadata.uid") ?: "");
			k8c_respond_error(resp, kind, name, -K8C_ECONFLICT, &err);
			return;
		}
		if (d->pre_rv != NULL && strcmp(d->pre_rv, k8c_jstr(old, "metadata.resourceVersion") ?: "") != 0) {
			k8c_error_make(&err, K8C_ECONFLICT, "Precondition failed: ResourceVersion in precondition: %s, ResourceVersion in object meta: %s",
			               d->pre_rv, k8c_jstr(old, "metadata.resourceVersion") ?: "");
			k8c_respond_error(resp, kind, name, -K8C_ECONFLICT, &err);
			return;
		}
		obj = cJSON_Duplicate(old, 1);
		grace = d->grace;
		if (is_pod(kind)) {
			const char *phase = k8c_jstr(old, "status.phase");
			if (grace < 0)
				grace = k8c_jint(old, "spec.terminationGracePeriodSeconds", 30);
			/* unbound or finished pods go at once (Kubernetes' pod strategy) */
			if (k8c_jstr(old, "spec.nodeName") == NULL ||
			    (phase && (strcmp(phase, "Succeeded") == 0 || strcmp(phase, "Failed") == 0)))
				grace = 0;
			if (grace > 0) {
				long long cur = k8c_jint(old, "metadata.deletionGracePeriodSeconds", -1);
				if (cur < 0 || grace < cur) {
					mark_deleting(obj, grace);
					needs_update = 1;
				} else {
					/* already being deleted gracefully: nothing to shorten */
					k8c_api_respond_json(resp, 200, K8C_STEAL(obj));
					return;
				}
			}
		}
		if (d->propagation != NULL && strcmp(d->propagation, "Orphan") == 0) {
			add_finalizer(obj, "orphan");
			needs_update = 1;
		} else if (d->propagation != NULL && strcmp(d->propagation, "Foreground") == 0) {
			add_finalizer(obj, "foregroundDeletion");
			needs_update = 1;
		}
		if (cJSON_GetArraySize(k8c_jget(obj, "metadata.finalizers")) > 0) {
			if (k8c_jstr(obj, "metadata.deletionTimestamp") == NULL)
				mark_deleting(obj, 0);
			needs_update = 1;
		}
		if (is_namespace(kind) && !d->dry_run) {
			k8c_namespace_cache_forget(srv, name);
			/* Terminating, contents removed, then the namespace itself */
			cJSON *st = k8c_jobject(obj, "status");
			cJSON_DeleteItemFromObjectCaseSensitive(st, "phase");
			cJSON_AddStringToObject(st, "phase", "Terminating");
			mark_deleting(obj, 0);
			if (k8c_storage_update(srv, kind, obj, k8c_storage_rv(old), &err) < 0)
				continue;
			purge_namespace(srv, name);
			needs_update = 0;
			cJSON_Delete(old);
			old = cJSON_Duplicate(obj, 1);
		}
		if (needs_update && !d->dry_run) {
			ret = k8c_storage_update(srv, kind, obj, k8c_storage_rv(old), &err);
			if (ret == -K8C_ECONFLICT)
				continue;
			if (ret < 0) {
				k8c_respond_error(resp, kind, name, ret, &err);
				return;
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
	{
		k8c_error_t err;
		k8c_error_make(&err, K8C_ECONFLICT, "the object kept changing; try again");
		k8c_respond_error(resp, kind, name, -K8C_ECONFLICT, &err);
	}
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
