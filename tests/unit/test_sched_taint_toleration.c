/* Unit tests for plugins/sched-taint-toleration against a fake host (TAP).
 * The cases follow kube-scheduler's taint_toleration_test.go. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/scheduler.h>

#include "fake_host.h"
#include "fake_sched_node.h"
#include "tap.h"

extern const k8c_plugin_t k8c_plugin;

static fake_host_t fh;
static void *cookie;
static const k8c_sched_policy_ops_t *ops;

/* Pod with the given tolerations JSON (a list, or NULL for none). */
static cJSON *make_pod(const char *tolerations)
{
	char buf[2048];

	snprintf(buf, sizeof(buf),
	         "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[]%s%s}}",
	         tolerations ? ",\"tolerations\":" : "", tolerations ? tolerations : "");
	return cJSON_Parse(buf);
}

static cJSON *make_node(const char *taints)
{
	char buf[2048];

	snprintf(buf, sizeof(buf), "{\"metadata\":{\"name\":\"n\"},\"spec\":{%s%s}}",
	         taints ? "\"taints\":" : "", taints ? taints : "");
	return cJSON_Parse(buf);
}

/* Run filter with raw Pod and Node JSON texts. */
static int filter_json(const char *pod_json, const char *node_json, char *reason)
{
	cJSON *pod = cJSON_Parse(pod_json), *node = cJSON_Parse(node_json);
	k8c_sched_cycle_t cycle = { .pod = pod };
	k8c_sched_node_t n = { .name = "n", .node = node };
	fake_sched_node_fill(&n);
	int ret;

	reason[0] = '\0';
	ret = pod && node ? ops->filter(cookie, &cycle, &n, reason) : -1;
	cJSON_Delete(pod);
	cJSON_Delete(node);
	return ret;
}

static int filter(const char *tolerations, const char *taints, char *reason)
{
	cJSON *pod = make_pod(tolerations), *node = make_node(taints);
	k8c_sched_cycle_t cycle = { .pod = pod };
	k8c_sched_node_t n = { .name = "n", .node = node };
	fake_sched_node_fill(&n);
	int ret;

	reason[0] = '\0';
	ret = pod && node ? ops->filter(cookie, &cycle, &n, reason) : -1;
	cJSON_Delete(pod);
	cJSON_Delete(node);
	return ret;
}

static int64_t score(const char *tolerations, const char *taints)
{
	cJSON *pod = make_pod(tolerations), *node = make_node(taints);
	k8c_sched_cycle_t cycle = { .pod = pod };
	k8c_sched_node_t n = { .name = "n", .node = node };
	fake_sched_node_fill(&n);
	int64_t s = -1;
	int ret = pod && node ? ops->score(cookie, &cycle, &n, &s) : -1;

	cJSON_Delete(pod);
	cJSON_Delete(node);
	return ret == K8C_SCHED_SUCCESS ? s : -100 - ret;
}

#define NOSCHED(k, v) "{\"key\":\"" k "\",\"value\":\"" v "\",\"effect\":\"NoSchedule\"}"
#define NOEXEC(k, v) "{\"key\":\"" k "\",\"value\":\"" v "\",\"effect\":\"NoExecute\"}"
#define PREFER(k, v) "{\"key\":\"" k "\",\"value\":\"" v "\",\"effect\":\"PreferNoSchedule\"}"

static void expect_fit(const char *tols, const char *taints, const char *name)
{
	char reason[K8C_SCHED_REASON_MAX];

	is_int(filter(tols, taints, reason), K8C_SCHED_SUCCESS, "filter fits: %s", name);
}

static void expect_reject(const char *tols, const char *taints, const char *want,
                          const char *name)
{
	char reason[K8C_SCHED_REASON_MAX];
	int ret = filter(tols, taints, reason);

	is_int(ret, K8C_SCHED_UNRESOLVABLE, "filter rejects: %s", name);
	is_str(reason, want, "reason: %s", name);
}

static void test_descriptor(void)
{
	k8c_error_t err = { 0 };
	cJSON *cfg = cJSON_Parse("{}");
	void *second = NULL;

	is_int(k8c_plugin.abi_major, K8C_ABI_MAJOR, "abi major");
	is_int(k8c_plugin.abi_minor, K8C_ABI_MINOR, "abi minor");
	is_int(k8c_plugin.kind, K8C_PLUGIN_SCHEDULER, "scheduler kind");
	is_str(k8c_plugin.name, "taint-toleration", "name");
	ops = k8c_plugin.ops;
	ok(ops != NULL && ops->struct_size == sizeof(k8c_sched_policy_ops_t),
	   "ops struct_size");
	ok(ops->filter && ops->score && ops->normalize_score && !ops->bind,
	   "filter, score and normalize_score only");
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
	expect_fit(NULL, NULL, "no tolerations, no taints");
	expect_fit(NULL, "[]", "no tolerations, empty taints");
	expect_reject(NULL, "[" NOSCHED("dedicated", "user1") "]",
	              "node(s) had untolerated taint {dedicated: user1}",
	              "no tolerations, a NoSchedule taint");
	expect_fit("[" NOSCHED("dedicated", "user1") "]", "[" NOSCHED("dedicated", "user1") "]",
	           "toleration equal to the taint");
	expect_fit("[{\"key\":\"dedicated\",\"operator\":\"Equal\",\"value\":\"user1\",\"effect\":\"NoSchedule\"}]",
	           "[" NOSCHED("dedicated", "user1") "]", "explicit Equal operator");
	expect_reject("[" NOSCHED("dedicated", "user2") "]", "[" NOSCHED("dedicated", "user1") "]",
	              "node(s) had untolerated taint {dedicated: user1}", "value differs");
	expect_reject("[" NOSCHED("other", "user1") "]", "[" NOSCHED("dedicated", "user1") "]",
	              "node(s) had untolerated taint {dedicated: user1}", "key differs");
	expect_fit("[{\"key\":\"foo\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]",
	           "[" NOSCHED("foo", "bar") "]", "Exists ignores the value");
	expect_fit("[{\"key\":\"foo\",\"operator\":\"Exists\",\"value\":\"zzz\",\"effect\":\"NoSchedule\"}]",
	           "[" NOSCHED("foo", "bar") "]", "Exists ignores even a set value");
	expect_fit("[{\"operator\":\"Exists\"}]",
	           "[" NOSCHED("a", "1") "," NOEXEC("b", "2") "," PREFER("c", "3") "]",
	           "Exists with an empty key tolerates everything");
	expect_reject("[{\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]",
	              "[" NOSCHED("a", "1") "," NOEXEC("b", "2") "]",
	              "node(s) had untolerated taint {b: 2}",
	              "Exists with empty key is limited by its effect");
	expect_fit("[{\"key\":\"foo\",\"value\":\"bar\"}]", "[" NOEXEC("foo", "bar") "]",
	           "empty effect matches NoExecute");
	expect_fit("[{\"key\":\"foo\",\"value\":\"bar\"}]", "[" NOSCHED("foo", "bar") "]",
	           "empty effect matches NoSchedule");
	expect_reject(NULL, "[" NOEXEC("node.kubernetes.io/unreachable", "") "]",
	              "node(s) had untolerated taint {node.kubernetes.io/unreachable: }",
	              "untolerated NoExecute taint");
	expect_reject("[" NOSCHED("foo", "bar") "]", "[" NOEXEC("foo", "bar") "]",
	              "node(s) had untolerated taint {foo: bar}",
	              "NoSchedule toleration does not tolerate NoExecute");
	expect_reject("[" PREFER("foo", "bar") "]", "[" NOSCHED("foo", "bar") "]",
	              "node(s) had untolerated taint {foo: bar}",
	              "PreferNoSchedule toleration does not tolerate NoSchedule");
	expect_fit(NULL, "[" PREFER("foo", "bar") "]",
	           "PreferNoSchedule taints do not filter");
	expect_fit("[" NOSCHED("foo", "bar") "]",
	           "[" NOSCHED("foo", "bar") "," PREFER("foo", "bar") "]",
	           "only NoSchedule/NoExecute taints need tolerating");
	expect_reject("[" NOSCHED("a", "1") "]",
	              "[" NOSCHED("a", "1") "," NOSCHED("b", "2") "," NOSCHED("c", "3") "]",
	              "node(s) had untolerated taint {b: 2}",
	              "the first untolerated taint is named");
	expect_fit("[" NOSCHED("a", "1") "," NOEXEC("b", "2") "]",
	           "[" NOSCHED("a", "1") "," NOEXEC("b", "2") "]", "every taint tolerated");
	/* As in core/v1 ToleratesTaint: an empty key with Equal skips the key
	 * and compares the values (validation forbids it, matching allows it). */
	expect_fit("[{\"operator\":\"Equal\",\"value\":\"v\"}]", "[" NOSCHED("any", "v") "]",
	           "empty key with Equal compares values only");
	expect_reject("[{\"key\":\"foo\",\"operator\":\"Lt\",\"value\":\"5\"}]",
	              "[" NOSCHED("foo", "5") "]",
	              "node(s) had untolerated taint {foo: 5}", "unknown operator tolerates nothing");
	expect_reject("[{\"key\":\"foo\",\"operator\":\"exists\"}]", "[" NOSCHED("foo", "5") "]",
	              "node(s) had untolerated taint {foo: 5}", "operators are case-sensitive");
	expect_fit("[{\"key\":\"foo\",\"operator\":\"Exists\",\"tolerationSeconds\":300}]",
	           "[" NOEXEC("foo", "x") "]", "tolerationSeconds does not matter for scheduling");
	expect_reject(NULL, "[{\"key\":\"k\",\"effect\":\"NoSchedule\"}]",
	              "node(s) had untolerated taint {k: }", "taint without a value");
}

static void test_malformed(void)
{
	char reason[K8C_SCHED_REASON_MAX];
	int debug = fh.lines[K8C_LOG_DEBUG];

	expect_fit(NULL, "\"not-a-list\"", "taints not a list: nothing to tolerate");
	expect_fit(NULL, "[1, \"x\", null, []]", "taint entries that are not objects are ignored");
	expect_fit(NULL, "[{\"key\":5,\"effect\":\"NoSchedule\"}]", "taint with a numeric key ignored");
	expect_fit(NULL, "[{\"key\":\"k\",\"effect\":[\"NoSchedule\"]}]", "taint with a list effect ignored");
	ok(fh.lines[K8C_LOG_DEBUG] > debug, "malformed taints are logged at debug");
	expect_reject("\"all\"", "[" NOSCHED("a", "1") "]",
	              "node(s) had untolerated taint {a: 1}", "tolerations not a list tolerate nothing");
	expect_reject("[1, null, {\"operator\":7}]", "[" NOSCHED("a", "1") "]",
	              "node(s) had untolerated taint {a: 1}", "malformed tolerations tolerate nothing");
	expect_fit("[{\"operator\":\"Exists\",\"value\":false}, {\"operator\":\"Exists\"}]",
	           "[" NOSCHED("a", "1") "]", "a good toleration after a bad one still counts");
	expect_fit("[{\"key\":\"a\",\"value\":null,\"operator\":\"Exists\"}]",
	           "[" NOSCHED("a", "1") "]", "null members count as absent");

	is_int(filter_json("{}", "{}", reason), K8C_SCHED_SUCCESS, "pod and node without spec");
	is_int(filter_json("{\"spec\":[]}", "{\"spec\":\"x\"}", reason), K8C_SCHED_SUCCESS,
	       "specs of the wrong type");

	k8c_sched_cycle_t cycle = { .pod = NULL };
	k8c_sched_node_t n = { .name = "n", .node = NULL };
	fake_sched_node_fill(&n);
	int64_t s = 7;
	is_int(ops->filter(cookie, &cycle, &n, reason), K8C_SCHED_ERROR, "filter without objects");
	is_str(reason, "invalid nodeInfo", "filter error reason");
	is_int(ops->score(cookie, &cycle, &n, &s), K8C_SCHED_ERROR, "score without objects");
	is_int(score(NULL, "[{\"effect\":\"PreferNoSchedule\",\"key\":{}}, 3]"), 0,
	       "malformed PreferNoSchedule taints are not counted");
}

static void test_score(void)
{
	is_int(score(NULL, NULL), 0, "no taints: 0");
	is_int(score(NULL, "[" PREFER("a", "1") "," PREFER("b", "2") "]"), 2,
	       "no tolerations: every PreferNoSchedule taint counts");
	is_int(score("[" PREFER("a", "1") "]", "[" PREFER("a", "1") "," PREFER("b", "2") "]"), 1,
	       "one tolerated, one not");
	is_int(score("[{\"key\":\"a\",\"value\":\"1\"}]", "[" PREFER("a", "1") "]"), 0,
	       "empty-effect toleration tolerates PreferNoSchedule");
	is_int(score("[" NOSCHED("a", "1") "]", "[" PREFER("a", "1") "]"), 1,
	       "NoSchedule toleration does not tolerate PreferNoSchedule");
	is_int(score(NULL, "[" NOSCHED("a", "1") "," NOEXEC("b", "2") "," PREFER("c", "3") "]"), 1,
	       "NoSchedule and NoExecute taints are not scored");
	is_int(score("[{\"operator\":\"Exists\"}]", "[" PREFER("a", "1") "," PREFER("b", "2") "]"), 0,
	       "tolerate-all scores 0");
	is_int(score("[{\"key\":\"a\",\"operator\":\"Exists\",\"effect\":\"PreferNoSchedule\"}]",
	             "[" PREFER("a", "1") "," PREFER("a", "2") "," PREFER("b", "1") "]"), 1,
	       "Exists per key");
}

static void test_normalize(void)
{
	k8c_sched_node_score_t s3[] = { { "a", 1 }, { "b", 2 }, { "c", 3 } };
	k8c_sched_node_score_t s0[] = { { "a", 0 }, { "b", 0 } };
	k8c_sched_node_score_t mix[] = { { "a", 0 }, { "b", 1 }, { "c", 2 } };
	k8c_sched_node_score_t one[] = { { "a", 5 } };

	is_int(ops->normalize_score(cookie, NULL, s3, 3), K8C_SCHED_SUCCESS, "normalize");
	ok(s3[0].score == 67 && s3[1].score == 34 && s3[2].score == 0,
	   "1,2,3 -> 67,34,0 (integer division as Kubernetes): %lld %lld %lld",
	   (long long)s3[0].score, (long long)s3[1].score, (long long)s3[2].score);
	ops->normalize_score(cookie, NULL, s0, 2);
	ok(s0[0].score == 100 && s0[1].score == 100, "all zero -> 100 each");
	ops->normalize_score(cookie, NULL, mix, 3);
	ok(mix[0].score == 100 && mix[1].score == 50 && mix[2].score == 0,
	   "fewest intolerable taints score highest");
	ops->normalize_score(cookie, NULL, one, 1);
	is_int(one[0].score, 0, "a single node with taints scores 0");
	is_int(ops->normalize_score(cookie, NULL, NULL, 0), K8C_SCHED_SUCCESS, "no nodes");
}

int main(void)
{
	fake_host_init(&fh);
	test_descriptor();
	test_filter();
	test_malformed();
	test_score();
	test_normalize();
	k8c_plugin.fini(cookie);
	return done_testing();
}
