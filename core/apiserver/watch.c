/* WATCH: a chunked stream of {"type":...,"object":...} lines.  Each watcher
 * has its own store watch (the store replays history from the requested
 * revision and then delivers live events without a gap), a bounded queue
 * (a watcher that falls too far behind is ended: it resumes from its last
 * resourceVersion), selectors, bookmarks and a timeout. */
#define K8C_LOG_COMPONENT "watch"
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "apiserver/kinds/util.h"
#include "apiserver/list.h"
#include "apiserver/metrics.h"
#include "apiserver/watch_hub.h"
#include "common/json_print.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/timestamp.h"

#define QUEUE_MAX 4096            /* events a watcher may have pending */
#define QUEUE_MAX_BYTES (32u << 20) /* and bytes */
#define BOOKMARK_NS (60LL * 1000000000LL)

typedef struct line {
	char *text;
	size_t len;
	struct line *next;
} line_t;

typedef struct watcher {
	pthread_mutex_t lock;
	void (*wake)(void *arg);   /* the parked transport's, set by watch_arm */
	void *wake_arg;
	line_t *head, *tail;
	size_t queued;
	size_t queued_bytes;
	int ended;                 /* the store side ended (or overflow) */
	int64_t last_rv;           /* newest revision delivered or queued */
	k8c_store_watch_t *sw;     /* own store watch, when the hub cannot serve the start */
	k8c_hub_sink_t sink;       /* subscription to the resource's hub */
	int subscribed;            /* to the hub: unsubscribe when freed, even if it ended us */
	k8c_apiserver_t *srv;
	const k8c_kind_t *kind;
	k8c_selectors_t sel;
	char *ns;                  /* owned or NULL */
	int table, bookmarks;
	int counted;               /* included in the watchers gauge */
	int64_t deadline_ns, next_bookmark_ns;
} watcher_t;

/* Tell the parked transport that next() has something; w->lock held. */
static void notify(watcher_t *w)
{
	void (*wake)(void *) = w->wake;

	w->wake = NULL;
	if (wake != NULL)
		wake(w->wake_arg);
}

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* A line from an object already serialised by the hub. */
static char *render_json(const watcher_t *w, const char *type, const char *json, const cJSON *obj)
{
	if (w->table) {
		cJSON *arr = cJSON_CreateArray(), *ev = cJSON_CreateObject();
		char *s, *line;
		cJSON_AddItemToArray(arr, cJSON_Duplicate(obj, 1));
		cJSON_AddStringToObject(ev, "type", type);
		cJSON_AddItemToObject(ev, "object", k8c_table(w->kind, arr, NULL, 1));
		cJSON_Delete(arr);
		s = k8c_json_print(ev, NULL);
		cJSON_Delete(ev);
		line = k8c_xasprintf("%s\n", s);
		free(s);
		return line;
	}
	return k8c_xasprintf("{\"type\":\"%s\",\"object\":%s}\n", type, json);
}

static char *render(const watcher_t *w, const char *type, cJSON *obj)
{
	cJSON *ev = cJSON_CreateObject();
	char *s, *line;

	cJSON_AddStringToObject(ev, "type", type);
	if (w->table && strcmp(type, "BOOKMARK") != 0 && strcmp(type, "ERROR") != 0) {
		cJSON *arr = cJSON_CreateArray();
		cJSON_AddItemToArray(arr, obj);
		cJSON_AddItemToObject(ev, "object", k8c_table(w->kind, arr, NULL, 1));
		cJSON_Delete(arr);
	} else {
		cJSON_AddItemToObject(ev, "object", obj);
	}
	s = k8c_json_print(ev, NULL);
	cJSON_Delete(ev);
	line = k8c_xasprintf("%s\n", s);
	free(s);
	return line;
}

/* Queue a line; called with w->lock held. */
static void enqueue(watcher_t *w, char *text)
{
	line_t *l = k8c_xcalloc(1, sizeof(*l));

	l->text = text;
	l->len = strlen(text);
	if (w->tail)
		w->tail->next = l;
	else
		w->head = l;
	w->tail = l;
	w->queued++;
	w->queued_bytes += l->len;
	notify(w);
}

static int in_scope(const watcher_t *w, const cJSON *obj)
{
	const char *ns = k8c_jstr(obj, "metadata.namespace");

	if (w->ns != NULL && (ns == NULL || strcmp(ns, w->ns) != 0))
		return 0;
	return k8c_selectors_match(w->kind, &w->sel, obj);
}

static void on_store_event(void *udata, const k8c_store_event_t *ev, const k8c_error_t *end)
{
	watcher_t *w = udata;
	cJSON *cur = NULL, *prev = NULL;
	const char *type = NULL;
	int64_t rev;

	if (ev == NULL) {
		pthread_mutex_lock(&w->lock);
		if (end != NULL && end->code == K8C_EEXPIRED)
			enqueue(w, k8c_xstrdup("{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"too old resource version\",\"reason\":\"Expired\",\"code\":410}}\n"));
		w->ended = 1;
		notify(w);
		pthread_mutex_unlock(&w->lock);
		return;
	}
	rev = ev->kv->mod_revision;
	if (ev->prev_kv != NULL)
		prev = k8c_storage_decode(w->kind, ev->prev_kv->value, ev->prev_kv->value_len,
		                          ev->type == K8C_STORE_DELETE ? rev : ev->prev_kv->mod_revision);
	if (ev->type == K8C_STORE_PUT)
		cur = k8c_storage_decode(w->kind, ev->kv->value, ev->kv->value_len, rev);
	{
		int was = prev != NULL && in_scope(w, prev);
		int is = cur != NULL && in_scope(w, cur);
		if (ev->type == K8C_STORE_DELETE && was)
			type = "DELETED";
		else if (is && was)
			type = "MODIFIED";
		else if (is)
			type = "ADDED";
		else if (was && cur != NULL) {
			/* no longer matches: a DELETED of its new state */
			type = "DELETED";
		}
	}
	pthread_mutex_lock(&w->lock);
	w->last_rv = rev;
	if (type != NULL && !w->ended) {
		cJSON *obj = cur != NULL ? cur : prev;
		if (obj == prev)
			prev = NULL;
		else
			cur = NULL;
		if (w->queued >= QUEUE_MAX || w->queued_bytes >= QUEUE_MAX_BYTES) {
			K8C_WARN("watcher of %s fell %zu events (%zu bytes) behind: closing it (it resumes from its last resourceVersion)",
			         w->kind->resource, w->queued, w->queued_bytes);
			w->ended = 1;
			notify(w);
			cJSON_Delete(obj);
		} else {
			enqueue(w, render(w, type, obj));
		}
	}
	pthread_mutex_unlock(&w->lock);
	cJSON_Delete(cur);
	cJSON_Delete(prev);
}

/* --- hub sink -------------------------------------------------------------- */

static void sink_deliver(void *ctx, const char *type, const char *json, const cJSON *obj)
{
	watcher_t *w = ctx;

	pthread_mutex_lock(&w->lock);
	w->last_rv = k8c_storage_rv(obj);
	if (!w->ended) {
		if (w->queued >= QUEUE_MAX || w->queued_bytes >= QUEUE_MAX_BYTES) {
			K8C_WARN("watcher of %s fell %zu events (%zu bytes) behind: closing it (it resumes from its last resourceVersion)",
			         w->kind->resource, w->queued, w->queued_bytes);
			w->ended = 1;
			notify(w);
		} else {
			enqueue(w, render_json(w, type, json, obj));
		}
	}
	pthread_mutex_unlock(&w->lock);
}

static int sink_match(void *ctx, const cJSON *obj)
{
	return in_scope(ctx, obj);
}

static void sink_end(void *ctx)
{
	watcher_t *w = ctx;

	pthread_mutex_lock(&w->lock);
	w->ended = 1;
	notify(w);
	pthread_mutex_unlock(&w->lock);
}

static int shutting_down(const watcher_t *w)
{
	return __atomic_load_n(&w->srv->shutting_down, __ATOMIC_RELAXED);
}

/* The next line, or 0 when there is none yet (then watch_arm). */
static long watch_next(void *ctx, char **buf)
{
	watcher_t *w = ctx;
	int64_t now = mono_ns();
	line_t *l;
	long n;

	pthread_mutex_lock(&w->lock);
	w->wake = NULL; /* the transport is running: nobody to wake */
	if (w->head == NULL) {
		if (w->ended || shutting_down(w) || now >= w->deadline_ns) {
			pthread_mutex_unlock(&w->lock);
			return -1;
		}
		if (!w->bookmarks || now < w->next_bookmark_ns || w->last_rv <= 0) {
			pthread_mutex_unlock(&w->lock);
			return 0;
		}
		{
			char rv[32];
			cJSON *b = cJSON_CreateObject(), *md;
			_cleanup_free_ char *av = w->kind->group[0]
			        ? k8c_xasprintf("%s/%s", w->kind->group, w->kind->version)
			        : k8c_xstrdup(w->kind->version);
			snprintf(rv, sizeof(rv), "%lld", (long long)w->last_rv);
			cJSON_AddStringToObject(b, "kind", w->kind->kind);
			cJSON_AddStringToObject(b, "apiVersion", av);
			md = cJSON_AddObjectToObject(b, "metadata");
			cJSON_AddStringToObject(md, "resourceVersion", rv);
			enqueue(w, render(w, "BOOKMARK", b));
			w->next_bookmark_ns = now + BOOKMARK_NS;
		}
	}
	l = w->head;
	w->head = l->next;
	if (w->head == NULL)
		w->tail = NULL;
	w->queued--;
	w->queued_bytes -= l->len;
	pthread_mutex_unlock(&w->lock);
	*buf = l->text;
	n = (long)l->len;
	free(l);
	return n;
}

/* Park until an event, the end, the timeout or a bookmark is due. */
static int watch_arm(void *ctx, int (*park)(void *arg), void (*wake)(void *arg), void *arg,
                     int64_t *wake_at_ns)
{
	watcher_t *w = ctx;
	int64_t now = mono_ns(), at = w->deadline_ns;
	int ret = 0;

	pthread_mutex_lock(&w->lock);
	if (w->bookmarks && w->last_rv > 0 && w->next_bookmark_ns < at)
		at = w->next_bookmark_ns;
	if (w->head != NULL || w->ended || shutting_down(w) || now >= at) {
		ret = 1;
	} else {
		*wake_at_ns = at;
		if (park(arg) < 0) {
			ret = -1;
		} else {
			w->wake = wake;
			w->wake_arg = arg;
		}
	}
	pthread_mutex_unlock(&w->lock);
	return ret;
}

static void watcher_free(void *ctx)
{
	watcher_t *w = ctx;

	/* the transport is done with us: wake nobody (and wait out a wake
	 * that is under way, which runs under w->lock) */
	pthread_mutex_lock(&w->lock);
	w->wake = NULL;
	pthread_mutex_unlock(&w->lock);
	if (w->sw != NULL)
		w->srv->store->watch_cancel(w->srv->store_cookie, w->sw);
	/* also when the hub ended us: this waits until its end loop (under
	 * the hub's lock) is past our sink */
	if (w->subscribed)
		k8c_hub_unsubscribe(w->srv, w->kind, &w->sink);
	if (w->counted)
		k8c_metrics_watchers(w->kind, -1);
	while (w->head != NULL) {
		line_t *l = w->head;
		w->head = l->next;
		free(l->text);
		free(l);
	}
	k8c_selectors_free(&w->sel);
	free(w->ns);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

typedef struct initial {
	watcher_t *w;
} initial_t;

static int initial_kv(void *udata, const k8c_store_kv_t *kv)
{
	initial_t *in = udata;
	cJSON *obj = k8c_storage_decode(in->w->kind, kv->value, kv->value_len, kv->mod_revision);

	if (obj != NULL && in_scope(in->w, obj))
		enqueue(in->w, render(in->w, "ADDED", obj));
	else
		cJSON_Delete(obj);
	return 0;
}

void k8c_handle_watch(k8c_apiserver_t *srv, const k8c_api_request_t *req, const k8c_route_t *r,
                      k8c_api_response_t *resp)
{
	const char *rv_s = k8c_api_param(req, "resourceVersion");
	const char *timeout_s = k8c_api_param(req, "timeoutSeconds");
	_cleanup_free_ char *prefix = k8c_storage_key(r->kind, r->ns, NULL);
	_cleanup_free_ char *end = k8c_storage_prefix_end(prefix);
	watcher_t *w;
	int64_t start = 0;
	long long timeout = 1800 + rand() % 1800; /* Kubernetes' min-request-timeout spread */
	k8c_error_t err;
	int ret;

	if (!(r->kind->verbs & K8C_VERB_WATCH)) {
		k8c_api_respond_status(resp, 405, "MethodNotAllowed", NULL,
		                       "the server does not allow this method on the requested resource");
		return;
	}
	if (rv_s != NULL && rv_s[0] && strcmp(rv_s, "0") != 0) {
		char *e;
		long long v = strtoll(rv_s, &e, 10);
		if (*e != '\0' || v < 0) {
			k8c_api_respond_status(resp, 400, "BadRequest", NULL,
			                       "invalid resource version: %s", rv_s);
			return;
		}
		if (k8c_wait_revision(srv, v, resp) < 0)
			return; /* ahead of the store: the client must list anew */
		start = v + 1;
	}
	if (timeout_s != NULL && atoll(timeout_s) > 0)
		timeout = atoll(timeout_s);
	w = k8c_xcalloc(1, sizeof(*w));
	pthread_mutex_init(&w->lock, NULL);
	w->srv = srv;
	w->kind = r->kind;
	w->ns = r->ns ? k8c_xstrdup(r->ns) : NULL;
	w->table = k8c_wants_table(req);
	w->bookmarks = k8c_api_param_bool(req, "allowWatchBookmarks");
	w->deadline_ns = mono_ns() + timeout * 1000000000LL;
	w->next_bookmark_ns = mono_ns() + BOOKMARK_NS;
	if (k8c_selectors_parse(r->kind, req, &w->sel, resp) < 0) {
		watcher_free(w);
		return;
	}
	if (start == 0) {
		/* "now": the current state as ADDED events, then changes */
		initial_t in = {w};
		k8c_store_range_info_t info = {0};
		pthread_mutex_lock(&w->lock);
		ret = srv->store->range(srv->store_cookie, prefix, end, 0, 0, initial_kv, &in, &info, &err);
		pthread_mutex_unlock(&w->lock);
		if (ret < 0) {
			k8c_respond_error(resp, r->kind, NULL, ret, &err);
			watcher_free(w);
			return;
		}
		start = info.revision + 1;
		w->last_rv = info.revision;
	} else {
		w->last_rv = start - 1;
	}
	w->sink.deliver = sink_deliver;
	w->sink.match = sink_match;
	w->sink.end = sink_end;
	w->sink.ctx = w;
	ret = k8c_hub_subscribe(srv, r->kind, &w->sink, start, &err);
	if (ret == 0) {
		w->subscribed = 1;
		goto streaming;
	}
	if (ret < 0) {
		k8c_respond_error(resp, r->kind, NULL, ret, &err);
		watcher_free(w);
		return;
	}
	ret = srv->store->watch(srv->store_cookie, prefix, end, start, on_store_event, w, NULL, &w->sw, &err);
	if (ret == -K8C_EEXPIRED) {
		/* as Kubernetes: 200 and an ERROR event with the 410 Status */
		pthread_mutex_lock(&w->lock);
		enqueue(w, k8c_xasprintf("{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"too old resource version: %lld\",\"reason\":\"Expired\",\"code\":410}}\n",
		                         (long long)(start - 1)));
		w->ended = 1;
		pthread_mutex_unlock(&w->lock);
		w->sw = NULL;
	} else if (ret < 0) {
		w->sw = NULL;
		k8c_respond_error(resp, r->kind, NULL, ret, &err);
		watcher_free(w);
		return;
	}
streaming:
	w->counted = 1;
	k8c_metrics_watchers(w->kind, 1);
	resp->code = 200;
	resp->content_type = w->table ? "application/json;as=Table;v=v1;g=meta.k8s.io" : "application/json";
	resp->stream.next = watch_next;
	resp->stream.arm = watch_arm;
	resp->stream.free_fn = watcher_free;
	resp->stream.ctx = w;
}
