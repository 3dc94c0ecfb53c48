/* The kubelet's HTTP endpoint: container logs for the API server's
 * pods/log (kubectl logs), and /healthz.
 *
 *   GET /containerLogs/NAMESPACE/POD/CONTAINER?follow=&previous=&timestamps=
 *       &tailLines=&sinceSeconds=&sinceTime=&limitBytes=
 *
 * Which log file: the container's latest run (running, or ended and maybe
 * waiting to restart), or with previous=true the run before; a container
 * that has not run yet is a 400 "is waiting to start: REASON", as the
 * kubelet answers.  The API server has checked the pod and the options;
 * they are checked again here, cheaply, since anyone on the node's network
 * can ask.
 *
 * libmicrohttpd with a thread per connection (log requests are few, and a
 * follow can last as long as its container).  kl_log_copy (log_reader.c)
 * pushes text; MHD pulls it: a copy thread per request fills a small
 * buffer that the connection's content reader drains.  The reader notices
 * a client that hung up while a follow is idle and ends the copy. */
#define K8C_LOG_COMPONENT "kubelet"
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "common/log.h"
#include "common/mem.h"
#include "common/timestamp.h"
#include "kubelet/internal.h"
#include "kubelet/log_reader.h"

#define BUF_BYTES (64 * 1024)

#define MAX_ALLOWED 16

/* Nobody authenticates here yet (neither does the API server): only the
 * API server's addresses, the node's own and loopback may connect. */
struct kl_log_server {
	struct MHD_Daemon *mhd;
	struct in_addr allowed[MAX_ALLOWED];
	int n_allowed;
};

typedef struct log_request {
	k8c_kubelet_t *kl;            /* borrowed: the server stops before it goes */
	char *path;                   /* owned: the log file */
	char *uid, *container;        /* owned: whose log, for "still running?" */
	char id[K8C_RUNTIME_ID_MAX];  /* the runtime container whose log this is */
	int follow_running;           /* follow while that container runs */
	kl_log_options_t opt;
	int fd;                       /* the client's socket (hang-up checks) */

	pthread_mutex_t lock;
	pthread_cond_t cond;          /* data, room, done, cancel */
	char buf[BUF_BYTES];
	size_t len;
	int done, cancelled;
	pthread_t thread;
} log_request_t;

/* --- the copy thread ---------------------------------------------------------- */

static int copy_out(void *arg, const char *data, size_t n)
{
	log_request_t *lr = arg;

	pthread_mutex_lock(&lr->lock);
	while (n > 0) {
		size_t take;
		while (lr->len == sizeof(lr->buf) && !lr->cancelled)
			pthread_cond_wait(&lr->cond, &lr->lock);
		if (lr->cancelled)
			break;
		take = sizeof(lr->buf) - lr->len;
		if (take > n)
			take = n;
		memcpy(lr->buf + lr->len, data, take);
		lr->len += take;
		data += take;
		n -= take;
		pthread_cond_broadcast(&lr->cond);
	}
	pthread_mutex_unlock(&lr->lock);
	return n > 0 ? -1 : 0;
}

/* 1 while the container whose log is followed runs; 0 once it ended; -1:
 * the client is gone or the kubelet stops. */
static int copy_more(void *arg)
{
	log_request_t *lr = arg;
	k8c_kubelet_t *kl = lr->kl;
	int cancelled, more = 0;
	kpod_t *kp;

	pthread_mutex_lock(&lr->lock);
	cancelled = lr->cancelled;
	pthread_mutex_unlock(&lr->lock);
	if (cancelled)
		return -1;
	if (!lr->follow_running)
		return 0;
	pthread_mutex_lock(&kl->lock);
	if (kl->stop) {
		more = -1;
	} else if ((kp = k8c_strmap_get(&kl->pods, lr->uid)) != NULL) {
		kcontainer_t *kc = kl_container(kp, lr->container);
		more = kc != NULL && kc->running && strcmp(kc->id, lr->id) == 0;
	}
	pthread_mutex_unlock(&kl->lock);
	return more;
}

static void *copy_main(void *arg)
{
	log_request_t *lr = arg;
	int ret;

	pthread_setname_np(pthread_self(), "k8c-kl-log");
	ret = kl_log_copy(lr->path, &lr->opt, copy_out, copy_more, lr);
	if (ret < 0)
		K8C_WARN("log %s: %s", lr->path, strerror(-ret));
	pthread_mutex_lock(&lr->lock);
	lr->done = 1;
	pthread_cond_broadcast(&lr->cond);
	pthread_mutex_unlock(&lr->lock);
	return NULL;
}

/* --- the response: MHD pulls from the buffer ------------------------------------ */

static int client_gone(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLRDHUP};

	return fd >= 0 && poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

static ssize_t read_log(void *cls, uint64_t pos, char *out, size_t max)
{
	log_request_t *lr = cls;
	ssize_t n;

	(void)pos;
	pthread_mutex_lock(&lr->lock);
	while (lr->len == 0 && !lr->done) {
		struct timespec ts = k8c_timespec_in(CLOCK_REALTIME, 1000000000LL);
		if (pthread_cond_timedwait(&lr->cond, &lr->lock, &ts) == ETIMEDOUT &&
		    client_gone(lr->fd)) {
			lr->cancelled = 1;
			pthread_cond_broadcast(&lr->cond);
			pthread_mutex_unlock(&lr->lock);
			return MHD_CONTENT_READER_END_WITH_ERROR;
		}
	}
	if (lr->len == 0) {
		pthread_mutex_unlock(&lr->lock);
		return MHD_CONTENT_READER_END_OF_STREAM;
	}
	n = (ssize_t)(lr->len < max ? lr->len : max);
	memcpy(out, lr->buf, (size_t)n);
	memmove(lr->buf, lr->buf + n, lr->len - (size_t)n);
	lr->len -= (size_t)n;
	pthread_cond_broadcast(&lr->cond);
	pthread_mutex_unlock(&lr->lock);
	return n;
}

static void log_request_free(void *cls)
{
	log_request_t *lr = cls;

	pthread_mutex_lock(&lr->lock);
	lr->cancelled = 1;
	pthread_cond_broadcast(&lr->cond);
	pthread_mutex_unlock(&lr->lock);
	pthread_join(lr->thread, NULL);
	pthread_cond_destroy(&lr->cond);
	pthread_mutex_destroy(&lr->lock);
	free(lr->path);
	free(lr->uid);
	free(lr->container);
	free(lr);
}

/* --- requests ------------------------------------------------------------------------ */

static enum MHD_Result respond_text(struct MHD_Connection *c, unsigned code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum MHD_Result respond_text(struct MHD_Connection *c, unsigned code, const char *fmt, ...)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = k8c_xvasprintf(fmt, ap);
	va_end(ap);
	r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static int arg_bool(struct MHD_Connection *c, const char *key)
{
	const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, key);

	return v != NULL && (strcmp(v, "true") == 0 || strcmp(v, "True") == 0 || strcmp(v, "1") == 0);
}

/* An integer argument: 0 (absent: *out unchanged) or -1 (not a number). */
static int arg_int(struct MHD_Connection *c, const char *key, int64_t *out)
{
	const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, key);
	char *end;
	long long n;

	if (v == NULL)
		return 0;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0')
		return -1;
	*out = n;
	return 0;
}

static enum MHD_Result container_logs(k8c_kubelet_t *kl, struct MHD_Connection *c, const char *ns,
                                      const char *pod, const char *container)
{
	kl_log_options_t opt = {.tail_lines = -1};
	int previous = arg_bool(c, "previous"), attempt = -1, running = 0;
	int64_t since_s = 0;
	const char *since_time = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "sinceTime");
	char id[K8C_RUNTIME_ID_MAX] = "", reason[64] = "", uid[128] = "";
	const union MHD_ConnectionInfo *ci;
	k8c_strmap_entry_t *e;
	log_request_t *lr;
	struct MHD_Response *r;
	enum MHD_Result ret;
	kpod_t *found = NULL;
	size_t i;

	opt.follow = arg_bool(c, "follow");
	opt.timestamps = arg_bool(c, "timestamps");
	if (arg_int(c, "tailLines", &opt.tail_lines) < 0 || arg_int(c, "limitBytes", &opt.limit_bytes) < 0 ||
	    arg_int(c, "sinceSeconds", &since_s) < 0)
		return respond_text(c, MHD_HTTP_BAD_REQUEST,
		                    "tailLines, limitBytes and sinceSeconds must be integers");
	if (opt.tail_lines < -1 || opt.limit_bytes < 0 || since_s < 0)
		return respond_text(c, MHD_HTTP_BAD_REQUEST,
		                    "tailLines, limitBytes and sinceSeconds must not be negative");
	if (since_s > 0) /* (a century at most: no overflow) */
		opt.since_ns = k8c_time_now_ns() -
		               (since_s < 3153600000LL ? since_s : 3153600000LL) * 1000000000LL;
	if (since_time != NULL) {
		k8c_error_t err;
		if (k8c_time_parse(since_time, &opt.since_ns, &err) < 0)
			return respond_text(c, MHD_HTTP_BAD_REQUEST, "sinceTime: %s", err.message);
	}

	pthread_mutex_lock(&kl->lock);
	for (e = k8c_strmap_first(&kl->pods, &i); e != NULL; e = k8c_strmap_next(&kl->pods, e, &i)) {
		kpod_t *kp = e->value;
		if (!kp->gone && strcmp(kp->ns, ns) == 0 && strcmp(kp->name, pod) == 0) {
			found = kp;
			break;
		}
	}
	if (found != NULL) {
		kcontainer_t *kc = kl_container(found, container);
		snprintf(uid, sizeof(uid), "%s", found->uid);
		if (kc == NULL) {
			found = NULL;
		} else if (previous) {
			/* lastState: while the container waits to restart, the run
			 * that just ended, else the run before the current one */
			attempt = kc->waiting_reason[0] && kc->id[0] && !kc->running ? kc->log_attempt
			                                                            : kc->log_prev_attempt;
		} else {
			attempt = kc->log_attempt;
			running = kc->running;
			snprintf(id, sizeof(id), "%s", kc->id);
			snprintf(reason, sizeof(reason), "%s",
			         kc->waiting_reason[0] ? kc->waiting_reason
			         : (!kc->is_init && found->n_init > 0) ? "PodInitializing"
			                                               : "ContainerCreating");
		}
	}
	pthread_mutex_unlock(&kl->lock);
	if (found == NULL && uid[0] == '\0')
		return respond_text(c, MHD_HTTP_NOT_FOUND, "pod \"%s\" does not exist", pod);
	if (found == NULL)
		return respond_text(c, MHD_HTTP_NOT_FOUND, "container \"%s\" not found in pod \"%s\"",
		                    container, pod);
	if (attempt < 0 && previous)
		return respond_text(c, MHD_HTTP_BAD_REQUEST,
		                    "previous terminated container \"%s\" in pod \"%s\" not found", container, pod);
	if (attempt < 0)
		return respond_text(c, MHD_HTTP_BAD_REQUEST,
		                    "container \"%s\" in pod \"%s\" is waiting to start: %s", container, pod,
		                    reason);

	lr = k8c_xcalloc(1, sizeof(*lr));
	lr->kl = kl;
	lr->uid = k8c_xstrdup(uid);
	lr->container = k8c_xstrdup(container);
	snprintf(lr->id, sizeof(lr->id), "%s", id);
	lr->follow_running = opt.follow && !previous && running;
	lr->opt = opt;
	lr->path = kl_log_path(kl, uid, container, attempt);
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	lr->fd = ci != NULL ? ci->connect_fd : -1;
	pthread_mutex_init(&lr->lock, NULL);
	pthread_cond_init(&lr->cond, NULL);
	if (pthread_create(&lr->thread, NULL, copy_main, lr) != 0) {
		pthread_cond_destroy(&lr->cond);
		pthread_mutex_destroy(&lr->lock);
		free(lr->path);
		free(lr->uid);
		free(lr->container);
		free(lr);
		return respond_text(c, MHD_HTTP_SERVICE_UNAVAILABLE, "no thread for the log copy");
	}
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024, read_log, lr,
	                                      log_request_free);
	if (r == NULL) {
		log_request_free(lr);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain");
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
	k8c_kubelet_t *kl = cls;
	char ns[256], pod[256], container[256], rest;

	(void)version;
	(void)upload;
	if (*con_cls == NULL) { /* headers only: wait for the end of the request */
		*con_cls = kl;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		*upload_size = 0; /* no request here has a body */
		return MHD_YES;
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return respond_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET is served here");
	if (strcmp(url, "/healthz") == 0)
		return respond_text(c, MHD_HTTP_OK, "ok");
	if (sscanf(url, "/containerLogs/%255[^/]/%255[^/]/%255[^/]%c", ns, pod, container, &rest) == 3)
		return container_logs(kl, c, ns, pod, container);
	return respond_text(c, MHD_HTTP_NOT_FOUND, "404 page not found");
}

static enum MHD_Result accept_peer(void *cls, const struct sockaddr *addr, socklen_t len)
{
	const struct kl_log_server *ls = cls;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)addr;

	if (addr->sa_family != AF_INET || len < (socklen_t)sizeof(*sin))
		return MHD_NO;
	if ((ntohl(sin->sin_addr.s_addr) >> 24) == 127)
		return MHD_YES;
	for (int i = 0; i < ls->n_allowed; i++)
		if (ls->allowed[i].s_addr == sin->sin_addr.s_addr)
			return MHD_YES;
	return MHD_NO;
}

/* Allow addr, and every IPv4 address the API server's host name has. */
static void allow_hosts(struct kl_log_server *ls, const char *node_ip, const char *server_url)
{
	char host[256] = "";
	struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res = NULL;

	if (inet_pton(AF_INET, node_ip, &ls->allowed[0]) == 1)
		ls->n_allowed = 1;
	if (server_url == NULL || sscanf(server_url, "%*[a-z]://%255[^:/]", host) != 1)
		return;
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return;
	for (struct addrinfo *ai = res; ai != NULL && ls->n_allowed < MAX_ALLOWED; ai = ai->ai_next)
		ls->allowed[ls->n_allowed++] = ((struct sockaddr_in *)ai->ai_addr)->sin_addr;
	freeaddrinfo(res);
}

int kl_log_server_start(k8c_kubelet_t *kl, k8c_error_t *err)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	const union MHD_DaemonInfo *di;
	struct kl_log_server *ls;

	if (kl->cfg.port < 0)
		return 0;
	if (kl->cfg.port > 65535)
		return k8c_error_make(err, K8C_EINVAL, "--kubelet-port %d is not a TCP port", kl->cfg.port);
	if (inet_pton(AF_INET, kl->node_ip, &sin.sin_addr) != 1)
		sin.sin_addr.s_addr = htonl(INADDR_ANY); /* not an IPv4 address: every address */
	sin.sin_port = htons((uint16_t)kl->cfg.port);
	ls = k8c_xcalloc(1, sizeof(*ls));
	allow_hosts(ls, kl->node_ip, kl->cfg.server_url);
	ls->mhd = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
	                                   MHD_USE_ERROR_LOG,
	                           0, accept_peer, ls, handle, kl, MHD_OPTION_SOCK_ADDR, &sin,
	                           MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)0,
	                           MHD_OPTION_CONNECTION_LIMIT, (unsigned int)512, MHD_OPTION_END);
	if (ls->mhd == NULL) {
		int e = errno;
		free(ls);
		return k8c_error_make(err, K8C_EIO,
		                      "kubelet port %s:%d: %s (another kubelet? pick a free one with --kubelet-port, or 0 for any)",
		                      kl->node_ip, kl->cfg.port, e ? strerror(e) : "cannot listen");
	}
	di = MHD_get_daemon_info(ls->mhd, MHD_DAEMON_INFO_BIND_PORT);
	kl->port = di != NULL ? di->port : kl->cfg.port;
	kl->log_server = ls;
	return 0;
}

void kl_log_server_stop(k8c_kubelet_t *kl)
{
	if (kl->log_server == NULL)
		return;
	/* ends every connection: their copies see the cancel and return */
	MHD_stop_daemon(kl->log_server->mhd);
	free(kl->log_server);
	kl->log_server = NULL;
}
