/* store-sqlite: keys with a time to live (create_ttl/update_ttl, ABI 1.1).
 *
 * The table expiry (key, at) holds the wall-clock deadline (ms since the
 * epoch, so it survives restarts) of every key written with a TTL.  The
 * writer sets or clears a key's row in the same transaction as the write
 * (a write without a TTL makes the key permanent, as etcd's put without a
 * lease).  The maintenance thread looks for due rows every tick and queues
 * a WOP_EXPIRE for each; the writer checks the row is still due and
 * deletes the key like any delete (revision, log row, DELETE event). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/mem.h"
#include "store_sqlite.h"

enum { XS_SET, XS_CLEAR, XS_DUE, XS_ANY, XS_COUNT };

static const char *const expiry_sql[XS_COUNT] = {
	[XS_SET] = "INSERT OR REPLACE INTO expiry (key, at) VALUES (?1, ?2)",
	[XS_CLEAR] = "DELETE FROM expiry WHERE key = ?1",
	[XS_DUE] = "SELECT at FROM expiry WHERE key = ?1",
	[XS_ANY] = "SELECT EXISTS (SELECT 1 FROM expiry)",
};

/* Keys looked at per maintenance tick. */
#define EXPIRE_BATCH 256

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int sqls_expiry_prepare(sqls_t *s, k8c_error_t *err)
{
	sqlite3_stmt *any;

	s->xst = k8c_xcalloc(XS_COUNT, sizeof(*s->xst));
	for (int i = 0; i < XS_COUNT; i++) {
		int rc = sqlite3_prepare_v3(s->wdb, expiry_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
		                            &s->xst[i], NULL);
		if (rc != SQLITE_OK)
			return sqls_sql_error(s->wdb, rc, expiry_sql[i], err);
	}
	any = s->xst[XS_ANY];
	SQLS_STORE(&s->has_expiry, sqlite3_step(any) == SQLITE_ROW && sqlite3_column_int(any, 0));
	sqlite3_reset(any);
	return 0;
}

void sqls_expiry_finalize(sqls_t *s)
{
	if (s->xst == NULL)
		return;
	for (int i = 0; i < XS_COUNT; i++)
		sqlite3_finalize(s->xst[i]);
	free(s->xst);
	s->xst = NULL;
}

static int step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int sqls_expiry_after_write(sqls_t *s, const sqls_wreq_t *r)
{
	sqlite3_stmt *st;

	if (r->ttl_ms > 0) {
		st = s->xst[XS_SET];
		sqlite3_bind_text(st, 1, r->key, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, wall_ms() + r->ttl_ms);
		SQLS_STORE(&s->has_expiry, 1);
		return step_done(st);
	}
	if (!SQLS_LOAD(&s->has_expiry)) /* the common case: no TTL anywhere */
		return SQLITE_OK;
	st = s->xst[XS_CLEAR];
	sqlite3_bind_text(st, 1, r->key, -1, SQLITE_STATIC);
	return step_done(st);
}

int sqls_expiry_due(sqls_t *s, const char *key, int *due)
{
	sqlite3_stmt *st = s->xst[XS_DUE];
	int rc;

	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*due = rc == SQLITE_ROW && sqlite3_column_int64(st, 0) <= wall_ms();
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

void sqls_expire_step(sqls_t *s)
{
	char *keys[EXPIRE_BATCH];
	sqlite3_stmt *st = NULL;
	int n = 0;

	if (!SQLS_LOAD(&s->has_expiry))
		return;
	if (sqlite3_prepare_v2(s->mdb, "SELECT key FROM expiry WHERE at <= ?1 ORDER BY at LIMIT ?2", -1,
	                       &st, NULL) != SQLITE_OK) {
		SQLS_LOG(s, K8C_LOG_WARN, "%s: expiry scan: %s", s->path, sqlite3_errmsg(s->mdb));
		return;
	}
	sqlite3_bind_int64(st, 1, wall_ms());
	sqlite3_bind_int(st, 2, EXPIRE_BATCH);
	while (n < EXPIRE_BATCH && sqlite3_step(st) == SQLITE_ROW)
		keys[n++] = k8c_xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	for (int i = 0; i < n; i++) {
		sqls_wreq_t r = {.op = WOP_EXPIRE, .key = keys[i]};
		k8c_error_t err;
		int ret = sqls_submit(s, &r, &err);
		free(r.prev_value);
		if (ret < 0 && ret != -K8C_ENOTFOUND && ret != -K8C_EUNAVAIL)
			SQLS_LOG(s, K8C_LOG_WARN, "%s: expiring %s: %s", s->path, keys[i], err.message);
		free(keys[i]);
	}
}

/* --- the ops ------------------------------------------------------------------ */

int sqls_create_ttl(void *cookie, const char *key, const char *value, size_t value_len,
                    int64_t ttl_seconds, int64_t *revision, k8c_error_t *err)
{
	if (ttl_seconds < 1 || ttl_seconds > INT64_C(1) << 40)
		return k8c_error_make(err, K8C_EINVAL, "%s: TTL %lld s", key, (long long)ttl_seconds);
	return sqls_write(cookie, WOP_CREATE, key, value, value_len, 0, ttl_seconds * 1000, revision,
	                  NULL, NULL, err);
}

int sqls_update_ttl(void *cookie, const char *key, const char *value, size_t value_len,
                    int64_t expected_revision, int64_t ttl_seconds, int64_t *revision,
                    k8c_store_kv_fn current_fn, void *udata, k8c_error_t *err)
{
	if (ttl_seconds < 1 || ttl_seconds > INT64_C(1) << 40)
		return k8c_error_make(err, K8C_EINVAL, "%s: TTL %lld s", key, (long long)ttl_seconds);
	return sqls_write(cookie, WOP_UPDATE, key, value, value_len, expected_revision,
	                  ttl_seconds * 1000, revision, current_fn, udata, err);
}
