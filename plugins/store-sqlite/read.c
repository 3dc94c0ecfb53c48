/* store-sqlite: reads (revision, get, range) on reader connections.
 *
 * A read at the latest revision scans the kv table (key -> revisions),
 * joined by primary key to the log row holding the value; a read at an older
 * revision uses the log: for each key the newest row at or below the
 * revision, unless that row is a deletion.  Each read runs in one read
 * transaction, so the revision it reports and the pairs it returns come
 * from the same snapshot. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "store_sqlite.h"

int sqls_check_key(const char *key, const char *range_end, k8c_error_t *err)
{
	if (key == NULL || key[0] == '\0')
		return k8c_error_make(err, K8C_EINVAL, "key must not be empty");
	return 0;
}

/* The checks every read at a revision makes against its snapshot. */
static int check_revision(const char *key, int64_t revision, int64_t current,
                          int64_t compacted, k8c_error_t *err)
{
	if (revision > current)
		return k8c_error_make(err, K8C_EINVAL,
		                      "%s: revision %lld is in the future "
		                      "(current revision %lld)",
		                      key, (long long)revision,
		                      (long long)current);
	if (revision != 0 && revision < compacted)
		return k8c_error_make(err, K8C_EEXPIRED,
		                      "%s: revision %lld has been compacted "
		                      "(compacted revision %lld)",
		                      key, (long long)revision,
		                      (long long)compacted);
	return 0;
}

int sqls_revision(void *cookie, int64_t *revision, k8c_error_t *err)
{
	sqls_t *s = cookie;

	if (!s->is_open)
		return k8c_error_make(err, K8C_EUNAVAIL, "store is not open");
	*revision = SQLS_LOAD(&s->committed_rev);
	return 0;
}

/* One statement, so one snapshot: meta and the pair are read together. */
int sqls_get(void *cookie, const char *key, int64_t revision,
             k8c_store_kv_fn fn, void *udata, k8c_error_t *err)
{
	sqls_t *s = cookie;
	sqls_reader_t *rd;
	sqlite3_stmt *st;
	k8c_store_kv_t kv = {.key = key};
	int rc, ret;

	ret = sqls_check_key(key, NULL, err);
	if (ret < 0)
		return ret;
	if (revision < 0)
		return k8c_error_make(err, K8C_EINVAL, "%s: negative revision",
		                      key);
	ret = sqls_reader_get(s, &rd, err);
	if (ret < 0)
		return ret;

	st = rd->st[revision == 0 ? RS_GET_LATEST : RS_GET_AT];
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (revision != 0)
		sqlite3_bind_int64(st, 2, revision);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		ret = sqls_sql_error(rd->db, rc, "get", err);
		goto out;
	}
	ret = check_revision(key, revision, sqlite3_column_int64(st, 0),
	                     sqlite3_column_int64(st, 1), err);
	if (ret < 0)
		goto out;
	if (revision == 0) {
		if (sqlite3_column_type(st, 2) == SQLITE_NULL) {
			ret = k8c_error_make(err, K8C_ENOTFOUND,
			                     "%s: not found", key);
			goto out;
		}
		kv.create_revision = sqlite3_column_int64(st, 2);
		kv.mod_revision = sqlite3_column_int64(st, 3);
		sqls_column_value(st, 4, &kv.value, &kv.value_len);
	} else {
		if (sqlite3_column_type(st, 3) == SQLITE_NULL ||
		    sqlite3_column_int(st, 4) != 0) {
			ret = k8c_error_make(err, K8C_ENOTFOUND,
			                     "%s: not found at revision %lld",
			                     key, (long long)revision);
			goto out;
		}
		kv.create_revision = sqlite3_column_int64(st, 2);
		kv.mod_revision = sqlite3_column_int64(st, 3);
		sqls_column_value(st, 5, &kv.value, &kv.value_len);
	}
	ret = fn != NULL ? fn(udata, &kv) : 0;
	if (ret > 0)
		ret = 0;
out:
	sqlite3_reset(st);
	sqls_reader_put(s, rd);
	return ret;
}

typedef struct range_ctx {
	sqls_reader_t *rd;
	const char *key, *hi;
	int64_t at, limit;
	k8c_store_kv_fn fn;
	void *udata;
	int64_t count;
} range_ctx_t;

/* Count a pair within the limit and hand it to fn. */
static int emit(range_ctx_t *c, const k8c_store_kv_t *kv)
{
	int ret;

	c->count++;
	ret = c->fn(c->udata, kv);
	return ret > 0 ? 0 : ret;
}

/* Count the rest of the range on kv alone (keys and revisions only). */
static int count_latest(range_ctx_t *c, k8c_error_t *err)
{
	sqlite3_stmt *st =
		c->rd->st[c->hi[0] ? RS_COUNT_LATEST_B : RS_COUNT_LATEST_U];
	int rc;

	sqls_bind_range(st, 1, c->key, c->hi);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		c->count = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return sqls_sql_error(c->rd->db, rc, "range count", err);
	return 0;
}

/* One ordered scan of kv, each row joined by primary key to the log row
 * that holds its value; past the limit, a count on kv. */
static int range_latest(range_ctx_t *c, k8c_error_t *err)
{
	sqlite3_stmt *st =
		c->rd->st[c->hi[0] ? RS_RANGE_LATEST_B : RS_RANGE_LATEST_U];
	int rc, ret = 0;

	if (c->fn == NULL)
		return count_latest(c, err);
	sqls_bind_range(st, 1, c->key, c->hi);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		k8c_store_kv_t kv;

		if (c->limit != 0 && c->count >= c->limit) {
			rc = SQLITE_DONE;
			ret = count_latest(c, err);
			break;
		}
		kv.key = (const char *)sqlite3_column_text(st, 0);
		kv.create_revision = sqlite3_column_int64(st, 1);
		kv.mod_revision = sqlite3_column_int64(st, 2);
		sqls_column_value(st, 3, &kv.value, &kv.value_len);
		ret = emit(c, &kv);
		if (ret < 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = sqls_sql_error(c->rd->db, rc, "range", err);
	sqlite3_reset(st);
	return ret;
}

/* The grouped scan reads only the covering index (key, revision,
 * deleted); the row itself is fetched for the pairs handed out. */
static int range_at(range_ctx_t *c, k8c_error_t *err)
{
	sqlite3_stmt *st = c->rd->st[c->hi[0] ? RS_RANGE_AT_B : RS_RANGE_AT_U];
	sqlite3_stmt *row = c->rd->st[RS_LOG_ROW];
	int rc, ret = 0;

	sqls_bind_range(st, 1, c->key, c->hi);
	sqlite3_bind_int64(st, 3, c->at);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		k8c_store_kv_t kv;

		if (sqlite3_column_int(st, 1) != 0)
			continue; /* deleted at that revision */
		if (c->fn == NULL || (c->limit != 0 && c->count >= c->limit)) {
			c->count++;
			continue;
		}
		kv.mod_revision = sqlite3_column_int64(st, 0);
		sqlite3_bind_int64(row, 1, kv.mod_revision);
		rc = sqlite3_step(row);
		if (rc != SQLITE_ROW) {
			sqlite3_reset(row);
			ret = sqls_sql_error(c->rd->db, rc, "range log row", err);
			break;
		}
		kv.key = (const char *)sqlite3_column_text(row, 0);
		kv.create_revision = sqlite3_column_int64(row, 1);
		sqls_column_value(row, 2, &kv.value, &kv.value_len);
		ret = emit(c, &kv);
		sqlite3_reset(row);
		if (ret < 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = sqls_sql_error(c->rd->db, rc, "range", err);
	sqlite3_reset(st);
	return ret;
}

int sqls_range(void *cookie, const char *key, const char *range_end,
               int64_t revision, int64_t limit, k8c_store_kv_fn fn,
               void *udata, k8c_store_range_info_t *info, k8c_error_t *err)
{
	sqls_t *s = cookie;
	_cleanup_free_ char *succ = NULL;
	range_ctx_t c = {.key = key, .limit = limit, .fn = fn, .udata = udata};
	int64_t current, compacted;
	int ret;

	ret = sqls_check_key(key, range_end, err);
	if (ret < 0)
		return ret;
	if (revision < 0 || limit < 0)
		return k8c_error_make(err, K8C_EINVAL,
		                      "%s: negative revision or limit", key);
	c.hi = sqls_range_hi(key, range_end, &succ);
	ret = sqls_reader_get(s, &c.rd, err);
	if (ret < 0)
		return ret;
	ret = sqls_read_begin(c.rd, err);
	if (ret < 0)
		goto out;
	ret = sqls_read_meta(c.rd, &current, &compacted, err);
	if (ret == 0)
		ret = check_revision(key, revision, current, compacted, err);
	if (ret == 0) {
		c.at = revision != 0 ? revision : current;
		if (c.hi[0] != '\0' && strcmp(c.hi, key) <= 0)
			; /* empty range */
		else if (c.at == current)
			ret = range_latest(&c, err);
		else
			ret = range_at(&c, err);
	}
	sqls_read_end(c.rd);
out:
	sqls_reader_put(s, c.rd);
	if (ret < 0)
		return ret;
	if (info != NULL) {
		info->revision = c.at;
		info->count = c.count;
		info->more = limit != 0 && c.count > limit;
	}
	return 0;
}
