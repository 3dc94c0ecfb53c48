/* `k8c plugins`: what plugins were found, loaded or refused, and why. */
#define K8C_LOG_COMPONENT "plugins"
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "common/log.h"
#include "common/mem.h"
#include "main/commands.h"

int k8c_common_setup(const cJSON *values, k8c_plugin_set_t *set, k8c_error_t *err)
{
	const char *level = k8c_opt_string(values, "log-level", NULL);
	const cJSON *dirs = k8c_opt_list(values, "plugin-dir");
	const cJSON *d;
	int ret;

	if (level != NULL) {
		int l = k8c_log_level_parse(level);
		if (l < 0)
			return k8c_error_make(err, K8C_EINVAL,
			                      "--log-level must be error, warn, info, debug or trace, not \"%s\"",
			                      level);
		k8c_log_set_level(l);
	}
	ret = k8c_plugin_set_scan(set, k8c_builtin_plugin_dir(), 1, err);
	if (ret < 0)
		return ret;
	cJSON_ArrayForEach(d, dirs) {
		ret = k8c_plugin_set_scan(set, d->valuestring, 0, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

char *k8c_data_dir(const cJSON *values)
{
	const char *dir = k8c_opt_string(values, "data-dir", NULL);
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");

	if (dir != NULL)
		return k8c_xstrdup(dir);
	if (geteuid() == 0)
		return k8c_xstrdup("/var/lib/k8c");
	if (xdg != NULL && xdg[0] == '/')
		return k8c_xasprintf("%s/k8c", xdg);
	return k8c_xasprintf("%s/.local/share/k8c", home ? home : "/tmp");
}

int k8c_cmd_plugins(const k8c_command_t *cmd, cJSON *values)
{
	k8c_plugin_set_t set;
	k8c_error_t err;
	int status;

	k8c_plugin_set_init(&set);
	if (k8c_common_setup(values, &set, &err) < 0) {
		fprintf(stderr, "k8c plugins: %s\n", err.message);
		k8c_plugin_set_free(&set);
		return K8C_EXIT_USAGE;
	}
	printf("Plugin directories:");
	for (size_t i = 0; i < set.n_dirs; i++)
		printf(" %s", set.dirs[i]);
	printf("%s\n\n", set.n_dirs ? "" : " (none found)");
	printf("%-11s %-26s %-10s %-5s %s\n", "KIND", "NAME", "VERSION", "ABI", "PATH");
	for (size_t i = 0; i < set.n_loaded; i++) {
		const k8c_plugin_t *d = set.loaded[i].desc;
		char abi[24];
		snprintf(abi, sizeof(abi), "%u.%u", d->abi_major, d->abi_minor);
		printf("%-11s %-26s %-10s %-5s %s\n", k8c_plugin_kind_name((int)d->kind),
		       d->name, d->version ? d->version : "-", abi, set.loaded[i].path);
	}
	if (set.n_loaded == 0)
		printf("(no plugins loaded)\n");
	if (set.n_refused > 0) {
		printf("\nRefused:\n");
		for (size_t i = 0; i < set.n_refused; i++)
			printf("%s: [%s] %s\n", set.refused[i].path,
			       k8c_refusal_name(set.refused[i].reason), set.refused[i].why);
	}
	status = set.n_refused > 0 ? K8C_EXIT_FAILURE : 0;
	k8c_plugin_set_free(&set);
	return status;
}

int k8c_cmd_not_built(const k8c_command_t *cmd, cJSON *values)
{
	fprintf(stderr,
	        "k8c %s: this component is not part of k8c %s yet; run `k8c server` "
	        "for what exists today (see `k8c --help`).\n",
	        cmd->name, PACKAGE_VERSION);
	return K8C_EXIT_USAGE;
}
