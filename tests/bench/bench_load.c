/* tests/bench/bench_api: The servers under test, the closed-loop / paced load runner, its operations, LIST. */
#include "config.h"

#include "bench_api.h"

/* ---- servers under test ------------------------------------------------ */


static void show_log_tail(const target_t *t)
{
	char line[1024];
	long lines = 0, skip;
	FILE *f = fopen(t->log, "r");

	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		lines++;
	rewind(f);
	skip = lines > 20 ? lines - 20 : 0;
	fprintf(stderr, "--- last lines of %s ---\n", t->log);
	while (fgets(line, sizeof(line), f) != NULL)
		if (skip-- <= 0)
			fputs(line, stderr);
	fclose(f);
}

void check_alive(const target_t *t, const char *when)
{
	if (!alive(t->pid)) {
		show_log_tail(t);
		die("%s exited %s", t->name, when);
	}
}

/* The port k8c logged ("serving the Kubernetes API on http://A:PORT"). */
static int k8c_logged_port(const target_t *t, int *running)
{
	char line[2048];
	int port = 0;
	FILE *f = fopen(t->log, "r");

	*running = 0;
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		const char *p = strstr(line, "serving the Kubernetes API on http://");
		if (p != NULL && (p = strchr(p + 37, ':')) != NULL)
			port = atoi(p + 1);
		if (strstr(line, " running: ") != NULL)
			*running = 1;
	}
	fclose(f);
	return port;
}

/* k8c on SQLite in DIR/k8c, or on the etcd at endpoint in DIR/k8c-etcd */
void start_k8c(target_t *t, const char *endpoint)
{
	char *argv[18];
	int n = 0, running = 0;
	int64_t deadline = now_ns() + 30000000000LL;

	t->name = "k8c";
	snprintf(t->dir, sizeof(t->dir), "%s/k8c%s", tmp_root, endpoint ? "-etcd" : "");
	snprintf(t->log, sizeof(t->log), "%s/k8c%s.log", tmp_root, endpoint ? "-etcd" : "");
	argv[n++] = (char *)opt.k8c;
	argv[n++] = "server";
	argv[n++] = "--data-dir";
	argv[n++] = t->dir;
	argv[n++] = "--port";
	argv[n++] = "0"; /* the kernel picks a free port; k8c logs it */
	if (!opt.full_server) { /* the API server alone: no scheduler churning on the pods */
		argv[n++] = "--disable-agent";
		argv[n++] = "--disable-scheduler";
		argv[n++] = "--disable-controller-manager";
		argv[n++] = "--disable-cloud-controller";
	}
	if (opt.k8c_config != NULL) { /* e.g. plugin settings to compare */
		argv[n++] = "--config";
		argv[n++] = (char *)opt.k8c_config;
	}
	if (endpoint != NULL) {
		argv[n++] = "--datastore-endpoint";
		argv[n++] = (char *)endpoint;
	}
	argv[n] = NULL;
	t->pid = spawn(argv, t->log);
	while ((t->port = k8c_logged_port(t, &running)) == 0 || !running) {
		check_alive(t, "while starting");
		if (now_ns() > deadline) {
			show_log_tail(t);
			die("k8c did not report running within 30 s");
		}
		sleep_ms(10);
	}
}

/* etcd in DIR/NAME (NAME "etcd" for the reference, "etcd-backend" under k8c) */
void start_etcd(target_t *t, const char *name)
{
	char client[64], peer[64], cluster[96];
	int64_t deadline = now_ns() + 30000000000LL;
	hconn_t c;
	int peer_port = free_port();
	char *argv[] = {(char *)opt.etcd, "--name", "bench", "--data-dir", t->dir,
	                "--listen-client-urls", client, "--advertise-client-urls", client,
	                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
	                "--initial-cluster", cluster, "--initial-cluster-state", "new",
	                "--logger", "zap", "--log-level", "warn", NULL};

	t->name = "etcd";
	t->port = free_port();
	while (t->port == peer_port)
		t->port = free_port();
	snprintf(t->dir, sizeof(t->dir), "%s/%s", tmp_root, name);
	snprintf(t->log, sizeof(t->log), "%s/%s.log", tmp_root, name);
	snprintf(client, sizeof(client), "http://127.0.0.1:%d", t->port);
	snprintf(peer, sizeof(peer), "http://127.0.0.1:%d", peer_port);
	snprintf(cluster, sizeof(cluster), "bench=%s", peer);
	t->pid = spawn(argv, t->log);
	hc_init(&c, t->port);
	while (hc_request(&c, "GET", "/health", NULL, 0) != 200 ||
	       strstr(c.body, "true") == NULL) {
		check_alive(t, "while starting");
		if (now_ns() > deadline) {
			show_log_tail(t);
			die("etcd did not become healthy within 30 s");
		}
		hc_close(&c);
		sleep_ms(20);
	}
	hc_free(&c);
}

void stop_target(target_t *t)
{
	stop_child(t->pid, SIGTERM, 15000);
	t->pid = 0;
}

/* perf record -g on the target during one phase, when --perf DIR is set */
pid_t perf_start(const target_t *t, const char *phase)
{
	char out[PATH_MAX], log[PATH_MAX + 8], pid[16];
	/* DWARF unwinding: k8c, libcjson and libc are built without frame pointers */
	char *argv[] = {"/usr/bin/perf", "record", "--call-graph", "dwarf,16384", "-F", "999",
	                "-o", out, "-p", pid, NULL};

	if (opt.perf_dir == NULL)
		return 0;
	snprintf(out, sizeof(out), "%s/%s-%s.perf.data", opt.perf_dir, t->name, phase);
	snprintf(log, sizeof(log), "%s/%s-%s.perf.log", opt.perf_dir, t->name, phase);
	snprintf(pid, sizeof(pid), "%d", (int)t->pid);
	pid_t p = spawn(argv, log);
	sleep_ms(500); /* let it attach to every thread */
	return p;
}

void perf_stop(pid_t p)
{
	if (p > 0)
		stop_child(p, SIGINT, 60000);
}

/* ---- the closed-loop / paced load runner ------------------------------ */

/* One operation on connection c; returns 0 when the answer was the expected one. */



static void load_error(load_t *l, const char *what, int status, const char *body)
{
	pthread_mutex_lock(&l->err_lock);
	if (l->first_err[0] == '\0')
		snprintf(l->first_err, sizeof(l->first_err), "%s: status %d: %.200s", what,
		         status, body ? body : "");
	pthread_mutex_unlock(&l->err_lock);
}

static void *load_worker(void *arg)
{
	load_t *l = arg;
	hconn_t c;
	size_t scratch_len = 16384;
	char *scratch = xmalloc(scratch_len);

	hc_init(&c, l->t->port);
	c.fd = tcp_connect(l->t->port);
	pthread_barrier_wait(&l->start);
	for (;;) {
		long i = atomic_fetch_add(&l->next, 1);
		int64_t due = 0, t, e;
		int rc;
		if (i >= l->count)
			break;
		if (l->rate > 0) {
			due = l->t0 + (int64_t)((double)i * 1e9 / l->rate);
			sleep_until(due);
		}
		t = now_ns();
		rc = l->op(l, &c, i, scratch, scratch_len);
		e = now_ns();
		l->lat[i] = rc == 0 ? e - t : -1;
		if (l->lat_sched != NULL)
			l->lat_sched[i] = rc == 0 ? e - due : -1;
		if (rc != 0)
			atomic_fetch_add(&l->errors, 1);
	}
	pthread_barrier_wait(&l->end);
	pthread_barrier_wait(&l->sampled); /* keep the connections until measured */
	hc_free(&c);
	free(scratch);
	return NULL;
}

int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorts the valid (>= 0) samples to the front; returns their number. */
static size_t sort_valid(int64_t *v, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (v[i] >= 0)
			v[k++] = v[i];
	qsort(v, k, sizeof(*v), cmp_i64);
	return k;
}

double pct_ms(const int64_t *v, size_t n, double p)
{
	if (n == 0)
		return -1;
	return (double)v[(size_t)((double)(n - 1) * p + 0.5)] / NS_PER_MS;
}

void load_run(load_t *l, lstats_t *st)
{
	int n = opt.clients;
	pthread_t *th = xcalloc((size_t)n, sizeof(*th));
	double srv0, srv1, cli0, cli1, all0, all1, be0 = 0, be1 = 0;
	ctxsnap_t ctx0, ctx1;
	int64_t t1;
	size_t k;

	l->lat = xcalloc((size_t)l->count, sizeof(int64_t));
	l->lat_sched = l->rate > 0 ? xcalloc((size_t)l->count, sizeof(int64_t)) : NULL;
	atomic_store(&l->next, 0);
	atomic_store(&l->errors, 0);
	l->first_err[0] = '\0';
	pthread_mutex_init(&l->err_lock, NULL);
	pthread_barrier_init(&l->start, NULL, (unsigned)n + 1);
	pthread_barrier_init(&l->end, NULL, (unsigned)n + 1);
	pthread_barrier_init(&l->sampled, NULL, (unsigned)n + 1);
	for (int i = 0; i < n; i++)
		if (pthread_create(&th[i], NULL, load_worker, l) != 0)
			die("pthread_create: %s", strerror(errno));
	ctx_snapshot(l->t->pid, &ctx0);
	srv0 = proc_cpu_s(l->t->pid);
	if (l->t->backend > 0)
		be0 = proc_cpu_s(l->t->backend);
	cli0 = self_cpu_s();
	all0 = machine_busy_s();
	l->t0 = now_ns() + 1000000; /* the paced schedule starts 1 ms from now */
	pthread_barrier_wait(&l->start);
	pthread_barrier_wait(&l->end);
	t1 = now_ns();
	srv1 = proc_cpu_s(l->t->pid);
	if (l->t->backend > 0)
		be1 = proc_cpu_s(l->t->backend);
	cli1 = self_cpu_s();
	all1 = machine_busy_s();
	ctx_snapshot(l->t->pid, &ctx1); /* before the connections (threads) go */
	pthread_barrier_wait(&l->sampled);
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);

	memset(st, 0, sizeof(*st));
	st->have = 1;
	st->errors = atomic_load(&l->errors);
	st->ok = l->count - st->errors;
	st->secs = (double)(t1 - l->t0) / 1e9;
	st->per_s = (double)st->ok / st->secs;
	k = sort_valid(l->lat, (size_t)l->count);
	st->p50 = pct_ms(l->lat, k, 0.50);
	st->p99 = pct_ms(l->lat, k, 0.99);
	st->p999 = pct_ms(l->lat, k, 0.999);
	st->max = k ? (double)l->lat[k - 1] / NS_PER_MS : -1;
	if (l->lat_sched != NULL) {
		k = sort_valid(l->lat_sched, (size_t)l->count);
		st->sp50 = pct_ms(l->lat_sched, k, 0.50);
		st->sp99 = pct_ms(l->lat_sched, k, 0.99);
	}
	st->srv_cpu_us = (srv1 - srv0) * 1e6 / (double)l->count;
	st->srv_ctx = (double)ctx_growth(&ctx0, &ctx1) / (double)l->count;
	st->cli_cpu_us = (cli1 - cli0) * 1e6 / (double)l->count;
	st->be_cpu_us = (be1 - be0) * 1e6 / (double)l->count;
	st->others_pct = ((all1 - all0) - (srv1 - srv0) - (be1 - be0) - (cli1 - cli0)) * 100.0 /
	                 st->secs;
	if (st->others_pct < 0)
		st->others_pct = 0;

	printf("  %-5s %-14s %9ld ok %6ld err %7.2f s %9.0f/s  p50 %6.2f  p99 %6.2f  "
	       "p99.9 %6.2f  max %7.2f ms",
	       l->t->name, l->what, st->ok, st->errors, st->secs, st->per_s, st->p50, st->p99,
	       st->p999, st->max);
	if (l->lat_sched != NULL)
		printf("  (from schedule: p50 %.2f p99 %.2f ms)", st->sp50, st->sp99);
	printf("\n        server %.0f us CPU and %.2f context switches per op; "
	       "benchmark %.0f us CPU per op; other processes %.0f%% of a core\n",
	       st->srv_cpu_us, st->srv_ctx, st->cli_cpu_us, st->others_pct);
	if (l->t->backend > 0)
		printf("        its etcd %.0f us CPU per op\n", st->be_cpu_us);
	if (l->first_err[0] != '\0')
		printf("        first error: %s\n", l->first_err);
	fflush(stdout);
	pthread_barrier_destroy(&l->start);
	pthread_barrier_destroy(&l->end);
	pthread_barrier_destroy(&l->sampled);
	pthread_mutex_destroy(&l->err_lock);
	free(l->lat);
	free(l->lat_sched);
	free(th);
	check_alive(l->t, l->what);
}

/* ---- operations -------------------------------------------------------- */

int op_k8c_create(load_t *l, hconn_t *c, long i, char *s, size_t sn)
{
	char path[256];
	int n = snprintf(s, sn, POD_FMT, l->prefix, i, l->ns, i % 16);
	int status;

	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/pods", l->ns);
	status = hc_request(c, "POST", path, s, (size_t)n);
	if (status == 201)
		return 0;
	load_error(l, "create", status, c->body);
	return -1;
}

int op_k8c_get(load_t *l, hconn_t *c, long i, char *s, size_t sn)
{
	long k = (long)(mix64((uint64_t)i) % (uint64_t)l->range);
	int status;

	snprintf(s, sn, "/api/v1/namespaces/%s/pods/%s-%ld", l->ns, l->prefix, k);
	status = hc_request(c, "GET", s, NULL, 0);
	if (status == 200)
		return 0;
	load_error(l, "get", status, c->body);
	return -1;
}

static char *etcd_key_b64(const load_t *l, long k)
{
	char key[256];
	int n = snprintf(key, sizeof(key), "/registry/pods/%s/%s-%ld", l->ns, l->prefix, k);

	return base64(key, (size_t)n);
}

int op_etcd_put(load_t *l, hconn_t *c, long i, char *s, size_t sn)
{
	char *key = etcd_key_b64(l, i);
	int n = snprintf(s, sn, "{\"key\":\"%s\",\"value\":\"%s\"}", key, l->value_b64);
	int status;

	free(key);
	if ((size_t)n >= sn)
		die("etcd value too large for the scratch buffer");
	status = hc_request(c, "POST", "/v3/kv/put", s, (size_t)n);
	if (status == 200 && strstr(c->body, "\"header\"") != NULL)
		return 0;
	load_error(l, "put", status, c->body);
	return -1;
}

int op_etcd_range(load_t *l, hconn_t *c, long i, char *s, size_t sn)
{
	char *key = etcd_key_b64(l, (long)(mix64((uint64_t)i) % (uint64_t)l->range));
	int n = snprintf(s, sn, "{\"key\":\"%s\"}", key);
	int status;

	free(key);
	status = hc_request(c, "POST", "/v3/kv/range", s, (size_t)n);
	if (status == 200 && strstr(c->body, "\"kvs\"") != NULL)
		return 0;
	load_error(l, "range", status, c->body);
	return -1;
}

/* ---- LIST ---------------------------------------------------------------- */


void list_run(const target_t *t, hconn_t *c, const char *method, const char *path,
                     const char *body, const char *item_marker, liststats_t *ls)
{
	double ms[7];
	int reps = 7;

	memset(ls, 0, sizeof(*ls));
	for (int r = 0; r < reps; r++) {
		int64_t t0 = now_ns();
		int status = hc_request(c, method, path, body, body ? strlen(body) : 0);
		ms[r] = (double)(now_ns() - t0) / NS_PER_MS;
		if (status != 200)
			die("%s LIST: status %d: %.200s", t->name, status, c->body);
	}
	ls->have = 1;
	ls->first_ms = ms[0];
	ls->bytes = (long)c->body_len;
	ls->items = count_substr(c->body, c->body_len, item_marker);
	for (int i = 1; i < reps; i++) /* insertion sort of 7 */
		for (int j = i; j > 0 && ms[j] < ms[j - 1]; j--) {
			double x = ms[j];
			ms[j] = ms[j - 1];
			ms[j - 1] = x;
		}
	ls->median_ms = ms[reps / 2];
	ls->min_ms = ms[0];
	printf("  %-5s LIST %ld items: first %.1f ms, median %.1f ms, min %.1f ms, %ld bytes; "
	       "server RSS now %ld kB, high-water %ld kB\n",
	       t->name, ls->items, ls->first_ms, ls->median_ms, ls->min_ms, ls->bytes,
	       proc_status_num(t->pid, "VmRSS"), proc_status_num(t->pid, "VmHWM"));
	fflush(stdout);
}
