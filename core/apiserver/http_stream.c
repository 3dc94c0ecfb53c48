/* Streamed responses (LIST pages, watches) as MHD content readers.  When a
 * stream has nothing to send (an idle watch) its connection is parked —
 * suspended in MHD — until the stream wakes it, so a thousand idle watches
 * cost no thread and no CPU.  A tick every second resumes the parked
 * streams whose deadline came (timeout, bookmark); every PEEK_TICKS ticks
 * it also ends those whose client hung up (MHD cannot see that on a
 * suspended connection; one recv(MSG_PEEK) per parked stream). */
#define K8C_LOG_COMPONENT "http"
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "apiserver/http_internal.h"
#include "common/mem.h"

#define TICK_NS 1000000000LL
#define PEEK_TICKS 5

struct stream_state {
	k8c_api_stream_t s;
	char *chunk;   /* pending data not yet handed to MHD */
	size_t len, off;
	int ended;
	k8c_http_t *http;
	struct MHD_Connection *c;
	int fd;                       /* the connection's socket, or -1 */
	/* under http->park_lock: */
	int parked;
	int gone;                     /* the client closed while parked */
	int64_t wake_at_ns;           /* resume then even without data; 0: never */
	stream_state_t *prev, *next;  /* on http->parked_streams */
};

static void unlist(k8c_http_t *http, stream_state_t *st)
{
	if (st->prev != NULL)
		st->prev->next = st->next;
	else
		http->parked_streams = st->next;
	if (st->next != NULL)
		st->next->prev = st->prev;
	st->prev = st->next = NULL;
	st->parked = 0;
}

static int park_stream(void *arg)
{
	stream_state_t *st = arg;
	k8c_http_t *http = st->http;

	pthread_mutex_lock(&http->park_lock);
	if (http->stopping) {
		pthread_mutex_unlock(&http->park_lock);
		return -1;
	}
	MHD_suspend_connection(st->c);
	st->parked = 1;
	st->prev = NULL;
	st->next = http->parked_streams;
	if (st->next != NULL)
		st->next->prev = st;
	http->parked_streams = st;
	pthread_mutex_unlock(&http->park_lock);
	return 0;
}

static void wake_stream(void *arg)
{
	stream_state_t *st = arg;
	k8c_http_t *http = st->http;

	pthread_mutex_lock(&http->park_lock);
	if (st->parked) { /* else the tick or the shutdown woke it already */
		unlist(http, st);
		MHD_resume_connection(st->c);
	}
	pthread_mutex_unlock(&http->park_lock);
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	stream_state_t *st = cls;

	while (st->off >= st->len) {
		long n;
		int armed;

		free(st->chunk);
		st->chunk = NULL;
		st->len = st->off = 0;
		if (st->ended)
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (st->gone) { /* nobody to write to */
			st->ended = 1;
			return MHD_CONTENT_READER_END_WITH_ERROR;
		}
		n = st->s.next(st->s.ctx, &st->chunk);
		if (n < 0) {
			st->ended = 1;
			free(st->chunk);
			st->chunk = NULL;
			return n == -2 ? MHD_CONTENT_READER_END_WITH_ERROR
			               : MHD_CONTENT_READER_END_OF_STREAM;
		}
		if (n > 0) {
			st->len = (size_t)n;
			break;
		}
		free(st->chunk);
		st->chunk = NULL;
		if (st->s.arm == NULL)
			return 0; /* MHD asks again */
		armed = st->s.arm(st->s.ctx, park_stream, wake_stream, st, &st->wake_at_ns);
		if (armed == 0)
			return 0; /* parked until woken */
		if (armed < 0) { /* closing */
			st->ended = 1;
			return MHD_CONTENT_READER_END_OF_STREAM;
		}
	}
	if (max > st->len - st->off)
		max = st->len - st->off;
	memcpy(buf, st->chunk + st->off, max);
	st->off += max;
	return (ssize_t)max;
}

static void stream_free(void *cls)
{
	stream_state_t *st = cls;

	/* after free_fn the stream wakes nobody; MHD frees a response only
	 * when its connection is not parked */
	if (st->s.free_fn != NULL)
		st->s.free_fn(st->s.ctx);
	free(st->chunk);
	free(st);
}

struct MHD_Response *k8c_http_stream_response(k8c_http_t *http, struct MHD_Connection *c,
                                              k8c_api_stream_t *stream)
{
	stream_state_t *st = k8c_xcalloc(1, sizeof(*st));
	const union MHD_ConnectionInfo *info;
	struct MHD_Response *r;

	st->s = *stream;
	stream->free_fn = NULL; /* now owned by st */
	st->http = http;
	st->c = c;
	info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	st->fd = info != NULL ? info->connect_fd : -1;
	/* MHD keeps a buffer of this size per response: large for LIST pages,
	 * small for watches, which mostly sit idle (1,000 of them) */
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN,
	                                      stream->arm != NULL ? 4096 : 64 * 1024,
	                                      stream_read, st, stream_free);
	if (r == NULL)
		stream_free(st);
	return r;
}

/* --- the tick ------------------------------------------------------------------ */

static int peer_closed(int fd)
{
	char b;
	ssize_t n;

	if (fd < 0)
		return 0;
	n = recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

static void tick(void *arg)
{
	k8c_http_t *http = arg;
	int64_t now = k8c_timer_now_ns();
	stream_state_t *st, *next;
	int peek;

	pthread_mutex_lock(&http->park_lock);
	peek = ++http->ticks % PEEK_TICKS == 0;
	for (st = http->parked_streams; st != NULL; st = next) {
		next = st->next;
		if (peek && peer_closed(st->fd))
			st->gone = 1;
		else if (st->wake_at_ns == 0 || now < st->wake_at_ns)
			continue;
		unlist(http, st);
		MHD_resume_connection(st->c);
	}
	if (!http->stopping)
		k8c_timer_start(&http->tick, now + TICK_NS, tick, http);
	pthread_mutex_unlock(&http->park_lock);
}

void k8c_http_streams_start(k8c_http_t *http)
{
	pthread_mutex_lock(&http->park_lock);
	k8c_timer_start(&http->tick, k8c_timer_now_ns() + TICK_NS, tick, http);
	pthread_mutex_unlock(&http->park_lock);
}

void k8c_http_streams_stop(k8c_http_t *http)
{
	k8c_timer_cancel(&http->tick); /* http->stopping is set: it stays off */
	pthread_mutex_lock(&http->park_lock);
	while (http->parked_streams != NULL) {
		stream_state_t *st = http->parked_streams;
		unlist(http, st);
		MHD_resume_connection(st->c); /* next() sees the shutdown */
	}
	pthread_mutex_unlock(&http->park_lock);
}
