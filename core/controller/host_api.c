/* What the controller manager offers one controller instance
 * (k8c_controller_host_t), and how a change of a watched object reaches
 * the instance: the plugin's on_change, then the watch table's mapping to a
 * key and the expectations it settles. */
#define K8C_LOG_COMPONENT "controller-manager"
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/json_path.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/timestamp.h"
#include "controller/internal.h"

static void h_enqueue(void *ctx, const char *key)
{
	ctl_instance_t *ci = ctx;

	if (key != NULL)
		k8c_workqueue_add(ci->queue, key);
}

static void h_enqueue_after(void *ctx, const char *key, int64_t delay_ms)
{
	ctl_instance_t *ci = ctx;

	if (key == NULL)
		return;
	if (delay_ms <= 0)
		k8c_workqueue_add(ci->queue, key);
	else
		k8c_workqueue_add_after(ci->queue, key, delay_ms * INT64_C(1000000));
}

static cJSON *h_get(void *ctx, size_t watch, const char *key)
{
	ctl_instance_t *ci = ctx;

	if (watch >= ci->ops->n_watches || key == NULL)
		return NULL;
	return ctl_resource_get(ci->res[watch], key);
}

static size_t h_list(void *ctx, size_t watch, const char *ns, const char *owner_uid,
                     int (*fn)(void *arg, const cJSON *obj), void *arg)
{
	ctl_instance_t *ci = ctx;

	if (watch >= ci->ops->n_watches || fn == NULL)
		return 0;
	return ctl_resource_list(ci->res[watch], ns, owner_uid, fn, arg);
}

static void h_expect_creations(void *ctx, const char *key, int n)
{
	ctl_expect_creations(&((ctl_instance_t *)ctx)->ex, key, n);
}

static void h_expect_deletion(void *ctx, const char *key, const char *obj_key)
{
	ctl_expect_deletion(&((ctl_instance_t *)ctx)->ex, key, obj_key);
}

static void h_creation_observed(void *ctx, const char *key)
{
	ctl_creation_observed(&((ctl_instance_t *)ctx)->ex, key);
}

static void h_deletion_observed(void *ctx, const char *key, const char *obj_key)
{
	ctl_deletion_observed(&((ctl_instance_t *)ctx)->ex, key, obj_key);
}

static int h_satisfied(void *ctx, const char *key)
{
	return ctl_expectations_satisfied(&((ctl_instance_t *)ctx)->ex, key,
	                                  k8c_time_monotonic_ns());
}

static void h_forget(void *ctx, const char *key)
{
	ctl_expectations_forget(&((ctl_instance_t *)ctx)->ex, key);
}

__attribute__((format(printf, 6, 7)))
static void h_event(void *ctx, size_t watch, const cJSON *obj, const char *type,
                    const char *reason, const char *fmt, ...)
{
	ctl_instance_t *ci = ctx;
	const k8c_controller_watch_t *w;
	_cleanup_free_ char *api_version = NULL;
	char msg[1024];
	va_list ap;

	if (watch >= ci->ops->n_watches || obj == NULL)
		return;
	w = &ci->ops->watches[watch];
	api_version = w->group && w->group[0] ? k8c_xasprintf("%s/%s", w->group, w->version)
	                                      : k8c_xstrdup(w->version);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	k8c_recorder_event(ci->recorder,
	                   &(k8c_event_ref_t){.api_version = api_version,
	                                      .kind = w->kind,
	                                      .ns = k8c_jstr(obj, "metadata.namespace"),
	                                      .name = k8c_jstr(obj, "metadata.name"),
	                                      .uid = k8c_jstr(obj, "metadata.uid")},
	                   type, reason, "%s", msg);
}

void ctl_host_init(ctl_instance_t *ci, const cJSON *options)
{
	ci->host = (k8c_controller_host_t){
		.struct_size = sizeof(k8c_controller_host_t),
		.ctx = ci,
		.options = options,
		.enqueue = h_enqueue,
		.enqueue_after = h_enqueue_after,
		.get = h_get,
		.list = h_list,
		.expect_creations = h_expect_creations,
		.expect_deletion = h_expect_deletion,
		.creation_observed = h_creation_observed,
		.deletion_observed = h_deletion_observed,
		.satisfied = h_satisfied,
		.forget = h_forget,
		.event = h_event,
	};
}

/* The key of obj's controller of kind owner_kind, or NULL (caller frees). */
static char *owner_key(const cJSON *obj, const char *owner_kind)
{
	const cJSON *ref = ctl_controller_ref(obj);
	const char *ns = k8c_jstr(obj, "metadata.namespace");
	const char *kind = k8c_jstr(ref, "kind"), *name = k8c_jstr(ref, "name");

	if (ref == NULL || kind == NULL || name == NULL ||
	    (owner_kind != NULL && strcmp(kind, owner_kind) != 0))
		return NULL;
	return ns ? k8c_xasprintf("%s/%s", ns, name) : k8c_xstrdup(name);
}

static int deleting(const cJSON *obj)
{
	return obj != NULL && k8c_jstr(obj, "metadata.deletionTimestamp") != NULL;
}

void ctl_instance_changed(ctl_instance_t *ci, size_t watch, int type, const cJSON *obj,
                          const cJSON *old)
{
	const k8c_controller_watch_t *w = &ci->ops->watches[watch];

	/* first the plugin's own indexes, so that a worker that sees the key
	 * (or satisfied expectations) sees them current */
	if (ci->has_on_change)
		ci->ops->on_change(ci->cookie, watch, type, obj, old);
	if (w->map == K8C_MAP_SELF) {
		_cleanup_free_ char *key = k8c_object_key(obj);
		if (key != NULL)
			k8c_workqueue_add(ci->queue, key);
	} else if (w->map == K8C_MAP_OWNER || w->map == K8C_MAP_OWNER_UNCOUNTED) {
		_cleanup_free_ char *key = owner_key(obj, w->owner_kind);
		_cleanup_free_ char *old_key = old ? owner_key(old, w->owner_kind) : NULL;
		if (key != NULL) {
			_cleanup_free_ char *self = k8c_object_key(obj);
			if (w->map == K8C_MAP_OWNER_UNCOUNTED)
				; /* not among what the expectations count */
			else if (type == K8C_WATCH_ADDED && !deleting(obj))
				ctl_creation_observed(&ci->ex, key);
			else if (type == K8C_WATCH_DELETED || (deleting(obj) && !deleting(old)))
				ctl_deletion_observed(&ci->ex, key, self);
			k8c_workqueue_add(ci->queue, key);
		}
		/* the controller changed (released, adopted by another): both */
		if (old_key != NULL && (key == NULL || strcmp(key, old_key) != 0))
			k8c_workqueue_add(ci->queue, old_key);
	}
}
