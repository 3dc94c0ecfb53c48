/* The loader's C API and the instance lifecycle, on the ABI fixtures. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "plugin/host.h"
#include "plugin/loader.h"
#include "tap.h"

static char libs[4096];

static const char *fixture(const char *name)
{
	static char path[4200];
	snprintf(path, sizeof(path), "%s/%s.so", libs, name);
	return path;
}

int main(void)
{
	const char *top = getenv("top_builddir");
	k8c_plugin_set_t set;
	k8c_plugin_instance_t *a = NULL, *b = NULL, *c = NULL;
	const k8c_loaded_plugin_t *good;
	const k8c_host_t *host;
	k8c_error_t err;
	char dir[] = "/tmp/k8c-test-loader-XXXXXX";
	char path[4200];
	struct stat st;
	cJSON *cfg;

	snprintf(libs, sizeof(libs), "%s/tests/abi/.libs", top ? top : ".");
	k8c_plugin_set_init(&set);

	is_int(k8c_plugin_set_load_file(&set, fixture("good_sched")), 0, "the good fixture loads");
	is_int(k8c_plugin_set_load_file(&set, fixture("bad_major")), -1, "bad major refused");
	is_int(k8c_plugin_set_load_file(&set, fixture("good_sched_dup")), -1, "duplicate refused");
	is_int(k8c_plugin_set_load_file(&set, "/nonexistent.so"), -1, "missing file refused");
	is_int(set.n_loaded, 1, "one loaded");
	is_int(set.n_refused, 3, "three refused");
	is_int(set.refused[0].reason, K8C_REFUSE_ABI_MAJOR, "reason: abi major");
	is_int(set.refused[1].reason, K8C_REFUSE_DUPLICATE, "reason: duplicate");
	is_int(set.refused[2].reason, K8C_REFUSE_NOT_LOADABLE, "reason: not loadable");
	ok(strstr(set.refused[1].why, fixture("good_sched")) != NULL,
	   "the duplicate names the first file: %s", set.refused[1].why);

	good = k8c_plugin_set_find(&set, K8C_PLUGIN_SCHEDULER, "abi-good");
	ok(good != NULL, "find by kind and name");
	ok(k8c_plugin_set_find(&set, K8C_PLUGIN_STORE, "abi-good") == NULL, "kind matters to find");
	is_str(good->desc->description, "a valid plugin for the ABI tests", "descriptor readable");

	ok(mkdtemp(dir) != NULL, "temporary data dir");
	cfg = cJSON_Parse("{\"instance\": 1}");
	is_int(k8c_plugin_instance_new(good, cfg, dir, &a, &err), 0, "instance 1 created");
	cJSON_Delete(cfg); /* the instance keeps its own copy */
	host = k8c_plugin_instance_host(a);
	is_int(host->struct_size, sizeof(k8c_host_t), "host table carries its size");
	is_int(host->abi_major, K8C_ABI_MAJOR, "host table carries the ABI");
	ok(host->now_ns(host->ctx) > 1600000000LL * 1000000000LL, "now_ns is wall-clock time");
	ok(host->monotonic_ns(host->ctx) > 0, "monotonic_ns works");
	snprintf(path, sizeof(path), "%s/plugins/scheduler-abi-good", dir);
	is_str(host->data_dir, path, "data dir is DATA/plugins/KIND-NAME");
	ok(stat(path, &st) == 0 && S_ISDIR(st.st_mode), "and it exists");

	cfg = cJSON_Parse("{\"instance\": 2}");
	is_int(k8c_plugin_instance_new(good, cfg, NULL, &b, &err), 0, "a second instance of the same plugin");
	cJSON_Delete(cfg);
	ok(k8c_plugin_instance_cookie(a) != k8c_plugin_instance_cookie(b), "instances have their own cookies");
	ok(k8c_plugin_instance_host(b)->data_dir == NULL, "no data dir when none is given");

	cfg = cJSON_Parse("{\"fail\": true}");
	ok(k8c_plugin_instance_new(good, cfg, NULL, &c, &err) < 0 && err.code == K8C_EINVAL &&
	   strstr(err.message, "asked to fail") != NULL, "a failing init reports its error: %s", err.message);
	ok(c == NULL, "and yields no instance");
	cJSON_Delete(cfg);

	k8c_plugin_instance_free(a);
	k8c_plugin_instance_free(b);
	k8c_plugin_instance_free(NULL);

	cfg = cJSON_Parse("{\"scheduler\": {\"abi-good\": {\"x\": 1}}, \"store\": {}}");
	ok(cJSON_GetObjectItem(k8c_plugin_config_for(cfg, K8C_PLUGIN_SCHEDULER, "abi-good"), "x") != NULL,
	   "config_for finds plugins.KIND.NAME");
	ok(k8c_plugin_config_for(cfg, K8C_PLUGIN_STORE, "abi-good") == NULL, "and nothing for another kind");
	ok(k8c_plugin_config_for(NULL, K8C_PLUGIN_STORE, "x") == NULL, "nor without a section");
	cJSON_Delete(cfg);

	is_str(k8c_plugin_kind_name(K8C_PLUGIN_CLOUD), "cloud", "kind names");
	is_int(k8c_plugin_kind_parse("runtime"), K8C_PLUGIN_RUNTIME, "kind parse");
	is_int(k8c_plugin_kind_parse("nope"), -1, "unknown kind");
	ok(k8c_plugin_kind_name(0) == NULL && k8c_plugin_kind_name(6) == NULL, "out-of-range kinds");

	k8c_plugin_set_free(&set);
	ok(set.n_loaded == 0 && set.loaded == NULL, "set freed");
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	ok(system(path) == 0, "cleanup");
	return done_testing();
}
