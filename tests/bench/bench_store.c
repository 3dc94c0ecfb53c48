/* Store benchmark: loads a store plugin with dlopen and measures it
 * through its ops table with N client threads.
 *
 *   tests/bench/bench_store plugins/.libs/store-sqlite.so
 *       [-t threads=64] [-n creates=100000] [-s value bytes=1024]
 *       [-w watchers=1000] [-r paced rate/s=5000] [-e endpoint]
 *       [-c '{"plugin": "config"}']
 *
 * Without -e the store lives in a new directory under /tmp, removed at
 * the end.  Prints: durable creates/s with p50/p99 latency, gets/s,
 * updates/s, a LIST of 10,000 keys (latest and at an old revision),
 * watch delivery latency to every watcher, paced create latency, RSS. */
#include "config.h"

#include <dlfcn.h>
#include <ftw.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include <k8c/store.h>

static const k8c_plugin_t *plugin;
static const k8c_store_ops_t *ops;
static void *store;
static int threads = 64, watchers = 1000, value_size = 1024;
static long creates = 100000, rate = 5000;
static char *value;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void host_log(void *ctx, int level, const char *fmt, ...)
{
	va_list ap;

	if (level > K8C_LOG_WARN)
		return;
	va_start(ap, fmt);
	fputs("bench_store: plugin: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static int host_log_enabled(void *ctx, int level)
{
	return level <= K8C_LOG_WARN;
}

static int64_t host_now(void *ctx)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t host_mono(void *ctx)
{
	return now_ns();
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static double pct(int64_t *v, long n, double p)
{
	if (n == 0)
		return 0;
	return (double)v[(long)((double)(n - 1) * p)] / 1e6;
}

static void rss(const char *when)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256], out[128] = "";

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0 ||
		    strncmp(line, "VmHWM:", 6) == 0) {
			line[strcspn(line, "\n")] = '\0';
			strcat(out, line);
			strcat(out, "  ");
		}
	if (f != NULL)
		fclose(f);
	printf("%-28s %s\n", when, out);
}

/* --- a phase: every thread runs fn(thread index, op index) ------------- */

typedef struct phase {
	const char *name;
	long ops;                        /* total */
	int (*fn)(int t, long i, int64_t *lat);
	int64_t *lat;                    /* per-op latency, ns */
	long failed;
	int64_t interval;                /* paced: ns between one thread's ops */
} phase_t;

typedef struct worker {
	phase_t *ph;
	int t;
	long failed;
} worker_t;

static void *phase_thread(void *p)
{
	worker_t *w = p;
	phase_t *ph = w->ph;
	int64_t t0 = now_ns();
	long k = 0;

	for (long i = w->t; i < ph->ops; i += threads, k++) {
		int64_t start = now_ns();

		if (ph->interval > 0) {
			/* latency from the intended start: no coordinated
			 * omission when the store falls behind */
			int64_t due = t0 + k * ph->interval;
			struct timespec ts;

			if (due > start) {
				ts.tv_sec = (due - start) / 1000000000LL;
				ts.tv_nsec = (due - start) % 1000000000LL;
				nanosleep(&ts, NULL);
			}
			start = due;
		}
		if (ph->fn(w->t, i, &ph->lat[i]) < 0)
			w->failed++;
		ph->lat[i] = now_ns() - start;
	}
	return NULL;
}

static double run_phase(phase_t *ph)
{
	pthread_t th[1024];
	worker_t w[1024];
	int64_t t0 = now_ns(), dt;

	ph->lat = calloc((size_t)ph->ops, sizeof(int64_t));
	for (int i = 0; i < threads; i++) {
		w[i] = (worker_t){.ph = ph, .t = i};
		pthread_create(&th[i], NULL, phase_thread, &w[i]);
	}
	for (int i = 0; i < threads; i++) {
		pthread_join(th[i], NULL);
		ph->failed += w[i].failed;
	}
	dt = now_ns() - t0;
	qsort(ph->lat, (size_t)ph->ops, sizeof(int64_t), cmp_i64);
	printf("%-28s %9.0f ops/s  p50 %7.3f ms  p99 %7.3f ms  max %7.3f ms"
	       "  (%ld ops, %d threads, %ld failed)\n",
	       ph->name, (double)ph->ops * 1e9 / (double)dt,
	       pct(ph->lat, ph->ops, 0.5), pct(ph->lat, ph->ops, 0.99),
	       pct(ph->lat, ph->ops, 1.0), ph->ops, threads, ph->failed);
	free(ph->lat);
	return (double)dt / 1e9;
}

/* --- operations -------------------------------------------------------- */

static int64_t *revs; /* mod revision of create key i */

static void key_of(char *buf, size_t n, const char *kind, long i)
{
	snprintf(buf, n, "/registry/bench/%s/ns%03ld/obj-%08ld", kind, i % 100,
	         i);
}

static int op_create(int t, long i, int64_t *lat)
{
	char key[128];

	key_of(key, sizeof(key), "c", i);
	return ops->create(store, key, value, (size_t)value_size, &revs[i],
	                   NULL);
}

static int op_get(int t, long i, int64_t *lat)
{
	char key[128];

	key_of(key, sizeof(key), "c", (i * 7919) % creates);
	return ops->get(store, key, 0, NULL, NULL, NULL);
}

static int op_update(int t, long i, int64_t *lat)
{
	char key[128];

	key_of(key, sizeof(key), "c", i);
	return ops->update(store, key, value, (size_t)value_size, revs[i],
	                   &revs[i], NULL, NULL, NULL);
}

static int op_create_list(int t, long i, int64_t *lat)
{
	char key[128];
	int64_t rev;

	snprintf(key, sizeof(key), "/registry/bench/list/default/pod-%06ld", i);
	return ops->create(store, key, value, (size_t)value_size, &rev, NULL);
}

static long paced_base;

static int op_create_paced(int t, long i, int64_t *lat)
{
	char key[128];
	int64_t rev;

	key_of(key, sizeof(key), "p", paced_base + i);
	return ops->create(store, key, value, (size_t)value_size, &rev, NULL);
}

/* --- LIST of 10,000 keys ------------------------------------------------ */

static int count_kv(void *udata, const k8c_store_kv_t *kv)
{
	(*(long *)udata) += (long)kv->value_len > 0;
	return 0;
}

static void bench_list(void)
{
	phase_t ph = {.name = "create 10k for LIST", .ops = 10000,
	              .fn = op_create_list};
	const char *lo = "/registry/bench/list/", *hi = "/registry/bench/list0";
	int64_t t[5], rev_old = 0;
	k8c_store_range_info_t info;
	long n = 0;

	run_phase(&ph);
	ops->revision(store, &rev_old, NULL);
	/* touch 10% so the old revision differs from the latest */
	for (long i = 0; i < 10000; i += 10) {
		char key[128];
		int64_t rev;

		snprintf(key, sizeof(key), "/registry/bench/list/default/pod-%06ld",
		         i);
		ops->delete(store, key, 0, &rev, NULL, NULL, NULL);
	}
	for (int r = 0; r < 5; r++) {
		int64_t t0 = now_ns();

		n = 0;
		ops->range(store, lo, hi, 0, 0, count_kv, &n, &info, NULL);
		t[r] = now_ns() - t0;
	}
	qsort(t, 5, sizeof(t[0]), cmp_i64);
	printf("%-28s %7.2f ms median, %7.2f ms min  (%ld keys)\n",
	       "LIST latest (9,000 keys)", (double)t[2] / 1e6,
	       (double)t[0] / 1e6, n);
	for (int r = 0; r < 5; r++) {
		int64_t t0 = now_ns();

		n = 0;
		ops->range(store, lo, hi, rev_old, 0, count_kv, &n, &info, NULL);
		t[r] = now_ns() - t0;
	}
	qsort(t, 5, sizeof(t[0]), cmp_i64);
	printf("%-28s %7.2f ms median, %7.2f ms min  (%ld keys)\n",
	       "LIST at old rev (10,000)", (double)t[2] / 1e6,
	       (double)t[0] / 1e6, n);
	for (int r = 0; r < 5; r++) {
		int64_t t0 = now_ns();

		n = 0;
		ops->range(store, lo, hi, 0, 500, count_kv, &n, &info, NULL);
		t[r] = now_ns() - t0;
	}
	qsort(t, 5, sizeof(t[0]), cmp_i64);
	printf("%-28s %7.2f ms median  (%ld keys, count %lld, more %d)\n",
	       "LIST limit 500 (page 1)", (double)t[2] / 1e6, n,
	       (long long)info.count, info.more);
}

/* --- watch delivery latency --------------------------------------------- */

static int64_t *wlat;
static long wlat_n, wlat_cap;

static void on_event(void *udata, const k8c_store_event_t *ev,
                     const k8c_error_t *end)
{
	int64_t sent;
	long i;

	if (ev == NULL || ev->kv->value == NULL)
		return;
	memcpy(&sent, ev->kv->value, sizeof(sent));
	i = __atomic_fetch_add(&wlat_n, 1, __ATOMIC_RELAXED);
	if (i < wlat_cap)
		wlat[i] = now_ns() - sent;
}

static int op_watched(int t, long i, int64_t *lat)
{
	char key[128], *v = malloc((size_t)value_size);
	int64_t rev, sent = now_ns();
	int ret;

	memcpy(v, value, (size_t)value_size);
	memcpy(v, &sent, sizeof(sent));
	snprintf(key, sizeof(key), "/registry/bench/w/ns/obj-%06ld", i);
	ret = ops->create(store, key, v, (size_t)value_size, &rev, NULL);
	free(v);
	return ret;
}

static void bench_watch(void)
{
	const long events = 2000;
	k8c_store_watch_t **w = calloc((size_t)watchers, sizeof(*w));
	phase_t ph = {.name = "creates with watchers", .ops = events,
	              .fn = op_watched};
	int64_t t0;

	wlat_cap = events * watchers;
	wlat = calloc((size_t)wlat_cap, sizeof(int64_t));
	t0 = now_ns();
	for (int i = 0; i < watchers; i++)
		ops->watch(store, "/registry/bench/w/", "/registry/bench/w0", 0,
		           on_event, NULL, NULL, &w[i], NULL);
	printf("%-28s %7.2f ms for %d watches\n", "watch setup",
	       (double)(now_ns() - t0) / 1e6, watchers);
	run_phase(&ph);
	for (int i = 0; i < 100 && __atomic_load_n(&wlat_n, __ATOMIC_RELAXED) <
	                               wlat_cap; i++)
		usleep(10000);
	qsort(wlat, (size_t)wlat_n, sizeof(int64_t), cmp_i64);
	printf("%-28s p50 %7.3f ms  p99 %7.3f ms  max %7.3f ms  (%ld "
	       "deliveries to %d watchers)\n",
	       "watch delivery latency", pct(wlat, wlat_n, 0.5),
	       pct(wlat, wlat_n, 0.99), pct(wlat, wlat_n, 1.0), wlat_n,
	       watchers);
	rss("RSS with watchers:");
	for (int i = 0; i < watchers; i++)
		ops->watch_cancel(store, w[i]);
	free(w);
	free(wlat);
}

static int rm_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw)
{
	return remove(path);
}

int main(int argc, char **argv)
{
	k8c_host_t host = {
		.struct_size = sizeof(k8c_host_t),
		.abi_major = K8C_ABI_MAJOR, .abi_minor = K8C_ABI_MINOR,
		.core_version = "bench", .log = host_log,
		.log_enabled = host_log_enabled, .now_ns = host_now,
		.monotonic_ns = host_mono, .data_dir = "/tmp",
	};
	char dir[] = "/tmp/k8c-bench-store-XXXXXX", ep[128];
	const char *endpoint = NULL, *config_json = NULL;
	cJSON *config;
	k8c_error_t err;
	void *dl;
	int opt;

	while ((opt = getopt(argc, argv, "t:n:s:w:r:e:c:")) != -1) {
		switch (opt) {
		case 't': threads = atoi(optarg); break;
		case 'n': creates = atol(optarg); break;
		case 's': value_size = atoi(optarg); break;
		case 'w': watchers = atoi(optarg); break;
		case 'r': rate = atol(optarg); break;
		case 'e': endpoint = optarg; break;
		case 'c': config_json = optarg; break;
		default: goto usage;
		}
	}
	if (optind != argc - 1 || threads < 1 || threads > 1024 ||
	    creates < 1 || value_size < 16)
		goto usage;
	dl = dlopen(argv[optind], RTLD_NOW | RTLD_LOCAL);
	if (dl == NULL || (plugin = dlsym(dl, "k8c_plugin")) == NULL) {
		fprintf(stderr, "bench_store: %s\n", dlerror());
		return 1;
	}
	ops = plugin->ops;
	if (endpoint == NULL) {
		if (mkdtemp(dir) == NULL)
			return 1;
		snprintf(ep, sizeof(ep), "sqlite://%s/state.db", dir);
		endpoint = ep;
	}
	value = malloc((size_t)value_size);
	memset(value, 'x', (size_t)value_size);
	revs = calloc((size_t)creates, sizeof(int64_t));
	host.ctx = &host;
	config = config_json != NULL ? cJSON_Parse(config_json)
	                             : cJSON_CreateObject();
	if (config == NULL)
		goto usage;
	if (plugin->init(&host, config, &store, &err) < 0 ||
	    ops->open(store, endpoint, &err) < 0) {
		fprintf(stderr, "bench_store: %s\n", err.message);
		return 1;
	}
	printf("store %s (%s), endpoint %s, %d threads, %d-byte values\n",
	       plugin->name, plugin->version, endpoint, threads, value_size);
	rss("RSS at start:");
	{
		phase_t c = {.name = "create (durable)", .ops = creates,
		             .fn = op_create};
		phase_t g = {.name = "get (latest)", .ops = creates * 2,
		             .fn = op_get};
		phase_t u = {.name = "update (durable, CAS)", .ops = creates,
		             .fn = op_update};
		phase_t p = {.name = "create paced", .ops = rate * 3,
		             .fn = op_create_paced,
		             .interval = 1000000000LL * threads / rate};

		run_phase(&c);
		run_phase(&g);
		run_phase(&u);
		rss("RSS after writes:");
		bench_list();
		bench_watch();
		paced_base = creates;
		printf("paced at %ld creates/s:\n", rate);
		run_phase(&p);
	}
	rss("RSS at end:");
	ops->close(store);
	plugin->fini(store);
	cJSON_Delete(config);
	if (endpoint == ep)
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(value);
	free(revs);
	dlclose(dl);
	return 0;
usage:
	fprintf(stderr, "usage: %s PLUGIN.so [-t threads] [-n creates] "
	                "[-s value-bytes] [-w watchers] [-r rate] "
	                "[-e endpoint] [-c plugin-config-json]\n", argv[0]);
	return 2;
}
