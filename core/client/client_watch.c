/* Watches of the components' API client.  Each watch streams
 * GET PATH?watch=1&resourceVersion=RV&allowWatchBookmarks=true on a
 * detached thread of its own, with a curl multi handle so that watch_stop
 * wakes it at once.  The stream is one JSON event per line.
 *
 * The handle has two references: the thread's and the owner's.  The owner
 * drops its reference with watch_stop, exactly once, from any thread
 * (also from its own callbacks, the final one included); the last one out
 * frees the handle.  watch_stop called elsewhere than on the watch's
 * thread waits until the final callback and free_fn have run.  When the
 * server ends the stream (its timeout, a restart) the final callback says
 * K8C_ETIMEOUT or K8C_EUNAVAIL; an ERROR event with 410 Gone, K8C_EEXPIRED.
 * Resuming is the caller's business (core/client/informer.c does it). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "client/client_internal.h"
#include "common/mem.h"

struct k8c_client_watch {
	k8c_client_t *c;
	char *url; /* owned */
	k8c_client_watch_fn fn;
	void *udata;
	void (*free_fn)(void *udata);
	pthread_t thread;
	CURLM *multi; /* owned */

	/* under c->lock */
	int refs;
	int stop;
	int done;     /* final callback and free_fn ran */
	pthread_cond_t done_cond;
	k8c_client_watch_t *next, **pprev; /* in c->watches */

	/* watch thread only */
	char *line; /* partial line, owned */
	size_t line_len, line_cap;
	long http_status;
	k8c_error_t end; /* code 0: no reason to end seen yet */
};

static void unref(k8c_client_t *c, k8c_client_watch_t *w)
{
	int last;

	pthread_mutex_lock(&c->lock);
	last = --w->refs == 0;
	pthread_mutex_unlock(&c->lock);
	if (!last)
		return;
	pthread_cond_destroy(&w->done_cond);
	free(w->url);
	free(w->line);
	free(w);
}

static int stopping(k8c_client_watch_t *w)
{
	int stop;

	pthread_mutex_lock(&w->c->lock);
	stop = w->stop;
	pthread_mutex_unlock(&w->c->lock);
	return stop;
}

static int event_type(const char *t)
{
	if (strcmp(t, "ADDED") == 0)
		return K8C_WATCH_ADDED;
	if (strcmp(t, "MODIFIED") == 0)
		return K8C_WATCH_MODIFIED;
	if (strcmp(t, "DELETED") == 0)
		return K8C_WATCH_DELETED;
	if (strcmp(t, "BOOKMARK") == 0)
		return K8C_WATCH_BOOKMARK;
	return 0;
}

/* One line of the stream. */
static void on_line(k8c_client_watch_t *w, const char *text, size_t len)
{
	_cleanup_json_ cJSON *ev = cJSON_ParseWithLength(text, len);
	const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev, "type"));
	const cJSON *obj = cJSON_GetObjectItemCaseSensitive(ev, "object");
	int t;

	if (len == 0 || w->end.code != 0)
		return;
	if (type == NULL || !cJSON_IsObject(obj)) {
		k8c_error_make(&w->end, K8C_EINVAL, "watch %s: not a watch event: %.100s", w->url, text);
		return;
	}
	if (strcmp(type, "ERROR") == 0) {
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(obj, "code");
		_cleanup_free_ char *st = cJSON_PrintUnformatted(obj);
		k8c_client_status_error(cJSON_IsNumber(code) ? (long)code->valuedouble : 500, st,
		                        &w->end);
		return;
	}
	if ((t = event_type(type)) == 0)
		return; /* a type from a newer server: skip it */
	if (!stopping(w))
		w->fn(w->udata, t, obj, NULL);
}

static size_t on_data(char *data, size_t size, size_t n, void *udata)
{
	k8c_client_watch_t *w = udata;
	size_t add = size * n;
	char *nl;

	if (w->line_len + add + 1 > w->line_cap) {
		while (w->line_len + add + 1 > w->line_cap)
			w->line_cap = w->line_cap ? w->line_cap * 2 : 16384;
		w->line = k8c_xrealloc(w->line, w->line_cap);
	}
	memcpy(w->line + w->line_len, data, add);
	w->line_len += add;
	w->line[w->line_len] = '\0';
	if (w->http_status >= 400)
		return add; /* a Status body, read whole at the end */
	while ((nl = memchr(w->line, '\n', w->line_len)) != NULL) {
		size_t l = (size_t)(nl - w->line);
		on_line(w, w->line, l);
		memmove(w->line, nl + 1, w->line_len - l - 1);
		w->line_len -= l + 1;
		w->line[w->line_len] = '\0';
	}
	return stopping(w) ? 0 : add;
}

static size_t on_header(char *data, size_t size, size_t n, void *udata)
{
	k8c_client_watch_t *w = udata;
	long code;

	/* the status line: "HTTP/1.1 200 OK", "HTTP/2 410" */
	if (size * n > 5 && strncmp(data, "HTTP/", 5) == 0) {
		const char *sp = memchr(data, ' ', size * n);
		if (sp != NULL && sscanf(sp + 1, "%ld", &code) == 1 && code >= 200)
			w->http_status = code;
	}
	return size * n;
}

static void *watch_thread(void *arg)
{
	k8c_client_watch_t *w = arg;
	k8c_client_t *c = w->c;
	k8c_client_conn_t *conn = k8c_client_conn_get(c);
	struct curl_slist *headers = curl_slist_append(NULL, "Accept: application/json");
	k8c_error_t end = {0};
	int running = 1;
	CURLMsg *msg;
	CURLM *multi;
	CURLcode rc = CURLE_OK;
	pthread_setname_np(pthread_self(), "k8c-watch");

	curl_easy_setopt(conn->curl, CURLOPT_URL, w->url);
	curl_easy_setopt(conn->curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(conn->curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(conn->curl, CURLOPT_WRITEDATA, w);
	curl_easy_setopt(conn->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(conn->curl, CURLOPT_HEADERDATA, w);
	/* a connection silent for 2 minutes is dead (the server sends a
	 * bookmark at least every minute) */
	curl_easy_setopt(conn->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(conn->curl, CURLOPT_LOW_SPEED_TIME, 120L);
	curl_multi_add_handle(w->multi, conn->curl);
	while (running && !stopping(w)) {
		if (curl_multi_perform(w->multi, &running) != CURLM_OK)
			break;
		if (running)
			curl_multi_poll(w->multi, NULL, 0, 1000, NULL);
	}
	while ((msg = curl_multi_info_read(w->multi, &running)) != NULL)
		if (msg->msg == CURLMSG_DONE)
			rc = msg->data.result;
	curl_multi_remove_handle(w->multi, conn->curl);
	curl_slist_free_all(headers);

	if (stopping(w))
		end.code = K8C_OK;
	else if (w->http_status >= 400)
		k8c_client_status_error(w->http_status, w->line, &end);
	else if (w->end.code != 0)
		end = w->end;
	else if (rc != CURLE_OK && rc != CURLE_WRITE_ERROR)
		k8c_error_make(&end, K8C_EUNAVAIL, "watch %s: %s", w->url, curl_easy_strerror(rc));
	else
		k8c_error_make(&end, K8C_ETIMEOUT, "watch %s: the server ended the watch", w->url);
	if (rc == CURLE_OK && w->http_status < 400)
		k8c_client_conn_put(c, conn);
	else {
		curl_easy_cleanup(conn->curl);
		free(conn);
	}
	pthread_mutex_lock(&c->lock);
	multi = w->multi;
	w->multi = NULL; /* watch_end wakes it only under the lock */
	pthread_mutex_unlock(&c->lock);
	curl_multi_cleanup(multi);

	w->fn(w->udata, 0, NULL, &end);
	if (w->free_fn != NULL)
		w->free_fn(w->udata);
	pthread_mutex_lock(&c->lock);
	w->done = 1;
	pthread_cond_broadcast(&w->done_cond);
	*w->pprev = w->next;
	if (w->next != NULL)
		w->next->pprev = w->pprev;
	pthread_mutex_unlock(&c->lock);
	unref(c, w);
	/* the client may be freed as soon as n_watches drops */
	pthread_mutex_lock(&c->lock);
	c->n_watches--;
	pthread_cond_broadcast(&c->watches_gone);
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

int k8c_client_watch_start(void *ctx, const char *path, const char *resource_version,
                           k8c_client_watch_fn fn, void *udata, void (*free_fn)(void *udata),
                           k8c_client_watch_t **out, k8c_error_t *err)
{
	k8c_client_t *c = ctx;
	k8c_client_watch_t *w;
	_cleanup_free_ char *rv = k8c_client_escape(resource_version ? resource_version : "");
	pthread_attr_t attr;
	int ret;

	if (path[0] != '/')
		return k8c_error_make(err, K8C_EINVAL, "watch path \"%s\" must start with /", path);
	w = k8c_xcalloc(1, sizeof(*w));
	w->c = c;
	/* the server ends a watch after 5 to 10 minutes, as client-go asks */
	w->url = k8c_xasprintf("%s%s%swatch=1&allowWatchBookmarks=true&timeoutSeconds=%d%s%s",
	                       c->server, path, strchr(path, '?') ? "&" : "?",
	                       300 + (int)(random() % 300), *rv ? "&resourceVersion=" : "", rv);
	w->fn = fn;
	w->udata = udata;
	w->free_fn = free_fn;
	w->refs = 2;
	pthread_cond_init(&w->done_cond, NULL);
	w->multi = curl_multi_init();
	if (w->multi == NULL)
		k8c_die("curl_multi_init failed (out of memory)");
	pthread_mutex_lock(&c->lock);
	w->next = c->watches;
	if (w->next != NULL)
		w->next->pprev = &w->next;
	w->pprev = &c->watches;
	c->watches = w;
	c->n_watches++;
	pthread_mutex_unlock(&c->lock);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* under the lock: watch_end reads w->thread under it */
	pthread_mutex_lock(&c->lock);
	ret = pthread_create(&w->thread, &attr, watch_thread, w);
	pthread_mutex_unlock(&c->lock);
	pthread_attr_destroy(&attr);
	if (ret != 0)
		k8c_die("watch: pthread_create: %s", strerror(ret));
	*out = w;
	return 0;
}

void k8c_client_watch_end(void *ctx, k8c_client_watch_t *w)
{
	k8c_client_t *c = ctx;

	if (w == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	w->stop = 1;
	if (w->multi != NULL && !w->done)
		curl_multi_wakeup(w->multi);
	if (!pthread_equal(pthread_self(), w->thread))
		while (!w->done)
			pthread_cond_wait(&w->done_cond, &c->lock);
	pthread_mutex_unlock(&c->lock);
	unref(c, w);
}

void k8c_client_watches_stop_all(k8c_client_t *c)
{
	pthread_mutex_lock(&c->lock);
	for (k8c_client_watch_t *w = c->watches; w != NULL; w = w->next) {
		w->stop = 1;
		if (w->multi != NULL)
			curl_multi_wakeup(w->multi);
	}
	while (c->n_watches > 0)
		pthread_cond_wait(&c->watches_gone, &c->lock);
	pthread_mutex_unlock(&c->lock);
}
