/* The k8c command line: subcommands, the option table they share, parsing
 * of flags and --config into one cJSON object of values, and --help. */
#ifndef K8C_MAIN_OPTIONS_H
#define K8C_MAIN_OPTIONS_H

#include <stdio.h>

#include "common/configfile.h"

struct cJSON;

enum k8c_command_bit {
	K8C_CMD_SERVER = 1u << 0,
	K8C_CMD_AGENT = 1u << 1,
	K8C_CMD_APISERVER = 1u << 2,
	K8C_CMD_SCHEDULER = 1u << 3,
	K8C_CMD_CONTROLLER_MANAGER = 1u << 4,
	K8C_CMD_CLOUD_CONTROLLER_MANAGER = 1u << 5,
	K8C_CMD_KUBELET = 1u << 6,
	K8C_CMD_PROXY = 1u << 7,
	K8C_CMD_PLUGINS = 1u << 8,
	K8C_CMD_VERSION = 1u << 9,
	K8C_CMD_DATASTORE = 1u << 10,
	K8C_CMD_IMAGE = 1u << 11,
};

typedef struct k8c_command {
	const char *name;
	unsigned bit;
	const char *summary;   /* one line for `k8c --help` */
	const char *details;   /* paragraph for `k8c NAME --help` */
	int (*run)(const struct k8c_command *cmd, struct cJSON *values);
	/* Words it takes besides flags, for --help ("backup|restore FILE"),
	 * or NULL: none.  They reach run() in values as the list "args". */
	const char *args;
} k8c_command_t;

/* The option table, ending with a {NULL} entry. */
extern const k8c_option_t k8c_options[];

/* Parse argv (after the subcommand name) for cmd into *values (a new
 * object owned by the caller), then merge --config FILE.  Returns 0, 1
 * when --help was printed, or < 0 with err set (a usage error: exit 2). */
int k8c_options_parse(const k8c_command_t *cmd, int argc, char **argv,
                      struct cJSON **values, k8c_error_t *err);

/* Print `k8c CMD --help`. */
void k8c_options_help(const k8c_command_t *cmd, FILE *out);

/* Typed access to parsed values (defaults when unset). */
const char *k8c_opt_string(const struct cJSON *values, const char *name,
                           const char *def);
int k8c_opt_bool(const struct cJSON *values, const char *name);
long k8c_opt_int(const struct cJSON *values, const char *name, long def);
/* The list value (a cJSON array of strings) or NULL. */
const struct cJSON *k8c_opt_list(const struct cJSON *values, const char *name);
const struct cJSON *k8c_opt_section(const struct cJSON *values, const char *name);

#endif
