/* tests/bench/bench_api: Watch delivery latency to many watchers. */
#include "config.h"

#include "bench_api.h"

/* ---- watch delivery -------------------------------------------------------- */

#define WATCH_MARKER "\"name\":\"watchpod-"




static void w_line(watchrun_t *wr, wconn_t *w, const char *s, size_t n, int64_t t)
{
	const char *m = memmem(s, n, WATCH_MARKER, sizeof(WATCH_MARKER) - 1);
	long seq;

	if (m == NULL) {
		atomic_fetch_add(&wr->stray, 1);
		return;
	}
	seq = strtol(m + sizeof(WATCH_MARKER) - 1, NULL, 10);
	if (seq >= 0 && seq < wr->nev && wr->recv[(size_t)w->idx * (size_t)wr->nev + (size_t)seq] == 0) {
		wr->recv[(size_t)w->idx * (size_t)wr->nev + (size_t)seq] = t;
		atomic_fetch_add(&wr->events, 1);
	}
}

static void w_data(watchrun_t *wr, wconn_t *w, const char *p, size_t n, int64_t t)
{
	while (n > 0) {
		const char *nl = memchr(p, '\n', n);
		size_t take = nl ? (size_t)(nl - p) : n;
		if (w->line_len + take + 1 > w->line_cap) {
			w->line_cap = (w->line_len + take + 1) * 2;
			w->line = xrealloc(w->line, w->line_cap);
		}
		memcpy(w->line + w->line_len, p, take);
		w->line_len += take;
		if (nl == NULL)
			return;
		w_line(wr, w, w->line, w->line_len, t);
		w->line_len = 0;
		p = nl + 1;
		n -= take + 1;
	}
}

/* Decode what arrived on a watch stream (headers, then chunks). */
static void w_consume(watchrun_t *wr, wconn_t *w, int64_t t)
{
	size_t off = 0;

	if (!w->hdr_done) {
		const char *e = memmem(w->raw, w->raw_len, "\r\n\r\n", 4);
		if (e == NULL)
			return;
		if (w->raw_len < 12 || atoi(w->raw + 9) != 200 ||
		    memmem(w->raw, (size_t)(e - w->raw), "chunked", 7) == NULL) {
			atomic_fetch_add(&wr->bad, 1);
			if (atomic_load(&wr->bad) == 1)
				fprintf(stderr, "bench_api: watch answered: %.300s\n", w->raw);
			w->ended = 1;
		}
		w->hdr_done = 1;
		atomic_fetch_add(&wr->headers, 1);
		off = (size_t)(e - w->raw) + 4;
	}
	while (!w->ended) {
		if (w->state == 0) {
			const char *crlf = memmem(w->raw + off, w->raw_len - off, "\r\n", 2);
			if (crlf == NULL)
				break;
			w->chunk_left = strtoul(w->raw + off, NULL, 16);
			off = (size_t)(crlf - w->raw) + 2;
			if (w->chunk_left == 0) {
				w->ended = 1;
				atomic_fetch_add(&wr->ended, 1);
			}
			w->state = 1;
		} else if (w->state == 1) {
			size_t take = w->raw_len - off < w->chunk_left ? w->raw_len - off : w->chunk_left;
			if (take == 0)
				break;
			w_data(wr, w, w->raw + off, take, t);
			off += take;
			w->chunk_left -= take;
			if (w->chunk_left == 0)
				w->state = 2;
		} else {
			if (w->raw_len - off < 2)
				break;
			off += 2;
			w->state = 0;
		}
	}
	memmove(w->raw, w->raw + off, w->raw_len - off);
	w->raw_len -= off;
}


static void *watch_reader(void *arg)
{
	watchrun_t *wr = ((wreader_t *)arg)->wr;
	int epfd = ((wreader_t *)arg)->epfd;
	struct epoll_event ev[64];

	while (!atomic_load(&wr->stop)) {
		int n = epoll_wait(epfd, ev, 64, 100);
		for (int i = 0; i < n; i++) {
			wconn_t *w = ev[i].data.ptr;
			int64_t t = 0;
			for (;;) {
				ssize_t r;
				if (w->raw_cap - w->raw_len < 4096) {
					w->raw_cap *= 2;
					w->raw = xrealloc(w->raw, w->raw_cap);
				}
				r = read(w->fd, w->raw + w->raw_len, w->raw_cap - w->raw_len);
				if (t == 0)
					t = now_ns();
				if (r > 0) {
					w->raw_len += (size_t)r;
					continue;
				}
				if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
					epoll_ctl(epfd, EPOLL_CTL_DEL, w->fd, NULL);
					if (!w->ended)
						atomic_fetch_add(&wr->ended, 1);
					w->ended = 1;
				}
				if (r < 0 && errno == EINTR)
					continue;
				break;
			}
			if (!w->ended || w->raw_len > 0)
				w_consume(wr, w, t);
		}
	}
	return NULL;
}

void k8c_namespace(hconn_t *c, const char *name)
{
	char body[256];
	int n = snprintf(body, sizeof(body),
	                 "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"%s\"}}",
	                 name);
	int status = hc_request(c, "POST", "/api/v1/namespaces", body, (size_t)n);

	if (status != 201 && status != 409)
		die("create namespace %s: status %d: %.200s", name, status, c->body);
}

static long list_rv(hconn_t *c, const char *ns)
{
	char path[256];
	const char *p;

	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/pods?limit=1", ns);
	if (hc_request(c, "GET", path, NULL, 0) != 200 ||
	    (p = strstr(c->body, "\"resourceVersion\":\"")) == NULL)
		die("cannot read the list resourceVersion: %.200s", c->body);
	return strtol(p + 19, NULL, 10);
}

static void watch_open(watchrun_t *wr, const target_t *t, long rv)
{
	char req[512];
	int n = snprintf(req, sizeof(req),
	                 "GET /api/v1/namespaces/bench-watch/pods?watch=true&resourceVersion=%ld "
	                 "HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUser-Agent: k8c-bench-api\r\n"
	                 "Accept: application/json\r\n\r\n",
	                 rv, t->port);

	for (int i = 0; i < wr->n; i++) {
		wconn_t *w = &wr->w[i];
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = w};
		w->idx = i;
		w->raw_cap = w->line_cap = 8192;
		w->raw = xmalloc(w->raw_cap);
		w->line = xmalloc(w->line_cap);
		if ((w->fd = tcp_connect(t->port)) < 0)
			die("watch %d: connect: %s", i, strerror(errno));
		if (write_all(w->fd, req, (size_t)n) < 0)
			die("watch %d: write: %s", i, strerror(errno));
		fcntl(w->fd, F_SETFL, fcntl(w->fd, F_GETFL) | O_NONBLOCK);
		epoll_ctl(wr->epfd[i % WATCH_THREADS], EPOLL_CTL_ADD, w->fd, &ev);
	}
}

/* Latencies of every delivered event, from the write's response and from
 * its request; then the report. */
static void watch_figures(const watchrun_t *wr, const int64_t *sent, const int64_t *resp,
                          watchstats_t *ws)
{
	size_t total = (size_t)wr->n * (size_t)wr->nev, k = 0;
	int64_t *lat = xcalloc(total, sizeof(int64_t)), *lat_send = xcalloc(total, sizeof(int64_t));

	for (int i = 0; i < wr->n; i++)
		for (int e = 0; e < wr->nev; e++) {
			int64_t r = wr->recv[(size_t)i * (size_t)wr->nev + (size_t)e];
			if (r == 0)
				continue;
			lat[k] = r > resp[e] ? r - resp[e] : 0; /* an event may beat the response */
			lat_send[k++] = r - sent[e];
		}
	qsort(lat, k, sizeof(*lat), cmp_i64);
	qsort(lat_send, k, sizeof(*lat_send), cmp_i64);
	ws->have = 1;
	ws->events = (long)k;
	ws->expected = (long)total;
	ws->missed = ws->expected - ws->events;
	ws->p50 = pct_ms(lat, k, 0.50);
	ws->p99 = pct_ms(lat, k, 0.99);
	ws->max = k ? (double)lat[k - 1] / NS_PER_MS : -1;
	ws->send_p50 = pct_ms(lat_send, k, 0.50);
	ws->send_p99 = pct_ms(lat_send, k, 0.99);
	printf("        %ld of %ld events delivered (%ld stray lines); from the write's response: "
	       "p50 %.2f p99 %.2f max %.2f ms; from the write's request: p50 %.2f p99 %.2f ms\n",
	       ws->events, ws->expected, atomic_load(&wr->stray), ws->p50, ws->p99, ws->max,
	       ws->send_p50, ws->send_p99);
	fflush(stdout);
	free(lat);
	free(lat_send);
}

/* Open every stream and wait for all their headers; then the idle cost. */
static void watch_setup(watchrun_t *wr, const target_t *t, long rv, watchstats_t *ws)
{
	int64_t t0 = now_ns(), deadline = t0 + 60000000000LL;
	double cpu0;

	watch_open(wr, t, rv);
	while (atomic_load(&wr->headers) < wr->n && now_ns() < deadline)
		sleep_ms(5);
	ws->setup_s = (double)(now_ns() - t0) / 1e9;
	if (atomic_load(&wr->headers) < wr->n || atomic_load(&wr->bad) > 0)
		die("only %d of %d watches opened (%d refused)", atomic_load(&wr->headers), wr->n,
		    atomic_load(&wr->bad));
	ws->open = wr->n;
	sleep_ms(1000); /* settle, then the idle cost of the open watches */
	cpu0 = proc_cpu_s(t->pid);
	sleep_ms(2000);
	ws->idle_cpu_pct = (proc_cpu_s(t->pid) - cpu0) / 2.0 * 100.0;
	ws->rss_open_kb = proc_status_num(t->pid, "VmRSS");
	ws->threads_open = proc_status_num(t->pid, "Threads");
	printf("  %-5s watch: %d streams opened in %.2f s (server %ld threads, RSS %ld kB, was "
	       "%ld kB; %.1f%% of a core while idle)\n",
	       t->name, ws->open, ws->setup_s, ws->threads_open, ws->rss_open_kb,
	       ws->rss_before_kb, ws->idle_cpu_pct);
}

/* --watch-events creates, one every 100 ms, each seen by every watcher. */
static void watch_write(watchrun_t *wr, hconn_t *c, int64_t *sent, int64_t *resp)
{
	int64_t deadline;

	for (int e = 0; e < wr->nev; e++) {
		char body[2048];
		int n = snprintf(body, sizeof(body), POD_FMT, "watchpod", (long)e, "bench-watch",
		                 (long)e % 16);
		int status;
		sleep_ms(100);
		sent[e] = now_ns();
		status = hc_request(c, "POST", "/api/v1/namespaces/bench-watch/pods", body, (size_t)n);
		resp[e] = now_ns();
		if (status != 201)
			die("watch phase create: status %d: %.200s", status, c->body);
	}
	deadline = now_ns() + 10000000000LL;
	while (atomic_load(&wr->events) < (long)wr->n * wr->nev && now_ns() < deadline)
		sleep_ms(10);
}

void watch_run(const target_t *t, hconn_t *c, watchstats_t *ws)
{
	watchrun_t wr = {.n = opt.watchers, .nev = opt.watch_events};
	pthread_t th[WATCH_THREADS];
	wreader_t rd[WATCH_THREADS];
	int64_t *sent = xcalloc((size_t)wr.nev, sizeof(int64_t));
	int64_t *resp = xcalloc((size_t)wr.nev, sizeof(int64_t));

	memset(ws, 0, sizeof(*ws));
	ws->rss_before_kb = proc_status_num(t->pid, "VmRSS");
	k8c_namespace(c, "bench-watch");
	wr.w = xcalloc((size_t)wr.n, sizeof(wconn_t));
	wr.recv = xcalloc((size_t)wr.n * (size_t)wr.nev, sizeof(int64_t));
	for (int i = 0; i < WATCH_THREADS; i++) {
		wr.epfd[i] = epoll_create1(EPOLL_CLOEXEC);
		rd[i] = (wreader_t){.wr = &wr, .epfd = wr.epfd[i]};
		pthread_create(&th[i], NULL, watch_reader, &rd[i]);
	}
	watch_setup(&wr, t, list_rv(c, "bench-watch"), ws);
	watch_write(&wr, c, sent, resp);
	atomic_store(&wr.stop, 1);
	for (int i = 0; i < WATCH_THREADS; i++)
		pthread_join(th[i], NULL);
	watch_figures(&wr, sent, resp, ws);

	for (int i = 0; i < wr.n; i++) {
		close(wr.w[i].fd);
		free(wr.w[i].raw);
		free(wr.w[i].line);
	}
	for (int i = 0; i < WATCH_THREADS; i++)
		close(wr.epfd[i]);
	free(wr.w);
	free(wr.recv);
	free(sent);
	free(resp);
	check_alive(t, "in the watch phase");
}
