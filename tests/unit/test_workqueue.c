/* The keyed work queue: a key queued twice is processed once, a key added
 * while processed is processed again after done, delayed keys come in due
 * order, and shutdown wakes waiting workers. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/workqueue.h"
#include "tap.h"

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *waiter(void *arg)
{
	char *key;
	int got = k8c_workqueue_get(arg, &key);
	free(key);
	return (void *)(intptr_t)got;
}

int main(void)
{
	k8c_workqueue_t *q = k8c_workqueue_new();
	char *key, *k2;
	int64_t t0;
	pthread_t t;
	void *ret;

	k8c_workqueue_add(q, "a");
	k8c_workqueue_add(q, "b");
	k8c_workqueue_add(q, "a");
	is_int(k8c_workqueue_len(q), 2, "a key queued twice is queued once");
	ok(k8c_workqueue_get(q, &key) && strcmp(key, "a") == 0, "in order: a");
	k8c_workqueue_add(q, "a");
	is_int(k8c_workqueue_len(q), 1, "a key added while held is not queued beside it");
	ok(k8c_workqueue_get(q, &k2) && strcmp(k2, "b") == 0, "then b");
	free(k2);
	k8c_workqueue_done(q, "b");
	k8c_workqueue_done(q, key);
	free(key);
	is_int(k8c_workqueue_len(q), 1, "after done it is queued again");
	ok(k8c_workqueue_get(q, &key) && strcmp(key, "a") == 0, "and processed again");
	k8c_workqueue_done(q, key);
	free(key);

	t0 = now_ms();
	k8c_workqueue_add_after(q, "late", 300000000LL);
	k8c_workqueue_add_after(q, "early", 100000000LL);
	ok(k8c_workqueue_get(q, &key) && strcmp(key, "early") == 0, "the earlier delayed key first");
	ok(now_ms() - t0 >= 95, "not before its time (%lld ms)", (long long)(now_ms() - t0));
	k8c_workqueue_done(q, key);
	free(key);
	ok(k8c_workqueue_get(q, &key) && strcmp(key, "late") == 0, "then the later one");
	ok(now_ms() - t0 >= 295, "after its delay (%lld ms)", (long long)(now_ms() - t0));
	k8c_workqueue_done(q, key);
	free(key);

	/* a key waits once, for its earliest due time */
	t0 = now_ms();
	k8c_workqueue_add_after(q, "again", 200000000LL);
	k8c_workqueue_add_after(q, "again", 400000000LL);
	k8c_workqueue_add_after(q, "again", 100000000LL);
	k8c_workqueue_add_after(q, "other", 300000000LL);
	ok(k8c_workqueue_get(q, &key) && strcmp(key, "again") == 0, "a key added after three delays");
	ok(now_ms() - t0 >= 95 && now_ms() - t0 < 250, "comes after the earliest (%lld ms)",
	   (long long)(now_ms() - t0));
	k8c_workqueue_done(q, key);
	free(key);
	ok(k8c_workqueue_get(q, &key) && strcmp(key, "other") == 0, "and only once: next is the other key");
	ok(now_ms() - t0 >= 295, "at its own time (%lld ms)", (long long)(now_ms() - t0));
	k8c_workqueue_done(q, key);
	free(key);
	is_int(k8c_workqueue_len(q), 0, "nothing else is queued");

	k8c_workqueue_add_after(q, "never", 60000000000LL);
	pthread_create(&t, NULL, waiter, q);
	k8c_workqueue_shutdown(q);
	pthread_join(t, &ret);
	is_int((intptr_t)ret, 0, "shutdown wakes a waiting worker with 0");
	k8c_workqueue_add(q, "x");
	is_int(k8c_workqueue_len(q), 0, "nothing is queued after shutdown");
	k8c_workqueue_free(q);
	return done_testing();
}
