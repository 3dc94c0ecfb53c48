/* tests/bench/bench_api: Small helpers, child processes and the temporary directory, /proc figures. */
#include "config.h"

#include "bench_api.h"

/* ---- small helpers --------------------------------------------------- */

int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void sleep_until(int64_t t)
{
	struct timespec ts = {.tv_sec = t / 1000000000LL, .tv_nsec = t % 1000000000LL};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

void sleep_ms(int ms)
{
	sleep_until(now_ns() + (int64_t)ms * 1000000LL);
}

void die(const char *fmt, ...)
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

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		die("out of memory");
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (p == NULL)
		die("out of memory");
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (p == NULL)
		die("out of memory");
	return p;
}

const char *fmt_int(char *buf, size_t n, long v)
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

uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

char *base64(const char *s, size_t n)
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

long count_substr(const char *s, size_t n, const char *needle)
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
char tmp_root[PATH_MAX];

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

pid_t spawn(char *const argv[], const char *log_path)
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

int alive(pid_t pid)
{
	return waitpid(pid, NULL, WNOHANG) == 0;
}

/* Signal pid, wait up to timeout_ms for it, then SIGKILL it. */
void stop_child(pid_t pid, int sig, int timeout_ms)
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

void cleanup(void)
{
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (children[i] > 0)
			stop_child(children[i], SIGTERM, 10000);
	if (tmp_root[0] != '\0')
		rm_rf(tmp_root);
	tmp_root[0] = '\0';
}

/* Only async-signal-safe calls: kill, waitpid, fork, execve, _exit. */
void on_signal(int sig)
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

int free_port(void)
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

long proc_status_num(pid_t pid, const char *field)
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
double proc_cpu_s(pid_t pid)
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

void ctx_snapshot(pid_t pid, ctxsnap_t *s)
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

long ctx_growth(ctxsnap_t *before, ctxsnap_t *after)
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
double machine_busy_s(void)
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

double self_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}
