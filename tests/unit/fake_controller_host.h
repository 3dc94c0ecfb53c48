/* A fake controller manager for testing a controller plugin without the
 * core: a cache per watch (cJSON arrays the test fills), get/list with
 * namespace and owner-uid filters, recorded enqueues and events,
 * expectations that are always satisfied unless the test says otherwise,
 * and an API client that records each request and serves the simple ones
 * against the cache (POST creates with generateName and a uid, DELETE
 * removes, PUT .../status replaces the status, merge PATCH of labels and
 * top-level fields, GET).
 *
 *   fake_ctl_t f;
 *   fake_ctl_init(&f, watches, n_watches);   then init the plugin with &f.fh.host
 */
#ifndef K8C_TESTS_FAKE_CONTROLLER_HOST_H
#define K8C_TESTS_FAKE_CONTROLLER_HOST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/client.h>
#include <k8c/controller.h>

#include "fake_host.h"

#define FAKE_CTL_MAX_WATCHES 8

typedef struct fake_ctl {
	fake_host_t fh;
	k8c_controller_host_t ch;
	k8c_client_api_t client;
	const k8c_controller_watch_t *watches;
	size_t n_watches;
	cJSON *cache[FAKE_CTL_MAX_WATCHES]; /* arrays of objects, owned */
	cJSON *requests;                    /* ["METHOD path", ...] */
	cJSON *bodies;                      /* the request bodies (null when none) */
	cJSON *events;                      /* ["Type Reason message", ...] */
	cJSON *enqueued;                    /* keys */
	int unsatisfied;                    /* satisfied() answers 0 while set */
	int pending;                        /* expected creations + deletions */
	int created, fail_creates;          /* POSTs served; fail that many first */
	char last_create_error[256];
} fake_ctl_t;

static const char *fake_ctl_str(const cJSON *obj, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj, a), b);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static char *fake_ctl_key(const cJSON *obj)
{
	const char *ns = fake_ctl_str(obj, "metadata", "namespace");
	const char *name = fake_ctl_str(obj, "metadata", "name");
	char *key = malloc(strlen(ns ? ns : "") + strlen(name ? name : "") + 2);

	if (ns != NULL)
		sprintf(key, "%s/%s", ns, name ? name : "");
	else
		strcpy(key, name ? name : "");
	return key;
}

static void fake_ctl_enqueue(void *ctx, const char *key)
{
	cJSON_AddItemToArray(((fake_ctl_t *)ctx)->enqueued, cJSON_CreateString(key));
}

static void fake_ctl_enqueue_after(void *ctx, const char *key, int64_t ms)
{
	fake_ctl_enqueue(ctx, key);
}

static int fake_ctl_find(fake_ctl_t *f, size_t watch, const char *key)
{
	int i = 0;
	const cJSON *o;

	cJSON_ArrayForEach(o, f->cache[watch]) {
		char *k = fake_ctl_key(o);
		int same = strcmp(k, key) == 0;

		free(k);
		if (same)
			return i;
		i++;
	}
	return -1;
}

static cJSON *fake_ctl_get(void *ctx, size_t watch, const char *key)
{
	fake_ctl_t *f = ctx;
	int i = fake_ctl_find(f, watch, key);

	return i < 0 ? NULL : cJSON_Duplicate(cJSON_GetArrayItem(f->cache[watch], i), 1);
}

static int fake_ctl_owned(const cJSON *obj, const char *uid)
{
	const cJSON *ref;

	cJSON_ArrayForEach(ref, cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(obj, "metadata"), "ownerReferences")) {
		const cJSON *u = cJSON_GetObjectItemCaseSensitive(ref, "uid");
		if (cJSON_IsString(u) && strcmp(u->valuestring, uid) == 0)
			return 1;
	}
	return 0;
}

static size_t fake_ctl_list(void *ctx, size_t watch, const char *ns, const char *owner_uid,
                            int (*fn)(void *arg, const cJSON *obj), void *arg)
{
	fake_ctl_t *f = ctx;
	const cJSON *o;
	size_t n = 0;

	cJSON_ArrayForEach(o, f->cache[watch]) {
		const char *ons = fake_ctl_str(o, "metadata", "namespace");

		if (ns != NULL && (ons == NULL || strcmp(ns, ons) != 0))
			continue;
		if (owner_uid != NULL && !fake_ctl_owned(o, owner_uid))
			continue;
		n++;
		if (fn(arg, o) != 0)
			break;
	}
	return n;
}

/* Expectations: one pending count for all keys; the test settles them
 * (fake_ctl_observe_all) where the informer would have caught up. */
static void fake_ctl_expect(void *ctx, const char *key, int n)
{
	((fake_ctl_t *)ctx)->pending += n;
}
static void fake_ctl_expect_del(void *ctx, const char *key, const char *obj)
{
	((fake_ctl_t *)ctx)->pending++;
}
static void fake_ctl_observed(void *ctx, const char *key)
{
	((fake_ctl_t *)ctx)->pending--;
}
static void fake_ctl_del_observed(void *ctx, const char *key, const char *obj)
{
	((fake_ctl_t *)ctx)->pending--;
}
static int fake_ctl_satisfied(void *ctx, const char *key)
{
	return !((fake_ctl_t *)ctx)->unsatisfied && ((fake_ctl_t *)ctx)->pending <= 0;
}
__attribute__((unused))
static void fake_ctl_observe_all(fake_ctl_t *f)
{
	f->pending = 0;
}
static void fake_ctl_forget(void *ctx, const char *key) {}

__attribute__((format(printf, 6, 7)))
static void fake_ctl_event(void *ctx, size_t watch, const cJSON *obj, const char *type,
                           const char *reason, const char *fmt, ...)
{
	fake_ctl_t *f = ctx;
	char msg[1024], line[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "%s %s %s", type, reason, msg);
	cJSON_AddItemToArray(f->events, cJSON_CreateString(line));
}

/* The watch whose resource the path names ("/.../pods/x" -> pods). */
static int fake_ctl_watch_of(fake_ctl_t *f, const char *path, char *ns, char *name, int *status)
{
	char buf[512], *parts[12];
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = strtok(buf, "/"); p != NULL && n < 12; p = strtok(NULL, "/"))
		parts[n++] = p;
	ns[0] = name[0] = '\0';
	*status = 0;
	for (int i = 0; i < n; i++) {
		if (strcmp(parts[i], "namespaces") == 0 && i + 1 < n)
			snprintf(ns, 128, "%s", parts[i + 1]);
		for (size_t w = 0; w < f->n_watches; w++) {
			if (strcmp(parts[i], f->watches[w].resource) != 0 || (i > 0 && strcmp(parts[i - 1], "namespaces") == 0))
				continue;
			if (i + 1 < n)
				snprintf(name, 256, "%s", parts[i + 1]);
			*status = i + 2 < n && strcmp(parts[i + 2], "status") == 0;
			return (int)w;
		}
	}
	return -1;
}

static void fake_ctl_merge(cJSON *target, const cJSON *patch)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, patch) {
		cJSON *t = cJSON_GetObjectItemCaseSensitive(target, p->string);

		if (cJSON_IsObject(p) && cJSON_IsObject(t)) {
			fake_ctl_merge(t, p);
			continue;
		}
		cJSON_DeleteItemFromObjectCaseSensitive(target, p->string);
		if (!cJSON_IsNull(p))
			cJSON_AddItemToObject(target, p->string, cJSON_Duplicate(p, 1));
	}
}

static int fake_ctl_request(void *ctx, const char *method, const char *path, const cJSON *body,
                            const char *content_type, cJSON **out, k8c_error_t *err)
{
	fake_ctl_t *f = ctx;
	char line[600], ns[128], name[256], key[400];
	int status, w = fake_ctl_watch_of(f, path, ns, name, &status), i;

	snprintf(line, sizeof(line), "%s %s", method, path);
	cJSON_AddItemToArray(f->requests, cJSON_CreateString(line));
	cJSON_AddItemToArray(f->bodies, body ? cJSON_Duplicate(body, 1) : cJSON_CreateNull());
	if (out != NULL)
		*out = NULL;
	if (w < 0)
		return k8c_error_make(err, K8C_ENOTFOUND, "no such resource");
	snprintf(key, sizeof(key), "%s%s%s", ns, ns[0] ? "/" : "", name);
	if (strcmp(method, "POST") == 0) {
		cJSON *obj = cJSON_Duplicate(body, 1), *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
		const char *gn = fake_ctl_str(obj, "metadata", "generateName");
		char buf[300];

		if (f->fail_creates > 0) {
			f->fail_creates--;
			cJSON_Delete(obj);
			return k8c_error_make(err, K8C_EPERM, "%s", f->last_create_error);
		}
		if (gn != NULL && fake_ctl_str(obj, "metadata", "name") == NULL) {
			snprintf(buf, sizeof(buf), "%s%05d", gn, ++f->created);
			cJSON_AddStringToObject(meta, "name", buf);
		}
		snprintf(buf, sizeof(buf), "uid-%s", fake_ctl_str(obj, "metadata", "name"));
		cJSON_AddStringToObject(meta, "uid", buf);
		snprintf(buf, sizeof(buf), "2024-01-01T00:%02d:%02dZ", (f->created / 60) % 60, f->created % 60);
		cJSON_AddStringToObject(meta, "creationTimestamp", buf);
		{
			char *k = fake_ctl_key(obj);
			if (fake_ctl_find(f, (size_t)w, k) >= 0) {
				free(k);
				cJSON_Delete(obj);
				return k8c_error_make(err, K8C_EEXIST, "already exists");
			}
			free(k);
		}
		cJSON_AddItemToArray(f->cache[w], cJSON_Duplicate(obj, 1));
		if (out != NULL)
			*out = obj;
		else
			cJSON_Delete(obj);
		return 0;
	}
	i = fake_ctl_find(f, (size_t)w, key);
	if (i < 0)
		return k8c_error_make(err, K8C_ENOTFOUND, "\"%s\" not found", name);
	if (strcmp(method, "DELETE") == 0) {
		cJSON_DeleteItemFromArray(f->cache[w], i);
		return 0;
	}
	if (strcmp(method, "PUT") == 0 && status) {
		cJSON *obj = cJSON_GetArrayItem(f->cache[w], i);
		cJSON_DeleteItemFromObjectCaseSensitive(obj, "status");
		cJSON_AddItemToObject(obj, "status",
		                      cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(body, "status"), 1));
	} else if (strcmp(method, "PATCH") == 0 && content_type != NULL &&
	           strcmp(content_type, K8C_PATCH_MERGE) == 0) {
		fake_ctl_merge(cJSON_GetArrayItem(f->cache[w], i), body);
	}
	if (out != NULL)
		*out = cJSON_Duplicate(cJSON_GetArrayItem(f->cache[w], i), 1);
	return 0;
}

/* Number of recorded requests that start with prefix. */
__attribute__((unused))
static int fake_ctl_count(const fake_ctl_t *f, const char *prefix)
{
	const cJSON *r;
	int n = 0;

	cJSON_ArrayForEach(r, f->requests)
		n += strncmp(r->valuestring, prefix, strlen(prefix)) == 0;
	return n;
}

__attribute__((unused))
static int fake_ctl_events(const fake_ctl_t *f, const char *prefix)
{
	const cJSON *r;
	int n = 0;

	cJSON_ArrayForEach(r, f->events)
		n += strncmp(r->valuestring, prefix, strlen(prefix)) == 0;
	return n;
}

__attribute__((unused))
static void fake_ctl_reset_log(fake_ctl_t *f)
{
	cJSON_Delete(f->requests);
	cJSON_Delete(f->bodies);
	cJSON_Delete(f->events);
	cJSON_Delete(f->enqueued);
	f->requests = cJSON_CreateArray();
	f->bodies = cJSON_CreateArray();
	f->events = cJSON_CreateArray();
	f->enqueued = cJSON_CreateArray();
}

__attribute__((unused))
static void fake_ctl_init(fake_ctl_t *f, const k8c_controller_watch_t *watches, size_t n)
{
	memset(f, 0, sizeof(*f));
	fake_host_init(&f->fh);
	f->watches = watches;
	f->n_watches = n;
	for (size_t i = 0; i < n && i < FAKE_CTL_MAX_WATCHES; i++)
		f->cache[i] = cJSON_CreateArray();
	f->ch = (k8c_controller_host_t){
		.struct_size = sizeof(k8c_controller_host_t), .ctx = f,
		.enqueue = fake_ctl_enqueue, .enqueue_after = fake_ctl_enqueue_after,
		.get = fake_ctl_get, .list = fake_ctl_list,
		.expect_creations = fake_ctl_expect, .expect_deletion = fake_ctl_expect_del,
		.creation_observed = fake_ctl_observed, .deletion_observed = fake_ctl_del_observed,
		.satisfied = fake_ctl_satisfied, .forget = fake_ctl_forget, .event = fake_ctl_event,
	};
	f->client = (k8c_client_api_t){.struct_size = sizeof(k8c_client_api_t),
	                               .request = fake_ctl_request};
	f->fh.host.controller = &f->ch;
	f->fh.host.client = &f->client;
	f->fh.host.client_ctx = f;
	fake_ctl_reset_log(f);
}

__attribute__((unused))
static void fake_ctl_free(fake_ctl_t *f)
{
	for (size_t i = 0; i < FAKE_CTL_MAX_WATCHES; i++)
		cJSON_Delete(f->cache[i]);
	cJSON_Delete(f->requests);
	cJSON_Delete(f->bodies);
	cJSON_Delete(f->events);
	cJSON_Delete(f->enqueued);
	pthread_mutex_destroy(&f->fh.lock);
}

#endif
