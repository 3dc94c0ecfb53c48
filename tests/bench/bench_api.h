/* tests/bench/bench_api: what its files share (see bench_api.c). */
#ifndef K8C_BENCH_API_H
#define K8C_BENCH_API_H

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NS_PER_MS 1000000.0
#define WATCH_THREADS 2 /* epoll threads reading the watch streams */
#define POD_FMT                                                                           \
	"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"%s-%ld\","      \
	"\"namespace\":\"%s\",\"labels\":{\"app\":\"bench\",\"tier\":\"web\","            \
	"\"shard\":\"s%ld\"},\"annotations\":{\"bench.k8c.io/run\":\"api\"}},"             \
	"\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"nginx:1.25.3\","         \
	"\"ports\":[{\"name\":\"http\",\"containerPort\":80}],"                           \
	"\"env\":[{\"name\":\"MODE\",\"value\":\"bench\"}],"                              \
	"\"resources\":{\"requests\":{\"cpu\":\"100m\",\"memory\":\"64Mi\"},"             \
	"\"limits\":{\"cpu\":\"500m\",\"memory\":\"128Mi\"}},"                            \
	"\"readinessProbe\":{\"httpGet\":{\"path\":\"/healthz\",\"port\":80},"            \
	"\"periodSeconds\":5}}],\"restartPolicy\":\"Always\"}}"

typedef struct bench_opt {
	int clients, watchers, watch_events, no_etcd, no_k8c_etcd, full_server;
	long count, gets, list;
	double rate, paced_seconds;
	const char *k8c, *etcd, *perf_dir, *k8c_config;
} bench_opt_t;

typedef struct ctxsnap {
	long n;
	long *tid, *count;
} ctxsnap_t;

typedef struct hconn {
	int fd, port;
	char *in;            /* received bytes; unparsed ones are [in_off, in_len) */
	size_t in_off, in_len, in_cap;
	char *out;
	size_t out_cap;
	char *body;          /* the last response's body, NUL-terminated */
	size_t body_len, body_cap;
} hconn_t;

typedef struct target {
	const char *name;
	pid_t pid;
	pid_t backend; /* k8c's etcd when it runs on one (its CPU is counted apart) */
	int port;
	char dir[PATH_MAX + 16], log[PATH_MAX + 16];
} target_t;

typedef struct load load_t;

typedef int (*op_fn)(load_t *l, hconn_t *c, long i, char *scratch, size_t scratch_len);

struct load {
	const char *what, *ns, *prefix;
	const target_t *t;
	long count, range;    /* operations; names 0..range-1 for reads */
	double rate;          /* operations/s, or 0 for as fast as possible */
	op_fn op;
	const char *value_b64;
	int64_t *lat, *lat_sched;
	int64_t t0;
	atomic_long next, errors;
	pthread_barrier_t start, end, sampled;
	pthread_mutex_t err_lock;
	char first_err[300];
};

typedef struct lstats {
	long ok, errors;
	double secs, per_s;
	double p50, p99, p999, max;   /* ms, from sending the request */
	double sp50, sp99;            /* ms, from the scheduled time (paced) */
	double srv_cpu_us, srv_ctx, cli_cpu_us;   /* per operation */
	double be_cpu_us;     /* the server's etcd, per operation (k8c on etcd) */
	double others_pct;    /* CPU of other processes, % of one core, during the phase */
	int have;
} lstats_t;

typedef struct liststats {
	double first_ms, median_ms, min_ms;
	long bytes, items;
	int have;
} liststats_t;

typedef struct wconn {
	int fd, idx, hdr_done, state, ended; /* state: 0 chunk size, 1 data, 2 CRLF */
	size_t chunk_left;
	char *raw, *line;
	size_t raw_len, raw_cap, line_len, line_cap;
} wconn_t;

typedef struct watchrun {
	wconn_t *w;
	int n, nev;
	int64_t *recv;              /* [watcher * nev + event], 0 = not seen */
	atomic_int headers, bad, ended;
	atomic_long events, stray;
	atomic_int stop;
	int epfd[WATCH_THREADS];
} watchrun_t;

typedef struct watchstats {
	int have, open;
	long events, expected, missed;
	double p50, p99, max, send_p50, send_p99, idle_cpu_pct, setup_s;
	long threads_open, rss_open_kb, rss_before_kb;
} watchstats_t;

typedef struct wreader {
	watchrun_t *wr;
	int epfd;
} wreader_t;

typedef struct figures {
	int have;
	lstats_t create, paced, get, listfill;
	liststats_t list;
	watchstats_t watch;
	long rss_idle_kb, rss_full_kb, hwm_kb, stored;
} figures_t;

extern char tmp_root[PATH_MAX];
extern bench_opt_t opt;

void hc_init(hconn_t *c, int port);
void hc_close(hconn_t *c);
void hc_free(hconn_t *c);
int tcp_connect(int port);
int write_all(int fd, const char *p, size_t n);
int hc_request(hconn_t *c, const char *method, const char *path, const char *body, size_t blen);
void check_alive(const target_t *t, const char *when);
void start_k8c(target_t *t, const char *endpoint);
void start_etcd(target_t *t, const char *name);
void stop_target(target_t *t);
pid_t perf_start(const target_t *t, const char *phase);
void perf_stop(pid_t p);
int cmp_i64(const void *a, const void *b);
double pct_ms(const int64_t *v, size_t n, double p);
void load_run(load_t *l, lstats_t *st);
int op_k8c_create(load_t *l, hconn_t *c, long i, char *s, size_t sn);
int op_k8c_get(load_t *l, hconn_t *c, long i, char *s, size_t sn);
int op_etcd_put(load_t *l, hconn_t *c, long i, char *s, size_t sn);
int op_etcd_range(load_t *l, hconn_t *c, long i, char *s, size_t sn);
void list_run(const target_t *t, hconn_t *c, const char *method, const char *path, const char *body, const char *item_marker, liststats_t *ls);
/* Print "bench_api: MESSAGE" and exit 1 (after the cleanup handler). */
__attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...);
int64_t now_ns(void);
void sleep_until(int64_t t);
void sleep_ms(int ms);
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
const char *fmt_int(char *buf, size_t n, long v);
uint64_t mix64(uint64_t x);
char *base64(const char *s, size_t n);
long count_substr(const char *s, size_t n, const char *needle);
pid_t spawn(char *const argv[], const char *log_path);
int alive(pid_t pid);
void stop_child(pid_t pid, int sig, int timeout_ms);
void cleanup(void);
void on_signal(int sig);
int free_port(void);
long proc_status_num(pid_t pid, const char *field);
double proc_cpu_s(pid_t pid);
void ctx_snapshot(pid_t pid, ctxsnap_t *s);
long ctx_growth(ctxsnap_t *before, ctxsnap_t *after);
double machine_busy_s(void);
double self_cpu_s(void);
void k8c_namespace(hconn_t *c, const char *name);
void watch_run(const target_t *t, hconn_t *c, watchstats_t *ws);

#endif
