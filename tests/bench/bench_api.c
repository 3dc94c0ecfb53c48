/* API-server benchmark: starts a k8c server (and, as the reference, a
 * single-member etcd behind its v3 JSON gateway) on free loopback ports with
 * fresh data directories, drives each with N keep-alive HTTP/1.1 clients
 * (one thread and one connection per client) and prints a table.
 *
 *   tests/bench/bench_api [-n clients=64] [-c creates=100000] [-g gets=2*creates]
 *       [--quick] [--k8c PATH=./k8c] [--etcd PATH=/usr/bin/etcd] [--no-etcd]
 *       [--no-k8c-on-etcd] [--rate 5000] [--paced-seconds 5] [--list 10000] [--watchers 1000]
 *       [--watch-events 100] [--perf DIR] [--full-server] [--k8c-config FILE]
 *
 * k8c phases: idle RSS; durable pod creates (POST, each 201 acknowledged
 * after the store's fsync) with 64 clients, whose count is also the "stored
 * pods" of the RSS figure; creates paced at --rate; GETs of single pods;
 * LIST of a namespace of --list pods; watch delivery latency to --watchers
 * open ?watch=true streams.  etcd phases: the same create (kv/put) and get
 * (kv/range) loads, a range of --list keys, RSS.  Then k8c on a fresh etcd
 * of its own (--datastore-endpoint): the create, get and LIST loads again,
 * with the etcd process's CPU per request beside k8c's.  Each run stops
 * before the next starts, so they never share the machine.
 *
 * k8c runs as `k8c server --disable-agent --disable-scheduler
 * --disable-controller-manager --disable-cloud-controller` (the API server
 * alone: nothing else acts on 100,000 pending pods) unless --full-server;
 * --k8c-config FILE adds `--config FILE` (plugin settings to compare).
 *
 * Everything lives under one mkdtemp directory in $TMPDIR (default /tmp),
 * removed at exit with the servers stopped, also on failure or a signal.
 * With --perf DIR, `perf record --call-graph dwarf` is attached to the k8c
 * process during the create, paced and get phases (DIR/k8c-create.perf.data,
 * DIR/k8c-get.perf.data); it slows the server, so take figures without it.
 * Not a test: run it on purpose and record the figures (doc/benchmarks.md). */
#include "config.h"

#include "bench_api.h"

/* ---- options --------------------------------------------------------- */

bench_opt_t opt = {
	.clients = 64, .watchers = 1000, .watch_events = 100, .count = 100000,
	.list = 10000, .rate = 5000, .paced_seconds = 5, .k8c = "./k8c",
	.etcd = "/usr/bin/etcd",
};

/* ---- the runs ------------------------------------------------------------ */


static void rss_idle(const target_t *t, figures_t *f)
{
	sleep_ms(1000);
	f->rss_idle_kb = proc_status_num(t->pid, "VmRSS");
	printf("  %-5s idle RSS %ld kB (1 s after start)\n", t->name, f->rss_idle_kb);
}

static void rss_full(const target_t *t, figures_t *f)
{
	sleep_ms(1000);
	f->stored = opt.count;
	f->rss_full_kb = proc_status_num(t->pid, "VmRSS");
	f->hwm_kb = proc_status_num(t->pid, "VmHWM");
	printf("  %-5s RSS with %ld stored objects: %ld kB (high-water %ld kB)\n", t->name,
	       f->stored, f->rss_full_kb, f->hwm_kb);
	fflush(stdout);
}

static char *run_k8c(figures_t *f)
{
	target_t t = {0};
	hconn_t c;
	load_t l;
	pid_t perf;
	char *stored_pod;

	printf("k8c: %s\n", opt.k8c);
	start_k8c(&t, NULL);
	printf("  k8c   serving on 127.0.0.1:%d, data in %s\n", t.port, t.dir);
	f->have = 1;
	rss_idle(&t, f);
	hc_init(&c, t.port);

	memset(&l, 0, sizeof(l));
	l = (load_t){.what = "create", .ns = "default", .prefix = "bench", .t = &t,
	             .count = opt.count, .op = op_k8c_create};
	perf = perf_start(&t, "create");
	load_run(&l, &f->create);
	perf_stop(perf);
	rss_full(&t, f);

	/* what k8c stored for a pod: the value the etcd reference stores */
	if (hc_request(&c, "GET", "/api/v1/namespaces/default/pods/bench-0", NULL, 0) != 200)
		die("GET bench-0: %.200s", c.body);
	stored_pod = strdup(c.body);

	l = (load_t){.what = "paced create", .ns = "default", .prefix = "paced", .t = &t,
	             .count = (long)(opt.rate * opt.paced_seconds), .rate = opt.rate,
	             .op = op_k8c_create};
	perf = perf_start(&t, "paced");
	load_run(&l, &f->paced);
	perf_stop(perf);

	l = (load_t){.what = "get", .ns = "default", .prefix = "bench", .t = &t,
	             .count = opt.gets, .range = opt.count, .op = op_k8c_get};
	perf = perf_start(&t, "get");
	load_run(&l, &f->get);
	perf_stop(perf);

	k8c_namespace(&c, "bench-list");
	l = (load_t){.what = "create (list)", .ns = "bench-list", .prefix = "list", .t = &t,
	             .count = opt.list, .op = op_k8c_create};
	load_run(&l, &f->listfill);
	list_run(&t, &c, "GET", "/api/v1/namespaces/bench-list/pods", NULL, "\"uid\":\"",
	         &f->list);

	if (opt.watchers > 0 && opt.watch_events > 0)
		watch_run(&t, &c, &f->watch);

	hc_free(&c);
	check_alive(&t, "at the end");
	stop_target(&t);
	printf("  k8c   stopped\n\n");
	fflush(stdout);
	return stored_pod;
}

static void run_etcd(figures_t *f, const char *value)
{
	target_t t = {0};
	hconn_t c;
	load_t l;
	char *value_b64 = base64(value, strlen(value));
	char *pfx = base64("/registry/pods/default/", 23), *end = base64("/registry/pods/default0", 23);
	char range[512];

	printf("etcd: %s (reference: kv/put and kv/range through the v3 JSON gateway)\n", opt.etcd);
	start_etcd(&t, "etcd");
	printf("  etcd  serving on 127.0.0.1:%d, data in %s\n", t.port, t.dir);
	f->have = 1;
	rss_idle(&t, f);
	hc_init(&c, t.port);

	l = (load_t){.what = "put", .ns = "default", .prefix = "bench", .t = &t,
	             .count = opt.count, .op = op_etcd_put, .value_b64 = value_b64};
	load_run(&l, &f->create);
	rss_full(&t, f);
	l = (load_t){.what = "paced put", .ns = "default", .prefix = "paced", .t = &t,
	             .count = (long)(opt.rate * opt.paced_seconds), .rate = opt.rate,
	             .op = op_etcd_put, .value_b64 = value_b64};
	load_run(&l, &f->paced);
	l = (load_t){.what = "range (get)", .ns = "default", .prefix = "bench", .t = &t,
	             .count = opt.gets, .range = opt.count, .op = op_etcd_range};
	load_run(&l, &f->get);
	snprintf(range, sizeof(range), "{\"key\":\"%s\",\"range_end\":\"%s\",\"limit\":\"%ld\"}",
	         pfx, end, opt.list);
	list_run(&t, &c, "POST", "/v3/kv/range", range, "\"key\":\"", &f->list);

	hc_free(&c);
	check_alive(&t, "at the end");
	stop_target(&t);
	printf("  etcd  stopped\n\n");
	free(value_b64);
	free(pfx);
	free(end);
}

/* The API server on etcd instead of SQLite: the same create, get and LIST
 * load, with k8c's and etcd's CPU per request apart. */
static void run_k8c_on_etcd(figures_t *f)
{
	target_t e = {0}, t = {0};
	char endpoint[64];
	hconn_t c;
	load_t l;

	printf("k8c on etcd: %s --datastore-endpoint (its own %s)\n", opt.k8c, opt.etcd);
	start_etcd(&e, "etcd-backend");
	snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%d", e.port);
	start_k8c(&t, endpoint);
	t.backend = e.pid;
	printf("  k8c   serving on 127.0.0.1:%d, datastore %s\n", t.port, endpoint);
	f->have = 1;
	rss_idle(&t, f);
	hc_init(&c, t.port);
	l = (load_t){.what = "create", .ns = "default", .prefix = "bench", .t = &t,
	             .count = opt.count, .op = op_k8c_create};
	load_run(&l, &f->create);
	rss_full(&t, f);
	l = (load_t){.what = "get", .ns = "default", .prefix = "bench", .t = &t,
	             .count = opt.gets, .range = opt.count, .op = op_k8c_get};
	load_run(&l, &f->get);
	k8c_namespace(&c, "bench-list");
	l = (load_t){.what = "create (list)", .ns = "bench-list", .prefix = "list", .t = &t,
	             .count = opt.list, .op = op_k8c_create};
	load_run(&l, &f->listfill);
	list_run(&t, &c, "GET", "/api/v1/namespaces/bench-list/pods", NULL, "\"uid\":\"",
	         &f->list);
	hc_free(&c);
	check_alive(&t, "at the end");
	stop_target(&t);
	stop_target(&e);
	printf("  k8c and its etcd stopped\n\n");
	fflush(stdout);
}

/* The stores side by side: k8c on SQLite, k8c on etcd, etcd's own rate
 * (the floor under k8c on etcd). */
static void print_store_table(const figures_t *k, const figures_t *ke, const figures_t *e)
{
	char a[32], b[32], c[32];

	printf("\n| measure | k8c on SQLite | k8c on etcd | etcd alone (floor) |\n");
	printf("|---|---|---|---|\n");
	printf("| durable creates/s, %d clients | %s | %s | %s (kv/put) |\n", opt.clients,
	       fmt_int(a, sizeof(a), (long)k->create.per_s), fmt_int(b, sizeof(b), (long)ke->create.per_s),
	       fmt_int(c, sizeof(c), (long)e->create.per_s));
	printf("| create p50 / p99 (ms) | %.2f / %.2f | %.2f / %.2f | %.2f / %.2f |\n", k->create.p50,
	       k->create.p99, ke->create.p50, ke->create.p99, e->create.p50, e->create.p99);
	printf("| GETs/s | %s | %s | %s (kv/range) |\n", fmt_int(a, sizeof(a), (long)k->get.per_s),
	       fmt_int(b, sizeof(b), (long)ke->get.per_s), fmt_int(c, sizeof(c), (long)e->get.per_s));
	printf("| get p50 / p99 (ms) | %.2f / %.2f | %.2f / %.2f | %.2f / %.2f |\n", k->get.p50,
	       k->get.p99, ke->get.p50, ke->get.p99, e->get.p50, e->get.p99);
	printf("| LIST of %s pods, median ms | %.1f | %.1f | %.1f (range) |\n",
	       fmt_int(a, sizeof(a), k->list.items), k->list.median_ms, ke->list.median_ms,
	       e->list.median_ms);
	printf("| CPU per create: k8c + etcd (us) | %.0f | %.0f + %.0f | %.0f |\n",
	       k->create.srv_cpu_us, ke->create.srv_cpu_us, ke->create.be_cpu_us, e->create.srv_cpu_us);
	printf("| CPU per get: k8c + etcd (us) | %.0f | %.0f + %.0f | %.0f |\n", k->get.srv_cpu_us,
	       ke->get.srv_cpu_us, ke->get.be_cpu_us, e->get.srv_cpu_us);
	printf("| k8c RSS idle / with %s pods (MB) | %.1f / %.1f | %.1f / %.1f | - |\n",
	       fmt_int(a, sizeof(a), k->stored), (double)k->rss_idle_kb / 1024.0,
	       (double)k->rss_full_kb / 1024.0, (double)ke->rss_idle_kb / 1024.0,
	       (double)ke->rss_full_kb / 1024.0);
}

/* ---- the table --------------------------------------------------------- */

static const char *verdict(int have, int ok)
{
	return !have ? "" : ok ? "met" : "**missed**";
}

/* One Markdown row; the etcd cell is "-" when etcd was not run. */
__attribute__((format(printf, 6, 7))) static void row(const figures_t *e, const char *label,
                                                       const char *k8c, const char *target,
                                                       const char *met, const char *etcd_fmt,
                                                       ...)
{
	char ev[128] = "-";
	va_list ap;

	if (e->have && etcd_fmt != NULL) {
		va_start(ap, etcd_fmt);
		vsnprintf(ev, sizeof(ev), etcd_fmt, ap);
		va_end(ap);
	}
	printf("| %s | %s | %s | %s | %s |\n", label, k8c, ev, target, met);
}

static void print_table(const figures_t *k, const figures_t *e)
{
	char l[160], v[160], a[32], b[32], c[32];

	printf("| measure | k8c | etcd 3.4 (v3 JSON gateway) | target | k8c |\n");
	printf("|---|---|---|---|---|\n");
	snprintf(l, sizeof(l), "durable creates/s, %d clients", opt.clients);
	row(e, l, fmt_int(v, sizeof(v), (long)k->create.per_s), ">= 10,000",
	    verdict(k->create.have, k->create.per_s >= 10000), "%s",
	    fmt_int(a, sizeof(a), (long)e->create.per_s));
	snprintf(v, sizeof(v), "%.2f / %.2f", k->create.p50, k->create.p99);
	row(e, "create latency p50 / p99 (ms)", v, "", "", "%.2f / %.2f", e->create.p50,
	    e->create.p99);
	snprintf(l, sizeof(l), "create p99 at a paced %s creates/s (ms)",
	         fmt_int(a, sizeof(a), (long)opt.rate));
	snprintf(v, sizeof(v), "%.2f", k->paced.p99);
	row(e, l, v, "<= 20", verdict(k->paced.have, k->paced.p99 <= 20), "%.2f", e->paced.p99);
	snprintf(v, sizeof(v), "%s/s; %.2f", fmt_int(a, sizeof(a), (long)k->paced.per_s),
	         k->paced.sp99);
	row(e, "paced: achieved rate; p99 from the schedule (ms)", v, "", "", "%s/s; %.2f",
	    fmt_int(b, sizeof(b), (long)e->paced.per_s), e->paced.sp99);
	snprintf(l, sizeof(l), "GETs/s of single pods, %d clients", opt.clients);
	row(e, l, fmt_int(v, sizeof(v), (long)k->get.per_s), ">= 30,000",
	    verdict(k->get.have, k->get.per_s >= 30000), "%s",
	    fmt_int(a, sizeof(a), (long)e->get.per_s));
	snprintf(v, sizeof(v), "%.2f / %.2f", k->get.p50, k->get.p99);
	row(e, "get latency p50 / p99 (ms)", v, "", "", "%.2f / %.2f", e->get.p50, e->get.p99);
	snprintf(l, sizeof(l), "LIST of %s pods: median (first) ms; bytes",
	         fmt_int(a, sizeof(a), k->list.items));
	snprintf(v, sizeof(v), "%.1f (%.1f); %s", k->list.median_ms, k->list.first_ms,
	         fmt_int(b, sizeof(b), k->list.bytes));
	row(e, l, v, "", "", "%.1f (%.1f); %s (range of %s keys)", e->list.median_ms,
	    e->list.first_ms, fmt_int(b, sizeof(b), e->list.bytes),
	    fmt_int(c, sizeof(c), e->list.items));
	if (k->watch.have) {
		snprintf(l, sizeof(l), "watch delivery to %s watchers p50 / p99 (ms)",
		         fmt_int(a, sizeof(a), k->watch.open));
		snprintf(v, sizeof(v), "%.2f / %.2f (%s of %s events)", k->watch.p50, k->watch.p99,
		         fmt_int(b, sizeof(b), k->watch.events),
		         fmt_int(c, sizeof(c), k->watch.expected));
		row(e, l, v, "p99 <= 50", verdict(1, k->watch.p99 <= 50 && k->watch.missed == 0),
		    NULL);
	}
	snprintf(v, sizeof(v), "%.1f", (double)k->rss_idle_kb / 1024.0);
	row(e, "idle RSS after start (MB)", v, "<= 20",
	    verdict(k->have, k->rss_idle_kb <= 20 * 1024), "%.1f",
	    (double)e->rss_idle_kb / 1024.0);
	snprintf(l, sizeof(l), "RSS with %s stored pods (MB); high-water",
	         fmt_int(a, sizeof(a), k->stored));
	snprintf(v, sizeof(v), "%.1f; %.1f", (double)k->rss_full_kb / 1024.0,
	         (double)k->hwm_kb / 1024.0);
	row(e, l, v, "", "", "%.1f; %.1f", (double)e->rss_full_kb / 1024.0,
	    (double)e->hwm_kb / 1024.0);
	snprintf(l, sizeof(l), "time to create those %s pods (s)", a);
	snprintf(v, sizeof(v), "%.1f", k->create.secs);
	row(e, l, v, "", "", "%.1f", e->create.secs);
	snprintf(v, sizeof(v), "%.0f / %.0f", k->create.srv_cpu_us, k->get.srv_cpu_us);
	row(e, "server CPU per create / per get (us)", v, "", "", "%.0f / %.0f",
	    e->create.srv_cpu_us, e->get.srv_cpu_us);
	snprintf(v, sizeof(v), "%.1f / %.1f", k->create.srv_ctx, k->get.srv_ctx);
	row(e, "server context switches per create / per get", v, "", "", "%.1f / %.1f",
	    e->create.srv_ctx, e->get.srv_ctx);
	if (k->watch.have) {
		snprintf(l, sizeof(l), "server with %s idle watches: CPU; RSS (MB, before); threads",
		         fmt_int(a, sizeof(a), k->watch.open));
		snprintf(v, sizeof(v), "%.1f%% of a core; %.1f (%.1f); %ld", k->watch.idle_cpu_pct,
		         (double)k->watch.rss_open_kb / 1024.0,
		         (double)k->watch.rss_before_kb / 1024.0, k->watch.threads_open);
		row(e, l, v, "", "", NULL);
	}
	snprintf(v, sizeof(v), "%.0f / %.0f", k->create.others_pct, k->get.others_pct);
	row(e, "other processes' CPU during create / get (% of a core)", v, "", "", "%.0f / %.0f",
	    e->create.others_pct, e->get.others_pct);
}

/* ---- main ---------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
	        "Usage: bench_api [-n CLIENTS] [-c CREATES] [-g GETS] [--quick] [--k8c PATH]\n"
	        "                 [--etcd PATH] [--no-etcd] [--no-k8c-on-etcd] [--rate N]\n"
	        "                 [--paced-seconds S]\n"
	        "                 [--list N] [--watchers N] [--watch-events N] [--perf DIR]\n"
	        "                 [--full-server] [--k8c-config FILE]\n"
	        "Starts k8c (and etcd as the reference) on free loopback ports with fresh\n"
	        "data directories and measures creates, paced creates, gets, a LIST, watch\n"
	        "delivery and RSS.  Defaults: 64 clients, 100,000 creates, 2x gets, 5,000/s\n"
	        "paced for 5 s, LIST of 10,000, 1,000 watchers x 100 events.  Then k8c on\n"
	        "its own etcd (--datastore-endpoint) with the same create, get and LIST load,\n"
	        "k8c's and etcd's CPU per request apart (--no-k8c-on-etcd skips it).\n");
}

static void parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"clients", required_argument, NULL, 'n'},
		{"count", required_argument, NULL, 'c'},
		{"gets", required_argument, NULL, 'g'},
		{"quick", no_argument, NULL, 'q'},
		{"k8c", required_argument, NULL, 'K'},
		{"etcd", required_argument, NULL, 'E'},
		{"no-etcd", no_argument, NULL, 'N'},
		{"no-k8c-on-etcd", no_argument, NULL, 'B'},
		{"rate", required_argument, NULL, 'r'},
		{"paced-seconds", required_argument, NULL, 's'},
		{"list", required_argument, NULL, 'l'},
		{"watchers", required_argument, NULL, 'w'},
		{"watch-events", required_argument, NULL, 'e'},
		{"perf", required_argument, NULL, 'P'},
		{"full-server", no_argument, NULL, 'F'},
		{"k8c-config", required_argument, NULL, 'C'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int ch, quick = 0;

	opt.gets = -1;
	while ((ch = getopt_long(argc, argv, "n:c:g:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n': opt.clients = atoi(optarg); break;
		case 'c': opt.count = atol(optarg); break;
		case 'g': opt.gets = atol(optarg); break;
		case 'q': quick = 1; break;
		case 'K': opt.k8c = optarg; break;
		case 'E': opt.etcd = optarg; break;
		case 'N': opt.no_etcd = 1; break;
		case 'B': opt.no_k8c_etcd = 1; break;
		case 'r': opt.rate = atof(optarg); break;
		case 's': opt.paced_seconds = atof(optarg); break;
		case 'l': opt.list = atol(optarg); break;
		case 'w': opt.watchers = atoi(optarg); break;
		case 'e': opt.watch_events = atoi(optarg); break;
		case 'P': opt.perf_dir = optarg; break;
		case 'F': opt.full_server = 1; break;
		case 'C': opt.k8c_config = optarg; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind != argc) {
		usage(stderr);
		exit(2);
	}
	if (quick) { /* a smoke run: small counts unless given explicitly */
		opt.count = opt.count == 100000 ? 5000 : opt.count;
		opt.list = opt.list == 10000 ? 1000 : opt.list;
		opt.watchers = opt.watchers == 1000 ? 100 : opt.watchers;
		opt.watch_events = opt.watch_events == 100 ? 10 : opt.watch_events;
		opt.paced_seconds = opt.paced_seconds == 5 ? 1 : opt.paced_seconds;
	}
	if (opt.gets < 0)
		opt.gets = 2 * opt.count;
	if (opt.clients < 1 || opt.count < 1 || opt.gets < 1 || opt.list < 1 || opt.rate <= 0 ||
	    opt.paced_seconds <= 0 || opt.watchers < 0 || opt.watch_events < 0)
		die("counts must be positive (see --help)");
}

static void setup_env(void)
{
	struct rlimit rl;
	char dir[PATH_MAX], *slash;
	const char *tmp = getenv("TMPDIR");
	struct sigaction sa = {.sa_handler = on_signal};

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max; /* 1,000 watches need more than 1,024 fds */
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (access(opt.k8c, X_OK) != 0)
		die("%s: not an executable (--k8c PATH)", opt.k8c);
	if (getenv("K8C_BUILTIN_PLUGIN_DIR") == NULL) { /* running from the build tree */
		snprintf(dir, sizeof(dir), "%s", opt.k8c);
		slash = strrchr(dir, '/');
		snprintf(slash ? slash + 1 : dir, sizeof(dir) - (size_t)(slash ? slash + 1 - dir : 0),
		         "plugins/.libs");
		if (access(dir, R_OK) == 0)
			setenv("K8C_BUILTIN_PLUGIN_DIR", dir, 1);
	}
	if (!opt.no_etcd && access(opt.etcd, X_OK) != 0)
		die("%s: not an executable (--etcd PATH, or --no-etcd)", opt.etcd);
	snprintf(tmp_root, sizeof(tmp_root), "%s/bench-api-XXXXXX", tmp ? tmp : "/tmp");
	if (mkdtemp(tmp_root) == NULL) {
		tmp_root[0] = '\0';
		die("mkdtemp: %s", strerror(errno));
	}
	atexit(cleanup);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void first_line(const char *cmd, char *out, size_t n)
{
	FILE *p = popen(cmd, "r");

	out[0] = '\0';
	if (p != NULL) {
		if (fgets(out, (int)n, p) != NULL)
			out[strcspn(out, "\n")] = '\0';
		pclose(p);
	}
}

static void print_header(int argc, char **argv)
{
	struct stat sb;
	char built[64] = "?";
	char cpu[256] = "", line[256], kv[256], ev[256], cmd[PATH_MAX + 64];
	FILE *f = fopen("/proc/cpuinfo", "r");
	time_t now = time(NULL);
	struct tm tm;

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "model name", 10) == 0) {
			snprintf(cpu, sizeof(cpu), "%s", strchr(line, ':') + 2);
			cpu[strcspn(cpu, "\n")] = '\0';
			break;
		}
	if (f != NULL)
		fclose(f);
	snprintf(cmd, sizeof(cmd), "'%s' version 2>/dev/null", opt.k8c);
	first_line(cmd, kv, sizeof(kv));
	snprintf(cmd, sizeof(cmd), "'%s' --version 2>/dev/null", opt.etcd);
	if (!opt.no_etcd)
		first_line(cmd, ev, sizeof(ev));
	else
		snprintf(ev, sizeof(ev), "(not run)");
	if (stat(opt.k8c, &sb) == 0) {
		gmtime_r(&sb.st_mtime, &tm);
		strftime(built, sizeof(built), "%Y-%m-%d %H:%M:%S UTC", &tm);
	}
	gmtime_r(&now, &tm);
	strftime(line, sizeof(line), "%Y-%m-%d %H:%M UTC", &tm);
	printf("bench_api: %s; %ld CPUs (%s); %s (binary built %s); %s\ncommand:", line,
	       sysconf(_SC_NPROCESSORS_ONLN), cpu, kv, built, ev);
	for (int i = 0; i < argc; i++)
		printf(" %s", argv[i]);
	printf("\n");
	printf("clients %d, creates %ld, gets %ld, paced %.0f/s for %.0f s, LIST %ld, "
	       "watchers %d x %d events; data under %s\n\n",
	       opt.clients, opt.count, opt.gets, opt.rate, opt.paced_seconds, opt.list,
	       opt.watchers, opt.watch_events, tmp_root);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	figures_t k8c = {0}, etcd = {0}, k8c_etcd = {0};
	char *stored_pod;

	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_args(argc, argv);
	setup_env();
	print_header(argc, argv);
	stored_pod = run_k8c(&k8c);
	if (!opt.no_etcd)
		run_etcd(&etcd, stored_pod);
	if (!opt.no_etcd && !opt.no_k8c_etcd)
		run_k8c_on_etcd(&k8c_etcd);
	free(stored_pod);
	print_table(&k8c, &etcd);
	if (k8c_etcd.have)
		print_store_table(&k8c, &k8c_etcd, &etcd);
	return 0;
}
