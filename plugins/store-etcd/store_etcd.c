/* store-etcd: the datastore on an etcd cluster, through etcd's v3 JSON
 * gateway (DESIGN §4, API-NOTES "etcd 3.4 v3 JSON gateway").
 *
 * Plugin glue: the descriptor, init/fini with config validation, the
 * endpoint list, open/close.  Endpoint: http://HOST:PORT or https://…,
 * several separated by commas (members of one cluster; a request that
 * cannot reach one goes to the next).
 *
 * Config (the plugin's subtree, every key optional):
 *   requestTimeoutSeconds  deadline of one call, failover included (10)
 *   dialTimeoutSeconds     TCP (and TLS) connect timeout per member (2)
 *   maxConnections         keep-alive connections for unary calls (64)
 *   compactIntervalSeconds compact etcd to the revision seen one interval
 *                          earlier, every interval (300; 0: never, e.g.
 *                          when another tool compacts)
 *   leaseReuseSeconds      writes with the same TTL within this long share
 *                          one lease, granted for TTL + this (60; 0: a
 *                          lease per write)
 *   caFile, certFile, keyFile
 *                          https: CA bundle, client certificate and key */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "common/mem.h"
#include "store_etcd.h"

static const struct conf_int {
	const char *name;
	size_t offset;
	int64_t min, max, scale;
} conf_ints[] = {
	{"requestTimeoutSeconds", offsetof(etcd_conf_t, request_timeout_ms), 1, 3600, 1000},
	{"dialTimeoutSeconds", offsetof(etcd_conf_t, dial_timeout_ms), 1, 600, 1000},
	{"maxConnections", offsetof(etcd_conf_t, max_connections), 1, 4096, 1},
	{"leaseReuseSeconds", offsetof(etcd_conf_t, lease_reuse_ms), 0, 3600, 1000},
	{"compactIntervalSeconds", offsetof(etcd_conf_t, compact_interval_ms), 0, 366 * 86400, 1000},
};

static const struct conf_str {
	const char *name;
	size_t offset;
} conf_strs[] = {
	{"caFile", offsetof(etcd_conf_t, ca_file)},
	{"certFile", offsetof(etcd_conf_t, cert_file)},
	{"keyFile", offsetof(etcd_conf_t, key_file)},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define KNOWN_KEYS \
	"requestTimeoutSeconds, dialTimeoutSeconds, maxConnections, leaseReuseSeconds, " \
	"compactIntervalSeconds, caFile, " \
	"certFile, keyFile"

static void conf_free(etcd_conf_t *c)
{
	free(c->ca_file);
	free(c->cert_file);
	free(c->key_file);
	c->ca_file = c->cert_file = c->key_file = NULL;
}

static int conf_item(const cJSON *item, etcd_conf_t *c, k8c_error_t *err)
{
	const char *name = item->string != NULL ? item->string : "";

	for (size_t i = 0; i < N(conf_ints); i++) {
		const struct conf_int *k = &conf_ints[i];
		double d = item->valuedouble;
		if (strcmp(name, k->name) != 0)
			continue;
		if (!cJSON_IsNumber(item) || !(d >= (double)k->min) || !(d <= (double)k->max) ||
		    d != (double)(int64_t)d)
			return k8c_error_make(err, K8C_EINVAL, "config: %s must be an integer from %lld to %lld",
			                      k->name, (long long)k->min, (long long)k->max);
		*(int64_t *)((char *)c + k->offset) = (int64_t)d * k->scale;
		return 0;
	}
	for (size_t i = 0; i < N(conf_strs); i++) {
		char **slot = (char **)((char *)c + conf_strs[i].offset);
		if (strcmp(name, conf_strs[i].name) != 0)
			continue;
		if (!cJSON_IsString(item) || item->valuestring[0] == '\0')
			return k8c_error_make(err, K8C_EINVAL, "config: %s must be a file name", name);
		free(*slot);
		*slot = k8c_xstrdup(item->valuestring);
		return 0;
	}
	return k8c_error_make(err, K8C_EINVAL, "config: unknown key \"%s\" (known: " KNOWN_KEYS ")", name);
}

static int conf_parse(const cJSON *config, etcd_conf_t *c, k8c_error_t *err)
{
	const cJSON *item;

	*c = (etcd_conf_t){
		.request_timeout_ms = 10000,
		.dial_timeout_ms = 2000,
		.max_connections = 64,
		.lease_reuse_ms = 60000,
		.compact_interval_ms = 300000,
	};
	if (config == NULL)
		return 0;
	if (!cJSON_IsObject(config))
		return k8c_error_make(err, K8C_EINVAL, "config: must be an object");
	cJSON_ArrayForEach(item, config) {
		int ret = conf_item(item, c, err);
		if (ret < 0) {
			conf_free(c);
			return ret;
		}
	}
	if ((c->cert_file == NULL) != (c->key_file == NULL)) {
		conf_free(c);
		return k8c_error_make(err, K8C_EINVAL, "config: certFile and keyFile go together");
	}
	return 0;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_ok;

static void curl_setup(void)
{
	curl_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

static int etcd_init(const k8c_host_t *host, const cJSON *config, void **cookie, k8c_error_t *err)
{
	etcd_conf_t conf;
	etcd_t *e;
	int ret;

	pthread_once(&curl_once, curl_setup);
	if (!curl_ok)
		return k8c_error_make(err, K8C_EIO, "libcurl did not initialise");
	ret = conf_parse(config, &conf, err);
	if (ret < 0)
		return ret;
	e = k8c_xcalloc(1, sizeof(*e));
	e->host = host;
	e->conf = conf;
	pthread_mutex_init(&e->pool_mu, NULL);
	pthread_cond_init(&e->pool_cond, NULL);
	pthread_mutex_init(&e->w_mu, NULL);
	pthread_cond_init(&e->w_cond, NULL);
	pthread_mutex_init(&e->lease_mu, NULL);
	pthread_mutex_init(&e->c_mu, NULL);
	{
		pthread_condattr_t attr;
		pthread_condattr_init(&attr);
		pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
		pthread_cond_init(&e->c_cond, &attr);
		pthread_condattr_destroy(&attr);
	}
	*cookie = e;
	return 0;
}

static void free_endpoints(etcd_t *e)
{
	for (size_t i = 0; i < e->n_endpoints; i++)
		free(e->endpoints[i]);
	free(e->endpoints);
	free(e->endpoint_text);
	e->endpoints = NULL;
	e->endpoint_text = NULL;
	e->n_endpoints = 0;
}

/* "http://a:1,https://b:2/" -> base URLs without the trailing slash. */
static int parse_endpoints(etcd_t *e, const char *endpoint, k8c_error_t *err)
{
	_cleanup_free_ char *copy = k8c_xstrdup(endpoint != NULL ? endpoint : "");
	char *save = NULL, *tok;

	for (tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		size_t n;
		const char *host;
		while (*tok == ' ')
			tok++;
		n = strlen(tok);
		while (n > 0 && (tok[n - 1] == '/' || tok[n - 1] == ' '))
			tok[--n] = '\0';
		if (strncasecmp(tok, "http://", 7) == 0)
			host = tok + 7;
		else if (strncasecmp(tok, "https://", 8) == 0)
			host = tok + 8;
		else
			host = NULL;
		if (host == NULL || host[0] == '\0' || strpbrk(host, "/?#") != NULL) {
			free_endpoints(e);
			return k8c_error_make(err, K8C_EINVAL,
			                      "endpoint \"%s\": expected http://HOST:PORT or https://HOST:PORT, "
			                      "several separated by commas",
			                      tok);
		}
		e->endpoints = k8c_xrealloc(e->endpoints, (e->n_endpoints + 1) * sizeof(char *));
		e->endpoints[e->n_endpoints++] = k8c_xstrdup(tok);
	}
	if (e->n_endpoints == 0)
		return k8c_error_make(err, K8C_EINVAL, "endpoint \"%s\": no etcd member named",
		                      endpoint != NULL ? endpoint : "");
	e->endpoint_text = k8c_xstrdup(endpoint);
	return 0;
}

static int etcd_open(void *cookie, const char *endpoint, k8c_error_t *err)
{
	etcd_t *e = cookie;
	int64_t rev = 0;
	int ret;

	if (ETCD_LOAD(&e->is_open))
		return k8c_error_make(err, K8C_EINVAL, "endpoint %s: store already open",
		                      endpoint != NULL ? endpoint : "(null)");
	ret = parse_endpoints(e, endpoint, err);
	if (ret < 0)
		return ret;
	e->preferred = 0;
	ETCD_STORE(&e->is_open, 1);
	ret = etcd_revision(e, &rev, err);
	if (ret < 0) {
		if (err != NULL) {
			char why[K8C_ERROR_MESSAGE_MAX];
			snprintf(why, sizeof(why), "%s", err->message);
			k8c_error_make(err, -ret,
			               "cannot use the etcd cluster at %s: %s (is etcd running there? check "
			               "--datastore-endpoint, and plugins.store.etcd caFile/certFile/keyFile "
			               "for https)",
			               endpoint, why);
		}
		ETCD_STORE(&e->is_open, 0);
		etcd_pool_close(e);
		free_endpoints(e);
		return ret;
	}
	ret = etcd_compactor_start(e, err);
	if (ret < 0) {
		ETCD_STORE(&e->is_open, 0);
		etcd_pool_close(e);
		free_endpoints(e);
		return ret;
	}
	ETCD_LOG(e, K8C_LOG_INFO, "connected to etcd at %s, revision %lld", endpoint, (long long)rev);
	return 0;
}

static void etcd_close(void *cookie)
{
	etcd_t *e = cookie;

	if (!ETCD_LOAD(&e->is_open))
		return;
	etcd_compactor_stop(e);
	pthread_mutex_lock(&e->pool_mu);
	ETCD_STORE(&e->is_open, 0);
	pthread_mutex_unlock(&e->pool_mu);
	ETCD_LOG(e, K8C_LOG_INFO, "closing the connection to etcd at %s", e->endpoint_text);
	etcd_watch_end_all(e);
	etcd_calls_drain(e);
	etcd_pool_close(e);
	free_endpoints(e);
	pthread_mutex_lock(&e->lease_mu);
	e->lease_id = 0; /* another cluster may come with the next open */
	pthread_mutex_unlock(&e->lease_mu);
}

static void etcd_fini(void *cookie)
{
	etcd_t *e = cookie;

	etcd_close(e);
	etcd_watch_free_all(e);
	etcd_pool_close(e); /* connections a call returned after close */
	conf_free(&e->conf);
	pthread_mutex_destroy(&e->pool_mu);
	pthread_cond_destroy(&e->pool_cond);
	pthread_mutex_destroy(&e->w_mu);
	pthread_cond_destroy(&e->w_cond);
	pthread_mutex_destroy(&e->lease_mu);
	pthread_mutex_destroy(&e->c_mu);
	pthread_cond_destroy(&e->c_cond);
	free(e);
}

static const char *const etcd_schemes[] = {"http", "https", NULL};

static const k8c_store_ops_t etcd_ops = {
	.struct_size = sizeof(k8c_store_ops_t),
	.schemes = etcd_schemes,
	.open = etcd_open,
	.close = etcd_close,
	.revision = etcd_revision,
	.get = etcd_get,
	.range = etcd_range,
	.create = etcd_create,
	.update = etcd_update,
	.delete = etcd_delete,
	.watch = etcd_watch,
	.watch_cancel = etcd_watch_cancel,
	.compact = etcd_compact,
	.create_ttl = etcd_create_ttl,
	.update_ttl = etcd_update_ttl,
};

K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
	K8C_PLUGIN_HEADER(K8C_PLUGIN_STORE),
	.name = "etcd",
	.version = "0.1.0",
	.description = "etcd v3 cluster through its JSON gateway: txn guarded by mod_revision, "
	               "streamed watch with resume, failover across members",
	.init = etcd_init,
	.fini = etcd_fini,
	.ops = &etcd_ops,
};
