/* The container log reader behind `kubectl logs`, after the kubelet's
 * pkg/kubelet/kuberuntime/logs/logs.go.  The file goes through one fixed
 * buffer, so memory stays bounded whatever the size of the file or of its
 * lines: a record's header (timestamp, stream, tag) is parsed once it is
 * all in the buffer, then its message is copied out as it comes.
 *
 * Where it differs from the kubelet: a line that does not parse is passed
 * through instead of dropped, and on rotation the old file is read to its
 * end before the new one is opened (the kubelet switches at once and can
 * lose the last records of the old file). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/mem.h"
#include "common/timestamp.h"
#include "kubelet/log_reader.h"

#define BUF_SIZE 32768 /* the read buffer, also the block of the tail scan */
#define HEADER_MAX 128 /* "TIMESTAMP STREAM TAG " is never longer */
#define POLL_MS 100

/* Internal results; < 0 is -errno. */
enum { GO_ON = 0, DONE = 1, NEED_MORE = 2 };

typedef struct reader {
	const kl_log_options_t *opt; /* borrowed */
	kl_log_out_fn out;
	void *arg;       /* borrowed, for out */
	int64_t remain;  /* output bytes left (INT64_MAX without a limit) */
	int64_t records; /* records left to show; -1: no bound */
	int line_start;  /* the next message begins a logical line */
	int in_record;   /* its header is consumed: message bytes up to '\n' */
	int show;        /* the record is not older than since */
	int partial;     /* a P record: its '\n' is not output */
	size_t pos, len; /* buf[pos, len) is read but not processed */
	char buf[BUF_SIZE];
} reader_t;

static int emit(reader_t *r, const char *data, size_t n)
{
	if (n == 0)
		return GO_ON;
	if ((int64_t)n > r->remain)
		n = (size_t)r->remain; /* the kubelet cuts mid-line too */
	if (r->out(r->arg, data, n) < 0)
		return DONE;
	r->remain -= (int64_t)n;
	return r->remain == 0 ? DONE : GO_ON;
}

/* The length of the header "TIMESTAMP STREAM TAG " at p (n bytes without
 * a newline), or 0 if p does not start with one.  The tag is "F", "P" or,
 * as the kubelet allows for the future, "P:more" (partial) or any other
 * word (full). */
static size_t parse_header(const char *p, size_t n, size_t *ts_len, int64_t *ts_ns, int *partial)
{
	const char *sp = memchr(p, ' ', n), *tag, *end;
	char ts[48];
	size_t len, rest;

	if (sp == NULL || (len = (size_t)(sp - p)) < 20 || len >= sizeof(ts))
		return 0;
	memcpy(ts, p, len);
	ts[len] = '\0';
	if (k8c_time_parse(ts, ts_ns, NULL) < 0)
		return 0;
	rest = n - len - 1;
	if (rest < 7 || (memcmp(sp + 1, "stdout ", 7) != 0 && memcmp(sp + 1, "stderr ", 7) != 0))
		return 0;
	tag = sp + 8;
	end = memchr(tag, ' ', rest - 7);
	if (end == NULL || end == tag)
		return 0;
	*ts_len = len;
	*partial = tag[0] == 'P' && (end == tag + 1 || tag[1] == ':');
	return (size_t)(end + 1 - p);
}

static int end_record(reader_t *r, int newline)
{
	r->in_record = 0;
	/* as the kubelet's isNewLine: also after a record since skipped */
	r->line_start = newline && !r->partial;
	if (r->records > 0 && --r->records == 0)
		return DONE;
	return GO_ON;
}

/* Consume the header of the record at pos (and write its timestamp).
 * NEED_MORE when the header may not all be in the buffer yet. */
static int start_record(reader_t *r, int at_end)
{
	const char *p = r->buf + r->pos, *nl;
	size_t avail = r->len - r->pos, win, hlen, ts_len = 0;
	int64_t ts = 0;

	nl = memchr(p, '\n', avail);
	win = nl != NULL ? (size_t)(nl - p) : avail;
	hlen = parse_header(p, win < HEADER_MAX ? win : HEADER_MAX, &ts_len, &ts, &r->partial);
	if (hlen == 0 && nl == NULL && avail < HEADER_MAX && !at_end)
		return NEED_MORE;
	r->in_record = 1;
	if (hlen == 0) { /* not a record: the whole line goes out as it is */
		r->show = 1;
		r->partial = 0;
		return GO_ON;
	}
	r->show = r->opt->since_ns <= 0 || ts >= r->opt->since_ns;
	r->pos += hlen;
	if (r->show && r->opt->timestamps && r->line_start)
		return emit(r, p, ts_len + 1); /* the timestamp as written, and its space */
	return GO_ON;
}

/* Copy the message of the current record up to its '\n' or to the end of
 * the buffer (the record goes on in the next read). */
static int copy_message(reader_t *r)
{
	const char *p = r->buf + r->pos, *nl = memchr(p, '\n', r->len - r->pos);
	size_t n = nl != NULL ? (size_t)(nl - p) : r->len - r->pos;
	int ret = GO_ON;

	if (r->show)
		ret = emit(r, p, n + (nl != NULL && !r->partial));
	r->pos += n + (nl != NULL);
	if (ret != GO_ON || nl == NULL)
		return ret;
	return end_record(r, 1);
}

/* Process the buffer.  at_end: nothing more will come from this file, so
 * an incomplete header or record at its end is finished as it is. */
static int process(reader_t *r, int at_end)
{
	int ret = GO_ON;

	while (ret == GO_ON && r->pos < r->len) {
		if (r->in_record)
			ret = copy_message(r);
		else if ((ret = start_record(r, at_end)) == NEED_MORE)
			return GO_ON;
	}
	if (ret == GO_ON && at_end && r->in_record)
		ret = end_record(r, 0);
	if (at_end)
		r->pos = r->len = 0;
	return ret;
}

/* Read fd to its current end, processing as it comes.  fd < 0: no file. */
static int copy_available(reader_t *r, int fd)
{
	ssize_t n;
	int ret;

	while (fd >= 0) {
		/* what is left is a piece of a header, shorter than HEADER_MAX */
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
		n = read(fd, r->buf + r->len, sizeof(r->buf) - r->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		r->len += (size_t)n;
		ret = process(r, 0);
		if (ret != GO_ON)
			return ret;
	}
	return GO_ON;
}

/* The offset of the last n newline-terminated records, scanning back from
 * the end a block at a time as the kubelet's FindTailLineStartIndex does:
 * it counts records, not logical lines, and an unterminated last line is
 * not counted.  buf (borrowed) holds BUF_SIZE bytes. */
static int tail_start(int fd, int64_t n, char *buf, off_t *start)
{
	struct stat st;
	int64_t seen = 0;
	off_t end, from;
	ssize_t got;

	*start = 0;
	if (fstat(fd, &st) < 0)
		return -errno;
	for (end = st.st_size; end > 0; end = from) {
		from = end > BUF_SIZE ? end - BUF_SIZE : 0;
		got = pread(fd, buf, (size_t)(end - from), from);
		if (got < 0)
			return -errno;
		for (ssize_t i = got - 1; i >= 0; i--) {
			if (buf[i] == '\n' && ++seen > n) {
				*start = from + i + 1;
				return 0;
			}
		}
	}
	return 0;
}

/* Open the log; a missing one is *fd = -1. */
static int open_log(const char *path, int *fd)
{
	*fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW); /* a pod may write into its logs dir */
	if (*fd < 0 && errno != ENOENT)
		return -errno;
	return GO_ON;
}

/* Whether path now names another file than fd: it was rotated (renamed
 * away or removed), or it appeared while fd < 0. */
static int replaced(const char *path, int fd)
{
	struct stat a, b;

	if (stat(path, &a) < 0)
		return fd >= 0;
	if (fd < 0)
		return 1;
	return fstat(fd, &b) < 0 || a.st_dev != b.st_dev || a.st_ino != b.st_ino;
}

int kl_log_copy(const char *path, const kl_log_options_t *opt, kl_log_out_fn out,
                kl_log_more_fn more, void *arg)
{
	_cleanup_free_ reader_t *r = k8c_xcalloc(1, sizeof(*r));
	int fd, ret, ended = 0, m;
	off_t start;

	r->opt = opt;
	r->out = out;
	r->arg = arg;
	r->remain = opt->limit_bytes > 0 ? opt->limit_bytes : INT64_MAX;
	r->records = opt->tail_lines >= 0 && !opt->follow ? opt->tail_lines : -1;
	r->line_start = 1;
	if (r->records == 0)
		return 0;
	ret = open_log(path, &fd);
	if (ret < 0)
		return ret;
	if (fd >= 0 && opt->tail_lines >= 0) {
		ret = tail_start(fd, opt->tail_lines, r->buf, &start);
		if (ret == 0 && lseek(fd, start, SEEK_SET) < 0)
			ret = -errno;
	}
	while (ret == GO_ON) {
		ret = copy_available(r, fd);
		if (ret != GO_ON)
			break;
		if (!opt->follow) {
			ret = process(r, 1);
			break;
		}
		if (replaced(path, fd)) {
			/* The writer closes the old file before renaming it:
			 * one more read finds all that was written to it. */
			ret = copy_available(r, fd);
			if (ret == GO_ON)
				ret = process(r, 1);
			if (fd >= 0)
				close(fd);
			if (ret == GO_ON)
				ret = open_log(path, &fd);
			else
				fd = -1;
			continue;
		}
		if (ended) {
			ret = process(r, 1);
			break;
		}
		m = more != NULL ? more(arg) : 1;
		if (m > 0)
			poll(NULL, 0, POLL_MS);
		else if (m == 0)
			ended = 1; /* read to the end once more, then stop */
		else
			ret = DONE;
	}
	if (fd >= 0)
		close(fd);
	return ret < 0 ? ret : 0;
}
