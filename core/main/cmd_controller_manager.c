/* `k8c controller-manager`, and the controller manager embedded in `k8c
 * server`: an API client and the controller manager (core/controller/). */
#define K8C_LOG_COMPONENT "controller-manager"
#include "config.h"

#include <cjson/cJSON.h>

#include "client/client.h"
#include "common/log.h"
#include "common/mem.h"
#include "controller/controller.h"
#include "main/commands.h"

struct k8c_cm_component {
	k8c_client_t *client;
	k8c_controller_manager_t *cm;
};

void k8c_cm_component_stop(k8c_cm_component_t *c)
{
	if (c == NULL)
		return;
	k8c_controller_manager_stop(c->cm);
	k8c_client_free(c->client);
	free(c);
}

int k8c_cm_component_start(const cJSON *values, const k8c_plugin_set_t *plugins,
                           const char *data_dir, const char *server_url,
                           k8c_cm_component_t **out, k8c_error_t *err)
{
	k8c_client_config_t ccfg = {.server = server_url,
	                            .user_agent = "k8c-controller-manager/" PACKAGE_VERSION};
	k8c_cm_config_t cfg = {0};
	k8c_cm_component_t *c = k8c_xcalloc(1, sizeof(*c));
	int ret;

	if ((ret = k8c_client_new(&ccfg, &c->client, err)) < 0)
		goto fail;
	cfg.client = c->client;
	cfg.plugins = plugins;
	cfg.options = values;
	cfg.plugin_config = k8c_opt_section(values, "plugins");
	cfg.data_dir = data_dir;
	/* default true, as kube-controller-manager's --leader-elect */
	cfg.leader_elect = cJSON_GetObjectItemCaseSensitive(values, "leader-elect") == NULL ||
	                   k8c_opt_bool(values, "leader-elect");
	if ((ret = k8c_controller_manager_start(&cfg, &c->cm, err)) < 0)
		goto fail;
	K8C_INFO("controller manager running: %zu controllers",
	         k8c_controller_manager_count(c->cm));
	*out = c;
	return 0;
fail:
	k8c_cm_component_stop(c);
	return ret;
}

static int start_component(const cJSON *values, const k8c_plugin_set_t *plugins,
                           const char *data_dir, const char *server_url, void **out,
                           k8c_error_t *err)
{
	k8c_cm_component_t *c = NULL;
	int ret = k8c_cm_component_start(values, plugins, data_dir, server_url, &c, err);

	*out = c;
	return ret;
}

static void stop_component(void *c)
{
	k8c_cm_component_stop(c);
}

int k8c_cmd_controller_manager(const k8c_command_t *cmd, cJSON *values)
{
	return k8c_run_component(cmd, values, start_component, stop_component, NULL);
}
