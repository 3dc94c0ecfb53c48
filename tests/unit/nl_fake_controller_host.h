/* A fake controller manager for the node lifecycle and taint eviction
 * plugins' unit tests: the informers' caches are JSON objects the test
 * fills (key -> object per watch), API requests are recorded and answered
 * (PUT echoes its body, as the server's answer), events are recorded.
 * Single-threaded: the test calls reconcile and on_change itself. */
#ifndef K8C_TESTS_NL_FAKE_CONTROLLER_HOST_H
#define K8C_TESTS_NL_FAKE_CONTROLLER_HOST_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/client.h>
#include <k8c/controller.h>

#include "fake_host.h"

#define FCH_MAX_WATCHES 4

typedef struct fake_ctl {
	fake_host_t fh;
	k8c_controller_host_t ch;
	k8c_client_api_t api;
	cJSON *cache[FCH_MAX_WATCHES]; /* key -> object */
	cJSON *options;
	cJSON *requests; /* ["PUT /api/v1/nodes/x", ...] */
	cJSON *bodies;   /* the request bodies, in order (null when none) */
	cJSON *events;   /* ["Normal NodeNotReady Node/x: message", ...] */
	cJSON *enqueued; /* keys */
	int fail_next;   /* the next request fails with -fail_next */
} fake_ctl_t;

static void fc_enqueue(void *ctx, const char *key)
{
	fake_ctl_t *fc = ctx;

	cJSON_AddItemToArray(fc->enqueued, cJSON_CreateString(key));
}

static void fc_enqueue_after(void *ctx, const char *key, int64_t ms)
{
	(void)ms;
	fc_enqueue(ctx, key);
}

static cJSON *fc_get(void *ctx, size_t watch, const char *key)
{
	fake_ctl_t *fc = ctx;
	const cJSON *o = watch < FCH_MAX_WATCHES
		? cJSON_GetObjectItemCaseSensitive(fc->cache[watch], key) : NULL;

	return o != NULL ? cJSON_Duplicate(o, 1) : NULL;
}

__attribute__((format(printf, 6, 7)))
static void fc_event(void *ctx, size_t watch, const cJSON *obj, const char *type,
                     const char *reason, const char *fmt, ...)
{
	fake_ctl_t *fc = ctx;
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(obj, "metadata"), "name");
	char msg[512], line[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "%s %s %zu/%s: %s", type, reason, watch,
	         cJSON_IsString(name) ? name->valuestring : "?", msg);
	cJSON_AddItemToArray(fc->events, cJSON_CreateString(line));
}

static int fc_request(void *client_ctx, const char *method, const char *path, const cJSON *body,
                      const char *content_type, cJSON **out, k8c_error_t *err)
{
	fake_ctl_t *fc = client_ctx;
	char line[512];

	(void)content_type;
	snprintf(line, sizeof(line), "%s %s", method, path);
	cJSON_AddItemToArray(fc->requests, cJSON_CreateString(line));
	cJSON_AddItemToArray(fc->bodies, body ? cJSON_Duplicate(body, 1) : cJSON_CreateNull());
	if (out != NULL)
		*out = NULL;
	if (fc->fail_next) {
		int code = fc->fail_next;

		fc->fail_next = 0;
		return k8c_error_make(err, code, "injected failure");
	}
	if (out != NULL && strcmp(method, "PUT") == 0 && body != NULL)
		*out = cJSON_Duplicate(body, 1);
	return 0;
}

static void fake_ctl_init(fake_ctl_t *fc)
{
	memset(fc, 0, sizeof(*fc));
	fake_host_init(&fc->fh);
	for (int i = 0; i < FCH_MAX_WATCHES; i++)
		fc->cache[i] = cJSON_CreateObject();
	fc->options = cJSON_CreateObject();
	fc->requests = cJSON_CreateArray();
	fc->bodies = cJSON_CreateArray();
	fc->events = cJSON_CreateArray();
	fc->enqueued = cJSON_CreateArray();
	fc->api = (k8c_client_api_t){.struct_size = sizeof(k8c_client_api_t), .request = fc_request};
	fc->ch = (k8c_controller_host_t){
		.struct_size = sizeof(k8c_controller_host_t),
		.ctx = fc,
		.options = fc->options,
		.enqueue = fc_enqueue,
		.enqueue_after = fc_enqueue_after,
		.get = fc_get,
		.event = fc_event,
	};
	fc->fh.host.controller = &fc->ch;
	fc->fh.host.client = &fc->api;
	fc->fh.host.client_ctx = fc;
}

static void fake_ctl_clear(fake_ctl_t *fc)
{
	cJSON_Delete(fc->requests);
	cJSON_Delete(fc->bodies);
	cJSON_Delete(fc->events);
	cJSON_Delete(fc->enqueued);
	fc->requests = cJSON_CreateArray();
	fc->bodies = cJSON_CreateArray();
	fc->events = cJSON_CreateArray();
	fc->enqueued = cJSON_CreateArray();
}

static void fake_ctl_fini(fake_ctl_t *fc)
{
	for (int i = 0; i < FCH_MAX_WATCHES; i++)
		cJSON_Delete(fc->cache[i]);
	cJSON_Delete(fc->options);
	cJSON_Delete(fc->requests);
	cJSON_Delete(fc->bodies);
	cJSON_Delete(fc->events);
	cJSON_Delete(fc->enqueued);
	pthread_mutex_destroy(&fc->fh.lock);
}

/* Put obj (taken) into watch's cache under key. */
static void fake_ctl_put(fake_ctl_t *fc, size_t watch, const char *key, cJSON *obj)
{
	cJSON_DeleteItemFromObjectCaseSensitive(fc->cache[watch], key);
	cJSON_AddItemToObject(fc->cache[watch], key, obj);
}

/* The strings of list joined, each followed by ";" (static buffer). */
static const char *fake_ctl_join(const cJSON *list)
{
	static char buf[4096];
	const cJSON *r;

	buf[0] = '\0';
	cJSON_ArrayForEach(r, list) {
		strncat(buf, r->valuestring, sizeof(buf) - strlen(buf) - 2);
		strcat(buf, ";");
	}
	return buf;
}

/* "METHOD path;..." of the requests so far. */
static const char *fake_ctl_requests(const fake_ctl_t *fc)
{
	return fake_ctl_join(fc->requests);
}

/* "type reason watch/name: message;..." of the events so far. */
static const char *fake_ctl_events(const fake_ctl_t *fc)
{
	return fake_ctl_join(fc->events);
}

#endif
