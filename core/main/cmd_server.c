/* `k8c server`: the control plane in one process.  It loads the plugins,
 * creates an instance of each plugin that an enabled component hosts, and
 * runs until SIGTERM or SIGINT.  The components themselves (API server,
 * scheduler, controllers, agent) plug into this lifecycle as they land. */
#define K8C_LOG_COMPONENT "server"
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/dirs.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/timestamp.h"
#include "apiserver/apiserver.h"
#include "main/commands.h"
#include "plugin/host.h"

typedef struct server {
	k8c_plugin_set_t plugins;
	k8c_apiserver_t *api;
	k8c_agent_t *agent;
	k8c_sched_component_t *scheduler;
	k8c_cm_component_t *controllers;
	k8c_plugin_instance_t **instances;
	size_t n_instances;
	char *data_dir;
} server_t;

/* Which plugin kinds the enabled components host (the API server makes its
 * own instance of the store plugin the endpoint names, the agent of the
 * runtime plugin it uses). */
static int kind_enabled(const cJSON *values, int kind)
{
	if (k8c_opt_bool(values, "apiserver-only"))
		return 0;
	switch (kind) {
	case K8C_PLUGIN_STORE:
		return 0;
	case K8C_PLUGIN_SCHEDULER:
		return 0; /* the scheduler makes an instance per profile */
	case K8C_PLUGIN_CONTROLLER:
		return 0; /* the controller manager makes its own instances */
	case K8C_PLUGIN_CLOUD:
		return !k8c_opt_bool(values, "disable-cloud-controller");
	case K8C_PLUGIN_RUNTIME:
		return 0; /* the agent makes its own instance of the one it uses */
	default:
		return 1;
	}
}

/* Every plugin the config file configures must have been loaded. */
static int check_plugin_config(const server_t *s, const cJSON *section,
                               k8c_error_t *err)
{
	const cJSON *bykind, *entry;

	cJSON_ArrayForEach(bykind, section) {
		int kind = k8c_plugin_kind_parse(bykind->string);
		cJSON_ArrayForEach(entry, bykind) {
			if (k8c_plugin_set_find(&s->plugins, kind, entry->string) == NULL)
				return k8c_error_make(err, K8C_EINVAL,
				                      "the config file configures plugins.%s.%s, but no such plugin is loaded (see `k8c plugins`)",
				                      bykind->string, entry->string);
		}
	}
	return 0;
}

static int start_instances(server_t *s, const cJSON *values, k8c_error_t *err)
{
	const cJSON *section = k8c_opt_section(values, "plugins");

	for (size_t i = 0; i < s->plugins.n_loaded; i++) {
		const k8c_loaded_plugin_t *p = &s->plugins.loaded[i];
		k8c_plugin_instance_t *inst;
		int ret;

		if (!kind_enabled(values, (int)p->desc->kind))
			continue;
		ret = k8c_plugin_instance_new(
			p, k8c_plugin_config_for(section, (int)p->desc->kind, p->desc->name),
			s->data_dir, &inst, err);
		if (ret < 0)
			return ret;
		s->instances = k8c_xrealloc(s->instances,
		                            (s->n_instances + 1) * sizeof(*s->instances));
		s->instances[s->n_instances++] = inst;
		K8C_INFO("started %s plugin %s %s", k8c_plugin_kind_name((int)p->desc->kind),
		         p->desc->name, p->desc->version ? p->desc->version : "");
	}
	return 0;
}

static void server_free(server_t *s)
{
	k8c_agent_stop(s->agent); /* they talk to the API server: first */
	s->agent = NULL;
	k8c_cm_component_stop(s->controllers);
	s->controllers = NULL;
	k8c_sched_component_stop(s->scheduler);
	s->scheduler = NULL;
	k8c_apiserver_stop(s->api);
	s->api = NULL;
	while (s->n_instances > 0)
		k8c_plugin_instance_free(s->instances[--s->n_instances]);
	free(s->instances);
	k8c_plugin_set_free(&s->plugins);
	free(s->data_dir);
}

static int start_api(server_t *s, const cJSON *values, k8c_error_t *err)
{
	_cleanup_free_ char *endpoint = NULL, *kubeconfig = NULL;
	k8c_apiserver_config_t cfg = {0};
	const char *ep = k8c_opt_string(values, "datastore-endpoint", NULL);
	const char *kc = k8c_opt_string(values, "write-kubeconfig", NULL);

	endpoint = ep ? k8c_xstrdup(ep) : k8c_xasprintf("sqlite://%s/state.db", s->data_dir);
	kubeconfig = kc ? k8c_xstrdup(kc) : k8c_xasprintf("%s/kubeconfig", s->data_dir);
	cfg.bind_address = k8c_opt_string(values, "bind-address", "127.0.0.1");
	cfg.port = (int)k8c_opt_int(values, "port", 6443);
	cfg.insecure_bind_any = k8c_opt_bool(values, "insecure-bind-any");
	cfg.data_dir = s->data_dir;
	cfg.datastore_endpoint = endpoint;
	cfg.kubeconfig = kubeconfig;
	cfg.plugins = &s->plugins;
	cfg.plugin_config = k8c_opt_section(values, "plugins");
	cfg.service_cidr = k8c_opt_string(values, "service-cidr", NULL);
	cfg.node_port_range = k8c_opt_string(values, "service-node-port-range", NULL);
	if (cfg.port < 0 || cfg.port > 65535)
		return k8c_error_make(err, K8C_EINVAL, "--port %d is not a TCP port", cfg.port);
	if (k8c_duration_parse(k8c_opt_string(values, "event-ttl", "1h"), &cfg.event_ttl_seconds,
	                       err) < 0) {
		char why[K8C_ERROR_MESSAGE_MAX];
		snprintf(why, sizeof(why), "%s", err->message); /* not formatted into itself */
		return k8c_error_make(err, K8C_EINVAL, "--event-ttl: %s", why);
	}
	return k8c_apiserver_start(&cfg, &s->api, err);
}

/* The embedded agent, talking to this server over loopback.  When the
 * runtime was not chosen (the default, process) and cannot start (not
 * root), the server runs on without an agent and says why. */
static int start_agent(server_t *s, const cJSON *values, k8c_error_t *err)
{
	_cleanup_free_ char *url = NULL;
	int chosen = k8c_opt_string(values, "runtime", NULL) != NULL ||
	             cJSON_GetObjectItemCaseSensitive(k8c_opt_section(values, "kubelet"), "runtime");

	if (k8c_opt_bool(values, "apiserver-only") || k8c_opt_bool(values, "disable-agent"))
		return 0;
	url = k8c_xasprintf("http://127.0.0.1:%d", k8c_apiserver_port(s->api));
	if (k8c_agent_start(values, &s->plugins, s->data_dir, url, &s->agent, err) == 0)
		return 0;
	if (chosen)
		return -1;
	K8C_ERROR("node agent not started: %s (run as root for the process runtime, choose --runtime sim, or pass --disable-agent)",
	          err->message);
	return 0;
}

/* The embedded scheduler, talking to this server over loopback. */
static int start_scheduler(server_t *s, const cJSON *values, k8c_error_t *err)
{
	_cleanup_free_ char *url = NULL;

	if (k8c_opt_bool(values, "apiserver-only") || k8c_opt_bool(values, "disable-scheduler"))
		return 0;
	url = k8c_xasprintf("http://127.0.0.1:%d", k8c_apiserver_port(s->api));
	return k8c_sched_component_start(values, &s->plugins, s->data_dir, url, &s->scheduler, err);
}

/* The embedded controller manager, talking to this server over loopback. */
static int start_controllers(server_t *s, const cJSON *values, k8c_error_t *err)
{
	_cleanup_free_ char *url = NULL;

	if (k8c_opt_bool(values, "apiserver-only") ||
	    k8c_opt_bool(values, "disable-controller-manager"))
		return 0;
	url = k8c_xasprintf("http://127.0.0.1:%d", k8c_apiserver_port(s->api));
	return k8c_cm_component_start(values, &s->plugins, s->data_dir, url, &s->controllers, err);
}

int k8c_cmd_server(const k8c_command_t *cmd, cJSON *values)
{
	server_t s = {0};
	k8c_error_t err;
	sigset_t set;
	int sig = 0, status = 0;

	/* Block the stop signals before any thread exists; sigwait below. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	k8c_plugin_set_init(&s.plugins);
	if (k8c_common_setup(values, &s.plugins, &err) < 0 ||
	    check_plugin_config(&s, k8c_opt_section(values, "plugins"), &err) < 0) {
		fprintf(stderr, "k8c server: %s\n", err.message);
		server_free(&s);
		return K8C_EXIT_USAGE;
	}
	s.data_dir = k8c_data_dir(values);
	if (k8c_mkdir_p(s.data_dir, 0700, &err) < 0) {
		K8C_ERROR("data directory: %s (choose another with --data-dir)", err.message);
		server_free(&s);
		return K8C_EXIT_FAILURE;
	}
	if (start_api(&s, values, &err) < 0 || start_instances(&s, values, &err) < 0 ||
	    start_scheduler(&s, values, &err) < 0 || start_controllers(&s, values, &err) < 0 ||
	    start_agent(&s, values, &err) < 0) {
		K8C_ERROR("%s", err.message);
		server_free(&s);
		return K8C_EXIT_FAILURE;
	}
	K8C_INFO("k8c %s running: data directory %s, %zu plugins loaded, %zu refused, %zu instances",
	         PACKAGE_VERSION, s.data_dir, s.plugins.n_loaded, s.plugins.n_refused,
	         s.n_instances);
	while (sigwait(&set, &sig) == 0 && sig == SIGHUP)
		K8C_INFO("SIGHUP: nothing to reload");
	K8C_INFO("%s received, shutting down", strsignal(sig));
	server_free(&s);
	K8C_INFO("stopped");
	return status;
}

int k8c_cmd_apiserver(const k8c_command_t *cmd, cJSON *values)
{
	cJSON_AddBoolToObject(values, "apiserver-only", 1);
	return k8c_cmd_server(cmd, values);
}
