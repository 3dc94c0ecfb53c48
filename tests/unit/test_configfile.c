/* The --config file: types, unknown keys, line numbers, flags winning. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/configfile.h"
#include "tap.h"

static const char *const kinds[] = {"store", "scheduler", NULL};

static const k8c_option_t table[] = {
	{"config", K8C_OPT_STRING, "FILE", 1, "config"},
	{"name", K8C_OPT_STRING, "NAME", 1, "a string"},
	{"port", K8C_OPT_INT, "PORT", 1, "an int"},
	{"flag", K8C_OPT_BOOL, NULL, 1, "a bool"},
	{"dir", K8C_OPT_LIST, "DIR", 1, "a list"},
	{"section", K8C_OPT_SECTION, NULL, 1, "any mapping"},
	{"plugins", K8C_OPT_SECTION, NULL, 1, "plugins", kinds, 2},
	{NULL, 0, NULL, 0, NULL},
};

/* Load text into a fresh object; returns the return code, *out the object. */
static int load(const char *text, cJSON **out, k8c_error_t *err)
{
	*out = cJSON_CreateObject();
	k8c_error_clear(err);
	return k8c_config_load_buffer("test.yaml", text, strlen(text), table, *out, err);
}

static void expect_error(const char *text, const char *msg, const char *what)
{
	k8c_error_t err;
	cJSON *v;
	int ret = load(text, &v, &err);

	ok(ret < 0 && err.code == K8C_EINVAL && strstr(err.message, msg) != NULL,
	   "%s: \"%s\"", what, err.message);
	ok(v->child == NULL, "%s: nothing was set", what);
	cJSON_Delete(v);
}

int main(void)
{
	k8c_error_t err;
	cJSON *v;
	char *s;

	is_int(load("name: node-1\nport: 6443\nflag: true\ndir: [a, b]\n", &v, &err), 0,
	       "a valid file loads");
	s = cJSON_PrintUnformatted(v);
	is_str(s, "{\"name\":\"node-1\",\"port\":6443,\"flag\":true,\"dir\":[\"a\",\"b\"]}",
	       "values have their types");
	free(s);
	cJSON_Delete(v);

	is_int(load("dir: /one\nname: 1.0\n", &v, &err), 0, "a scalar for a list, a number for a string");
	s = cJSON_PrintUnformatted(v);
	is_str(s, "{\"dir\":[\"/one\"],\"name\":\"1.0\"}", "kept as written");
	free(s);
	cJSON_Delete(v);

	is_int(load("", &v, &err), 0, "an empty file is fine");
	ok(v->child == NULL, "and sets nothing");
	cJSON_Delete(v);
	is_int(load("# only a comment\n", &v, &err), 0, "a file of comments is fine");
	cJSON_Delete(v);

	/* Flags given on the command line win. */
	v = cJSON_CreateObject();
	cJSON_AddStringToObject(v, "name", "from-flag");
	is_int(k8c_config_load_buffer("t.yaml", "name: from-file\nport: 1\n", 23, table, v, &err), 0,
	       "merge into existing values");
	is_str(cJSON_GetObjectItem(v, "name")->valuestring, "from-flag", "the flag wins over the file");
	is_int(cJSON_GetObjectItem(v, "port")->valuedouble, 1, "the file fills in the rest");
	cJSON_Delete(v);

	is_int(load("plugins:\n  scheduler:\n    node-affinity: {a: 1}\n", &v, &err), 0,
	       "a plugins section loads");
	ok(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(v, "plugins"), "scheduler"),
	                       "node-affinity") != NULL, "the plugin subtree is kept");
	cJSON_Delete(v);
	is_int(load("section:\n  anything: [1, 2]\n", &v, &err), 0, "an open section takes any mapping");
	cJSON_Delete(v);

	expect_error("name: a\nbogus: 1\n", "test.yaml:2: unknown key \"bogus\"", "unknown key");
	expect_error("port: \"6443\"\n", "test.yaml:1: port must be an integer", "quoted integer");
	expect_error("port: !!str 6443\n", "test.yaml:1: port must be an integer", "an explicit !!str is a string");
	expect_error("port: 1.5\n", "port must be an integer", "fractional integer");
	expect_error("name: x\nflag: yes\n", "test.yaml:2: flag must be a boolean", "yes is not a boolean");
	expect_error("name: [a]\n", "name must be a string", "a list for a string");
	expect_error("dir: {a: b}\n", "dir must be a string or a list", "a mapping for a list");
	expect_error("dir:\n  - a\n  - [b]\n", "test.yaml:3: dir: each entry must be a string", "a nested list entry");
	expect_error("section: 3\n", "test.yaml:1: section must be a mapping", "a scalar for a section");
	expect_error("plugins:\n  schedulr:\n    x: {}\n", "test.yaml:2: plugins: unknown key \"schedulr\"", "unknown plugin kind");
	expect_error("plugins:\n  scheduler: [a]\n", "test.yaml:2: plugins.scheduler must be a mapping", "a list for a plugin kind");
	expect_error("plugins:\n  scheduler:\n    x: 5\n", "test.yaml:3: plugins.scheduler.x must be a mapping", "plugin settings must be a mapping");
	expect_error("- a\n- b\n", "test.yaml:1: the config file must be a mapping", "a list at the top");
	expect_error("name: a\nname: b\n", "test.yaml:2: key \"name\" appears twice", "duplicate key");
	expect_error("name: a\n  port: [\n", "test.yaml:", "malformed YAML");
	expect_error("name: 'unterminated\n", "test.yaml:", "unterminated quote");
	expect_error("name: a\n---\nport: 1\n", "test.yaml:2: the config file must hold one YAML document", "two documents");
	expect_error("config: other.yaml\n", "cannot name another config file", "config in config");

	/* From disk. */
	v = cJSON_CreateObject();
	ok(k8c_config_load("/nonexistent/k8c.yaml", table, v, &err) < 0 && err.code == K8C_EIO &&
	   strstr(err.message, "/nonexistent/k8c.yaml: cannot read config file") != NULL,
	   "an unreadable file: %s", err.message);
	cJSON_Delete(v);
	{
		char path[] = "/tmp/k8c-test-config-XXXXXX";
		int fd = mkstemp(path);
		FILE *f = fdopen(fd, "w");
		fputs("name: disk\n", f);
		fclose(f);
		v = cJSON_CreateObject();
		is_int(k8c_config_load(path, table, v, &err), 0, "a file on disk loads");
		is_str(cJSON_GetObjectItem(v, "name")->valuestring, "disk", "with its value");
		cJSON_Delete(v);
		remove(path);
	}
	ok(k8c_option_find(table, "port") == &table[2], "k8c_option_find finds an option");
	ok(k8c_option_find(table, "nope") == NULL, "and not an unknown one");
	return done_testing();
}
