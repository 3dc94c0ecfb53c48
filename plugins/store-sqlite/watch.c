/* store-sqlite: watchers — in-process fan-out at commit, replay from the
 * log, cancel.
 *
 * Live events are delivered by the writer thread right after each commit,
 * in revision order, with w_mu held; delivered_rev is then the last
 * revision fanned out.  A watch from an older revision first replays the
 * log without the lock until it is close to delivered_rev, then takes
 * w_mu, replays the rest up to delivered_rev and joins the active list
 * before the writer can deliver anything newer: no gap, no duplicate.
 *
 * Final callbacks run with w_mu held too, so that after watch_cancel
 * returns nothing of that watch runs any more.  A watch cancelled from a
 * callback (the lock is already ours) is queued and ended just before
 * the lock is released, once the running callback has returned. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "store_sqlite.h"

static void w_lock(sqls_t *s)
{
	pthread_mutex_lock(&s->w_mu);
	SQLS_STORE(&s->w_holder, pthread_self());
	SQLS_STORE(&s->w_held, 1);
}

static void drain_cancels(sqls_t *s);

static void w_unlock(sqls_t *s)
{
	drain_cancels(s);
	SQLS_STORE(&s->w_held, 0);
	pthread_mutex_unlock(&s->w_mu);
}

static int holding(sqls_t *s)
{
	return SQLS_LOAD(&s->w_held) &&
	       pthread_equal(SQLS_LOAD(&s->w_holder), pthread_self());
}

int sqls_in_callback(sqls_t *s)
{
	if ((s->threads & SQLS_THREAD_WRITER) &&
	    pthread_equal(s->writer, pthread_self()))
		return 1;
	return holding(s);
}

static void link_head(k8c_store_watch_t **head, k8c_store_watch_t *w)
{
	w->prev = NULL;
	w->next = *head;
	if (*head != NULL)
		(*head)->prev = w;
	*head = w;
}

static void unlink_from(k8c_store_watch_t **head, k8c_store_watch_t *w)
{
	if (w->prev != NULL)
		w->prev->next = w->next;
	else
		*head = w->next;
	if (w->next != NULL)
		w->next->prev = w->prev;
	w->prev = w->next = NULL;
}

static void watch_free(k8c_store_watch_t *w)
{
	free(w->key);
	free(w->end);
	free(w);
}

/* The last call of a watch: the final callback, then free_fn. */
static void finish(k8c_store_watch_fn fn, void *udata,
                   void (*free_fn)(void *), int code, const char *msg)
{
	k8c_error_t end;

	k8c_error_clear(&end);
	if (code != K8C_OK)
		k8c_error_make(&end, code, "%s", msg);
	fn(udata, NULL, &end);
	if (free_fn != NULL)
		free_fn(udata);
}

/* End the watches cancelled while the lock was held (w_mu held). */
static void drain_cancels(sqls_t *s)
{
	while (s->cancels != NULL) {
		k8c_store_watch_t *w = s->cancels;
		k8c_store_watch_fn fn = w->fn;
		void *udata = w->udata;
		void (*free_fn)(void *) = w->free_fn;

		s->cancels = w->pending;
		unlink_from(&s->active, w);
		watch_free(w);
		finish(fn, udata, free_fn, K8C_OK, "");
	}
}

static void cancel_locked(sqls_t *s, k8c_store_watch_t *w)
{
	switch (w->state) {
	case W_ACTIVE:
		w->state = W_CANCELLING;
		w->pending = s->cancels;
		s->cancels = w;
		break;
	case W_ENDED:
		unlink_from(&s->ended, w);
		watch_free(w);
		break;
	default:
		break; /* cancelled twice */
	}
}

void sqls_watch_cancel(void *cookie, k8c_store_watch_t *w)
{
	sqls_t *s = cookie;

	if (w == NULL)
		return;
	if (holding(s)) {
		/* from a callback: ends when the lock is released */
		cancel_locked(s, w);
		return;
	}
	w_lock(s);
	cancel_locked(s, w);
	w_unlock(s);
}

void sqls_watch_end_all(sqls_t *s)
{
	w_lock(s);
	s->w_closed = 1;
	for (;;) {
		k8c_store_watch_t *w;
		k8c_store_watch_fn fn;
		void *udata;
		void (*free_fn)(void *);

		drain_cancels(s);
		w = s->active;
		if (w == NULL)
			break;
		fn = w->fn;
		udata = w->udata;
		free_fn = w->free_fn;
		unlink_from(&s->active, w);
		w->state = W_ENDED;
		link_head(&s->ended, w);
		/* w may be cancelled (freed) by its own final callback */
		finish(fn, udata, free_fn, K8C_EUNAVAIL, "store closed");
	}
	w_unlock(s);
}

void sqls_watch_free_all(sqls_t *s)
{
	while (s->ended != NULL) {
		k8c_store_watch_t *w = s->ended;

		unlink_from(&s->ended, w);
		watch_free(w);
	}
}

/* --- live fan-out (writer thread) --------------------------------------- */

void sqls_fanout(sqls_t *s, sqls_wreq_t *batch, int64_t committed)
{
	w_lock(s);
	for (sqls_wreq_t *r = batch; s->active != NULL && r != NULL;
	     r = r->next) {
		k8c_store_kv_t kv = {.key = r->key}, prev;
		k8c_store_event_t ev = {.kv = &kv};
		char *copy = NULL;

		if (r->rc != 0 || (r->op != WOP_CREATE &&
		                   r->op != WOP_UPDATE && r->op != WOP_DELETE))
			continue;
		kv.mod_revision = r->revision;
		if (r->op == WOP_DELETE) {
			ev.type = K8C_STORE_DELETE;
		} else {
			ev.type = K8C_STORE_PUT;
			kv.create_revision = r->create_revision;
			kv.value_len = r->value_len;
		}
		if (r->has_prev) {
			prev = (k8c_store_kv_t){
				.key = r->key,
				.value = r->prev_value,
				.value_len = r->prev_len,
				.create_revision = r->prev_create,
				.mod_revision = r->prev_mod,
			};
			ev.prev_kv = &prev;
		}
		for (k8c_store_watch_t *w = s->active; w != NULL; w = w->next) {
			if (w->state != W_ACTIVE || r->revision < w->start ||
			    !sqls_key_in(r->key, w->key, w->end))
				continue;
			if (ev.type == K8C_STORE_PUT && copy == NULL) {
				/* the caller's value need not end in NUL */
				copy = k8c_xmalloc(r->value_len + 1);
				if (r->value_len > 0)
					memcpy(copy, r->value, r->value_len);
				copy[r->value_len] = '\0';
				kv.value = copy;
			}
			w->fn(w->udata, &ev, NULL);
		}
		free(copy);
	}
	SQLS_STORE(&s->delivered_rev, committed);
	w_unlock(s);
}

/* --- replay from the log -------------------------------------------------- */

typedef struct replay {
	sqls_t *s;
	k8c_store_watch_t *w;
	const char *hi;  /* upper bound for SQL, "" unbounded */
	int delivered;   /* an event reached the callback */
} replay_t;

static void replay_row(replay_t *rp, sqlite3_stmt *st)
{
	k8c_store_kv_t kv = {0}, prev = {0};
	k8c_store_event_t ev = {.kv = &kv};

	kv.mod_revision = sqlite3_column_int64(st, 0);
	kv.key = (const char *)sqlite3_column_text(st, 1);
	if (sqlite3_column_int(st, 3) != 0) {
		ev.type = K8C_STORE_DELETE;
	} else {
		ev.type = K8C_STORE_PUT;
		kv.create_revision = sqlite3_column_int64(st, 2);
		sqls_column_value(st, 4, &kv.value, &kv.value_len);
	}
	if (sqlite3_column_type(st, 6) != SQLITE_NULL) {
		prev.key = kv.key;
		prev.create_revision = sqlite3_column_int64(st, 5);
		prev.mod_revision = sqlite3_column_int64(st, 6);
		sqls_column_value(st, 7, &prev.value, &prev.value_len);
		ev.prev_kv = &prev;
	}
	rp->delivered = 1;
	rp->w->fn(rp->w->udata, &ev, NULL);
}

/* Deliver the logged events of revisions [from, to] in chunks, each chunk
 * in one read transaction that checks the history is still there. */
static int replay(replay_t *rp, int64_t from, int64_t to, k8c_error_t *err)
{
	while (from <= to) {
		sqls_reader_t *rd;
		sqlite3_stmt *st;
		int64_t current, compacted, last = from;
		int n = 0, rc = SQLITE_DONE, ret;

		ret = sqls_reader_get(rp->s, &rd, err);
		if (ret < 0)
			return ret;
		ret = sqls_read_begin(rd, err);
		if (ret == 0)
			ret = sqls_read_meta(rd, &current, &compacted, err);
		if (ret == 0 && from < compacted)
			ret = k8c_error_make(err, K8C_EEXPIRED,
			                     "watch %s: revision %lld has been "
			                     "compacted (compacted revision %lld)",
			                     rp->w->key, (long long)from,
			                     (long long)compacted);
		st = rd->st[rp->hi[0] ? RS_REPLAY_B : RS_REPLAY_U];
		if (ret == 0) {
			sqlite3_bind_int64(st, 1, from);
			sqlite3_bind_int64(st, 2, to);
			sqls_bind_range(st, 3, rp->w->key, rp->hi);
			sqlite3_bind_int(st, 5, SQLS_REPLAY_CHUNK);
			while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
				last = sqlite3_column_int64(st, 0);
				n++;
				replay_row(rp, st);
			}
			if (rc != SQLITE_DONE)
				ret = sqls_sql_error(rd->db, rc, "watch replay",
				                     err);
			sqlite3_reset(st);
		}
		sqls_read_end(rd);
		sqls_reader_put(rp->s, rd);
		if (ret < 0)
			return ret;
		if (n < SQLS_REPLAY_CHUNK)
			break;
		from = last + 1;
	}
	return 0;
}

int sqls_watch(void *cookie, const char *key, const char *range_end,
               int64_t start_revision, k8c_store_watch_fn fn, void *udata,
               void (*free_fn)(void *udata), k8c_store_watch_t **out,
               k8c_error_t *err)
{
	sqls_t *s = cookie;
	_cleanup_free_ char *succ = NULL;
	replay_t rp = {.s = s};
	k8c_store_watch_t *w;
	int64_t next = start_revision, delivered;
	int ret;

	ret = sqls_check_key(key, range_end, err);
	if (ret < 0)
		return ret;
	if (fn == NULL || out == NULL || start_revision < 0)
		return k8c_error_make(err, K8C_EINVAL,
		                      "watch %s: bad arguments", key);
	if (sqls_in_callback(s))
		return k8c_error_make(err, K8C_EINVAL,
		                      "watch %s from a watch callback", key);
	if (!s->is_open)
		return k8c_error_make(err, K8C_EUNAVAIL, "store is not open");
	if (start_revision != 0 && start_revision < SQLS_LOAD(&s->compacted))
		return k8c_error_make(err, K8C_EEXPIRED,
		                      "watch %s: revision %lld has been "
		                      "compacted (compacted revision %lld)",
		                      key, (long long)start_revision,
		                      (long long)SQLS_LOAD(&s->compacted));

	w = k8c_xcalloc(1, sizeof(*w));
	w->key = k8c_xstrdup(key);
	w->end = range_end != NULL ? k8c_xstrdup(range_end) : NULL;
	w->fn = fn;
	w->udata = udata;
	w->free_fn = free_fn;
	rp.w = w;
	rp.hi = sqls_range_hi(key, range_end, &succ);

	/* Catch up without the lock while far behind the live stream. */
	while (start_revision != 0) {
		delivered = SQLS_LOAD(&s->delivered_rev);
		if (delivered < next || delivered - next < SQLS_REPLAY_CHUNK)
			break;
		ret = replay(&rp, next, delivered, err);
		if (ret < 0)
			goto fail;
		next = delivered + 1;
	}

	w_lock(s);
	if (s->w_closed) {
		w_unlock(s);
		ret = k8c_error_make(err, K8C_EUNAVAIL, "store is not open");
		goto fail;
	}
	delivered = s->delivered_rev;
	if (start_revision != 0 && next <= delivered) {
		ret = replay(&rp, next, delivered, err);
		if (ret < 0) {
			w_unlock(s);
			goto fail;
		}
	}
	w->start = delivered + 1 > start_revision ? delivered + 1
	                                           : start_revision;
	w->state = W_ACTIVE;
	link_head(&s->active, w);
	w_unlock(s);
	*out = w;
	return 0;

fail:
	if (!rp.delivered) {
		/* nothing was called: the caller keeps udata */
		watch_free(w);
		return ret;
	}
	/* Events went out, so this is the watch's end, not a failed call:
	 * a replay that compaction overtook ends with EEXPIRED. */
	w_lock(s);
	w->state = W_ENDED;
	link_head(&s->ended, w);
	finish(fn, udata, free_fn,
	       ret == -K8C_EEXPIRED ? K8C_EEXPIRED : K8C_EUNAVAIL,
	       err != NULL ? err->message : "watch ended");
	w_unlock(s);
	*out = w;
	return 0;
}
