/* store-sqlite — private header shared by the plugin's files.
 *
 * Layout of the plugin:
 *   store_sqlite.c  descriptor, init/fini, config, open/close, ops table
 *   db.c            connections, pragmas, schema, the reader pool
 *   read.c          revision, get, range (reader connections)
 *   writer.c        the write queue and the group-commit writer thread
 *   watch.c         watcher registry, fan-out at commit, replay, cancel
 *   maint.c         background compaction and WAL checkpointing
 *
 * Schema (one SQLite file in WAL mode, synchronous=FULL):
 *   meta(id=1, schema, revision, compacted)   the persisted counters
 *   log(revision PK, key, create_revision, prev_revision, deleted, value)
 *       one row per write, holding the value written: history,
 *       old-revision reads, watch replay; prev_revision is the mod
 *       revision of the value the write replaced (0 when the key did not
 *       exist), which gives replayed events their prev_kv
 *   log_key index (key, revision, deleted)    old-revision reads
 *   kv(key PK, create_revision, mod_revision) WITHOUT ROWID
 *       the current version of every live key.  Its value is the log row
 *       at mod_revision, one primary-key lookup away: a latest read is an
 *       ordered scan of kv joined by primary key to log.  Values are
 *       stored once; a kv row holding the value too would double the
 *       bytes written, and past ~1000 bytes a WITHOUT ROWID row spills to
 *       an overflow page (measured: 2.26 vs 3.98 pages written per write,
 *       2.6x the durable write rate, and a faster LIST).
 *
 * Threads: one writer (owns the write connection; batches queued writes
 * into one transaction), one maintenance thread (own connection for
 * passive checkpoints; asks the writer for compaction), and the callers,
 * which read through a pool of reader connections.
 *
 * Locks, never nested except w_mu -> pool_mu (replay under w_mu):
 *   q_mu     the write queue and each request's done flag
 *   w_mu     the watcher lists; held while events are delivered
 *   pool_mu  the idle reader connections
 *   m_mu     the maintenance thread's wake-ups
 * Nothing is called back with q_mu, pool_mu or m_mu held. */
#ifndef K8C_STORE_SQLITE_PRIV_H
#define K8C_STORE_SQLITE_PRIV_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sqlite3.h>

#include <k8c/store.h>

/* --- configuration (validated in init) ---------------------------------- */

typedef struct sqls_conf {
	int64_t retain_revisions;   /* history kept by automatic compaction */
	int64_t compact_interval_s; /* 0: no automatic compaction */
	int64_t checkpoint_pages;   /* WAL pages that trigger a checkpoint */
	int64_t max_readers;        /* reader connections, at most */
	int64_t mmap_size;          /* bytes of the file each reader maps (0: pread) */
} sqls_conf_t;

#define SQLS_DEFAULT_RETAIN 10000
#define SQLS_DEFAULT_COMPACT_INTERVAL 300
#define SQLS_DEFAULT_CHECKPOINT_PAGES 1000
#define SQLS_DEFAULT_MAX_READERS 16
#define SQLS_DEFAULT_MMAP_SIZE (INT64_C(1) << 30)

/* Most writes taken into one transaction. */
#define SQLS_MAX_BATCH 1024
/* WAL size, in checkpointPages, at which the writer checkpoints itself. */
#define SQLS_WAL_BACKSTOP 4
/* Log rows examined per compaction transaction. */
#define SQLS_GC_CHUNK 2000
/* Log rows read per watch-replay read transaction. */
#define SQLS_REPLAY_CHUNK 1024

/* --- key ranges ----------------------------------------------------------
 * [key, end): end NULL is key alone, end "" is every key >= key (etcd's
 * "\0"), otherwise keys k with key <= k < end in byte order (strcmp's). */
static inline int sqls_key_in(const char *k, const char *key, const char *end)
{
	if (end == NULL)
		return strcmp(k, key) == 0;
	return strcmp(k, key) >= 0 && (end[0] == '\0' || strcmp(k, end) < 0);
}

/* --- reader connections ---------------------------------------------------- */

enum sqls_rstmt {
	RS_BEGIN,
	RS_COMMIT,
	RS_META,
	RS_GET_LATEST,
	RS_GET_AT,
	RS_RANGE_LATEST_B, /* bounded [?1, ?2) */
	RS_RANGE_LATEST_U, /* unbounded [?1, ...) */
	RS_COUNT_LATEST_B,
	RS_COUNT_LATEST_U,
	RS_RANGE_AT_B,
	RS_RANGE_AT_U,
	RS_LOG_ROW,
	RS_REPLAY_B,
	RS_REPLAY_U,
	RS_COUNT
};

typedef struct sqls_reader {
	sqlite3 *db;
	sqlite3_stmt *st[RS_COUNT];
	struct sqls_reader *next; /* in the idle list */
} sqls_reader_t;

/* --- the write queue ---------------------------------------------------- */

enum sqls_wop {
	WOP_CREATE = 1,
	WOP_UPDATE,
	WOP_DELETE,
	WOP_COMPACT,    /* expected = the revision to compact to */
	WOP_CHECKPOINT, /* passive WAL checkpoint on the write connection */
	WOP_EXPIRE,     /* delete key if its TTL is due (expiry.c) */
};

/* A queued write.  Lives on the caller's stack; the caller waits on its
 * host completion (a core of ABI >= 1.2) or on cond (with q_mu) until
 * done.  The writer fills the result members. */
typedef struct sqls_wreq {
	int op;
	const char *key;     /* borrowed from the caller */
	const char *value;   /* borrowed; value_len bytes */
	size_t value_len;
	int64_t expected;    /* expected mod revision; compaction target */
	int64_t ttl_ms;      /* create/update: time to live, 0 = none */

	int rc;              /* 0 or -K8C_E* */
	char msg[256];       /* detail for EIO */
	int64_t revision;    /* the write's revision */
	int64_t create_revision;
	/* The pair the write replaced (or the current one on conflict):
	 * prev_kv of the event and what current_fn/prev_fn receive. */
	int has_prev;
	int64_t prev_create, prev_mod;
	char *prev_value;    /* malloc'd, NUL-terminated; caller frees */
	size_t prev_len;

	int done;
	pthread_cond_t cond;
	struct k8c_completion *completion; /* owned by the caller, or NULL */
	struct sqls_wreq *next;
} sqls_wreq_t;

/* --- watchers ------------------------------------------------------------- */

enum sqls_wstate {
	W_ACTIVE = 1,     /* in the active list, receives events */
	W_CANCELLING = 2, /* cancelled from a callback: ends at unlock */
	W_ENDED = 3,      /* final callback done; handle kept until cancel */
};

struct k8c_store_watch {
	char *key;
	char *end;            /* NULL: key alone */
	int64_t start;        /* deliver revisions >= start */
	k8c_store_watch_fn fn;
	void *udata;
	void (*free_fn)(void *udata);
	int state;
	struct k8c_store_watch *prev, *next; /* active or ended list */
	struct k8c_store_watch *pending;     /* cancel list */
};

/* --- the instance (the plugin cookie) ----------------------------------- */

typedef struct sqls {
	const k8c_host_t *host; /* borrowed until fini */
	int completions;        /* host has completions (ABI >= 1.2): writes wait on them */
	sqls_conf_t conf;

	int is_open;          /* set by open, cleared by close (caller's thread) */
	char *path;           /* database file */
	int lock_fd;          /* flock'd: one process per database */

	/* writer */
	sqlite3 *wdb;
	sqlite3_stmt **wst;
	sqlite3_stmt **xst;    /* expiry.c's statements (writer's connection) */
	int has_expiry;        /* atomic: the expiry table may have rows */
	pthread_t writer;
	pthread_mutex_t q_mu;
	pthread_cond_t q_cond;
	sqls_wreq_t *q_head, *q_tail;
	int q_stop;            /* with q_mu: no new requests */
	int64_t rev;           /* writer-private: last assigned revision */
	int64_t committed_rev; /* atomic: last durable revision */
	int64_t compacted;     /* atomic: reads below fail with EEXPIRED */
	int64_t gc_target;     /* writer-private: physical compaction to */
	int64_t gc_lo;         /* writer-private: next log revision to scan */
	unsigned gc_tick;

	/* readers */
	pthread_mutex_t pool_mu;
	pthread_cond_t pool_cond;
	sqls_reader_t *idle;
	int n_readers, n_busy;
	int pool_closed;

	/* watchers */
	pthread_mutex_t w_mu;
	k8c_store_watch_t *active, *ended, *cancels;
	int64_t delivered_rev; /* atomic, written with w_mu: last fanned out */
	pthread_t w_holder;    /* atomic: the thread holding w_mu */
	int w_held;            /* atomic */
	int w_closed;          /* with w_mu: close() ended every watch */

	/* maintenance */
	sqlite3 *mdb;
	pthread_t maint;
	pthread_mutex_t m_mu;
	pthread_cond_t m_cond;
	int m_stop, m_kick;    /* with m_mu */
	int m_kicked;          /* atomic: a kick is pending */
	int64_t wal_pages;     /* atomic: WAL size after the last commit */
	int threads;           /* which of writer/maint were started */
} sqls_t;

#define SQLS_THREAD_WRITER 1
#define SQLS_THREAD_MAINT 2

/* The page size of new databases (older ones keep theirs). */
#define SQLS_PAGE_SIZE 8192
#define SQLS_PAGE_SIZE_STR "8192"

#define SQLS_LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define SQLS_STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

#define SQLS_LOG(s, level, ...) \
	((s)->host->log((s)->host->ctx, (level), __VA_ARGS__))

/* expiry.c */
int sqls_expiry_prepare(sqls_t *s, k8c_error_t *err);
void sqls_expiry_finalize(sqls_t *s);
/* Writer: set or clear the key's deadline after a write of r. */
int sqls_expiry_after_write(sqls_t *s, const sqls_wreq_t *r);
/* Writer: whether key's deadline has passed. */
int sqls_expiry_due(sqls_t *s, const char *key, int *due);
/* Maintenance thread: expire the keys that are due. */
void sqls_expire_step(sqls_t *s);
int sqls_create_ttl(void *cookie, const char *key, const char *value, size_t value_len,
                    int64_t ttl_seconds, int64_t *revision, k8c_error_t *err);
int sqls_update_ttl(void *cookie, const char *key, const char *value, size_t value_len,
                    int64_t expected_revision, int64_t ttl_seconds, int64_t *revision,
                    k8c_store_kv_fn current_fn, void *udata, k8c_error_t *err);

/* db.c */
/* kind: 0 reader, 1 writer (creates the file), 2 maintenance */
int sqls_db_open(sqls_t *s, sqlite3 **out, int kind, k8c_error_t *err);
int sqls_db_schema(sqls_t *s, k8c_error_t *err);
int sqls_reader_get(sqls_t *s, sqls_reader_t **out, k8c_error_t *err);
void sqls_reader_put(sqls_t *s, sqls_reader_t *r);
void sqls_pool_close(sqls_t *s);
int sqls_read_meta(sqls_reader_t *r, int64_t *revision, int64_t *compacted,
                   k8c_error_t *err);
int sqls_read_begin(sqls_reader_t *r, k8c_error_t *err);
void sqls_read_end(sqls_reader_t *r);
int sqls_sql_error(sqlite3 *db, int code, const char *what, k8c_error_t *err);
/* Bind [key, hi) as ?a and ?a+1 (only ?a when hi is ""). */
int sqls_bind_range(sqlite3_stmt *st, int a, const char *key, const char *hi);
/* The upper bound of [key, range_end) for SQL ("" unbounded); for a
 * single key an allocated successor, freed by the caller via *tofree. */
const char *sqls_range_hi(const char *key, const char *range_end,
                          char **tofree);
/* The value of a column as kv->value/value_len (never NULL). */
void sqls_column_value(sqlite3_stmt *st, int col, const char **value,
                       size_t *len);

/* read.c */
int sqls_revision(void *cookie, int64_t *revision, k8c_error_t *err);
int sqls_get(void *cookie, const char *key, int64_t revision,
             k8c_store_kv_fn fn, void *udata, k8c_error_t *err);
int sqls_range(void *cookie, const char *key, const char *range_end,
               int64_t revision, int64_t limit, k8c_store_kv_fn fn,
               void *udata, k8c_store_range_info_t *info, k8c_error_t *err);
int sqls_check_key(const char *key, const char *range_end, k8c_error_t *err);

/* writer.c */
int sqls_wstmts_prepare(sqls_t *s, k8c_error_t *err);
void sqls_wstmts_finalize(sqls_t *s);
int sqls_writer_start(sqls_t *s, k8c_error_t *err);
void sqls_writer_stop(sqls_t *s);
int sqls_submit(sqls_t *s, sqls_wreq_t *r, k8c_error_t *err);
/* create (WOP_CREATE) or update (WOP_UPDATE) with a TTL in ms (0: none). */
int sqls_write(void *cookie, int op, const char *key, const char *value, size_t value_len,
               int64_t expected_revision, int64_t ttl_ms, int64_t *revision,
               k8c_store_kv_fn current_fn, void *udata, k8c_error_t *err);
int sqls_create(void *cookie, const char *key, const char *value,
                size_t value_len, int64_t *revision, k8c_error_t *err);
int sqls_update(void *cookie, const char *key, const char *value,
                size_t value_len, int64_t expected_revision,
                int64_t *revision, k8c_store_kv_fn current_fn, void *udata,
                k8c_error_t *err);
int sqls_delete(void *cookie, const char *key, int64_t expected_revision,
                int64_t *revision, k8c_store_kv_fn prev_fn, void *udata,
                k8c_error_t *err);
int sqls_compact(void *cookie, int64_t revision, k8c_error_t *err);
/* compaction's physical deletion, one chunk per call (writer thread) */
int sqls_gc_step(sqls_t *s);

/* watch.c */
int sqls_watch(void *cookie, const char *key, const char *range_end,
               int64_t start_revision, k8c_store_watch_fn fn, void *udata,
               void (*free_fn)(void *udata), k8c_store_watch_t **out,
               k8c_error_t *err);
void sqls_watch_cancel(void *cookie, k8c_store_watch_t *w);
/* Deliver the committed writes of a batch (writer thread). */
void sqls_fanout(sqls_t *s, sqls_wreq_t *batch, int64_t committed);
/* close(): end every watch with K8C_EUNAVAIL. */
void sqls_watch_end_all(sqls_t *s);
/* fini(): free the handles nobody cancelled. */
void sqls_watch_free_all(sqls_t *s);
/* 1 when the calling thread is inside a watch callback of this store or
 * is its writer: blocking store calls would deadlock there. */
int sqls_in_callback(sqls_t *s);

/* maint.c */
void sqls_maint_hook(sqls_t *s);
int sqls_maint_start(sqls_t *s, k8c_error_t *err);
void sqls_maint_stop(sqls_t *s);
/* Called by the writer after a commit: wake the maintenance thread when
 * the WAL or the history has grown past its thresholds. */
void sqls_maint_poke(sqls_t *s);

#endif
