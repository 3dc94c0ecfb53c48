/* pods/log (kubectl logs): the API server checks the request — the pod,
 * its container, the PodLogOptions — as Kubernetes does, then relays the
 * answer of the kubelet of the pod's node:
 *
 *   GET http://NODE-ADDRESS:KUBELET-PORT/containerLogs/NS/POD/CONTAINER?...
 *
 * (the address from the Node's status.addresses, the port from its
 * status.daemonEndpoints).  A thread per request reads from the kubelet
 * with libcurl and queues what comes; the request's fiber waits for the
 * kubelet's status line, then answers with a stream that the transport
 * drains, parked while nothing comes (a quiet `kubectl logs -f`).  A
 * kubelet error (400 "container ... is waiting to start") becomes a Status
 * with the kubelet's words, as in Kubernetes. */
#define K8C_LOG_COMPONENT "apiserver"
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "apiserver/field_errors.h"
#include "apiserver/kinds/util.h"
#include "apiserver/objects.h"
#include "client/client.h"
#include "common/completion.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/timestamp.h"

#define QUEUE_MAX (1u << 20)  /* bytes queued before the kubelet is read no further */
#define ERROR_BODY_MAX 4096
#define HEADER_WAIT_NS (30LL * 1000000000LL)

typedef struct chunk {
	struct chunk *next;
	char *data; /* owned */
	size_t len;
} chunk_t;

typedef struct log_proxy {
	k8c_apiserver_t *srv;       /* borrowed: it waits for every proxy when it stops */
	char *url;                  /* owned */
	int64_t start_ns;           /* monotonic: the kubelet gets HEADER_WAIT_NS to answer */
	k8c_completion_t answered;  /* the kubelet's status is known (and an error's body) */
	pthread_mutex_t lock;
	pthread_cond_t room;        /* the queue shrank, or cancelled */
	int refs;                   /* the thread's and the request's (then the stream's) */
	long code;                  /* the kubelet's HTTP status, 0 when it could not be reached */
	int answered_done;
	char curl_error[CURL_ERROR_SIZE];
	char *error_body;           /* owned, a non-200 answer's text */
	size_t error_len;
	chunk_t *head, *tail;       /* text for the client */
	size_t queued;
	int ended, failed;          /* the transfer is over; failed: cut short */
	int cancelled;              /* the client is gone */
	void (*wake)(void *arg);    /* the parked transport's */
	void *wake_arg;
} log_proxy_t;

static void proxy_release(log_proxy_t *lp)
{
	int last;

	pthread_mutex_lock(&lp->lock);
	last = --lp->refs == 0;
	pthread_mutex_unlock(&lp->lock);
	if (!last)
		return;
	while (lp->head != NULL) {
		chunk_t *c = lp->head;
		lp->head = c->next;
		free(c->data);
		free(c);
	}
	k8c_completion_destroy(&lp->answered);
	pthread_cond_destroy(&lp->room);
	pthread_mutex_destroy(&lp->lock);
	free(lp->error_body);
	free(lp->url);
	free(lp);
}

/* lp->lock held. */
static void notify(log_proxy_t *lp)
{
	void (*wake)(void *) = lp->wake;

	lp->wake = NULL;
	if (wake != NULL)
		wake(lp->wake_arg);
}

/* lp->lock held. */
static void answer(log_proxy_t *lp)
{
	if (!lp->answered_done) {
		lp->answered_done = 1;
		k8c_completion_done(&lp->answered);
	}
}

static size_t on_header(char *line, size_t size, size_t n, void *arg)
{
	log_proxy_t *lp = arg;
	size_t len = size * n;

	if (len <= 2 && (line[0] == '\r' || line[0] == '\n')) { /* the end of the headers */
		pthread_mutex_lock(&lp->lock);
		if (lp->code / 100 == 2)
			answer(lp); /* an error waits for its body */
		pthread_mutex_unlock(&lp->lock);
	} else if (len > 5 && strncmp(line, "HTTP/", 5) == 0) {
		const char *sp = memchr(line, ' ', len);
		pthread_mutex_lock(&lp->lock);
		lp->code = sp != NULL ? strtol(sp + 1, NULL, 10) : 0;
		pthread_mutex_unlock(&lp->lock);
	}
	return len;
}

static size_t on_data(char *data, size_t size, size_t n, void *arg)
{
	log_proxy_t *lp = arg;
	size_t len = size * n;
	chunk_t *c;

	pthread_mutex_lock(&lp->lock);
	if (lp->code / 100 != 2) {
		size_t take = ERROR_BODY_MAX - lp->error_len;
		if (take > len)
			take = len;
		lp->error_body = k8c_xrealloc(lp->error_body, lp->error_len + take + 1);
		memcpy(lp->error_body + lp->error_len, data, take);
		lp->error_len += take;
		lp->error_body[lp->error_len] = '\0';
		pthread_mutex_unlock(&lp->lock);
		return len;
	}
	while (lp->queued >= QUEUE_MAX && !lp->cancelled)
		pthread_cond_wait(&lp->room, &lp->lock);
	if (lp->cancelled) {
		pthread_mutex_unlock(&lp->lock);
		return 0; /* ends the transfer */
	}
	c = k8c_xmalloc(sizeof(*c));
	c->next = NULL;
	c->data = k8c_xmalloc(len);
	memcpy(c->data, data, len);
	c->len = len;
	if (lp->tail != NULL)
		lp->tail->next = c;
	else
		lp->head = c;
	lp->tail = c;
	lp->queued += len;
	notify(lp);
	pthread_mutex_unlock(&lp->lock);
	return len;
}

/* Called at least once a second, also while the kubelet sends nothing:
 * ends the transfer when the client went away, the server stops, or the
 * kubelet has not answered in HEADER_WAIT_NS (the request waits for it). */
static int on_progress(void *arg, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	log_proxy_t *lp = arg;
	int stop;

	(void)a, (void)b, (void)c, (void)d;
	pthread_mutex_lock(&lp->lock);
	stop = lp->cancelled || __atomic_load_n(&lp->srv->shutting_down, __ATOMIC_RELAXED);
	if (!stop && !lp->answered_done && k8c_time_monotonic_ns() - lp->start_ns > HEADER_WAIT_NS) {
		snprintf(lp->curl_error, sizeof(lp->curl_error),
		         "the kubelet did not answer within %lld s", HEADER_WAIT_NS / 1000000000LL);
		stop = 1;
	}
	pthread_mutex_unlock(&lp->lock);
	return stop;
}

static void *proxy_main(void *arg)
{
	log_proxy_t *lp = arg;
	CURL *h = curl_easy_init();
	CURLcode rc = CURLE_FAILED_INIT;
	k8c_apiserver_t *srv;

	pthread_setname_np(pthread_self(), "k8c-pod-log");
	if (h != NULL) {
		curl_easy_setopt(h, CURLOPT_URL, lp->url);
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
		curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
		curl_easy_setopt(h, CURLOPT_ERRORBUFFER, lp->curl_error);
		curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(h, CURLOPT_HEADERDATA, lp);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, lp);
		curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(h, CURLOPT_XFERINFODATA, lp);
		curl_easy_setopt(h, CURLOPT_USERAGENT, "k8c-apiserver/" PACKAGE_VERSION);
		rc = curl_easy_perform(h);
		curl_easy_cleanup(h);
	}
	pthread_mutex_lock(&lp->lock);
	if (rc != CURLE_OK && lp->curl_error[0] == '\0')
		snprintf(lp->curl_error, sizeof(lp->curl_error), "%s", curl_easy_strerror(rc));
	if (rc != CURLE_OK && !lp->answered_done)
		lp->code = 0; /* no usable answer */
	lp->ended = 1;
	lp->failed = rc != CURLE_OK;
	answer(lp);
	notify(lp);
	pthread_mutex_unlock(&lp->lock);
	srv = lp->srv;
	proxy_release(lp);
	__atomic_sub_fetch(&srv->log_proxies, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* --- the stream the transport drains ----------------------------------------- */

static long stream_next(void *ctx, char **buf)
{
	log_proxy_t *lp = ctx;
	chunk_t *c;
	long n;

	pthread_mutex_lock(&lp->lock);
	lp->wake = NULL;
	c = lp->head;
	if (c == NULL) {
		n = lp->ended ? (lp->failed ? -2 : -1) : 0;
		pthread_mutex_unlock(&lp->lock);
		return n;
	}
	lp->head = c->next;
	if (lp->head == NULL)
		lp->tail = NULL;
	lp->queued -= c->len;
	pthread_cond_signal(&lp->room);
	pthread_mutex_unlock(&lp->lock);
	*buf = c->data;
	n = (long)c->len;
	free(c);
	return n;
}

static int stream_arm(void *ctx, int (*park)(void *arg), void (*wake)(void *arg), void *arg,
                      int64_t *wake_at_ns)
{
	log_proxy_t *lp = ctx;
	int ret = 0;

	pthread_mutex_lock(&lp->lock);
	if (lp->head != NULL || lp->ended) {
		ret = 1;
	} else {
		*wake_at_ns = 0;
		if (park(arg) < 0) {
			ret = -1;
		} else {
			lp->wake = wake;
			lp->wake_arg = arg;
		}
	}
	pthread_mutex_unlock(&lp->lock);
	return ret;
}

/* The transport is done (the end, or the client went away). */
static void stream_free(void *ctx)
{
	log_proxy_t *lp = ctx;

	pthread_mutex_lock(&lp->lock);
	lp->wake = NULL;
	lp->cancelled = 1;
	pthread_cond_broadcast(&lp->room);
	pthread_mutex_unlock(&lp->lock);
	proxy_release(lp);
}

/* --- checking the request -------------------------------------------------------- */

/* Visit the pod's container names (init, regular, ephemeral): 1 when name
 * is one; with name NULL, collect them all in "[a b]" form in *all. */
static int pod_container(const cJSON *pod, const char *name, char **all, int *n_regular,
                         const char **only)
{
	static const char *const lists[] = {"spec.initContainers", "spec.containers",
	                                    "spec.ephemeralContainers"};
	size_t len = 0;
	int found = 0;

	*n_regular = 0;
	*only = NULL;
	if (all != NULL)
		*all = k8c_xstrdup("[");
	for (size_t l = 0; l < 3; l++) {
		const cJSON *c;
		cJSON_ArrayForEach(c, k8c_jget(pod, lists[l])) {
			const char *cn = k8c_jstr(c, "name");
			if (cn == NULL)
				continue;
			if (l == 1) {
				++*n_regular;
				*only = cn;
			}
			if (name != NULL && strcmp(cn, name) == 0)
				found = 1;
			if (all != NULL) {
				char *more = k8c_xasprintf("%s%s%s", *all, len ? " " : "", cn);
				free(*all);
				*all = more;
				len++;
			}
		}
	}
	if (all != NULL) {
		char *more = k8c_xasprintf("%s]", *all);
		free(*all);
		*all = more;
	}
	return found;
}

/* An integer option: 1 set, 0 absent, -1 not an integer (answered). */
static int int_option(const k8c_api_request_t *req, const char *key, long long *out,
                      k8c_api_response_t *resp)
{
	const char *v = k8c_api_param(req, key);
	char *end;

	if (v == NULL)
		return 0;
	errno = 0;
	*out = strtoll(v, &end, 10);
	if (!(*v == '-' || (*v >= '0' && *v <= '9')) || *end != '\0' || errno != 0) {
		k8c_api_respond_status(resp, 400, "BadRequest", NULL,
		                       "%s: invalid value \"%s\": must be an integer", key, v);
		return -1;
	}
	return 1;
}

/* Append "&key=value" for a set option. */
static void add_query(char **q, const char *key, const char *value)
{
	char *more;

	if (value == NULL)
		return;
	more = k8c_xasprintf("%s%s%s=%s", *q, **q ? "&" : "", key, value);
	free(*q);
	*q = more;
}

static void add_int_query(char **q, const char *key, long long value)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", value);
	add_query(q, key, buf);
}

/* An address fit for a URL: IPv4, IPv6 or a host name. */
static int plain_address(const char *a)
{
	for (; *a; a++)
		if (!((*a >= '0' && *a <= '9') || (*a >= 'a' && *a <= 'z') || (*a >= 'A' && *a <= 'Z') ||
		      *a == '.' || *a == ':' || *a == '-'))
			return 0;
	return 1;
}

/* Where the node's kubelet answers: "http://ADDRESS:PORT" (caller frees),
 * or NULL with the Status in resp. */
static char *kubelet_base(k8c_apiserver_t *srv, const char *node_name, k8c_api_response_t *resp)
{
	static const char *const prefer[] = {"InternalIP", "ExternalIP", "Hostname"};
	const k8c_kind_t *nodes = k8c_kind_by_resource("", "v1", "nodes");
	_cleanup_json_ cJSON *node = NULL;
	const char *addr = NULL;
	long long port;
	k8c_error_t err;
	int ret;

	if (nodes == NULL || (ret = k8c_storage_get(srv, nodes, NULL, node_name, &node, &err)) < 0) {
		if (nodes == NULL)
			k8c_api_respond_status(resp, 500, "InternalError", NULL, "no nodes resource");
		else
			k8c_respond_error(resp, nodes, node_name, ret, &err);
		return NULL;
	}
	for (size_t p = 0; p < 3 && addr == NULL; p++) {
		const cJSON *a;
		cJSON_ArrayForEach(a, k8c_jget(node, "status.addresses"))
			if (k8c_jstr(a, "type") != NULL && strcmp(k8c_jstr(a, "type"), prefer[p]) == 0 &&
			    k8c_jstr(a, "address") != NULL && *k8c_jstr(a, "address") &&
			    plain_address(k8c_jstr(a, "address"))) {
				addr = k8c_jstr(a, "address");
				break;
			}
	}
	if (addr == NULL) {
		k8c_api_respond_status(resp, 500, "InternalError", NULL,
		                       "no preferred addresses found for node \"%s\": its kubelet has not reported any",
		                       node_name);
		return NULL;
	}
	port = k8c_jint(node, "status.daemonEndpoints.kubeletEndpoint.Port", 0);
	if (port <= 0 || port > 65535)
		port = 10250;
	return strchr(addr, ':') != NULL ? k8c_xasprintf("http://[%s]:%lld", addr, port)
	                                 : k8c_xasprintf("http://%s:%lld", addr, port);
}

/* The Status for a kubelet that did not answer 200. */
static void respond_kubelet_error(log_proxy_t *lp, k8c_api_response_t *resp)
{
	const char *reason;
	int code = (int)lp->code;
	char *text = lp->error_body;
	size_t n = lp->error_len;

	if (code == 0) {
		k8c_api_respond_status(resp, 500, "InternalError", NULL, "Get \"%s\": %s", lp->url,
		                       lp->curl_error);
		return;
	}
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' '))
		text[--n] = '\0';
	switch (code) {
	case 400: reason = "BadRequest"; break;
	case 403: reason = "Forbidden"; break;
	case 404: reason = "NotFound"; break;
	case 503: reason = "ServiceUnavailable"; break;
	default: reason = "InternalError"; code = code >= 500 ? code : 500; break;
	}
	k8c_api_respond_status(resp, code, reason, NULL, "%s%s",
	                       strcmp(reason, "InternalError") == 0 ? "Internal error occurred: " : "",
	                       n > 0 ? text : "the node's kubelet rejected the request");
}

void k8c_handle_pod_log(k8c_apiserver_t *srv, const k8c_api_request_t *req, const k8c_route_t *r,
                        k8c_api_response_t *resp)
{
	static const char *const bools[] = {"follow", "previous", "timestamps"};
	_cleanup_json_ cJSON *pod = NULL;
	_cleanup_free_ char *names = NULL, *base = NULL, *query = k8c_xstrdup("");
	const char *container = k8c_api_param(req, "container"), *only, *node;
	const char *since_time = k8c_api_param(req, "sinceTime");
	long long tail = 0, limit = 0, since = 0;
	int has_tail, has_limit, has_since, n_regular;
	k8c_field_errors_t errs = K8C_FIELD_ERRORS_INIT;
	k8c_error_t err;
	log_proxy_t *lp;
	pthread_t th;
	int ret;

	if (strcmp(req->method, "GET") != 0) {
		k8c_api_respond_status(resp, 405, "MethodNotAllowed", NULL,
		                       "the server does not allow this method on the requested resource");
		return;
	}
	for (size_t i = 0; i < 3; i++) {
		static const char *const ok[] = {"1", "t", "T", "TRUE", "true", "True",
		                                 "0", "f", "F", "FALSE", "false", "False"};
		const char *v = k8c_api_param(req, bools[i]);
		size_t j = 0;
		while (v != NULL && j < 12 && strcmp(v, ok[j]) != 0)
			j++;
		if (v != NULL && j == 12) {
			k8c_api_respond_status(resp, 400, "BadRequest", NULL,
			                       "%s: invalid value \"%s\": must be a boolean", bools[i], v);
			return;
		}
	}
	if ((has_tail = int_option(req, "tailLines", &tail, resp)) < 0 ||
	    (has_limit = int_option(req, "limitBytes", &limit, resp)) < 0 ||
	    (has_since = int_option(req, "sinceSeconds", &since, resp)) < 0)
		return;
	if (since_time != NULL) {
		int64_t ns;
		if (k8c_time_parse(since_time, &ns, &err) < 0) {
			k8c_api_respond_status(resp, 400, "BadRequest", NULL, "sinceTime: %s", err.message);
			return;
		}
	}
	/* Kubernetes' ValidatePodLogOptions */
	if (has_tail && tail < 0)
		k8c_field_error_add_raw(&errs, K8C_FIELD_INVALID, "tailLines", k8c_api_param(req, "tailLines"),
		                        "must be greater than or equal to 0");
	if (has_limit && limit < 1)
		k8c_field_error_add_raw(&errs, K8C_FIELD_INVALID, "limitBytes",
		                        k8c_api_param(req, "limitBytes"), "must be greater than 0");
	if (has_since && since_time != NULL)
		k8c_field_error_add(&errs, K8C_FIELD_FORBIDDEN, "", NULL,
		                    "at most one of `sinceTime` or `sinceSeconds` may be specified");
	else if (has_since && since < 1)
		k8c_field_error_add_raw(&errs, K8C_FIELD_INVALID, "sinceSeconds",
		                        k8c_api_param(req, "sinceSeconds"), "must be greater than 0");
	if (errs.n > 0) {
		k8c_api_respond_json(resp, 422, k8c_field_errors_status(&errs, "", "PodLogOptions", r->name));
		k8c_field_errors_free(&errs);
		return;
	}

	if ((ret = k8c_storage_get(srv, r->kind, r->ns, r->name, &pod, &err)) < 0) {
		k8c_respond_error(resp, r->kind, r->name, ret, &err);
		return;
	}
	if (container == NULL || *container == '\0') {
		pod_container(pod, NULL, &names, &n_regular, &only);
		if (n_regular != 1) {
			if (n_regular == 0)
				k8c_api_respond_status(resp, 400, "BadRequest", NULL,
				                       "a container name must be specified for pod %s", r->name);
			else
				k8c_api_respond_status(resp, 400, "BadRequest", NULL,
				                       "a container name must be specified for pod %s, choose one of: %s",
				                       r->name, names);
			return;
		}
		container = only;
	} else if (!pod_container(pod, container, NULL, &n_regular, &only)) {
		k8c_api_respond_status(resp, 400, "BadRequest", NULL, "container %s is not valid for pod %s",
		                       container, r->name);
		return;
	}
	node = k8c_jstr(pod, "spec.nodeName");
	if (node == NULL || *node == '\0') {
		/* not scheduled: nothing has run, the log is empty (as in Kubernetes) */
		k8c_api_respond_raw(resp, 200, "text/plain", k8c_xstrdup(""), 0);
		return;
	}
	if ((base = kubelet_base(srv, node, resp)) == NULL)
		return;

	for (size_t i = 0; i < 3; i++) {
		const char *v = k8c_api_param(req, bools[i]);
		if (v != NULL && strchr("1tT", v[0]) != NULL)
			add_query(&query, bools[i], "true");
	}
	if (has_tail)
		add_int_query(&query, "tailLines", tail);
	if (has_limit)
		add_int_query(&query, "limitBytes", limit);
	if (has_since)
		add_int_query(&query, "sinceSeconds", since);
	if (since_time != NULL) {
		_cleanup_free_ char *esc = k8c_client_escape(since_time);
		add_query(&query, "sinceTime", esc);
	}

	lp = k8c_xcalloc(1, sizeof(*lp));
	lp->url = k8c_xasprintf("%s/containerLogs/%s/%s/%s%s%s", base, r->ns, r->name, container,
	                        *query ? "?" : "", query);
	lp->refs = 2;
	lp->srv = srv;
	lp->start_ns = k8c_time_monotonic_ns();
	k8c_completion_init(&lp->answered);
	pthread_mutex_init(&lp->lock, NULL);
	pthread_cond_init(&lp->room, NULL);
	__atomic_add_fetch(&srv->log_proxies, 1, __ATOMIC_ACQUIRE);
	if (pthread_create(&th, NULL, proxy_main, lp) != 0) {
		__atomic_sub_fetch(&srv->log_proxies, 1, __ATOMIC_RELEASE);
		lp->refs = 1;
		proxy_release(lp);
		k8c_api_respond_status(resp, 503, "ServiceUnavailable", NULL, "no thread to read the log");
		return;
	}
	pthread_detach(th);
	k8c_completion_wait(&lp->answered); /* on a fiber: its thread serves others meanwhile */
	pthread_mutex_lock(&lp->lock);
	ret = lp->code / 100 == 2;
	pthread_mutex_unlock(&lp->lock);
	if (!ret) {
		respond_kubelet_error(lp, resp); /* the thread has ended: no lock needed */
		proxy_release(lp);
		return;
	}
	resp->code = 200;
	resp->content_type = "text/plain";
	resp->stream = (k8c_api_stream_t){.next = stream_next, .arm = stream_arm,
	                                  .free_fn = stream_free, .ctx = lp};
}

void k8c_pod_log_drain(k8c_apiserver_t *srv)
{
	/* they see shutting_down within about a second (the progress
	 * callback); they read srv until they end */
	while (__atomic_load_n(&srv->log_proxies, __ATOMIC_ACQUIRE) > 0)
		k8c_sleep_ns(10 * 1000000LL);
}
