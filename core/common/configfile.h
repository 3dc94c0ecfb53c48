/* Options and the --config file.
 *
 * Every setting has one entry in an option table (core/main/options.c):
 * its long flag name is also its key in the YAML config file.  Parsed
 * values live in a cJSON object keyed by option name: strings as strings,
 * booleans as booleans, integers as numbers, lists as arrays of strings and
 * sections (config-file-only nested mappings such as `plugins`) as objects.
 * The command line is parsed first, then the file fills in what the command
 * line did not set, so flags win. */
#ifndef K8C_COMMON_CONFIGFILE_H
#define K8C_COMMON_CONFIGFILE_H

#include <k8c/error.h>

struct cJSON;

enum k8c_option_type {
	K8C_OPT_BOOL = 1,    /* --flag, --flag=true|false; YAML true/false */
	K8C_OPT_STRING = 2,  /* --flag VALUE; YAML scalar */
	K8C_OPT_INT = 3,     /* --flag N; YAML integer */
	K8C_OPT_LIST = 4,    /* repeatable --flag VALUE; YAML scalar or sequence of scalars */
	K8C_OPT_SECTION = 5, /* config file only: a YAML mapping handed on as a tree */
};

typedef struct k8c_option {
	const char *name;     /* long name without "--"; the config file key */
	int type;             /* enum k8c_option_type */
	const char *metavar;  /* "DIR" in "--data-dir DIR"; NULL for bools */
	unsigned commands;    /* bit mask of the subcommands that use it */
	const char *help;     /* one sentence, with the default */
	/* K8C_OPT_SECTION only: the keys its mapping may have (NULL-terminated;
	 * NULL allows any key), and how many levels of mappings must nest under
	 * those keys (plugins: KIND -> NAME -> settings is 2). */
	const char *const *section_keys;
	int section_depth;
} k8c_option_t;

/* Find name in a table ending with a {NULL} entry. */
const k8c_option_t *k8c_option_find(const k8c_option_t *table, const char *name);

/* Parse a YAML config file against table and merge every key that values
 * (a cJSON object) does not have yet.  Keys of options that other
 * subcommands use are accepted and kept, so that one file can serve every
 * component.  On failure err->message reads "FILE:LINE: what is wrong" and
 * values is unchanged. */
int k8c_config_load(const char *path, const k8c_option_t *table,
                    struct cJSON *values, k8c_error_t *err);

/* The same from a buffer; name is used in messages. */
int k8c_config_load_buffer(const char *name, const char *buf, size_t len,
                           const k8c_option_t *table, struct cJSON *values,
                           k8c_error_t *err);

#endif
