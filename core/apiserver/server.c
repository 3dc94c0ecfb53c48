/* The API server: lifecycle, routing of every request, error mapping. */
#define K8C_LOG_COMPONENT "apiserver"
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "apiserver/bootstrap.h"
#include "apiserver/internal.h"
#include "plugin/store_offload.h"
#include "apiserver/metrics.h"
#include "apiserver/service_alloc.h"
#include "apiserver/watch_hub.h"
#include "apiserver/schema.h"
#include "common/log.h"
#include "common/json_print.h"
#include "common/mem.h"
#include "common/timestamp.h"

/* --- errors ----------------------------------------------------------------- */

void k8c_respond_error(k8c_api_response_t *resp, const k8c_kind_t *kind, const char *name,
                       int ret, const k8c_error_t *err)
{
	_cleanup_free_ char *gr = NULL;
	cJSON *details = NULL;
	int code = ret < 0 ? -ret : ret;

	if (kind != NULL) {
		gr = kind->group[0] ? k8c_xasprintf("%s.%s", kind->resource, kind->group)
		                    : k8c_xstrdup(kind->resource);
		details = cJSON_CreateObject();
		if (name != NULL)
			cJSON_AddStringToObject(details, "name", name);
		if (kind->group[0])
			cJSON_AddStringToObject(details, "group", kind->group);
		cJSON_AddStringToObject(details, "kind", kind->resource);
	}
	switch (code) {
	case K8C_ENOTFOUND:
		if (gr != NULL && name != NULL)
			k8c_api_respond_status(resp, 404, "NotFound", details, "%s \"%s\" not found", gr, name);
		else
			k8c_api_respond_status(resp, 404, "NotFound", details, "%s", err->message);
		return;
	case K8C_EEXIST:
		k8c_api_respond_status(resp, 409, "AlreadyExists", details, "%s \"%s\" already exists",
		                       gr ? gr : "object", name ? name : "");
		return;
	case K8C_ECONFLICT:
		k8c_api_respond_status(resp, 409, "Conflict", details,
		                       "Operation cannot be fulfilled on %s \"%s\": %s", gr ? gr : "object",
		                       name ? name : "",
		                       err->message[0] ? err->message
		                                       : "the object has been modified; please apply your changes to the latest version and try again");
		return;
	case K8C_EEXPIRED:
		k8c_api_respond_status(resp, 410, "Expired", details, "%s", err->message);
		return;
	case K8C_EINVAL:
		k8c_api_respond_status(resp, 400, "BadRequest", details, "%s", err->message);
		return;
	case K8C_ETOOLARGE:
		k8c_api_respond_status(resp, 413, "RequestEntityTooLarge", details, "%s", err->message);
		return;
	case K8C_EPERM:
		k8c_api_respond_status(resp, 403, "Forbidden", details, "%s", err->message);
		return;
	case K8C_ETIMEOUT:
		k8c_api_respond_status(resp, 504, "Timeout", details, "%s", err->message);
		return;
	case K8C_EUNAVAIL:
		k8c_api_respond_status(resp, 503, "ServiceUnavailable", details, "%s", err->message);
		return;
	default:
		k8c_api_respond_status(resp, 500, "InternalError", details, "Internal error occurred: %s",
		                       err->message);
	}
}

int k8c_respond_forbidden(k8c_api_response_t *resp, const k8c_kind_t *kind, const char *name,
                          const char *fmt, ...)
{
	_cleanup_free_ char *reason = NULL;
	k8c_error_t err;
	va_list ap;

	va_start(ap, fmt);
	reason = k8c_xvasprintf(fmt, ap);
	va_end(ap);
	k8c_error_make(&err, K8C_EPERM, "%s%s%s \"%s\" is forbidden: %s", kind->resource,
	               kind->group[0] ? "." : "", kind->group, name ? name : "", reason);
	k8c_respond_error(resp, kind, name, -K8C_EPERM, &err);
	return -K8C_EPERM;
}

/* Whether the datastore answers a revision read, asked at most once a
 * second (probes are frequent; an etcd without quorum takes its request
 * timeout to say no). */
static int store_answers(k8c_apiserver_t *srv)
{
	int64_t now = k8c_time_monotonic_ns();
	int64_t checked = __atomic_load_n(&srv->store_checked_ns, __ATOMIC_ACQUIRE);
	k8c_error_t err;
	int64_t rev;
	int good;

	if (checked != 0 && now - checked < 1000000000LL)
		return __atomic_load_n(&srv->store_ok, __ATOMIC_ACQUIRE);
	good = srv->store->revision(srv->store_cookie, &rev, &err) == 0;
	__atomic_store_n(&srv->store_ok, good, __ATOMIC_RELEASE);
	__atomic_store_n(&srv->store_checked_ns, k8c_time_monotonic_ns(), __ATOMIC_RELEASE);
	return good;
}

/* --- routing ---------------------------------------------------------------- */

static void route_free(k8c_route_t *r)
{
	free(r->ns);
	free(r->name);
	free(r->sub);
}

/* Split path into at most max segments (owned copies in seg). */
static size_t split(const char *path, char *seg[], size_t max)
{
	size_t n = 0;

	while (*path != '\0' && n < max) {
		const char *slash;
		while (*path == '/')
			path++;
		if (*path == '\0')
			break;
		slash = strchr(path, '/');
		seg[n++] = slash ? k8c_xstrndup(path, (size_t)(slash - path)) : k8c_xstrdup(path);
		path = slash ? slash : path + strlen(path);
	}
	return n;
}

/* Parse a resource path.  Returns 1 with *r filled, 0 when it is not a
 * resource path of ours. */
static int route(const char *path, k8c_route_t *r)
{
	char *seg[10] = {0};
	size_t n = split(path, seg, 10), i;
	const char *group, *version;
	int ok = 0;

	memset(r, 0, sizeof(*r));
	if (n >= 2 && strcmp(seg[0], "api") == 0) {
		group = "";
		version = seg[1];
		i = 2;
	} else if (n >= 3 && strcmp(seg[0], "apis") == 0) {
		group = seg[1];
		version = seg[2];
		i = 3;
	} else {
		goto out;
	}
	if (i < n && strcmp(seg[i], "watch") == 0) {
		r->watch_prefix = 1;
		i++;
	}
	if (i + 2 < n && strcmp(seg[i], "namespaces") == 0 &&
	    k8c_kind_by_resource(group, version, seg[i + 2]) != NULL &&
	    k8c_kind_by_resource(group, version, seg[i + 2])->namespaced) {
		r->ns = k8c_xstrdup(seg[i + 1]);
		i += 2;
	}
	if (i >= n || n - i > 3)
		goto out;
	r->kind = k8c_kind_by_resource(group, version, seg[i]);
	if (r->kind == NULL)
		goto out;
	if (i + 1 < n)
		r->name = k8c_xstrdup(seg[i + 1]);
	if (i + 2 < n)
		r->sub = k8c_xstrdup(seg[i + 2]);
	ok = 1;
out:
	for (size_t j = 0; j < n; j++)
		free(seg[j]);
	if (!ok)
		route_free(r);
	return ok;
}

/* /openapi/v2 until the schema serves real documents: the smallest
 * protobuf document kubectl 1.20 and 1.32 accept (API-NOTES.md). */
/* /openapi/v2: the protobuf kubectl asks for, else JSON.  Built once: the
 * schema does not change while the server runs. */
static pthread_once_t openapi_v2_once = PTHREAD_ONCE_INIT;
static char *openapi_v2_pb, *openapi_v2_js;
static size_t openapi_v2_pb_len, openapi_v2_js_len;

static void openapi_v2_build(void)
{
	cJSON *doc = k8c_openapi_v2_document();

	openapi_v2_pb = k8c_openapi_v2_proto(doc, &openapi_v2_pb_len);
	openapi_v2_js = k8c_json_print(doc, &openapi_v2_js_len);
	cJSON_Delete(doc);
}

static char *copy_bytes(const char *p, size_t n)
{
	char *c = k8c_xmalloc(n + 1);

	memcpy(c, p, n);
	c[n] = '\0';
	return c;
}

static void openapi_v2(const k8c_api_request_t *req, k8c_api_response_t *resp)
{
	pthread_once(&openapi_v2_once, openapi_v2_build);
	if (req->accept != NULL && strstr(req->accept, "protobuf") != NULL)
		k8c_api_respond_raw(resp, 200, "application/com.github.proto-openapi.spec.v2.v1.0+protobuf",
		                    copy_bytes(openapi_v2_pb, openapi_v2_pb_len), openapi_v2_pb_len);
	else
		k8c_api_respond_raw(resp, 200, "application/json",
		                    copy_bytes(openapi_v2_js, openapi_v2_js_len), openapi_v2_js_len);
}

static int metric_verb(const k8c_api_request_t *req, const k8c_route_t *r)
{
	const char *m = req->method;

	if (strcmp(m, "GET") == 0)
		return r->name != NULL ? K8C_MV_GET
		       : (r->watch_prefix || k8c_api_param_bool(req, "watch")) ? K8C_MV_WATCH
		                                                               : K8C_MV_LIST;
	if (strcmp(m, "POST") == 0)
		return K8C_MV_CREATE;
	if (strcmp(m, "PUT") == 0)
		return K8C_MV_UPDATE;
	if (strcmp(m, "PATCH") == 0)
		return K8C_MV_PATCH;
	if (strcmp(m, "DELETE") == 0)
		return r->name != NULL ? K8C_MV_DELETE : K8C_MV_DELETECOLLECTION;
	return K8C_MV_OTHER;
}

static void serve(k8c_apiserver_t *srv, const k8c_api_request_t *req, k8c_api_response_t *resp,
                  const k8c_kind_t **kind, int *verb)
{
	const char *p = req->path;
	k8c_route_t r;

	if (req->body_too_large) {
		k8c_api_respond_status(resp, 413, "RequestEntityTooLarge", NULL,
		                       "Request entity too large: limit is %u", K8C_API_MAX_BODY);
		return;
	}
	if (strcmp(p, "/healthz") == 0 || strcmp(p, "/livez") == 0 || strcmp(p, "/readyz") == 0) {
		/* livez: the process; readyz and healthz also need the
		 * datastore, as Kubernetes' etcd check */
		const char *why = __atomic_load_n(&srv->shutting_down, __ATOMIC_RELAXED) ? "shutting down"
		                  : strcmp(p, "/livez") != 0 && !store_answers(srv) ? "datastore not reachable"
		                                                                     : NULL;
		k8c_api_respond_raw(resp, why ? 503 : 200, "text/plain; charset=utf-8",
		                    k8c_xstrdup(why ? why : "ok"), why ? strlen(why) : 2);
		return;
	}
	if (strcmp(p, "/metrics") == 0) {
		char *m = k8c_metrics_render();
		k8c_api_respond_raw(resp, 200, "text/plain; version=0.0.4; charset=utf-8", m, strlen(m));
		return;
	}
	if (strcmp(p, "/openapi/v2") == 0) {
		openapi_v2(req, resp);
		return;
	}
	if (strcmp(p, "/openapi/v3") == 0 || strcmp(p, "/openapi/v3/") == 0) {
		k8c_api_respond_json(resp, 200, k8c_openapi_v3_index());
		return;
	}
	if (strncmp(p, "/openapi/v3/", 12) == 0) {
		/* /openapi/v3/api/v1 or /openapi/v3/apis/GROUP/VERSION */
		char group[128] = "", version[32] = "";
		cJSON *doc = NULL;
		if (sscanf(p + 12, "api/%31[^/]", version) == 1 && strchr(p + 16, '/') == NULL)
			doc = k8c_openapi_v3_document("", version);
		else if (sscanf(p + 12, "apis/%127[^/]/%31[^/]", group, version) == 2)
			doc = k8c_openapi_v3_document(group, version);
		if (doc != NULL) {
			k8c_api_respond_json(resp, 200, doc);
			return;
		}
	}
	if (k8c_handle_discovery(srv, req, resp))
		return;
	if (!route(p, &r)) {
		k8c_api_respond_status(resp, 404, "NotFound", NULL,
		                       "the server could not find the requested resource");
		return;
	}
	*kind = r.kind;
	*verb = metric_verb(req, &r);
	if (r.name == NULL && strcmp(req->method, "GET") == 0 &&
	    (r.watch_prefix || k8c_api_param_bool(req, "watch")))
		k8c_handle_watch(srv, req, &r, resp);
	else if (r.name == NULL && strcmp(req->method, "GET") == 0)
		k8c_handle_list(srv, req, &r, resp);
	else
		k8c_handle_resource(srv, req, &r, resp);
	route_free(&r);
}

void k8c_api_serve(k8c_apiserver_t *srv, const k8c_api_request_t *req, k8c_api_response_t *resp)
{
	const k8c_kind_t *kind = NULL;
	int verb = K8C_MV_OTHER;
	int64_t t0 = k8c_time_monotonic_ns();

	serve(srv, req, resp, &kind, &verb);
	k8c_metrics_request(kind, verb, resp->code, k8c_time_monotonic_ns() - t0);
}

/* --- lifecycle -------------------------------------------------------------- */

static int is_loopback(const char *addr)
{
	struct in_addr a;

	return inet_pton(AF_INET, addr, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

static int open_store(k8c_apiserver_t *srv, k8c_error_t *err)
{
	k8c_store_handle_t h;
	int ret = k8c_store_open(srv->cfg.plugins, srv->cfg.plugin_config, srv->cfg.data_dir,
	                         srv->cfg.datastore_endpoint, &h, err);

	if (ret < 0)
		return ret;
	srv->store_offloaded = k8c_store_offload_wrap(&h); /* a blocking store's calls go to workers */
	srv->store_inst = h.inst;
	srv->store = h.ops;
	srv->store_cookie = h.cookie;
	return 0;
}

static void free_cfg_strings(k8c_apiserver_config_t *c)
{
	free((char *)c->bind_address);
	free((char *)c->data_dir);
	free((char *)c->datastore_endpoint);
	free((char *)c->kubeconfig);
}

int k8c_apiserver_start(const k8c_apiserver_config_t *cfg, k8c_apiserver_t **out,
                        k8c_error_t *err)
{
	k8c_apiserver_t *srv = k8c_xcalloc(1, sizeof(*srv));
	int ret;

	srv->cfg = *cfg;
	srv->cfg.bind_address = k8c_xstrdup(cfg->bind_address ? cfg->bind_address : "127.0.0.1");
	srv->cfg.data_dir = k8c_xstrdup(cfg->data_dir);
	srv->cfg.datastore_endpoint = k8c_xstrdup(cfg->datastore_endpoint);
	srv->cfg.kubeconfig = cfg->kubeconfig ? k8c_xstrdup(cfg->kubeconfig) : NULL;
	pthread_mutex_init(&srv->lock, NULL);
	pthread_cond_init(&srv->shutdown_cond, NULL);
	pthread_mutex_init(&srv->ns_lock, NULL);
	srv->ns_cache = cJSON_CreateObject();
	pthread_mutex_init(&srv->pc_lock, NULL);

	if (!is_loopback(srv->cfg.bind_address) && !cfg->insecure_bind_any) {
		ret = k8c_error_make(err, K8C_EINVAL,
		                     "refusing to serve the unauthenticated API on %s: bind a loopback address or pass --insecure-bind-any",
		                     srv->cfg.bind_address);
		goto fail;
	}
	ret = k8c_schema_init(err);
	if (ret < 0)
		goto fail;
	srv->schema_ready = 1;
	ret = k8c_service_alloc_init(srv, cfg->service_cidr ? cfg->service_cidr : "10.43.0.0/16",
	                             cfg->node_port_range ? cfg->node_port_range : "30000-32767", err);
	if (ret < 0)
		goto fail;
	ret = open_store(srv, err);
	if (ret < 0)
		goto fail;
	ret = k8c_bootstrap_namespaces(srv, err);
	if (ret < 0)
		goto fail;
	ret = k8c_bootstrap_priority_classes(srv, err);
	if (ret < 0)
		goto fail;
	ret = k8c_http_start(srv, srv->cfg.bind_address, cfg->port, &srv->http, err);
	if (ret < 0)
		goto fail;
	ret = k8c_bootstrap_kubernetes_service(srv, err);
	if (ret < 0)
		goto fail;
	if (srv->cfg.kubeconfig != NULL) {
		ret = k8c_write_kubeconfig(srv->cfg.kubeconfig, srv->cfg.bind_address,
		                           k8c_http_port(srv->http), err);
		if (ret < 0)
			goto fail;
	}
	K8C_INFO("serving the Kubernetes API on http://%s:%d (datastore %s)",
	         srv->cfg.bind_address, k8c_http_port(srv->http), srv->cfg.datastore_endpoint);
	*out = srv;
	return 0;
fail:
	k8c_apiserver_stop(srv);
	return ret;
}

int k8c_apiserver_port(const k8c_apiserver_t *srv)
{
	return k8c_http_port(srv->http);
}

void k8c_apiserver_stop(k8c_apiserver_t *srv)
{
	if (srv == NULL)
		return;
	pthread_mutex_lock(&srv->lock);
	srv->shutting_down = 1;
	pthread_cond_broadcast(&srv->shutdown_cond);
	pthread_mutex_unlock(&srv->lock);
	k8c_http_stop(srv->http);
	k8c_pod_log_drain(srv); /* their streams ended with the connections */
	k8c_hubs_stop(srv);
	if (srv->store != NULL)
		srv->store->close(srv->store_cookie);
	k8c_plugin_instance_free(srv->store_inst);
	if (srv->schema_ready)
		k8c_schema_fini();
	free_cfg_strings(&srv->cfg);
	free(srv->cfg_service_cidr);
	if (srv->svc_lock_ready)
		k8c_lock_destroy(&srv->svc_lock);
	pthread_cond_destroy(&srv->shutdown_cond);
	cJSON_Delete(srv->ns_cache);
	pthread_mutex_destroy(&srv->ns_lock);
	cJSON_Delete(srv->pc_cache);
	pthread_mutex_destroy(&srv->pc_lock);
	pthread_mutex_destroy(&srv->lock);
	free(srv);
}
