/* Small process and file helpers of runtime-process: /proc/<pid>/stat start
 * times (a pid is only "ours" while its start time matches what we
 * recorded), fd hygiene after fork, atomic key=value state files, ids.
 * Everything here but rp_id_new is fork-safe: no allocation. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "runtime_process.h"

unsigned long long rp_proc_start(pid_t pid, char *state)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	ssize_t n;
	int fd, field;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: fields start after the last ')' */
	p = strrchr(buf, ')');
	if (p == NULL || p[1] != ' ')
		return 0;
	p += 2;
	if (state != NULL)
		*state = *p;
	/* p is field 3 (state); start time is field 22 */
	for (field = 3; field < 22 && *p != '\0'; p++)
		if (*p == ' ')
			field++;
	if (field == 22)
		start = strtoull(p, NULL, 10);
	return start;
}

int rp_proc_alive(pid_t pid, unsigned long long start, int zombie_ok)
{
	char state = 0;
	unsigned long long s = rp_proc_start(pid, &state);

	if (s == 0 || (start != 0 && s != start))
		return 0;
	if (!zombie_ok && (state == 'Z' || state == 'X'))
		return 0;
	return 1;
}

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

/* close [lo, hi]: close_range (Linux 5.9), else one by one */
static void close_span(unsigned lo, unsigned hi)
{
	long maxfd;

	if (lo > hi || syscall(SYS_close_range, lo, hi, 0) == 0)
		return;
	/* /proc/self/fd would need opendir (malloc): walk the numbers */
	maxfd = sysconf(_SC_OPEN_MAX);
	if (maxfd < 0 || maxfd > 65536)
		maxfd = 65536;
	for (unsigned fd = lo; fd <= hi && fd < (unsigned)maxfd; fd++)
		close((int)fd);
}

void rp_close_fds_except(const int *keep, int n)
{
	unsigned lo = 3;

	/* keep is short and unsorted: close the spans between kept fds in
	 * ascending order */
	for (;;) {
		unsigned next = ~0U;
		for (int i = 0; i < n; i++)
			if (keep[i] >= 0 && (unsigned)keep[i] >= lo && (unsigned)keep[i] < next)
				next = (unsigned)keep[i];
		if (next == ~0U) {
			close_span(lo, ~0U);
			return;
		}
		if (next > lo)
			close_span(lo, next - 1);
		lo = next + 1;
	}
}

int rp_kv_write(const char *path, const char *text)
{
	char tmp[PATH_MAX];
	size_t len = strlen(text);
	int fd, e;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len || fsync(fd) != 0) {
		e = errno ? errno : EIO;
		close(fd);
		unlink(tmp);
		return -e;
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		e = errno;
		unlink(tmp);
		return -e;
	}
	return 0;
}

int rp_kv_get(const char *text, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key);

	for (const char *line = text; line != NULL && *line != '\0';) {
		const char *nl = strchr(line, '\n');
		size_t llen = nl != NULL ? (size_t)(nl - line) : strlen(line);
		if (llen > klen && strncmp(line, key, klen) == 0 && line[klen] == '=') {
			size_t vlen = llen - klen - 1;
			if (vlen >= len)
				vlen = len - 1;
			memcpy(buf, line + klen + 1, vlen);
			buf[vlen] = '\0';
			return 1;
		}
		line = nl != NULL ? nl + 1 : NULL;
	}
	if (len > 0)
		buf[0] = '\0';
	return 0;
}

int64_t rp_kv_int(const char *text, const char *key, int64_t dflt)
{
	char v[32];

	if (!rp_kv_get(text, key, v, sizeof(v)) || v[0] == '\0')
		return dflt;
	return strtoll(v, NULL, 10);
}

int64_t rp_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t rp_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void rp_signals_default(void)
{
	struct sigaction sa;
	sigset_t all;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL); /* SIGKILL, SIGSTOP, glibc-internal: EINVAL, fine */
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
}

int rp_id_valid(const char *id)
{
	size_t n = 0;

	if (id == NULL || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return 0;
	for (const char *p = id; *p != '\0'; p++, n++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '.' || *p == '_' || *p == '-'))
			return 0;
	}
	return n > 0 && n < K8C_RUNTIME_ID_MAX;
}

void rp_id_new(char id[K8C_RUNTIME_ID_MAX])
{
	unsigned char rnd[16];
	size_t got = 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		ssize_t n = read(fd, rnd, sizeof(rnd));
		got = n > 0 ? (size_t)n : 0;
		close(fd);
	}
	if (got < sizeof(rnd)) { /* no urandom: time and pid still make ids unique enough */
		uint64_t t = (uint64_t)rp_mono_ns() ^ ((uint64_t)getpid() << 40);
		for (size_t i = 0; i < sizeof(rnd); i++)
			rnd[i] = (unsigned char)(t >> ((i % 8) * 8)) ^ (unsigned char)(i * 37);
	}
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(id + 2 * i, 3, "%02x", rnd[i]);
}

/* Does buf hold `lines` complete lines, or a complete "ERR " line? */
static int enough(const char *buf, size_t got, int lines)
{
	int n = 0;

	if (lines <= 0)
		return 0;
	for (size_t i = 0; i < got; i++) {
		if (buf[i] != '\n')
			continue;
		if (++n >= lines)
			return 1;
	}
	for (const char *e = buf; (e = strstr(e, "ERR ")) != NULL; e++)
		if ((e == buf || e[-1] == '\n') && strchr(e, '\n') != NULL)
			return 1;
	return 0;
}

ssize_t rp_read_until(int fd, char *buf, size_t len, int64_t deadline_ns, int lines)
{
	size_t got = 0;

	buf[0] = '\0';
	while (got + 1 < len && !enough(buf, got, lines)) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int64_t left = deadline_ns - rp_mono_ns();
		ssize_t n;
		int r;

		if (left <= 0) {
			buf[got] = '\0';
			return -ETIMEDOUT;
		}
		r = poll(&pfd, 1, left > 1000000000LL ? 1000 : (int)(left / 1000000 + 1));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			continue;
		n = read(fd, buf + got, len - 1 - got);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
		buf[got] = '\0';
	}
	buf[got] = '\0';
	return (ssize_t)got;
}
