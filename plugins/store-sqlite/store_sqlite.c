/* store-sqlite: the embedded default datastore (DESIGN §4).
 *
 * Plugin glue: the descriptor, init/fini with config validation, the
 * endpoint, open/close.  Endpoint: sqlite:///abs/path/state.db or
 * sqlite://relative/path (relative to the working directory).
 *
 * Config (the plugin's subtree, every key optional):
 *   retainRevisions         history kept by automatic compaction (10000)
 *   compactIntervalSeconds  automatic compaction period, 0 = never (300)
 *   checkpointPages         WAL pages that trigger a checkpoint (1000)
 *   maxReaders              reader connections (16) */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "common/mem.h"
#include "store_sqlite.h"

static const struct conf_key {
	const char *name;
	size_t offset;
	int64_t min, max;
} conf_keys[] = {
	{"retainRevisions", offsetof(sqls_conf_t, retain_revisions), 1,
	 INT64_C(1) << 40},
	{"compactIntervalSeconds", offsetof(sqls_conf_t, compact_interval_s),
	 0, 366 * 86400},
	{"checkpointPages", offsetof(sqls_conf_t, checkpoint_pages), 16,
	 INT64_C(1) << 24},
	{"maxReaders", offsetof(sqls_conf_t, max_readers), 1, 1024},
	{"mmapSize", offsetof(sqls_conf_t, mmap_size), 0, INT64_C(1) << 40},
};

#define N_CONF_KEYS (sizeof(conf_keys) / sizeof(conf_keys[0]))

static int conf_parse(const cJSON *config, sqls_conf_t *c, k8c_error_t *err)
{
	const cJSON *item;

	*c = (sqls_conf_t){
		.retain_revisions = SQLS_DEFAULT_RETAIN,
		.compact_interval_s = SQLS_DEFAULT_COMPACT_INTERVAL,
		.checkpoint_pages = SQLS_DEFAULT_CHECKPOINT_PAGES,
		.max_readers = SQLS_DEFAULT_MAX_READERS,
		.mmap_size = SQLS_DEFAULT_MMAP_SIZE,
	};
	if (config == NULL)
		return 0;
	if (!cJSON_IsObject(config))
		return k8c_error_make(err, K8C_EINVAL,
		                      "config: must be an object");
	cJSON_ArrayForEach(item, config) {
		const struct conf_key *k = NULL;
		double d = item->valuedouble;

		for (size_t i = 0; i < N_CONF_KEYS; i++)
			if (item->string != NULL &&
			    strcmp(item->string, conf_keys[i].name) == 0)
				k = &conf_keys[i];
		if (k == NULL)
			return k8c_error_make(
				err, K8C_EINVAL,
				"config: unknown key \"%s\" (known: "
				"retainRevisions, compactIntervalSeconds, "
				"checkpointPages, maxReaders)",
				item->string != NULL ? item->string : "");
		if (!cJSON_IsNumber(item) || !(d >= (double)k->min) ||
		    !(d <= (double)k->max) || d != (double)(int64_t)d)
			return k8c_error_make(err, K8C_EINVAL,
			                      "config: %s must be an integer "
			                      "from %lld to %lld",
			                      k->name, (long long)k->min,
			                      (long long)k->max);
		*(int64_t *)((char *)c + k->offset) = (int64_t)d;
	}
	return 0;
}

static int sqls_init(const k8c_host_t *host, const cJSON *config,
                     void **cookie, k8c_error_t *err)
{
	pthread_condattr_t attr;
	sqls_conf_t conf;
	sqls_t *s;
	int ret;

	ret = conf_parse(config, &conf, err);
	if (ret < 0)
		return ret;
	/* SQLite's allocation statistics take a global mutex on every malloc
	 * (4% of a GET in the API benchmark).  Process-wide and only possible
	 * before SQLite initialises: a later call fails harmlessly. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	s = k8c_xcalloc(1, sizeof(*s));
	s->host = host;
	s->completions = K8C_HAS_MEMBER(host->struct_size, k8c_host_t, completion_free) &&
	                 host->completion_free != NULL;
	s->conf = conf;
	s->lock_fd = -1;
	s->pool_closed = 1; /* until open */
	s->w_closed = 1;
	pthread_mutex_init(&s->q_mu, NULL);
	pthread_cond_init(&s->q_cond, NULL);
	pthread_mutex_init(&s->pool_mu, NULL);
	pthread_cond_init(&s->pool_cond, NULL);
	pthread_mutex_init(&s->w_mu, NULL);
	pthread_mutex_init(&s->m_mu, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&s->m_cond, &attr);
	pthread_condattr_destroy(&attr);
	*cookie = s;
	return 0;
}

/* "sqlite:///abs/path" or "sqlite://rel/path" -> the path. */
static int endpoint_path(const char *endpoint, char **path, k8c_error_t *err)
{
	static const char scheme[] = "sqlite://";
	const char *p;

	if (endpoint == NULL ||
	    strncasecmp(endpoint, scheme, sizeof(scheme) - 1) != 0)
		return k8c_error_make(err, K8C_EINVAL,
		                      "endpoint %s: expected "
		                      "sqlite:///absolute/path or "
		                      "sqlite://relative/path",
		                      endpoint != NULL ? endpoint : "(null)");
	p = endpoint + sizeof(scheme) - 1;
	if (p[0] == '\0' || p[strlen(p) - 1] == '/')
		return k8c_error_make(err, K8C_EINVAL,
		                      "endpoint %s: no database file name",
		                      endpoint);
	if (strpbrk(p, "?#") != NULL)
		return k8c_error_make(err, K8C_EINVAL,
		                      "endpoint %s: query parameters are not "
		                      "supported (use the plugin config)",
		                      endpoint);
	*path = k8c_xstrdup(p);
	return 0;
}

/* The directory of path; caller frees. */
static char *parent_dir(const char *path)
{
	char *dir = k8c_xstrdup(path);
	char *slash = strrchr(dir, '/');

	if (slash == NULL) {
		free(dir);
		return k8c_xstrdup(".");
	}
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	return dir;
}

static int check_parent(const char *endpoint, const char *path,
                        k8c_error_t *err)
{
	_cleanup_free_ char *dir = parent_dir(path);
	struct stat st;

	if (stat(dir, &st) < 0)
		return k8c_error_make(err, K8C_EIO,
		                      "endpoint %s: directory %s: %s", endpoint,
		                      dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return k8c_error_make(err, K8C_EIO,
		                      "endpoint %s: %s is not a directory",
		                      endpoint, dir);
	return 0;
}

/* Undo whatever open() got done; also the second half of close(). */
static void teardown(sqls_t *s)
{
	sqls_maint_stop(s);
	sqls_writer_stop(s);
	sqls_watch_end_all(s);
	sqls_pool_close(s);
	sqls_wstmts_finalize(s);
	sqls_expiry_finalize(s);
	/* the writer's connection last: closing the last connection
	 * checkpoints the WAL into the database and removes it */
	if (s->mdb != NULL && sqlite3_close(s->mdb) != SQLITE_OK)
		SQLS_LOG(s, K8C_LOG_WARN, "%s: close: %s", s->path,
		         sqlite3_errmsg(s->mdb));
	if (s->wdb != NULL && sqlite3_close(s->wdb) != SQLITE_OK)
		SQLS_LOG(s, K8C_LOG_WARN, "%s: close: %s", s->path,
		         sqlite3_errmsg(s->wdb));
	s->mdb = s->wdb = NULL;
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	s->lock_fd = -1;
	free(s->path);
	s->path = NULL;
}

/* A new database file survives power loss only once its directory entry
 * is on disk too (SQLite syncs the directory of its WAL, not of the
 * database file). */
static int sync_dir(const char *endpoint, const char *path, k8c_error_t *err)
{
	_cleanup_free_ char *dir = parent_dir(path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret = 0;

	if (fd < 0 || fsync(fd) < 0)
		ret = k8c_error_make(err, K8C_EIO, "endpoint %s: sync %s: %s",
		                     endpoint, dir, strerror(errno));
	if (fd >= 0)
		close(fd);
	return ret;
}

static int open_files(sqls_t *s, const char *endpoint, k8c_error_t *err)
{
	sqls_reader_t *rd;
	int created, ret;

	ret = check_parent(endpoint, s->path, err);
	if (ret < 0)
		return ret;
	/* One process (and one instance) per database: the revision
	 * counter lives in the writer.  flock locks are separate from
	 * SQLite's fcntl locks; this fd is closed after SQLite's. */
	s->lock_fd = open(s->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
	                  0600);
	created = s->lock_fd >= 0;
	if (!created && errno == EEXIST)
		s->lock_fd = open(s->path, O_RDWR | O_CLOEXEC);
	if (s->lock_fd < 0)
		return k8c_error_make(err, K8C_EIO, "endpoint %s: %s",
		                      endpoint, strerror(errno));
	if (flock(s->lock_fd, LOCK_EX | LOCK_NB) < 0)
		return k8c_error_make(err, errno == EWOULDBLOCK ? K8C_EUNAVAIL
		                                                : K8C_EIO,
		                      "endpoint %s: %s", endpoint,
		                      errno == EWOULDBLOCK
		                              ? "database in use by another store"
		                              : strerror(errno));
	ret = sqls_db_open(s, &s->wdb, 1, err);
	if (ret == 0)
		ret = sqls_db_schema(s, err);
	if (ret == 0 && created)
		ret = sync_dir(endpoint, s->path, err);
	if (ret == 0)
		ret = sqls_wstmts_prepare(s, err);
	if (ret == 0)
		ret = sqls_expiry_prepare(s, err);
	if (ret == 0)
		ret = sqls_db_open(s, &s->mdb, 2, err);
	if (ret < 0)
		return ret;
	/* A reader now, so that a problem shows here rather than later. */
	s->pool_closed = 0;
	ret = sqls_reader_get(s, &rd, err);
	if (ret < 0)
		return ret;
	sqls_reader_put(s, rd);
	return 0;
}

static int sqls_open(void *cookie, const char *endpoint, k8c_error_t *err)
{
	sqls_t *s = cookie;
	int ret;

	if (s->is_open)
		return k8c_error_make(err, K8C_EINVAL,
		                      "endpoint %s: store already open",
		                      endpoint != NULL ? endpoint : "(null)");
	ret = endpoint_path(endpoint, &s->path, err);
	if (ret < 0)
		return ret;
	ret = open_files(s, endpoint, err);
	if (ret == 0) {
		s->w_closed = 0;
		/* finish an interrupted compaction's deletion */
		s->gc_target = SQLS_LOAD(&s->compacted);
		s->gc_lo = 0;
		sqls_maint_hook(s);
		ret = sqls_writer_start(s, err);
	}
	if (ret == 0)
		ret = sqls_maint_start(s, err);
	if (ret < 0) {
		teardown(s);
		return ret;
	}
	s->is_open = 1;
	SQLS_LOG(s, K8C_LOG_INFO, "opened %s at revision %lld", s->path,
	         (long long)s->rev);
	return 0;
}

static void sqls_close(void *cookie)
{
	sqls_t *s = cookie;

	if (!s->is_open)
		return;
	s->is_open = 0;
	SQLS_LOG(s, K8C_LOG_INFO, "closing %s at revision %lld", s->path,
	         (long long)SQLS_LOAD(&s->committed_rev));
	teardown(s);
}

static void sqls_fini(void *cookie)
{
	sqls_t *s = cookie;

	sqls_close(s);
	sqls_watch_free_all(s);
	pthread_mutex_destroy(&s->q_mu);
	pthread_cond_destroy(&s->q_cond);
	pthread_mutex_destroy(&s->pool_mu);
	pthread_cond_destroy(&s->pool_cond);
	pthread_mutex_destroy(&s->w_mu);
	pthread_mutex_destroy(&s->m_mu);
	pthread_cond_destroy(&s->m_cond);
	free(s);
}

static const char *const sqls_schemes[] = {"sqlite", NULL};

static const k8c_store_ops_t sqls_ops = {
	.struct_size = sizeof(k8c_store_ops_t),
	.schemes = sqls_schemes,
	.open = sqls_open,
	.close = sqls_close,
	.revision = sqls_revision,
	.get = sqls_get,
	.range = sqls_range,
	.create = sqls_create,
	.update = sqls_update,
	.delete = sqls_delete,
	.watch = sqls_watch,
	.watch_cancel = sqls_watch_cancel,
	.compact = sqls_compact,
	.create_ttl = sqls_create_ttl,
	.update_ttl = sqls_update_ttl,
	.flags = K8C_STORE_F_NONBLOCKING, /* writes wait on host completions */
};

K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
	K8C_PLUGIN_HEADER(K8C_PLUGIN_STORE),
	.name = "sqlite",
	.version = "0.1.0",
	.description = "embedded SQLite datastore: log-structured MVCC, "
	               "WAL, group commit, in-process watch",
	.init = sqls_init,
	.fini = sqls_fini,
	.ops = &sqls_ops,
};
