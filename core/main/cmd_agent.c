/* `k8c agent` / `k8c kubelet`, and the agent embedded in `k8c server`: an
 * API client, an instance of the runtime plugin and a kubelet. */
#define K8C_LOG_COMPONENT "agent"
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "client/client.h"
#include "common/log.h"
#include "common/mem.h"
#include "kubelet/kubelet.h"
#include "main/commands.h"
#include "plugin/host.h"

struct k8c_agent {
	k8c_client_t *client;
	k8c_plugin_instance_t *runtime;
	k8c_kubelet_t *kubelet;
};

void k8c_agent_stop(k8c_agent_t *a)
{
	if (a == NULL)
		return;
	k8c_kubelet_stop(a->kubelet);
	k8c_plugin_instance_free(a->runtime);
	k8c_client_free(a->client);
	free(a);
}

static char *host_name(void)
{
	char buf[256] = "localhost";

	gethostname(buf, sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	for (char *p = buf; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return k8c_xstrdup(buf);
}

int k8c_agent_start(const cJSON *values, const k8c_plugin_set_t *plugins, const char *data_dir,
                    const char *server_url, k8c_agent_t **out, k8c_error_t *err)
{
	const cJSON *kl_section = k8c_opt_section(values, "kubelet");
	const char *runtime = k8c_opt_string(values, "runtime", NULL);
	const k8c_loaded_plugin_t *p;
	k8c_client_config_t ccfg = {0};
	k8c_kubelet_config_t kcfg = {0};
	_cleanup_free_ char *node = NULL;
	const char *name;
	k8c_agent_t *a;
	int ret;

	if (runtime == NULL)
		runtime = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(kl_section, "runtime"));
	if (runtime == NULL)
		runtime = "process";
	p = k8c_plugin_set_find(plugins, K8C_PLUGIN_RUNTIME, runtime);
	if (p == NULL)
		return k8c_error_make(err, K8C_EINVAL,
		                      "no runtime plugin named \"%s\" is loaded (see `k8c plugins`; the built-in ones are process and sim)",
		                      runtime);
	name = k8c_opt_string(values, "node-name", NULL);
	node = name ? k8c_xstrdup(name) : host_name();
	a = k8c_xcalloc(1, sizeof(*a));
	ccfg.server = server_url;
	ccfg.user_agent = "k8c-kubelet/" PACKAGE_VERSION;
	if ((ret = k8c_client_new(&ccfg, &a->client, err)) < 0)
		goto fail;
	ret = k8c_plugin_instance_new_client(
		p, k8c_plugin_config_for(k8c_opt_section(values, "plugins"), K8C_PLUGIN_RUNTIME, runtime),
		data_dir, k8c_client_api(), a->client, &a->runtime, err);
	if (ret < 0) {
		char why[K8C_ERROR_MESSAGE_MAX];
		snprintf(why, sizeof(why), "%s", err->message); /* not formatted into itself */
		k8c_error_make(err, err->code, "runtime %s: %s", runtime, why);
		goto fail;
	}
	kcfg.client = a->client;
	kcfg.server_url = server_url;
	kcfg.runtime = k8c_plugin_instance_desc(a->runtime)->ops;
	kcfg.runtime_cookie = k8c_plugin_instance_cookie(a->runtime);
	kcfg.runtime_name = runtime;
	kcfg.data_dir = data_dir;
	kcfg.node_name = node;
	kcfg.sim_nodes = (int)k8c_opt_int(values, "sim-nodes", 0);
	kcfg.sim_cpu = k8c_opt_string(values, "sim-cpu", NULL);
	kcfg.sim_memory = k8c_opt_string(values, "sim-memory", NULL);
	kcfg.sim_pods = k8c_opt_string(values, "sim-pods", NULL);
	kcfg.node_ip = k8c_opt_string(values, "node-ip", NULL);
	kcfg.port = (int)k8c_opt_int(values, "kubelet-port", 10250);
	if (kcfg.sim_nodes > 0 && strcmp(runtime, "sim") != 0) {
		ret = k8c_error_make(err, K8C_EINVAL, "--sim-nodes needs --runtime sim");
		goto fail;
	}
	if (kcfg.sim_nodes < 0 || kcfg.sim_nodes > 100000) {
		ret = k8c_error_make(err, K8C_EINVAL, "--sim-nodes must be between 0 and 100000");
		goto fail;
	}
	{
		const cJSON *w = cJSON_GetObjectItemCaseSensitive(kl_section, "workers");
		if (cJSON_IsNumber(w))
			kcfg.workers = (int)w->valuedouble;
	}
	if ((ret = k8c_kubelet_start(&kcfg, &a->kubelet, err)) < 0)
		goto fail;
	*out = a;
	return 0;
fail:
	k8c_agent_stop(a);
	return ret;
}

static int start_component(const cJSON *values, const k8c_plugin_set_t *plugins,
                           const char *data_dir, const char *server_url, void **out,
                           k8c_error_t *err)
{
	k8c_agent_t *c = NULL;
	int ret = k8c_agent_start(values, plugins, data_dir, server_url, &c, err);

	*out = c;
	return ret;
}

static void stop_component(void *c)
{
	k8c_agent_stop(c);
}

int k8c_cmd_agent(const k8c_command_t *cmd, cJSON *values)
{
	return k8c_run_component(cmd, values, start_component, stop_component, " (containers keep running)");
}
