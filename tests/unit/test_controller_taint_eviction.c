/* Controller plugin taint-eviction against a fake controller manager:
 * toleration matching, and pods deleted at once, after their
 * tolerationSeconds or never, with kube's condition and events. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/timestamp.h"
#include "nl_fake_controller_host.h"
#include "tap.h"

#include "../../plugins/controller-node-lifecycle/tolerations.h"

extern const k8c_plugin_t k8c_plugin;

#define S INT64_C(1000000000)

static void test_matching(void)
{
	static const struct {
		const char *tol, *taint;
		int want;
	} cases[] = {
		{"{\"key\":\"a\",\"operator\":\"Exists\",\"effect\":\"NoExecute\"}", "{\"key\":\"a\",\"effect\":\"NoExecute\"}", 1},
		{"{\"key\":\"a\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}", "{\"key\":\"a\",\"effect\":\"NoExecute\"}", 0},
		{"{\"key\":\"a\",\"operator\":\"Exists\"}", "{\"key\":\"a\",\"value\":\"v\",\"effect\":\"NoExecute\"}", 1},
		{"{\"operator\":\"Exists\"}", "{\"key\":\"b\",\"effect\":\"NoExecute\"}", 1},
		{"{\"key\":\"a\",\"value\":\"v\"}", "{\"key\":\"a\",\"value\":\"v\",\"effect\":\"NoExecute\"}", 1},
		{"{\"key\":\"a\",\"operator\":\"Equal\",\"value\":\"w\"}", "{\"key\":\"a\",\"value\":\"v\",\"effect\":\"NoExecute\"}", 0},
		{"{\"key\":\"a\",\"operator\":\"Equal\"}", "{\"key\":\"a\",\"effect\":\"NoExecute\"}", 1},
		{"{\"key\":\"a\",\"operator\":\"Lt\"}", "{\"key\":\"a\",\"effect\":\"NoExecute\"}", 0},
		{"{\"key\":7}", "{\"key\":\"a\",\"effect\":\"NoExecute\"}", 0},
		{"[]", "{\"key\":\"a\"}", 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cJSON *tol = cJSON_Parse(cases[i].tol), *taint = cJSON_Parse(cases[i].taint);

		is_int(nl_tolerates(tol, taint), cases[i].want, "%s tolerates %s: %d", cases[i].tol,
		       cases[i].taint, cases[i].want);
		cJSON_Delete(tol);
		cJSON_Delete(taint);
	}
}

static int64_t time_of(const char *taints, const char *tols, int *all)
{
	cJSON *a = cJSON_Parse(taints), *b = cJSON_Parse(tols);
	int64_t s = -99;

	*all = nl_toleration_time(a, b, &s);
	cJSON_Delete(a);
	cJSON_Delete(b);
	return s;
}

static void test_times(void)
{
	const char *two = "[{\"key\":\"u\",\"effect\":\"NoExecute\"},{\"key\":\"n\",\"effect\":\"NoExecute\"}]";
	int all;
	int64_t s;

	s = time_of(two, "[{\"key\":\"u\",\"operator\":\"Exists\",\"tolerationSeconds\":30},"
	                 "{\"key\":\"n\",\"operator\":\"Exists\",\"tolerationSeconds\":10}]", &all);
	ok(all && s == 10, "both tolerated: the least tolerationSeconds (%lld)", (long long)s);
	s = time_of(two, "[{\"key\":\"u\",\"operator\":\"Exists\"},{\"key\":\"n\",\"operator\":\"Exists\"}]", &all);
	ok(all && s == NL_TOLERATE_FOREVER, "no tolerationSeconds: forever");
	s = time_of(two, "[{\"key\":\"u\",\"operator\":\"Exists\"},{\"key\":\"n\",\"operator\":\"Exists\",\"tolerationSeconds\":5}]", &all);
	ok(all && s == 5, "forever and 5: 5");
	s = time_of(two, "[{\"key\":\"u\",\"operator\":\"Exists\",\"tolerationSeconds\":-3},{\"operator\":\"Exists\"}]", &all);
	ok(all && s == 0, "a negative tolerationSeconds counts as 0");
	s = time_of(two, "[{\"operator\":\"Exists\",\"tolerationSeconds\":1e300}]", &all);
	ok(all && s == INT64_MAX, "a tolerationSeconds too large for int64 is the largest, not an overflow");
	time_of(two, "[{\"key\":\"u\",\"operator\":\"Exists\"}]", &all);
	ok(!all, "one taint not tolerated");
	time_of(two, "null", &all);
	ok(!all, "no tolerations at all");
	s = time_of(two, "[{\"operator\":\"Exists\",\"tolerationSeconds\":7},{\"key\":\"n\",\"operator\":\"Exists\",\"tolerationSeconds\":1}]", &all);
	ok(all && s == 7, "the first toleration that matches a taint counts (GetMatchingTolerations)");
}

static cJSON *node_with(const char *taints)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "{\"metadata\":{\"name\":\"n\",\"uid\":\"un\"},\"spec\":{\"taints\":%s}}", taints);
	return cJSON_Parse(buf);
}

static cJSON *pod_with(const char *name, const char *tolerations)
{
	char buf[1024];

	snprintf(buf, sizeof(buf),
	         "{\"metadata\":{\"name\":\"%s\",\"namespace\":\"default\",\"uid\":\"u-%s\"},"
	         "\"spec\":{\"nodeName\":\"n\",\"tolerations\":%s},\"status\":{\"phase\":\"Running\"}}",
	         name, name, tolerations);
	return cJSON_Parse(buf);
}

static void add_pod(fake_ctl_t *fc, void *cookie, cJSON *pod)
{
	const k8c_controller_ops_t *ops = k8c_plugin.ops;
	char key[128];

	snprintf(key, sizeof(key), "default/%s", cJSON_GetObjectItem(cJSON_GetObjectItem(pod, "metadata"), "name")->valuestring);
	fake_ctl_put(fc, 1, key, pod);
	ops->on_change(cookie, 1, K8C_WATCH_ADDED, pod, NULL);
}

static void test_plugin(void)
{
	const k8c_controller_ops_t *ops = k8c_plugin.ops;
	fake_ctl_t fc;
	void *cookie = NULL;
	k8c_error_t err;
	cJSON *config = cJSON_CreateObject();
	char ts[K8C_TIME_STRLEN], taints[256];
	int ret;

	fake_ctl_init(&fc);
	is_str(ops->event_component, "taint-eviction-controller", "events as taint-eviction-controller");
	is_int(k8c_plugin.init(&fc.fh.host, config, &cookie, &err), 0, "init");
	fake_ctl_put(&fc, 0, "n", node_with("[]"));
	add_pod(&fc, cookie, pod_with("none", "[]"));
	add_pod(&fc, cookie, pod_with("two", "[{\"key\":\"node.kubernetes.io/unreachable\",\"operator\":\"Exists\",\"effect\":\"NoExecute\",\"tolerationSeconds\":2}]"));
	add_pod(&fc, cookie, pod_with("forever", "[{\"key\":\"node.kubernetes.io/unreachable\",\"operator\":\"Exists\",\"effect\":\"NoExecute\"}]"));
	add_pod(&fc, cookie, pod_with("long", "[{\"key\":\"node.kubernetes.io/unreachable\",\"operator\":\"Exists\",\"effect\":\"NoExecute\",\"tolerationSeconds\":300}]"));
	is_int(cJSON_GetArraySize(fc.enqueued), 0, "pods on an untainted node queue nothing");
	is_int(ops->reconcile(cookie, "n", &err), K8C_RECONCILE_DONE, "an untainted node: nothing to do");
	is_str(fake_ctl_requests(&fc), "", "and nothing written");

	/* the node gets the unreachable taint now */
	fc.fh.now_ns += 10 * S;
	snprintf(taints, sizeof(taints), "[{\"key\":\"node.kubernetes.io/unreachable\",\"effect\":\"NoExecute\",\"timeAdded\":\"%s\"}]",
	         k8c_time_format(fc.fh.now_ns, ts));
	fake_ctl_put(&fc, 0, "n", node_with(taints));
	ret = ops->reconcile(cookie, "n", &err);
	ok(ret > 1900 && ret <= 2001, "called again when the 2 s are up (%d ms)", ret);
	is_str(fake_ctl_requests(&fc),
	       "PATCH /api/v1/namespaces/default/pods/none/status;DELETE /api/v1/namespaces/default/pods/none;",
	       "the pod without a toleration: DisruptionTarget, then deleted");
	{
		char *s = cJSON_PrintUnformatted(cJSON_GetArrayItem(fc.bodies, 0));

		is_str(s, "{\"metadata\":{\"uid\":\"u-none\"},\"status\":{\"conditions\":[{\"type\":\"DisruptionTarget\","
		          "\"status\":\"True\",\"lastProbeTime\":null,\"lastTransitionTime\":\"2023-11-14T22:13:30Z\","
		          "\"reason\":\"DeletionByTaintManager\",\"message\":\"Taint manager: deleting due to NoExecute taint\"}]}}",
		       "the condition as kube's taint manager patches it");
		free(s);
	}
	is_str(fake_ctl_events(&fc), "Normal TaintManagerEviction 1/none: Marking for deletion Pod default/none;",
	       "kube's event");
	cJSON_DeleteItemFromObject(fc.cache[1], "default/none");
	fake_ctl_clear(&fc);

	fc.fh.now_ns += 1 * S;
	ret = ops->reconcile(cookie, "n", &err);
	is_str(fake_ctl_requests(&fc), "", "1 s later: the 2 s pod stays");
	ok(ret > 900 && ret <= 1001,
	   "called again when the rest is up: the queue keeps the earliest delay, no bookkeeping (%d ms)", ret);
	fc.fail_next = K8C_EUNAVAIL;
	add_pod(&fc, cookie, pod_with("flaky", "[]"));
	ret = ops->reconcile(cookie, "n", &err);
	is_int(ret, -K8C_EUNAVAIL, "a pass that fails (retried with backoff, which may be the key's only pending add)");
	fake_ctl_clear(&fc);
	ret = ops->reconcile(cookie, "n", &err);
	ok(ret > 900 && ret <= 1001,
	   "the pass after a failure still asks to be called for the scheduled deletion (%d ms)", ret);
	ret = ops->reconcile(cookie, "n", &err);
	ok(ret > 900 && ret <= 1001, "and so does every pass until it is done (%d ms)", ret);
	cJSON_DeleteItemFromObject(fc.cache[1], "default/flaky");
	fake_ctl_clear(&fc);
	fc.fh.now_ns += 1 * S + 1000000;
	ops->reconcile(cookie, "n", &err);
	is_str(fake_ctl_requests(&fc),
	       "PATCH /api/v1/namespaces/default/pods/two/status;DELETE /api/v1/namespaces/default/pods/two;",
	       "2 s after the taint: deleted");
	cJSON_DeleteItemFromObject(fc.cache[1], "default/two");
	fake_ctl_clear(&fc);

	/* a pod coming to the tainted node is looked at */
	add_pod(&fc, cookie, pod_with("late", "[{\"key\":\"node.kubernetes.io/unreachable\",\"operator\":\"Exists\",\"effect\":\"NoExecute\",\"tolerationSeconds\":1}]"));
	is_str(cJSON_GetArraySize(fc.enqueued) == 1 ? cJSON_GetArrayItem(fc.enqueued, 0)->valuestring : "",
	       "n", "a pod coming to a tainted node queues the node");
	fc.fh.now_ns += 500000000;
	ops->reconcile(cookie, "n", &err);
	is_str(fake_ctl_requests(&fc), "", "its time counts from its arrival, not the taint's");

	/* the taint goes: the pending deletions are cancelled */
	fake_ctl_put(&fc, 0, "n", node_with("[]"));
	ret = ops->reconcile(cookie, "n", &err);
	is_int(ret, K8C_RECONCILE_DONE, "untainted: done");
	{
		const char *ev = fake_ctl_events(&fc);

		ok(strstr(ev, "Normal TaintManagerEviction 1/long: Cancelling deletion of Pod default/long;") != NULL &&
		   strstr(ev, "Normal TaintManagerEviction 1/late: Cancelling deletion of Pod default/late;") != NULL &&
		   strstr(ev, "forever") == NULL,
		   "the pending deletions are cancelled with kube's event (not the pod tolerating forever): %s", ev);
	}
	is_str(fake_ctl_requests(&fc), "", "nothing deleted");
	fake_ctl_clear(&fc);

	/* tainted again, then the pod is deleted by someone else */
	fake_ctl_put(&fc, 0, "n", node_with(taints));
	ops->reconcile(cookie, "n", &err);
	ops->on_change(cookie, 1, K8C_WATCH_DELETED, cJSON_GetObjectItem(fc.cache[1], "default/long"), NULL);
	ok(strstr(fake_ctl_events(&fc), "Cancelling deletion of Pod default/long") != NULL,
	   "a pod deleted while its deletion was pending: cancelled");

	/* a failing delete is retried */
	fake_ctl_clear(&fc);
	add_pod(&fc, cookie, pod_with("fail", "[]"));
	fc.fail_next = K8C_EUNAVAIL;
	ret = ops->reconcile(cookie, "n", &err);
	is_int(ret, -K8C_EUNAVAIL, "an API failure: reconcile fails, to be retried with backoff");

	/* the node is deleted */
	cJSON_DeleteItemFromObject(fc.cache[0], "n");
	is_int(ops->reconcile(cookie, "n", &err), K8C_RECONCILE_DONE, "a deleted node: done");
	k8c_plugin.fini(cookie);
	cJSON_Delete(config);
	fake_ctl_fini(&fc);
}

int main(void)
{
	test_matching();
	test_times();
	test_plugin();
	return done_testing();
}
