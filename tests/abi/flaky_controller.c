/* A controller plugin for tests/integration/controller_manager.sh, built
 * out-of-tree style (SDK headers and cJSON only).  It watches ConfigMaps:
 * one labelled flaky=fail fails every reconcile (after counting the
 * attempt in the ConfigMap flaky-attempts, data[its name], which the test
 * creates), one labelled flaky=ok gets the annotation reconciled=yes.  The test checks that the failing key is retried with
 * growing delays while the others keep being reconciled. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/client.h>
#include <k8c/controller.h>
#include <k8c/plugin.h>

typedef struct flaky {
	const k8c_host_t *host;
	pthread_mutex_t mu;
	int attempts; /* of the failing key(s), all together */
} flaky_t;

static const k8c_controller_watch_t watches[] = {
	{"", "v1", "configmaps", "ConfigMap", K8C_MAP_SELF, NULL},
};

static const char *label(const cJSON *obj, const char *name)
{
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");

	return cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(md, "labels"), name));
}

/* Merge-patch ConfigMap `target` (NULL: cm itself) in cm's namespace:
 * annotation (or data item) name=value. */
static int annotate(flaky_t *f, const cJSON *cm, const char *target, const char *section,
                    const char *name, const char *value, k8c_error_t *err)
{
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(cm, "metadata");
	char path[512], body[256];
	cJSON *patch;
	int ret;

	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/configmaps/%s",
	         cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(md, "namespace")),
	         target ? target : cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(md, "name")));
	if (strcmp(section, "data") == 0)
		snprintf(body, sizeof(body), "{\"data\":{\"%s\":\"%s\"}}", name, value);
	else
		snprintf(body, sizeof(body), "{\"metadata\":{\"annotations\":{\"%s\":\"%s\"}}}", name, value);
	patch = cJSON_Parse(body);
	ret = f->host->client->request(f->host->client_ctx, "PATCH", path, patch, K8C_PATCH_MERGE,
	                               NULL, err);
	cJSON_Delete(patch);
	return ret;
}

static int flaky_reconcile(void *cookie, const char *key, k8c_error_t *err)
{
	flaky_t *f = cookie;
	const k8c_controller_host_t *ch = f->host->controller;
	cJSON *cm = ch->get(ch->ctx, 0, key);
	const char *mode;
	int ret = 0;

	if (cm == NULL)
		return K8C_RECONCILE_DONE;
	mode = label(cm, "flaky");
	if (mode != NULL && strcmp(mode, "fail") == 0) {
		char n[32];
		pthread_mutex_lock(&f->mu);
		snprintf(n, sizeof(n), "%d", ++f->attempts);
		pthread_mutex_unlock(&f->mu);
		annotate(f, cm, "flaky-attempts", "data",
		         cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
			         cJSON_GetObjectItemCaseSensitive(cm, "metadata"), "name")),
		         n, err);
		ret = k8c_error_make(err, K8C_EINTERNAL, "configmap %s is meant to fail (attempt %s)", key, n);
	} else if (mode != NULL) {
		const cJSON *ann = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(cm, "metadata"), "annotations");
		if (cJSON_GetObjectItemCaseSensitive(ann, "reconciled") == NULL)
			ret = annotate(f, cm, NULL, "annotations", "reconciled", "yes", err);
	}
	cJSON_Delete(cm);
	return ret < 0 ? -1 : K8C_RECONCILE_DONE;
}

static int flaky_init(const k8c_host_t *host, const cJSON *config, void **cookie,
                      k8c_error_t *err)
{
	flaky_t *f;

	if (host->abi_minor < 5 || host->controller == NULL)
		return k8c_error_make(err, K8C_EINVAL, "needs the controller manager");
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return k8c_error_make(err, K8C_ENOMEM, "out of memory");
	f->host = host;
	pthread_mutex_init(&f->mu, NULL);
	*cookie = f;
	return 0;
}

static void flaky_fini(void *cookie)
{
	flaky_t *f = cookie;

	pthread_mutex_destroy(&f->mu);
	free(f);
}

static const k8c_controller_ops_t ops = {
	.struct_size = sizeof(k8c_controller_ops_t),
	.flags = K8C_CONTROLLER_F_DISABLED_BY_DEFAULT,
	.watches = watches,
	.n_watches = 1,
	.workers = 2,
	.reconcile = flaky_reconcile,
};

K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
	K8C_PLUGIN_HEADER(K8C_PLUGIN_CONTROLLER),
	.name = "flaky",
	.version = "1.0",
	.description = "test controller: fails on purpose for ConfigMaps labelled flaky=fail",
	.init = flaky_init,
	.fini = flaky_fini,
	.ops = &ops,
};
