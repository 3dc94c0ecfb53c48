/* Requests and responses: query parameters, JSON bodies, Status objects. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "apiserver/api.h"
#include "common/json_print.h"
#include "common/mem.h"

const char *k8c_api_param(const k8c_api_request_t *req, const char *key)
{
	for (size_t i = req->n_params; i > 0; i--)
		if (strcmp(req->params[i - 1].key, key) == 0)
			return req->params[i - 1].value;
	return NULL;
}

int k8c_api_param_bool(const k8c_api_request_t *req, const char *key)
{
	const char *v = k8c_api_param(req, key);

	return v != NULL && (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0);
}

void k8c_api_request_add_param(k8c_api_request_t *req, const char *key, const char *value)
{
	req->params = k8c_xrealloc(req->params, (req->n_params + 1) * sizeof(*req->params));
	req->params[req->n_params].key = k8c_xstrdup(key);
	req->params[req->n_params].value = k8c_xstrdup(value ? value : "");
	req->n_params++;
}

void k8c_api_request_free(k8c_api_request_t *req)
{
	for (size_t i = 0; i < req->n_params; i++) {
		free(req->params[i].key);
		free(req->params[i].value);
	}
	free(req->params);
	free(req->path);
	free(req->body);
	memset(req, 0, sizeof(*req));
}

void k8c_api_respond_raw(k8c_api_response_t *resp, int code, const char *content_type,
                         char *body, size_t len)
{
	free(resp->body);
	resp->code = code;
	resp->content_type = content_type;
	resp->body = body;
	resp->body_len = len;
}

void k8c_api_respond_json(k8c_api_response_t *resp, int code, cJSON *json)
{
	size_t len;
	char *s = k8c_json_print(json, &len);

	cJSON_Delete(json);
	k8c_api_respond_raw(resp, code, "application/json", s, len);
}

void k8c_api_respond_status(k8c_api_response_t *resp, int code, const char *reason,
                            cJSON *details, const char *fmt, ...)
{
	cJSON *st = cJSON_CreateObject();
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = k8c_xvasprintf(fmt, ap);
	va_end(ap);
	cJSON_AddStringToObject(st, "kind", "Status");
	cJSON_AddStringToObject(st, "apiVersion", "v1");
	cJSON_AddObjectToObject(st, "metadata");
	cJSON_AddStringToObject(st, "status", code < 400 ? "Success" : "Failure");
	cJSON_AddStringToObject(st, "message", msg);
	if (reason != NULL && reason[0] != '\0')
		cJSON_AddStringToObject(st, "reason", reason);
	if (details != NULL)
		cJSON_AddItemToObject(st, "details", details);
	cJSON_AddNumberToObject(st, "code", code);
	free(msg);
	k8c_api_respond_json(resp, code, st);
}

void k8c_api_response_free(k8c_api_response_t *resp)
{
	free(resp->body);
	free(resp->warning);
	if (resp->stream.free_fn != NULL)
		resp->stream.free_fn(resp->stream.ctx);
	memset(resp, 0, sizeof(*resp));
}
