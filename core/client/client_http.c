/* The components' API client over HTTP: one request at a time per pooled
 * libcurl handle (each keeps its connection alive), errors mapped from the
 * API server's Status objects (see <k8c/client.h>). */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "client/client_internal.h"
#include "common/json_print.h"
#include "common/mem.h"

/* An answer larger than this is refused (a LIST of 150,000 pods is less). */
#define MAX_ANSWER ((size_t)1 << 31)

typedef struct answer {
	char *p; /* owned */
	size_t len, cap;
} answer_t;

static size_t on_data(char *data, size_t size, size_t n, void *udata)
{
	answer_t *a = udata;
	size_t add = size * n;

	if (a->len + add + 1 > MAX_ANSWER)
		return 0; /* curl fails the transfer */
	if (a->len + add + 1 > a->cap) {
		while (a->len + add + 1 > a->cap)
			a->cap = a->cap ? a->cap * 2 : 8192;
		a->p = k8c_xrealloc(a->p, a->cap);
	}
	memcpy(a->p + a->len, data, add);
	a->len += add;
	a->p[a->len] = '\0';
	return add;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

int k8c_client_new(const k8c_client_config_t *cfg, k8c_client_t **out, k8c_error_t *err)
{
	k8c_client_t *c;
	size_t n;

	if (cfg->server == NULL || (strncmp(cfg->server, "http://", 7) != 0 &&
	                            strncmp(cfg->server, "https://", 8) != 0))
		return k8c_error_make(err, K8C_EINVAL,
		                      "server \"%s\": expected a URL such as http://127.0.0.1:6443",
		                      cfg->server ? cfg->server : "");
	pthread_once(&curl_once, curl_init_once);
	c = k8c_xcalloc(1, sizeof(*c));
	c->server = k8c_xstrdup(cfg->server);
	n = strlen(c->server);
	while (n > 0 && c->server[n - 1] == '/')
		c->server[--n] = '\0';
	c->user_agent = k8c_xstrdup(cfg->user_agent ? cfg->user_agent : "k8c");
	c->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 30000;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->watches_gone, NULL);
	*out = c;
	return 0;
}

const char *k8c_client_server(const k8c_client_t *c)
{
	return c->server;
}

void k8c_client_free(k8c_client_t *c)
{
	if (c == NULL)
		return;
	k8c_client_watches_stop_all(c);
	while (c->idle != NULL) {
		k8c_client_conn_t *n = c->idle->next;
		curl_easy_cleanup(c->idle->curl);
		free(c->idle);
		c->idle = n;
	}
	pthread_cond_destroy(&c->watches_gone);
	pthread_mutex_destroy(&c->lock);
	free(c->user_agent);
	free(c->server);
	free(c);
}

k8c_client_conn_t *k8c_client_conn_get(k8c_client_t *c)
{
	k8c_client_conn_t *conn;

	pthread_mutex_lock(&c->lock);
	conn = c->idle;
	if (conn != NULL)
		c->idle = conn->next;
	pthread_mutex_unlock(&c->lock);
	if (conn == NULL) {
		conn = k8c_xcalloc(1, sizeof(*conn));
		conn->curl = curl_easy_init();
		if (conn->curl == NULL)
			k8c_die("curl_easy_init failed (out of memory)");
	}
	curl_easy_reset(conn->curl); /* keeps the connection */
	curl_easy_setopt(conn->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(conn->curl, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(conn->curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(conn->curl, CURLOPT_USERAGENT, c->user_agent);
	return conn;
}

void k8c_client_conn_put(k8c_client_t *c, k8c_client_conn_t *conn)
{
	pthread_mutex_lock(&c->lock);
	conn->next = c->idle;
	c->idle = conn;
	pthread_mutex_unlock(&c->lock);
}

/* Reasons of Kubernetes Status objects, and the codes they map to. */
static const struct {
	const char *reason;
	int code;
} reasons[] = {
	{"NotFound", K8C_ENOTFOUND},     {"AlreadyExists", K8C_EEXIST},
	{"Conflict", K8C_ECONFLICT},     {"Invalid", K8C_EINVAL},
	{"BadRequest", K8C_EINVAL},      {"Expired", K8C_EEXPIRED},
	{"Gone", K8C_EEXPIRED},          {"Forbidden", K8C_EPERM},
	{"Unauthorized", K8C_EPERM},     {"MethodNotAllowed", K8C_EUNSUPPORTED},
	{"NotAcceptable", K8C_EUNSUPPORTED}, {"UnsupportedMediaType", K8C_EUNSUPPORTED},
	{"RequestEntityTooLarge", K8C_ETOOLARGE}, {"Timeout", K8C_ETIMEOUT},
	{"TooManyRequests", K8C_EUNAVAIL}, {"ServiceUnavailable", K8C_EUNAVAIL},
	{"InternalError", K8C_EUNAVAIL},
};

int k8c_client_status_error(long http_status, const char *body, k8c_error_t *err)
{
	_cleanup_json_ cJSON *st = body ? cJSON_Parse(body) : NULL;
	const char *reason = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(st, "reason"));
	const char *message = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(st, "message"));
	int code = K8C_EINVAL;

	if (http_status >= 500 || http_status == 429)
		code = K8C_EUNAVAIL;
	else if (http_status == 404)
		code = K8C_ENOTFOUND;
	else if (http_status == 409)
		code = K8C_ECONFLICT;
	else if (http_status == 410)
		code = K8C_EEXPIRED;
	else if (http_status == 401 || http_status == 403)
		code = K8C_EPERM;
	for (size_t i = 0; reason != NULL && i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (strcmp(reasons[i].reason, reason) == 0) {
			code = reasons[i].code;
			break;
		}
	/* a 409 with reason AlreadyExists is EEXIST, any other 409 a conflict */
	if (message != NULL)
		return k8c_error_make(err, code, "%s", message);
	return k8c_error_make(err, code, "the API server answered HTTP %ld%s%.200s", http_status,
	                      body && *body ? ": " : "", body ? body : "");
}

static struct curl_slist *headers_for(const char *content_type, int has_body)
{
	struct curl_slist *h = curl_slist_append(NULL, "Accept: application/json");
	char line[128];

	if (has_body) {
		snprintf(line, sizeof(line), "Content-Type: %s",
		         content_type ? content_type : "application/json");
		h = curl_slist_append(h, line);
	}
	return curl_slist_append(h, "Expect:");
}

static int do_request(void *ctx, const char *method, const char *path, const cJSON *body,
                      const char *content_type, cJSON **out, k8c_error_t *err)
{
	k8c_client_t *c = ctx;
	_cleanup_free_ char *url = k8c_xasprintf("%s%s", c->server, path);
	_cleanup_free_ char *text = NULL;
	k8c_client_conn_t *conn;
	struct curl_slist *headers;
	answer_t a = {0};
	size_t text_len = 0;
	long status = 0;
	CURLcode rc;
	int ret = 0;

	if (out != NULL)
		*out = NULL;
	if (path[0] != '/')
		return k8c_error_make(err, K8C_EINVAL, "request path \"%s\" must start with /", path);
	if (body != NULL)
		text = k8c_json_print(body, &text_len);
	conn = k8c_client_conn_get(c);
	headers = headers_for(content_type, body != NULL);
	curl_easy_setopt(conn->curl, CURLOPT_URL, url);
	curl_easy_setopt(conn->curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(conn->curl, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
	curl_easy_setopt(conn->curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(conn->curl, CURLOPT_WRITEDATA, &a);
	if (strcmp(method, "GET") != 0)
		curl_easy_setopt(conn->curl, CURLOPT_CUSTOMREQUEST, method);
	if (text != NULL) {
		curl_easy_setopt(conn->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)text_len);
		curl_easy_setopt(conn->curl, CURLOPT_POSTFIELDS, text);
	}
	rc = curl_easy_perform(conn->curl);
	curl_easy_getinfo(conn->curl, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(headers);
	if (rc != CURLE_OK) {
		/* a broken connection is not reused */
		curl_easy_cleanup(conn->curl);
		free(conn);
		ret = k8c_error_make(err, rc == CURLE_OPERATION_TIMEDOUT ? K8C_ETIMEOUT : K8C_EUNAVAIL,
		                     "%s %s: %s", method, url, curl_easy_strerror(rc));
		free(a.p);
		return ret;
	}
	k8c_client_conn_put(c, conn);
	if (status >= 400) {
		ret = k8c_client_status_error(status, a.p, err);
	} else if (out != NULL && a.len > 0) {
		*out = cJSON_ParseWithLength(a.p, a.len);
		if (*out == NULL)
			ret = k8c_error_make(err, K8C_EINVAL, "%s %s: the answer is not JSON", method,
			                     path);
	}
	free(a.p);
	return ret;
}

char *k8c_client_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = k8c_xmalloc(strlen(s) * 3 + 1), *o = out;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return out;
}

static const k8c_client_api_t client_api = {
	.struct_size = sizeof(k8c_client_api_t),
	.request = do_request,
	.watch = k8c_client_watch_start,
	.watch_stop = k8c_client_watch_end,
};

const k8c_client_api_t *k8c_client_api(void)
{
	return &client_api;
}

int k8c_client_request(k8c_client_t *c, const char *method, const char *path,
                       const cJSON *body, const char *content_type, cJSON **out,
                       k8c_error_t *err)
{
	return do_request(c, method, path, body, content_type, out, err);
}

int k8c_client_watch(k8c_client_t *c, const char *path, const char *resource_version,
                     k8c_client_watch_fn fn, void *udata, void (*free_fn)(void *udata),
                     k8c_client_watch_t **out, k8c_error_t *err)
{
	return k8c_client_watch_start(c, path, resource_version, fn, udata, free_fn, out, err);
}

void k8c_client_watch_stop(k8c_client_t *c, k8c_client_watch_t *w)
{
	k8c_client_watch_end(c, w);
}
