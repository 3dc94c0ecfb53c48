/* store-sqlite: connections, pragmas, the schema and the reader pool. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "store_sqlite.h"

#define SQLS_SCHEMA_VERSION 1

static const char schema_sql[] =
	"BEGIN IMMEDIATE;"
	"CREATE TABLE IF NOT EXISTS meta ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  schema INTEGER NOT NULL,"
	"  revision INTEGER NOT NULL,"
	"  compacted INTEGER NOT NULL);"
	"INSERT OR IGNORE INTO meta (id, schema, revision, compacted)"
	"  VALUES (1, 1, 0, 0);"
	"CREATE TABLE IF NOT EXISTS log ("
	"  revision INTEGER PRIMARY KEY,"
	"  key TEXT NOT NULL,"
	"  create_revision INTEGER NOT NULL,"
	"  prev_revision INTEGER NOT NULL,"
	"  deleted INTEGER NOT NULL,"
	"  value BLOB);"
	/* covers the old-revision range scan: (key, newest revision <= R,
	 * deleted?) without touching the table */
	"CREATE INDEX IF NOT EXISTS log_key ON log (key, revision, deleted);"
	"CREATE TABLE IF NOT EXISTS kv ("
	"  key TEXT PRIMARY KEY,"
	"  create_revision INTEGER NOT NULL,"
	"  mod_revision INTEGER NOT NULL) WITHOUT ROWID;"
	/* keys with a time to live: deadline in ms since the epoch */
	"CREATE TABLE IF NOT EXISTS expiry ("
	"  key TEXT PRIMARY KEY,"
	"  at INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS expiry_at ON expiry (at);"
	"COMMIT;";

/* Reader statements, indexed by enum sqls_rstmt.  Range statements come in
 * a bounded ([?1, ?2)) and an unbounded ([?1, ...)) form so that both use
 * the key index. */
#define RANGE_LATEST(cond)                                                  \
	"SELECT k.key, k.create_revision, k.mod_revision, l.value"           \
	" FROM kv AS k JOIN log AS l ON l.revision = k.mod_revision"         \
	" WHERE k.key >= ?1" cond " ORDER BY k.key"
#define RANGE_AT(cond)                                                      \
	"SELECT max(revision), deleted FROM log WHERE key >= ?1" cond        \
	" AND revision <= ?3 GROUP BY key ORDER BY key"
#define REPLAY(cond)                                                        \
	"SELECT l.revision, l.key, l.create_revision, l.deleted, l.value,"   \
	" p.create_revision, p.revision, p.value"                            \
	" FROM log AS l LEFT JOIN log AS p ON p.revision = l.prev_revision"  \
	" WHERE l.revision >= ?1 AND l.revision <= ?2 AND l.key >= ?3" cond  \
	" ORDER BY l.revision LIMIT ?5"

static const char *const reader_sql[RS_COUNT] = {
	[RS_BEGIN] = "BEGIN",
	[RS_COMMIT] = "COMMIT",
	[RS_META] = "SELECT revision, compacted FROM meta WHERE id = 1",
	[RS_GET_LATEST] =
		"SELECT m.revision, m.compacted, k.create_revision,"
		" k.mod_revision, l.value FROM meta AS m"
		" LEFT JOIN kv AS k ON k.key = ?1"
		" LEFT JOIN log AS l ON l.revision = k.mod_revision"
		" WHERE m.id = 1",
	[RS_GET_AT] =
		"SELECT m.revision, m.compacted, l.create_revision,"
		" l.revision, l.deleted, l.value FROM meta AS m"
		" LEFT JOIN log AS l ON l.revision = (SELECT max(revision)"
		" FROM log WHERE key = ?1 AND revision <= ?2) WHERE m.id = 1",
	[RS_RANGE_LATEST_B] = RANGE_LATEST(" AND k.key < ?2"),
	[RS_RANGE_LATEST_U] = RANGE_LATEST(""),
	[RS_COUNT_LATEST_B] =
		"SELECT count(*) FROM kv WHERE key >= ?1 AND key < ?2",
	[RS_COUNT_LATEST_U] = "SELECT count(*) FROM kv WHERE key >= ?1",
	[RS_RANGE_AT_B] = RANGE_AT(" AND key < ?2"),
	[RS_RANGE_AT_U] = RANGE_AT(""),
	[RS_LOG_ROW] =
		"SELECT key, create_revision, value FROM log WHERE revision = ?1",
	[RS_REPLAY_B] = REPLAY(" AND l.key < ?4"),
	[RS_REPLAY_U] = REPLAY(""),
};

int sqls_sql_error(sqlite3 *db, int code, const char *what, k8c_error_t *err)
{
	return k8c_error_make(err, K8C_EIO, "sqlite: %s: %s", what,
	                      db != NULL ? sqlite3_errmsg(db)
	                                 : sqlite3_errstr(code));
}

static int exec(sqlite3 *db, const char *sql, k8c_error_t *err)
{
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return sqls_sql_error(db, rc, sql, err);
	return 0;
}

/* kind: 0 reader, 1 writer, 2 maintenance.  The writer creates the file's
 * schema; readers are query-only.  NOMUTEX: a connection is only ever
 * used by one thread at a time (the writer, the maintenance thread, or
 * the caller that took it from the pool). */
int sqls_db_open(sqls_t *s, sqlite3 **out, int kind, k8c_error_t *err)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
	            SQLITE_OPEN_PRIVATECACHE;
	sqlite3 *db = NULL;
	char pragmas[256];
	int rc, ret;

	if (kind == 1)
		flags |= SQLITE_OPEN_CREATE;
	rc = sqlite3_open_v2(s->path, &db, flags, NULL);
	if (rc != SQLITE_OK) {
		ret = k8c_error_make(err, K8C_EIO, "open %s: %s", s->path,
		                     db != NULL ? sqlite3_errmsg(db)
		                                : sqlite3_errstr(rc));
		sqlite3_close(db);
		return ret;
	}
	sqlite3_extended_result_codes(db, 1);
	/* Only WAL recovery and checkpoints can make a connection wait. */
	sqlite3_busy_timeout(db, 10000);

	if (kind == 1) {
		char mode[16] = "";
		sqlite3_stmt *st = NULL;

		/* 8 KB pages (effective only while the file is empty: a new
		 * datastore): a group commit of a few dozen ~2 KB objects
		 * writes half the WAL frames of 4 KB pages; in bench_api the
		 * paced 5,000 creates/s p99 went from 14-20 ms to 8-13 ms */
		sqlite3_exec(db, "PRAGMA page_size=" SQLS_PAGE_SIZE_STR, NULL, NULL, NULL);
		rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &st,
		                        NULL);
		if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
			snprintf(mode, sizeof(mode), "%s",
			         (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		if (strcmp(mode, "wal") != 0) {
			ret = k8c_error_make(err, K8C_EIO,
			                     "%s: cannot use WAL mode: %s",
			                     s->path, sqlite3_errmsg(db));
			sqlite3_close(db);
			return ret;
		}
		/* Checkpoints are the maintenance thread's job, not the
		 * committing writer's: no auto-checkpoint.  The WAL file is
		 * cut back to journal_size_limit whenever it restarts. */
		snprintf(pragmas, sizeof(pragmas),
		         "PRAGMA synchronous=FULL;"
		         "PRAGMA wal_autocheckpoint=0;"
		         "PRAGMA journal_size_limit=%lld;"
		         "PRAGMA cache_size=-32768;"
		         "PRAGMA temp_store=MEMORY;",
		         (long long)s->conf.checkpoint_pages * SQLS_PAGE_SIZE * (SQLS_WAL_BACKSTOP + 1));
	} else if (kind == 0) {
		/* readers map the database file (mmapSize): a page read is no
		 * copy out of the page cache (pread was ~12% of a GET's CPU at
		 * 100,000 pods).  The mapped pages are the kernel's page cache
		 * as before, but ps counts them in RSS, once per reader that
		 * touched them. */
		snprintf(pragmas, sizeof(pragmas),
		         "PRAGMA query_only=1;"
		         "PRAGMA cache_size=-4096;"
		         "PRAGMA mmap_size=%lld;"
		         "PRAGMA temp_store=MEMORY;",
		         (long long)s->conf.mmap_size);
	} else {
		/* a first read, so that the connection knows the file is in
		 * WAL mode before it is asked to checkpoint it */
		snprintf(pragmas, sizeof(pragmas),
		         "PRAGMA query_only=1;"
		         "SELECT count(*) FROM sqlite_master;");
	}
	ret = exec(db, pragmas, err);
	if (ret < 0) {
		sqlite3_close(db);
		return ret;
	}
	*out = db;
	return 0;
}

/* Create the tables on first use and load the persisted counters.  The
 * revision is the larger of the meta row and the log: it never goes
 * backwards, even after compaction removed the rows. */
int sqls_db_schema(sqls_t *s, k8c_error_t *err)
{
	sqlite3_stmt *st = NULL;
	int64_t schema = 0, rev = 0, compacted = 0, logmax = 0;
	int rc, ret;

	ret = exec(s->wdb, schema_sql, err);
	if (ret < 0) {
		sqlite3_exec(s->wdb, "ROLLBACK", NULL, NULL, NULL);
		return ret;
	}
	rc = sqlite3_prepare_v2(s->wdb,
	                        "SELECT schema, revision, compacted,"
	                        " (SELECT ifnull(max(revision), 0) FROM log)"
	                        " FROM meta WHERE id = 1",
	                        -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		ret = sqls_sql_error(s->wdb, rc, "read meta", err);
		sqlite3_finalize(st);
		return ret;
	}
	schema = sqlite3_column_int64(st, 0);
	rev = sqlite3_column_int64(st, 1);
	compacted = sqlite3_column_int64(st, 2);
	logmax = sqlite3_column_int64(st, 3);
	sqlite3_finalize(st);
	if (schema != SQLS_SCHEMA_VERSION)
		return k8c_error_make(err, K8C_EIO,
		                      "%s: unsupported schema version %lld",
		                      s->path, (long long)schema);
	if (logmax > rev)
		rev = logmax;
	s->rev = rev;
	SQLS_STORE(&s->committed_rev, rev);
	SQLS_STORE(&s->delivered_rev, rev);
	SQLS_STORE(&s->compacted, compacted);
	return 0;
}

/* --- the reader pool ---------------------------------------------------- */

static void reader_free(sqls_reader_t *r)
{
	for (int i = 0; i < RS_COUNT; i++)
		sqlite3_finalize(r->st[i]);
	sqlite3_close(r->db);
	free(r);
}

static int reader_new(sqls_t *s, sqls_reader_t **out, k8c_error_t *err)
{
	sqls_reader_t *r = k8c_xcalloc(1, sizeof(*r));
	int ret;

	ret = sqls_db_open(s, &r->db, 0, err);
	if (ret < 0) {
		free(r);
		return ret;
	}
	for (int i = 0; i < RS_COUNT; i++) {
		int rc = sqlite3_prepare_v3(r->db, reader_sql[i], -1,
		                            SQLITE_PREPARE_PERSISTENT, &r->st[i],
		                            NULL);
		if (rc != SQLITE_OK) {
			ret = sqls_sql_error(r->db, rc, reader_sql[i], err);
			reader_free(r);
			return ret;
		}
	}
	*out = r;
	return 0;
}

static int holds_watch_lock(sqls_t *s)
{
	return SQLS_LOAD(&s->w_held) &&
	       pthread_equal(SQLS_LOAD(&s->w_holder), pthread_self());
}

/* Take a reader connection for the calling thread.  Waits when all
 * max_readers are busy, except under the watch lock (a replay), which
 * opens an extra one rather than wait for threads that may want it. */
int sqls_reader_get(sqls_t *s, sqls_reader_t **out, k8c_error_t *err)
{
	sqls_reader_t *r;
	int ret;

	pthread_mutex_lock(&s->pool_mu);
	for (;;) {
		if (s->pool_closed) {
			pthread_mutex_unlock(&s->pool_mu);
			return k8c_error_make(err, K8C_EUNAVAIL,
			                      "store is not open");
		}
		if (s->idle != NULL) {
			r = s->idle;
			s->idle = r->next;
			s->n_busy++;
			pthread_mutex_unlock(&s->pool_mu);
			*out = r;
			return 0;
		}
		if (s->n_readers < s->conf.max_readers || holds_watch_lock(s))
			break;
		pthread_cond_wait(&s->pool_cond, &s->pool_mu);
	}
	s->n_readers++;
	s->n_busy++;
	pthread_mutex_unlock(&s->pool_mu);

	ret = reader_new(s, out, err);
	if (ret < 0) {
		pthread_mutex_lock(&s->pool_mu);
		s->n_readers--;
		s->n_busy--;
		pthread_cond_broadcast(&s->pool_cond);
		pthread_mutex_unlock(&s->pool_mu);
	}
	return ret;
}

void sqls_reader_put(sqls_t *s, sqls_reader_t *r)
{
	int drop;

	/* Never hand on a connection with an open transaction. */
	if (!sqlite3_get_autocommit(r->db))
		sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
	pthread_mutex_lock(&s->pool_mu);
	s->n_busy--;
	drop = s->n_readers > s->conf.max_readers;
	if (drop) {
		s->n_readers--;
	} else {
		r->next = s->idle;
		s->idle = r;
	}
	pthread_cond_broadcast(&s->pool_cond);
	pthread_mutex_unlock(&s->pool_mu);
	if (drop)
		reader_free(r);
}

/* Refuse new reads, wait for the running ones, close every connection. */
void sqls_pool_close(sqls_t *s)
{
	sqls_reader_t *r;

	pthread_mutex_lock(&s->pool_mu);
	s->pool_closed = 1;
	while (s->n_busy > 0)
		pthread_cond_wait(&s->pool_cond, &s->pool_mu);
	r = s->idle;
	s->idle = NULL;
	s->n_readers = 0;
	pthread_mutex_unlock(&s->pool_mu);
	while (r != NULL) {
		sqls_reader_t *next = r->next;
		reader_free(r);
		r = next;
	}
}

/* --- helpers for readers -------------------------------------------------- */

static int step_done(sqls_reader_t *r, int i, k8c_error_t *err)
{
	int rc = sqlite3_step(r->st[i]);

	sqlite3_reset(r->st[i]);
	if (rc != SQLITE_DONE)
		return sqls_sql_error(r->db, rc, reader_sql[i], err);
	return 0;
}

/* A read transaction: everything read until sqls_read_end sees one
 * snapshot (WAL readers never wait for the writer). */
int sqls_read_begin(sqls_reader_t *r, k8c_error_t *err)
{
	return step_done(r, RS_BEGIN, err);
}

void sqls_read_end(sqls_reader_t *r)
{
	if (step_done(r, RS_COMMIT, NULL) < 0)
		sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
}

int sqls_read_meta(sqls_reader_t *r, int64_t *revision, int64_t *compacted,
                   k8c_error_t *err)
{
	sqlite3_stmt *st = r->st[RS_META];
	int rc = sqlite3_step(st);

	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return sqls_sql_error(r->db, rc, "read meta", err);
	}
	*revision = sqlite3_column_int64(st, 0);
	*compacted = sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	return 0;
}

/* Bind [key, hi) as ?a and ?a+1; hi "" is unbounded (the statement has
 * no upper bound then). */
int sqls_bind_range(sqlite3_stmt *st, int a, const char *key, const char *hi)
{
	int rc = sqlite3_bind_text(st, a, key, -1, SQLITE_STATIC);

	if (rc == SQLITE_OK && hi[0] != '\0')
		rc = sqlite3_bind_text(st, a + 1, hi, -1, SQLITE_STATIC);
	return rc;
}

/* Values are stored as BLOBs; asking for text makes SQLite add the NUL
 * that k8c_store_kv_t promises, without copying into our own buffer. */
void sqls_column_value(sqlite3_stmt *st, int col, const char **value,
                       size_t *len)
{
	const unsigned char *v = sqlite3_column_text(st, col);

	*len = (size_t)sqlite3_column_bytes(st, col);
	*value = v != NULL ? (const char *)v : "";
}

/* The upper bound of a range as a string: range_end itself, or for a
 * single key (range_end NULL) the smallest key after it — key + "\x01",
 * since keys never contain NUL.  *tofree is set when it was allocated. */
const char *sqls_range_hi(const char *key, const char *range_end,
                          char **tofree)
{
	*tofree = NULL;
	if (range_end != NULL)
		return range_end;
	*tofree = k8c_xasprintf("%s\x01", key);
	return *tofree;
}
