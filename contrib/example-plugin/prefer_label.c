/* An out-of-tree k8c scheduler policy plugin, built against the installed
 * SDK only:
 *
 *   cc -shared -fPIC -o prefer-label.so prefer_label.c \
 *       $(pkg-config --cflags --libs k8c-plugin)
 *
 * Score: nodes that carry the configured label (default
 * "example.k8c.io/preferred") score 100, others 0.
 * Filter: nodes labelled with the configured avoid label (default
 * "example.k8c.io/avoid") are refused.
 *
 * Config (k8c config file):
 *   plugins:
 *     scheduler:
 *       prefer-label:
 *         label: disktype=ssd        # KEY or KEY=VALUE
 *         avoid: example.k8c.io/avoid
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/plugin.h>
#include <k8c/scheduler.h>

/* Everything an instance needs lives here, never in file-level variables,
 * so k8c can create two instances with different config. */
typedef struct prefer_label {
	const k8c_host_t *host; /* borrowed from the core until fini */
	char *key;              /* owned */
	char *value;            /* owned; NULL: any value */
	char *avoid;            /* owned */
} prefer_label_t;

static const char *label_of(const struct cJSON *node, const char *key)
{
	const cJSON *labels = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(node, "metadata"), "labels");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(labels, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *config_string(const struct cJSON *config, const char *name,
                                 const char *def, k8c_error_t *err, int *bad)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(config, name);

	if (v == NULL)
		return def;
	if (!cJSON_IsString(v) || v->valuestring[0] == '\0') {
		*bad = k8c_error_make(err, K8C_EINVAL, "%s must be a non-empty string", name);
		return NULL;
	}
	return v->valuestring;
}

static void pl_fini(void *cookie)
{
	prefer_label_t *pl = cookie;

	free(pl->key);
	free(pl->value);
	free(pl->avoid);
	free(pl);
}

static int pl_init(const k8c_host_t *host, const struct cJSON *config,
                   void **cookie, k8c_error_t *err)
{
	const char *label, *avoid;
	prefer_label_t *pl;
	const char *eq;
	int bad = 0;

	label = config_string(config, "label", "example.k8c.io/preferred", err, &bad);
	avoid = config_string(config, "avoid", "example.k8c.io/avoid", err, &bad);
	if (bad < 0)
		return bad;
	pl = calloc(1, sizeof(*pl));
	if (pl == NULL)
		return k8c_error_make(err, K8C_ENOMEM, "out of memory");
	pl->host = host;
	eq = strchr(label, '=');
	pl->key = eq ? strndup(label, (size_t)(eq - label)) : strdup(label);
	pl->value = eq ? strdup(eq + 1) : NULL;
	pl->avoid = strdup(avoid);
	if (pl->key == NULL || pl->avoid == NULL || (eq && pl->value == NULL)) {
		pl_fini(pl);
		return k8c_error_make(err, K8C_ENOMEM, "out of memory");
	}
	host->log(host->ctx, K8C_LOG_INFO, "preferring nodes labelled %s", label);
	*cookie = pl;
	return 0;
}

static int pl_filter(void *cookie, const k8c_sched_cycle_t *cycle,
                     const k8c_sched_node_t *node,
                     char reason[K8C_SCHED_REASON_MAX])
{
	prefer_label_t *pl = cookie;

	(void)cycle; /* this policy does not depend on the pod */
	if (label_of(node->node, pl->avoid) == NULL)
		return K8C_SCHED_SUCCESS;
	strncpy(reason, "node(s) are labelled to be avoided", K8C_SCHED_REASON_MAX - 1);
	reason[K8C_SCHED_REASON_MAX - 1] = '\0';
	return K8C_SCHED_UNSCHEDULABLE;
}

static int pl_score(void *cookie, const k8c_sched_cycle_t *cycle,
                    const k8c_sched_node_t *node, int64_t *score)
{
	prefer_label_t *pl = cookie;
	const char *v = label_of(node->node, pl->key);

	(void)cycle;
	*score = v != NULL && (pl->value == NULL || strcmp(v, pl->value) == 0)
	                 ? K8C_SCHED_MAX_SCORE : 0;
	return K8C_SCHED_SUCCESS;
}

static const k8c_sched_policy_ops_t ops = {
	.struct_size = sizeof(k8c_sched_policy_ops_t),
	.filter = pl_filter,
	.score = pl_score,
};

/* The one exported symbol: k8c reads it before calling anything. */
K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
	K8C_PLUGIN_HEADER(K8C_PLUGIN_SCHEDULER),
	.name = "prefer-label",
	.version = "1.0.0",
	.description = "prefer nodes with a label, avoid nodes with another",
	.init = pl_init,
	.fini = pl_fini,
	.ops = &ops,
};
