/* store-sqlite: the write queue and the group-commit writer thread.
 *
 * Callers queue a request and wait.  The one writer thread takes every
 * queued request (up to SQLS_MAX_BATCH) into one transaction, checks each
 * precondition inside it against the kv table, assigns revisions, commits
 * (one fsync: WAL with synchronous=FULL), then fans the events out to the
 * watchers in revision order, then wakes the callers.  A caller therefore
 * returns only after its write is durable and delivered.
 *
 * Compaction is two steps: the request marks the compacted revision in
 * meta (reads below it fail from then on), and the writer then deletes
 * the history that no read at or above it can need, a chunk per
 * transaction between batches (sqls_gc_step). */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "store_sqlite.h"

enum {
	WS_BEGIN,
	WS_COMMIT,
	WS_ROLLBACK,
	WS_SEL_KV,
	WS_INS_LOG,
	WS_INS_KV,
	WS_UPD_KV,
	WS_DEL_KV,
	WS_SET_REV,
	WS_SET_COMPACTED,
	WS_META_REV,
	WS_MIN_REV,
	WS_GC_SCAN,
	WS_GC_NEWER,
	WS_GC_DEL,
	WS_COUNT
};

static const char *const writer_sql[WS_COUNT] = {
	[WS_BEGIN] = "BEGIN IMMEDIATE",
	[WS_COMMIT] = "COMMIT",
	[WS_ROLLBACK] = "ROLLBACK",
	[WS_SEL_KV] = "SELECT k.create_revision, k.mod_revision, l.value"
	              " FROM kv AS k LEFT JOIN log AS l"
	              " ON l.revision = k.mod_revision WHERE k.key = ?1",
	[WS_INS_LOG] = "INSERT INTO log (revision, key, create_revision,"
	               " prev_revision, deleted, value)"
	               " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[WS_INS_KV] = "INSERT INTO kv (key, create_revision, mod_revision)"
	              " VALUES (?1, ?2, ?3)",
	[WS_UPD_KV] = "UPDATE kv SET mod_revision = ?2 WHERE key = ?1",
	[WS_DEL_KV] = "DELETE FROM kv WHERE key = ?1",
	[WS_SET_REV] = "UPDATE meta SET revision = ?1 WHERE id = 1",
	[WS_SET_COMPACTED] = "UPDATE meta SET compacted = ?1 WHERE id = 1",
	[WS_META_REV] = "SELECT revision FROM meta WHERE id = 1",
	[WS_MIN_REV] = "SELECT ifnull(min(revision), 0) FROM log",
	[WS_GC_SCAN] = "SELECT revision, key, deleted FROM log"
	               " WHERE revision >= ?1 AND revision < ?2"
	               " ORDER BY revision LIMIT ?3",
	/* A row is superseded when the same key has a newer row that is
	 * still below the compacted revision. */
	[WS_GC_NEWER] = "SELECT 1 FROM log WHERE key = ?1 AND revision > ?2"
	                " AND revision < ?3 LIMIT 1",
	[WS_GC_DEL] = "DELETE FROM log WHERE revision = ?1",
};

int sqls_wstmts_prepare(sqls_t *s, k8c_error_t *err)
{
	s->wst = k8c_xcalloc(WS_COUNT, sizeof(*s->wst));
	for (int i = 0; i < WS_COUNT; i++) {
		int rc = sqlite3_prepare_v3(s->wdb, writer_sql[i], -1,
		                            SQLITE_PREPARE_PERSISTENT,
		                            &s->wst[i], NULL);
		if (rc != SQLITE_OK)
			return sqls_sql_error(s->wdb, rc, writer_sql[i], err);
	}
	return 0;
}

void sqls_wstmts_finalize(sqls_t *s)
{
	if (s->wst == NULL)
		return;
	for (int i = 0; i < WS_COUNT; i++)
		sqlite3_finalize(s->wst[i]);
	free(s->wst);
	s->wst = NULL;
}

/* Step a statement that returns no row; SQLITE_OK or the error code. */
static int run(sqls_t *s, int i)
{
	int rc = sqlite3_step(s->wst[i]);

	sqlite3_reset(s->wst[i]);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static void bind_value(sqlite3_stmt *st, int i, const char *v, size_t len)
{
	/* a non-NULL pointer: an empty value is a zero-length BLOB, not NULL */
	sqlite3_bind_blob(st, i, v != NULL ? v : "", (int)len, SQLITE_STATIC);
}

/* Read the key's current pair into r->prev_*; copy the value when asked
 * (it becomes the event's prev_kv and what the caller's callback gets). */
static int lookup(sqls_t *s, sqls_wreq_t *r, int copy, int *found)
{
	sqlite3_stmt *st = s->wst[WS_SEL_KV];
	int rc;

	sqlite3_bind_text(st, 1, r->key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*found = rc == SQLITE_ROW;
	if (rc == SQLITE_ROW) {
		r->prev_create = sqlite3_column_int64(st, 0);
		r->prev_mod = sqlite3_column_int64(st, 1);
		if (copy) {
			const char *v;
			size_t len;

			sqls_column_value(st, 2, &v, &len);
			r->prev_value = k8c_xmalloc(len + 1);
			memcpy(r->prev_value, v, len);
			r->prev_value[len] = '\0';
			r->prev_len = len;
			r->has_prev = 1;
		}
		rc = SQLITE_DONE;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int log_row(sqls_t *s, int64_t rev, const char *key, int64_t crev,
                   int64_t prev, int deleted, const char *v, size_t len)
{
	sqlite3_stmt *st = s->wst[WS_INS_LOG];

	sqlite3_bind_int64(st, 1, rev);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, crev);
	sqlite3_bind_int64(st, 4, prev);
	sqlite3_bind_int(st, 5, deleted);
	if (deleted)
		sqlite3_bind_null(st, 6);
	else
		bind_value(st, 6, v, len);
	return run(s, WS_INS_LOG);
}

static int apply_create(sqls_t *s, sqls_wreq_t *r)
{
	sqlite3_stmt *st = s->wst[WS_INS_KV];
	int64_t rev = s->rev + 1;
	int found, rc;

	rc = lookup(s, r, 0, &found);
	if (rc != SQLITE_OK)
		return rc;
	if (found) {
		r->rc = -K8C_EEXIST;
		return SQLITE_OK;
	}
	rc = log_row(s, rev, r->key, rev, 0, 0, r->value, r->value_len);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(st, 1, r->key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, rev);
	sqlite3_bind_int64(st, 3, rev);
	rc = run(s, WS_INS_KV);
	if (rc == SQLITE_OK)
		rc = sqls_expiry_after_write(s, r);
	if (rc != SQLITE_OK)
		return rc;
	s->rev = rev;
	r->revision = rev;
	r->create_revision = rev;
	return SQLITE_OK;
}

/* update and delete: the precondition, then the log row and kv change. */
static int apply_change(sqls_t *s, sqls_wreq_t *r)
{
	int64_t rev = s->rev + 1;
	int del = r->op == WOP_DELETE;
	sqlite3_stmt *st;
	int found, rc;

	rc = lookup(s, r, 1, &found);
	if (rc != SQLITE_OK)
		return rc;
	if (!found) {
		r->rc = -K8C_ENOTFOUND;
		return SQLITE_OK;
	}
	if (r->prev_mod != r->expected && (!del || r->expected != 0)) {
		r->rc = -K8C_ECONFLICT;
		return SQLITE_OK;
	}
	rc = log_row(s, rev, r->key, r->prev_create, r->prev_mod, del,
	             r->value, r->value_len);
	if (rc != SQLITE_OK)
		return rc;
	st = s->wst[del ? WS_DEL_KV : WS_UPD_KV];
	sqlite3_bind_text(st, 1, r->key, -1, SQLITE_STATIC);
	if (!del)
		sqlite3_bind_int64(st, 2, rev);
	rc = run(s, del ? WS_DEL_KV : WS_UPD_KV);
	if (rc == SQLITE_OK)
		rc = sqls_expiry_after_write(s, r);
	if (rc != SQLITE_OK)
		return rc;
	s->rev = rev;
	r->revision = rev;
	r->create_revision = r->prev_create;
	return SQLITE_OK;
}

static int apply_compact(sqls_t *s, sqls_wreq_t *r, int64_t *compact_to)
{
	int64_t compacted = *compact_to ? *compact_to : SQLS_LOAD(&s->compacted);

	/* for the caller's message: the current and compacted revisions */
	r->revision = s->rev;
	r->create_revision = compacted;
	if (r->expected > s->rev) {
		r->rc = -K8C_EINVAL;
		return SQLITE_OK;
	}
	if (r->expected <= compacted) {
		r->rc = -K8C_EEXPIRED;
		return SQLITE_OK;
	}
	sqlite3_bind_int64(s->wst[WS_SET_COMPACTED], 1, r->expected);
	*compact_to = r->expected;
	return run(s, WS_SET_COMPACTED);
}

static int64_t min_log_revision(sqls_t *s)
{
	sqlite3_stmt *st = s->wst[WS_MIN_REV];
	int64_t v = 0;

	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return v;
}

/* After a failed transaction: the revision is what the file says. */
static void reload_revision(sqls_t *s)
{
	sqlite3_stmt *st = s->wst[WS_META_REV];

	if (sqlite3_step(st) == SQLITE_ROW)
		s->rev = sqlite3_column_int64(st, 0);
	else
		s->rev = SQLS_LOAD(&s->committed_rev);
	sqlite3_reset(st);
	if (s->rev < SQLS_LOAD(&s->committed_rev))
		s->rev = SQLS_LOAD(&s->committed_rev);
}

static void wake(sqls_t *s, sqls_wreq_t *batch)
{
	if (s->completions) {
		/* each waiter may free its request once done: read next first */
		while (batch != NULL) {
			sqls_wreq_t *next = batch->next;

			s->host->completion_done(s->host->ctx, batch->completion);
			batch = next;
		}
		return;
	}
	pthread_mutex_lock(&s->q_mu);
	while (batch != NULL) {
		sqls_wreq_t *next = batch->next;

		batch->done = 1;
		pthread_cond_signal(&batch->cond);
		batch = next;
	}
	pthread_mutex_unlock(&s->q_mu);
}

static void fail_batch(sqls_t *s, sqls_wreq_t *batch, const char *what)
{
	char msg[200];

	snprintf(msg, sizeof(msg), "%s", sqlite3_errmsg(s->wdb));
	if (!sqlite3_get_autocommit(s->wdb))
		run(s, WS_ROLLBACK);
	reload_revision(s);
	for (sqls_wreq_t *r = batch; r != NULL; r = r->next) {
		r->rc = -K8C_EIO;
		snprintf(r->msg, sizeof(r->msg), "sqlite: %s: %s", what, msg);
		free(r->prev_value);
		r->prev_value = NULL;
		r->has_prev = 0;
	}
}

static void run_batch(sqls_t *s, sqls_wreq_t *batch)
{
	const int64_t base = s->rev;
	int64_t compact_to = 0;
	int checkpoint = 0, rc;
	const char *what = "begin";

	rc = run(s, WS_BEGIN);
	for (sqls_wreq_t *r = batch; rc == SQLITE_OK && r != NULL; r = r->next) {
		what = "write";
		switch (r->op) {
		case WOP_CREATE:
			rc = apply_create(s, r);
			break;
		case WOP_UPDATE:
		case WOP_DELETE:
			rc = apply_change(s, r);
			break;
		case WOP_COMPACT:
			rc = apply_compact(s, r, &compact_to);
			break;
		case WOP_CHECKPOINT:
			checkpoint = 1;
			break;
		case WOP_EXPIRE: {
			int due = 0;
			rc = sqls_expiry_due(s, r->key, &due);
			if (rc == SQLITE_OK && !due) {
				r->rc = -K8C_ENOTFOUND; /* rewritten since */
				break;
			}
			r->op = WOP_DELETE; /* from here on, and for the event */
			r->expected = 0;
			if (rc == SQLITE_OK)
				rc = apply_change(s, r);
			break;
		}
		}
	}
	if (rc == SQLITE_OK && s->rev != base) {
		what = "write";
		sqlite3_bind_int64(s->wst[WS_SET_REV], 1, s->rev);
		rc = run(s, WS_SET_REV);
	}
	if (rc == SQLITE_OK) {
		what = "commit";
		rc = run(s, WS_COMMIT);
	}

	if (rc != SQLITE_OK) {
		fail_batch(s, batch, what);
		wake(s, batch);
		return;
	}

	SQLS_STORE(&s->committed_rev, s->rev);
	if (compact_to != 0) {
		SQLS_STORE(&s->compacted, compact_to);
		s->gc_target = compact_to;
		s->gc_lo = min_log_revision(s);
	}
	sqls_fanout(s, batch, s->rev);
	/* Asked by the maintenance thread — or the backstop when it cannot
	 * keep up: the WAL stays within a few times checkpointPages, and
	 * writers wait for the checkpoint (backpressure). */
	if (checkpoint ||
	    SQLS_LOAD(&s->wal_pages) >= SQLS_WAL_BACKSTOP * s->conf.checkpoint_pages)
		sqlite3_wal_checkpoint_v2(s->wdb, NULL,
		                          SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	sqls_maint_poke(s);
	wake(s, batch);
}

/* One chunk of compaction's deletion: rows below the compacted revision
 * that are deletions, or that a newer row below it supersedes.  What is
 * kept — the newest row below the compacted revision of each live key —
 * serves reads at the compacted revision and the prev_kv of later
 * events.  Returns 1 while there is more to do. */
int sqls_gc_step(sqls_t *s)
{
	sqlite3_stmt *scan = s->wst[WS_GC_SCAN];
	sqlite3_stmt *newer = s->wst[WS_GC_NEWER];
	int64_t revs[SQLS_GC_CHUNK];
	char *keys[SQLS_GC_CHUNK];
	int dead[SQLS_GC_CHUNK];
	int n = 0, rc;

	if (s->gc_lo >= s->gc_target)
		return 0;
	rc = run(s, WS_BEGIN);
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(scan, 1, s->gc_lo);
	sqlite3_bind_int64(scan, 2, s->gc_target);
	sqlite3_bind_int(scan, 3, SQLS_GC_CHUNK);
	while (n < SQLS_GC_CHUNK && (rc = sqlite3_step(scan)) == SQLITE_ROW) {
		revs[n] = sqlite3_column_int64(scan, 0);
		keys[n] = k8c_xstrdup((const char *)sqlite3_column_text(scan, 1));
		dead[n] = sqlite3_column_int(scan, 2);
		n++;
	}
	sqlite3_reset(scan);
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
	for (int i = 0; rc == SQLITE_OK && i < n; i++) {
		if (!dead[i]) {
			sqlite3_bind_text(newer, 1, keys[i], -1, SQLITE_STATIC);
			sqlite3_bind_int64(newer, 2, revs[i]);
			sqlite3_bind_int64(newer, 3, s->gc_target);
			rc = sqlite3_step(newer);
			sqlite3_reset(newer);
			dead[i] = rc == SQLITE_ROW;
			rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
		}
		if (rc == SQLITE_OK && dead[i]) {
			sqlite3_bind_int64(s->wst[WS_GC_DEL], 1, revs[i]);
			rc = run(s, WS_GC_DEL);
		}
	}
	for (int i = 0; i < n; i++)
		free(keys[i]);
	if (rc == SQLITE_OK)
		rc = run(s, WS_COMMIT);
	if (rc != SQLITE_OK)
		goto fail;
	s->gc_lo = n < SQLS_GC_CHUNK ? s->gc_target : revs[n - 1] + 1;
	sqls_maint_poke(s);
	return s->gc_lo < s->gc_target;
fail:
	/* Nobody to return this to: log it; the rows stay until the next
	 * compaction or open retries. */
	SQLS_LOG(s, K8C_LOG_WARN, "%s: compaction to revision %lld: %s",
	         s->path, (long long)s->gc_target, sqlite3_errmsg(s->wdb));
	if (!sqlite3_get_autocommit(s->wdb))
		run(s, WS_ROLLBACK);
	s->gc_lo = s->gc_target;
	return 0;
}

static void *writer_main(void *arg)
{
	sqls_t *s = arg;
	pthread_setname_np(pthread_self(), "k8c-sqlite-wr");

	for (;;) {
		sqls_wreq_t *batch, *last;
		int n = 1, stop;

		pthread_mutex_lock(&s->q_mu);
		while (s->q_head == NULL && !s->q_stop &&
		       s->gc_lo >= s->gc_target)
			pthread_cond_wait(&s->q_cond, &s->q_mu);
		batch = last = s->q_head;
		if (batch != NULL) {
			while (last->next != NULL && n < SQLS_MAX_BATCH) {
				last = last->next;
				n++;
			}
			s->q_head = last->next;
			if (s->q_head == NULL)
				s->q_tail = NULL;
			last->next = NULL;
		}
		stop = batch == NULL && s->q_stop;
		pthread_mutex_unlock(&s->q_mu);

		if (stop)
			break;
		if (batch == NULL) {
			sqls_gc_step(s); /* idle: compaction at full speed */
			continue;
		}
		run_batch(s, batch);
		/* busy: a compaction chunk every few batches */
		if (s->gc_lo < s->gc_target && (++s->gc_tick & 7) == 0)
			sqls_gc_step(s);
	}
	return NULL;
}

int sqls_writer_start(sqls_t *s, k8c_error_t *err)
{
	int rc;

	s->q_stop = 0;
	rc = pthread_create(&s->writer, NULL, writer_main, s);
	if (rc != 0)
		return k8c_error_make(err, K8C_EIO, "start writer thread: %s",
		                      strerror(rc));
	s->threads |= SQLS_THREAD_WRITER;
	return 0;
}

/* Refuse new writes, let the writer finish the queued ones, join it. */
void sqls_writer_stop(sqls_t *s)
{
	if (!(s->threads & SQLS_THREAD_WRITER))
		return;
	pthread_mutex_lock(&s->q_mu);
	s->q_stop = 1;
	pthread_cond_broadcast(&s->q_cond);
	pthread_mutex_unlock(&s->q_mu);
	pthread_join(s->writer, NULL);
	s->threads &= ~SQLS_THREAD_WRITER;
}

/* Queue r and wait until the writer is done with it.  Returns r->rc
 * (without a message: the caller words it), or fills err itself. */
int sqls_submit(sqls_t *s, sqls_wreq_t *r, k8c_error_t *err)
{
	if (sqls_in_callback(s))
		return k8c_error_make(err, K8C_EINVAL,
		                      "store write from a watch callback "
		                      "(callbacks must not block)");
	if (s->completions)
		r->completion = s->host->completion_new(s->host->ctx);
	else
		pthread_cond_init(&r->cond, NULL);
	pthread_mutex_lock(&s->q_mu);
	if (s->q_stop || !(s->threads & SQLS_THREAD_WRITER)) {
		pthread_mutex_unlock(&s->q_mu);
		if (s->completions)
			s->host->completion_free(s->host->ctx, r->completion);
		else
			pthread_cond_destroy(&r->cond);
		return k8c_error_make(err, K8C_EUNAVAIL, "store is not open");
	}
	r->next = NULL;
	if (s->q_tail != NULL)
		s->q_tail->next = r;
	else
		s->q_head = r;
	s->q_tail = r;
	pthread_cond_signal(&s->q_cond);
	if (s->completions) {
		/* the API server's thread serves other requests meanwhile */
		pthread_mutex_unlock(&s->q_mu);
		s->host->completion_wait(s->host->ctx, r->completion);
		s->host->completion_free(s->host->ctx, r->completion);
	} else {
		while (!r->done)
			pthread_cond_wait(&r->cond, &s->q_mu);
		pthread_mutex_unlock(&s->q_mu);
		pthread_cond_destroy(&r->cond);
	}
	if (r->rc == -K8C_EIO)
		return k8c_error_make(err, K8C_EIO, "%s: %s", r->key, r->msg);
	return r->rc;
}

static int check_value(const char *key, const char *value, size_t len,
                       k8c_error_t *err)
{
	if (value == NULL && len != 0)
		return k8c_error_make(err, K8C_EINVAL, "%s: NULL value", key);
	if (len > INT_MAX)
		return k8c_error_make(err, K8C_ETOOLARGE,
		                      "%s: value of %zu bytes", key, len);
	return 0;
}

static int word(const sqls_wreq_t *r, int ret, k8c_error_t *err)
{
	switch (-ret) {
	case K8C_EEXIST:
		return k8c_error_make(err, K8C_EEXIST, "%s: already exists",
		                      r->key);
	case K8C_ENOTFOUND:
		return k8c_error_make(err, K8C_ENOTFOUND, "%s: not found",
		                      r->key);
	case K8C_ECONFLICT:
		return k8c_error_make(err, K8C_ECONFLICT,
		                      "%s: mod revision is %lld, expected %lld",
		                      r->key, (long long)r->prev_mod,
		                      (long long)r->expected);
	}
	return ret;
}

/* Hand the current or deleted pair to the caller's callback.  Its return
 * value cannot undo the write: it is ignored. */
static void give_prev(sqls_wreq_t *r, k8c_store_kv_fn fn, void *udata)
{
	if (fn != NULL && r->has_prev) {
		k8c_store_kv_t kv = {
			.key = r->key,
			.value = r->prev_value,
			.value_len = r->prev_len,
			.create_revision = r->prev_create,
			.mod_revision = r->prev_mod,
		};
		fn(udata, &kv);
	}
	free(r->prev_value);
	r->prev_value = NULL;
}

int sqls_write(void *cookie, int op, const char *key, const char *value, size_t value_len,
               int64_t expected_revision, int64_t ttl_ms, int64_t *revision,
               k8c_store_kv_fn current_fn, void *udata, k8c_error_t *err)
{
	sqls_wreq_t r = {.op = op, .key = key, .value = value, .value_len = value_len,
	                 .expected = expected_revision, .ttl_ms = ttl_ms};
	int ret;

	ret = sqls_check_key(key, NULL, err);
	if (ret == 0)
		ret = check_value(key, value, value_len, err);
	if (ret == 0)
		ret = sqls_submit(cookie, &r, err);
	give_prev(&r, ret == -K8C_ECONFLICT ? current_fn : NULL, udata);
	if (ret < 0)
		return word(&r, ret, err);
	if (revision != NULL)
		*revision = r.revision;
	return 0;
}

int sqls_create(void *cookie, const char *key, const char *value,
                size_t value_len, int64_t *revision, k8c_error_t *err)
{
	return sqls_write(cookie, WOP_CREATE, key, value, value_len, 0, 0, revision, NULL, NULL,
	                  err);
}

int sqls_update(void *cookie, const char *key, const char *value,
                size_t value_len, int64_t expected_revision,
                int64_t *revision, k8c_store_kv_fn current_fn, void *udata,
                k8c_error_t *err)
{
	return sqls_write(cookie, WOP_UPDATE, key, value, value_len, expected_revision, 0, revision,
	                  current_fn, udata, err);
}

int sqls_delete(void *cookie, const char *key, int64_t expected_revision,
                int64_t *revision, k8c_store_kv_fn prev_fn, void *udata,
                k8c_error_t *err)
{
	sqls_wreq_t r = {.op = WOP_DELETE, .key = key,
	                 .expected = expected_revision};
	int ret;

	ret = sqls_check_key(key, NULL, err);
	if (ret == 0)
		ret = sqls_submit(cookie, &r, err);
	give_prev(&r, ret == 0 || ret == -K8C_ECONFLICT ? prev_fn : NULL,
	          udata);
	if (ret < 0)
		return word(&r, ret, err);
	if (revision != NULL)
		*revision = r.revision;
	return 0;
}

int sqls_compact(void *cookie, int64_t revision, k8c_error_t *err)
{
	sqls_wreq_t r = {.op = WOP_COMPACT, .key = "compact",
	                 .expected = revision};
	int ret;

	if (revision <= 0)
		return k8c_error_make(err, K8C_EINVAL,
		                      "compact: revision %lld",
		                      (long long)revision);
	ret = sqls_submit(cookie, &r, err);
	if (ret == -K8C_EINVAL)
		return k8c_error_make(err, K8C_EINVAL,
		                      "compact: revision %lld is in the future "
		                      "(current revision %lld)",
		                      (long long)revision,
		                      (long long)r.revision);
	if (ret == -K8C_EEXPIRED)
		return k8c_error_make(err, K8C_EEXPIRED,
		                      "compact: revision %lld is already "
		                      "compacted (compacted revision %lld)",
		                      (long long)revision,
		                      (long long)r.create_revision);
	return ret;
}
