/* Event recorder (see recorder.h): core/v1 Events posted in order by a
 * thread of their own so that the component never waits for them.  Named
 * as Kubernetes names them (OBJECT.<hex nanoseconds>), with source
 * COMPONENT/HOST.  When the API server falls far behind, events beyond a
 * bounded queue are dropped and counted in the log, as client-go's event
 * broadcaster drops them.
 *
 * Repeats are correlated as client-go's event recorder does: an event
 * equal to one already posted (same object, field path, type, reason and
 * message; the last SEEN_MAX remembered) is a PATCH of that Event's count
 * and lastTimestamp — what `kubectl describe` shows as "(x5 over 2m)". */
#define K8C_LOG_COMPONENT "events"
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "client/recorder.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/strmap.h"
#include "common/timestamp.h"

#define MAX_QUEUED 10000
#define SEEN_MAX 4096 /* client-go's event cache holds as many */

typedef struct kevent {
	cJSON *obj;   /* owned */
	char *path;   /* owned: the events collection of its namespace */
	int repeat;   /* PATCH path/NAME with count and lastTimestamp, POST if gone */
	struct kevent *next;
} kevent_t;

/* An event posted before, by its correlation key. */
typedef struct seen {
	char *key;               /* owned; also the map's key */
	char *name, *first;      /* owned: the Event's name, firstTimestamp */
	long count;
	struct seen *prev, *next; /* most recently used first */
} seen_t;

struct k8c_recorder {
	k8c_client_t *client;   /* borrowed */
	char *component;        /* owned */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	kevent_t *head, *tail;
	size_t n;
	uint64_t dropped;
	int stop;
	int64_t stop_deadline; /* monotonic */
	pthread_t thread;
	k8c_strmap_t seen;       /* key -> seen_t* (owned) */
	seen_t *lru_head, *lru_tail;
	size_t n_seen;
};

static void seen_unlink(k8c_recorder_t *ev, seen_t *s)
{
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		ev->lru_head = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	else
		ev->lru_tail = s->prev;
	s->prev = s->next = NULL;
}

static void seen_push(k8c_recorder_t *ev, seen_t *s)
{
	s->next = ev->lru_head;
	if (ev->lru_head != NULL)
		ev->lru_head->prev = s;
	ev->lru_head = s;
	if (ev->lru_tail == NULL)
		ev->lru_tail = s;
}

static void seen_free(seen_t *s)
{
	free(s->key);
	free(s->name);
	free(s->first);
	free(s);
}

/* Correlate o (not yet queued) with the events seen; ev->lock held.
 * Returns 1 when it repeats one: o then carries that Event's name, first
 * timestamp and the new count. */
static int correlate(k8c_recorder_t *ev, cJSON *o, const char *key)
{
	seen_t *s = k8c_strmap_get(&ev->seen, key);

	if (s != NULL) {
		seen_unlink(ev, s);
		seen_push(ev, s);
		s->count++;
		cJSON_SetValuestring(cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(o, "metadata"), "name"), s->name);
		cJSON_SetValuestring(cJSON_GetObjectItemCaseSensitive(o, "firstTimestamp"), s->first);
		cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "count"), (double)s->count);
		return 1;
	}
	if (ev->n_seen >= SEEN_MAX) {
		seen_t *old = ev->lru_tail;
		seen_unlink(ev, old);
		k8c_strmap_remove(&ev->seen, old->key);
		seen_free(old);
		ev->n_seen--;
	}
	s = k8c_xcalloc(1, sizeof(*s));
	s->key = k8c_xstrdup(key);
	s->name = k8c_xstrdup(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(o, "metadata"), "name")));
	s->first = k8c_xstrdup(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "firstTimestamp")));
	s->count = 1;
	k8c_strmap_put(&ev->seen, s->key, s);
	seen_push(ev, s);
	ev->n_seen++;
	return 0;
}

/* Send one event: a repeat patches the Event it repeats (posting it anew
 * when that one is gone, e.g. expired by the event TTL). */
static void post_event(k8c_recorder_t *ev, kevent_t *e)
{
	k8c_error_t err;
	int ret = -1;

	if (e->repeat) {
		const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(e->obj, "metadata"), "name"));
		_cleanup_free_ char *esc = k8c_client_escape(name ? name : "");
		_cleanup_free_ char *path = k8c_xasprintf("%s/%s", e->path, esc);
		cJSON *patch = cJSON_CreateObject();
		cJSON_AddItemToObject(patch, "count",
		                      cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(e->obj, "count"), 1));
		cJSON_AddItemToObject(patch, "lastTimestamp",
		                      cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(e->obj, "lastTimestamp"), 1));
		cJSON_AddItemToObject(patch, "message",
		                      cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(e->obj, "message"), 1));
		ret = k8c_client_request(ev->client, "PATCH", path, patch,
		                         "application/merge-patch+json", NULL, &err);
		cJSON_Delete(patch);
		if (ret == 0 || err.code != K8C_ENOTFOUND) {
			if (ret < 0)
				K8C_DEBUG("event: %s", err.message);
			return;
		}
	}
	if (k8c_client_request(ev->client, "POST", e->path, e->obj, NULL, NULL, &err) < 0 &&
	    err.code != K8C_ENOTFOUND)
		K8C_DEBUG("event: %s", err.message);
}

static void *events_thread(void *arg)
{
	k8c_recorder_t *ev = arg;
	pthread_setname_np(pthread_self(), "k8c-events");

	for (;;) {
		kevent_t *e;

		pthread_mutex_lock(&ev->lock);
		while (ev->head == NULL && !ev->stop)
			pthread_cond_wait(&ev->cond, &ev->lock);
		e = ev->head;
		/* at stop, what is queued gets 5 s to go out */
		if (e != NULL && ev->stop && k8c_time_monotonic_ns() > ev->stop_deadline) {
			ev->dropped += ev->n;
			while (ev->head != NULL) {
				e = ev->head;
				ev->head = e->next;
				cJSON_Delete(e->obj);
				free(e->path);
				free(e);
			}
			ev->tail = NULL;
			ev->n = 0;
			e = NULL;
		}
		if (e == NULL) {
			pthread_mutex_unlock(&ev->lock);
			return NULL;
		}
		ev->head = e->next;
		if (ev->head == NULL)
			ev->tail = NULL;
		ev->n--;
		pthread_mutex_unlock(&ev->lock);
		post_event(ev, e);
		cJSON_Delete(e->obj);
		free(e->path);
		free(e);
	}
}

k8c_recorder_t *k8c_recorder_new(k8c_client_t *client, const char *component)
{
	k8c_recorder_t *ev = k8c_xcalloc(1, sizeof(*ev));

	ev->client = client;
	ev->component = k8c_xstrdup(component);
	pthread_mutex_init(&ev->lock, NULL);
	pthread_cond_init(&ev->cond, NULL);
	k8c_strmap_init(&ev->seen);
	pthread_create(&ev->thread, NULL, events_thread, ev);
	return ev;
}

void k8c_recorder_free(k8c_recorder_t *ev)
{
	if (ev == NULL)
		return;
	pthread_mutex_lock(&ev->lock);
	ev->stop = 1;
	ev->stop_deadline = k8c_time_monotonic_ns() + 5000000000LL;
	pthread_cond_broadcast(&ev->cond);
	pthread_mutex_unlock(&ev->lock);
	pthread_join(ev->thread, NULL);
	if (ev->dropped > 0)
		K8C_WARN("%s: %llu events were dropped: the API server fell behind", ev->component,
		         (unsigned long long)ev->dropped);
	while (ev->lru_head != NULL) {
		seen_t *s = ev->lru_head;
		ev->lru_head = s->next;
		seen_free(s);
	}
	k8c_strmap_free(&ev->seen);
	pthread_cond_destroy(&ev->cond);
	pthread_mutex_destroy(&ev->lock);
	free(ev->component);
	free(ev);
}

void k8c_recorder_event(k8c_recorder_t *ev, const k8c_event_ref_t *ref, const char *type,
                        const char *reason, const char *fmt, ...)
{
	cJSON *o, *md, *io, *src;
	char now[K8C_TIME_STRLEN];
	int64_t t = k8c_time_now_ns();
	_cleanup_free_ char *msg = NULL, *name = NULL, *ns = NULL, *key = NULL;
	const char *ref_ns = ref->ns != NULL && *ref->ns ? ref->ns : "default";
	kevent_t *e;
	va_list ap;

	if (ev == NULL)
		return;
	va_start(ap, fmt);
	msg = k8c_xvasprintf(fmt, ap);
	va_end(ap);
	K8C_DEBUG("%s %s/%s: %s %s: %s", ref->kind, ref_ns, ref->name, type, reason, msg);
	name = k8c_xasprintf("%s.%llx", ref->name, (unsigned long long)t);
	ns = k8c_client_escape(ref_ns);
	k8c_time_format(t, now);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "apiVersion", "v1");
	cJSON_AddStringToObject(o, "kind", "Event");
	md = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(md, "name", name);
	cJSON_AddStringToObject(md, "namespace", ref_ns);
	io = cJSON_AddObjectToObject(o, "involvedObject");
	cJSON_AddStringToObject(io, "apiVersion", ref->api_version ? ref->api_version : "v1");
	cJSON_AddStringToObject(io, "kind", ref->kind);
	if (ref->ns != NULL && *ref->ns)
		cJSON_AddStringToObject(io, "namespace", ref->ns);
	cJSON_AddStringToObject(io, "name", ref->name);
	if (ref->uid != NULL)
		cJSON_AddStringToObject(io, "uid", ref->uid);
	if (ref->field_path != NULL)
		cJSON_AddStringToObject(io, "fieldPath", ref->field_path);
	cJSON_AddStringToObject(o, "reason", reason);
	cJSON_AddStringToObject(o, "message", msg);
	cJSON_AddStringToObject(o, "type", type);
	src = cJSON_AddObjectToObject(o, "source");
	cJSON_AddStringToObject(src, "component", ev->component);
	if (ref->host != NULL)
		cJSON_AddStringToObject(src, "host", ref->host);
	cJSON_AddStringToObject(o, "firstTimestamp", now);
	cJSON_AddStringToObject(o, "lastTimestamp", now);
	cJSON_AddNumberToObject(o, "count", 1);
	cJSON_AddStringToObject(o, "reportingComponent", ev->component);
	cJSON_AddStringToObject(o, "reportingInstance", ref->host ? ref->host : "");

	key = k8c_xasprintf("%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s", ref->host ? ref->host : "",
	                    ref->kind, ref_ns, ref->name, ref->uid ? ref->uid : "",
	                    ref->field_path ? ref->field_path : "", type, reason, msg);
	e = k8c_xcalloc(1, sizeof(*e));
	e->obj = o;
	e->path = k8c_xasprintf("/api/v1/namespaces/%s/events", ns);
	pthread_mutex_lock(&ev->lock);
	if (ev->n < MAX_QUEUED && !ev->stop)
		e->repeat = correlate(ev, o, key);
	if (ev->n >= MAX_QUEUED || ev->stop) {
		ev->dropped++;
		pthread_mutex_unlock(&ev->lock);
		cJSON_Delete(e->obj);
		free(e->path);
		free(e);
		return;
	}
	if (ev->tail != NULL)
		ev->tail->next = e;
	else
		ev->head = e;
	ev->tail = e;
	ev->n++;
	pthread_cond_signal(&ev->cond);
	pthread_mutex_unlock(&ev->lock);
}
