/* tests/bench/bench_api: A small keep-alive HTTP/1.1 client (Content-Length and chunked replies). */
#include "config.h"

#include "bench_api.h"

/* ---- a small keep-alive HTTP/1.1 client -------------------------------- */


void hc_init(hconn_t *c, int port)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->port = port;
	c->in_cap = c->out_cap = c->body_cap = 16384;
	c->in = xmalloc(c->in_cap);
	c->out = xmalloc(c->out_cap);
	c->body = xmalloc(c->body_cap);
}

void hc_close(hconn_t *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->in_off = c->in_len = 0;
}

void hc_free(hconn_t *c)
{
	hc_close(c);
	free(c->in);
	free(c->out);
	free(c->body);
}

int tcp_connect(int port)
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

int write_all(int fd, const char *p, size_t n)
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
int hc_request(hconn_t *c, const char *method, const char *path, const char *body,
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
