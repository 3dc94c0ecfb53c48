/* store-etcd: unary calls to etcd's v3 JSON gateway over pooled keep-alive
 * libcurl handles, failing over across the endpoints of the cluster. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "common/mem.h"
#include "store_etcd.h"

/* An answer larger than this is refused (a range of every pod of the
 * largest cluster is well below it). */
#define MAX_ANSWER ((size_t)1 << 30)

typedef struct answer {
	char *p; /* owned */
	size_t len, cap;
	int too_large;
} answer_t;

static size_t on_data(char *data, size_t size, size_t n, void *udata)
{
	answer_t *a = udata;
	size_t add = size * n;

	if (a->len + add + 1 > MAX_ANSWER) {
		a->too_large = 1;
		return 0; /* curl fails the transfer */
	}
	if (a->len + add + 1 > a->cap) {
		while (a->len + add + 1 > a->cap)
			a->cap = a->cap ? a->cap * 2 : 4096;
		a->p = k8c_xrealloc(a->p, a->cap);
	}
	memcpy(a->p + a->len, data, add);
	a->len += add;
	a->p[a->len] = '\0';
	return add;
}

CURL *etcd_curl_new(etcd_t *e)
{
	CURL *c = curl_easy_init();

	if (c == NULL)
		k8c_die("store-etcd: curl_easy_init failed (out of memory)");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)e->conf.dial_timeout_ms);
	if (e->conf.ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, e->conf.ca_file);
	if (e->conf.cert_file != NULL)
		curl_easy_setopt(c, CURLOPT_SSLCERT, e->conf.cert_file);
	if (e->conf.key_file != NULL)
		curl_easy_setopt(c, CURLOPT_SSLKEY, e->conf.key_file);
	return c;
}

static etcd_conn_t *conn_get(etcd_t *e)
{
	etcd_conn_t *c;

	pthread_mutex_lock(&e->pool_mu);
	while (e->free_conns == NULL && e->n_conns >= e->conf.max_connections)
		pthread_cond_wait(&e->pool_cond, &e->pool_mu);
	c = e->free_conns;
	if (c != NULL) {
		e->free_conns = c->next;
	} else {
		e->n_conns++;
		c = k8c_xcalloc(1, sizeof(*c));
	}
	pthread_mutex_unlock(&e->pool_mu);
	if (c->curl == NULL)
		c->curl = etcd_curl_new(e);
	return c;
}

static void conn_put(etcd_t *e, etcd_conn_t *c)
{
	pthread_mutex_lock(&e->pool_mu);
	c->next = e->free_conns;
	e->free_conns = c;
	pthread_cond_signal(&e->pool_cond);
	pthread_mutex_unlock(&e->pool_mu);
}

void etcd_pool_close(etcd_t *e)
{
	etcd_conn_t *c, *next;

	pthread_mutex_lock(&e->pool_mu);
	for (c = e->free_conns; c != NULL; c = next) {
		next = c->next;
		curl_easy_cleanup(c->curl);
		free(c);
		e->n_conns--;
	}
	e->free_conns = NULL;
	pthread_mutex_unlock(&e->pool_mu);
}

int etcd_error(const cJSON *answer, long http_code, const char *url, k8c_error_t *err)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(answer, "message");
	const char *msg = cJSON_IsString(m) ? m->valuestring : NULL;
	int code = (int)etcd_int(answer, "code"), kerr;

	if (msg == NULL) {
		m = cJSON_GetObjectItemCaseSensitive(answer, "error");
		msg = cJSON_IsString(m) ? m->valuestring : "no error message";
	}
	if (strstr(msg, "required revision has been compacted") != NULL)
		kerr = K8C_EEXPIRED;
	else if (strstr(msg, "future revision") != NULL)
		kerr = K8C_EINVAL;
	else if (code == 4) /* DeadlineExceeded */
		kerr = K8C_ETIMEOUT;
	else if (code == 14 || code == 10 || http_code == 503) /* Unavailable, Aborted */
		kerr = K8C_EUNAVAIL;
	else if (strstr(msg, "too large") != NULL) /* "request is too large" */
		kerr = K8C_ETOOLARGE;
	else if (code == 8) /* ResourceExhausted: too many requests, or out of space */
		kerr = strstr(msg, "space exceeded") != NULL ? K8C_EIO : K8C_EUNAVAIL;
	else if (code == 3 || code == 11) /* InvalidArgument, OutOfRange */
		kerr = K8C_EINVAL;
	else
		kerr = K8C_EIO;
	return k8c_error_make(err, kerr, "etcd %s: %s (code %d, HTTP %ld)", url, msg, code,
	                      http_code);
}

/* Whether a failed transfer may be sent again to another member. */
static int may_retry(CURLcode rc, enum etcd_retry retry)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_SSL_CONNECT_ERROR:
		return 1; /* nothing was sent */
	default:
		return retry == ETCD_READ;
	}
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int etcd_call(etcd_t *e, const char *path, const char *body, enum etcd_retry retry, cJSON **out,
              k8c_error_t *err)
{
	struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
	int64_t deadline = now_ms() + e->conf.request_timeout_ms;
	size_t n, start;
	etcd_conn_t *c;
	int ret = 0;

	pthread_mutex_lock(&e->pool_mu);
	if (!ETCD_LOAD(&e->is_open) || e->n_endpoints == 0) {
		pthread_mutex_unlock(&e->pool_mu);
		curl_slist_free_all(headers);
		return k8c_error_make(err, K8C_EUNAVAIL, "store-etcd: not open");
	}
	e->in_flight++; /* close() waits for it before freeing the endpoints */
	n = e->n_endpoints;
	start = (size_t)ETCD_LOAD(&e->preferred);
	pthread_mutex_unlock(&e->pool_mu);
	c = conn_get(e);
	for (size_t i = 0; i < n; i++) {
		size_t idx = (start + i) % n;
		_cleanup_free_ char *url = k8c_xasprintf("%s/v3/%s", e->endpoints[idx], path);
		answer_t a = {0};
		int64_t left = deadline - now_ms();
		long http_code = 0;
		CURLcode rc;
		cJSON *json;

		if (left <= 0) {
			ret = k8c_error_make(err, K8C_ETIMEOUT, "etcd %s: no answer within %lld ms", url,
			                     (long long)e->conf.request_timeout_ms);
			break;
		}
		curl_easy_setopt(c->curl, CURLOPT_URL, url);
		curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
		curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_data);
		curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &a);
		curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, (long)left);
		rc = curl_easy_perform(c->curl);
		if (rc != CURLE_OK) {
			ret = k8c_error_make(err,
			                     a.too_large ? K8C_ETOOLARGE
			                     : rc == CURLE_OPERATION_TIMEDOUT ? K8C_ETIMEOUT
			                                                       : K8C_EUNAVAIL,
			                     "etcd %s: %s", url,
			                     a.too_large ? "answer over 1 GiB" : curl_easy_strerror(rc));
			free(a.p);
			if (!a.too_large && may_retry(rc, retry))
				continue;
			break;
		}
		curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &http_code);
		json = a.p != NULL ? cJSON_ParseWithLength(a.p, a.len) : NULL;
		free(a.p);
		if (http_code == 200 && cJSON_IsObject(json)) {
			ETCD_STORE(&e->preferred, (int)idx);
			*out = json;
			ret = 0;
			break;
		}
		if (json == NULL)
			ret = k8c_error_make(err, http_code >= 500 ? K8C_EUNAVAIL : K8C_EIO,
			                     "etcd %s: HTTP %ld with no JSON answer", url, http_code);
		else
			ret = etcd_error(json, http_code, url, err);
		cJSON_Delete(json);
		/* a member without a leader (or shutting down): a read may ask
		 * another one; a write may have been proposed, so it is not
		 * sent twice */
		if (ret == -K8C_EUNAVAIL && retry == ETCD_READ)
			continue;
		break;
	}
	conn_put(e, c);
	curl_slist_free_all(headers);
	pthread_mutex_lock(&e->pool_mu);
	if (--e->in_flight == 0)
		pthread_cond_broadcast(&e->pool_cond);
	pthread_mutex_unlock(&e->pool_mu);
	return ret;
}

void etcd_calls_drain(etcd_t *e)
{
	pthread_mutex_lock(&e->pool_mu);
	while (e->in_flight > 0)
		pthread_cond_wait(&e->pool_cond, &e->pool_mu);
	pthread_mutex_unlock(&e->pool_mu);
}
