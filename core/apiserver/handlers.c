/* Handlers of single objects and collections: create, get, update, patch,
 * delete, and the subresources status, scale, binding, log, eviction. */
#define K8C_LOG_COMPONENT "apiserver"
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/apply.h"
#include "apiserver/kinds/util.h"
#include "apiserver/objects.h"
#include "apiserver/patch.h"
#include "apiserver/protobuf.h"
#include "apiserver/schema.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/yaml_json.h"

#define UPDATE_RETRIES 5

static void write_opts(const k8c_api_request_t *req, k8c_write_opts_t *o)
{
	const char *dry = k8c_api_param(req, "dryRun");
	const char *fv = k8c_api_param(req, "fieldValidation");

	memset(o, 0, sizeof(*o));
	o->dry_run = dry != NULL && strcmp(dry, "All") == 0;
	o->field_manager = k8c_api_param(req, "fieldManager");
	o->strict = fv != NULL && strcmp(fv, "Strict") == 0;
	o->user_agent = req->user_agent;
}

/* Decode the request body (JSON, YAML for application/yaml and apply
 * patches, Kubernetes protobuf as kind's schema type).  NULL with resp
 * filled on failure. */
static cJSON *decode_body(const k8c_api_request_t *req, const k8c_kind_t *kind,
                          k8c_api_response_t *resp)
{
	const char *ct = req->content_type ? req->content_type : "application/json";
	size_t pblen = strlen(K8C_PROTOBUF_CONTENT_TYPE);
	cJSON *obj = NULL;
	k8c_error_t err;

	if (strncmp(ct, K8C_PROTOBUF_CONTENT_TYPE, pblen) == 0 &&
	    (ct[pblen] == '\0' || ct[pblen] == ';' || ct[pblen] == ' ') && kind != NULL &&
	    kind->schema_type != NULL) {
		if (k8c_protobuf_decode(req->body, req->body_len, kind->schema_type, &obj, &err) < 0) {
			k8c_api_respond_status(resp, 400, "BadRequest", NULL, "%s", err.message);
			return NULL;
		}
		return obj;
	}
	if (strstr(ct, "protobuf") != NULL || strstr(ct, "cbor") != NULL) {
		k8c_api_respond_status(resp, 415, "UnsupportedMediaType", NULL,
		                       "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml");
		return NULL;
	}
	if (strstr(ct, "yaml") != NULL) {
		if (k8c_yaml_parse(req->body, req->body_len, &obj, &err) < 0) {
			k8c_api_respond_status(resp, 400, "BadRequest", NULL, "the body is not valid YAML: %s",
			                       err.message);
			return NULL;
		}
		return obj;
	}
	obj = cJSON_ParseWithLength(req->body, req->body_len);
	if (obj == NULL) {
		const char *at = cJSON_GetErrorPtr();
		k8c_api_respond_status(resp, 400, "BadRequest", NULL,
		                       "the body is not valid JSON (at byte %ld)",
		                       at ? (long)(at - req->body) : 0L);
	}
	return obj;
}

/* Unknown fields: pruned; with fieldValidation=Strict a 400, with Warn
 * (kubectl's default for old servers) a Warning header. */
static int check_schema(const k8c_kind_t *kind, cJSON *obj, const k8c_api_request_t *req,
                        k8c_api_response_t *resp)
{
	const k8c_schema_node_t *type = kind->schema_type ? k8c_schema_type(kind->schema_type) : NULL;
	const char *fv = k8c_api_param(req, "fieldValidation");
	k8c_schema_report_t rep = {0};
	int ret = 0;

	if (type == NULL)
		return 0;
	if (k8c_schema_decode(type, obj, &rep) < 0) {
		k8c_api_respond_status(resp, 400, "BadRequest", NULL, "%s in version \"%s\" cannot be handled as a %s: %s",
		                       kind->kind, kind->version, kind->kind, rep.type_error);
		ret = -K8C_EINVAL;
	} else if (rep.n_unknown > 0 && fv != NULL && strcmp(fv, "Strict") == 0) {
		_cleanup_free_ char *list = NULL;
		size_t len = 0;
		for (size_t i = 0; i < rep.n_unknown; i++) {
			char *f = k8c_xasprintf("%sunknown field \"%s\"", i ? ", " : "", rep.unknown[i]);
			list = k8c_xrealloc(list, len + strlen(f) + 1);
			strcpy(list + len, f);
			len += strlen(f);
			free(f);
		}
		k8c_api_respond_status(resp, 400, "BadRequest", NULL,
		                       "%s in version \"%s\" cannot be handled as a %s: strict decoding error: %s",
		                       kind->kind, kind->version, kind->kind, list);
		ret = -K8C_EINVAL;
	} else if (rep.n_unknown > 0 && (fv == NULL || strcmp(fv, "Ignore") != 0)) {
		resp->warning = k8c_xasprintf("299 - \"unknown field \\\"%s\\\"\"", rep.unknown[0]);
	}
	k8c_schema_report_free(&rep);
	return ret;
}

static void handle_create(k8c_apiserver_t *srv, const k8c_api_request_t *req,
                          const k8c_route_t *r, k8c_api_response_t *resp)
{
	_cleanup_json_ cJSON *obj = decode_body(req, r->kind, resp);
	k8c_write_opts_t o;

	if (obj == NULL || check_schema(r->kind, obj, req, resp) < 0)
		return;
	write_opts(req, &o);
	if (k8c_object_create_opts(srv, r->kind, r->ns, obj, &o, resp) == 0) {
		if (o.stored_json != NULL)
			k8c_api_respond_raw(resp, 201, "application/json", K8C_STEAL(o.stored_json),
			                    o.stored_len);
		else
			k8c_api_respond_json(resp, 201, K8C_STEAL(obj));
	}
	free(o.stored_json);
}

static void handle_get(k8c_apiserver_t *srv, const k8c_api_request_t *req, const k8c_route_t *r,
                       k8c_api_response_t *resp)
{
	cJSON *obj = NULL;
	k8c_error_t err;
	int ret;

	if (!k8c_wants_table(req)) {
		/* the stored bytes with the resourceVersion spliced in */
		char *json = NULL;
		size_t len = 0;
		ret = k8c_storage_get_json(srv, r->kind, r->ns, r->name, &json, &len, &err);
		if (ret < 0)
			k8c_respond_error(resp, r->kind, r->name, ret, &err);
		else
			k8c_api_respond_raw(resp, 200, "application/json", json, len);
		return;
	}
	ret = k8c_storage_get(srv, r->kind, r->ns, r->name, &obj, &err);

	if (ret < 0) {
		k8c_respond_error(resp, r->kind, r->name, ret, &err);
		return;
	}
	if (k8c_wants_table(req)) {
		cJSON *arr = cJSON_CreateArray();
		cJSON_AddItemToArray(arr, obj);
		k8c_api_respond_json(resp, 200, k8c_table(r->kind, arr, NULL, 1));
		cJSON_Delete(arr);
		return;
	}
	k8c_api_respond_json(resp, 200, obj);
}

/* PUT: replace (status 1: only .status, through KIND/status; 2: through
 * namespaces/NAME/finalize). */
static void handle_update(k8c_apiserver_t *srv, const k8c_api_request_t *req, const k8c_route_t *r,
                          int status, k8c_api_response_t *resp)
{
	_cleanup_json_ cJSON *obj = decode_body(req, r->kind, resp);
	_cleanup_json_ cJSON *old = NULL;
	k8c_write_opts_t o;
	k8c_error_t err;
	const char *name;
	int ret;

	if (obj == NULL || check_schema(r->kind, obj, req, resp) < 0)
		return;
	name = k8c_meta_str(obj, "name");
	if (name != NULL && strcmp(name, r->name) != 0) {
		k8c_api_respond_status(resp, 400, "BadRequest", NULL,
		                       "the name of the object (%s) does not match the name on the URL (%s)",
		                       name, r->name);
		return;
	}
	if (r->kind->namespaced && k8c_meta_str(obj, "namespace") != NULL &&
	    k8c_meta_str(obj, "namespace")[0] && strcmp(k8c_meta_str(obj, "namespace"), r->ns) != 0) {
		k8c_api_respond_status(resp, 400, "BadRequest", NULL,
		                       "the namespace of the provided object does not match the namespace sent on the request");
		return;
	}
	ret = k8c_storage_get(srv, r->kind, r->ns, r->name, &old, &err);
	if (ret < 0) {
		k8c_respond_error(resp, r->kind, r->name, ret, &err);
		return;
	}
	write_opts(req, &o);
	o.status = status == 1;
	o.finalize = status == 2;
	if (k8c_object_update(srv, r->kind, obj, old, 0, &o, resp) == 0)
		k8c_api_respond_json(resp, 200, K8C_STEAL(obj));
}

/* Apply the request's patch to a copy of old; NULL with resp filled. */
static cJSON *apply_patch(const k8c_kind_t *kind, const k8c_api_request_t *req, const cJSON *old,
                          const cJSON *patch, k8c_api_response_t *resp)
{
	const char *ct = req->content_type ? req->content_type : "";
	cJSON *target = cJSON_Duplicate(old, 1);
	k8c_error_t err;
	int ret;

	if (strncmp(ct, "application/merge-patch+json", 28) == 0)
		ret = k8c_merge_patch(&target, patch, &err);
	else if (strncmp(ct, "application/json-patch+json", 27) == 0)
		ret = k8c_json_patch(&target, patch, &err);
	else if (strncmp(ct, "application/strategic-merge-patch+json", 38) == 0)
		ret = k8c_strategic_merge_patch(&target, patch, &k8c_schema_patch_view,
		                                kind->schema_type ? k8c_schema_type(kind->schema_type) : NULL,
		                                &err);
	else {
		cJSON_Delete(target);
		k8c_api_respond_status(resp, 415, "UnsupportedMediaType", NULL,
		                       "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json");
		return NULL;
	}
	if (ret < 0) {
		cJSON_Delete(target);
		k8c_api_respond_status(resp, 422, "Invalid", NULL, "%s", err.message);
		return NULL;
	}
	return target;
}

static void handle_patch(k8c_apiserver_t *srv, const k8c_api_request_t *req, const k8c_route_t *r,
                         int status, k8c_api_response_t *resp)
{
	const char *ct = req->content_type ? req->content_type : "";
	_cleanup_json_ cJSON *patch = NULL;
	k8c_write_opts_t o;

	if (strncmp(ct, "application/merge-patch+json", 28) != 0 &&
	    strncmp(ct, "application/json-patch+json", 27) != 0 &&
	    strncmp(ct, "application/strategic-merge-patch+json", 38) != 0 &&
	    strncmp(ct, "application/apply-patch+yaml", 28) != 0) {
		k8c_api_respond_status(resp, 415, "UnsupportedMediaType", NULL,
		                       "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json");
		return;
	}
	patch = decode_body(req, r->kind, resp);
	if (patch == NULL)
		return;
	write_opts(req, &o);
	o.status = status;
	if (strncmp(ct, "application/apply-patch+yaml", 28) == 0) {
		k8c_apply(srv, req, r, patch, &o, resp);
		return;
	}
	for (int attempt = 0; attempt < UPDATE_RETRIES; attempt++) {
		_cleanup_json_ cJSON *old = NULL, *obj = NULL;
		k8c_error_t err;
		int ret = k8c_storage_get(srv, r->kind, r->ns, r->name, &old, &err);
		if (ret < 0) {
			k8c_respond_error(resp, r->kind, r->name, ret, &err);
			return;
		}
		obj = apply_patch(r->kind, req, old, patch, resp);
		if (obj == NULL || check_schema(r->kind, obj, req, resp) < 0)
			return;
		/* a patch that names a resourceVersion is a precondition, else
		 * the patch is applied to the latest and retried on conflict */
		ret = k8c_object_update(srv, r->kind, obj, old, 1, &o, resp);
		if (ret == 0) {
			k8c_api_respond_json(resp, 200, K8C_STEAL(obj));
			return;
		}
		if (ret != -K8C_ECONFLICT || k8c_jstr(patch, "metadata.resourceVersion") != NULL)
			return;
		k8c_api_response_free(resp);
	}
}

void k8c_handle_resource(k8c_apiserver_t *srv, const k8c_api_request_t *req, const k8c_route_t *r,
                         k8c_api_response_t *resp)
{
	const char *m = req->method;
	const k8c_kind_t *k = r->kind;
	unsigned verb = 0;

	if (k->namespaced && r->ns == NULL && r->name != NULL) {
		k8c_api_respond_status(resp, 404, "NotFound", NULL,
		                       "the server could not find the requested resource");
		return;
	}
	if (r->name == NULL) {
		if (strcmp(m, "POST") == 0)
			verb = K8C_VERB_CREATE;
		else if (strcmp(m, "DELETE") == 0)
			verb = K8C_VERB_DELETECOLLECTION;
	} else if (r->sub == NULL) {
		verb = strcmp(m, "GET") == 0     ? K8C_VERB_GET
		       : strcmp(m, "PUT") == 0   ? K8C_VERB_UPDATE
		       : strcmp(m, "PATCH") == 0 ? K8C_VERB_PATCH
		       : strcmp(m, "DELETE") == 0 ? K8C_VERB_DELETE : 0;
	}
	if (r->sub != NULL) {
		k8c_handle_subresource(srv, req, r, resp);
		return;
	}
	if (verb == 0 || !(k->verbs & verb)) {
		k8c_api_respond_status(resp, 405, "MethodNotAllowed", NULL,
		                       "the server does not allow this method on the requested resource");
		return;
	}
	switch (verb) {
	case K8C_VERB_CREATE:
		if (k->namespaced && r->ns == NULL) {
			k8c_api_respond_status(resp, 404, "NotFound", NULL,
			                       "the server could not find the requested resource");
			return;
		}
		handle_create(srv, req, r, resp);
		return;
	case K8C_VERB_GET:
		handle_get(srv, req, r, resp);
		return;
	case K8C_VERB_UPDATE:
		handle_update(srv, req, r, 0, resp);
		return;
	case K8C_VERB_PATCH:
		handle_patch(srv, req, r, 0, resp);
		return;
	case K8C_VERB_DELETE:
		k8c_handle_delete(srv, req, r, resp);
		return;
	case K8C_VERB_DELETECOLLECTION:
		k8c_handle_delete_collection(srv, req, r, resp);
		return;
	}
}

/* Exposed for subresources.c */
void k8c_handle_get_object(k8c_apiserver_t *srv, const k8c_api_request_t *req, const k8c_route_t *r,
                           k8c_api_response_t *resp)
{
	handle_get(srv, req, r, resp);
}

void k8c_handle_update_object(k8c_apiserver_t *srv, const k8c_api_request_t *req,
                              const k8c_route_t *r, int status, k8c_api_response_t *resp)
{
	handle_update(srv, req, r, status, resp);
}

void k8c_handle_finalize(k8c_apiserver_t *srv, const k8c_api_request_t *req, const k8c_route_t *r,
                         k8c_api_response_t *resp)
{
	handle_update(srv, req, r, 2, resp);
}

void k8c_handle_patch_object(k8c_apiserver_t *srv, const k8c_api_request_t *req,
                             const k8c_route_t *r, int status, k8c_api_response_t *resp)
{
	handle_patch(srv, req, r, status, resp);
}
