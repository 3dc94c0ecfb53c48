/* store-etcd: watches.  Each watch is one streamed POST /v3/watch on a
 * thread of its own (a curl multi handle, so that cancel and close wake it
 * at once).  The stream is newline-separated {"result":{...}} objects: the
 * first says "created", then events; a start below the compacted revision
 * answers "canceled" with "compact_revision".  A broken stream reconnects
 * (to the next member) from the revision after the last one delivered, so
 * that nothing is lost or repeated.
 *
 * Handle life: watch() returns once etcd confirmed the watch (within the
 * request timeout).  The final callback (ev NULL) runs on the watch thread:
 * K8C_OK after cancel, K8C_EEXPIRED when etcd compacted past the resume
 * point, K8C_EINVAL/K8C_EUNAVAIL when etcd cancels the watch for good,
 * K8C_EUNAVAIL on close.  watch_cancel from another thread joins the thread
 * and frees the handle; from the watch's own callback it lets the thread
 * end and free it, and close()/fini() wait for such threads.  Two watches
 * must not cancel each other from their callbacks at the same time (each
 * would join the other).  close() must not run concurrently with watch()
 * on the same instance.  Flags in the "under w_mu" group are read and
 * written with e->w_mu held. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "common/json_print.h"
#include "common/mem.h"
#include "store_etcd.h"

enum start_state { START_PENDING, START_CREATED, START_FAILED };

struct etcd_watch {
	etcd_t *e;
	char *key, *range_end; /* owned; range_end NULL for one key */
	int64_t next_rev;      /* the next revision to deliver (watch thread) */
	k8c_store_watch_fn fn;
	void *udata;
	void (*free_fn)(void *udata);

	pthread_t thread;
	CURLM *multi; /* owned; curl_multi_wakeup from other threads */
	int cancel;   /* atomic: watch_cancel was called */
	int closing;  /* atomic: close() ends it */

	/* start handshake with watch() */
	pthread_mutex_t start_mu;
	pthread_cond_t start_cond;
	int start;             /* enum start_state */
	k8c_error_t start_err; /* when START_FAILED */
	int published;         /* watch() returned the handle: events may flow */

	/* stream state (watch thread) */
	char *line;          /* partial line (owned) */
	size_t line_len, line_cap;
	int expired;         /* etcd compacted past next_rev */
	int64_t compacted;   /* its compact_revision */
	int reconnect;       /* the stream said to start over */
	k8c_error_t gone;    /* etcd cancelled the watch for good (code 0: not) */

	/* under w_mu */
	int detached;     /* cancelled from its own callback: the thread frees it */
	int join_pending; /* close() is joining the thread */
	int joined;
	etcd_watch_t *next;
};

static void set_started(etcd_watch_t *w, int state, const k8c_error_t *err)
{
	pthread_mutex_lock(&w->start_mu);
	if (w->start == START_PENDING) {
		w->start = state;
		if (err != NULL)
			w->start_err = *err;
		pthread_cond_broadcast(&w->start_cond);
	}
	pthread_mutex_unlock(&w->start_mu);
}

static int stopping(const etcd_watch_t *w)
{
	return ETCD_LOAD(&w->cancel) || ETCD_LOAD(&w->closing);
}

/* One event; *last gets its revision.  Events below next_rev were
 * delivered before a reconnect.  next_rev moves only after a whole answer:
 * etcd sends the events of one revision (a transaction, a lease's keys
 * expiring together) in one answer. */
static void deliver(etcd_watch_t *w, const cJSON *ev, int64_t *last)
{
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(ev, "type");
	const cJSON *prev = cJSON_GetObjectItemCaseSensitive(ev, "prev_kv");
	k8c_store_kv_t kv, pkv;
	k8c_store_event_t out = {0};
	char *k = NULL, *v = NULL, *pk = NULL, *pv = NULL;

	if (etcd_kv(cJSON_GetObjectItemCaseSensitive(ev, "kv"), &kv, &k, &v) < 0) {
		ETCD_LOG(w->e, K8C_LOG_WARN, "watch %s: malformed event skipped", w->key);
		return;
	}
	if (kv.mod_revision < w->next_rev) /* seen before a reconnect */
		goto out;
	*last = kv.mod_revision;
	out.type = cJSON_IsString(type) && strcmp(type->valuestring, "DELETE") == 0 ? K8C_STORE_DELETE
	                                                                          : K8C_STORE_PUT;
	if (out.type == K8C_STORE_DELETE) {
		kv.value = NULL;
		kv.value_len = 0;
	}
	out.kv = &kv;
	if (prev != NULL && etcd_kv(prev, &pkv, &pk, &pv) == 0)
		out.prev_kv = &pkv;
	w->fn(w->udata, &out, NULL);
out:
	free(k);
	free(v);
	free(pk);
	free(pv);
}

static void handle_line(etcd_watch_t *w, const char *line, size_t len)
{
	cJSON *msg = cJSON_ParseWithLength(line, len);
	const cJSON *res = cJSON_GetObjectItemCaseSensitive(msg, "result"), *ev, *events;
	int64_t last = 0;

	if (res == NULL) {
		/* {"error":{...}}: the gateway lost its stream to etcd */
		ETCD_LOG(w->e, K8C_LOG_INFO, "watch %s: stream error, reconnecting: %.200s", w->key, line);
		w->reconnect = 1;
		cJSON_Delete(msg);
		return;
	}
	/* created first: an empty range answers created and canceled at once */
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "created"))) {
		if (w->next_rev == 0) /* "from now": after the revision it was created at */
			w->next_rev = etcd_int(cJSON_GetObjectItemCaseSensitive(res, "header"), "revision") + 1;
		set_started(w, START_CREATED, NULL);
	}
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "canceled"))) {
		const cJSON *why = cJSON_GetObjectItemCaseSensitive(res, "cancel_reason");
		w->compacted = etcd_int(res, "compact_revision");
		if (w->compacted > 0)
			w->expired = 1;
		else if (cJSON_IsString(why) && why->valuestring[0] != '\0')
			/* permission denied, an invalid range...: for good */
			k8c_error_make(&w->gone, strstr(why->valuestring, "permission") ? K8C_EPERM : K8C_EINVAL,
			               "watch %s: cancelled by etcd: %s", w->key, why->valuestring);
		else
			w->reconnect = 1;
		cJSON_Delete(msg);
		return;
	}
	events = cJSON_GetObjectItemCaseSensitive(res, "events");
	if (cJSON_GetArraySize(events) > 0) {
		/* the caller holds its handle before its callback can see one */
		pthread_mutex_lock(&w->start_mu);
		while (!w->published && !stopping(w))
			pthread_cond_wait(&w->start_cond, &w->start_mu);
		pthread_mutex_unlock(&w->start_mu);
	}
	cJSON_ArrayForEach(ev, events) {
		if (stopping(w))
			break;
		deliver(w, ev, &last);
	}
	if (last > 0)
		w->next_rev = last + 1;
	else if (cJSON_GetArraySize(events) == 0 &&
	         !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "created"))) {
		/* a progress notification: every event up to its revision was
		 * sent, so a quiet watch does not fall behind compaction */
		int64_t rev = etcd_int(cJSON_GetObjectItemCaseSensitive(res, "header"), "revision");
		if (rev + 1 > w->next_rev)
			w->next_rev = rev + 1;
	}
	cJSON_Delete(msg);
}

static size_t on_stream(char *data, size_t size, size_t n, void *udata)
{
	etcd_watch_t *w = udata;
	size_t add = size * n, start = 0;

	if (w->line_len + add + 1 > w->line_cap) {
		while (w->line_len + add + 1 > w->line_cap)
			w->line_cap = w->line_cap ? w->line_cap * 2 : 4096;
		w->line = k8c_xrealloc(w->line, w->line_cap);
	}
	memcpy(w->line + w->line_len, data, add);
	w->line_len += add;
	for (size_t i = 0; i < w->line_len; i++) {
		if (w->line[i] != '\n')
			continue;
		if (i > start && !stopping(w) && !w->expired && !w->reconnect && w->gone.code == 0)
			handle_line(w, w->line + start, i - start);
		start = i + 1;
	}
	memmove(w->line, w->line + start, w->line_len - start);
	w->line_len -= start;
	/* ending the transfer: cancelled, expired, or to reconnect */
	return stopping(w) || w->expired || w->reconnect || w->gone.code != 0 ? 0 : add;
}

static char *request_body(const etcd_watch_t *w)
{
	cJSON *req = cJSON_CreateObject(), *cr = cJSON_AddObjectToObject(req, "create_request");
	char rev[24];
	char *body;

	etcd_add_range(cr, w->key, w->range_end);
	if (w->next_rev > 0) {
		snprintf(rev, sizeof(rev), "%lld", (long long)w->next_rev);
		cJSON_AddStringToObject(cr, "start_revision", rev);
	}
	cJSON_AddTrueToObject(cr, "prev_kv");
	cJSON_AddTrueToObject(cr, "progress_notify");
	body = k8c_json_print(req, NULL);
	cJSON_Delete(req);
	return body;
}

/* One stream on one member until it ends; returns the curl result. */
static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int is_started(etcd_watch_t *w)
{
	int started;

	pthread_mutex_lock(&w->start_mu);
	started = w->start == START_CREATED;
	pthread_mutex_unlock(&w->start_mu);
	return started;
}

static CURLcode stream_once(etcd_watch_t *w, const char *base, k8c_error_t *err)
{
	_cleanup_free_ char *url = k8c_xasprintf("%s/v3/watch", base), *body = request_body(w);
	struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
	/* until etcd confirms the watch: no longer than a request */
	int64_t confirm_by = is_started(w) ? 0 : mono_ms() + w->e->conf.request_timeout_ms;
	CURL *c = etcd_curl_new(w->e);
	CURLcode result = CURLE_OK;
	int running = 1, timed_out = 0;
	long http_code = 0;

	/* a member cut off from its cluster must not serve a stale stream */
	headers = curl_slist_append(headers, "Grpc-Metadata-hasleader: true");

	w->line_len = 0;
	w->reconnect = 0;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_stream);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, w);
	/* a member that stops answering: no bytes for a long time (etcd
	 * sends nothing on an idle watch, so only the TCP keepalive) */
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPIDLE, 5L);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPINTVL, 2L);
	curl_multi_add_handle(w->multi, c);
	while (running && !stopping(w)) {
		CURLMsg *m;
		int left;
		curl_multi_perform(w->multi, &running);
		while ((m = curl_multi_info_read(w->multi, &left)) != NULL)
			if (m->msg == CURLMSG_DONE)
				result = m->data.result;
		if (running && confirm_by > 0 && mono_ms() > confirm_by && !is_started(w)) {
			timed_out = 1;
			break;
		}
		if (running)
			curl_multi_poll(w->multi, NULL, 0, confirm_by > 0 ? 100 : 1000, NULL);
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &http_code);
	if (timed_out)
		k8c_error_make(err, K8C_ETIMEOUT, "etcd %s: no watch confirmation within %lld ms", url,
		               (long long)w->e->conf.request_timeout_ms);
	else if (result == CURLE_OK && http_code != 200 && http_code != 0)
		k8c_error_make(err, K8C_EUNAVAIL, "etcd %s: HTTP %ld", url, http_code);
	else if (result != CURLE_OK && result != CURLE_WRITE_ERROR)
		k8c_error_make(err, K8C_EUNAVAIL, "etcd %s: %s", url, curl_easy_strerror(result));
	else
		k8c_error_make(err, K8C_EUNAVAIL, "etcd %s: the watch stream ended", url);
	curl_multi_remove_handle(w->multi, c);
	curl_easy_cleanup(c);
	curl_slist_free_all(headers);
	return result;
}

static void sleep_ms(int64_t ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

static void free_handle(etcd_watch_t *w)
{
	if (w->multi != NULL)
		curl_multi_cleanup(w->multi);
	pthread_mutex_destroy(&w->start_mu);
	pthread_cond_destroy(&w->start_cond);
	free(w->line);
	free(w->key);
	free(w->range_end);
	free(w);
}

static void unlink_watch(etcd_t *e, etcd_watch_t *w)
{
	etcd_watch_t **p;

	for (p = &e->watches; *p != NULL; p = &(*p)->next)
		if (*p == w) {
			*p = w->next;
			break;
		}
}

static void *watch_main(void *arg)
{
	etcd_watch_t *w = arg;
	etcd_t *e = w->e;
	size_t idx = (size_t)ETCD_LOAD(&e->preferred);
	int64_t backoff = 100, failures = 0;
	k8c_error_t err = {0}, end = {0};
	int started, detached;

	for (;;) {
		int64_t before = w->next_rev;
		stream_once(w, e->endpoints[idx % e->n_endpoints], &err);
		started = is_started(w);
		if (!started && (w->expired || w->gone.code != 0 || ++failures >= (int64_t)e->n_endpoints)) {
			/* watch() is still waiting: its caller gets the error and
			 * no callback at all */
			if (w->expired)
				k8c_error_make(&err, K8C_EEXPIRED,
				               "watch %s from revision %lld: compacted (at %lld)", w->key,
				               (long long)w->next_rev, (long long)w->compacted);
			else if (w->gone.code != 0)
				err = w->gone;
			set_started(w, START_FAILED, &err);
			return NULL;
		}
		if (stopping(w) || w->expired || w->gone.code != 0)
			break;
		if (started) {
			/* a member that keeps ending streams is not hammered; the
			 * pause ends at once on cancel or close */
			if (w->next_rev != before)
				backoff = 100; /* the stream delivered: start over small */
			if (!w->reconnect)
				ETCD_LOG(e, K8C_LOG_INFO, "watch %s: %s; resuming from revision %lld in %lld ms",
				         w->key, err.message, (long long)w->next_rev, (long long)backoff);
			curl_multi_poll(w->multi, NULL, 0, (int)backoff, NULL);
			backoff = backoff * 2 > 2000 ? 2000 : backoff * 2;
			if (stopping(w))
				break;
		}
		idx++;
	}
	if (w->expired)
		k8c_error_make(&end, K8C_EEXPIRED, "watch %s: revision %lld compacted (at %lld)", w->key,
		               (long long)w->next_rev, (long long)w->compacted);
	else if (ETCD_LOAD(&w->cancel))
		end.code = K8C_OK;
	else if (w->gone.code != 0)
		end = w->gone;
	else
		k8c_error_make(&end, K8C_EUNAVAIL, "watch %s: the store is closing", w->key);
	w->fn(w->udata, NULL, &end);
	if (w->free_fn != NULL)
		w->free_fn(w->udata);
	pthread_mutex_lock(&e->w_mu);
	detached = w->detached;
	if (detached) {
		unlink_watch(e, w);
		e->w_detached--;
		pthread_cond_broadcast(&e->w_cond);
	}
	pthread_mutex_unlock(&e->w_mu);
	if (detached)
		free_handle(w);
	return NULL;
}

int etcd_watch(void *cookie, const char *key, const char *range_end, int64_t start_revision,
               k8c_store_watch_fn fn, void *udata, void (*free_fn)(void *udata),
               k8c_store_watch_t **out, k8c_error_t *err)
{
	etcd_t *e = cookie;
	etcd_watch_t *w;
	int state;

	if (!ETCD_LOAD(&e->is_open))
		return k8c_error_make(err, K8C_EUNAVAIL, "store-etcd: not open");
	if (start_revision < 0)
		return k8c_error_make(err, K8C_EINVAL, "watch %s: negative start revision", key);
	if (start_revision > 0) {
		/* etcd confirms a watch from a compacted revision and cancels
		 * it after: ask first, so that the caller gets EEXPIRED here (a
		 * future revision is fine: the watch waits for it) */
		k8c_error_t probe;
		int ret = etcd_range(e, key, NULL, start_revision, 1, NULL, NULL, NULL, &probe);
		if (ret == -K8C_EEXPIRED || ret == -K8C_EUNAVAIL || ret == -K8C_ETIMEOUT) {
			if (err != NULL)
				*err = probe;
			return ret;
		}
	}
	w = k8c_xcalloc(1, sizeof(*w));
	w->e = e;
	w->key = k8c_xstrdup(key);
	w->range_end = range_end != NULL ? k8c_xstrdup(range_end) : NULL;
	w->next_rev = start_revision;
	w->fn = fn;
	w->udata = udata;
	w->free_fn = free_fn;
	w->multi = curl_multi_init();
	pthread_mutex_init(&w->start_mu, NULL);
	pthread_cond_init(&w->start_cond, NULL);
	if (w->multi == NULL || pthread_create(&w->thread, NULL, watch_main, w) != 0) {
		free_handle(w);
		return k8c_error_make(err, K8C_EIO, "watch %s: cannot start its thread", key);
	}
	pthread_mutex_lock(&w->start_mu);
	while (w->start == START_PENDING)
		pthread_cond_wait(&w->start_cond, &w->start_mu);
	state = w->start;
	pthread_mutex_unlock(&w->start_mu);
	if (state == START_FAILED) {
		int code = w->start_err.code;
		pthread_join(w->thread, NULL);
		if (err != NULL)
			*err = w->start_err;
		free_handle(w);
		return -code;
	}
	pthread_mutex_lock(&e->w_mu);
	w->next = e->watches;
	e->watches = w;
	pthread_mutex_unlock(&e->w_mu);
	*out = (k8c_store_watch_t *)w;
	pthread_mutex_lock(&w->start_mu);
	w->published = 1;
	pthread_cond_broadcast(&w->start_cond);
	pthread_mutex_unlock(&w->start_mu);
	return 0;
}

void etcd_watch_cancel(void *cookie, k8c_store_watch_t *watch)
{
	etcd_t *e = cookie;
	etcd_watch_t *w = (etcd_watch_t *)watch;
	int join;

	if (w == NULL)
		return;
	ETCD_STORE(&w->cancel, 1);
	curl_multi_wakeup(w->multi);
	pthread_mutex_lock(&w->start_mu);
	pthread_cond_broadcast(&w->start_cond);
	pthread_mutex_unlock(&w->start_mu);
	pthread_mutex_lock(&e->w_mu);
	if (pthread_equal(pthread_self(), w->thread) && !w->joined) {
		/* from its own callback: the thread ends after it and frees
		 * the handle, unless close() is joining it */
		if (!w->join_pending) {
			w->detached = 1;
			e->w_detached++;
			pthread_detach(w->thread);
		}
		pthread_mutex_unlock(&e->w_mu);
		return;
	}
	join = !w->join_pending;
	w->join_pending = 1;
	pthread_mutex_unlock(&e->w_mu);
	if (join) {
		pthread_join(w->thread, NULL);
		pthread_mutex_lock(&e->w_mu);
		w->joined = 1;
		pthread_mutex_unlock(&e->w_mu);
	}
	for (;;) { /* close() may be joining it right now */
		pthread_mutex_lock(&e->w_mu);
		if (w->joined)
			break;
		pthread_mutex_unlock(&e->w_mu);
		sleep_ms(1);
	}
	unlink_watch(e, w);
	pthread_mutex_unlock(&e->w_mu);
	free_handle(w);
}

void etcd_watch_end_all(etcd_t *e)
{
	for (;;) {
		etcd_watch_t *w, *pick = NULL;
		pthread_mutex_lock(&e->w_mu);
		for (w = e->watches; w != NULL; w = w->next) {
			if (w->joined || w->join_pending || w->detached)
				continue;
			pick = w;
			break;
		}
		if (pick != NULL)
			pick->join_pending = 1;
		if (pick == NULL) {
			/* and the threads of watches cancelled from their own
			 * callbacks: their final callbacks run before close returns */
			while (e->w_detached > 0)
				pthread_cond_wait(&e->w_cond, &e->w_mu);
			pthread_mutex_unlock(&e->w_mu);
			return;
		}
		pthread_mutex_unlock(&e->w_mu);
		ETCD_STORE(&pick->closing, 1);
		curl_multi_wakeup(pick->multi);
		pthread_mutex_lock(&pick->start_mu);
		pthread_cond_broadcast(&pick->start_cond);
		pthread_mutex_unlock(&pick->start_mu);
		pthread_join(pick->thread, NULL);
		pthread_mutex_lock(&e->w_mu);
		pick->joined = 1;
		pthread_mutex_unlock(&e->w_mu);
	}
}

void etcd_watch_free_all(etcd_t *e)
{
	etcd_watch_t *w, *next;

	etcd_watch_end_all(e);
	pthread_mutex_lock(&e->w_mu);
	w = e->watches;
	e->watches = NULL;
	pthread_mutex_unlock(&e->w_mu);
	for (; w != NULL; w = next) {
		next = w->next;
		free_handle(w);
	}
}
