/* The scheduling queue, as kube-scheduler's PriorityQueue:
 *
 *   active         pods to try now, highest spec.priority first, then the
 *                  oldest (creationTimestamp);
 *   backoff        pods that failed with an error, or that became
 *                  schedulable again while backing off: 1 s doubling to
 *                  10 s per attempt;
 *   unschedulable  pods no node fits: they wait until a cluster change
 *                  (queue_move_all) or 5 minutes.
 *
 * A pod is in at most one of them, or in flight (popped, being tried).  A
 * cluster change while a pod is in flight sends it to backoff instead of
 * unschedulable when its attempt fails (the change may have come too late
 * for its snapshot). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/mem.h"
#include "common/timestamp.h"
#include "scheduler/internal.h"

#define BACKOFF_INITIAL_NS 1000000000LL
#define BACKOFF_MAX_NS 10000000000LL
#define UNSCHEDULABLE_MAX_NS (300LL * 1000000000LL)

enum where { W_NONE, W_ACTIVE, W_BACKOFF, W_UNSCHEDULABLE, W_IN_FLIGHT };

typedef struct qpod {
	char *uid;           /* owned; the map's key */
	char *key;           /* owned: "namespace/name", the informer's key */
	int64_t priority;
	int64_t created_ns;  /* creationTimestamp */
	int attempts;
	int64_t ready_ns;    /* monotonic: backoff ends / unschedulable flush */
	uint64_t popped_at;  /* the move counter when popped */
	int where;
	int deleted;         /* gone while in flight */
	size_t heap;         /* index in its heap */
} qpod_t;

typedef struct heap {
	qpod_t **items;
	size_t n, cap;
	int (*before)(const qpod_t *a, const qpod_t *b);
} heap_t;

struct squeue {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	k8c_strmap_t pods;       /* uid -> qpod_t* (owned) */
	heap_t active, backoff;
	heap_t unschedulable;    /* by the time they are flushed anyway */
	uint64_t moves;          /* queue_move_all calls */
	int closed;
};

static void qpod_free(qpod_t *p)
{
	free(p->uid);
	free(p->key);
	free(p);
}

static int active_before(const qpod_t *a, const qpod_t *b)
{
	if (a->priority != b->priority)
		return a->priority > b->priority;
	return a->created_ns < b->created_ns;
}

static int backoff_before(const qpod_t *a, const qpod_t *b)
{
	return a->ready_ns < b->ready_ns;
}

static void heap_swap(heap_t *h, size_t i, size_t j)
{
	qpod_t *t = h->items[i];

	h->items[i] = h->items[j];
	h->items[j] = t;
	h->items[i]->heap = i;
	h->items[j]->heap = j;
}

static void heap_up(heap_t *h, size_t i)
{
	while (i > 0 && h->before(h->items[i], h->items[(i - 1) / 2])) {
		heap_swap(h, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void heap_down(heap_t *h, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < h->n && h->before(h->items[l], h->items[m]))
			m = l;
		if (r < h->n && h->before(h->items[r], h->items[m]))
			m = r;
		if (m == i)
			return;
		heap_swap(h, i, m);
		i = m;
	}
}

static void heap_push(heap_t *h, qpod_t *p)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 256;
		h->items = k8c_xrealloc(h->items, h->cap * sizeof(*h->items));
	}
	p->heap = h->n;
	h->items[h->n++] = p;
	heap_up(h, p->heap);
}

static void heap_remove(heap_t *h, qpod_t *p)
{
	size_t i = p->heap;

	if (i != h->n - 1) {
		heap_swap(h, i, h->n - 1);
		h->n--;
		heap_down(h, i);
		heap_up(h, i);
	} else {
		h->n--;
	}
}

squeue_t *queue_new(void)
{
	squeue_t *q = k8c_xcalloc(1, sizeof(*q));

	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->cond, NULL);
	k8c_strmap_init(&q->pods);
	q->active.before = active_before;
	q->backoff.before = backoff_before;
	q->unschedulable.before = backoff_before; /* both wait until ready_ns */
	return q;
}

void queue_free(squeue_t *q)
{
	k8c_strmap_entry_t *e;
	size_t i;

	if (q == NULL)
		return;
	for (e = k8c_strmap_first(&q->pods, &i); e != NULL; e = k8c_strmap_next(&q->pods, e, &i))
		qpod_free(e->value);
	k8c_strmap_free(&q->pods);
	free(q->unschedulable.items);
	free(q->active.items);
	free(q->backoff.items);
	pthread_cond_destroy(&q->cond);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

/* Take p out of where it waits.  Lock held. */
static void detach(squeue_t *q, qpod_t *p)
{
	switch (p->where) {
	case W_ACTIVE: heap_remove(&q->active, p); break;
	case W_BACKOFF: heap_remove(&q->backoff, p); break;
	case W_UNSCHEDULABLE: heap_remove(&q->unschedulable, p); break;
	default: break;
	}
	p->where = W_NONE;
}

static void to_active(squeue_t *q, qpod_t *p)
{
	detach(q, p);
	p->where = W_ACTIVE;
	heap_push(&q->active, p);
	pthread_cond_signal(&q->cond);
}

static void to_backoff(squeue_t *q, qpod_t *p)
{
	int64_t d = BACKOFF_INITIAL_NS;

	for (int i = 1; i < p->attempts && d < BACKOFF_MAX_NS; i++)
		d *= 2;
	if (d > BACKOFF_MAX_NS)
		d = BACKOFF_MAX_NS;
	detach(q, p);
	p->ready_ns = k8c_time_monotonic_ns() + d;
	p->where = W_BACKOFF;
	heap_push(&q->backoff, p);
	pthread_cond_signal(&q->cond);
}

static void describe(qpod_t *p, const cJSON *pod)
{
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(pod, "spec");
	const cJSON *prio = cJSON_GetObjectItemCaseSensitive(spec, "priority");
	const char *ts = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(pod, "metadata"), "creationTimestamp"));
	k8c_error_t err;

	p->priority = cJSON_IsNumber(prio) ? (int64_t)prio->valuedouble : 0;
	if (ts == NULL || k8c_time_parse(ts, &p->created_ns, &err) < 0)
		p->created_ns = 0;
}

void queue_add(squeue_t *q, const cJSON *pod)
{
	const char *uid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(pod, "metadata"), "uid"));
	qpod_t *p;

	if (uid == NULL)
		return;
	pthread_mutex_lock(&q->lock);
	p = k8c_strmap_get(&q->pods, uid);
	if (p == NULL) {
		p = k8c_xcalloc(1, sizeof(*p));
		p->uid = k8c_xstrdup(uid);
		p->key = k8c_object_key(pod);
		k8c_strmap_put(&q->pods, p->uid, p);
		describe(p, pod);
		to_active(q, p);
	} else {
		int64_t old_priority = p->priority;
		describe(p, pod);
		if (p->where == W_UNSCHEDULABLE)
			to_active(q, p); /* it changed: it may fit now */
		else if (p->where == W_ACTIVE && old_priority != p->priority) {
			heap_remove(&q->active, p);
			heap_push(&q->active, p);
		}
	}
	pthread_mutex_unlock(&q->lock);
}

void queue_delete(squeue_t *q, const char *uid)
{
	qpod_t *p;

	pthread_mutex_lock(&q->lock);
	p = k8c_strmap_get(&q->pods, uid);
	if (p != NULL) {
		if (p->where == W_IN_FLIGHT) {
			p->deleted = 1; /* the attempt's end forgets it */
		} else {
			detach(q, p);
			k8c_strmap_remove(&q->pods, uid);
			qpod_free(p);
		}
	}
	pthread_mutex_unlock(&q->lock);
}

/* Move backoff pods whose time came, and unschedulable ones waiting too
 * long, to active.  Lock held.  Returns the next time to look (0: none). */
static int64_t flush(squeue_t *q)
{
	int64_t now = k8c_time_monotonic_ns(), next = 0;
	heap_t *waits[] = {&q->backoff, &q->unschedulable};

	for (size_t w = 0; w < 2; w++) {
		heap_t *h = waits[w];
		while (h->n > 0 && h->items[0]->ready_ns <= now)
			to_active(q, h->items[0]);
		if (h->n > 0 && (next == 0 || h->items[0]->ready_ns < next))
			next = h->items[0]->ready_ns;
	}
	return next;
}

char *queue_pop(squeue_t *q, char **key)
{
	qpod_t *p;
	char *uid;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		int64_t next = flush(q);
		if (q->closed) {
			pthread_mutex_unlock(&q->lock);
			return NULL;
		}
		if (q->active.n > 0)
			break;
		if (next > 0) {
			struct timespec ts = k8c_timespec_in(CLOCK_REALTIME, next - k8c_time_monotonic_ns());
			pthread_cond_timedwait(&q->cond, &q->lock, &ts);
		} else {
			pthread_cond_wait(&q->cond, &q->lock);
		}
	}
	p = q->active.items[0];
	heap_remove(&q->active, p);
	p->where = W_IN_FLIGHT;
	p->attempts++;
	p->popped_at = q->moves;
	*key = k8c_xstrdup(p->key ? p->key : "");
	uid = k8c_xstrdup(p->uid);
	pthread_mutex_unlock(&q->lock);
	return uid;
}

/* An attempt of an in-flight pod ended; returns it, or NULL when it was
 * deleted meanwhile (then forgotten).  Lock held. */
static qpod_t *landed(squeue_t *q, const char *uid)
{
	qpod_t *p = k8c_strmap_get(&q->pods, uid);

	if (p == NULL || p->where != W_IN_FLIGHT)
		return p;
	p->where = W_NONE;
	if (p->deleted) {
		k8c_strmap_remove(&q->pods, uid);
		qpod_free(p);
		return NULL;
	}
	return p;
}

void queue_requeue(squeue_t *q, const char *uid, int unschedulable)
{
	qpod_t *p;

	pthread_mutex_lock(&q->lock);
	p = landed(q, uid);
	if (p != NULL && p->where == W_NONE) {
		if (unschedulable && p->popped_at == q->moves) {
			p->where = W_UNSCHEDULABLE;
			p->ready_ns = k8c_time_monotonic_ns() + UNSCHEDULABLE_MAX_NS;
			heap_push(&q->unschedulable, p);
			pthread_cond_signal(&q->cond); /* its flush time counts */
		} else {
			to_backoff(q, p);
		}
	}
	pthread_mutex_unlock(&q->lock);
}

void queue_done(squeue_t *q, const char *uid)
{
	qpod_t *p;

	pthread_mutex_lock(&q->lock);
	p = landed(q, uid);
	if (p != NULL) {
		detach(q, p);
		k8c_strmap_remove(&q->pods, uid);
		qpod_free(p);
	}
	pthread_mutex_unlock(&q->lock);
}

void queue_move_all(squeue_t *q)
{
	int64_t now = k8c_time_monotonic_ns();

	pthread_mutex_lock(&q->lock);
	q->moves++;
	/* each move takes the heap's last item: no index shifts under us */
	while (q->unschedulable.n > 0) {
		qpod_t *p = q->unschedulable.items[q->unschedulable.n - 1];
		int64_t d = BACKOFF_INITIAL_NS;
		for (int a = 1; a < p->attempts && d < BACKOFF_MAX_NS; a++)
			d *= 2;
		/* still backing off from its last attempt: to backoff */
		if (p->ready_ns - UNSCHEDULABLE_MAX_NS + d > now)
			to_backoff(q, p);
		else
			to_active(q, p);
	}
	pthread_mutex_unlock(&q->lock);
}

void queue_close(squeue_t *q)
{
	pthread_mutex_lock(&q->lock);
	q->closed = 1;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

size_t queue_pending(squeue_t *q)
{
	size_t n;

	pthread_mutex_lock(&q->lock);
	n = q->pods.count;
	pthread_mutex_unlock(&q->lock);
	return n;
}
