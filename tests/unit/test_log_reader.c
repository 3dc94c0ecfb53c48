/* The container log reader (kubectl logs): CRI records become message text
 * with partial records joined; timestamps, tail, since and limitBytes as
 * the kubelet applies them; lines that do not parse pass through; follow
 * sees appended records, ends when more() says so and survives rotation.
 * Timing never decides a result: waits are bounded only by an alarm. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/mem.h"
#include "common/timestamp.h"
#include "kubelet/log_reader.h"
#include "tap.h"

#define T1 "2016-10-06T00:17:09.669794202Z"
#define T2 "2016-10-06T00:17:10.000000001Z"
#define T3 "2016-10-06T00:17:11.5Z"

/* What kl_log_copy wrote, shared with writer threads. */
typedef struct sink {
	pthread_mutex_t lock;
	char *data; /* owned, NUL-terminated */
	size_t len, cap;
	int calls, stop_after; /* out() returns -1 on call stop_after (0: never) */
	int more_calls, more_answer;
	int writer_done; /* more() answers 0 once set (when more_answer is 1) */
} sink_t;

static char dir[64];
static char path[128];

static void sink_init(sink_t *s)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->more_answer = 1;
	s->data = k8c_xcalloc(1, 1);
}

static void sink_free(sink_t *s)
{
	free(s->data);
	pthread_mutex_destroy(&s->lock);
}

static int out(void *arg, const char *data, size_t n)
{
	sink_t *s = arg;
	int ret = 0;

	pthread_mutex_lock(&s->lock);
	if (++s->calls == s->stop_after) {
		ret = -1;
	} else {
		if (s->len + n + 1 > s->cap) {
			s->cap = (s->len + n + 1) * 2;
			s->data = k8c_xrealloc(s->data, s->cap);
		}
		memcpy(s->data + s->len, data, n);
		s->len += n;
		s->data[s->len] = '\0';
	}
	pthread_mutex_unlock(&s->lock);
	return ret;
}

static int more(void *arg)
{
	sink_t *s = arg;
	int ret;

	pthread_mutex_lock(&s->lock);
	s->more_calls++;
	ret = s->more_answer == 1 && s->writer_done ? 0 : s->more_answer;
	pthread_mutex_unlock(&s->lock);
	return ret;
}

static void write_file(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");

	fputs(text, f);
	fclose(f);
}

static void append(int fd, const char *text)
{
	size_t n = strlen(text);

	if (write(fd, text, n) != (ssize_t)n)
		k8c_die("write: %m");
}

/* Copy path with opt into a new string (caller frees); *ret gets the result. */
static char *copy(const kl_log_options_t *opt, int *ret)
{
	sink_t s;
	char *data;

	sink_init(&s);
	*ret = kl_log_copy(path, opt, out, more, &s);
	data = K8C_STEAL(s.data);
	sink_free(&s);
	return data;
}

/* CHECK(file text, wanted output, message, options...): name tail_lines
 * in the options (ALL for -1). */
#define ALL .tail_lines = -1
#define CHECK(text, want, msg, ...)                                                                \
	do {                                                                                       \
		kl_log_options_t o_ = {__VA_ARGS__};                                               \
		int r_;                                                                            \
		write_file(path, text);                                                            \
		char *got_ = copy(&o_, &r_);                                                       \
		is_str(got_, want, "%s", msg);                                                     \
		if (r_ != 0)                                                                       \
			ok(0, "%s: returned %d", msg, r_);                                         \
		free(got_);                                                                        \
	} while (0)

static void test_format(void)
{
	CHECK(T1 " stdout F hello\n" T2 " stdout F world\n", "hello\nworld\n", "whole lines", ALL);
	CHECK(T1 " stdout F \n" T2 " stdout F  two  spaces \n", "\n two  spaces \n",
	      "an empty line; spaces in a message are kept", ALL);
	CHECK(T1 " stdout P hel\n" T1 " stdout P lo \n" T2 " stdout F world\n", "hello world\n",
	      "partial records are joined", ALL);
	CHECK(T1 " stdout F out 1\n" T1 " stderr F err 1\n" T2 " stdout F out 2\n" T2
	         " stderr P err\n" T3 " stderr F  2\n",
	      "out 1\nerr 1\nout 2\nerr 2\n", "stdout and stderr in file order", ALL);
	CHECK(T1 " stdout P ab\n" T2 " stdout F cd\n" T3 " stderr F ef\n", T1 " abcd\n" T3 " ef\n",
	      "timestamps: once per logical line, as written", .timestamps = 1, ALL);
	CHECK("2016-10-06T02:17:09+02:00 stdout F offset\n2016-10-06T00:17:09.5Z stderr F short\n"
	      "2016-10-06T00:17:09.1+00:00 stdout P:x lower \n2016-10-06T00:17:09Z stdout X  tag\n",
	      "offset\nshort\nlower  tag\n", "offsets, short fractions, future tags", ALL);
	CHECK("", "", "an empty file", ALL);
	CHECK(
	    "garbage line\n" T1 " stdout F ok\nnot " T1 " stdout F x\n"
	    "2016-13-06T00:17:09Z stdout F bad month\n" T1 " stdin F bad stream\n" T1 " stdout F\n",
	    "garbage line\nok\nnot " T1 " stdout F x\n2016-13-06T00:17:09Z stdout F bad month\n" T1
	    " stdin F bad stream\n" T1 " stdout F\n",
	    "lines that do not parse pass through whole", ALL);
	CHECK(T1 " stdout F one\n" T2 " stdout F trunc", "one\ntrunc", "a truncated last record",
	      ALL);
	CHECK(T1 " stdout F one\n" T2 " std", "one\n" T2 " std",
	      "a truncated header passes through", ALL);
}

static void test_filters(void)
{
	int64_t t2;

	k8c_time_parse(T2, &t2, NULL);
	CHECK(T1 " stdout F a\n" T2 " stdout F b\n" T3 " stdout F c\n", "b\nc\n",
	      "since: older records are skipped, equal ones kept", .since_ns = t2, ALL);
	CHECK(T1 " stdout P a\n" T2 " stdout F b\n" T3 " stdout F c\n", "b\n" T3 " c\n",
	      "since skips the start of a line: the rest has no timestamp (as the kubelet)",
	      .since_ns = t2, .timestamps = 1, ALL);
	CHECK(T1 " stdout F hello\n" T2 " stdout F world\n", "hello\nwo",
	      "limit_bytes cuts mid-line", .limit_bytes = 8, ALL);
	CHECK(T1 " stdout F hello\n", T1 " he", "limit_bytes counts timestamps", .limit_bytes = 33,
	      .timestamps = 1, ALL);
	CHECK(T1 " stdout F hello\n", "hello\n", "limit_bytes larger than the log",
	      .limit_bytes = 1000, ALL);
	CHECK(T1 " stdout F a\n" T2 " stdout P b\n" T3 " stdout F c\n", "bc\n",
	      "tail counts records, not logical lines", .tail_lines = 2);
	CHECK(T1 " stdout F a\n" T2 " stdout F b\n" T3 " stdout F c\n", "c\n", "tail before since",
	      .tail_lines = 1, .since_ns = t2);
	CHECK(T1 " stdout F a\n" T2 " stdout F b\n" T3 " stdout F c\n", "b\n", "tail before limit",
	      .tail_lines = 2, .limit_bytes = 2);
}

static void test_tail(void)
{
	char line[128];
	struct stat st;
	int n = 5000, ret;
	size_t len = 0;
	FILE *f = fopen(path, "w");
	_cleanup_free_ char *all = k8c_xmalloc((size_t)n * 16);

	for (int i = 0; i < n; i++) {
		snprintf(line, sizeof(line), T1 " %s F line %05d\n", i % 3 ? "stdout" : "stderr",
		         i);
		fputs(line, f);
		len += (size_t)sprintf(all + len, "line %05d\n", i);
	}
	fclose(f);
	stat(path, &st);
	ok(st.st_size > 32768 * 4, "the file spans several blocks (%lld bytes)",
	   (long long)st.st_size);

	int64_t tails[] = {0, 1, 2, 1234, 4999, 5000, 5001, 100000};
	for (size_t k = 0; k < sizeof(tails) / sizeof(tails[0]); k++) {
		kl_log_options_t o = {.tail_lines = tails[k]};
		int64_t want = tails[k] < n ? tails[k] : n;
		char *got = copy(&o, &ret);
		const char *w = all + (size_t)(n - want) * 11;
		is_str(got, w, "tail %lld", (long long)tails[k]);
		is_int(ret, 0, "tail %lld returns 0", (long long)tails[k]);
		free(got);
	}
	/* the tail on a file without a final newline does not count the unterminated line */
	CHECK(T1 " stdout F a\n" T2 " stdout F b\n" T3 " stdout F c", "b\n",
	      "tail: an unterminated last line is not counted (and not shown)", .tail_lines = 1);
}

static void test_ends(void)
{
	char missing[160];
	kl_log_options_t o = {.tail_lines = -1};
	sink_t s;
	int ret;

	snprintf(missing, sizeof(missing), "%s/missing.log", dir);
	sink_init(&s);
	ret = kl_log_copy(missing, &o, out, NULL, &s);
	is_int(ret, 0, "a missing file is an empty log");
	is_int(s.calls, 0, "and writes nothing");
	sink_free(&s);

	write_file(path, T1 " stdout F a\n" T2 " stdout F b\n" T3 " stdout F c\n");
	sink_init(&s);
	s.stop_after = 2;
	o.follow = 1;
	s.more_answer = -1;
	ret = kl_log_copy(path, &o, out, more, &s);
	is_int(ret, 0, "out() returning -1 stops the copy, which returns 0");
	is_int(s.calls, 2, "out() is not called again");
	is_int(s.more_calls, 0, "even when following, it does not wait for more");
	is_str(s.data, "a\n", "what came before is delivered");
	sink_free(&s);

	sink_init(&s);
	s.more_answer = -1;
	ret = kl_log_copy(path, &o, out, more, &s);
	is_int(ret, 0, "follow: more() returning -1 stops");
	is_int(s.more_calls, 1, "at its first answer");
	is_str(s.data, "a\nb\nc\n", "after the log so far");
	sink_free(&s);

	o.tail_lines = 1;
	sink_init(&s);
	s.writer_done = 1;
	ret = kl_log_copy(path, &o, out, more, &s);
	is_int(ret, 0, "follow with tail");
	is_str(s.data, "c\n", "starts at the tail");
	sink_free(&s);

	o.tail_lines = -1;
	chmod(path, 0);
	if (access(path, R_OK) == 0) {
		ok(1, "# SKIP unreadable files are readable (root)");
	} else {
		sink_init(&s);
		ret = kl_log_copy(path, &o, out, more, &s);
		is_int(ret, -EACCES, "an unreadable file is -EACCES");
		sink_free(&s);
	}
	chmod(path, 0644);
}

/* --- follow with a writer thread ------------------------------------------ */

typedef struct writer {
	sink_t *sink;
	int rotate;   /* rename the log away between bursts */
	int n_bursts; /* records written: n_bursts * 2 * BURST */
	char *want;   /* owned: what the reader must deliver */
	size_t want_len;
} writer_t;

#define BURST 40

static void wait_delivered(sink_t *s, size_t len)
{
	for (;;) {
		pthread_mutex_lock(&s->lock);
		size_t have = s->len;
		pthread_mutex_unlock(&s->lock);
		if (have >= len)
			return;
		usleep(1000);
	}
}

static void rotate(int *fd)
{
	char p1[160], p2[160];

	close(*fd);
	snprintf(p1, sizeof(p1), "%s.1", path);
	snprintf(p2, sizeof(p2), "%s.2", path);
	rename(p1, p2);
	rename(path, p1);
	*fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC, 0644);
}

/* A record, sometimes in two writes cut inside its header or its message
 * (the reader must not lose or duplicate the cut), sometimes as partials. */
static void write_record(writer_t *w, int fd, int i)
{
	char rec[160], text[64];
	size_t n, cut;

	snprintf(text, sizeof(text), "record %04d", i);
	if (i % 7 == 3) {
		snprintf(rec, sizeof(rec), T1 " stderr P %.6s\n" T2 " stderr F %s\n", text,
		         text + 6);
	} else {
		snprintf(rec, sizeof(rec), T1 " stdout F %s\n", text);
	}
	n = strlen(rec);
	cut = i % 5 == 1 ? 12 : i % 5 == 2 ? n - 4 : 0;
	if (cut > 0) {
		char first[160];
		snprintf(first, sizeof(first), "%.*s", (int)cut, rec);
		append(fd, first);
		usleep(2000);
		append(fd, rec + cut);
	} else {
		append(fd, rec);
	}
	w->want_len += (size_t)sprintf(w->want + w->want_len, "%s\n", text);
}

static void *writer_thread(void *arg)
{
	writer_t *w = arg;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644), i = 0;

	for (int b = 0; b < w->n_bursts; b++) {
		/* a burst with pauses, then wait until the reader has it all:
		 * it is on the current file now */
		for (int k = 0; k < BURST; k++, i++) {
			write_record(w, fd, i);
			if (k % 8 == 0)
				usleep(3000);
		}
		wait_delivered(w->sink, w->want_len);
		/* a burst at once, and rotate right after it: the reader
		 * finishes the old file before it moves on */
		for (int k = 0; k < BURST; k++, i++)
			write_record(w, fd, i);
		if (w->rotate)
			rotate(&fd);
	}
	close(fd);
	pthread_mutex_lock(&w->sink->lock);
	w->sink->writer_done = 1;
	pthread_mutex_unlock(&w->sink->lock);
	return NULL;
}

static void test_follow(int rotate_files, int start_missing)
{
	kl_log_options_t o = {.tail_lines = -1, .follow = 1};
	writer_t w = {.rotate = rotate_files, .n_bursts = 4};
	sink_t s;
	pthread_t t;
	int ret;
	const char *what = rotate_files ? "follow with rotation" : "follow";

	unlink(path);
	if (!start_missing)
		write_file(path, T1 " stdout F before\n");
	w.want = k8c_xcalloc(1, (size_t)w.n_bursts * 2 * BURST * 16 + 16);
	if (!start_missing)
		w.want_len = (size_t)sprintf(w.want, "before\n");
	sink_init(&s);
	w.sink = &s;
	pthread_create(&t, NULL, writer_thread, &w);
	ret = kl_log_copy(path, &o, out, more, &s);
	pthread_join(t, NULL);
	is_int(ret, 0, "%s%s: returns 0 once more() says the container ended", what,
	       start_missing ? " (file created later)" : "");
	ok(s.len == w.want_len && strcmp(s.data, w.want) == 0,
	   "%s: every record delivered once, in order (%zu of %zu bytes)", what, s.len, w.want_len);
	ok(s.more_calls > 0, "%s: more() was asked while waiting (%d times)", what, s.more_calls);
	free(w.want);
	sink_free(&s);
}

int main(void)
{
	alarm(600); /* a hang fails the test instead of the whole run */
	snprintf(dir, sizeof(dir), "/tmp/k8c-test-log-reader-XXXXXX");
	if (mkdtemp(dir) == NULL)
		k8c_die("mkdtemp: %m");
	snprintf(path, sizeof(path), "%s/0.log", dir);

	test_format();
	test_filters();
	test_tail();
	test_ends();
	test_follow(0, 0);
	test_follow(0, 1);
	test_follow(1, 0);

	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	return done_testing();
}
