/* The namespace controller, as kube-controller-manager's: a namespace
 * being deleted (the API server marks it Terminating) is emptied through
 * the API (content.c), checked again while content remains (after half
 * the estimate, plus a second), and then finalized: the "kubernetes"
 * finalizer leaves spec.finalizers through namespaces/NAME/finalize, and
 * the API server deletes the namespace once no finalizer is left. */
#include "config.h"

#include <stdlib.h>
#include <limits.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/client.h>
#include <k8c/controller.h>
#include <k8c/plugin.h>

#include "common/json_path.h"
#include "common/mem.h"
#include "namespace.h"

#define FINALIZER_TOKEN "kubernetes"
#define CONFLICT_RETRIES 5

static const k8c_controller_watch_t ns_watches[] = {
	{"", "v1", "namespaces", "Namespace", K8C_MAP_SELF, NULL},
};

int ns_request(ns_ctl_t *c, const char *method, const char *path, const cJSON *body,
               const char *ctype, cJSON **out, k8c_error_t *err)
{
	return c->host->client->request(c->host->client_ctx, method, path, body, ctype, out, err);
}

static int get_ns(ns_ctl_t *c, const char *name, cJSON **out, k8c_error_t *err)
{
	_cleanup_free_ char *path = k8c_xasprintf("/api/v1/namespaces/%s", name);

	return ns_request(c, "GET", path, NULL, NULL, out, err);
}

/* PUT the namespace to sub ("status" or "finalize"); *ns becomes the
 * answer. */
static int put_ns(ns_ctl_t *c, cJSON **ns, const char *sub, k8c_error_t *err)
{
	_cleanup_free_ char *path = k8c_xasprintf("/api/v1/namespaces/%s/%s", k8c_jstr(*ns, "metadata.name") ?: "", sub);
	cJSON *out = NULL;

	if (ns_request(c, "PUT", path, *ns, NULL, &out, err) < 0)
		return -1;
	cJSON_Delete(*ns);
	*ns = out;
	return 0;
}

/* The phase says Terminating (updateNamespaceStatusFunc). */
static int ensure_terminating(ns_ctl_t *c, const char *name, cJSON **ns, k8c_error_t *err)
{
	for (int i = 0; i < CONFLICT_RETRIES; i++) {
		cJSON *st;
		if (strcmp(k8c_jstr(*ns, "status.phase") ?: "", "Terminating") == 0)
			return 0;
		st = cJSON_GetObjectItemCaseSensitive(*ns, "status");
		if (!cJSON_IsObject(st)) {
			cJSON_DeleteItemFromObjectCaseSensitive(*ns, "status");
			st = cJSON_AddObjectToObject(*ns, "status");
		}
		cJSON_DeleteItemFromObjectCaseSensitive(st, "phase");
		cJSON_AddStringToObject(st, "phase", "Terminating");
		if (put_ns(c, ns, "status", err) == 0)
			return 0;
		if (err->code != K8C_ECONFLICT)
			return -1;
		cJSON_Delete(*ns);
		*ns = NULL;
		if (get_ns(c, name, ns, err) < 0)
			return -1;
	}
	return -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* spec.finalizers without our token, without repeats, sorted. */
static cJSON *other_finalizers(const cJSON *ns)
{
	const cJSON *f = k8c_jget(ns, "spec.finalizers"), *x;
	const char **names = k8c_xcalloc((size_t)cJSON_GetArraySize(f) + 1, sizeof(*names));
	cJSON *list = cJSON_CreateArray();
	size_t n = 0;

	cJSON_ArrayForEach(x, f)
		if (cJSON_IsString(x) && strcmp(x->valuestring, FINALIZER_TOKEN) != 0)
			names[n++] = x->valuestring;
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || strcmp(names[i], names[i - 1]) != 0)
			cJSON_AddItemToArray(list, cJSON_CreateString(names[i]));
	free(names);
	return list;
}

/* Remove our token from spec.finalizers (finalizeNamespace). */
static int finalize(ns_ctl_t *c, const char *name, cJSON **ns, k8c_error_t *err)
{
	for (int i = 0; i < CONFLICT_RETRIES; i++) {
		cJSON *spec = cJSON_GetObjectItemCaseSensitive(*ns, "spec"), *list = other_finalizers(*ns);
		if (!cJSON_IsObject(spec)) {
			cJSON_DeleteItemFromObjectCaseSensitive(*ns, "spec");
			spec = cJSON_AddObjectToObject(*ns, "spec");
		}
		cJSON_DeleteItemFromObjectCaseSensitive(spec, "finalizers");
		cJSON_AddItemToObject(spec, "finalizers", list);
		if (put_ns(c, ns, "finalize", err) == 0)
			return 0;
		if (err->code == K8C_ENOTFOUND)
			return 0; /* another controller finished it */
		if (err->code != K8C_ECONFLICT)
			return -1;
		cJSON_Delete(*ns);
		*ns = NULL;
		if (get_ns(c, name, ns, err) < 0)
			return err->code == K8C_ENOTFOUND ? 0 : -1;
	}
	return -1;
}

static int ns_reconcile(void *cookie, const char *key, k8c_error_t *err)
{
	ns_ctl_t *c = cookie;
	_cleanup_json_ cJSON *cached = c->ch->get(c->ch->ctx, 0, key), *ns = NULL;
	int changed = 0;
	int64_t estimate;

	if (cached == NULL || k8c_jstr(cached, "metadata.deletionTimestamp") == NULL)
		return K8C_RECONCILE_DONE;
	/* several controllers may edit a namespace being deleted: the latest */
	if (get_ns(c, key, &ns, err) < 0)
		return err->code == K8C_ENOTFOUND ? K8C_RECONCILE_DONE : -1;
	if (k8c_jstr(ns, "metadata.deletionTimestamp") == NULL)
		return K8C_RECONCILE_DONE;
	if (ensure_terminating(c, key, &ns, err) < 0)
		return err->code == K8C_ENOTFOUND ? K8C_RECONCILE_DONE : -1;
	if (cJSON_GetArraySize(k8c_jget(ns, "spec.finalizers")) == 0)
		return K8C_RECONCILE_DONE; /* finalized */
	estimate = ns_delete_content(c, ns, &changed, err);
	if (changed) {
		k8c_error_t serr;
		if (put_ns(c, &ns, "status", &serr) < 0)
			c->host->log(c->host->ctx, K8C_LOG_WARN, "namespace %s: couldn't update status condition: %s",
			             key, serr.message);
	}
	if (estimate < 0)
		return -1;
	if (estimate > 0)
		return estimate / 2 + 1 > INT_MAX / 1000 ? INT_MAX
		                                       : (int)((estimate / 2 + 1) * 1000); /* content remains */
	if (ns == NULL && get_ns(c, key, &ns, err) < 0)
		return err->code == K8C_ENOTFOUND ? K8C_RECONCILE_DONE : -1;
	return finalize(c, key, &ns, err) < 0 ? -1 : K8C_RECONCILE_DONE;
}

static int ns_init(const k8c_host_t *host, const cJSON *config, void **cookie, k8c_error_t *err)
{
	ns_ctl_t *c;

	(void)config;
	if (!K8C_HAS_MEMBER(host->struct_size, k8c_host_t, controller) || host->controller == NULL ||
	    host->client == NULL)
		return k8c_error_make(err, K8C_EINVAL, "the namespace controller runs in the controller manager");
	c = k8c_xcalloc(1, sizeof(*c));
	c->host = host;
	c->ch = host->controller;
	*cookie = c;
	return 0;
}

static void ns_fini(void *cookie)
{
	free(cookie);
}

static const k8c_controller_ops_t ns_ops = {
	.struct_size = sizeof(k8c_controller_ops_t),
	.watches = ns_watches,
	.n_watches = sizeof(ns_watches) / sizeof(ns_watches[0]),
	.workers = 10, /* kube's --concurrent-namespace-syncs */
	.event_component = "namespace-controller",
	.reconcile = ns_reconcile,
};

K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
	K8C_PLUGIN_HEADER(K8C_PLUGIN_CONTROLLER),
	.name = "namespace",
	.version = PACKAGE_VERSION,
	.description = "Namespace controller: empties a namespace being deleted, then finalizes it",
	.init = ns_init,
	.fini = ns_fini,
	.ops = &ns_ops,
};
