/* k8c: one multi-call binary for every component (DESIGN §1). */
#include "config.h"

#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/plugin.h>

#include "common/mem.h"
#include "main/commands.h"

static int cmd_version(const k8c_command_t *cmd, cJSON *values);

const k8c_command_t k8c_commands[] = {
	{"server", K8C_CMD_SERVER, "Run the control plane (and an agent for this node) in one process.",
	 "Runs the API server, scheduler, controller manager and cloud controller manager, plus an embedded\n"
	 "node agent unless --disable-agent, with the embedded SQLite datastore by default.\n"
	 "Stops cleanly on SIGTERM or SIGINT.", k8c_cmd_server},
	{"agent", K8C_CMD_AGENT, "Run the node agent (kubelet and proxy) of a worker node.",
	 "Registers this node with the API server at --server, renews its Lease and runs the pods bound\n"
	 "to it through the runtime plugin (--runtime: process by default, sim for hollow nodes; with\n"
	 "--sim-nodes N one agent hosts N hollow nodes).  Containers keep running when the agent stops;\n"
	 "the next agent on the same --data-dir adopts them.  Stops on SIGTERM or SIGINT.", k8c_cmd_agent},
	{"apiserver", K8C_CMD_APISERVER, "Run the API server alone.",
	 "Serves the Kubernetes API; the only component that touches the datastore.", k8c_cmd_apiserver},
	{"scheduler", K8C_CMD_SCHEDULER, "Run the scheduler alone.",
	 "Binds each pod without spec.nodeName to a node, through the API server (pods/binding), with the\n"
	 "scheduler policy plugins of the profiles in the config file (scheduler: {profiles: [...]}), or\n"
	 "kube-scheduler's default set.  Stops on SIGTERM or SIGINT.", k8c_cmd_scheduler},
	{"controller-manager", K8C_CMD_CONTROLLER_MANAGER, "Run the controller manager alone.",
	 "Runs the controller plugins (ReplicaSet, Deployment, StatefulSet, DaemonSet, Job, CronJob, garbage\n"
	 "collector, namespace, node lifecycle, ...) against the API server at --server, while holding the Lease\n"
	 "kube-system/kube-controller-manager.  --controllers chooses which run.  Stops on SIGTERM or SIGINT.",
	 k8c_cmd_controller_manager},
	{"cloud-controller-manager", K8C_CMD_CLOUD_CONTROLLER_MANAGER, "Run the cloud controller manager alone.",
	 "Runs the node, route and service controllers against a cloud provider plugin.", k8c_cmd_not_built},
	{"kubelet", K8C_CMD_KUBELET, "Run the kubelet alone.",
	 "Runs the pods bound to this node through a runtime plugin: k8c agent without the proxy.",
	 k8c_cmd_agent},
	{"proxy", K8C_CMD_PROXY, "Run the service proxy alone.",
	 "Makes Service virtual IPs reach pod endpoints on this node.", k8c_cmd_not_built},
	{"plugins", K8C_CMD_PLUGINS, "List the plugins found, loaded or refused, and why.",
	 "Scans the built-in plugin directory and every --plugin-dir, checks each *.so file without\n"
	 "running it and prints what loads and what is refused.  Exits 1 when a file was refused.",
	 k8c_cmd_plugins},
	{"datastore", K8C_CMD_DATASTORE, "Back up the datastore to a file, or restore a backup into an empty one.",
	 "backup FILE writes every key of the datastore at one revision to FILE (written to FILE.tmp and\n"
	 "renamed when complete).  restore FILE writes a backup into an empty datastore, in the order of the\n"
	 "backed-up revisions, so resourceVersions keep their order.  Both take --datastore-endpoint and\n"
	 "--data-dir as the server does (stop the server first when the datastore is SQLite); a backup\n"
	 "made from one store restores into the other.",
	 k8c_cmd_datastore, "backup|restore FILE"},
	{"image", K8C_CMD_IMAGE, "Import, list and remove the images of the local image store.",
	 "import NAME[:TAG] FILE unpacks a root filesystem tarball (tar, optionally gzip/xz/zstd-compressed,\n"
	 "e.g. from `docker export` or contrib/images/busybox.sh) into DATA-DIR/images as NAME, replacing\n"
	 "the image NAME had.  Names are matched as Kubernetes does: busybox is\n"
	 "docker.io/library/busybox:latest.  ls lists the images; rm NAME... forgets names and deletes\n"
	 "images no name uses (remove an image only when no pod uses it).  Takes --data-dir as the\n"
	 "server and agent do.",
	 k8c_cmd_image, "import NAME[:TAG] FILE | ls | rm NAME..."},
	{"version", K8C_CMD_VERSION, "Print the version of k8c, its plugin ABI and the Kubernetes API it serves.",
	 "The same as k8c --version.", cmd_version},
	{NULL, 0, NULL, NULL, NULL},
};

static void print_version(void)
{
	printf("k8c version %s\nplugin ABI %d.%d\nKubernetes API v1.32\nbuilt-in plugin directory %s\n",
	       PACKAGE_VERSION, K8C_ABI_MAJOR, K8C_ABI_MINOR, K8C_PLUGINSDIR);
}

static int cmd_version(const k8c_command_t *cmd, cJSON *values)
{
	print_version();
	return 0;
}

static void usage(FILE *out)
{
	fputs("Usage: k8c COMMAND [FLAGS]\n\n"
	      "k8c is a lightweight Kubernetes-compatible orchestrator in one binary.\n\n"
	      "Commands:\n", out);
	for (const k8c_command_t *c = k8c_commands; c->name != NULL; c++)
		fprintf(out, "  %-26s %s%s\n", c->name, c->summary,
		        c->run == k8c_cmd_not_built ? " [not built yet]" : "");
	fputs("\nGlobal flags:\n"
	      "  -h, --help                 Show this help (k8c COMMAND --help for a command's flags).\n"
	      "  --version                  Same as k8c version.\n\n"
	      "Every command accepts --config FILE (YAML keyed by long flag names).\n"
	      "See k8c(1) for details.\n", out);
}

int main(int argc, char **argv)
{
	cJSON_Hooks hooks = {k8c_xmalloc, free};
	const k8c_command_t *cmd;
	cJSON *values = NULL;
	k8c_error_t err;
	int ret;

	cJSON_InitHooks(&hooks);
	/* cJSON allocates many small blocks; glibc's fastbin consolidation
	 * showed as 5-8% of API server CPU in tests/bench/bench_api profiles */
	mallopt(M_MXFAST, 0);
	if (argc < 2) {
		usage(stderr);
		return K8C_EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-v") == 0) {
		print_version();
		return 0;
	}
	for (cmd = k8c_commands; cmd->name != NULL; cmd++)
		if (strcmp(cmd->name, argv[1]) == 0)
			break;
	if (cmd->name == NULL) {
		fprintf(stderr, "k8c: unknown command \"%s\"; run k8c --help for the list\n", argv[1]);
		return K8C_EXIT_USAGE;
	}
	ret = k8c_options_parse(cmd, argc - 2, argv + 2, &values, &err);
	if (ret == 1)
		return 0;
	if (ret < 0) {
		fprintf(stderr, "k8c %s: %s\n", cmd->name, err.message);
		return K8C_EXIT_USAGE;
	}
	ret = cmd->run(cmd, values);
	cJSON_Delete(values);
	return ret;
}
