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

/* ---- options --------------------------------------------------------- */

static struct {
	int clients, watchers, watch_events, no_etcd, no_k8c_etcd, full_server;
	long count, gets, list;
	double rate, paced_seconds;
	const char *k8c, *etcd, *perf_dir, *k8c_config;
} opt = {
	.clients = 64, .watchers = 1000, .watch_events = 100, .count = 100000,
	.list = 10000, .rate = 5000, .paced_seconds = 5, .k8c = "./k8c",
	.etcd = "/usr/bin/etcd",
};

/* ---- small helpers --------------------------------------------------- */

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_until(int64_t t)
{
	struct timespec ts = {.tv_sec = t / 1000000000LL, .tv_nsec = t % 1000000000LL};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static void sleep_ms(int ms)
{
	sleep_until(now_ns() + (int64_t)ms * 1000000LL);
}

__attribute__((noreturn, format(printf, 1, 2))) static void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("bench_api: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		die("out of memory");
	return p;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (p == NULL)
		die("out of memory");
	return p;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (p == NULL)
		die("out of memory");
	return p;
}

static const char *fmt_int(char *buf, size_t n, long v)
{
	char tmp[32];
	int len = snprintf(tmp, sizeof(tmp), "%ld", v < 0 ? -v : v), o = 0;

	if (v < 0 && (size_t)o + 1 < n)
		buf[o++] = '-';
	for (int i = 0; i < len && (size_t)o + 2 < n; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static char *base64(const char *s, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = xmalloc((n + 2) / 3 * 4 + 1), *o = out;
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)u[i] << 16 | (i + 1 < n ? (uint32_t)u[i + 1] << 8 : 0) |
		             (i + 2 < n ? u[i + 2] : 0);
		*o++ = tab[v >> 18 & 63];
		*o++ = tab[v >> 12 & 63];
		*o++ = i + 1 < n ? tab[v >> 6 & 63] : '=';
		*o++ = i + 2 < n ? tab[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

static long count_substr(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	long c = 0;
	const char *p = s, *end = s + n;

	while ((p = memmem(p, (size_t)(end - p), needle, k)) != NULL) {
		c++;
		p += k;
	}
	return c;
}

/* ---- child processes and the temporary directory --------------------- */

#define MAX_CHILDREN 8
static volatile pid_t children[MAX_CHILDREN];
static char tmp_root[PATH_MAX];

static void rm_rf(const char *path)
{
	char *const argv[] = {"rm", "-rf", "--", (char *)path, NULL};
	char *const envp[] = {NULL};
	pid_t pid = fork();

	if (pid == 0) {
		execve("/bin/rm", argv, envp);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
}

static pid_t spawn(char *const argv[], const char *log_path)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int null = open("/dev/null", O_RDONLY);
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the benchmark */
		if (getppid() == 1)
			_exit(1);
		if (fd < 0 || null < 0)
			_exit(126);
		dup2(null, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		execv(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (children[i] == 0) {
			children[i] = pid;
			break;
		}
	return pid;
}

static int alive(pid_t pid)
{
	return waitpid(pid, NULL, WNOHANG) == 0;
}

/* Signal pid, wait up to timeout_ms for it, then SIGKILL it. */
static void stop_child(pid_t pid, int sig, int timeout_ms)
{
	int64_t deadline = now_ns() + (int64_t)timeout_ms * 1000000LL;
	int gone = 0;

	if (pid <= 0)
		return;
	kill(pid, sig);
	while (!gone && now_ns() < deadline) {
		pid_t r = waitpid(pid, NULL, WNOHANG);
		gone = r == pid || (r < 0 && errno == ECHILD);
		if (!gone)
			sleep_ms(20);
	}
	if (!gone) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (children[i] == pid)
			children[i] = 0;
}

static void cleanup(void)
{
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (children[i] > 0)
			stop_child(children[i], SIGTERM, 10000);
	if (tmp_root[0] != '\0')
		rm_rf(tmp_root);
	tmp_root[0] = '\0';
}

/* Only async-signal-safe calls: kill, waitpid, fork, execve, _exit. */
static void on_signal(int sig)
{
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (children[i] > 0) {
			kill(children[i], SIGKILL);
			waitpid(children[i], NULL, 0);
		}
	if (tmp_root[0] != '\0')
		rm_rf(tmp_root);
	_exit(128 + sig);
}

static int free_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		die("cannot find a free port: %s", strerror(errno));
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

/* ---- /proc figures ---------------------------------------------------- */

static long proc_status_num(pid_t pid, const char *field)
{
	char path[64], line[256];
	size_t k = strlen(field);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, k) == 0 && line[k] == ':') {
			v = strtol(line + k + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* user + system CPU seconds of a whole process */
static double proc_cpu_s(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL) /* comm may contain spaces */
		return 0;
	/* after ") ": state(3) ... utime(14) stime(15) */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return 0;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* Context switches of each live thread of a process.  A phase's figure is
 * the growth of the threads alive at its end (threads of the previous
 * phase's connections may still be exiting when it starts). */
typedef struct ctxsnap {
	long n;
	long *tid, *count;
} ctxsnap_t;

static void ctx_snapshot(pid_t pid, ctxsnap_t *s)
{
	char path[64];
	DIR *d;
	struct dirent *e;
	long cap = 256;

	s->n = 0;
	s->tid = xmalloc((size_t)cap * sizeof(long));
	s->count = xmalloc((size_t)cap * sizeof(long));
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if ((d = opendir(path)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char sp[PATH_MAX], line[128];
		long total = 0;
		FILE *f;
		if (e->d_name[0] == '.')
			continue;
		snprintf(sp, sizeof(sp), "%s/%s/status", path, e->d_name);
		if ((f = fopen(sp, "r")) == NULL)
			continue;
		while (fgets(line, sizeof(line), f) != NULL)
			if (strncmp(line, "voluntary_ctxt_switches:", 24) == 0 ||
			    strncmp(line, "nonvoluntary_ctxt_switches:", 27) == 0)
				total += strtol(strchr(line, ':') + 1, NULL, 10);
		fclose(f);
		if (s->n == cap) {
			cap *= 2;
			s->tid = xrealloc(s->tid, (size_t)cap * sizeof(long));
			s->count = xrealloc(s->count, (size_t)cap * sizeof(long));
		}
		s->tid[s->n] = atol(e->d_name);
		s->count[s->n++] = total;
	}
	closedir(d);
}

static long ctx_growth(ctxsnap_t *before, ctxsnap_t *after)
{
	long total = 0;

	for (long i = 0; i < after->n; i++) {
		long was = 0;
		for (long j = 0; j < before->n; j++)
			if (before->tid[j] == after->tid[i]) {
				was = before->count[j];
				break;
			}
		total += after->count[i] - was;
	}
	free(before->tid);
	free(before->count);
	free(after->tid);
	free(after->count);
	return total;
}

/* busy CPU seconds of the whole machine, all processes (from /proc/stat) */
static double machine_busy_s(void)
{
	unsigned long long v[8] = {0};
	FILE *f = fopen("/proc/stat", "r");
	int n = 0;

	if (f != NULL) {
		n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
		           &v[3], &v[4], &v[5], &v[6], &v[7]);
		fclose(f);
	}
	if (n != 8)
		return 0;
	/* user nice system [idle iowait] irq softirq steal */
	return (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / (double)sysconf(_SC_CLK_TCK);
}

static double self_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* ---- a small keep-alive HTTP/1.1 client -------------------------------- */

typedef struct hconn {
	int fd, port;
	char *in;            /* received bytes; unparsed ones are [in_off, in_len) */
	size_t in_off, in_len, in_cap;
	char *out;
	size_t out_cap;
	char *body;          /* the last response's body, NUL-terminated */
	size_t body_len, body_cap;
} hconn_t;

static void hc_init(hconn_t *c, int port)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->port = port;
	c->in_cap = c->out_cap = c->body_cap = 16384;
	c->in = xmalloc(c->in_cap);
	c->out = xmalloc(c->out_cap);
	c->body = xmalloc(c->body_cap);
}

static void hc_close(hconn_t *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->in_off = c->in_len = 0;
}

static void hc_free(hconn_t *c)
{
	hc_close(c);
	free(c->in);
	free(c->out);
	free(c->body);
}

static int tcp_connect(int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read more bytes; returns -1 on EOF or error. */
static int hc_fill(hconn_t *c)
{
	ssize_t n;

	if (c->in_off == c->in_len)
		c->in_off = c->in_len = 0;
	if (c->in_cap - c->in_len < 4096) {
		memmove(c->in, c->in + c->in_off, c->in_len - c->in_off);
		c->in_len -= c->in_off;
		c->in_off = 0;
		if (c->in_cap - c->in_len < 4096) {
			c->in_cap *= 2;
			c->in = xrealloc(c->in, c->in_cap);
		}
	}
	do
		n = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1;
	c->in_len += (size_t)n;
	return 0;
}

/* Offset of the next CRLF at or after in_off (reading as needed), or -1. */
static long hc_crlf(hconn_t *c)
{
	size_t done = 0; /* bytes after in_off already searched (hc_fill may move data) */

	for (;;) {
		size_t avail = c->in_len - c->in_off;
		char *p = memmem(c->in + c->in_off + done, avail - done, "\r\n", 2);
		if (p != NULL)
			return p - c->in;
		done = avail > 0 ? avail - 1 : 0;
		if (hc_fill(c) < 0)
			return -1;
	}
}

static int hc_need(hconn_t *c, size_t n)
{
	while (c->in_len - c->in_off < n)
		if (hc_fill(c) < 0)
			return -1;
	return 0;
}

static void hc_body_append(hconn_t *c, const char *p, size_t n)
{
	if (c->body_len + n + 1 > c->body_cap) {
		while (c->body_len + n + 1 > c->body_cap)
			c->body_cap *= 2;
		c->body = xrealloc(c->body, c->body_cap);
	}
	memcpy(c->body + c->body_len, p, n);
	c->body_len += n;
	c->body[c->body_len] = '\0';
}

static int hc_read_chunked(hconn_t *c)
{
	for (;;) {
		long crlf = hc_crlf(c);
		size_t size;
		if (crlf < 0)
			return -1;
		size = strtoul(c->in + c->in_off, NULL, 16);
		c->in_off = (size_t)crlf + 2;
		if (size == 0) { /* trailers up to an empty line */
			while ((crlf = hc_crlf(c)) >= 0 && (size_t)crlf != c->in_off)
				c->in_off = (size_t)crlf + 2;
			if (crlf < 0)
				return -1;
			c->in_off += 2;
			return 0;
		}
		if (hc_need(c, size + 2) < 0)
			return -1;
		hc_body_append(c, c->in + c->in_off, size);
		c->in_off += size + 2;
	}
}

/* Parse the status line and headers; returns the status or -1. */
static int hc_read_head(hconn_t *c, long *clen, int *chunked, int *close_after)
{
	size_t end_off = 0, done = 0;
	const char *p, *end;
	int status;

	for (;;) {
		size_t avail = c->in_len - c->in_off;
		const char *e = memmem(c->in + c->in_off + done, avail - done, "\r\n\r\n", 4);
		if (e != NULL) {
			end_off = (size_t)(e - c->in) + 4;
			break;
		}
		done = avail > 3 ? avail - 3 : 0;
		if (hc_fill(c) < 0)
			return -1;
	}
	p = c->in + c->in_off;
	end = c->in + end_off;
	if (end - p < 12 || strncmp(p, "HTTP/1.", 7) != 0)
		return -1;
	status = atoi(p + 9);
	*clen = -1;
	*chunked = 0;
	*close_after = p[7] == '0';
	while ((p = memmem(p, (size_t)(end - p), "\r\n", 2)) != NULL && p + 2 < end) {
		const char *line = p + 2, *eol = memmem(line, (size_t)(end - line), "\r\n", 2);
		size_t n = (size_t)(eol - line);
		if (n > 15 && strncasecmp(line, "content-length:", 15) == 0)
			*clen = strtol(line + 15, NULL, 10);
		else if (n > 18 && strncasecmp(line, "transfer-encoding:", 18) == 0)
			*chunked = memmem(line, n, "chunked", 7) != NULL;
		else if (n > 11 && strncasecmp(line, "connection:", 11) == 0)
			*close_after = memmem(line, n, "close", 5) != NULL;
		p = eol;
	}
	c->in_off = end_off;
	return status;
}

/* One request/response exchange.  Returns the HTTP status (body in
 * c->body) or -1 on a connection failure (then the connection is closed
 * and the next call reconnects). */
static int hc_request(hconn_t *c, const char *method, const char *path, const char *body,
                      size_t blen)
{
	size_t need = strlen(path) + blen + 256;
	long clen;
	int n, status, chunked, close_after;

	if (c->fd < 0 && (c->fd = tcp_connect(c->port)) < 0)
		return -1;
	if (need > c->out_cap) {
		c->out_cap = need;
		c->out = xrealloc(c->out, need);
	}
	if (body != NULL)
		n = snprintf(c->out, c->out_cap,
		             "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUser-Agent: k8c-bench-api\r\n"
		             "Accept: application/json\r\nContent-Type: application/json\r\n"
		             "Content-Length: %zu\r\n\r\n",
		             method, path, c->port, blen);
	else
		n = snprintf(c->out, c->out_cap,
		             "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUser-Agent: k8c-bench-api\r\n"
		             "Accept: application/json\r\n\r\n",
		             method, path, c->port);
	if (body != NULL)
		memcpy(c->out + n, body, blen);
	c->body_len = 0;
	c->body[0] = '\0';
	if (write_all(c->fd, c->out, (size_t)n + (body ? blen : 0)) < 0 ||
	    (status = hc_read_head(c, &clen, &chunked, &close_after)) < 0)
		goto fail;
	if (chunked) {
		if (hc_read_chunked(c) < 0)
			goto fail;
	} else if (clen >= 0) {
		if (hc_need(c, (size_t)clen) < 0)
			goto fail;
		hc_body_append(c, c->in + c->in_off, (size_t)clen);
		c->in_off += (size_t)clen;
	} else if (status != 204 && status != 304 && strcmp(method, "HEAD") != 0) {
		while (hc_fill(c) == 0) /* delimited by the end of the connection */
			;
		hc_body_append(c, c->in + c->in_off, c->in_len - c->in_off);
		close_after = 1;
	}
	if (close_after)
		hc_close(c);
	return status;
fail:
	hc_close(c);
	return -1;
}

/* ---- servers under test ------------------------------------------------ */

typedef struct target {
	const char *name;
	pid_t pid;
	pid_t backend; /* k8c's etcd when it runs on one (its CPU is counted apart) */
	int port;
	char dir[PATH_MAX + 16], log[PATH_MAX + 16];
} target_t;

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

static void check_alive(const target_t *t, const char *when)
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
static void start_k8c(target_t *t, const char *endpoint)
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
static void start_etcd(target_t *t, const char *name)
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

static void stop_target(target_t *t)
{
	stop_child(t->pid, SIGTERM, 15000);
	t->pid = 0;
}

/* perf record -g on the target during one phase, when --perf DIR is set */
static pid_t perf_start(const target_t *t, const char *phase)
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

static void perf_stop(pid_t p)
{
	if (p > 0)
		stop_child(p, SIGINT, 60000);
}

/* ---- the closed-loop / paced load runner ------------------------------ */

typedef struct load load_t;
/* One operation on connection c; returns 0 when the answer was the expected one. */
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

static int cmp_i64(const void *a, const void *b)
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

static double pct_ms(const int64_t *v, size_t n, double p)
{
	if (n == 0)
		return -1;
	return (double)v[(size_t)((double)(n - 1) * p + 0.5)] / NS_PER_MS;
}

static void load_run(load_t *l, lstats_t *st)
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

static int op_k8c_create(load_t *l, hconn_t *c, long i, char *s, size_t sn)
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

static int op_k8c_get(load_t *l, hconn_t *c, long i, char *s, size_t sn)
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

static int op_etcd_put(load_t *l, hconn_t *c, long i, char *s, size_t sn)
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

static int op_etcd_range(load_t *l, hconn_t *c, long i, char *s, size_t sn)
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

typedef struct liststats {
	double first_ms, median_ms, min_ms;
	long bytes, items;
	int have;
} liststats_t;

static void list_run(const target_t *t, hconn_t *c, const char *method, const char *path,
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

/* ---- watch delivery -------------------------------------------------------- */

#define WATCH_THREADS 2
#define WATCH_MARKER "\"name\":\"watchpod-"

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

typedef struct wreader {
	watchrun_t *wr;
	int epfd;
} wreader_t;

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

static void k8c_namespace(hconn_t *c, const char *name)
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

static void watch_run(const target_t *t, hconn_t *c, watchstats_t *ws)
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

/* ---- the runs ------------------------------------------------------------ */

typedef struct figures {
	int have;
	lstats_t create, paced, get, listfill;
	liststats_t list;
	watchstats_t watch;
	long rss_idle_kb, rss_full_kb, hwm_kb, stored;
} figures_t;

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
