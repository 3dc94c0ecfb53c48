/* A keyed work queue with delayed adds (see workqueue.h).  One mutex;
 * ready keys in a FIFO list; delayed keys in a binary min-heap by due
 * time, moved to the FIFO by whichever worker waits next.  As client-go's
 * delaying queue, a key waits once, for its earliest due time: `waiting`
 * holds that time, and heap entries for a key that no longer match it are
 * stale and dropped when they come due. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/mem.h"
#include "common/strmap.h"
#include "common/workqueue.h"

typedef struct item {
	char *key; /* owned */
	struct item *next;
} item_t;

typedef struct delayed {
	int64_t at_ns;
	char *key; /* owned */
} delayed_t;

struct k8c_workqueue {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	item_t *head, *tail; /* ready, in order */
	size_t len;
	k8c_strmap_t dirty;      /* keys waiting to be processed (queued or re-added) */
	k8c_strmap_t processing; /* keys a worker holds */
	k8c_strmap_t waiting;    /* delayed key -> (intptr_t) its earliest due time */
	delayed_t *heap;         /* owned */
	size_t n_heap, cap_heap;
	int shutdown;
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

k8c_workqueue_t *k8c_workqueue_new(void)
{
	k8c_workqueue_t *q = k8c_xcalloc(1, sizeof(*q));
	pthread_condattr_t ca;

	pthread_mutex_init(&q->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&q->cond, &ca);
	pthread_condattr_destroy(&ca);
	k8c_strmap_init(&q->dirty);
	k8c_strmap_init(&q->processing);
	k8c_strmap_init(&q->waiting);
	return q;
}

void k8c_workqueue_free(k8c_workqueue_t *q)
{
	if (q == NULL)
		return;
	while (q->head != NULL) {
		item_t *n = q->head->next;
		free(q->head->key);
		free(q->head);
		q->head = n;
	}
	for (size_t i = 0; i < q->n_heap; i++)
		free(q->heap[i].key);
	free(q->heap);
	k8c_strmap_free(&q->dirty);
	k8c_strmap_free(&q->processing);
	k8c_strmap_free(&q->waiting);
	pthread_cond_destroy(&q->cond);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

/* Lock held. */
static void add_locked(k8c_workqueue_t *q, const char *key)
{
	item_t *it;

	if (q->shutdown || k8c_strmap_get(&q->dirty, key) != NULL)
		return;
	k8c_strmap_put(&q->dirty, key, (void *)1);
	if (k8c_strmap_get(&q->processing, key) != NULL)
		return; /* done() queues it again */
	it = k8c_xcalloc(1, sizeof(*it));
	it->key = k8c_xstrdup(key);
	if (q->tail != NULL)
		q->tail->next = it;
	else
		q->head = it;
	q->tail = it;
	q->len++;
	pthread_cond_signal(&q->cond);
}

void k8c_workqueue_add(k8c_workqueue_t *q, const char *key)
{
	pthread_mutex_lock(&q->lock);
	add_locked(q, key);
	pthread_mutex_unlock(&q->lock);
}

static void heap_swap(delayed_t *h, size_t a, size_t b)
{
	delayed_t t = h[a];
	h[a] = h[b];
	h[b] = t;
}

void k8c_workqueue_add_after(k8c_workqueue_t *q, const char *key, int64_t delay_ns)
{
	size_t i;
	int64_t at = now_ns() + delay_ns;
	void *was;

	if (delay_ns <= 0) {
		k8c_workqueue_add(q, key);
		return;
	}
	pthread_mutex_lock(&q->lock);
	was = k8c_strmap_get(&q->waiting, key);
	if (q->shutdown || (was != NULL && (int64_t)(intptr_t)was <= at)) {
		pthread_mutex_unlock(&q->lock); /* already due earlier */
		return;
	}
	k8c_strmap_put(&q->waiting, key, (void *)(intptr_t)at);
	if (q->n_heap == q->cap_heap) {
		q->cap_heap = q->cap_heap ? q->cap_heap * 2 : 64;
		q->heap = k8c_xrealloc(q->heap, q->cap_heap * sizeof(*q->heap));
	}
	i = q->n_heap++;
	q->heap[i].at_ns = at;
	q->heap[i].key = k8c_xstrdup(key);
	while (i > 0 && q->heap[(i - 1) / 2].at_ns > q->heap[i].at_ns) {
		heap_swap(q->heap, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	if (i == 0)
		pthread_cond_signal(&q->cond); /* a new earliest due time */
	pthread_mutex_unlock(&q->lock);
}

/* Move due delayed keys to the ready list.  Lock held. */
static void promote_due(k8c_workqueue_t *q, int64_t now)
{
	while (q->n_heap > 0 && q->heap[0].at_ns <= now) {
		char *key = q->heap[0].key;
		int64_t at = q->heap[0].at_ns;
		size_t i = 0;

		q->heap[0] = q->heap[--q->n_heap];
		for (;;) {
			size_t l = 2 * i + 1, r = l + 1, m = i;
			if (l < q->n_heap && q->heap[l].at_ns < q->heap[m].at_ns)
				m = l;
			if (r < q->n_heap && q->heap[r].at_ns < q->heap[m].at_ns)
				m = r;
			if (m == i)
				break;
			heap_swap(q->heap, i, m);
			i = m;
		}
		if ((int64_t)(intptr_t)k8c_strmap_get(&q->waiting, key) == at) {
			k8c_strmap_remove(&q->waiting, key);
			add_locked(q, key);
		} /* else a stale entry: the key waits for an earlier time, or waited */
		free(key);
	}
}

int k8c_workqueue_get(k8c_workqueue_t *q, char **key)
{
	item_t *it;

	*key = NULL;
	pthread_mutex_lock(&q->lock);
	for (;;) {
		if (q->shutdown) {
			pthread_mutex_unlock(&q->lock);
			return 0;
		}
		promote_due(q, now_ns());
		if (q->head != NULL)
			break;
		if (q->n_heap > 0) {
			struct timespec ts = {q->heap[0].at_ns / 1000000000, q->heap[0].at_ns % 1000000000};
			pthread_cond_timedwait(&q->cond, &q->lock, &ts);
		} else {
			pthread_cond_wait(&q->cond, &q->lock);
		}
	}
	it = q->head;
	q->head = it->next;
	if (q->head == NULL)
		q->tail = NULL;
	q->len--;
	k8c_strmap_remove(&q->dirty, it->key);
	k8c_strmap_put(&q->processing, it->key, (void *)1);
	/* this worker may have been the one timing the delayed keys: hand
	 * that to another waiting worker */
	if (q->n_heap > 0 || q->head != NULL)
		pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->lock);
	*key = it->key;
	free(it);
	return 1;
}

void k8c_workqueue_done(k8c_workqueue_t *q, const char *key)
{
	pthread_mutex_lock(&q->lock);
	k8c_strmap_remove(&q->processing, key);
	if (k8c_strmap_remove(&q->dirty, key) != NULL)
		add_locked(q, key); /* added while processed: again */
	pthread_mutex_unlock(&q->lock);
}

void k8c_workqueue_shutdown(k8c_workqueue_t *q)
{
	pthread_mutex_lock(&q->lock);
	q->shutdown = 1;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

size_t k8c_workqueue_len(k8c_workqueue_t *q)
{
	size_t n;

	pthread_mutex_lock(&q->lock);
	n = q->len;
	pthread_mutex_unlock(&q->lock);
	return n;
}
