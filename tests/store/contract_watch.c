/* The store contract (see contract.h): watch — live events with prev_kv,
 * key ranges, replay from a revision joined to the live stream with no
 * gap and no duplicate under concurrent writers, cancel (also from a
 * callback), many watchers. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "contract_priv.h"

/* --- the recorder ------------------------------------------------------------ */

static char *dup_bytes(const char *p, size_t n)
{
	char *d = malloc(n + 1);

	if (d == NULL)
		abort();
	if (n > 0)
		memcpy(d, p, n);
	d[n] = '\0';
	return d;
}

static void rec_fn(void *udata, const k8c_store_event_t *ev,
                   const k8c_error_t *end)
{
	sc_rec_t *r = udata;
	k8c_store_watch_t *cancel = NULL;

	pthread_mutex_lock(&r->mu);
	if (r->finals > 0) {
		r->after_final++;
	} else if (ev == NULL) {
		r->finals++;
		r->end_code = end != NULL ? end->code : -1;
	} else {
		sc_event_t *e;

		if (r->n == r->cap) {
			r->cap = r->cap ? r->cap * 2 : 64;
			r->ev = realloc(r->ev, (size_t)r->cap * sizeof(*r->ev));
			if (r->ev == NULL)
				abort();
		}
		e = &r->ev[r->n++];
		memset(e, 0, sizeof(*e));
		e->type = ev->type;
		e->key = strdup(ev->kv->key);
		e->value_null = ev->kv->value == NULL;
		if (ev->kv->value != NULL) {
			if (ev->kv->value[ev->kv->value_len] != '\0')
				r->bad_value++;
			e->value = dup_bytes(ev->kv->value, ev->kv->value_len);
		}
		e->len = ev->kv->value_len;
		e->create_rev = ev->kv->create_revision;
		e->mod_rev = ev->kv->mod_revision;
		if (ev->prev_kv != NULL) {
			e->has_prev = 1;
			e->prev_value = dup_bytes(ev->prev_kv->value,
			                          ev->prev_kv->value_len);
			e->prev_len = ev->prev_kv->value_len;
			e->prev_create = ev->prev_kv->create_revision;
			e->prev_mod = ev->prev_kv->mod_revision;
		}
		if (e->mod_rev > r->last_rev)
			r->last_rev = e->mod_rev;
		if (r->cancel_on_event && r->handle != NULL) {
			cancel = r->handle;
			r->cancel_on_event = 0;
		}
	}
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->mu);
	if (cancel != NULL)
		r->t->ops->watch_cancel(r->t->cookie, cancel);
}

static void rec_free_fn(void *udata)
{
	sc_rec_t *r = udata;

	pthread_mutex_lock(&r->mu);
	if (r->finals == 0)
		r->free_early++;
	r->frees++;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->mu);
}

void sc_rec_init(sc_rec_t *r, sc_t *t)
{
	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cond, NULL);
	r->t = t;
}

void sc_rec_free(sc_rec_t *r)
{
	for (int i = 0; i < r->n; i++) {
		free(r->ev[i].key);
		free(r->ev[i].value);
		free(r->ev[i].prev_value);
	}
	free(r->ev);
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cond);
}

int sc_rec_watch(sc_rec_t *r, const char *key, const char *end, int64_t start,
                 k8c_error_t *err)
{
	k8c_store_watch_t *h = NULL;
	int ret;

	ret = r->t->ops->watch(r->t->cookie, key, end, start, rec_fn, r,
	                       rec_free_fn, &h, err);
	pthread_mutex_lock(&r->mu);
	r->handle = ret == 0 ? h : NULL;
	pthread_mutex_unlock(&r->mu);
	return ret;
}

static int rec_wait(sc_rec_t *r, int64_t rev, int final, int timeout_ms)
{
	struct timespec ts;
	int done;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&r->mu);
	for (;;) {
		done = final ? r->finals > 0 && r->frees > 0
		             : r->last_rev >= rev;
		if (done || pthread_cond_timedwait(&r->cond, &r->mu, &ts) != 0)
			break;
	}
	done = final ? r->finals > 0 && r->frees > 0 : r->last_rev >= rev;
	pthread_mutex_unlock(&r->mu);
	return done;
}

int sc_rec_wait_rev(sc_rec_t *r, int64_t rev, int timeout_ms)
{
	return rec_wait(r, rev, 0, timeout_ms);
}

int sc_rec_wait_final(sc_rec_t *r, int timeout_ms)
{
	return rec_wait(r, 0, 1, timeout_ms);
}

/* Cancel and check the end: one final callback with K8C_OK, then one
 * free_fn, and nothing after. */
static void cancel_and_check(sc_t *t, sc_rec_t *r, const char *what)
{
	t->ops->watch_cancel(t->cookie, r->handle);
	sc_check(t, r->finals == 1 && r->end_code == K8C_OK && r->frees == 1 &&
	                    !r->free_early,
	         "%s: cancel ran the final callback (OK) then free_fn", what);
}

/* --- checks on a recorded stream ------------------------------------------ */

/* Events in strictly increasing revision order; every event with an
 * earlier event of the same key in the stream carries that event's value
 * as prev_kv (or none when it followed a delete). */
static int stream_ok(sc_t *t, const sc_rec_t *r, const char *what)
{
	for (int i = 0; i < r->n; i++) {
		const sc_event_t *e = &r->ev[i];

		if (i > 0 && e->mod_rev <= r->ev[i - 1].mod_rev)
			return sc_check(t, 0, "%s: out of order at %lld", what,
			                (long long)e->mod_rev);
		for (int j = i - 1; j >= 0; j--) {
			const sc_event_t *p = &r->ev[j];
			int good;

			if (strcmp(p->key, e->key) != 0)
				continue;
			if (p->type == K8C_STORE_DELETE)
				good = !e->has_prev && e->type == K8C_STORE_PUT &&
				       e->create_rev == e->mod_rev;
			else
				good = e->has_prev && e->prev_mod == p->mod_rev &&
				       e->prev_len == p->len &&
				       memcmp(e->prev_value, p->value, p->len) == 0;
			if (!good)
				return sc_check(t, 0, "%s: prev_kv of %s at %lld",
				                what, e->key, (long long)e->mod_rev);
			break;
		}
	}
	return 1;
}

/* The stream holds exactly the revisions in want[0..n) (sorted). */
static int same_revs(const sc_rec_t *r, const int64_t *want, int n)
{
	if (r->n != n)
		return 0;
	for (int i = 0; i < n; i++)
		if (r->ev[i].mod_rev != want[i])
			return 0;
	return 1;
}

/* --- tests --------------------------------------------------------------------- */

static int64_t put(sc_t *t, const char *key, const char *value,
                   int64_t expected)
{
	int64_t rev = -1;
	k8c_error_t err;
	int ret = expected == 0
		? t->ops->create(t->cookie, key, value, strlen(value), &rev, &err)
		: t->ops->update(t->cookie, key, value, strlen(value), expected,
		                 &rev, NULL, NULL, &err);

	if (ret < 0)
		sc_diag(t, "write %s: %s", key, err.message);
	return rev;
}

static int64_t del(sc_t *t, const char *key)
{
	int64_t rev = -1;
	k8c_error_t err;

	if (t->ops->delete(t->cookie, key, 0, &rev, NULL, NULL, &err) < 0)
		sc_diag(t, "delete %s: %s", key, err.message);
	return rev;
}

static void test_live(sc_t *t)
{
	char *pre = sc_key(t, "wl/"), *end = sc_key(t, "wl0");
	char *a = sc_key(t, "wl/a"), *b = sc_key(t, "wl/b");
	char *bb = sc_key(t, "wl/bb"), *bc = sc_key(t, "wl/b/c");
	char *c = sc_key(t, "wl/c"), *d = sc_key(t, "wl/d");
	sc_rec_t all, one, mid;
	int64_t r1, r2, r3, last;
	k8c_error_t err;

	sc_rec_init(&all, t);
	sc_rec_init(&one, t);
	sc_rec_init(&mid, t);
	sc_is(t, sc_rec_watch(&all, pre, end, 0, &err), 0, "watch a prefix");
	sc_is(t, sc_rec_watch(&one, b, NULL, 0, &err), 0, "watch one key");
	sc_is(t, sc_rec_watch(&mid, b, d, 0, &err), 0, "watch [b, d)");
	r1 = put(t, a, "one", 0);
	r2 = put(t, a, "two", r1);
	r3 = del(t, a);
	put(t, end, "outside", 0);
	put(t, b, "b", 0);
	put(t, bb, "bb", 0);
	put(t, bc, "bc", 0);
	put(t, c, "c", 0);
	last = put(t, d, "d", 0);
	sc_check(t, sc_rec_wait_rev(&all, last, 5000), "events arrive");
	sc_rec_wait_rev(&mid, last - 1, 5000);
	sc_rec_wait_rev(&one, last - 4, 5000);
	if (sc_is(t, all.n, 8, "the prefix watch saw its 8 events")) {
		sc_event_t *e = all.ev;

		sc_check(t, e[0].type == K8C_STORE_PUT && !e[0].has_prev &&
		                    e[0].mod_rev == r1 && e[0].create_rev == r1 &&
		                    strcmp(e[0].value, "one") == 0,
		         "create: PUT, no prev_kv");
		sc_check(t, e[1].type == K8C_STORE_PUT && e[1].has_prev &&
		                    e[1].mod_rev == r2 && e[1].create_rev == r1 &&
		                    e[1].prev_mod == r1 &&
		                    strcmp(e[1].prev_value, "one") == 0,
		         "update: PUT with prev_kv");
		sc_check(t, e[2].type == K8C_STORE_DELETE && e[2].mod_rev == r3 &&
		                    e[2].value_null && e[2].has_prev &&
		                    e[2].prev_mod == r2 &&
		                    strcmp(e[2].prev_value, "two") == 0,
		         "delete: DELETE, no value, prev_kv the last value");
		sc_check(t, strcmp(e[3].key, b) == 0, "the key at the end is out");
	}
	sc_check(t, one.n == 1 && strcmp(one.ev[0].key, b) == 0,
	         "a one-key watch sees the key alone");
	sc_check(t, mid.n == 4 && strcmp(mid.ev[3].key, c) == 0,
	         "a [b, d) watch sees b, bb, b/c, c (revision order)");
	sc_check(t, !all.bad_value, "event values are NUL-terminated");
	stream_ok(t, &all, "live");
	cancel_and_check(t, &all, "prefix watch");
	cancel_and_check(t, &one, "one-key watch");
	cancel_and_check(t, &mid, "range watch");
	last = put(t, a, "after cancel", 0);
	sc_sleep_ms(50);
	sc_check(t, all.n == 8 && all.after_final == 0,
	         "no event after cancel");
	sc_rec_free(&all);
	sc_rec_free(&one);
	sc_rec_free(&mid);
	free(pre); free(end); free(a); free(b); free(bb); free(bc); free(c);
	free(d);
}

static void test_replay(sc_t *t)
{
	char *pre = sc_key(t, "wr/"), *end = sc_key(t, "wr0");
	char *x = sc_key(t, "wr/x"), *y = sc_key(t, "wr/y");
	int64_t start = sc_revision(t) + 1, revs[8], future;
	k8c_error_t err;
	sc_rec_t rec, fut;
	int n = 0;

	revs[n++] = put(t, x, "x1", 0);
	revs[n] = put(t, x, "x2", revs[n - 1]);
	n++;
	revs[n++] = del(t, x);
	revs[n++] = put(t, y, "y1", 0);
	sc_rec_init(&rec, t);
	sc_is(t, sc_rec_watch(&rec, pre, end, start, &err), 0,
	      "watch from an old revision");
	revs[n++] = put(t, x, "x3", 0);
	revs[n] = put(t, y, "y2", revs[3]);
	n++;
	sc_rec_wait_rev(&rec, revs[n - 1], 5000);
	sc_check(t, same_revs(&rec, revs, n),
	         "replay then live: every revision once, in order (%d events)",
	         rec.n);
	stream_ok(t, &rec, "replay");
	sc_check(t, rec.n >= 3 && rec.ev[1].has_prev &&
	                    strcmp(rec.ev[1].prev_value, "x1") == 0 &&
	                    rec.ev[2].type == K8C_STORE_DELETE &&
	                    rec.ev[2].has_prev,
	         "replayed events carry prev_kv");
	cancel_and_check(t, &rec, "replayed watch");
	sc_rec_free(&rec);

	future = sc_revision(t) + 3;
	sc_rec_init(&fut, t);
	sc_is(t, sc_rec_watch(&fut, pre, end, future, &err), 0,
	      "watch from a future revision");
	for (int i = 0; i < 5; i++)
		revs[i] = put(t, y, "y", sc_revision(t));
	sc_rec_wait_rev(&fut, revs[4], 5000);
	sc_check(t, fut.n == 3 && fut.ev[0].mod_rev == future,
	         "it starts at that revision");
	cancel_and_check(t, &fut, "future watch");
	sc_rec_free(&fut);
	free(pre); free(end); free(x); free(y);
}

#define CW_THREADS 8
#define CW_KEYS 100

typedef struct cw_arg {
	sc_t *t;
	int id;
	int64_t revs[CW_KEYS * 3];
	int n, failed;
	int *progress;
} cw_arg_t;

static void *cw_thread(void *p)
{
	cw_arg_t *a = p;

	for (int i = 0; i < CW_KEYS; i++) {
		char *key = sc_key(a->t, "cw/%d/%03d", a->id, i);
		int64_t r1 = put(a->t, key, key, 0);
		int64_t r2 = put(a->t, key, "updated", r1);
		int64_t r3 = del(a->t, key);

		a->failed += r1 < 0 || r2 < 0 || r3 < 0;
		a->revs[a->n++] = r1;
		a->revs[a->n++] = r2;
		a->revs[a->n++] = r3;
		__atomic_add_fetch(a->progress, 3, __ATOMIC_RELAXED);
		free(key);
	}
	return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void test_concurrent(sc_t *t)
{
	static cw_arg_t args[CW_THREADS];
	static int64_t all[CW_THREADS * CW_KEYS * 3], mine[CW_KEYS * 3];
	char *pre = sc_key(t, "cw/"), *end = sc_key(t, "cw0");
	char *pre3 = sc_key(t, "cw/3/"), *end3 = sc_key(t, "cw/30");
	int64_t start = sc_revision(t) + 1, last;
	pthread_t th[CW_THREADS];
	sc_rec_t live, late, three;
	int progress = 0, failed = 0, n = 0, m = 0;
	k8c_error_t err;

	sc_rec_init(&live, t);
	sc_rec_init(&late, t);
	sc_rec_init(&three, t);
	sc_is(t, sc_rec_watch(&live, pre, end, 0, &err), 0, "live watch");
	sc_is(t, sc_rec_watch(&three, pre3, end3, start, &err), 0,
	      "watch one writer's keys");
	for (int i = 0; i < CW_THREADS; i++) {
		args[i] = (cw_arg_t){.t = t, .id = i, .progress = &progress};
		pthread_create(&th[i], NULL, cw_thread, &args[i]);
	}
	/* Join the stream from its first revision while it is half
	 * written: a long replay racing the writers. */
	while (__atomic_load_n(&progress, __ATOMIC_RELAXED) <
	       CW_THREADS * CW_KEYS * 3 / 2)
		sc_sleep_ms(1);
	sc_is(t, sc_rec_watch(&late, pre, end, start, &err), 0,
	      "watch from the start while writers run");
	for (int i = 0; i < CW_THREADS; i++) {
		pthread_join(th[i], NULL);
		failed += args[i].failed;
		memcpy(all + n, args[i].revs, sizeof(int64_t) * (size_t)args[i].n);
		n += args[i].n;
	}
	memcpy(mine, args[3].revs, sizeof(int64_t) * (size_t)args[3].n);
	m = args[3].n;
	qsort(all, (size_t)n, sizeof(all[0]), cmp_i64);
	qsort(mine, (size_t)m, sizeof(mine[0]), cmp_i64);
	last = all[n - 1];
	sc_is(t, failed, 0, "%d writers x %d keys x 3 writes", CW_THREADS,
	      CW_KEYS);
	sc_check(t, sc_rec_wait_rev(&live, last, 10000) &&
	                    sc_rec_wait_rev(&late, last, 10000) &&
	                    sc_rec_wait_rev(&three, mine[m - 1], 10000),
	         "every watcher caught up");
	sc_check(t, same_revs(&live, all, n),
	         "live watch: every acknowledged write once, in order "
	         "(%d of %d)", live.n, n);
	sc_check(t, same_revs(&late, all, n),
	         "watch joined mid-stream: no gap, no duplicate (%d of %d)",
	         late.n, n);
	sc_check(t, same_revs(&three, mine, m),
	         "range watch: exactly its keys (%d of %d)", three.n, m);
	stream_ok(t, &live, "live");
	stream_ok(t, &late, "late");
	cancel_and_check(t, &live, "live");
	cancel_and_check(t, &late, "late");
	cancel_and_check(t, &three, "three");
	sc_rec_free(&live);
	sc_rec_free(&late);
	sc_rec_free(&three);
	free(pre); free(end); free(pre3); free(end3);
}

static void test_cancel_in_callback(sc_t *t)
{
	char *k = sc_key(t, "wc/k");
	sc_rec_t rec;
	k8c_error_t err;

	sc_rec_init(&rec, t);
	rec.cancel_on_event = 1;
	sc_is(t, sc_rec_watch(&rec, k, NULL, 0, &err), 0, "watch");
	put(t, k, "1", 0);
	sc_check(t, sc_rec_wait_final(&rec, 5000),
	         "cancel from the callback ends the watch");
	put(t, k, "2", sc_revision(t));
	sc_sleep_ms(50);
	sc_check(t, rec.n == 1 && rec.finals == 1 && rec.end_code == K8C_OK &&
	                    rec.frees == 1 && rec.after_final == 0 &&
	                    !rec.free_early,
	         "one event, one final (OK), one free_fn, nothing after");
	sc_rec_free(&rec);
	free(k);
}

#define MANY 64

static void test_many_watchers(sc_t *t)
{
	static sc_rec_t recs[MANY];
	char *pre = sc_key(t, "wm/"), *end = sc_key(t, "wm0");
	int64_t last = 0;
	k8c_error_t err;
	int good = 0, started = 0;

	for (int i = 0; i < MANY; i++) {
		sc_rec_init(&recs[i], t);
		started += sc_rec_watch(&recs[i], pre, end, 0, &err) == 0;
	}
	for (int i = 0; i < 20; i++) {
		char *k = sc_key(t, "wm/%02d", i);
		last = put(t, k, "v", 0);
		free(k);
	}
	for (int i = 0; i < MANY; i++)
		good += sc_rec_wait_rev(&recs[i], last, 5000) &&
		        recs[i].n == 20;
	sc_is(t, started, MANY, "%d watches on one prefix", MANY);
	sc_is(t, good, MANY, "each got all 20 events");
	for (int i = 0; i < MANY; i++) {
		t->ops->watch_cancel(t->cookie, recs[i].handle);
		good -= recs[i].finals == 1 && recs[i].frees == 1;
		sc_rec_free(&recs[i]);
	}
	sc_is(t, good, 0, "each ended once on cancel");
	free(pre);
	free(end);
}

void sc_watch_tests(sc_t *t)
{
	test_live(t);
	test_replay(t);
	test_concurrent(t);
	test_cancel_in_callback(t);
	test_many_watchers(t);
}
