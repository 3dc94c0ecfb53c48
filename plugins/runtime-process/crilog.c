/* The CRI container log format, written by the shim:
 *
 *   2016-10-06T00:17:09.669794202Z stdout F a whole line
 *   2016-10-06T00:17:09.669794202Z stderr P the first part of a long li
 *   2016-10-06T00:17:09.669794203Z stderr F ne that did not fit
 *
 * One write(2) per line so a reader never sees half a line.  Rotation
 * renames log -> log.1 -> ... -> log.(max_files-1) once the next line would
 * grow the file past max_bytes.  Fork-safe: no allocation anywhere. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "runtime_process.h"

/* days since 1970-01-01 -> civil date (Howard Hinnant's algorithm) */
static void civil(int64_t days, int *y, unsigned *m, unsigned *d)
{
	int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yoe + era * 400) + (*m <= 2);
}

void rp_format_time_nano(int64_t ns, char *buf, size_t len)
{
	int64_t secs = ns / 1000000000LL, frac = ns % 1000000000LL, days, sod;
	unsigned m, d;
	int y;

	if (frac < 0) {
		frac += 1000000000LL;
		secs--;
	}
	days = secs / 86400;
	sod = secs % 86400;
	if (sod < 0) {
		sod += 86400;
		days--;
	}
	civil(days, &y, &m, &d);
	snprintf(buf, len, "%04d-%02u-%02uT%02d:%02d:%02d.%09lldZ", y, m, d, (int)(sod / 3600),
	         (int)(sod / 60 % 60), (int)(sod % 60), (long long)frac);
}

int rp_crilog_open(rp_crilog_t *log, const char *path, int64_t max_bytes, uint32_t max_files)
{
	struct stat st;

	log->path = path;
	log->max_bytes = max_bytes;
	log->max_files = max_files;
	log->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (log->fd < 0)
		return -errno;
	log->size = fstat(log->fd, &st) == 0 ? st.st_size : 0;
	return 0;
}

static void rotate(rp_crilog_t *log)
{
	char from[PATH_MAX], to[PATH_MAX];

	if (log->fd >= 0)
		close(log->fd);
	if (log->max_files <= 1) {
		unlink(log->path);
	} else {
		for (uint32_t i = log->max_files - 1; i >= 2; i--) {
			snprintf(from, sizeof(from), "%s.%u", log->path, i - 1);
			snprintf(to, sizeof(to), "%s.%u", log->path, i);
			rename(from, to); /* a missing older file is fine */
		}
		snprintf(to, sizeof(to), "%s.1", log->path);
		rename(log->path, to);
	}
	log->fd = open(log->path, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	log->size = 0;
}

static void write_line(rp_crilog_t *log, const char *stream, int partial, const char *data, size_t n)
{
	char head[80];
	int hlen;
	struct iovec iov[3];
	ssize_t w;

	rp_format_time_nano(rp_now_ns(), head, sizeof(head));
	hlen = (int)strlen(head);
	hlen += snprintf(head + hlen, sizeof(head) - (size_t)hlen, " %s %c ", stream, partial ? 'P' : 'F');
	if (log->max_bytes > 0 && log->size > 0 &&
	    log->size + hlen + (int64_t)n + 1 > log->max_bytes)
		rotate(log);
	if (log->fd < 0)
		return; /* the log directory went away: drop the output */
	iov[0] = (struct iovec){head, (size_t)hlen};
	iov[1] = (struct iovec){(void *)data, n};
	iov[2] = (struct iovec){"\n", 1};
	do
		w = writev(log->fd, iov, 3);
	while (w < 0 && errno == EINTR);
	if (w > 0)
		log->size += w;
}

void rp_crilog_feed(rp_crilog_t *log, rp_logstream_t *s, const char *data, size_t n)
{
	while (n > 0) {
		const char *nl = memchr(data, '\n', n);
		size_t take = nl != NULL ? (size_t)(nl - data) : n;

		if (s->len == 0 && nl != NULL && take <= sizeof(s->buf)) {
			/* a whole line straight from the pipe buffer */
			write_line(log, s->name, 0, data, take);
			data += take + 1;
			n -= take + 1;
			continue;
		}
		if (take > sizeof(s->buf) - s->len)
			take = sizeof(s->buf) - s->len;
		memcpy(s->buf + s->len, data, take);
		s->len += take;
		data += take;
		n -= take;
		if (n > 0 && *data == '\n') {
			write_line(log, s->name, 0, s->buf, s->len);
			s->len = 0;
			data++;
			n--;
		} else if (s->len == sizeof(s->buf)) {
			write_line(log, s->name, 1, s->buf, s->len);
			s->len = 0;
		}
	}
}

void rp_crilog_flush(rp_crilog_t *log, rp_logstream_t *s)
{
	/* output that ended without a newline still makes a full line */
	if (s->len > 0)
		write_line(log, s->name, 0, s->buf, s->len);
	s->len = 0;
}
