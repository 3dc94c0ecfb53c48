/* Subresources: status, scale (autoscaling/v1 Scale), pods/binding,
 * pods/log, pods/eviction and namespaces/finalize. */
#define K8C_LOG_COMPONENT "apiserver"
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/kinds/util.h"
#include "apiserver/objects.h"
#include "apiserver/patch.h"
#include "common/mem.h"
#include "common/selector.h"
#include "common/timestamp.h"

static void not_allowed(k8c_api_response_t *resp)
{
	k8c_api_respond_status(resp, 405, "MethodNotAllowed", NULL,
	                       "the server does not allow this method on the requested resource");
}

/* 201 with a Success Status, as binding and eviction answer. */
static void respond_success(k8c_api_response_t *resp)
{
	cJSON *st = cJSON_CreateObject();

	cJSON_AddStringToObject(st, "kind", "Status");
	cJSON_AddStringToObject(st, "apiVersion", "v1");
	cJSON_AddObjectToObject(st, "metadata");
	cJSON_AddStringToObject(st, "status", "Success");
	cJSON_AddNumberToObject(st, "code", 201);
	k8c_api_respond_json(resp, 201, st);
}

/* A dotted path's integer, or def. */
static long long path_int(const cJSON *obj, const char *path, long long def)
{
	return path ? k8c_jint(obj, path, def) : def;
}

/* The Scale of a scalable object. */
static cJSON *make_scale(const k8c_kind_t *k, const cJSON *obj)
{
	cJSON *s = cJSON_CreateObject(), *md, *spec, *st;
	const cJSON *sel = k8c_jget(obj, k->scale_selector);
	k8c_label_selector_t *ls = NULL;

	cJSON_AddStringToObject(s, "kind", "Scale");
	cJSON_AddStringToObject(s, "apiVersion", "autoscaling/v1");
	md = cJSON_AddObjectToObject(s, "metadata");
	for (const char *const *f = (const char *const[]){"name", "namespace", "uid", "resourceVersion",
	                                                   "creationTimestamp", NULL}; *f; f++)
		if (k8c_jstr(obj, "metadata.name") != NULL) {
			_cleanup_free_ char *p = k8c_xasprintf("metadata.%s", *f);
			if (k8c_jstr(obj, p) != NULL)
				cJSON_AddStringToObject(md, *f, k8c_jstr(obj, p));
		}
	spec = cJSON_AddObjectToObject(s, "spec");
	cJSON_AddNumberToObject(spec, "replicas", (double)path_int(obj, k->scale_spec_replicas, 1));
	st = cJSON_AddObjectToObject(s, "status");
	cJSON_AddNumberToObject(st, "replicas", (double)path_int(obj, k->scale_status_replicas, 0));
	if (sel != NULL && k8c_label_selector_from_json(sel, &ls, NULL) == 0) {
		char *str = k8c_label_selector_string(ls);
		cJSON_AddStringToObject(st, "selector", str);
		free(str);
		k8c_label_selector_free(ls);
	}
	return s;
}

static void handle_scale(k8c_apiserver_t *srv, const k8c_api_request_t *req, const k8c_route_t *r,
                         k8c_api_response_t *resp)
{
	for (int attempt = 0; attempt < 5; attempt++) {
		_cleanup_json_ cJSON *obj = NULL, *in = NULL, *scale = NULL;
		k8c_write_opts_t o = {.field_manager = k8c_api_param(req, "fieldManager"),
		                      .user_agent = req->user_agent};
		k8c_error_t err;
		long long replicas;
		int ret = k8c_storage_get(srv, r->kind, r->ns, r->name, &obj, &err);

		if (ret < 0) {
			k8c_respond_error(resp, r->kind, r->name, ret, &err);
			return;
		}
		scale = make_scale(r->kind, obj);
		if (strcmp(req->method, "GET") == 0) {
			k8c_api_respond_json(resp, 200, K8C_STEAL(scale));
			return;
		}
		in = cJSON_ParseWithLength(req->body, req->body_len);
		if (in == NULL) {
			k8c_api_respond_status(resp, 400, "BadRequest", NULL, "the body is not valid JSON");
			return;
		}
		if (strcmp(req->method, "PATCH") == 0) {
			const char *ct = req->content_type ? req->content_type : "";
			ret = strstr(ct, "json-patch") ? k8c_json_patch(&scale, in, &err)
			                               : k8c_merge_patch(&scale, in, &err);
			if (ret < 0) {
				k8c_api_respond_status(resp, 422, "Invalid", NULL, "%s", err.message);
				return;
			}
		} else if (strcmp(req->method, "PUT") == 0) {
			cJSON_Delete(scale);
			scale = K8C_STEAL(in);
		} else {
			not_allowed(resp);
			return;
		}
		if (!cJSON_IsNumber(k8c_jget(scale, "spec.replicas")) || k8c_jint(scale, "spec.replicas", -1) < 0) {
			k8c_field_errors_t errs = K8C_FIELD_ERRORS_INIT;
			k8c_field_error_add(&errs, K8C_FIELD_INVALID, "spec.replicas", k8c_jget(scale, "spec.replicas"),
			                    "must be greater than or equal to 0");
			k8c_api_respond_json(resp, 422, k8c_field_errors_status(&errs, "autoscaling", "Scale", r->name));
			k8c_field_errors_free(&errs);
			return;
		}
		replicas = k8c_jint(scale, "spec.replicas", 0);
		{
			_cleanup_json_ cJSON *updated = cJSON_Duplicate(obj, 1);
			cJSON *spec = k8c_jobject(updated, "spec");
			const char *rv = k8c_jstr(scale, "metadata.resourceVersion");
			cJSON_DeleteItemFromObjectCaseSensitive(spec, "replicas");
			cJSON_AddNumberToObject(spec, "replicas", (double)replicas);
			if (rv != NULL && rv[0] && strcmp(rv, k8c_jstr(obj, "metadata.resourceVersion")) != 0) {
				k8c_error_make(&err, K8C_ECONFLICT, "the object has been modified; please apply your changes to the latest version and try again");
				k8c_respond_error(resp, r->kind, r->name, -K8C_ECONFLICT, &err);
				return;
			}
			ret = k8c_object_update(srv, r->kind, updated, obj, 1, &o, resp);
			if (ret == 0) {
				k8c_api_respond_json(resp, 200, make_scale(r->kind, updated));
				return;
			}
			if (ret != -K8C_ECONFLICT)
				return;
			k8c_api_response_free(resp);
		}
	}
}

/* What Kubernetes' binding also does: the binding's annotations go onto
 * the pod, and its PodScheduled condition becomes True. */
static void set_scheduled(cJSON *pod, const cJSON *annotations)
{
	cJSON *conds = k8c_jobject(k8c_jobject(pod, "status"), "conditions"), *c, *found = NULL;
	const cJSON *a;
	char now[K8C_TIME_STRLEN];

	cJSON_ArrayForEach(a, annotations)
		if (cJSON_IsString(a)) {
			cJSON *md = k8c_jobject(pod, "metadata"), *an = k8c_jobject(md, "annotations");
			cJSON_DeleteItemFromObjectCaseSensitive(an, a->string);
			cJSON_AddStringToObject(an, a->string, a->valuestring);
		}
	if (!cJSON_IsArray(conds)) {
		cJSON_DeleteItemFromObjectCaseSensitive(k8c_jobject(pod, "status"), "conditions");
		conds = cJSON_AddArrayToObject(k8c_jobject(pod, "status"), "conditions");
	}
	cJSON_ArrayForEach(c, conds)
		if (k8c_jstr(c, "type") != NULL && strcmp(k8c_jstr(c, "type"), "PodScheduled") == 0)
			found = c;
	if (found != NULL && k8c_jstr(found, "status") != NULL && strcmp(k8c_jstr(found, "status"), "True") == 0)
		return;
	if (found == NULL) {
		found = cJSON_CreateObject();
		cJSON_AddStringToObject(found, "type", "PodScheduled");
		cJSON_AddItemToArray(conds, found);
	}
	k8c_time_format(k8c_time_now_ns(), now);
	cJSON_DeleteItemFromObjectCaseSensitive(found, "status");
	cJSON_DeleteItemFromObjectCaseSensitive(found, "reason");
	cJSON_DeleteItemFromObjectCaseSensitive(found, "message");
	cJSON_DeleteItemFromObjectCaseSensitive(found, "lastTransitionTime");
	cJSON_DeleteItemFromObjectCaseSensitive(found, "lastProbeTime");
	cJSON_AddStringToObject(found, "status", "True");
	cJSON_AddNullToObject(found, "lastProbeTime");
	cJSON_AddStringToObject(found, "lastTransitionTime", now);
}

/* POST pods/NAME/binding: set spec.nodeName once. */
static void handle_binding(k8c_apiserver_t *srv, const k8c_api_request_t *req, const k8c_route_t *r,
                           k8c_api_response_t *resp)
{
	_cleanup_json_ cJSON *b = cJSON_ParseWithLength(req->body, req->body_len);
	const char *node = k8c_jstr(b, "target.name");

	if (strcmp(req->method, "POST") != 0) {
		not_allowed(resp);
		return;
	}
	if (node == NULL || node[0] == '\0') {
		k8c_field_errors_t errs = K8C_FIELD_ERRORS_INIT;
		k8c_field_error_add(&errs, K8C_FIELD_REQUIRED, "target.name", NULL, NULL);
		k8c_api_respond_json(resp, 422, k8c_field_errors_status(&errs, "", "Binding", r->name));
		k8c_field_errors_free(&errs);
		return;
	}
	for (int attempt = 0; attempt < 5; attempt++) {
		_cleanup_json_ cJSON *pod = NULL;
		k8c_error_t err;
		int ret = k8c_storage_get(srv, r->kind, r->ns, r->name, &pod, &err);
		if (ret < 0) {
			k8c_respond_error(resp, r->kind, r->name, ret, &err);
			return;
		}
		if (k8c_jstr(pod, "spec.nodeName") != NULL && k8c_jstr(pod, "spec.nodeName")[0]) {
			k8c_error_make(&err, K8C_ECONFLICT, "pod %s is already assigned to node \"%s\"", r->name,
			               k8c_jstr(pod, "spec.nodeName"));
			k8c_respond_error(resp, r->kind, r->name, -K8C_ECONFLICT, &err);
			return;
		}
		if (k8c_jstr(pod, "metadata.deletionTimestamp") != NULL) {
			k8c_error_make(&err, K8C_ECONFLICT, "pod %s is being deleted, cannot be assigned to a host", r->name);
			k8c_respond_error(resp, r->kind, r->name, -K8C_ECONFLICT, &err);
			return;
		}
		cJSON_AddStringToObject(k8c_jobject(pod, "spec"), "nodeName", node);
		set_scheduled(pod, k8c_jget(b, "metadata.annotations"));
		ret = k8c_storage_update(srv, r->kind, pod, k8c_storage_rv(pod), &err);
		if (ret == -K8C_ECONFLICT)
			continue;
		if (ret < 0) {
			k8c_respond_error(resp, r->kind, r->name, ret, &err);
			return;
		}
		respond_success(resp); /* Kubernetes answers a Success Status */
		return;
	}
}

void k8c_handle_subresource(k8c_apiserver_t *srv, const k8c_api_request_t *req, const k8c_route_t *r,
                            k8c_api_response_t *resp)
{
	const k8c_kind_t *k = r->kind;
	const char *m = req->method;

	if (strcmp(r->sub, "status") == 0 && (k->subresources & K8C_SUB_STATUS)) {
		if (strcmp(m, "GET") == 0)
			k8c_handle_get_object(srv, req, r, resp);
		else if (strcmp(m, "PUT") == 0)
			k8c_handle_update_object(srv, req, r, 1, resp);
		else if (strcmp(m, "PATCH") == 0)
			k8c_handle_patch_object(srv, req, r, 1, resp);
		else
			not_allowed(resp);
		return;
	}
	if (strcmp(r->sub, "finalize") == 0 && (k->subresources & K8C_SUB_FINALIZE)) {
		if (strcmp(m, "PUT") == 0)
			k8c_handle_finalize(srv, req, r, resp);
		else
			not_allowed(resp);
		return;
	}
	if (strcmp(r->sub, "scale") == 0 && (k->subresources & K8C_SUB_SCALE)) {
		handle_scale(srv, req, r, resp);
		return;
	}
	if (strcmp(r->sub, "binding") == 0 && (k->subresources & K8C_SUB_BINDING)) {
		handle_binding(srv, req, r, resp);
		return;
	}
	if (strcmp(r->sub, "log") == 0 && (k->subresources & K8C_SUB_LOG)) {
		k8c_handle_pod_log(srv, req, r, resp);
		return;
	}
	if (strcmp(r->sub, "eviction") == 0 && (k->subresources & K8C_SUB_EVICTION)) {
		if (strcmp(m, "POST") != 0) {
			not_allowed(resp);
			return;
		}
		/* no PodDisruptionBudgets yet: an eviction is a graceful delete */
		k8c_handle_delete(srv, &(k8c_api_request_t){.method = "DELETE", .path = req->path,
		                                          .body = (char *)"", .body_len = 0},
		                  r, resp);
		if (resp->code == 200)
			respond_success(resp);
		return;
	}
	k8c_api_respond_status(resp, 404, "NotFound", NULL, "the server could not find the requested resource");
}
