/* store-sqlite: the store contract (tests/store/contract.c) against the
 * plugin, then what is particular to SQLite: persistence, durability
 * across a SIGKILL, bounded history and WAL, endpoint and config errors.
 * Everything lives in a temporary directory removed at the end. */
#include "config.h"

#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include <k8c/store.h>

#include "fake_host.h"
#include "tap.h"
#include "../store/contract.h"

extern const k8c_plugin_t k8c_plugin;
#define OPS ((const k8c_store_ops_t *)k8c_plugin.ops)

static char dir[64];
static fake_host_t fh;

static char *endpoint(const char *name)
{
	char *e = malloc(strlen(dir) + strlen(name) + 16);

	sprintf(e, "sqlite://%s/%s", dir, name);
	return e;
}

static void quiet_log(void *ctx, int level, const char *fmt, ...)
{
}

/* The config tree of each open instance: borrowed by the plugin until
 * fini. */
static struct {
	void *cookie;
	cJSON *cfg;
} insts[8];

/* init + open with a JSON config; NULL on failure (err filled). */
static void *store_open(const char *ep, const char *json, k8c_error_t *err)
{
	cJSON *cfg = cJSON_Parse(json);
	void *cookie = NULL;

	if (k8c_plugin.init(&fh.host, cfg, &cookie, err) < 0) {
		cJSON_Delete(cfg);
		return NULL;
	}
	if (OPS->open(cookie, ep, err) < 0) {
		k8c_plugin.fini(cookie);
		cJSON_Delete(cfg);
		return NULL;
	}
	for (size_t i = 0; i < sizeof(insts) / sizeof(insts[0]); i++)
		if (insts[i].cookie == NULL) {
			insts[i].cookie = cookie;
			insts[i].cfg = cfg;
			return cookie;
		}
	abort();
}

static void store_done(void *cookie)
{
	OPS->close(cookie);
	k8c_plugin.fini(cookie);
	for (size_t i = 0; i < sizeof(insts) / sizeof(insts[0]); i++)
		if (insts[i].cookie == cookie) {
			cJSON_Delete(insts[i].cfg);
			insts[i].cookie = NULL;
		}
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

static void test_descriptor(void)
{
	const k8c_store_ops_t *ops = OPS;

	is_int(k8c_plugin.kind, K8C_PLUGIN_STORE, "kind store");
	is_str(k8c_plugin.name, "sqlite", "name sqlite");
	is_int(ops->struct_size, sizeof(k8c_store_ops_t), "ops struct_size");
	ok(ops->schemes[0] != NULL && strcmp(ops->schemes[0], "sqlite") == 0 &&
	           ops->schemes[1] == NULL,
	   "schemes {\"sqlite\"}");
	ok(ops->compact != NULL, "compact implemented");
}

static void test_contract(void)
{
	char *ep = endpoint("contract.db");
	cJSON *cfg = cJSON_Parse("{\"compactIntervalSeconds\": 0}");
	store_contract_t c = {
		.plugin = &k8c_plugin,
		.host = &fh.host,
		.endpoint = ep,
		.config = cfg,
		.ok = ok,
		.diag = diag,
	};

	is_int(store_contract_run(&c), 0, "the store contract holds");
	cJSON_Delete(cfg);
	free(ep);
}

static int count_fn(void *udata, const k8c_store_kv_t *kv)
{
	(*(int *)udata)++;
	return 0;
}

static void test_persistence(void)
{
	char *ep = endpoint("persist.db");
	k8c_error_t err;
	int64_t rev = 0, rev2 = 0;
	void *s;
	int n = 0;

	s = store_open(ep, "{}", &err);
	ok(s != NULL, "open a new database");
	if (s == NULL)
		return;
	for (int i = 0; i < 100; i++) {
		char key[32];

		snprintf(key, sizeof(key), "/p/%03d", i);
		OPS->create(s, key, key, strlen(key), &rev, &err);
	}
	store_done(s);
	ok(file_size(ep + 9) > 0, "the file is there");
	s = store_open(ep, "{}", &err);
	ok(s != NULL, "reopen");
	if (s == NULL)
		return;
	OPS->revision(s, &rev2, &err);
	is_int(rev2, rev, "revision persisted");
	OPS->range(s, "/p/", "/p0", 0, 0, count_fn, &n, NULL, &err);
	is_int(n, 100, "all 100 keys persisted");
	n = 0;
	OPS->get(s, "/p/042", 43, count_fn, &n, &err);
	is_int(n, 1, "history persisted too");
	store_done(s);
	free(ep);
}

/* --- durability across a crash ------------------------------------------------- */

typedef struct ack {
	int64_t rev;
	int thread, i;
} ack_t;

typedef struct crash_arg {
	void *store;
	int fd, thread;
} crash_arg_t;

static void *crash_writer(void *p)
{
	crash_arg_t *a = p;

	for (int i = 0;; i++) {
		char key[64];
		ack_t ack = {.thread = a->thread, .i = i};
		k8c_error_t err;

		snprintf(key, sizeof(key), "/crash/%d/%07d", a->thread, i);
		if (OPS->create(a->store, key, key, strlen(key), &ack.rev,
		                &err) == 0 &&
		    write(a->fd, &ack, sizeof(ack)) != sizeof(ack))
			_exit(3);
	}
	return NULL;
}

static void crash_child(const char *ep, int fd)
{
	crash_arg_t args[4];
	pthread_t th[4];
	k8c_error_t err;
	void *s;

	fh.host.log = quiet_log;
	s = store_open(ep, "{}", &err);
	if (s == NULL)
		_exit(2);
	for (int i = 0; i < 4; i++) {
		args[i] = (crash_arg_t){.store = s, .fd = fd, .thread = i};
		pthread_create(&th[i], NULL, crash_writer, &args[i]);
	}
	pthread_join(th[0], NULL); /* never: the parent kills us */
	_exit(4);
}

static void test_crash(void)
{
	char *ep = endpoint("crash.db");
	static ack_t acks[200000];
	int p[2], n = 0, status, missing = 0;
	int64_t maxrev = 0, rev = 0, after = 0;
	k8c_error_t err;
	pid_t pid;
	void *s;

	if (pipe(p) < 0)
		return;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		crash_child(ep, p[1]);
	}
	close(p[1]);
	for (;;) {
		ssize_t got = read(p[0], &acks[n], sizeof(ack_t));

		if (got != sizeof(ack_t))
			break;
		if (acks[n].rev > maxrev)
			maxrev = acks[n].rev;
		if (++n == 3000)
			kill(pid, SIGKILL); /* mid-stream */
		if (n == (int)(sizeof(acks) / sizeof(acks[0])))
			break;
	}
	close(p[0]);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	   "writer child killed mid-stream after %d acknowledged writes", n);

	s = store_open(ep, "{}", &err);
	ok(s != NULL, "reopen after the crash");
	if (s == NULL) {
		diag("open: %s", err.message);
		return;
	}
	for (int i = 0; i < n; i++) {
		char key[64];
		int c = 0;

		snprintf(key, sizeof(key), "/crash/%d/%07d", acks[i].thread,
		         acks[i].i);
		if (OPS->get(s, key, acks[i].rev, count_fn, &c, &err) < 0 ||
		    c != 1)
			missing++;
	}
	is_int(missing, 0, "every acknowledged write survived the crash");
	OPS->revision(s, &rev, &err);
	ok(rev >= maxrev, "revision did not go back (%lld >= %lld)",
	   (long long)rev, (long long)maxrev);
	OPS->create(s, "/crash/after", "x", 1, &after, &err);
	ok(after > rev, "the next write continues the sequence");
	store_done(s);
	free(ep);
}

/* --- bounded history and WAL ---------------------------------------------------- */

#define HB_THREADS 8
#define HB_KEYS 64
#define HB_WRITES 1000

typedef struct hb_arg {
	void *store;
	int id, failed;
} hb_arg_t;

static void *hb_writer(void *p)
{
	hb_arg_t *a = p;
	char value[256];
	int64_t revs[HB_KEYS / HB_THREADS];
	k8c_error_t err;

	memset(value, 'v', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	for (int i = 0; i < HB_WRITES; i++) {
		int k = i % (HB_KEYS / HB_THREADS);
		char key[32];

		snprintf(key, sizeof(key), "/hb/%d/%d", a->id, k);
		if (i < HB_KEYS / HB_THREADS)
			a->failed += OPS->create(a->store, key, value,
			                         sizeof(value), &revs[k],
			                         &err) < 0;
		else
			a->failed += OPS->update(a->store, key, value,
			                         sizeof(value), revs[k], &revs[k],
			                         NULL, NULL, &err) < 0;
	}
	return NULL;
}

typedef struct wal_watch {
	const char *path;
	int stop; /* atomic */
	long long peak;
} wal_watch_t;

static void *wal_monitor(void *p)
{
	wal_watch_t *w = p;

	while (!__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE)) {
		long long sz = file_size(w->path);

		if (sz > w->peak)
			w->peak = sz;
		usleep(2000);
	}
	return NULL;
}

static long long log_rows(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long long n = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT count(*) FROM log", -1, &st,
	                       NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void test_bounded(void)
{
	char *ep = endpoint("bounded.db");
	char *wal = malloc(strlen(ep) + 8);
	wal_watch_t ww = {0};
	hb_arg_t args[HB_THREADS];
	pthread_t th[HB_THREADS], mon;
	int64_t rev = 0, t0;
	long long rows = -1;
	k8c_error_t err;
	int failed = 0, c = 0;
	void *s;

	sprintf(wal, "%s-wal", ep + 9);
	s = store_open(ep,
	               "{\"retainRevisions\": 500, \"compactIntervalSeconds\": 1,"
	               " \"checkpointPages\": 64, \"mmapSize\": 0}",
	               &err);
	ok(s != NULL, "open with a small history and WAL, readers without mmap");
	if (s == NULL) {
		diag("open: %s", err.message);
		return;
	}
	ww.path = wal;
	pthread_create(&mon, NULL, wal_monitor, &ww);
	t0 = now_ms();
	for (int i = 0; i < HB_THREADS; i++) {
		args[i] = (hb_arg_t){.store = s, .id = i};
		pthread_create(&th[i], NULL, hb_writer, &args[i]);
	}
	for (int i = 0; i < HB_THREADS; i++) {
		pthread_join(th[i], NULL);
		failed += args[i].failed;
	}
	diag("%d durable writes in %lld ms", HB_THREADS * HB_WRITES,
	     (long long)(now_ms() - t0));
	is_int(failed, 0, "%d writes", HB_THREADS * HB_WRITES);
	OPS->revision(s, &rev, &err);
	/* the compactor keeps history within 2 x retainRevisions while
	 * writes go on, and trims it to retainRevisions on its timer */
	for (t0 = now_ms(); now_ms() - t0 < 5000; usleep(20000)) {
		rows = log_rows(ep + 9);
		if (rows >= 0 && rows <= 501 + HB_KEYS)
			break;
	}
	__atomic_store_n(&ww.stop, 1, __ATOMIC_RELEASE);
	pthread_join(mon, NULL);
	ok(rows >= 0 && rows <= 501 + HB_KEYS,
	   "compaction bounds the log (%lld rows after %lld writes)", rows,
	   (long long)rev);
	is_int(OPS->get(s, "/hb/0/0", rev - 2000, NULL, NULL, &err),
	       -K8C_EEXPIRED, "old revisions are compacted away");
	OPS->range(s, "/hb/", "/hb0", 0, 0, count_fn, &c, NULL, &err);
	is_int(c, HB_KEYS, "current values untouched");
	ok(ww.peak <= 4LL * 1024 * 1024,
	   "WAL stays bounded while writing (peak %lld bytes)", ww.peak);
	ok(file_size(ep + 9) <= 8LL * 1024 * 1024,
	   "database file bounded (%lld bytes)", file_size(ep + 9));
	store_done(s);
	ok(file_size(wal) == 0, "close checkpoints and removes the WAL");
	free(wal);
	free(ep);
}

/* --- errors -------------------------------------------------------------------------- */

static void expect_open_error(const char *ep, int code, const char *what,
                              const char *needle)
{
	k8c_error_t err = {0};
	void *s = store_open(ep, "{}", &err);

	ok(s == NULL && err.code == code && strstr(err.message, needle),
	   "%s: %s mentioning \"%s\"", what, k8c_errcode_name(code), needle);
	diag("  %s", err.message);
	if (s != NULL)
		store_done(s);
}

static void expect_config_error(const char *json, const char *what)
{
	cJSON *cfg = cJSON_Parse(json);
	k8c_error_t err = {0};
	void *cookie = NULL;
	int ret = k8c_plugin.init(&fh.host, cfg, &cookie, &err);

	ok(ret == -K8C_EINVAL && err.code == K8C_EINVAL, "config %s: EINVAL",
	   what);
	diag("  %s", err.message);
	if (ret == 0)
		k8c_plugin.fini(cookie);
	cJSON_Delete(cfg);
}

static int write_in_callback_ret = 1;

static void cb_writes(void *udata, const k8c_store_event_t *ev,
                      const k8c_error_t *end)
{
	int64_t rev;

	if (ev != NULL && write_in_callback_ret == 1)
		write_in_callback_ret = OPS->create(udata, "/cb/other", "x", 1,
		                                    &rev, NULL);
}

static void test_errors(void)
{
	char *ep = endpoint("errors.db"), *missing, *notdb, *slash;
	k8c_store_watch_t *w = NULL;
	k8c_error_t err;
	void *s, *s2;
	int64_t rev;
	int fd;

	missing = malloc(strlen(dir) + 64);
	sprintf(missing, "sqlite://%s/no/such/dir/state.db", dir);
	expect_open_error(missing, K8C_EIO, "missing parent directory",
	                  "/no/such/dir");
	expect_open_error("postgres://localhost/db", K8C_EINVAL,
	                  "other scheme", "sqlite://");
	expect_open_error("sqlite://", K8C_EINVAL, "no path", "file name");
	slash = endpoint("");
	expect_open_error(slash, K8C_EINVAL, "a directory, not a file",
	                  "file name");
	notdb = endpoint("notdb.db");
	fd = open(notdb + 9, O_WRONLY | O_CREAT, 0600);
	if (fd >= 0) {
		ok(write(fd, "this is not sqlite, really not at all, no\n",
		         42) == 42, "write a non-database file");
		close(fd);
	}
	expect_open_error(notdb, K8C_EIO, "not a database", "not a database");
	free(notdb);
	notdb = endpoint("x.db?mode=ro");
	expect_open_error(notdb, K8C_EINVAL, "query parameters", "query");

	expect_config_error("{\"retainRevision\": 10}", "unknown key");
	expect_config_error("{\"retainRevisions\": \"10\"}", "string");
	expect_config_error("{\"retainRevisions\": 0}", "zero retain");
	expect_config_error("{\"compactIntervalSeconds\": -1}", "negative");
	expect_config_error("{\"maxReaders\": 1.5}", "fraction");
	expect_config_error("[1]", "not an object");

	s = store_open(ep, "{}", &err);
	ok(s != NULL, "open");
	s2 = store_open(ep, "{}", &err);
	ok(s2 == NULL && err.code == K8C_EUNAVAIL,
	   "a second instance on the same file: EUNAVAIL (%s)", err.message);
	if (s2 != NULL)
		store_done(s2);
	if (s != NULL) {
		is_int(OPS->open(s, ep, &err), -K8C_EINVAL, "open twice: EINVAL");
		OPS->watch(s, "/cb/k", NULL, 0, cb_writes, s, NULL, &w, &err);
		OPS->create(s, "/cb/k", "x", 1, &rev, &err);
		is_int(write_in_callback_ret, -K8C_EINVAL,
		       "a write from a watch callback is refused, not a deadlock");
		OPS->watch_cancel(s, w);
		store_done(s);
	}
	free(missing);
	free(notdb);
	free(slash);
	free(ep);
}

static int rm_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw)
{
	return remove(path);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/k8c-test-store-XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	fake_host_init(&fh);
	fh.host.data_dir = dir;

	test_descriptor();
	test_contract();
	test_persistence();
	test_crash();
	test_bounded();
	test_errors();

	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return done_testing();
}
