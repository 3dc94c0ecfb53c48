/* A client component run as its own command (`k8c agent`, `k8c kubelet`,
 * `k8c scheduler`): stop signals blocked before any thread exists, the
 * plugins scanned, the data directory made, the component started against
 * --server, then SIGTERM or SIGINT stops it (SIGHUP is logged). */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/dirs.h"
#include "common/log.h"
#include "common/mem.h"
#include "main/commands.h"

int k8c_run_component(const k8c_command_t *cmd, cJSON *values, k8c_component_start_fn start,
                      k8c_component_stop_fn stop, const char *stop_note)
{
	k8c_plugin_set_t plugins;
	_cleanup_free_ char *data_dir = NULL;
	const char *server = k8c_opt_string(values, "server", NULL);
	void *c = NULL;
	k8c_error_t err;
	sigset_t set;
	int sig = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (server == NULL) {
		fprintf(stderr, "k8c %s: --server URL is required (the API server, e.g. http://127.0.0.1:6443)\n",
		        cmd->name);
		return K8C_EXIT_USAGE;
	}
	k8c_plugin_set_init(&plugins);
	if (k8c_common_setup(values, &plugins, &err) < 0) {
		fprintf(stderr, "k8c %s: %s\n", cmd->name, err.message);
		k8c_plugin_set_free(&plugins);
		return K8C_EXIT_USAGE;
	}
	data_dir = k8c_data_dir(values);
	if (k8c_mkdir_p(data_dir, 0700, &err) < 0 ||
	    start(values, &plugins, data_dir, server, &c, &err) < 0) {
		k8c_log(K8C_LOG_ERROR, cmd->name, "%s", err.message);
		k8c_plugin_set_free(&plugins);
		return K8C_EXIT_FAILURE;
	}
	k8c_log(K8C_LOG_INFO, cmd->name, "k8c %s %s running: data directory %s, API server %s", cmd->name, PACKAGE_VERSION,
	         data_dir, server);
	while (sigwait(&set, &sig) == 0 && sig == SIGHUP)
		k8c_log(K8C_LOG_INFO, cmd->name, "SIGHUP: nothing to reload");
	k8c_log(K8C_LOG_INFO, cmd->name, "%s received, shutting down%s", strsignal(sig), stop_note ? stop_note : "");
	stop(c);
	k8c_plugin_set_free(&plugins);
	k8c_log(K8C_LOG_INFO, cmd->name, "stopped");
	return 0;
}
