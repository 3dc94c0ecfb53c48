/* The store contract (see contract.h): harness, writes and their
 * preconditions, reads at revisions, range and paging, compaction,
 * concurrent writers, close/reopen.  Watch tests: contract_watch.c. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "contract_priv.h"

/* --- harness -------------------------------------------------------------- */

int sc_check(sc_t *t, int cond, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	t->c->ok(cond, "contract: %s", buf);
	if (!cond)
		t->failures++;
	return cond;
}

int sc_is(sc_t *t, long long got, long long want, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (!sc_check(t, got == want, "%s", buf))
		sc_diag(t, "  got %lld, want %lld", got, want);
	return got == want;
}

void sc_diag(sc_t *t, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	t->c->diag("%s", buf);
}

char *sc_key(sc_t *t, const char *fmt, ...)
{
	char name[256], *k;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	k = malloc(strlen(t->prefix) + strlen(name) + 1);
	if (k == NULL)
		abort();
	strcpy(k, t->prefix);
	strcat(k, name);
	return k;
}

int64_t sc_revision(sc_t *t)
{
	int64_t rev = -1;
	k8c_error_t err;

	if (t->ops->revision(t->cookie, &rev, &err) < 0)
		sc_diag(t, "revision: %s", err.message);
	return rev;
}

int64_t sc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sc_sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* --- collecting pairs ------------------------------------------------------ */

typedef struct kvs {
	int n;
	char *key[64], *value[64];
	size_t len[64];
	int64_t crev[64], mrev[64];
	int bad_nul;
	int stop_after; /* return -42 after this many (0: never) */
} kvs_t;

static int collect(void *udata, const k8c_store_kv_t *kv)
{
	kvs_t *k = udata;

	if (kv->value == NULL || kv->value[kv->value_len] != '\0')
		k->bad_nul++;
	if (k->n < 64) {
		k->key[k->n] = strdup(kv->key);
		k->value[k->n] = malloc(kv->value_len + 1);
		memcpy(k->value[k->n], kv->value, kv->value_len + 1);
		k->len[k->n] = kv->value_len;
		k->crev[k->n] = kv->create_revision;
		k->mrev[k->n] = kv->mod_revision;
	}
	k->n++;
	if (k->stop_after != 0 && k->n >= k->stop_after)
		return -42;
	return 0;
}

static void kvs_reset(kvs_t *k)
{
	for (int i = 0; i < k->n && i < 64; i++) {
		free(k->key[i]);
		free(k->value[i]);
	}
	memset(k, 0, sizeof(*k));
}

static int get(sc_t *t, const char *key, int64_t rev, kvs_t *k,
               k8c_error_t *err)
{
	kvs_reset(k);
	return t->ops->get(t->cookie, key, rev, collect, k, err);
}

static int64_t create(sc_t *t, const char *key, const char *value)
{
	int64_t rev = -1;
	k8c_error_t err;

	if (t->ops->create(t->cookie, key, value, strlen(value), &rev,
	                   &err) < 0)
		sc_diag(t, "create %s: %s", key, err.message);
	return rev;
}

/* --- writes and their preconditions --------------------------------------- */

static void test_writes(sc_t *t)
{
	char *k1 = sc_key(t, "w/k1"), *k2 = sc_key(t, "w/k2");
	int64_t r0 = sc_revision(t), r1, r2, r3, r4, rd;
	k8c_error_t err;
	kvs_t k = {0};
	int ret;

	r1 = create(t, k1, "v1");
	sc_check(t, r1 > r0, "create gets a revision above the store's");
	sc_check(t, sc_revision(t) >= r1, "revision() covers the create");
	ret = t->ops->create(t->cookie, k1, "x", 1, &r2, &err);
	sc_is(t, ret, -K8C_EEXIST, "create of an existing key: EEXIST");
	sc_is(t, err.code, K8C_EEXIST, "err says EEXIST");
	ret = get(t, k1, 0, &k, &err);
	sc_check(t, ret == 0 && k.n == 1 && strcmp(k.value[0], "v1") == 0,
	         "get latest returns the value");
	sc_check(t, k.n == 1 && k.crev[0] == r1 && k.mrev[0] == r1 &&
	                    k.len[0] == 2 && strcmp(k.key[0], k1) == 0,
	         "create and mod revision of a new key are its revision");
	sc_is(t, get(t, k2, 0, &k, &err), -K8C_ENOTFOUND,
	      "get of a missing key: ENOTFOUND");
	sc_is(t, k.n, 0, "no pair for a missing key");
	sc_is(t, t->ops->get(t->cookie, "", 0, collect, &k, &err),
	      -K8C_EINVAL, "empty key: EINVAL");

	/* update */
	ret = t->ops->update(t->cookie, k1, "v2", 2, r1, &r2, NULL, NULL,
	                     &err);
	sc_check(t, ret == 0 && r2 > r1, "update at the mod revision");
	get(t, k1, 0, &k, &err);
	sc_check(t, k.n == 1 && k.crev[0] == r1 && k.mrev[0] == r2 &&
	                    strcmp(k.value[0], "v2") == 0,
	         "update keeps create revision, sets mod revision");
	kvs_reset(&k);
	ret = t->ops->update(t->cookie, k1, "v3", 2, r1, &r3, collect, &k,
	                     &err);
	sc_is(t, ret, -K8C_ECONFLICT, "update at a stale revision: ECONFLICT");
	sc_check(t, k.n == 1 && k.mrev[0] == r2 && strcmp(k.value[0], "v2") == 0,
	         "current_fn gets the current pair on conflict");
	sc_is(t, t->ops->update(t->cookie, k1, "v3", 2, 0, &r3, NULL, NULL,
	                        &err),
	      -K8C_ECONFLICT, "update expecting revision 0: ECONFLICT");
	sc_is(t, t->ops->update(t->cookie, k2, "v", 1, r1, &r3, NULL, NULL,
	                        &err),
	      -K8C_ENOTFOUND, "update of a missing key: ENOTFOUND");

	/* values are bytes: an embedded NUL and the empty value */
	ret = t->ops->update(t->cookie, k1, "a\0b", 3, r2, &r3, NULL, NULL,
	                     &err);
	get(t, k1, 0, &k, &err);
	sc_check(t, ret == 0 && k.n == 1 && k.len[0] == 3 &&
	                    memcmp(k.value[0], "a\0b", 4) == 0 && !k.bad_nul,
	         "a value with a NUL byte comes back whole, NUL-terminated");
	ret = t->ops->update(t->cookie, k1, "", 0, r3, &r4, NULL, NULL, &err);
	get(t, k1, 0, &k, &err);
	sc_check(t, ret == 0 && k.n == 1 && k.len[0] == 0 &&
	                    k.value[0][0] == '\0',
	         "the empty value");

	/* delete */
	kvs_reset(&k);
	ret = t->ops->delete(t->cookie, k1, r1, &rd, collect, &k, &err);
	sc_is(t, ret, -K8C_ECONFLICT, "delete at a stale revision: ECONFLICT");
	sc_check(t, k.n == 1 && k.mrev[0] == r4,
	         "prev_fn gets the current pair on conflict");
	kvs_reset(&k);
	ret = t->ops->delete(t->cookie, k1, r4, &rd, collect, &k, &err);
	sc_check(t, ret == 0 && rd > r4, "delete at the mod revision");
	sc_check(t, k.n == 1 && k.mrev[0] == r4 && k.crev[0] == r1,
	         "prev_fn gets the deleted pair");
	sc_is(t, get(t, k1, 0, &k, &err), -K8C_ENOTFOUND,
	      "a deleted key is gone");
	sc_is(t, t->ops->delete(t->cookie, k1, 0, &rd, NULL, NULL, &err),
	      -K8C_ENOTFOUND, "delete of a missing key: ENOTFOUND");
	r1 = create(t, k1, "again");
	get(t, k1, 0, &k, &err);
	sc_check(t, k.n == 1 && k.crev[0] == r1 && r1 > rd,
	         "a re-created key has a new create revision");
	kvs_reset(&k);
	ret = t->ops->delete(t->cookie, k1, 0, &rd, collect, &k, &err);
	sc_check(t, ret == 0 && rd > r1 && k.n == 1 &&
	                    strcmp(k.value[0], "again") == 0,
	         "delete with revision 0 is unconditional");

	/* reads at old revisions */
	get(t, k1, r2, &k, &err);
	sc_check(t, k.n == 1 && strcmp(k.value[0], "v2") == 0 &&
	                    k.mrev[0] == r2,
	         "get at an old revision returns that version");
	sc_is(t, get(t, k1, rd, &k, &err), -K8C_ENOTFOUND,
	      "get at the delete's revision: ENOTFOUND");
	sc_is(t, get(t, k1, r0, &k, &err), -K8C_ENOTFOUND,
	      "get before the key existed: ENOTFOUND");
	sc_is(t, get(t, k1, sc_revision(t) + 1000, &k, &err), -K8C_EINVAL,
	      "get at a future revision: EINVAL");
	kvs_reset(&k);
	free(k1);
	free(k2);
}

/* --- range, limit, paging --------------------------------------------------- */

static int range(sc_t *t, const char *key, const char *end, int64_t rev,
                 int64_t limit, kvs_t *k, k8c_store_range_info_t *info)
{
	k8c_error_t err;
	int ret;

	kvs_reset(k);
	memset(info, 0, sizeof(*info));
	ret = t->ops->range(t->cookie, key, end, rev, limit, collect, k, info,
	                    &err);
	if (ret < 0 && ret != -42)
		sc_diag(t, "range %s: %s", key, err.message);
	return ret;
}

static int sorted_prefix(const kvs_t *k, const char *from, const char *to)
{
	for (int i = 0; i < k->n && i < 64; i++) {
		if (strcmp(k->key[i], from) < 0 ||
		    (to != NULL && strcmp(k->key[i], to) >= 0))
			return 0;
		if (i > 0 && strcmp(k->key[i - 1], k->key[i]) >= 0)
			return 0;
	}
	return 1;
}

static void test_range(sc_t *t)
{
	char *lo = sc_key(t, "r/"), *hi = sc_key(t, "r0");
	char *child = sc_key(t, "r/a10/child"), *added = sc_key(t, "r/a05x");
	char *names[25], seen[25] = {0}, *cont = NULL;
	int64_t r_full, rev, rev_del;
	k8c_store_range_info_t info;
	k8c_error_t err;
	kvs_t k = {0};
	int total = 0, pages = 0, ret;

	for (int i = 0; i < 25; i++) {
		names[i] = sc_key(t, "r/a%02d", i);
		create(t, names[i], names[i]);
	}
	create(t, child, "child"); /* under a key: still in the prefix */
	create(t, hi, "outside");
	r_full = sc_revision(t);

	ret = range(t, lo, hi, 0, 0, &k, &info);
	sc_check(t, ret == 0 && k.n == 26 && sorted_prefix(&k, lo, hi),
	         "range [prefix, end) returns every key in order");
	sc_check(t, info.count == 26 && info.more == 0 &&
	                    info.revision >= r_full,
	         "info: count, more 0, revision");
	sc_check(t, !k.bad_nul, "range values are NUL-terminated");

	ret = range(t, lo, hi, 0, 10, &k, &info);
	sc_check(t, ret == 0 && k.n == 10 && info.more == 1 &&
	                    info.count == 26,
	         "limit: 10 pairs, more 1, count of the whole range");

	/* continue-style paging at the first page's revision, while the
	 * range changes under it */
	rev = info.revision;
	for (;;) {
		ret = range(t, cont != NULL ? cont : lo, hi, rev, 10, &k, &info);
		free(cont);
		cont = NULL;
		if (ret < 0)
			break;
		for (int i = 0; i < k.n && i < 64; i++)
			for (int j = 0; j < 25; j++)
				if (strcmp(k.key[i], names[j]) == 0)
					seen[j]++;
		total += k.n;
		if (++pages == 1) {
			create(t, added, "new");
			t->ops->delete(t->cookie, names[20], 0, &rev_del, NULL,
			               NULL, &err);
		}
		if (!info.more || k.n == 0 || pages > 10)
			break;
		cont = malloc(strlen(k.key[k.n - 1]) + 2);
		sprintf(cont, "%s\x01", k.key[k.n - 1]);
	}
	ret = 1;
	for (int j = 0; j < 25; j++)
		ret &= seen[j] == 1;
	sc_check(t, pages == 3 && total == 26 && ret,
	         "paging at a fixed revision sees the snapshot exactly once "
	         "(%d pages, %d pairs)", pages, total);

	ret = range(t, names[3], NULL, 0, 0, &k, &info);
	sc_check(t, ret == 0 && k.n == 1 && strcmp(k.key[0], names[3]) == 0,
	         "range_end NULL reads the key alone");
	ret = range(t, names[10], NULL, 0, 0, &k, &info);
	sc_check(t, ret == 0 && k.n == 1 && info.count == 1,
	         "range_end NULL does not read keys under the key");
	ret = range(t, names[21], "", 0, 0, &k, &info);
	sc_check(t, ret == 0 && k.n >= 4 && sorted_prefix(&k, names[21], NULL) &&
	                    strcmp(k.key[0], names[21]) == 0 &&
	                    strcmp(k.key[3], names[24]) == 0,
	         "range_end \"\" reads every key from key on");
	ret = range(t, names[5], names[8], 0, 0, &k, &info);
	sc_check(t, ret == 0 && k.n == 4 && strcmp(k.key[1], added) == 0 &&
	                    strcmp(k.key[3], names[7]) == 0,
	         "[a05, a08) holds a05, a05x, a06, a07");
	ret = range(t, names[8], names[5], 0, 0, &k, &info);
	sc_check(t, ret == 0 && k.n == 0 && info.count == 0,
	         "range_end below key: empty");
	ret = range(t, lo, hi, r_full, 0, &k, &info);
	sc_check(t, ret == 0 && k.n == 26 && info.revision == r_full,
	         "range at an old revision sees the deleted key, not the new");
	ret = range(t, lo, hi, r_full, 5, &k, &info);
	sc_check(t, ret == 0 && k.n == 5 && info.count == 26 && info.more,
	         "limit, count and more at an old revision");
	kvs_reset(&k);
	k.stop_after = 3;
	ret = t->ops->range(t->cookie, lo, hi, 0, 0, collect, &k, &info, &err);
	sc_is(t, ret, -42, "a callback's negative return stops the range");
	sc_is(t, k.n, 3, "no pair after the stop");
	sc_is(t, range(t, lo, hi, sc_revision(t) + 1000, 0, &k, &info),
	      -K8C_EINVAL, "range at a future revision: EINVAL");
	kvs_reset(&k);
	for (int i = 0; i < 25; i++)
		free(names[i]);
	free(lo);
	free(hi);
	free(child);
	free(added);
}

/* --- many writers ------------------------------------------------------------ */

#define WR_THREADS 16
#define WR_EACH 64

typedef struct wr_arg {
	sc_t *t;
	int id;
	int64_t revs[WR_EACH];
	int failed;
} wr_arg_t;

static void *writer_thread(void *p)
{
	wr_arg_t *a = p;

	for (int i = 0; i < WR_EACH; i++) {
		char *key = sc_key(a->t, "m/%02d/%03d", a->id, i);
		k8c_error_t err;

		if (a->t->ops->create(a->t->cookie, key, key, strlen(key),
		                      &a->revs[i], &err) < 0)
			a->failed++;
		free(key);
	}
	return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void test_many_writers(sc_t *t)
{
	static wr_arg_t args[WR_THREADS];
	int64_t all[WR_THREADS * WR_EACH];
	pthread_t th[WR_THREADS];
	k8c_store_range_info_t info;
	char *lo = sc_key(t, "m/"), *hi = sc_key(t, "m0");
	int failed = 0, dups = 0, n = 0;

	for (int i = 0; i < WR_THREADS; i++) {
		args[i] = (wr_arg_t){.t = t, .id = i};
		pthread_create(&th[i], NULL, writer_thread, &args[i]);
	}
	for (int i = 0; i < WR_THREADS; i++) {
		pthread_join(th[i], NULL);
		failed += args[i].failed;
		for (int j = 0; j < WR_EACH; j++)
			all[n++] = args[i].revs[j];
	}
	qsort(all, (size_t)n, sizeof(all[0]), cmp_i64);
	for (int i = 1; i < n; i++)
		dups += all[i] == all[i - 1];
	sc_is(t, failed, 0, "%d threads x %d creates all succeed", WR_THREADS,
	      WR_EACH);
	sc_is(t, dups, 0, "no revision was handed out twice");
	sc_check(t, sc_revision(t) >= all[n - 1],
	         "revision() covers every acknowledged write");
	memset(&info, 0, sizeof(info));
	sc_check(t, t->ops->range(t->cookie, lo, hi, 0, 0, NULL, NULL, &info,
	                          NULL) == 0 &&
	                    info.count == n,
	         "no write was lost (count %lld)", (long long)info.count);
	free(lo);
	free(hi);
}

/* --- compaction ----------------------------------------------------------------- */

static void test_compaction(sc_t *t)
{
	char *k1 = sc_key(t, "c/k1"), *k2 = sc_key(t, "c/k2");
	int64_t r1, r2, rc, old, dummy;
	k8c_store_range_info_t info;
	k8c_error_t err;
	kvs_t k = {0};
	sc_rec_t rec;

	if (t->ops->compact == NULL) {
		sc_diag(t, "compact is NULL: compaction checks skipped");
		return;
	}
	r1 = create(t, k1, "one");
	old = create(t, k2, "two");
	t->ops->update(t->cookie, k2, "three", 5, old, &r2, NULL, NULL, &err);
	rc = sc_revision(t);
	sc_is(t, t->ops->compact(t->cookie, rc, &err), 0, "compact to current");
	sc_is(t, get(t, k1, r1 - 1 > 0 ? r1 - 1 : 1, &k, &err), -K8C_EEXPIRED,
	      "get below the compacted revision: EEXPIRED");
	sc_is(t, err.code, K8C_EEXPIRED, "err says EEXPIRED");
	sc_is(t, range(t, k1, k2, old, 0, &k, &info), -K8C_EEXPIRED,
	      "range below the compacted revision: EEXPIRED");
	sc_rec_init(&rec, t);
	sc_is(t, sc_rec_watch(&rec, k1, NULL, old, &err), -K8C_EEXPIRED,
	      "watch from below the compacted revision: EEXPIRED");
	sc_check(t, rec.n == 0 && rec.finals == 0 && rec.frees == 0,
	         "a failed watch calls neither fn nor free_fn");
	sc_rec_free(&rec);
	get(t, k1, rc, &k, &err);
	sc_check(t, k.n == 1 && k.mrev[0] == r1 && strcmp(k.value[0], "one") == 0,
	         "the compacted revision itself is readable");
	get(t, k2, 0, &k, &err);
	sc_check(t, k.n == 1 && k.mrev[0] == r2, "latest reads are unaffected");
	sc_is(t, range(t, k1, "", rc, 0, &k, &info), 0,
	      "range at the compacted revision");
	sc_is(t, t->ops->compact(t->cookie, rc, &err), -K8C_EEXPIRED,
	      "compact to the compacted revision again: EEXPIRED");
	sc_is(t, t->ops->compact(t->cookie, rc + 1000, &err), -K8C_EINVAL,
	      "compact to a future revision: EINVAL");
	t->ops->delete(t->cookie, k2, 0, &dummy, NULL, NULL, &err);
	kvs_reset(&k);
	free(k1);
	free(k2);
}

/* --- close, reopen, fini, init ------------------------------------------------------ */

static void test_lifecycle(sc_t *t)
{
	const store_contract_t *c = t->c;
	char *key = sc_key(t, "l/k");
	int64_t before, after, rev;
	k8c_error_t err;
	sc_rec_t rec;
	int ret;

	sc_rec_init(&rec, t);
	sc_is(t, sc_rec_watch(&rec, key, NULL, 0, &err), 0, "watch before close");
	before = sc_revision(t);
	t->ops->close(t->cookie);
	sc_check(t, rec.finals == 1 && rec.end_code == K8C_EUNAVAIL,
	         "close ends watches with EUNAVAIL");
	sc_is(t, rec.frees, 1, "... and free_fn once, after the final callback");
	t->ops->watch_cancel(t->cookie, rec.handle); /* only releases it */
	sc_is(t, rec.finals + rec.after_final, 1, "no callback after cancel");
	sc_is(t, t->ops->create(t->cookie, key, "x", 1, &rev, &err),
	      -K8C_EUNAVAIL, "create after close: EUNAVAIL");
	sc_is(t, t->ops->get(t->cookie, key, 0, NULL, NULL, &err), -K8C_EUNAVAIL,
	      "get after close: EUNAVAIL");
	ret = t->ops->open(t->cookie, c->endpoint, &err);
	if (!sc_is(t, ret, 0, "open after close"))
		sc_diag(t, "open: %s", err.message);
	after = sc_revision(t);
	sc_check(t, after >= before, "revision kept across close/open "
	         "(%lld -> %lld)", (long long)before, (long long)after);
	rev = create(t, key, "after reopen");
	sc_check(t, rev > before, "the next write gets a higher revision");
	t->ops->delete(t->cookie, key, 0, &rev, NULL, NULL, &err);

	before = sc_revision(t);
	t->ops->close(t->cookie);
	c->plugin->fini(t->cookie);
	t->cookie = NULL;
	ret = c->plugin->init(c->host, c->config, &t->cookie, &err);
	if (sc_is(t, ret, 0, "init again"))
		ret = t->ops->open(t->cookie, c->endpoint, &err);
	if (!sc_is(t, ret, 0, "open again"))
		sc_diag(t, "open: %s", err.message);
	after = sc_revision(t);
	sc_check(t, after >= before, "revision kept across fini/init "
	         "(%lld -> %lld)", (long long)before, (long long)after);
	sc_check(t, create(t, key, "x") > before,
	         "revision strictly increasing across fini/init");
	sc_rec_free(&rec);
	free(key);
}

int store_contract_run(const store_contract_t *c)
{
	static int runs;
	sc_t t = {.c = c, .ops = c->plugin->ops};
	k8c_error_t err;
	int ret;

	snprintf(t.prefix, sizeof(t.prefix), "/contract/%d-%d/", (int)getpid(),
	         ++runs);
	ret = c->plugin->init(c->host, c->config, &t.cookie, &err);
	if (!sc_is(&t, ret, 0, "init %s", c->plugin->name)) {
		c->diag("init: %s", err.message);
		return t.failures;
	}
	ret = t.ops->open(t.cookie, c->endpoint, &err);
	if (!sc_is(&t, ret, 0, "open %s", c->endpoint)) {
		c->diag("open: %s", err.message);
		c->plugin->fini(t.cookie);
		return t.failures;
	}
	test_writes(&t);
	test_range(&t);
	sc_watch_tests(&t);
	sc_ttl_tests(&t);
	test_many_writers(&t);
	test_compaction(&t);
	test_lifecycle(&t);
	if (t.cookie != NULL) {
		t.ops->close(t.cookie);
		c->plugin->fini(t.cookie);
	}
	return t.failures;
}
