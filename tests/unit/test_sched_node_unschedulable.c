/* Unit tests for plugins/sched-node-unschedulable against a fake host
 * (TAP).  The cases follow kube-scheduler's node_unschedulable_test.go,
 * plus the toleration matching rules of core/v1 ToleratesTaint. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/scheduler.h>

#include "fake_host.h"
#include "fake_sched_node.h"
#include "tap.h"

extern const k8c_plugin_t k8c_plugin;

#define REASON "node(s) were unschedulable"
#define KEY "node.kubernetes.io/unschedulable"

static fake_host_t fh;
static void *cookie;
static const k8c_sched_policy_ops_t *ops;

/* pre_filter and filter of a pod with tolerations (JSON list text or NULL)
 * on a node whose spec.unschedulable is unsched (JSON text or NULL). */
static int run(const char *tolerations, const char *unsched, int *pre, char *reason)
{
	char buf[2048];
	cJSON *pod, *node;
	int ret;

	snprintf(buf, sizeof(buf), "{\"spec\":{\"containers\":[]%s%s}}",
	         tolerations ? ",\"tolerations\":" : "", tolerations ? tolerations : "");
	pod = cJSON_Parse(buf);
	snprintf(buf, sizeof(buf), "{\"metadata\":{\"name\":\"n\"},\"spec\":{%s%s}}",
	         unsched ? "\"unschedulable\":" : "", unsched ? unsched : "");
	node = cJSON_Parse(buf);
	reason[0] = '\0';
	if (pod == NULL || node == NULL) {
		ok(0, "fixtures parse");
		cJSON_Delete(pod);
		cJSON_Delete(node);
		return -1;
	}
	k8c_sched_cycle_t cycle = {.pod = pod};
	k8c_sched_node_t n = {.name = "n", .node = node};
	fake_sched_node_fill(&n);
	*pre = ops->pre_filter(cookie, &cycle, reason);
	ret = ops->filter(cookie, &cycle, &n, reason);
	cJSON_Delete(pod);
	cJSON_Delete(node);
	return ret;
}

static void expect(const char *tols, const char *unsched, int want, int want_pre, const char *name)
{
	char reason[K8C_SCHED_REASON_MAX];
	int pre = -1;
	int ret = run(tols, unsched, &pre, reason);

	is_int(ret, want, "filter: %s", name);
	is_str(reason, want == K8C_SCHED_SUCCESS ? "" : REASON, "reason: %s", name);
	is_int(pre, want_pre, "pre_filter: %s", name);
}

static void test_descriptor(void)
{
	k8c_error_t err = {0};
	cJSON *cfg = cJSON_Parse("{}");
	void *second = NULL;

	is_int(k8c_plugin.abi_major, K8C_ABI_MAJOR, "abi major");
	is_int(k8c_plugin.abi_minor, K8C_ABI_MINOR, "abi minor");
	is_int(k8c_plugin.kind, K8C_PLUGIN_SCHEDULER, "scheduler kind");
	is_str(k8c_plugin.name, "node-unschedulable", "name");
	ops = k8c_plugin.ops;
	ok(ops != NULL && ops->struct_size == sizeof(k8c_sched_policy_ops_t), "ops struct_size");
	ok(ops->pre_filter && ops->filter && !ops->score && !ops->bind,
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
	const int S = K8C_SCHED_SUCCESS, U = K8C_SCHED_UNRESOLVABLE, SKIP = K8C_SCHED_SKIP;

	expect(NULL, NULL, S, S, "schedulable node (unset)");
	expect(NULL, "false", S, S, "schedulable node (false)");
	expect(NULL, "true", U, S, "cordoned node, no tolerations");
	expect("[]", "true", U, S, "cordoned node, empty tolerations");
	expect("[{\"key\":\"" KEY "\",\"effect\":\"NoSchedule\"}]", "true", S, SKIP,
	       "the unschedulable taint tolerated (empty operator, empty value)");
	expect("[{\"key\":\"" KEY "\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]", "true",
	       S, SKIP, "tolerated with Exists");
	expect("[{\"key\":\"" KEY "\",\"operator\":\"Exists\"}]", "true", S, SKIP,
	       "tolerated with Exists and any effect");
	expect("[{\"operator\":\"Exists\"}]", "true", S, SKIP, "tolerate-everything");
	expect("[{\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]", "true", S, SKIP,
	       "every NoSchedule taint tolerated");
	expect("[{\"key\":\"" KEY "\",\"operator\":\"Equal\",\"value\":\"\","
	       "\"effect\":\"NoSchedule\"}]",
	       "true", S, SKIP, "explicit Equal with the empty value");
	expect("[{\"key\":\"" KEY "\",\"operator\":\"Equal\",\"value\":\"yes\"}]", "true", U, S,
	       "Equal with another value does not tolerate");
	expect("[{\"key\":\"" KEY "\",\"operator\":\"Exists\",\"effect\":\"NoExecute\"}]", "true",
	       U, S, "NoExecute toleration does not tolerate NoSchedule");
	expect("[{\"key\":\"" KEY "\",\"operator\":\"Exists\",\"effect\":\"PreferNoSchedule\"}]",
	       "true", U, S, "PreferNoSchedule toleration does not tolerate NoSchedule");
	expect("[{\"key\":\"node.kubernetes.io/not-ready\",\"operator\":\"Exists\"}]", "true", U, S,
	       "another key does not tolerate");
	expect("[{\"key\":\"" KEY "\",\"operator\":\"exists\"}]", "true", U, S,
	       "operators are case-sensitive");
	expect("[{\"key\":\"" KEY "\",\"operator\":\"Lt\"}]", "true", U, S,
	       "an unknown operator tolerates nothing");
	expect("[{\"key\":\"a\",\"operator\":\"Exists\"},{\"key\":\"" KEY
	       "\",\"operator\":\"Exists\"}]",
	       "true", S, SKIP, "the second toleration tolerates");
	expect("[{\"key\":\"" KEY "\",\"operator\":\"Exists\"}]", NULL, S, SKIP,
	       "tolerating pod on a schedulable node");
}

static void test_malformed(void)
{
	const int S = K8C_SCHED_SUCCESS, U = K8C_SCHED_UNRESOLVABLE, SKIP = K8C_SCHED_SKIP;
	char reason[K8C_SCHED_REASON_MAX];

	expect(NULL, "\"true\"", S, S, "unschedulable as a string is not true");
	expect(NULL, "1", S, S, "unschedulable as a number is not true");
	expect(NULL, "null", S, S, "unschedulable null");
	expect("\"all\"", "true", U, S, "tolerations not a list tolerate nothing");
	expect("{\"operator\":\"Exists\"}", "true", U, S,
	       "tolerations as an object tolerate nothing");
	expect("[1, null, \"Exists\", []]", "true", U, S, "entries that are not objects");
	expect("[{\"operator\":\"Exists\",\"key\":7}]", "true", U, S,
	       "a numeric key makes the toleration malformed");
	expect("[{\"operator\":[\"Exists\"]}]", "true", U, S, "a list operator");
	expect("[{\"operator\":\"Exists\",\"effect\":false}, {\"operator\":\"Exists\"}]", "true", S,
	       SKIP, "a good toleration after a bad one");
	expect("[{\"key\":null,\"operator\":\"Exists\",\"value\":null}]", "true", S, SKIP,
	       "null members count as absent");

	cJSON *pod = cJSON_Parse("[]"), *node = cJSON_Parse("{\"spec\":{\"unschedulable\":true}}");
	k8c_sched_cycle_t cycle = {.pod = pod};
	k8c_sched_node_t n = {.name = "n", .node = node};
	fake_sched_node_fill(&n);
	is_int(ops->pre_filter(cookie, &cycle, reason), S, "pod of the wrong type: pre_filter");
	is_int(ops->filter(cookie, &cycle, &n, reason), U, "pod of the wrong type: filter");
	cycle.pod = NULL;
	is_int(ops->filter(cookie, &cycle, &n, reason), U, "no pod at all tolerates nothing");
	n.node = NULL;
	fake_sched_node_fill(&n);
	is_int(ops->filter(cookie, &cycle, &n, reason), K8C_SCHED_ERROR, "filter without a node");
	is_str(reason, "invalid nodeInfo", "filter error reason");
	is_int(ops->pre_filter(cookie, NULL, reason), S, "pre_filter without a cycle");
	cJSON_Delete(pod);
	cJSON_Delete(node);
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
