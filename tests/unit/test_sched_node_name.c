/* Unit tests for plugins/sched-node-name against a fake host (TAP).  The
 * cases follow kube-scheduler's node_name_test.go. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/scheduler.h>

#include "fake_host.h"
#include "tap.h"

extern const k8c_plugin_t k8c_plugin;

#define REASON "node(s) didn't match the requested node name"

static fake_host_t fh;
static void *cookie;
static const k8c_sched_policy_ops_t *ops;

/* pre_filter then (unless it skipped) filter of pod_json on a node called
 * node_name; *pre gets pre_filter's answer. */
static int run(const char *pod_json, const char *node_name, int *pre, char *reason)
{
	cJSON *pod = cJSON_Parse(pod_json);
	char node_json[256];
	cJSON *node;
	k8c_sched_cycle_t cycle = {.pod = pod};
	k8c_sched_node_t n = {.name = node_name};
	int ret;

	snprintf(node_json, sizeof(node_json), "{\"metadata\":{\"name\":\"%s\"}}",
	         node_name ? node_name : "");
	node = cJSON_Parse(node_json);
	n.node = node;
	reason[0] = '\0';
	if (pod == NULL || node == NULL) {
		ok(0, "fixture parses: %s", pod_json);
		return -1;
	}
	*pre = ops->pre_filter(cookie, &cycle, reason);
	ret = ops->filter(cookie, &cycle, &n, reason);
	ok(cycle.state == NULL, "no cycle state");
	cJSON_Delete(pod);
	cJSON_Delete(node);
	return ret;
}

static void test_descriptor(void)
{
	k8c_error_t err = {0};
	cJSON *cfg = cJSON_Parse("{}");
	void *second = NULL;

	is_int(k8c_plugin.abi_major, K8C_ABI_MAJOR, "abi major");
	is_int(k8c_plugin.abi_minor, K8C_ABI_MINOR, "abi minor");
	is_int(k8c_plugin.kind, K8C_PLUGIN_SCHEDULER, "scheduler kind");
	is_str(k8c_plugin.name, "node-name", "name");
	ops = k8c_plugin.ops;
	ok(ops != NULL && ops->struct_size == sizeof(k8c_sched_policy_ops_t), "ops struct_size");
	ok(ops->pre_filter && ops->filter && !ops->score && !ops->bind && !ops->state_free,
	   "pre_filter and filter only");
	is_int(k8c_plugin.init(&fh.host, cfg, &cookie, &err), 0, "init");
	is_int(k8c_plugin.init(&fh.host, cfg, &second, &err), 0, "a second instance");
	ok(cookie != NULL && second != NULL && cookie != second, "instances have their own cookie");
	k8c_plugin.fini(second);
	cJSON_Delete(cfg);

	cfg = cJSON_Parse("{\"bogus\": 1}");
	is_int(k8c_plugin.init(&fh.host, cfg, &second, &err), 0, "init with an unknown key");
	is_int(fh.lines[K8C_LOG_WARN], 1, "unknown config key warned about");
	k8c_plugin.fini(second);
	cJSON_Delete(cfg);
}

static void test_filter(void)
{
	char reason[K8C_SCHED_REASON_MAX];
	int pre;

	is_int(run("{\"spec\":{\"containers\":[]}}", "foo", &pre, reason), K8C_SCHED_SUCCESS,
	       "no nodeName: fits");
	is_int(pre, K8C_SCHED_SKIP, "no nodeName: pre_filter skips");
	is_int(run("{\"spec\":{\"nodeName\":\"\"}}", "foo", &pre, reason), K8C_SCHED_SUCCESS,
	       "empty nodeName: fits");
	is_int(pre, K8C_SCHED_SKIP, "empty nodeName: pre_filter skips");

	is_int(run("{\"spec\":{\"nodeName\":\"foo\"}}", "foo", &pre, reason), K8C_SCHED_SUCCESS,
	       "nodeName equal to the node: fits");
	is_int(pre, K8C_SCHED_SUCCESS, "a nodeName: pre_filter does not skip");
	is_str(reason, "", "no reason when it fits");

	is_int(run("{\"spec\":{\"nodeName\":\"bar\"}}", "foo", &pre, reason),
	       K8C_SCHED_UNRESOLVABLE, "another node: unresolvable");
	is_str(reason, REASON, "reason wording");
	is_int(run("{\"spec\":{\"nodeName\":\"foo\"}}", "foo.example", &pre, reason),
	       K8C_SCHED_UNRESOLVABLE, "a prefix is not the name");
	is_int(run("{\"spec\":{\"nodeName\":\"Foo\"}}", "foo", &pre, reason),
	       K8C_SCHED_UNRESOLVABLE, "names compare case-sensitively");

	/* The node's name from the Node object when the cache gives none. */
	{
		cJSON *pod = cJSON_Parse("{\"spec\":{\"nodeName\":\"n1\"}}");
		cJSON *node = cJSON_Parse("{\"metadata\":{\"name\":\"n1\"}}");
		cJSON *other = cJSON_Parse("{\"metadata\":{\"name\":\"n2\"}}");
		k8c_sched_cycle_t cycle = {.pod = pod};
		k8c_sched_node_t n = {.name = NULL, .node = node};

		is_int(ops->filter(cookie, &cycle, &n, reason), K8C_SCHED_SUCCESS,
		       "node name from metadata.name");
		n.node = other;
		is_int(ops->filter(cookie, &cycle, &n, reason), K8C_SCHED_UNRESOLVABLE,
		       "other metadata.name");
		n.node = NULL;
		is_int(ops->filter(cookie, &cycle, &n, reason), K8C_SCHED_UNRESOLVABLE,
		       "a node without a name matches no nodeName");
		is_str(reason, REASON, "with the usual reason");
		cJSON_Delete(pod);
		cJSON_Delete(node);
		cJSON_Delete(other);
	}
}

static void test_malformed(void)
{
	char reason[K8C_SCHED_REASON_MAX];
	int pre;

	is_int(run("{\"spec\":{\"nodeName\":42}}", "foo", &pre, reason), K8C_SCHED_SUCCESS,
	       "numeric nodeName ignored");
	is_int(pre, K8C_SCHED_SKIP, "and pre_filter skips");
	is_int(run("{\"spec\":{\"nodeName\":[\"bar\"]}}", "foo", &pre, reason), K8C_SCHED_SUCCESS,
	       "list nodeName ignored");
	is_int(run("{\"spec\":{\"nodeName\":null}}", "foo", &pre, reason), K8C_SCHED_SUCCESS,
	       "null nodeName is unset");
	is_int(run("{\"spec\":\"bar\"}", "foo", &pre, reason), K8C_SCHED_SUCCESS,
	       "spec of the wrong type");
	is_int(run("[]", "foo", &pre, reason), K8C_SCHED_SUCCESS, "pod of the wrong type");

	k8c_sched_cycle_t cycle = {.pod = NULL};
	is_int(ops->pre_filter(cookie, &cycle, reason), K8C_SCHED_SKIP, "pre_filter without a pod");
	is_int(ops->pre_filter(cookie, NULL, reason), K8C_SCHED_SKIP, "pre_filter without a cycle");
	is_int(ops->filter(cookie, &cycle, NULL, reason), K8C_SCHED_ERROR, "filter without a node");
	is_str(reason, "invalid nodeInfo", "filter error reason");
}

int main(void)
{
	fake_host_init(&fh);
	test_descriptor();
	test_filter();
	test_malformed();
	k8c_plugin.fini(cookie);
	return done_testing();
}
