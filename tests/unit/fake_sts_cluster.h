/* A fake cluster for the StatefulSet controller's unit test: a controller
 * host whose cache is a few cJSON arrays and an API client that applies
 * POST/PUT/PATCH/DELETE to them at once and records what was asked. */
#ifndef K8C_TESTS_FAKE_STS_CLUSTER_H
#define K8C_TESTS_FAKE_STS_CLUSTER_H

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <k8c/client.h>
#include <k8c/controller.h>

#include "fake_host.h"

typedef struct fake_cluster {
	fake_host_t fh;
	k8c_controller_host_t ch;
	k8c_client_api_t api;
	cJSON *objs[4]; /* per watch: sets, pods, revisions, claims */
	char calls[8192];  /* "POST pods web-0\n..." */
	char events[8192]; /* "Reason: message\n..." */
	int uid;
} fake_cluster_t;

static cJSON *fc_find(cJSON *arr, const char *ns, const char *name, int *idx)
{
	int i = 0;
	cJSON *o;

	cJSON_ArrayForEach(o, arr) {
		const cJSON *md = cJSON_GetObjectItem(o, "metadata");
		const char *n = cJSON_GetStringValue(cJSON_GetObjectItem(md, "name"));
		const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(md, "namespace"));
		if (n && strcmp(n, name) == 0 && (!ns || !s || strcmp(s, ns) == 0)) {
			if (idx)
				*idx = i;
			return o;
		}
		i++;
	}
	return NULL;
}

static cJSON *fc_get(void *ctx, size_t w, const char *key)
{
	fake_cluster_t *fc = ctx;
	char ns[256];
	const char *slash = strchr(key, '/');
	cJSON *o;

	if (slash == NULL)
		return NULL;
	snprintf(ns, sizeof(ns), "%.*s", (int)(slash - key), key);
	o = fc_find(fc->objs[w], ns, slash + 1, NULL);
	return o ? cJSON_Duplicate(o, 1) : NULL;
}

static size_t fc_list(void *ctx, size_t w, const char *ns, const char *owner,
                      int (*fn)(void *, const cJSON *), void *arg)
{
	fake_cluster_t *fc = ctx;
	size_t n = 0;
	cJSON *o;

	(void)ns;
	(void)owner;
	cJSON_ArrayForEach(o, fc->objs[w]) {
		n++;
		if (fn(arg, o))
			break;
	}
	return n;
}

static void fc_nop_key(void *ctx, const char *key) { (void)ctx; (void)key; }
static void fc_nop_after(void *ctx, const char *key, int64_t d) { (void)ctx; (void)key; (void)d; }
static void fc_nop_n(void *ctx, const char *key, int n) { (void)ctx; (void)key; (void)n; }
static void fc_nop_obj(void *ctx, const char *key, const char *o) { (void)ctx; (void)key; (void)o; }
static int fc_satisfied(void *ctx, const char *key) { (void)ctx; (void)key; return 1; }

__attribute__((format(printf, 6, 7)))
static void fc_event(void *ctx, size_t w, const cJSON *obj, const char *type, const char *reason,
                     const char *fmt, ...)
{
	fake_cluster_t *fc = ctx;
	size_t len = strlen(fc->events);
	va_list ap;

	(void)w;
	(void)obj;
	(void)type;
	snprintf(fc->events + len, sizeof(fc->events) - len, "%s: ", reason);
	len = strlen(fc->events);
	va_start(ap, fmt);
	vsnprintf(fc->events + len, sizeof(fc->events) - len, fmt, ap);
	va_end(ap);
	len = strlen(fc->events);
	snprintf(fc->events + len, sizeof(fc->events) - len, "\n");
}

static int fc_request(void *ctx, const char *method, const char *path, const cJSON *body,
                      const char *ctype, cJSON **out, k8c_error_t *err)
{
	fake_cluster_t *fc = ctx;
	char ns[128] = "", res[64] = "", name[128] = "", sub[32] = "";
	int w, idx;
	cJSON *o;
	size_t len = strlen(fc->calls);

	(void)ctype;
	if (sscanf(path, "/api/v1/namespaces/%127[^/]/%63[^/]/%127[^/]/%31s", ns, res, name, sub) < 2 &&
	    sscanf(path, "/apis/apps/v1/namespaces/%127[^/]/%63[^/]/%127[^/]/%31s", ns, res, name, sub) < 2)
		return k8c_error_make(err, K8C_EINVAL, "bad path %s", path);
	w = !strcmp(res, "statefulsets") ? 0 : !strcmp(res, "pods") ? 1 :
	    !strcmp(res, "controllerrevisions") ? 2 : 3;
	if (strcmp(method, "GET") != 0)
		snprintf(fc->calls + len, sizeof(fc->calls) - len, "%s %s %s%s\n", method, res,
		         name[0] ? name : cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(body, "metadata"), "name")),
		         sub[0] ? "/status" : "");
	if (!strcmp(method, "POST")) {
		const char *n = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(body, "metadata"), "name"));
		char uid[32];
		if (fc_find(fc->objs[w], ns, n, NULL))
			return k8c_error_make(err, K8C_EEXIST, "exists");
		o = cJSON_Duplicate(body, 1);
		snprintf(uid, sizeof(uid), "uid-%d", ++fc->uid);
		cJSON_AddStringToObject(cJSON_GetObjectItem(o, "metadata"), "uid", uid);
		cJSON_AddStringToObject(cJSON_GetObjectItem(o, "metadata"), "creationTimestamp", "2024-01-01T00:00:00Z");
		if (w == 1)
			cJSON_AddItemToObject(o, "status", cJSON_Parse("{\"phase\":\"Pending\"}"));
		cJSON_AddItemToArray(fc->objs[w], o);
		if (out)
			*out = cJSON_Duplicate(o, 1);
		return 0;
	}
	o = fc_find(fc->objs[w], ns, name, &idx);
	if (o == NULL)
		return k8c_error_make(err, K8C_ENOTFOUND, "not found");
	if (!strcmp(method, "GET")) {
		if (out)
			*out = cJSON_Duplicate(o, 1);
	} else if (!strcmp(method, "DELETE")) {
		cJSON_DeleteItemFromArray(fc->objs[w], idx);
	} else if (!strcmp(method, "PUT") && sub[0]) {
		cJSON_DeleteItemFromObject(o, "status");
		cJSON_AddItemToObject(o, "status", cJSON_Duplicate(cJSON_GetObjectItem(body, "status"), 1));
	} else if (!strcmp(method, "PUT")) {
		cJSON_ReplaceItemInArray(fc->objs[w], idx, cJSON_Duplicate(body, 1));
	} else if (!strcmp(method, "PATCH")) {
		cJSON *md = cJSON_GetObjectItem(o, "metadata"), *kv;
		const cJSON *pmd = cJSON_GetObjectItem(body, "metadata");
		if (cJSON_GetObjectItem(pmd, "ownerReferences")) {
			cJSON_DeleteItemFromObject(md, "ownerReferences");
			cJSON_AddItemToObject(md, "ownerReferences",
			                      cJSON_Duplicate(cJSON_GetObjectItem(pmd, "ownerReferences"), 1));
		}
		cJSON_ArrayForEach(kv, cJSON_GetObjectItem(pmd, "labels")) {
			cJSON_DeleteItemFromObject(cJSON_GetObjectItem(md, "labels"), kv->string);
			cJSON_AddItemToObject(cJSON_GetObjectItem(md, "labels"), kv->string, cJSON_Duplicate(kv, 1));
		}
	}
	return 0;
}

static void fc_init(fake_cluster_t *fc)
{
	memset(fc, 0, sizeof(*fc));
	fake_host_init(&fc->fh);
	for (int i = 0; i < 4; i++)
		fc->objs[i] = cJSON_CreateArray();
	fc->ch.struct_size = sizeof(fc->ch);
	fc->ch.ctx = fc;
	fc->ch.enqueue = fc_nop_key;
	fc->ch.enqueue_after = fc_nop_after;
	fc->ch.get = fc_get;
	fc->ch.list = fc_list;
	fc->ch.expect_creations = fc_nop_n;
	fc->ch.expect_deletion = fc_nop_obj;
	fc->ch.creation_observed = fc_nop_key;
	fc->ch.deletion_observed = fc_nop_obj;
	fc->ch.satisfied = fc_satisfied;
	fc->ch.forget = fc_nop_key;
	fc->ch.event = fc_event;
	fc->api.struct_size = sizeof(fc->api);
	fc->api.request = fc_request;
	fc->fh.host.controller = &fc->ch;
	fc->fh.host.client = &fc->api;
	fc->fh.host.client_ctx = fc;
}

static void fc_free(fake_cluster_t *fc)
{
	for (int i = 0; i < 4; i++)
		cJSON_Delete(fc->objs[i]);
}

/* Make every pod Running and Ready. */
static void fc_all_ready(fake_cluster_t *fc)
{
	cJSON *p;

	cJSON_ArrayForEach(p, fc->objs[1]) {
		cJSON_DeleteItemFromObject(p, "status");
		cJSON_AddItemToObject(p, "status", cJSON_Parse(
			"{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}"));
	}
}

#endif
