/* The option table every subcommand shares, and the flag parser. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/mem.h"
#include "main/options.h"

#define SRV K8C_CMD_SERVER
#define AGT K8C_CMD_AGENT
#define API K8C_CMD_APISERVER
#define SCH K8C_CMD_SCHEDULER
#define CM K8C_CMD_CONTROLLER_MANAGER
#define CCM K8C_CMD_CLOUD_CONTROLLER_MANAGER
#define KLT K8C_CMD_KUBELET
#define PRX K8C_CMD_PROXY
#define PLG K8C_CMD_PLUGINS
#define DS K8C_CMD_DATASTORE
#define IMG K8C_CMD_IMAGE
#define COMPONENTS (SRV | AGT | API | SCH | CM | CCM | KLT | PRX)
#define CLIENTS (AGT | SCH | CM | CCM | KLT | PRX)

static const char *const plugin_kinds[] = {
	"store", "controller", "scheduler", "runtime", "cloud", NULL,
};

const k8c_option_t k8c_options[] = {
	{"config", K8C_OPT_STRING, "FILE", COMPONENTS | PLG | DS | IMG,
	 "Read settings from a YAML file whose keys are these long flag names; flags on the command line win."},
	{"log-level", K8C_OPT_STRING, "LEVEL", COMPONENTS | PLG | DS | IMG,
	 "Log verbosity: error, warn, info, debug or trace (default info)."},
	{"plugin-dir", K8C_OPT_LIST, "DIR", COMPONENTS | PLG | DS,
	 "Also load plugins from DIR (repeatable), after the built-in plugin directory."},
	{"data-dir", K8C_OPT_STRING, "DIR", SRV | AGT | API | SCH | CM | KLT | DS | IMG,
	 "State directory (default /var/lib/k8c as root, else $XDG_DATA_HOME/k8c)."},
	{"bind-address", K8C_OPT_STRING, "ADDR", SRV | API,
	 "Address the API server listens on (default 127.0.0.1)."},
	{"port", K8C_OPT_INT, "PORT", SRV | API,
	 "Port the API server listens on (default 6443)."},
	{"insecure-bind-any", K8C_OPT_BOOL, NULL, SRV | API,
	 "Allow --bind-address to be a non-loopback address although requests are not authenticated yet."},
	{"datastore-endpoint", K8C_OPT_STRING, "URL", SRV | API | DS,
	 "Datastore: sqlite://PATH (default sqlite://DATA-DIR/state.db), or etcd: http(s)://HOST:PORT[,http(s)://HOST:PORT...]."},
	{"service-cidr", K8C_OPT_STRING, "CIDR", SRV | API,
	 "IPv4 range Service cluster IPs are allocated from (default 10.43.0.0/16; .1 is the kubernetes Service)."},
	{"service-node-port-range", K8C_OPT_STRING, "LOW-HIGH", SRV | API,
	 "Port range of NodePort Services (default 30000-32767)."},
	{"event-ttl", K8C_OPT_STRING, "DURATION", SRV | API | DS,
	 "How long an event is kept after its last write, e.g. 1h (the default) or 30m; 0 keeps events."},
	{"write-kubeconfig", K8C_OPT_STRING, "FILE", SRV | API,
	 "Write an admin kubeconfig to FILE (default DATA-DIR/kubeconfig)."},
	{"disable-agent", K8C_OPT_BOOL, NULL, SRV,
	 "Do not run the node agent (kubelet and proxy) inside the server."},
	{"disable-scheduler", K8C_OPT_BOOL, NULL, SRV,
	 "Do not run the scheduler inside the server."},
	{"disable-controller-manager", K8C_OPT_BOOL, NULL, SRV,
	 "Do not run the controller manager inside the server."},
	{"disable-cloud-controller", K8C_OPT_BOOL, NULL, SRV,
	 "Do not run the cloud controller manager inside the server."},
	{"leader-elect", K8C_OPT_BOOL, NULL, SRV | SCH | CM,
	 "Work only while holding the Lease kube-system/kube-scheduler (scheduler) or kube-system/kube-controller-manager (controllers), so that several copies can run and one works (default true; --leader-elect=false always works)."},
	{"controllers", K8C_OPT_LIST, "NAMES", SRV | CM,
	 "Controllers to run, comma-separated or repeated, as kube-controller-manager's: '*' all that are on by default, 'name' one more, '-name' not that one (default '*'; e.g. --controllers '*,-cronjob'; names as `k8c plugins` lists them)."},
	{"node-monitor-grace-period", K8C_OPT_STRING, "DURATION", SRV | CM,
	 "How long a node may go without renewing its Lease or status before it is marked Ready=Unknown and tainted unreachable (default 40s)."},
	{"node-name", K8C_OPT_STRING, "NAME", SRV | AGT | KLT,
	 "Name of this node (default the host name)."},
	{"server", K8C_OPT_STRING, "URL", CLIENTS,
	 "URL of the API server to connect to, e.g. http://127.0.0.1:6443."},
	{"node-ip", K8C_OPT_STRING, "ADDR", SRV | AGT | KLT,
	 "IPv4 address the node reports (default the first non-loopback address)."},
	{"runtime", K8C_OPT_STRING, "NAME", SRV | AGT | KLT,
	 "Container runtime plugin of the agent: process (the default: namespaces, cgroups, the local image store) or sim (hollow pods)."},
	{"kubelet-port", K8C_OPT_INT, "PORT", SRV | AGT | KLT,
	 "Port the kubelet serves container logs on, for kubectl logs through the API server (default 10250; 0 picks a free one)."},
	{"sim-nodes", K8C_OPT_INT, "N", AGT | KLT,
	 "With --runtime sim: host N hollow nodes named NODE-NAME-0 ... NODE-NAME-(N-1) (default 1: one node named NODE-NAME)."},
	{"sim-cpu", K8C_OPT_STRING, "QUANTITY", AGT | KLT,
	 "CPU capacity of each hollow node (default 8)."},
	{"sim-memory", K8C_OPT_STRING, "QUANTITY", AGT | KLT,
	 "Memory capacity of each hollow node (default 32Gi)."},
	{"sim-pods", K8C_OPT_STRING, "N", AGT | KLT,
	 "Pod capacity of each hollow node (default 110)."},
	{"plugins", K8C_OPT_SECTION, NULL, COMPONENTS | PLG | DS,
	 "Config file only: per-plugin settings, plugins: {KIND: {NAME: {...}}}.",
	 plugin_kinds, 2},
	{"apiserver", K8C_OPT_SECTION, NULL, SRV | API,
	 "Config file only: API server settings."},
	{"scheduler", K8C_OPT_SECTION, NULL, SRV | SCH,
	 "Config file only: scheduler profiles and settings."},
	{"controller-manager", K8C_OPT_SECTION, NULL, SRV | CM,
	 "Config file only: controller manager settings."},
	{"cloud-controller-manager", K8C_OPT_SECTION, NULL, SRV | CCM,
	 "Config file only: cloud controller manager settings."},
	{"kubelet", K8C_OPT_SECTION, NULL, SRV | AGT | KLT,
	 "Config file only: node agent settings."},
	{"proxy", K8C_OPT_SECTION, NULL, SRV | AGT | PRX,
	 "Config file only: service proxy settings."},
	{NULL, 0, NULL, 0, NULL, NULL, 0},
};

static int parse_bool(const char *s, int *out)
{
	if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0) {
		*out = 1;
		return 0;
	}
	if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0) {
		*out = 0;
		return 0;
	}
	return -1;
}

static int set_value(const k8c_command_t *cmd, const k8c_option_t *opt,
                     const char *arg, cJSON *values, k8c_error_t *err)
{
	switch (opt->type) {
	case K8C_OPT_BOOL: {
		int b;
		if (parse_bool(arg, &b) < 0)
			return k8c_error_make(err, K8C_EINVAL,
			                      "--%s takes true or false, not \"%s\"",
			                      opt->name, arg);
		cJSON_DeleteItemFromObject(values, opt->name);
		cJSON_AddBoolToObject(values, opt->name, b);
		return 0;
	}
	case K8C_OPT_INT: {
		char *end;
		long n;
		errno = 0;
		n = strtol(arg, &end, 10);
		if (*arg == '\0' || *end != '\0' || errno != 0 || n < INT_MIN || n > INT_MAX)
			return k8c_error_make(err, K8C_EINVAL,
			                      "--%s takes an integer, not \"%s\"",
			                      opt->name, arg);
		cJSON_DeleteItemFromObject(values, opt->name);
		cJSON_AddNumberToObject(values, opt->name, (double)n);
		return 0;
	}
	case K8C_OPT_STRING:
		cJSON_DeleteItemFromObject(values, opt->name);
		cJSON_AddStringToObject(values, opt->name, arg);
		return 0;
	case K8C_OPT_LIST: {
		cJSON *list = cJSON_GetObjectItemCaseSensitive(values, opt->name);
		if (list == NULL)
			list = cJSON_AddArrayToObject(values, opt->name);
		cJSON_AddItemToArray(list, cJSON_CreateString(arg));
		return 0;
	}
	}
	return k8c_error_make(err, K8C_EINVAL,
	                      "%s can only be set in the config file (see k8c %s --help)",
	                      opt->name, cmd->name);
}

int k8c_options_parse(const k8c_command_t *cmd, int argc, char **argv,
                      cJSON **out, k8c_error_t *err)
{
	_cleanup_json_ cJSON *values = cJSON_CreateObject();
	const char *config;
	int ret;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		_cleanup_free_ char *name = NULL;
		const char *eq, *arg = NULL;
		const k8c_option_t *opt;

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			k8c_options_help(cmd, stdout);
			return 1;
		}
		if ((strncmp(a, "--", 2) != 0 || a[2] == '\0') && cmd->args != NULL) {
			cJSON *args = cJSON_GetObjectItemCaseSensitive(values, "args");
			if (args == NULL)
				args = cJSON_AddArrayToObject(values, "args");
			cJSON_AddItemToArray(args, cJSON_CreateString(a));
			continue;
		}
		if (strncmp(a, "--", 2) != 0 || a[2] == '\0')
			return k8c_error_make(err, K8C_EINVAL,
			                      "unexpected argument \"%s\" (see k8c %s --help)",
			                      a, cmd->name);
		eq = strchr(a + 2, '=');
		name = eq ? k8c_xstrndup(a + 2, (size_t)(eq - a - 2)) : k8c_xstrdup(a + 2);
		opt = k8c_option_find(k8c_options, name);
		if (opt == NULL || !(opt->commands & cmd->bit) || opt->type == K8C_OPT_SECTION)
			return k8c_error_make(err, K8C_EINVAL,
			                      "unknown flag --%s for k8c %s (see k8c %s --help)",
			                      name, cmd->name, cmd->name);
		if (eq != NULL)
			arg = eq + 1;
		else if (opt->type == K8C_OPT_BOOL)
			arg = "true";
		else if (i + 1 < argc)
			arg = argv[++i];
		else
			return k8c_error_make(err, K8C_EINVAL, "--%s needs a value (%s)",
			                      name, opt->metavar ? opt->metavar : "VALUE");
		ret = set_value(cmd, opt, arg, values, err);
		if (ret < 0)
			return ret;
	}
	config = k8c_opt_string(values, "config", NULL);
	if (config != NULL) {
		ret = k8c_config_load(config, k8c_options, values, err);
		if (ret < 0)
			return ret;
	}
	*out = K8C_STEAL(values);
	return 0;
}

void k8c_options_help(const k8c_command_t *cmd, FILE *out)
{
	const k8c_option_t *opt;
	int sections = 0;

	fprintf(out, "Usage: k8c %s [FLAGS]%s%s\n\n%s\n\n%s\n\nFlags:\n", cmd->name,
	        cmd->args ? " " : "", cmd->args ? cmd->args : "", cmd->summary, cmd->details);
	for (opt = k8c_options; opt->name != NULL; opt++) {
		char left[64];
		if (!(opt->commands & cmd->bit) || opt->type == K8C_OPT_SECTION)
			continue;
		snprintf(left, sizeof(left), "--%s%s%s", opt->name,
		         opt->metavar ? " " : "", opt->metavar ? opt->metavar : "");
		fprintf(out, "  %-28s %s\n", left, opt->help);
	}
	fprintf(out, "  %-28s %s\n", "-h, --help", "Show this help and exit.");
	for (opt = k8c_options; opt->name != NULL; opt++) {
		if (!(opt->commands & cmd->bit) || opt->type != K8C_OPT_SECTION)
			continue;
		if (sections++ == 0)
			fputs("\nConfig file sections (YAML mappings, no flag):\n", out);
		fprintf(out, "  %-28s %s\n", opt->name, opt->help);
	}
	fputs("\nExit status: 0 on success, 1 on a runtime failure, 2 on a usage or config error.\n"
	      "See k8c(1) and doc/plugin-guide.md.\n", out);
}

const char *k8c_opt_string(const cJSON *values, const char *name, const char *def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(values, name);

	return cJSON_IsString(v) ? v->valuestring : def;
}

int k8c_opt_bool(const cJSON *values, const char *name)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(values, name));
}

long k8c_opt_int(const cJSON *values, const char *name, long def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(values, name);

	return cJSON_IsNumber(v) ? (long)v->valuedouble : def;
}

const cJSON *k8c_opt_list(const cJSON *values, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(values, name);

	return cJSON_IsArray(v) ? v : NULL;
}

const cJSON *k8c_opt_section(const cJSON *values, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(values, name);

	return cJSON_IsObject(v) ? v : NULL;
}
