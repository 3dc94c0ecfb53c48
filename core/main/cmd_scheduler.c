/* `k8c scheduler`, and the scheduler embedded in `k8c server`: an API
 * client and the scheduler (core/scheduler/). */
#define K8C_LOG_COMPONENT "scheduler"
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "client/client.h"
#include "common/log.h"
#include "common/mem.h"
#include "main/commands.h"
#include "scheduler/scheduler.h"

struct k8c_sched_component {
	k8c_client_t *client;
	k8c_scheduler_t *scheduler;
};

void k8c_sched_component_stop(k8c_sched_component_t *c)
{
	if (c == NULL)
		return;
	k8c_scheduler_stop(c->scheduler);
	k8c_client_free(c->client);
	free(c);
}

int k8c_sched_component_start(const cJSON *values, const k8c_plugin_set_t *plugins,
                              const char *data_dir, const char *server_url,
                              k8c_sched_component_t **out, k8c_error_t *err)
{
	k8c_client_config_t ccfg = {.server = server_url,
	                            .user_agent = "k8c-scheduler/" PACKAGE_VERSION};
	k8c_scheduler_config_t scfg = {0};
	k8c_sched_component_t *c = k8c_xcalloc(1, sizeof(*c));
	int ret;

	if ((ret = k8c_client_new(&ccfg, &c->client, err)) < 0)
		goto fail;
	scfg.client = c->client;
	scfg.plugins = plugins;
	scfg.config = k8c_opt_section(values, "scheduler");
	scfg.plugin_config = k8c_opt_section(values, "plugins");
	scfg.data_dir = data_dir;
	/* default true, as kube-scheduler's --leader-elect */
	scfg.leader_elect = cJSON_GetObjectItemCaseSensitive(values, "leader-elect") == NULL ||
	                    k8c_opt_bool(values, "leader-elect");
	if ((ret = k8c_scheduler_start(&scfg, &c->scheduler, err)) < 0)
		goto fail;
	*out = c;
	return 0;
fail:
	k8c_sched_component_stop(c);
	return ret;
}

static int start_component(const cJSON *values, const k8c_plugin_set_t *plugins,
                           const char *data_dir, const char *server_url, void **out,
                           k8c_error_t *err)
{
	k8c_sched_component_t *c = NULL;
	int ret = k8c_sched_component_start(values, plugins, data_dir, server_url, &c, err);

	*out = c;
	return ret;
}

static void stop_component(void *c)
{
	k8c_sched_component_stop(c);
}

int k8c_cmd_scheduler(const k8c_command_t *cmd, cJSON *values)
{
	return k8c_run_component(cmd, values, start_component, stop_component, NULL);
}
