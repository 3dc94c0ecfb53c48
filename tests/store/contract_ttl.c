/* The store contract: keys with a time to live (ABI 1.1; skipped for a
 * store without them).  A key written with a TTL disappears on its own —
 * an ordinary delete a watch sees — while a key rewritten without one
 * stays, and a rewrite with a TTL sets the new deadline. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <k8c/store.h>

#include "contract_priv.h"

/* expiry may lag: etcd rounds TTLs up (~2 s), store-sqlite looks once a second */
#define EXPIRY_WAIT_MS 20000

static int ignore(void *udata, const k8c_store_kv_t *kv)
{
	return 0;
}

static int exists(sc_t *t, const char *key)
{
	k8c_error_t err;

	return t->ops->get(t->cookie, key, 0, ignore, NULL, &err) == 0;
}

void sc_ttl_tests(sc_t *t)
{
	const k8c_store_ops_t *ops = t->ops;
	char *pre = sc_key(t, "ttl/"), *end = sc_key(t, "ttl0");
	char *gone = sc_key(t, "ttl/gone"), *kept = sc_key(t, "ttl/kept"), *later = sc_key(t, "ttl/later");
	int64_t r_gone = 0, r_kept = 0, r, start;
	k8c_error_t err;
	sc_rec_t rec;
	int deleted = 0, n;

	if (!K8C_HAS_MEMBER(ops->struct_size, k8c_store_ops_t, update_ttl) || ops->create_ttl == NULL) {
		sc_check(t, ops->update_ttl == NULL || !K8C_HAS_MEMBER(ops->struct_size, k8c_store_ops_t,
		                                                       update_ttl),
		         "TTL keys: neither op (store without them)");
		goto out;
	}
	sc_check(t, ops->update_ttl != NULL, "TTL keys: create_ttl and update_ttl come together");
	sc_is(t, ops->create_ttl(t->cookie, gone, "v", 1, 0, &r, &err), -K8C_EINVAL, "TTL 0 is refused");
	sc_rec_init(&rec, t);
	sc_is(t, sc_rec_watch(&rec, pre, end, 0, &err), 0, "watch the TTL keys");
	sc_is(t, ops->create_ttl(t->cookie, gone, "v", 1, 1, &r_gone, &err), 0, "create with a TTL of 1 s");
	sc_is(t, ops->create_ttl(t->cookie, gone, "v", 1, 1, &r, &err), -K8C_EEXIST,
	      "create_ttl of an existing key: EEXIST");
	sc_is(t, ops->create_ttl(t->cookie, kept, "v", 1, 1, &r_kept, &err), 0, "another one");
	sc_is(t, ops->update(t->cookie, kept, "w", 1, r_kept, &r_kept, NULL, NULL, &err), 0,
	      "updated without a TTL: kept for good");
	sc_is(t, ops->create(t->cookie, later, "v", 1, &r, &err), 0, "a key without a TTL");
	sc_is(t, ops->update_ttl(t->cookie, later, "w", 1, r + 1000, 1, &r, ignore, NULL, &err),
	      -K8C_ECONFLICT, "update_ttl checks the revision");
	sc_is(t, ops->update_ttl(t->cookie, later, "w", 1, r, 1, &r, NULL, NULL, &err), 0,
	      "update_ttl gives it a TTL");
	sc_check(t, exists(t, gone) && exists(t, later), "right after, the keys are there");
	start = sc_now_ms();
	while (sc_now_ms() - start < EXPIRY_WAIT_MS && (exists(t, gone) || exists(t, later)))
		sc_sleep_ms(100);
	sc_check(t, !exists(t, gone) && !exists(t, later), "both TTL keys expire (after %lld ms)",
	         (long long)(sc_now_ms() - start));
	sc_check(t, exists(t, kept), "the key rewritten without a TTL stays");
	sc_sleep_ms(500);
	pthread_mutex_lock(&rec.mu);
	n = rec.n;
	for (int i = 0; i < rec.n; i++)
		if (rec.ev[i].type == K8C_STORE_DELETE &&
		    (strcmp(rec.ev[i].key, gone) == 0 || strcmp(rec.ev[i].key, later) == 0))
			deleted++;
	pthread_mutex_unlock(&rec.mu);
	sc_is(t, deleted, 2, "a watch sees each expiry as a DELETE (%d events)", n);
	ops->watch_cancel(t->cookie, rec.handle);
	sc_rec_free(&rec);
out:
	free(pre);
	free(end);
	free(gone);
	free(kept);
	free(later);
}
