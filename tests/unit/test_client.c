/* The components' API client against a real API server started in this
 * process (SQLite in a temporary directory): requests and the errors
 * Status objects map to, watches and their end, and informers that list,
 * follow a watch and list again after the server lost their revision. */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "apiserver/apiserver.h"
#include "client/client.h"
#include "client/informer.h"
#include "common/dirs.h"
#include "common/mem.h"
#include "plugin/loader.h"
#include "tap.h"

static k8c_client_t *cl;

static cJSON *cm(const char *name, const char *value)
{
	cJSON *o = cJSON_CreateObject(), *md = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(o, "apiVersion", "v1");
	cJSON_AddStringToObject(o, "kind", "ConfigMap");
	cJSON_AddStringToObject(md, "name", name);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "data"), "k", value);
	return o;
}

static int post_cm(const char *name, const char *value, k8c_error_t *err)
{
	cJSON *o = cm(name, value);
	int ret = k8c_client_request(cl, "POST", "/api/v1/namespaces/default/configmaps", o, NULL,
	                             NULL, err);
	cJSON_Delete(o);
	return ret;
}

/* --- a recorder for watch and informer events ------------------------------ */

typedef struct rec {
	pthread_mutex_t mu;
	pthread_cond_t cond;
	char log[8192];
	int ended, end_code, freed;
} rec_t;

__attribute__((format(printf, 2, 4)))
static void rec_add(rec_t *r, const char *fmt, int unused, ...)
{
	va_list ap;

	pthread_mutex_lock(&r->mu);
	va_start(ap, unused);
	vsnprintf(r->log + strlen(r->log), sizeof(r->log) - strlen(r->log), fmt, ap);
	va_end(ap);
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->mu);
}

static const char *name_of(const cJSON *o)
{
	return cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "metadata"), "name"));
}

static void on_watch(void *udata, int type, const cJSON *obj, const k8c_error_t *end)
{
	rec_t *r = udata;
	static const char *const names[] = {"END", "ADDED", "MODIFIED", "DELETED", "BOOKMARK"};

	if (obj == NULL) {
		pthread_mutex_lock(&r->mu);
		r->ended = 1;
		r->end_code = end->code;
		pthread_cond_broadcast(&r->cond);
		pthread_mutex_unlock(&r->mu);
		return;
	}
	if (type != K8C_WATCH_BOOKMARK)
		rec_add(r, "%s %s;", 0, names[type], name_of(obj));
}

static void on_free(void *udata)
{
	((rec_t *)udata)->freed = 1;
}

static void on_inform(void *udata, int type, const cJSON *obj, const cJSON *old)
{
	rec_t *r = udata;
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(obj, "data"), "k"));

	if (type == K8C_WATCH_DELETED)
		rec_add(r, "-%s;", 0, name_of(obj));
	else
		rec_add(r, "%c%s=%s;", 0, type == K8C_WATCH_ADDED ? '+' : '~', name_of(obj), v ? v : "?");
	(void)old;
}

/* Wait until r's log contains want (at most 5 s). */
static int rec_wait(rec_t *r, const char *want)
{
	int found;

	pthread_mutex_lock(&r->mu);
	for (int i = 0; i < 50 && strstr(r->log, want) == NULL; i++) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&r->cond, &r->mu, &ts);
	}
	found = strstr(r->log, want) != NULL;
	if (!found)
		diag("log so far: %s", r->log);
	pthread_mutex_unlock(&r->mu);
	return found;
}

static void rec_init(rec_t *r)
{
	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cond, NULL);
}

static void rec_fini(rec_t *r)
{
	pthread_cond_destroy(&r->cond);
	pthread_mutex_destroy(&r->mu);
}

int main(void)
{
	char tmpl[] = "/tmp/k8c-client.XXXXXX";
	k8c_plugin_set_t plugins;
	k8c_apiserver_config_t cfg = {0};
	k8c_apiserver_t *srv = NULL;
	k8c_client_config_t ccfg = {0};
	k8c_error_t err;
	cJSON *out = NULL;
	char url[64];
	const char *dir = mkdtemp(tmpl);
	_cleanup_free_ char *ep = k8c_xasprintf("sqlite://%s/state.db", dir);
	_cleanup_free_ char *kc = k8c_xasprintf("%s/kubeconfig", dir);
	rec_t r;
	int n_before;
	k8c_client_watch_t *w;
	k8c_informer_t *inf;

	k8c_plugin_set_init(&plugins);
	ok(k8c_plugin_set_scan(&plugins, k8c_builtin_plugin_dir(), 0, &err) == 0, "plugins scanned");
	cfg.bind_address = "127.0.0.1";
	cfg.data_dir = dir;
	cfg.datastore_endpoint = ep;
	cfg.kubeconfig = kc;
	cfg.plugins = &plugins;
	if (k8c_apiserver_start(&cfg, &srv, &err) < 0) {
		ok(0, "API server: %s", err.message);
		return done_testing();
	}
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", k8c_apiserver_port(srv));

	ccfg.server = "localhost:6443";
	is_int(k8c_client_new(&ccfg, &cl, &err), -K8C_EINVAL, "a server without a scheme is refused");
	ccfg.server = url;
	ok(k8c_client_new(&ccfg, &cl, &err) == 0, "client");

	/* requests and errors */
	ok(post_cm("a", "1", &err) == 0, "create");
	is_int(post_cm("a", "1", &err), -K8C_EEXIST, "AlreadyExists -> K8C_EEXIST");
	ok(strstr(err.message, "already exists") != NULL, "with the Status message: %s", err.message);
	ok(k8c_client_request(cl, "GET", "/api/v1/namespaces/default/configmaps/a", NULL, NULL,
	                      &out, &err) == 0 && strcmp(name_of(out), "a") == 0, "get");
	cJSON_Delete(out);
	is_int(k8c_client_request(cl, "GET", "/api/v1/namespaces/default/configmaps/zz", NULL, NULL,
	                          &out, &err), -K8C_ENOTFOUND, "NotFound -> K8C_ENOTFOUND");
	ok(out == NULL, "no object on error");
	{
		cJSON *bad = cm("a", "2");
		cJSON_AddStringToObject(cJSON_GetObjectItem(bad, "metadata"), "resourceVersion", "1");
		is_int(k8c_client_request(cl, "PUT", "/api/v1/namespaces/default/configmaps/a", bad,
		                          NULL, NULL, &err), -K8C_ECONFLICT, "Conflict -> K8C_ECONFLICT");
		cJSON_Delete(bad);
		bad = cm("Bad_Name", "x");
		is_int(k8c_client_request(cl, "POST", "/api/v1/namespaces/default/configmaps", bad,
		                          NULL, NULL, &err), -K8C_EINVAL, "Invalid -> K8C_EINVAL");
		cJSON_Delete(bad);
	}
	{
		cJSON *patch = cJSON_Parse("{\"data\":{\"k\":\"patched\"}}");
		ok(k8c_client_request(cl, "PATCH", "/api/v1/namespaces/default/configmaps/a", patch,
		                      K8C_PATCH_MERGE, &out, &err) == 0, "merge patch");
		is_str(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(out, "data"), "k")),
		       "patched", "patched value returned");
		cJSON_Delete(out);
		cJSON_Delete(patch);
	}
	{
		k8c_client_t *dead;
		k8c_client_config_t dc = {.server = "http://127.0.0.1:1", .timeout_ms = 2000};
		k8c_client_new(&dc, &dead, &err);
		is_int(k8c_client_request(dead, "GET", "/api", NULL, NULL, NULL, &err), -K8C_EUNAVAIL,
		       "an unreachable server -> K8C_EUNAVAIL");
		k8c_client_free(dead);
	}

	/* a watch from now, then stopped by its owner */
	rec_init(&r);
	ok(k8c_client_watch(cl, "/api/v1/namespaces/default/configmaps", "", on_watch, &r, on_free,
	                    &w, &err) == 0, "watch started");
	usleep(200000);
	post_cm("b", "1", &err);
	k8c_client_request(cl, "DELETE", "/api/v1/namespaces/default/configmaps/b", NULL, NULL, NULL,
	                   &err);
	ok(rec_wait(&r, "ADDED b;DELETED b;"), "watch sees ADDED and DELETED in order");
	k8c_client_watch_stop(cl, w);
	ok(r.ended && r.end_code == K8C_OK && r.freed, "stop: final callback with K8C_OK, then free_fn");
	rec_fini(&r);

	/* a watch from a compacted-away or bad revision ends with an error */
	rec_init(&r);
	k8c_client_watch(cl, "/api/v1/namespaces/default/configmaps?fieldSelector=bogus%3D1", "",
	                 on_watch, &r, NULL, &w, &err);
	for (int i = 0; i < 50 && !r.ended; i++)
		usleep(100000);
	ok(r.ended && r.end_code == K8C_EINVAL, "a bad field selector ends the watch with K8C_EINVAL");
	k8c_client_watch_stop(cl, w);
	rec_fini(&r);

	/* informers */
	rec_init(&r);
	inf = k8c_informer_new(cl, "/api/v1/namespaces/default/configmaps", on_inform, &r);
	k8c_informer_start(inf);
	ok(k8c_informer_wait_synced(inf, 5000), "informer synced");
	ok(rec_wait(&r, "+a=patched;"), "the LIST is reported as ADDED");
	post_cm("c", "1", &err);
	ok(rec_wait(&r, "+c=1;"), "a create through the watch");
	{
		cJSON *patch = cJSON_Parse("{\"data\":{\"k\":\"2\"}}");
		k8c_client_request(cl, "PATCH", "/api/v1/namespaces/default/configmaps/c", patch,
		                   K8C_PATCH_MERGE, NULL, &err);
		cJSON_Delete(patch);
	}
	ok(rec_wait(&r, "~c=2;"), "an update as MODIFIED");
	out = k8c_informer_get(inf, "default/c");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(out, "data"), "k")), "2",
	       "get from the copy");
	cJSON_Delete(out);
	ok(k8c_informer_get(inf, "default/none") == NULL, "get of an unknown key");
	k8c_client_request(cl, "DELETE", "/api/v1/namespaces/default/configmaps/c", NULL, NULL, NULL,
	                   &err);
	ok(rec_wait(&r, "-c;"), "a delete as DELETED");
	n_before = (int)k8c_informer_count(inf);
	ok(n_before >= 1, "the copy counts the objects (%d)", n_before);

	/* the server goes away and comes back: the informer resumes */
	k8c_apiserver_stop(srv);
	srv = NULL;
	cfg.port = atoi(strrchr(url, ':') + 1);
	usleep(300000);
	if (k8c_apiserver_start(&cfg, &srv, &err) < 0) {
		ok(0, "API server again: %s", err.message);
		return done_testing();
	}
	post_cm("d", "1", &err);
	ok(rec_wait(&r, "+d=1;"), "after a server restart the informer resumes and sees new objects");
	is_int((int)k8c_informer_count(inf), n_before + 1, "count after resume");
	k8c_informer_free(inf);
	ok(1, "informer stopped");
	rec_fini(&r);

	k8c_client_free(cl);
	k8c_apiserver_stop(srv);
	k8c_plugin_set_free(&plugins);
	{
		k8c_error_t e2;
		k8c_remove_tree(dir, &e2);
	}
	ok(1, "stopped");
	return done_testing();
}
