/* HTTP front end on libmicrohttpd: an epoll event loop on a few threads
 * (one per CPU), each request served on a fiber (common/fiber.h).  A
 * request that waits — for its write's group commit, for a store across
 * the network, for a lock — yields its fiber: the connection is suspended
 * and the thread serves other connections until the wait's completion
 * resumes it.  Streams (http_stream.c) park the same way while a watch has
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
} conn_t;

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
		/* MHD ends no suspended connection, and the stop waits for every
		 * fiber to finish: a fiber still here is a bug; leak, not crash */
		K8C_ERROR("connection ended while its request was waiting");
		return;
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

static int park_conn(void *arg)
{
	conn_t *cn = arg;

	MHD_suspend_connection(cn->c);
	return 0;
}

static void wake_conn(void *arg)
{
	conn_t *cn = arg;

	MHD_resume_connection(cn->c);
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
	return ret;
}

/* Run the request's fiber until it is done or waits.  Waiting: park the
 * connection until the wait's completion resumes it. */
static enum MHD_Result drive(conn_t *cn)
{
	enum MHD_Result ret;

	for (;;) {
		k8c_completion_t *wait = k8c_fiber_resume(cn->fiber);

		if (wait == NULL)
			break;
		if (k8c_completion_arm(wait, park_conn, wake_conn, cn) == 0)
			return MHD_YES; /* wake_conn resumes the connection: MHD calls handle again */
	}
	k8c_fiber_free(cn->fiber);
	cn->fiber = NULL;
	fiber_end(cn->http);
	ret = queue_response(cn);
	k8c_api_response_free(&cn->resp);
	return ret;
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

/* --- the daemon ---------------------------------------------------------------- */

static unsigned loop_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 2 ? 2u : n > 16 ? 16u : (unsigned)n;
}

int k8c_http_start(struct k8c_apiserver *srv, const char *addr, int port, k8c_http_t **out,
                   k8c_error_t *err)
{
	k8c_http_t *http = k8c_xcalloc(1, sizeof(*http));
	struct sockaddr_in sin = {0};
	const union MHD_DaemonInfo *info;

	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		free(http);
		return k8c_error_make(err, K8C_EINVAL,
		                      "--bind-address %s is not an IPv4 address", addr);
	}
	http->srv = srv;
	pthread_mutex_init(&http->park_lock, NULL);
	pthread_cond_init(&http->park_cond, NULL);
	http->daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
			MHD_USE_ERROR_LOG,
		(uint16_t)port, NULL, NULL, handle, http,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
		MHD_OPTION_URI_LOG_CALLBACK, uri_log, http,
		MHD_OPTION_NOTIFY_COMPLETED, request_done, http,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)0,
		MHD_OPTION_THREAD_POOL_SIZE, loop_threads(),
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)10000,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)1024,
		MHD_OPTION_END);
	if (http->daemon == NULL) {
		int e = errno;
		pthread_cond_destroy(&http->park_cond);
		pthread_mutex_destroy(&http->park_lock);
		free(http);
		return k8c_error_make(err, K8C_EIO,
		                      "cannot listen on %s:%d (%s): is another server using the port? (--port)",
		                      addr, port, strerror(e));
	}
	info = MHD_get_daemon_info(http->daemon, MHD_DAEMON_INFO_BIND_PORT);
	http->port = info != NULL ? info->port : port;
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
	/* MHD must not be stopped with suspended connections: refuse new
	 * requests and stream parking, end the parked streams, let the
	 * requests under way finish (writes complete; sleeps end). */
	pthread_mutex_lock(&http->park_lock);
	http->stopping = 1;
	pthread_mutex_unlock(&http->park_lock);
	k8c_http_streams_stop(http);
	pthread_mutex_lock(&http->park_lock);
	while (http->fibers > 0)
		pthread_cond_wait(&http->park_cond, &http->park_lock);
	pthread_mutex_unlock(&http->park_lock);
	MHD_stop_daemon(http->daemon);
	pthread_cond_destroy(&http->park_cond);
	pthread_mutex_destroy(&http->park_lock);
	free(http);
	k8c_fiber_pool_drain();
}
