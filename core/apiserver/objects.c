/* Creating and updating objects: metadata the server owns (uid,
 * creationTimestamp, generation, resourceVersion), generateName, defaults,
 * admission (admission.h), validation, namespaces that must exist, and the
 * spec/status strategy. */
#define K8C_LOG_COMPONENT "apiserver"
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <cjson/cJSON.h>

#include "apiserver/admission.h"
#include "apiserver/kinds/util.h"
#include "apiserver/managed_fields.h"
#include "apiserver/omitempty.h"
#include "apiserver/schema.h"
#include "apiserver/service_alloc.h"
#include "apiserver/objects.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/names.h"
#include "common/timestamp.h"
#include "common/uuid.h"

static void meta_set_str(cJSON *md, const char *field, const char *value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(md, field);
	if (value != NULL)
		cJSON_AddStringToObject(md, field, value);
}

static char *api_version(const k8c_kind_t *kind)
{
	return kind->group[0] ? k8c_xasprintf("%s/%s", kind->group, kind->version)
	                      : k8c_xstrdup(kind->version);
}

/* The random suffix of generateName: 5 characters from Kubernetes'
 * alphabet (no vowels, no look-alikes). */
static void random_suffix(char out[6])
{
	static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
	unsigned char b[5];

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		for (int i = 0; i < 5; i++)
			b[i] = (unsigned char)rand();
	for (int i = 0; i < 5; i++)
		out[i] = alphabet[b[i] % (sizeof(alphabet) - 1)];
	out[5] = '\0';
}

/* apiVersion and kind of the body: filled in when absent (the Python
 * client omits them), 400 when they name something else. */
static int check_type(const k8c_kind_t *kind, cJSON *obj, k8c_api_response_t *resp)
{
	_cleanup_free_ char *av = api_version(kind);
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(obj, "apiVersion");
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(obj, "kind");

	if (cJSON_IsString(a) && a->valuestring[0] && strcmp(a->valuestring, av) != 0) {
		k8c_api_respond_status(resp, 400, "BadRequest", NULL,
		                       "the API version in the data (%s) does not match the expected API version (%s)",
		                       a->valuestring, av);
		return -K8C_EINVAL;
	}
	if (cJSON_IsString(k) && k->valuestring[0] && strcmp(k->valuestring, kind->kind) != 0) {
		k8c_api_respond_status(resp, 400, "BadRequest", NULL,
		                       "the kind in the data (%s) does not match the expected kind (%s)",
		                       k->valuestring, kind->kind);
		return -K8C_EINVAL;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(obj, "apiVersion");
	cJSON_DeleteItemFromObjectCaseSensitive(obj, "kind");
	/* apiVersion and kind first, as Kubernetes writes objects */
	cJSON_InsertItemInArray(obj, 0, cJSON_CreateString(kind->kind));
	obj->child->string = k8c_xstrdup("kind");
	cJSON_InsertItemInArray(obj, 0, cJSON_CreateString(av));
	obj->child->string = k8c_xstrdup("apiVersion");
	return 0;
}

/* Labels as ValidateLabels: each key a qualified name, each value a label
 * value, errors on metadata.labels with the offending key or value. */
static void validate_labels(const cJSON *labels, k8c_field_errors_t *errs)
{
	const cJSON *l;
	char msg[K8C_NAME_MSG_MAX];

	if (labels == NULL || cJSON_IsNull(labels))
		return;
	if (!cJSON_IsObject(labels)) {
		k8c_field_error_add(errs, K8C_FIELD_INVALID, "metadata.labels", NULL, "must be an object");
		return;
	}
	cJSON_ArrayForEach(l, labels) {
		cJSON *key = cJSON_CreateString(l->string);
		if (!k8c_is_qualified_name(l->string, msg, sizeof(msg)))
			k8c_field_error_add(errs, K8C_FIELD_INVALID, "metadata.labels", key, "%s", msg);
		else if (!cJSON_IsString(l))
			k8c_field_error_add(errs, K8C_FIELD_INVALID, "metadata.labels", key,
			                    "label values must be strings");
		else if (!k8c_is_label_value(l->valuestring, msg, sizeof(msg)))
			k8c_field_error_add(errs, K8C_FIELD_INVALID, "metadata.labels", l, "%s", msg);
		cJSON_Delete(key);
	}
}

/* Generic metadata validation: name, labels, annotations. */
static void validate_meta(const k8c_kind_t *kind, const cJSON *obj, k8c_field_errors_t *errs)
{
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	const char *name = k8c_meta_str(obj, "name");
	char msg[K8C_NAME_MSG_MAX];

	if (name == NULL || name[0] == '\0')
		k8c_field_error_add(errs, K8C_FIELD_REQUIRED, "metadata.name", NULL,
		                    "name or generateName is required");
	else if (!kind->validates_name &&
	         (kind->name_valid != NULL ? !kind->name_valid(name, msg, sizeof(msg))
	                                   : !k8c_is_dns1123_subdomain(name, msg, sizeof(msg))))
		k8c_field_error_add(errs, K8C_FIELD_INVALID, "metadata.name",
		                    cJSON_GetObjectItemCaseSensitive(md, "name"), "%s", msg);
	validate_labels(cJSON_GetObjectItemCaseSensitive(md, "labels"), errs);
	if (!k8c_validate_annotations(cJSON_GetObjectItemCaseSensitive(md, "annotations"), msg,
	                              sizeof(msg)))
		k8c_field_error_add(errs, K8C_FIELD_INVALID, "metadata.annotations", NULL, "%s", msg);
}

static int respond_invalid(const k8c_kind_t *kind, const cJSON *obj, k8c_field_errors_t *errs,
                           k8c_api_response_t *resp)
{
	const char *name = k8c_meta_str(obj, "name");

	k8c_api_respond_json(resp, 422, k8c_field_errors_status(errs, kind->group, kind->kind,
	                                                        name ? name : ""));
	k8c_field_errors_free(errs);
	return -K8C_EINVAL;
}

#define NS_CACHE_NS 1000000000LL /* an active namespace is trusted for 1 s */

void k8c_namespace_cache_forget(k8c_apiserver_t *srv, const char *ns)
{
	pthread_mutex_lock(&srv->ns_lock);
	cJSON_DeleteItemFromObjectCaseSensitive(srv->ns_cache, ns);
	srv->ns_gen++;
	pthread_mutex_unlock(&srv->ns_lock);
}

static uint64_t namespace_gen(k8c_apiserver_t *srv)
{
	uint64_t g;

	pthread_mutex_lock(&srv->ns_lock);
	g = srv->ns_gen;
	pthread_mutex_unlock(&srv->ns_lock);
	return g;
}

static int namespace_cached(k8c_apiserver_t *srv, const char *ns)
{
	const cJSON *e;
	int hit;

	pthread_mutex_lock(&srv->ns_lock);
	e = cJSON_GetObjectItemCaseSensitive(srv->ns_cache, ns);
	hit = e != NULL && e->valuedouble > (double)k8c_time_monotonic_ns();
	pthread_mutex_unlock(&srv->ns_lock);
	return hit;
}

/* Remember ns as active, unless a namespace was forgotten since gen was
 * read (the lookup may have seen it before it began terminating). */
static void namespace_remember(k8c_apiserver_t *srv, const char *ns, uint64_t gen)
{
	double until = (double)(k8c_time_monotonic_ns() + NS_CACHE_NS);

	pthread_mutex_lock(&srv->ns_lock);
	if (srv->ns_gen == gen) {
		cJSON_DeleteItemFromObjectCaseSensitive(srv->ns_cache, ns);
		cJSON_AddNumberToObject(srv->ns_cache, ns, until);
	}
	pthread_mutex_unlock(&srv->ns_lock);
}

/* 403 for a create in a Terminating namespace, with the NamespaceTerminating
 * cause, as the NamespaceLifecycle admission plugin answers. */
static void terminating(k8c_api_response_t *resp, const k8c_kind_t *kind, const char *name, const char *ns)
{
	cJSON *d = cJSON_CreateObject(), *causes, *c;

	cJSON_AddStringToObject(d, "name", name);
	if (kind->group[0])
		cJSON_AddStringToObject(d, "group", kind->group);
	cJSON_AddStringToObject(d, "kind", kind->resource);
	causes = cJSON_AddArrayToObject(d, "causes");
	c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "reason", "NamespaceTerminating");
	{
		_cleanup_free_ char *m = k8c_xasprintf("namespace %s is being terminated", ns);
		cJSON_AddStringToObject(c, "message", m);
	}
	cJSON_AddStringToObject(c, "field", "metadata.namespace");
	cJSON_AddItemToArray(causes, c);
	k8c_api_respond_status(resp, 403, "Forbidden", d,
	                       "%s%s%s \"%s\" is forbidden: unable to create new content in namespace %s because it is being terminated",
	                       kind->resource, kind->group[0] ? "." : "", kind->group, name, ns);
}

/* The namespace of a new object must exist and not be terminating (as
 * Kubernetes' NamespaceLifecycle admission, with a short-lived cache of
 * active namespaces in place of its informer). */
static int check_namespace(k8c_apiserver_t *srv, const k8c_kind_t *kind, const char *name,
                           const char *ns, k8c_api_response_t *resp)
{
	const k8c_kind_t *nsk = k8c_kind_by_resource("", "v1", "namespaces");
	_cleanup_json_ cJSON *n = NULL;
	k8c_error_t err;
	uint64_t gen;
	int ret;

	if (namespace_cached(srv, ns))
		return 0;
	gen = namespace_gen(srv);
	ret = k8c_storage_get(srv, nsk, NULL, ns, &n, &err);

	if (ret == -K8C_ENOTFOUND) {
		k8c_respond_error(resp, nsk, ns, ret, &err);
		return ret;
	}
	if (ret < 0) {
		k8c_respond_error(resp, NULL, NULL, ret, &err);
		return ret;
	}
	if (k8c_meta_str(n, "deletionTimestamp") != NULL ||
	    strcmp(k8c_jstr(n, "status.phase") ?: "", "Terminating") == 0) {
		terminating(resp, kind, name, ns);
		return -K8C_EPERM;
	}
	namespace_remember(srv, ns, gen);
	return 0;
}

static int store_new(k8c_apiserver_t *srv, const k8c_kind_t *kind, const char *ns, cJSON *obj,
                     k8c_write_opts_t *o, k8c_api_response_t *resp);

int k8c_object_create_opts(k8c_apiserver_t *srv, const k8c_kind_t *kind, const char *ns,
                           cJSON *obj, k8c_write_opts_t *o, k8c_api_response_t *resp)
{
	k8c_field_errors_t errs = K8C_FIELD_ERRORS_INIT;
	char uid[K8C_UUID_STRLEN], ts[K8C_TIME_STRLEN];
	const char *name, *body_ns;
	_cleanup_free_ char *admit_name = NULL;
	cJSON *md;
	int ret;

	if (!cJSON_IsObject(obj)) {
		k8c_api_respond_status(resp, 400, "BadRequest", NULL, "the body of the request must be a JSON object");
		return -K8C_EINVAL;
	}
	if ((ret = check_type(kind, obj, resp)) < 0)
		return ret;
	md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	if (md == NULL || cJSON_IsNull(md)) {
		cJSON_DeleteItemFromObjectCaseSensitive(obj, "metadata");
		md = cJSON_AddObjectToObject(obj, "metadata");
	}
	if (!cJSON_IsObject(md)) {
		k8c_api_respond_status(resp, 400, "BadRequest", NULL, "metadata must be an object");
		return -K8C_EINVAL;
	}
	body_ns = k8c_meta_str(obj, "namespace");
	if (kind->namespaced) {
		if (ns != NULL && body_ns != NULL && body_ns[0] && strcmp(ns, body_ns) != 0) {
			k8c_api_respond_status(resp, 400, "BadRequest", NULL,
			                       "the namespace of the provided object does not match the namespace sent on the request");
			return -K8C_EINVAL;
		}
		if (ns == NULL)
			ns = body_ns && body_ns[0] ? body_ns : "default";
		meta_set_str(md, "namespace", ns);
	} else {
		cJSON_DeleteItemFromObjectCaseSensitive(md, "namespace");
	}
	if (k8c_meta_str(obj, "resourceVersion") != NULL && k8c_meta_str(obj, "resourceVersion")[0]) {
		k8c_api_respond_status(resp, 400, "BadRequest", NULL,
		                       "resourceVersion should not be set on objects to be created");
		return -K8C_EINVAL;
	}
	name = k8c_meta_str(obj, "name");
	/* admission names the object before its name is generated, as
	 * Kubernetes' extractResourceName does */
	if (name != NULL && name[0] != '\0')
		admit_name = k8c_xstrdup(name);
	else if (k8c_meta_str(obj, "generateName") != NULL && k8c_meta_str(obj, "generateName")[0])
		admit_name = k8c_xstrdup(k8c_meta_str(obj, "generateName"));
	else
		admit_name = k8c_xstrdup("Unknown");
	if ((name == NULL || name[0] == '\0') && k8c_meta_str(obj, "generateName") != NULL &&
	    k8c_meta_str(obj, "generateName")[0]) {
		char suffix[6];
		_cleanup_free_ char *gen = NULL;
		random_suffix(suffix);
		gen = k8c_xasprintf("%.*s%s", 58, k8c_meta_str(obj, "generateName"), suffix);
		meta_set_str(md, "name", gen);
	}
	/* what the server owns */
	k8c_uuid_new(uid);
	meta_set_str(md, "uid", uid);
	meta_set_str(md, "creationTimestamp", k8c_time_format(k8c_time_now_ns(), ts));
	cJSON_DeleteItemFromObjectCaseSensitive(md, "deletionTimestamp");
	cJSON_DeleteItemFromObjectCaseSensitive(md, "deletionGracePeriodSeconds");
	cJSON_DeleteItemFromObjectCaseSensitive(md, "generation");
	if (kind->has_generation)
		cJSON_AddNumberToObject(md, "generation", 1);

	if (kind->defaults)
		kind->defaults(obj);
	if ((ret = k8c_admission_mutate(srv, kind, K8C_OP_CREATE, obj, NULL, admit_name, resp)) < 0)
		return ret;
	if (kind->prepare)
		kind->prepare(K8C_OP_CREATE, obj, NULL);
	if (o == NULL || !o->applying) {
		char buf[64];
		k8c_managed_fields_update(kind, obj, NULL,
		                          k8c_field_manager(o ? o->field_manager : NULL,
		                                            o ? o->user_agent : NULL, buf, sizeof(buf)),
		                          NULL);
	}
	validate_meta(kind, obj, &errs);
	if (kind->validate)
		kind->validate(K8C_OP_CREATE, obj, NULL, &errs);
	if (errs.n > 0)
		return respond_invalid(kind, obj, &errs, resp);
	if ((ret = k8c_admission_validate(srv, kind, K8C_OP_CREATE, obj, resp)) < 0)
		return ret;
	k8c_omit_empty(kind->schema_type ? k8c_schema_type(kind->schema_type) : NULL, obj);
	if (kind->namespaced && (ret = check_namespace(srv, kind, admit_name, ns, resp)) < 0)
		return ret;
	if (kind == k8c_kind_by_resource("", "v1", "services")) {
		/* addresses are chosen and stored under one lock */
		k8c_lock(&srv->svc_lock);
		if (k8c_service_alloc(srv, obj, &errs) < 0) {
			k8c_unlock(&srv->svc_lock);
			return respond_invalid(kind, obj, &errs, resp);
		}
		ret = store_new(srv, kind, ns, obj, o, resp);
		k8c_unlock(&srv->svc_lock);
		return ret;
	}
	return store_new(srv, kind, ns, obj, o, resp);
}

/* The last step of a create: dry run or store. */
static int store_new(k8c_apiserver_t *srv, const k8c_kind_t *kind, const char *ns, cJSON *obj,
                     k8c_write_opts_t *o, k8c_api_response_t *resp)
{
	k8c_error_t err;
	int ret;

	if (o != NULL && o->dry_run) {
		/* everything a real create checks, including that the name is free */
		_cleanup_json_ cJSON *existing = NULL;
		if (k8c_storage_get(srv, kind, ns, k8c_meta_str(obj, "name"), &existing, &err) == 0) {
			k8c_respond_error(resp, kind, k8c_meta_str(obj, "name"), -K8C_EEXIST, &err);
			return -K8C_EEXIST;
		}
		return 0;
	}
	ret = k8c_storage_create_json(srv, kind, obj, o ? &o->stored_json : NULL,
	                              o ? &o->stored_len : NULL, &err);
	if (ret < 0) {
		k8c_respond_error(resp, kind, k8c_meta_str(obj, "name"), ret, &err);
		return ret;
	}
	return 0;
}

int k8c_object_create(k8c_apiserver_t *srv, const k8c_kind_t *kind, const char *ns, cJSON *obj,
                      k8c_error_t *err)
{
	k8c_api_response_t resp = {0};
	int ret = k8c_object_create_opts(srv, kind, ns, obj, NULL, &resp);

	if (ret < 0)
		k8c_error_make(err, -ret, "%.*s", (int)resp.body_len, resp.body ? resp.body : "");
	k8c_api_response_free(&resp);
	return ret;
}


static int skipped(const char *key, const char *const *skip)
{
	for (; *skip != NULL; skip++)
		if (strcmp(key, *skip) == 0)
			return 1;
	return 0;
}

/* Are the members of a and b equal, those named in skip (NULL-terminated)
 * aside? */
static int same_members(const cJSON *a, const cJSON *b, const char *const *skip)
{
	const cJSON *x;
	int na = 0, nb = 0;

	cJSON_ArrayForEach(x, a) {
		if (skipped(x->string, skip))
			continue;
		na++;
		if (!cJSON_Compare(x, cJSON_GetObjectItemCaseSensitive(b, x->string), 1))
			return 0;
	}
	cJSON_ArrayForEach(x, b)
		nb += !skipped(x->string, skip);
	return na == nb;
}

/* Everything of obj but metadata and status: what bumps generation. */
static int spec_changed(const cJSON *a, const cJSON *b)
{
	return !same_members(a, b, (const char *const[]){"metadata", "status", NULL});
}

/* obj and old are equal but for metadata.managedFields (no copies: this
 * runs on every update). */
static int same_but_managed_fields(const cJSON *obj, const cJSON *old)
{
	const cJSON *ma = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	const cJSON *mb = cJSON_GetObjectItemCaseSensitive(old, "metadata");

	if (!same_members(obj, old, (const char *const[]){"metadata", NULL}))
		return 0;
	if (cJSON_IsObject(ma) && cJSON_IsObject(mb))
		return same_members(ma, mb, (const char *const[]){"managedFields", NULL});
	return cJSON_Compare(ma, mb, 1);
}

static void keep_field(cJSON *obj, const cJSON *old, const char *field)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(old, field);

	cJSON_DeleteItemFromObjectCaseSensitive(obj, field);
	if (v != NULL)
		cJSON_AddItemToObject(obj, field, cJSON_Duplicate(v, 1));
}

int k8c_object_update(k8c_apiserver_t *srv, const k8c_kind_t *kind, cJSON *obj,
                      const cJSON *old, int guaranteed, const k8c_write_opts_t *o,
                      k8c_api_response_t *resp)
{
	static const char *const server_owned[] = {"uid", "creationTimestamp", "deletionTimestamp",
	                                           "deletionGracePeriodSeconds", "generation",
	                                           "namespace", "name"};
	k8c_field_errors_t errs = K8C_FIELD_ERRORS_INIT;
	const cJSON *oldmd = cJSON_GetObjectItemCaseSensitive(old, "metadata");
	int64_t old_rv = k8c_storage_rv(old), new_rv;
	int op = o != NULL && o->status ? K8C_OP_STATUS_UPDATE
	         : o != NULL && o->finalize ? K8C_OP_FINALIZE : K8C_OP_UPDATE;
	cJSON *md;
	k8c_error_t err;
	int ret;

	if (!cJSON_IsObject(obj)) {
		k8c_api_respond_status(resp, 400, "BadRequest", NULL, "the body of the request must be a JSON object");
		return -K8C_EINVAL;
	}
	if ((ret = check_type(kind, obj, resp)) < 0)
		return ret;
	md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	if (!cJSON_IsObject(md)) {
		cJSON_DeleteItemFromObjectCaseSensitive(obj, "metadata");
		md = cJSON_AddObjectToObject(obj, "metadata");
	}
	new_rv = k8c_storage_rv(obj);
	if (new_rv < 0 || (new_rv > 0 && new_rv != old_rv)) {
		k8c_error_make(&err, K8C_ECONFLICT,
		               "the object has been modified; please apply your changes to the latest version and try again");
		k8c_respond_error(resp, kind, k8c_meta_str(old, "name"), -K8C_ECONFLICT, &err);
		return -K8C_ECONFLICT;
	}
	if (k8c_meta_str(obj, "uid") != NULL && k8c_meta_str(obj, "uid")[0] &&
	    strcmp(k8c_meta_str(obj, "uid"), k8c_meta_str(old, "uid") ? k8c_meta_str(old, "uid") : "") != 0) {
		k8c_error_make(&err, K8C_ECONFLICT, "Precondition failed: UID in precondition: %s, UID in object meta: %s",
		               k8c_meta_str(obj, "uid"), k8c_meta_str(old, "uid") ? k8c_meta_str(old, "uid") : "");
		k8c_respond_error(resp, kind, k8c_meta_str(old, "name"), -K8C_ECONFLICT, &err);
		return -K8C_ECONFLICT;
	}
	if (o != NULL && o->status) {
		/* status subresource: only .status changes (and the
		 * annotations, for kinds whose status strategy keeps them) */
		_cleanup_json_ cJSON *status = cJSON_DetachItemFromObjectCaseSensitive(obj, "status");
		cJSON *copy = cJSON_Duplicate(old, 1);
		cJSON_DeleteItemFromObjectCaseSensitive(copy, "status");
		if (status != NULL)
			cJSON_AddItemToObject(copy, "status", K8C_STEAL(status));
		if (kind->status_keeps_annotations) {
			cJSON *cmd = cJSON_GetObjectItemCaseSensitive(copy, "metadata");
			cJSON *ann = cJSON_DetachItemFromObjectCaseSensitive(md, "annotations");
			cJSON_DeleteItemFromObjectCaseSensitive(cmd, "annotations");
			if (cJSON_IsObject(cmd) && ann != NULL)
				cJSON_AddItemToObject(cmd, "annotations", ann);
			else
				cJSON_Delete(ann);
		}
		/* swap contents of obj and copy */
		cJSON tmp = *obj;
		obj->child = copy->child;
		copy->child = tmp.child;
		cJSON_Delete(copy);
		md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	} else if (kind->has_status) {
		keep_field(obj, old, "status");
	}
	for (size_t i = 0; i < sizeof(server_owned) / sizeof(server_owned[0]); i++)
		keep_field(md, oldmd, server_owned[i]);
	{
		char rv[32];
		snprintf(rv, sizeof(rv), "%lld", (long long)old_rv);
		meta_set_str(md, "resourceVersion", rv);
	}
	if (kind->defaults)
		kind->defaults(obj);
	if ((ret = k8c_admission_mutate(srv, kind, op, obj, old, k8c_meta_str(old, "name"), resp)) < 0)
		return ret;
	/* generation: bumped when the defaulted spec changed (a prepare hook
	 * may bump it for other reasons, as Deployment annotations do) */
	if (kind->has_generation) {
		long long gen = k8c_jint(old, "metadata.generation", 1);
		if (spec_changed(obj, old))
			gen++;
		cJSON_DeleteItemFromObjectCaseSensitive(md, "generation");
		cJSON_AddNumberToObject(md, "generation", (double)gen);
	}
	if (kind->prepare)
		kind->prepare(op, obj, old);
	if (o == NULL || !o->applying) {
		char buf[64];
		k8c_managed_fields_update(kind, obj, old,
		                          k8c_field_manager(o ? o->field_manager : NULL,
		                                            o ? o->user_agent : NULL, buf, sizeof(buf)),
		                          o != NULL && o->status ? "status" : NULL);
	}
	validate_meta(kind, obj, &errs);
	if (kind->validate)
		kind->validate(op, obj, old, &errs);
	if (errs.n > 0)
		return respond_invalid(kind, obj, &errs, resp);
	if ((ret = k8c_admission_validate(srv, kind, op, obj, resp)) < 0)
		return ret;
	k8c_omit_empty(kind->schema_type ? k8c_schema_type(kind->schema_type) : NULL, obj);
	/* A write that changes nothing (managedFields aside) is not written:
	 * same resourceVersion, no watch event, as Kubernetes. */
	if (same_but_managed_fields(obj, old)) {
		cJSON *copy = cJSON_Duplicate(old, 1);
		cJSON tmp = *obj;
		obj->child = copy->child;
		copy->child = tmp.child;
		cJSON_Delete(copy);
		return 0;
	}
	if (o != NULL && o->dry_run)
		return 0;
	/* An object being deleted goes once its last finalizer is removed
	 * and no graceful deletion runs (ShouldDeleteDuringUpdate; a
	 * namespace also waits for its spec.finalizers). */
	if (k8c_meta_str(old, "deletionTimestamp") != NULL &&
	    k8c_jint(old, "metadata.deletionGracePeriodSeconds", 0) == 0 &&
	    cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(md, "finalizers")) == 0 &&
	    (strcmp(kind->resource, "namespaces") != 0 || kind->group[0] != '\0' ||
	     cJSON_GetArraySize(k8c_jget(obj, "spec.finalizers")) == 0)) {
		ret = k8c_storage_delete(srv, kind, k8c_meta_str(obj, "namespace"), k8c_meta_str(obj, "name"),
		                         old_rv, NULL, &err);
		if (ret < 0) {
			k8c_respond_error(resp, kind, k8c_meta_str(obj, "name"), ret, &err);
			return ret;
		}
		return 0;
	}
	ret = k8c_storage_update(srv, kind, obj, old_rv, &err);
	if (ret < 0) {
		if (ret == -K8C_ECONFLICT && !guaranteed)
			k8c_error_make(&err, K8C_ECONFLICT,
			               "the object has been modified; please apply your changes to the latest version and try again");
		k8c_respond_error(resp, kind, k8c_meta_str(obj, "name"), ret, &err);
		return ret;
	}
	return 0;
}
