/* store-sqlite: the maintenance thread — automatic compaction and WAL
 * checkpoints, off the write path.
 *
 * Checkpoints: the writer never checkpoints on commit (wal_autocheckpoint
 * is off).  When the WAL has grown past checkpointPages, this thread runs
 * a PASSIVE checkpoint on its own connection, which copies pages into the
 * database file while writes go on.  If writes appended to the WAL
 * meanwhile, it asks the writer for a short passive checkpoint between
 * two batches so the WAL is fully backfilled; SQLite then restarts the
 * WAL at the next write and cuts the file back to journal_size_limit.
 *
 * Compaction: every compactIntervalSeconds (and sooner when the history
 * exceeds twice retainRevisions) the thread asks the writer to compact to
 * the current revision minus retainRevisions, as kube-apiserver's
 * compactor does every five minutes. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "store_sqlite.h"

/* Shortest pause between two rounds of work, so that a WAL that cannot
 * be reset (a long read holds it) does not make the thread spin. */
#define MAINT_MIN_PAUSE_NS 20000000LL
#define MAINT_TICK_NS 1000000000LL

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Wait (m_mu held) until deadline, a stop, or a kick if kicks count. */
static void wait_until(sqls_t *s, int64_t deadline, int kicks)
{
	while (!s->m_stop && !(kicks && s->m_kick)) {
		struct timespec ts;

		if (mono_ns() >= deadline)
			return;
		ts.tv_sec = deadline / 1000000000LL;
		ts.tv_nsec = deadline % 1000000000LL;
		if (pthread_cond_timedwait(&s->m_cond, &s->m_mu, &ts) ==
		    ETIMEDOUT)
			return;
	}
}

static void checkpoint(sqls_t *s)
{
	int nlog = 0, nckpt = 0, rc;

	if (SQLS_LOAD(&s->wal_pages) < s->conf.checkpoint_pages)
		return;
	rc = sqlite3_wal_checkpoint_v2(s->mdb, NULL, SQLITE_CHECKPOINT_PASSIVE,
	                               &nlog, &nckpt);
	if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
		SQLS_LOG(s, K8C_LOG_WARN, "%s: WAL checkpoint: %s", s->path,
		         sqlite3_errmsg(s->mdb));
		return;
	}
	/* Frames the writer appended meanwhile keep the WAL from restarting:
	 * let the writer backfill them between two batches. */
	if (nckpt < nlog || SQLS_LOAD(&s->wal_pages) != nckpt) {
		sqls_wreq_t r = {.op = WOP_CHECKPOINT, .key = "checkpoint"};
		k8c_error_t err;

		if (sqls_submit(s, &r, &err) < 0 && err.code != K8C_EUNAVAIL)
			SQLS_LOG(s, K8C_LOG_WARN, "%s: WAL checkpoint: %s",
			         s->path, err.message);
	}
}

static void compact(sqls_t *s, int timer)
{
	int64_t rev = SQLS_LOAD(&s->committed_rev);
	int64_t compacted = SQLS_LOAD(&s->compacted);
	int64_t target = rev - s->conf.retain_revisions;
	k8c_error_t err;
	int ret;

	if (target <= compacted)
		return;
	if (!timer && rev - compacted <= 2 * s->conf.retain_revisions)
		return;
	ret = sqls_compact(s, target, &err);
	if (ret < 0 && ret != -K8C_EEXPIRED && ret != -K8C_EUNAVAIL)
		SQLS_LOG(s, K8C_LOG_WARN, "%s: compaction to %lld: %s",
		         s->path, (long long)target, err.message);
	else if (ret == 0)
		SQLS_LOG(s, K8C_LOG_DEBUG, "compacted to revision %lld",
		         (long long)target);
}

static void *maint_main(void *arg)
{
	sqls_t *s = arg;
	const int64_t interval = s->conf.compact_interval_s * 1000000000LL;
	int64_t next_compact = mono_ns() + interval;
	pthread_setname_np(pthread_self(), "k8c-sqlite-gc");

	pthread_mutex_lock(&s->m_mu);
	for (;;) {
		int64_t now = mono_ns(), deadline = now + MAINT_TICK_NS;
		int timer;

		if (interval > 0 && next_compact < deadline)
			deadline = next_compact;
		wait_until(s, deadline, 1);
		if (s->m_stop)
			break;
		s->m_kick = 0;
		pthread_mutex_unlock(&s->m_mu);
		SQLS_STORE(&s->m_kicked, 0);

		checkpoint(s);
		sqls_expire_step(s);
		now = mono_ns();
		timer = interval > 0 && now >= next_compact;
		if (interval > 0)
			compact(s, timer);
		if (timer)
			next_compact = now + interval;

		pthread_mutex_lock(&s->m_mu);
		wait_until(s, mono_ns() + MAINT_MIN_PAUSE_NS, 0);
		if (s->m_stop)
			break;
	}
	pthread_mutex_unlock(&s->m_mu);
	return NULL;
}

/* The WAL hook: called by the writer's connection after each commit. */
static int wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	sqls_t *s = arg;

	SQLS_STORE(&s->wal_pages, (int64_t)pages);
	return SQLITE_OK;
}

void sqls_maint_poke(sqls_t *s)
{
	int want = SQLS_LOAD(&s->wal_pages) >= s->conf.checkpoint_pages;

	if (s->conf.compact_interval_s > 0 &&
	    s->rev - SQLS_LOAD(&s->compacted) > 2 * s->conf.retain_revisions)
		want = 1;
	if (!want || SQLS_LOAD(&s->m_kicked))
		return;
	SQLS_STORE(&s->m_kicked, 1);
	pthread_mutex_lock(&s->m_mu);
	s->m_kick = 1;
	pthread_cond_signal(&s->m_cond);
	pthread_mutex_unlock(&s->m_mu);
}

/* Before the writer thread starts: the connection is the writer's after. */
void sqls_maint_hook(sqls_t *s)
{
	sqlite3_wal_hook(s->wdb, wal_hook, s);
}

int sqls_maint_start(sqls_t *s, k8c_error_t *err)
{
	int rc;

	s->m_stop = 0;
	s->m_kick = 0;
	SQLS_STORE(&s->m_kicked, 0);
	rc = pthread_create(&s->maint, NULL, maint_main, s);
	if (rc != 0)
		return k8c_error_make(err, K8C_EIO,
		                      "start maintenance thread: %s",
		                      strerror(rc));
	s->threads |= SQLS_THREAD_MAINT;
	return 0;
}

void sqls_maint_stop(sqls_t *s)
{
	if (!(s->threads & SQLS_THREAD_MAINT))
		return;
	pthread_mutex_lock(&s->m_mu);
	s->m_stop = 1;
	pthread_cond_signal(&s->m_cond);
	pthread_mutex_unlock(&s->m_mu);
	pthread_join(s->maint, NULL);
	s->threads &= ~SQLS_THREAD_MAINT;
}
