/* The --config file: a YAML mapping whose keys are long flag names.  It is
 * read with libyaml's document API so that every complaint names the line
 * it is about; values are converted with the YAML -> JSON module. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <yaml.h>

#include "common/configfile.h"
#include "common/dirs.h"
#include "common/mem.h"
#include "common/yaml_json.h"

#define CONFIG_MAX_BYTES (4 << 20)

const k8c_option_t *k8c_option_find(const k8c_option_t *table, const char *name)
{
	for (; table->name != NULL; table++)
		if (strcmp(table->name, name) == 0)
			return table;
	return NULL;
}

static const char *type_name(int type)
{
	switch (type) {
	case K8C_OPT_BOOL:
		return "a boolean (true or false)";
	case K8C_OPT_STRING:
		return "a string";
	case K8C_OPT_INT:
		return "an integer";
	case K8C_OPT_LIST:
		return "a string or a list of strings";
	default:
		return "a mapping";
	}
}

static int is_scalar_json(const cJSON *j)
{
	return cJSON_IsString(j) || cJSON_IsNumber(j) || cJSON_IsBool(j) ||
	       cJSON_IsRaw(j);
}

/* A scalar as the text the user wrote. */
static cJSON *scalar_as_string(yaml_node_t *node)
{
	return cJSON_CreateString((const char *)node->data.scalar.value);
}

/* Convert the value of one option; NULL with err set when the type is
 * wrong. */
static cJSON *convert_value(const char *name, const k8c_option_t *opt,
                            yaml_document_t *doc, yaml_node_t *node,
                            k8c_error_t *err)
{
	cJSON *j = NULL;
	unsigned long line = node->start_mark.line + 1;

	if (k8c_yaml_node_to_json(doc, node, &j, err) < 0) {
		char why[K8C_ERROR_MESSAGE_MAX];
		snprintf(why, sizeof(why), "%s", err->message);
		k8c_error_make(err, K8C_EINVAL, "%s:%lu: %s: %s", name, line,
		               opt->name, why);
		return NULL;
	}
	switch (opt->type) {
	case K8C_OPT_BOOL:
		if (cJSON_IsBool(j))
			return j;
		break;
	case K8C_OPT_INT:
		if (cJSON_IsNumber(j) && j->valuedouble == (double)(long long)j->valuedouble &&
		    j->valuedouble >= -2147483648.0 && j->valuedouble <= 2147483647.0)
			return j;
		break;
	case K8C_OPT_STRING:
		if (is_scalar_json(j)) {
			cJSON_Delete(j);
			return scalar_as_string(node);
		}
		break;
	case K8C_OPT_LIST:
		if (is_scalar_json(j)) {
			cJSON *arr = cJSON_CreateArray();
			cJSON_Delete(j);
			cJSON_AddItemToArray(arr, scalar_as_string(node));
			return arr;
		}
		if (cJSON_IsArray(j)) {
			const cJSON *item;
			int i = 0;
			cJSON_ArrayForEach(item, j) {
				yaml_node_t *child = yaml_document_get_node(
					doc, node->data.sequence.items.start[i++]);
				if (!is_scalar_json(item)) {
					cJSON_Delete(j);
					k8c_error_make(err, K8C_EINVAL,
					               "%s:%lu: %s: each entry must be a string",
					               name, child->start_mark.line + 1,
					               opt->name);
					return NULL;
				}
			}
			cJSON_Delete(j);
			j = cJSON_CreateArray();
			for (yaml_node_item_t *it = node->data.sequence.items.start;
			     it < node->data.sequence.items.top; it++)
				cJSON_AddItemToArray(j, scalar_as_string(
					yaml_document_get_node(doc, *it)));
			return j;
		}
		break;
	case K8C_OPT_SECTION:
		if (cJSON_IsObject(j))
			return j;
		if (cJSON_IsNull(j)) { /* "plugins:" with nothing under it */
			cJSON_Delete(j);
			return cJSON_CreateObject();
		}
		break;
	}
	cJSON_Delete(j);
	k8c_error_make(err, K8C_EINVAL, "%s:%lu: %s must be %s", name, line,
	               opt->name, type_name(opt->type));
	return NULL;
}

/* Check a section's keys and nesting, with line numbers: node must be a
 * mapping (or empty); with depth > 0 its values must be such sections too,
 * one level less deep.  path names the node in messages. */
static int check_section(const char *name, const char *path,
                         yaml_document_t *doc, yaml_node_t *node, int depth,
                         const char *const *keys, k8c_error_t *err)
{
	if (node->type == YAML_SCALAR_NODE && node->data.scalar.length == 0 &&
	    node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
		return 0; /* empty: null */
	if (node->type != YAML_MAPPING_NODE)
		return k8c_error_make(err, K8C_EINVAL, "%s:%lu: %s must be a mapping",
		                      name, (unsigned long)node->start_mark.line + 1, path);
	if (depth <= 0)
		return 0;
	for (yaml_node_pair_t *pair = node->data.mapping.pairs.start;
	     pair < node->data.mapping.pairs.top; pair++) {
		yaml_node_t *key = yaml_document_get_node(doc, pair->key);
		const char *k = key->type == YAML_SCALAR_NODE
		                        ? (const char *)key->data.scalar.value : NULL;
		_cleanup_free_ char *sub = NULL;
		int known = keys == NULL && k != NULL, ret;

		for (const char *const *kk = keys; !known && k != NULL && *kk != NULL; kk++)
			known = strcmp(*kk, k) == 0;
		if (!known)
			return k8c_error_make(err, K8C_EINVAL,
			                      "%s:%lu: %s: unknown key \"%s\"", name,
			                      (unsigned long)key->start_mark.line + 1,
			                      path, k ? k : "(not a scalar)");
		sub = k8c_xasprintf("%s.%s", path, k);
		ret = check_section(name, sub, doc, yaml_document_get_node(doc, pair->value),
		                    depth - 1, NULL, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* Turn the YAML module's "line L, column C: what" into "FILE:L: what
 * (column C)", the form every config complaint takes. */
static int with_file_line(const char *name, k8c_error_t *err)
{
	char what[K8C_ERROR_MESSAGE_MAX];
	unsigned long line, column;
	int n = 0;

	if (sscanf(err->message, "line %lu, column %lu: %n", &line, &column, &n) == 2 && n > 0) {
		snprintf(what, sizeof(what), "%s", err->message + n);
		return k8c_error_make(err, K8C_EINVAL, "%s:%lu: %s (column %lu)", name, line,
		                      what, column);
	}
	snprintf(what, sizeof(what), "%s", err->message);
	return k8c_error_make(err, K8C_EINVAL, "%s: %s", name, what);
}

/* Check and convert every key of the document into found. */
static int load_document(const char *name, yaml_document_t *doc,
                         const k8c_option_t *table, cJSON *found,
                         k8c_error_t *err)
{
	yaml_node_t *root = yaml_document_get_root_node(doc);
	yaml_node_pair_t *pair;

	if (root == NULL)
		return 0; /* empty file: nothing set */
	if (root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0 &&
	    root->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
		return 0; /* only comments */
	if (root->type != YAML_MAPPING_NODE)
		return k8c_error_make(err, K8C_EINVAL,
		                      "%s:%lu: the config file must be a mapping of flag names to values",
		                      name, root->start_mark.line + 1);
	for (pair = root->data.mapping.pairs.start;
	     pair < root->data.mapping.pairs.top; pair++) {
		yaml_node_t *key = yaml_document_get_node(doc, pair->key);
		yaml_node_t *val = yaml_document_get_node(doc, pair->value);
		unsigned long line = key->start_mark.line + 1;
		const k8c_option_t *opt;
		const char *k;
		cJSON *v;

		if (key->type != YAML_SCALAR_NODE)
			return k8c_error_make(err, K8C_EINVAL,
			                      "%s:%lu: keys must be flag names", name, line);
		k = (const char *)key->data.scalar.value;
		opt = k8c_option_find(table, k);
		if (opt == NULL)
			return k8c_error_make(err, K8C_EINVAL,
			                      "%s:%lu: unknown key \"%s\" (keys are the long flag names, see k8c --help)",
			                      name, line, k);
		if (strcmp(k, "config") == 0)
			return k8c_error_make(err, K8C_EINVAL,
			                      "%s:%lu: a config file cannot name another config file",
			                      name, line);
		if (cJSON_HasObjectItem(found, k))
			return k8c_error_make(err, K8C_EINVAL,
			                      "%s:%lu: key \"%s\" appears twice", name, line, k);
		if (opt->type == K8C_OPT_SECTION &&
		    check_section(name, opt->name, doc, val, opt->section_depth,
		                  opt->section_keys, err) < 0)
			return -K8C_EINVAL;
		v = convert_value(name, opt, doc, val, err);
		if (v == NULL)
			return -K8C_EINVAL;
		cJSON_AddItemToObject(found, k, v);
	}
	return 0;
}

/* Move into values every item of found that values does not have yet. */
static void merge(cJSON *values, cJSON *found)
{
	while (found->child != NULL) {
		cJSON *item = cJSON_DetachItemViaPointer(found, found->child);
		if (cJSON_HasObjectItem(values, item->string))
			cJSON_Delete(item);
		else
			cJSON_AddItemToObject(values, item->string, item);
	}
}

int k8c_config_load_buffer(const char *name, const char *buf, size_t len,
                           const k8c_option_t *table, cJSON *values,
                           k8c_error_t *err)
{
	_cleanup_json_ cJSON *found = cJSON_CreateObject();
	yaml_parser_t parser;
	yaml_document_t doc, extra;
	k8c_error_t local;
	int ret;

	if (err == NULL)
		err = &local;
	if (!yaml_parser_initialize(&parser))
		k8c_die("yaml_parser_initialize failed");
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	ret = k8c_yaml_load_document(&parser, &doc, err);
	if (ret == 0) { /* no document at all: an empty file */
		yaml_parser_delete(&parser);
		return 0;
	}
	if (ret < 0) {
		yaml_parser_delete(&parser);
		return with_file_line(name, err);
	}
	ret = load_document(name, &doc, table, found, err);
	yaml_document_delete(&doc);
	if (ret == 0) {
		ret = k8c_yaml_load_document(&parser, &extra, err);
		if (ret < 0) {
			ret = with_file_line(name, err);
		} else if (ret == 1) {
			ret = 0;
			if (yaml_document_get_root_node(&extra) != NULL)
				ret = k8c_error_make(err, K8C_EINVAL,
				                     "%s:%lu: the config file must hold one YAML document",
				                     name, (unsigned long)extra.start_mark.line + 1);
			yaml_document_delete(&extra);
		}
	}
	yaml_parser_delete(&parser);
	if (ret == 0)
		merge(values, found); /* all valid: fill in what the command line did not set */
	return ret;
}

int k8c_config_load(const char *path, const k8c_option_t *table, cJSON *values,
                    k8c_error_t *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int ret = k8c_read_file(path, CONFIG_MAX_BYTES, &buf, &len);

	if (ret == -EFBIG)
		return k8c_error_make(err, K8C_ETOOLARGE, "%s: config file larger than %d bytes",
		                      path, CONFIG_MAX_BYTES);
	if (ret < 0)
		return k8c_error_make(err, K8C_EIO, "%s: cannot read config file: %s",
		                      path, strerror(-ret));
	return k8c_config_load_buffer(path, buf, len, table, values, err);
}
