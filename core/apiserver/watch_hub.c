/* The watch hub: one store watch per resource, decoded once, fanned out to
 * every watcher of the resource (see watch_hub.h). */
#define K8C_LOG_COMPONENT "watch"
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/watch_hub.h"
#include "common/json_print.h"
#include "common/log.h"
#include "common/mem.h"

#define RING_SIZE 1024     /* recent events kept for watchers that resume */
#define HUB_QUEUE_MAX 100000

/* An event as the store delivered it, copied. */
typedef struct raw_event {
	int64_t rev;
	int deleted;
	char *value;       /* new value, NULL on delete */
	size_t value_len;
	char *prev;        /* previous value or NULL */
	size_t prev_len;
	int64_t prev_rev;
	struct raw_event *next;
} raw_event_t;

/* A decoded event kept in the ring. */
typedef struct ring_event {
	int64_t rev;
	int deleted;
	char *cur;         /* JSON with resourceVersion, NULL on delete */
	char *prev;        /* JSON of the previous state (rev of the delete on a delete), or NULL */
} ring_event_t;

typedef struct k8c_hub {
	k8c_apiserver_t *srv;
	const k8c_kind_t *kind;
	pthread_mutex_t lock;        /* sinks, ring, last_rev */
	pthread_mutex_t qlock;       /* the raw queue */
	pthread_cond_t qcond;
	raw_event_t *head, *tail;
	size_t queued;
	int stopping, ended;
	pthread_t thread;
	k8c_store_watch_t *sw;
	int64_t start_rev;           /* the hub has every event with rev >= start_rev ... */
	int64_t last_rev;            /* ... up to last_rev (processed) */
	ring_event_t ring[RING_SIZE];
	size_t ring_n, ring_first;   /* ring_first: index of the oldest */
	k8c_hub_sink_t *sinks;
} k8c_hub_t;

static void ring_clear(ring_event_t *e)
{
	free(e->cur);
	free(e->prev);
	memset(e, 0, sizeof(*e));
}

static void raw_free(raw_event_t *r)
{
	free(r->value);
	free(r->prev);
	free(r);
}

/* Store writer thread: copy and queue. */
static void on_store(void *udata, const k8c_store_event_t *ev, const k8c_error_t *end)
{
	k8c_hub_t *h = udata;
	raw_event_t *r;

	pthread_mutex_lock(&h->qlock);
	if (ev == NULL) {
		h->ended = 1;
		pthread_cond_signal(&h->qcond);
		pthread_mutex_unlock(&h->qlock);
		return;
	}
	if (h->queued >= HUB_QUEUE_MAX) {
		/* the hub thread cannot keep up: end it, watchers resume */
		K8C_WARN("watch hub of %s fell %d events behind: ending its watchers", h->kind->resource,
		         HUB_QUEUE_MAX);
		h->ended = 1;
		pthread_cond_signal(&h->qcond);
		pthread_mutex_unlock(&h->qlock);
		return;
	}
	r = k8c_xcalloc(1, sizeof(*r));
	r->rev = ev->kv->mod_revision;
	r->deleted = ev->type == K8C_STORE_DELETE;
	if (!r->deleted && ev->kv->value != NULL) {
		r->value = k8c_xmalloc(ev->kv->value_len + 1);
		memcpy(r->value, ev->kv->value, ev->kv->value_len);
		r->value[ev->kv->value_len] = '\0';
		r->value_len = ev->kv->value_len;
	}
	if (ev->prev_kv != NULL && ev->prev_kv->value != NULL) {
		r->prev = k8c_xmalloc(ev->prev_kv->value_len + 1);
		memcpy(r->prev, ev->prev_kv->value, ev->prev_kv->value_len);
		r->prev[ev->prev_kv->value_len] = '\0';
		r->prev_len = ev->prev_kv->value_len;
		r->prev_rev = ev->prev_kv->mod_revision;
	}
	if (h->tail)
		h->tail->next = r;
	else
		h->head = r;
	h->tail = r;
	h->queued++;
	pthread_cond_signal(&h->qcond);
	pthread_mutex_unlock(&h->qlock);
}

/* Which event a sink sees: by whether prev and cur are in its scope. */
static const char *event_type(int deleted, int was, int is)
{
	if (deleted)
		return was ? "DELETED" : NULL;
	if (is)
		return was ? "MODIFIED" : "ADDED";
	return was ? "DELETED" : NULL; /* left the scope */
}

static void fan_out(k8c_hub_t *h, int64_t rev, int deleted, const char *cur_json, const cJSON *cur,
                    const char *prev_json, const cJSON *prev, k8c_hub_sink_t *only)
{
	for (k8c_hub_sink_t *s = only ? only : h->sinks; s != NULL; s = only ? NULL : s->next) {
		int was, is;
		const char *type;
		if (rev < s->min_rev)
			continue;
		was = prev != NULL && s->match(s->ctx, prev);
		is = cur != NULL && s->match(s->ctx, cur);
		type = event_type(deleted, was, is);
		if (type == NULL)
			continue;
		if (deleted)
			s->deliver(s->ctx, type, prev_json, prev);
		else if (is)
			s->deliver(s->ctx, type, cur_json, cur);
		else
			s->deliver(s->ctx, type, cur_json, cur); /* the state that left the scope */
	}
}

static char *print(cJSON *obj)
{
	return obj != NULL ? k8c_json_print(obj, NULL) : NULL;
}

static void process(k8c_hub_t *h, raw_event_t *r)
{
	cJSON *cur = r->value ? k8c_storage_decode(h->kind, r->value, r->value_len, r->rev) : NULL;
	cJSON *prev = r->prev ? k8c_storage_decode(h->kind, r->prev, r->prev_len,
	                                           r->deleted ? r->rev : r->prev_rev)
	                      : NULL;
	char *cur_json = print(cur), *prev_json = print(prev);
	ring_event_t *slot;

	pthread_mutex_lock(&h->lock);
	fan_out(h, r->rev, r->deleted, cur_json, cur, prev_json, prev, NULL);
	if (h->ring_n == RING_SIZE) {
		ring_clear(&h->ring[h->ring_first]);
		h->ring_first = (h->ring_first + 1) % RING_SIZE;
		h->ring_n--;
	}
	slot = &h->ring[(h->ring_first + h->ring_n) % RING_SIZE];
	slot->rev = r->rev;
	slot->deleted = r->deleted;
	slot->cur = cur_json;
	slot->prev = prev_json;
	h->ring_n++;
	h->last_rev = r->rev;
	pthread_mutex_unlock(&h->lock);
	cJSON_Delete(cur);
	cJSON_Delete(prev);
}

static void *hub_thread(void *arg)
{
	k8c_hub_t *h = arg;
	pthread_setname_np(pthread_self(), "k8c-watch-hub");

	for (;;) {
		raw_event_t *r;
		pthread_mutex_lock(&h->qlock);
		while (h->head == NULL && !h->stopping && !h->ended)
			pthread_cond_wait(&h->qcond, &h->qlock);
		if (h->head == NULL) {
			pthread_mutex_unlock(&h->qlock);
			break;
		}
		r = h->head;
		h->head = r->next;
		if (h->head == NULL)
			h->tail = NULL;
		h->queued--;
		pthread_mutex_unlock(&h->qlock);
		process(h, r);
		raw_free(r);
	}
	/* ended: tell every sink; they stop using the hub */
	pthread_mutex_lock(&h->lock);
	for (k8c_hub_sink_t *s = h->sinks; s != NULL; s = s->next)
		s->end(s->ctx);
	h->sinks = NULL;
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

/* A hub that watches from rev + 1.  Called with srv->lock held: only the
 * store's watch, which never leaves the thread (see K8C_STORE_F_NONBLOCKING). */
static k8c_hub_t *hub_start(k8c_apiserver_t *srv, const k8c_kind_t *kind, int64_t rev,
                            k8c_error_t *err)
{
	k8c_hub_t *h = k8c_xcalloc(1, sizeof(*h));
	_cleanup_free_ char *prefix = k8c_storage_key(kind, NULL, NULL);
	_cleanup_free_ char *end = k8c_storage_prefix_end(prefix);

	h->srv = srv;
	h->kind = kind;
	pthread_mutex_init(&h->lock, NULL);
	pthread_mutex_init(&h->qlock, NULL);
	pthread_cond_init(&h->qcond, NULL);
	if (srv->store->watch(srv->store_cookie, prefix, end, rev + 1, on_store, h, NULL, &h->sw, err) < 0) {
		pthread_cond_destroy(&h->qcond);
		pthread_mutex_destroy(&h->qlock);
		pthread_mutex_destroy(&h->lock);
		free(h);
		return NULL;
	}
	h->start_rev = rev + 1;
	h->last_rev = rev;
	if (pthread_create(&h->thread, NULL, hub_thread, h) != 0)
		k8c_die("cannot start a watch hub thread");
	return h;
}

static void hub_stop(k8c_hub_t *h)
{
	h->srv->store->watch_cancel(h->srv->store_cookie, h->sw);
	pthread_mutex_lock(&h->qlock);
	h->stopping = 1;
	pthread_cond_signal(&h->qcond);
	pthread_mutex_unlock(&h->qlock);
	pthread_join(h->thread, NULL);
	while (h->head != NULL) {
		raw_event_t *r = h->head;
		h->head = r->next;
		raw_free(r);
	}
	for (size_t i = 0; i < RING_SIZE; i++)
		ring_clear(&h->ring[i]);
	pthread_cond_destroy(&h->qcond);
	pthread_mutex_destroy(&h->qlock);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

static int kind_slot(const k8c_kind_t *kind)
{
	int i = 0;

	for (const k8c_kind_t *const *k = k8c_kinds; *k != NULL; k++, i++)
		if (*k == kind)
			return i < K8C_MAX_HUBS ? i : -1;
	return -1;
}

int k8c_hub_subscribe(k8c_apiserver_t *srv, const k8c_kind_t *kind, k8c_hub_sink_t *sink,
                      int64_t start, k8c_error_t *err)
{
	int slot = kind_slot(kind);
	int64_t rev = -1;
	k8c_hub_t *h;

	if (slot < 0)
		return 1;
again:
	pthread_mutex_lock(&srv->lock);
	if (srv->shutting_down) {
		pthread_mutex_unlock(&srv->lock);
		return k8c_error_make(err, K8C_EUNAVAIL, "the server is shutting down");
	}
	h = srv->hubs[slot];
	if (h == NULL && rev < 0) {
		/* the store may answer from another thread (a fiber waits): not
		 * under srv->lock, which other fibers of this thread may want */
		pthread_mutex_unlock(&srv->lock);
		if (srv->store->revision(srv->store_cookie, &rev, err) < 0)
			return -K8C_EUNAVAIL;
		goto again;
	}
	if (h == NULL) {
		h = hub_start(srv, kind, rev, err);
		if (h == NULL) {
			pthread_mutex_unlock(&srv->lock);
			return -K8C_EUNAVAIL;
		}
		srv->hubs[slot] = h;
	}
	pthread_mutex_lock(&h->lock);
	pthread_mutex_unlock(&srv->lock);
	if (h->ended) {
		pthread_mutex_unlock(&h->lock);
		return 1;
	}
	/* The hub covers start if it is past what was processed, or the ring
	 * still holds every event from start on. */
	if (start <= h->last_rev) {
		int64_t oldest = h->ring_n ? h->ring[h->ring_first].rev : h->last_rev + 1;
		if (start < h->start_rev || (start < oldest && h->ring_n == RING_SIZE)) {
			pthread_mutex_unlock(&h->lock);
			return 1;
		}
		sink->min_rev = start;
		for (size_t i = 0; i < h->ring_n; i++) {
			ring_event_t *e = &h->ring[(h->ring_first + i) % RING_SIZE];
			cJSON *cur, *prev;
			if (e->rev < start)
				continue;
			cur = e->cur ? cJSON_Parse(e->cur) : NULL;
			prev = e->prev ? cJSON_Parse(e->prev) : NULL;
			fan_out(h, e->rev, e->deleted, e->cur, cur, e->prev, prev, sink);
			cJSON_Delete(cur);
			cJSON_Delete(prev);
		}
	}
	sink->min_rev = start;
	sink->next = h->sinks;
	h->sinks = sink;
	pthread_mutex_unlock(&h->lock);
	return 0;
}

void k8c_hub_unsubscribe(k8c_apiserver_t *srv, const k8c_kind_t *kind, k8c_hub_sink_t *sink)
{
	int slot = kind_slot(kind);
	k8c_hub_t *h;

	if (slot < 0)
		return;
	pthread_mutex_lock(&srv->lock);
	h = srv->hubs[slot];
	pthread_mutex_unlock(&srv->lock);
	if (h == NULL)
		return;
	pthread_mutex_lock(&h->lock);
	for (k8c_hub_sink_t **p = &h->sinks; *p != NULL; p = &(*p)->next) {
		if (*p == sink) {
			*p = sink->next;
			break;
		}
	}
	pthread_mutex_unlock(&h->lock);
}

void k8c_hubs_stop(k8c_apiserver_t *srv)
{
	for (int i = 0; i < K8C_MAX_HUBS; i++) {
		k8c_hub_t *h;
		pthread_mutex_lock(&srv->lock);
		h = srv->hubs[i];
		srv->hubs[i] = NULL;
		pthread_mutex_unlock(&srv->lock);
		if (h != NULL)
			hub_stop(h);
	}
}
