/* HTTP front end on libmicrohttpd.  Thread per connection: handlers block
 * freely (durable writes, watches).  The raw URI is captured through the
 * URI log callback so the query string is decoded as Go clients encode it
 * ('+' is a space). */
#define K8C_LOG_COMPONENT "http"
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "apiserver/api.h"
#include "apiserver/http.h"
#include "common/log.h"
#include "common/mem.h"

struct k8c_http {
	struct MHD_Daemon *daemon;
	struct k8c_apiserver *srv;
	int port;
};

typedef struct conn {
	k8c_api_request_t req;
	size_t body_cap;
	int started;   /* the first call (headers only) has been seen */
} conn_t;

typedef struct stream_state {
	k8c_api_stream_t s;
	char *chunk;   /* pending data not yet handed to MHD */
	size_t len, off;
	int ended;
} stream_state_t;

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

	parse_uri(&cn->req, uri);
	return cn;
}

static void request_done(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	conn_t *cn = *con_cls;

	if (cn != NULL) {
		k8c_api_request_free(&cn->req);
		free(cn);
		*con_cls = NULL;
	}
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	stream_state_t *st = cls;

	while (st->off >= st->len) {
		long n;
		free(st->chunk);
		st->chunk = NULL;
		st->len = st->off = 0;
		if (st->ended)
			return MHD_CONTENT_READER_END_OF_STREAM;
		n = st->s.next(st->s.ctx, &st->chunk);
		if (n < 0) {
			st->ended = 1;
			free(st->chunk);
			st->chunk = NULL;
			return n == -2 ? MHD_CONTENT_READER_END_WITH_ERROR : MHD_CONTENT_READER_END_OF_STREAM;
		}
		if (n == 0) {
			free(st->chunk);
			st->chunk = NULL;
			return 0; /* next() already waited a while: let MHD poll again */
		}
		st->len = (size_t)n;
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

	if (st->s.free_fn != NULL)
		st->s.free_fn(st->s.ctx);
	free(st->chunk);
	free(st);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version,
                              const char *upload, size_t *upload_size, void **con_cls)
{
	k8c_http_t *http = cls;
	conn_t *cn = *con_cls;
	k8c_api_response_t resp = {0};
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (cn == NULL) /* no URI seen: should not happen */
		return MHD_NO;
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

	k8c_api_serve(http->srv, &cn->req, &resp);

	if (resp.stream.next != NULL) {
		stream_state_t *st = k8c_xcalloc(1, sizeof(*st));
		st->s = resp.stream;
		resp.stream.free_fn = NULL; /* now owned by st */
		r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, stream_read,
		                                      st, stream_free);
	} else {
		r = MHD_create_response_from_buffer(resp.body_len, resp.body, MHD_RESPMEM_MUST_FREE);
		resp.body = NULL; /* now owned by MHD */
	}
	if (r == NULL) {
		k8c_api_response_free(&resp);
		return MHD_NO;
	}
	if (resp.content_type != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp.content_type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache, private");
	if (resp.warning != NULL)
		MHD_add_response_header(r, "Warning", resp.warning);
	ret = MHD_queue_response(c, (unsigned)resp.code, r);
	MHD_destroy_response(r);
	k8c_api_response_free(&resp);
	return ret;
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
	http->daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
			MHD_USE_POLL | MHD_USE_ITC | MHD_USE_ERROR_LOG,
		(uint16_t)port, NULL, NULL, handle, http,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
		MHD_OPTION_URI_LOG_CALLBACK, uri_log, http,
		MHD_OPTION_NOTIFY_COMPLETED, request_done, http,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)0,
		MHD_OPTION_THREAD_STACK_SIZE, (size_t)(256 * 1024),
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)10000,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)1024,
		MHD_OPTION_END);
	if (http->daemon == NULL) {
		free(http);
		return k8c_error_make(err, K8C_EIO,
		                      "cannot listen on %s:%d (%s): is another server using the port? (--port)",
		                      addr, port, strerror(errno));
	}
	info = MHD_get_daemon_info(http->daemon, MHD_DAEMON_INFO_BIND_PORT);
	http->port = info != NULL ? info->port : port;
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
	MHD_stop_daemon(http->daemon);
	free(http);
}
