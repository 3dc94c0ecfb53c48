/* HTTP front end on libmicrohttpd: an epoll event loop on a few threads
 * (one per CPU, each an MHD daemon fed by one accept thread that gives a
 * new connection to the loop with the fewest), each request served on a
 * fiber (common/fiber.h).  A request that waits — for its write's group
 * commit, for a store across the network, for a lock — yields its fiber:
 * the connection is suspended and the thread serves other connections
 * until the wait's completion resumes it.  Streams (http_stream.c) park the same way while a watch has
 * nothing to send, so an idle watch costs no thread.
 *
 * The raw URI is captured through the URI log callback so the query string
 * is decoded as Go clients encode it ('+' is a space). */
#define K8C_LOG_COMPONENT "http"
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "apiserver/http_internal.h"
#include "common/completion.h"
#include "common/fiber.h"
#include "common/log.h"
#include "common/mem.h"

typedef struct conn {
	k8c_api_request_t req;
	size_t body_cap;
	int started;   /* the first call (headers only) has been seen */
	k8c_http_t *http;
	struct MHD_Connection *c;
	k8c_fiber_t *fiber;        /* serving the request, until it returns */
	k8c_api_response_t resp;   /* what the fiber answered */
	int sending;               /* its response is queued (counted in http->sending) */
	/* under http->park_lock: */
	int waiting;               /* parked: its wait's completion will wake it */
	int orphaned;              /* MHD ended the connection while the fiber waited */
	k8c_timer_t orphan_run;    /* finishes an orphaned fiber on the timer thread */
	char *owned[4];            /* an orphan's copies of the MHD-owned headers */
} conn_t;

static void finish_orphan(void *arg);

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode %XX (and '+' as a space when plus is set) of s[0..n). */
static char *unescape(const char *s, size_t n, int plus)
{
	char *out = k8c_xmalloc(n + 1), *o = out;

	for (size_t i = 0; i < n; i++) {
		int h, l;
		if (s[i] == '%' && i + 2 < n &&
		    (h = hexval((unsigned char)s[i + 1])) >= 0 &&
		    (l = hexval((unsigned char)s[i + 2])) >= 0) {
			*o++ = (char)(h * 16 + l);
			i += 2;
		} else if (plus && s[i] == '+') {
			*o++ = ' ';
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

static void parse_uri(k8c_api_request_t *req, const char *uri)
{
	const char *q = strchr(uri, '?');

	req->path = unescape(uri, q ? (size_t)(q - uri) : strlen(uri), 0);
	while (q != NULL && *q != '\0') {
		const char *start = q + 1, *end = strchr(start, '&'), *eq;
		size_t n = end ? (size_t)(end - start) : strlen(start);
		if (n > 0) {
			_cleanup_free_ char *k = NULL, *v = NULL;
			eq = memchr(start, '=', n);
			k = unescape(start, eq ? (size_t)(eq - start) : n, 1);
			v = eq ? unescape(eq + 1, n - (size_t)(eq + 1 - start), 1) : k8c_xstrdup("");
			k8c_api_request_add_param(req, k, v);
		}
		q = end;
	}
}

static void *uri_log(void *cls, const char *uri, struct MHD_Connection *c)
{
	conn_t *cn = k8c_xcalloc(1, sizeof(*cn));

	cn->http = cls;
	cn->c = c;
	parse_uri(&cn->req, uri);
	return cn;
}

static void request_done(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	conn_t *cn = *con_cls;

	if (cn == NULL)
		return;
	*con_cls = NULL;
	if (cn->fiber != NULL) {
		/* The client went away while the request waited, and MHD ended
		 * the connection (it may, although it was being suspended).  The
		 * request still runs to its end — it may hold locks, its write
		 * may have landed — off the connection: when its wait is over
		 * (now, if it already is), on the timer thread. */
		k8c_http_t *http = cn->http;
		const char **borrowed[4] = {&cn->req.method, &cn->req.accept, &cn->req.content_type,
		                            &cn->req.user_agent};
		int now;
		/* MHD frees the headers with the connection: the fiber (parked,
		 * not running) gets copies */
		for (int i = 0; i < 4; i++)
			if (*borrowed[i] != NULL)
				*borrowed[i] = cn->owned[i] = k8c_xstrdup(*borrowed[i]);
		pthread_mutex_lock(&http->park_lock);
		cn->orphaned = 1;
		now = !cn->waiting;
		pthread_mutex_unlock(&http->park_lock);
		K8C_DEBUG("client of %s %s went away while the request waited (MHD reason %d): finishing it",
		          cn->req.method ? cn->req.method : "?", cn->req.path ? cn->req.path : "?",
		          (int)toe);
		if (now)
			k8c_timer_start(&cn->orphan_run, 0, finish_orphan, cn);
		return;
	}
	if (cn->sending) {
		k8c_http_t *http = cn->http;
		pthread_mutex_lock(&http->park_lock);
		if (--http->sending == 0)
			pthread_cond_broadcast(&http->park_cond);
		pthread_mutex_unlock(&http->park_lock);
	}
	k8c_api_response_free(&cn->resp);
	k8c_api_request_free(&cn->req);
	free(cn);
}

/* --- serving a request on a fiber ------------------------------------------ */

static void serve_fiber(void *arg)
{
	conn_t *cn = arg;

	k8c_api_serve(cn->http->srv, &cn->req, &cn->resp);
}

static void park_conn(void *arg)
{
	conn_t *cn = arg;

	pthread_mutex_lock(&cn->http->park_lock);
	cn->waiting = 1;
	if (!cn->orphaned)
		MHD_suspend_connection(cn->c);
	pthread_mutex_unlock(&cn->http->park_lock);
}

static void wake_conn(void *arg)
{
	conn_t *cn = arg;
	int orphaned;

	pthread_mutex_lock(&cn->http->park_lock);
	cn->waiting = 0;
	orphaned = cn->orphaned;
	if (!orphaned)
		MHD_resume_connection(cn->c);
	pthread_mutex_unlock(&cn->http->park_lock);
	if (orphaned)
		k8c_timer_start(&cn->orphan_run, 0, finish_orphan, cn);
}

/* A request begins on a fiber: 0, or -1 when the server is stopping. */
static int fiber_begin(k8c_http_t *http)
{
	int ret = 0;

	pthread_mutex_lock(&http->park_lock);
	if (http->stopping)
		ret = -1;
	else
		http->fibers++;
	pthread_mutex_unlock(&http->park_lock);
	return ret;
}

static void fiber_end(k8c_http_t *http)
{
	pthread_mutex_lock(&http->park_lock);
	if (--http->fibers == 0)
		pthread_cond_broadcast(&http->park_cond);
	pthread_mutex_unlock(&http->park_lock);
}

static enum MHD_Result queue_response(conn_t *cn)
{
	k8c_api_response_t *resp = &cn->resp;
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (resp->stream.next != NULL) {
		r = k8c_http_stream_response(cn->http, cn->c, &resp->stream);
	} else {
		r = MHD_create_response_from_buffer(resp->body_len, resp->body,
		                                    MHD_RESPMEM_MUST_FREE);
		if (r != NULL)
			resp->body = NULL; /* now owned by MHD */
	}
	if (r == NULL)
		return MHD_NO;
	if (resp->content_type != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache, private");
	if (resp->warning != NULL)
		MHD_add_response_header(r, "Warning", resp->warning);
	ret = MHD_queue_response(cn->c, (unsigned)resp->code, r);
	MHD_destroy_response(r);
	if (ret == MHD_YES) {
		pthread_mutex_lock(&cn->http->park_lock);
		cn->http->sending++;
		cn->sending = 1;
		pthread_mutex_unlock(&cn->http->park_lock);
	}
	return ret;
}

/* Run the request's fiber until it is done or waits.  Waiting: park the
 * connection until the wait's completion resumes it. */
/* Resume the request's fiber until it ends (0; the fiber is freed) or
 * waits (1: parked, wake_conn comes when the wait is over). */
static int run_fiber(conn_t *cn)
{
	for (;;) {
		k8c_completion_t *wait = k8c_fiber_resume(cn->fiber);

		if (wait == NULL)
			break;
		if (k8c_completion_arm(wait, park_conn, wake_conn, cn) == 0)
			return 1;
	}
	k8c_fiber_free(cn->fiber);
	cn->fiber = NULL;
	return 0;
}

static enum MHD_Result drive(conn_t *cn)
{
	enum MHD_Result ret;

	if (run_fiber(cn))
		return MHD_YES; /* wake_conn resumes the connection: MHD calls handle again */
	ret = queue_response(cn);
	k8c_api_response_free(&cn->resp);
	/* after queueing: the stop waits for fibers, then for answers sent */
	fiber_end(cn->http);
	return ret;
}

/* The timer thread runs an orphaned request's fiber on (see request_done)
 * until it waits again or ends; its answer has nobody to go to. */
static void finish_orphan(void *arg)
{
	conn_t *cn = arg;

	if (run_fiber(cn))
		return;
	fiber_end(cn->http);
	k8c_api_response_free(&cn->resp);
	k8c_api_request_free(&cn->req);
	for (int i = 0; i < 4; i++)
		free(cn->owned[i]);
	free(cn);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version,
                              const char *upload, size_t *upload_size, void **con_cls)
{
	conn_t *cn = *con_cls;
	enum MHD_Result ret;

	if (cn == NULL) /* no URI seen: should not happen */
		return MHD_NO;
	if (cn->fiber != NULL) /* resumed: the wait is over */
		return drive(cn);
	if (!cn->started) { /* headers only: ask for the body, if any */
		cn->started = 1;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		k8c_api_request_t *req = &cn->req;
		if (!req->body_too_large && req->body_len + *upload_size <= K8C_API_MAX_BODY) {
			if (req->body_len + *upload_size + 1 > cn->body_cap) {
				cn->body_cap = (req->body_len + *upload_size + 1) * 2;
				req->body = k8c_xrealloc(req->body, cn->body_cap);
			}
			memcpy(req->body + req->body_len, upload, *upload_size);
			req->body_len += *upload_size;
			req->body[req->body_len] = '\0';
		} else {
			req->body_too_large = 1;
			free(req->body);
			req->body = NULL;
			req->body_len = 0;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	cn->req.method = method;
	cn->req.accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	cn->req.content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                                   MHD_HTTP_HEADER_CONTENT_TYPE);
	cn->req.user_agent = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                                 MHD_HTTP_HEADER_USER_AGENT);
	if (cn->req.body == NULL)
		cn->req.body = k8c_xstrdup("");
	if (fiber_begin(cn->http) < 0) {
		k8c_api_respond_status(&cn->resp, 503, "ServiceUnavailable", NULL,
		                       "the server is shutting down");
		ret = queue_response(cn);
		k8c_api_response_free(&cn->resp);
		return ret;
	}
	cn->fiber = k8c_fiber_new(serve_fiber, cn);
	return drive(cn);
}

/* --- the loops and the acceptor ------------------------------------------------ */

/* Connections each loop holds, for the acceptor's choice. */
static void count_conn(void *cls, struct MHD_Connection *c, void **socket_context,
                       enum MHD_ConnectionNotificationCode toe)
{
	int *n = cls;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		__atomic_add_fetch(n, 1, __ATOMIC_RELAXED);
	else if (toe == MHD_CONNECTION_NOTIFY_CLOSED)
		__atomic_sub_fetch(n, 1, __ATOMIC_RELAXED);
}

/* One accept thread hands each connection to the loop holding the fewest.
 * (Loops sharing a listening socket balance badly: whichever loop wakes
 * first takes a burst of connects, and one loop ends up with most of a
 * client's pool.) */
static void *acceptor_main(void *arg)
{
	k8c_http_t *http = arg;
	int warned = 0;

	pthread_setname_np(pthread_self(), "k8c-accept");
	for (;;) {
		struct sockaddr_storage addr;
		socklen_t len = sizeof(addr);
		int fd = accept4(http->listen_fd, (struct sockaddr *)&addr, &len,
		                 SOCK_NONBLOCK | SOCK_CLOEXEC), best = 0;

		if (fd < 0) {
			if (__atomic_load_n(&http->stopping, __ATOMIC_ACQUIRE))
				break;
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
				if (!warned++)
					K8C_WARN("accept: %s: waiting for connections to end (raise the file limit?)",
					         strerror(errno));
				usleep(100 * 1000);
			} else if (errno != EINTR && errno != ECONNABORTED && errno != EAGAIN &&
			           errno != EPROTO) {
				K8C_ERROR("accept: %s", strerror(errno));
				usleep(100 * 1000);
			}
			continue;
		}
		warned = 0;
		for (int i = 1; i < http->n_loops; i++)
			if (__atomic_load_n(&http->loop_conns[i], __ATOMIC_RELAXED) <
			    __atomic_load_n(&http->loop_conns[best], __ATOMIC_RELAXED))
				best = i;
		/* MHD closes fd if it cannot take it */
		MHD_add_connection(http->loops[best], fd, (struct sockaddr *)&addr, len);
	}
	return NULL;
}

static unsigned loop_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 2 ? 2u : n > K8C_HTTP_MAX_LOOPS ? K8C_HTTP_MAX_LOOPS : (unsigned)n;
}

static int listen_on(const struct sockaddr_in *sin, k8c_error_t *err, const char *addr, int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1, e;

	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (const struct sockaddr *)sin, sizeof(*sin)) == 0 && listen(fd, 1024) == 0)
			return fd;
	}
	e = errno;
	if (fd >= 0)
		close(fd);
	return k8c_error_make(err, K8C_EIO,
	                      "cannot listen on %s:%d (%s): is another server using the port? (--port)",
	                      addr, port, strerror(e));
}

static void http_free(k8c_http_t *http)
{
	for (int i = 0; i < http->n_loops; i++)
		MHD_stop_daemon(http->loops[i]);
	if (http->listen_fd >= 0)
		close(http->listen_fd);
	pthread_cond_destroy(&http->park_cond);
	pthread_mutex_destroy(&http->park_lock);
	free(http);
}

int k8c_http_start(struct k8c_apiserver *srv, const char *addr, int port, k8c_http_t **out,
                   k8c_error_t *err)
{
	k8c_http_t *http = k8c_xcalloc(1, sizeof(*http));
	struct sockaddr_in sin = {0};
	socklen_t len = sizeof(sin);
	unsigned n = loop_threads();
	int ret;

	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		free(http);
		return k8c_error_make(err, K8C_EINVAL,
		                      "--bind-address %s is not an IPv4 address", addr);
	}
	http->srv = srv;
	http->listen_fd = -1;
	pthread_mutex_init(&http->park_lock, NULL);
	pthread_cond_init(&http->park_cond, NULL);
	if ((ret = listen_on(&sin, err, addr, port)) < 0) {
		http_free(http);
		return ret;
	}
	http->listen_fd = ret;
	getsockname(http->listen_fd, (struct sockaddr *)&sin, &len);
	http->port = ntohs(sin.sin_port);
	for (unsigned i = 0; i < n; i++) {
		http->loops[i] = MHD_start_daemon(
			MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
				MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ERROR_LOG,
			0, NULL, NULL, handle, http,
			MHD_OPTION_URI_LOG_CALLBACK, uri_log, http,
			MHD_OPTION_NOTIFY_COMPLETED, request_done, http,
			MHD_OPTION_NOTIFY_CONNECTION, count_conn, &http->loop_conns[i],
			MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)0,
			MHD_OPTION_CONNECTION_LIMIT, (unsigned int)10000,
			MHD_OPTION_END);
		if (http->loops[i] == NULL) {
			int e = errno;
			http_free(http);
			return k8c_error_make(err, K8C_EIO, "cannot start an HTTP loop: %s", strerror(e));
		}
		http->n_loops++;
	}
	if ((ret = pthread_create(&http->acceptor, NULL, acceptor_main, http)) != 0) {
		http_free(http);
		return k8c_error_make(err, K8C_EIO, "cannot start the accept thread: %s",
		                      strerror(ret));
	}
	k8c_http_streams_start(http);
	*out = http;
	return 0;
}

int k8c_http_port(const k8c_http_t *http)
{
	return http->port;
}

void k8c_http_stop(k8c_http_t *http)
{
	if (http == NULL)
		return;
	/* MHD must not be stopped with suspended connections: stop accepting,
	 * refuse new requests and stream parking, end the parked streams, let
	 * the requests under way finish (writes complete; sleeps end). */
	pthread_mutex_lock(&http->park_lock);
	__atomic_store_n(&http->stopping, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&http->park_lock);
	shutdown(http->listen_fd, SHUT_RDWR); /* accept returns */
	pthread_join(http->acceptor, NULL);
	k8c_http_streams_stop(http);
	pthread_mutex_lock(&http->park_lock);
	while (http->fibers > 0)
		pthread_cond_wait(&http->park_cond, &http->park_lock);
	/* and give the answers a moment to leave (a slow reader: 2 s) */
	{
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 2;
		while (http->sending > 0 &&
		       pthread_cond_timedwait(&http->park_cond, &http->park_lock, &until) == 0)
			;
	}
	pthread_mutex_unlock(&http->park_lock);
	http_free(http);
	k8c_fiber_pool_drain();
}
