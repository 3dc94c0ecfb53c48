/* Controller plugin node-lifecycle against a fake controller manager: Go
 * durations, zone states and rates, condition taints, and a node whose
 * lease stops going Unknown and tainted with kube's events. */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/timestamp.h"
#include "nl_fake_controller_host.h"
#include "tap.h"

#include "../../plugins/controller-node-lifecycle/duration.h"
#include "../../plugins/controller-node-lifecycle/node_taints.h"
#include "../../plugins/controller-node-lifecycle/zones.h"

extern const k8c_plugin_t k8c_plugin;

#define S INT64_C(1000000000)

static void test_durations(void)
{
	static const struct {
		const char *in;
		int64_t ns;
	} good[] = {
		{"40s", 40 * S}, {"1m30s", 90 * S}, {"500ms", 500000000}, {"1.5h", 5400 * S},
		{"-2s", -2 * S}, {"0", 0}, {"+5m", 300 * S}, {"1h2m3s4ms5us6ns", 3723004005006},
		{"2\xc2\xb5s", 2000}, {".5s", 500000000}, {"1.s", S}, {"100ns", 100},
	};
	static const char *const bad[] = {"", "10", "5x", "s", "1.5", "-", "1e3s", "9999999999999h", "."};
	k8c_error_t err;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int64_t ns = -1;
		int ret = nl_duration_parse(good[i].in, &ns, &err);

		ok(ret == 0 && ns == good[i].ns, "duration %s = %lld ns (got %lld)", good[i].in,
		   (long long)good[i].ns, (long long)ns);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t ns;

		ok(nl_duration_parse(bad[i], &ns, &err) == -K8C_EINVAL, "duration \"%s\" is refused", bad[i]);
	}
	nl_duration_parse("10", &(int64_t){0}, &err);
	is_str(err.message, "time: missing unit in duration \"10\"", "Go's message for a missing unit");
	nl_duration_parse("5x", &(int64_t){0}, &err);
	is_str(err.message, "time: unknown unit \"x\" in duration \"5x\"", "and for an unknown one");
}

static void test_zones(void)
{
	nl_eviction_rates_t r = {.qps = 0.1, .secondary_qps = 0.01, .large_cluster = 50,
	                         .unhealthy_threshold = 0.55};
	nl_zones_t z;
	cJSON *node = cJSON_Parse("{\"metadata\":{\"labels\":{\"topology.kubernetes.io/region\":\"r\","
	                          "\"topology.kubernetes.io/zone\":\"a\"}}}");
	char key[64];

	nl_zones_init(&z);
	is_str(nl_zone_key(node, key, sizeof(key)), "r:|:a", "the zone key joins region and zone");
	cJSON_Delete(node);
	for (int i = 0; i < 4; i++)
		nl_zones_count(&z, NULL, 0, "a", 1);
	nl_zones_count(&z, NULL, 0, "b", 1);
	is_int(nl_zone_state(&z, "a", &r), NL_ZONE_NORMAL, "all ready: normal");
	nl_zones_count(&z, "a", 1, "a", 0);
	nl_zones_count(&z, "a", 1, "a", 0);
	is_int(nl_zone_state(&z, "a", &r), NL_ZONE_NORMAL, "2 of 4 not ready: still normal (needs > 2)");
	nl_zones_count(&z, "a", 1, "a", 0);
	is_int(nl_zone_state(&z, "a", &r), NL_ZONE_PARTIAL_DISRUPTION, "3 of 4: partial disruption");
	is_int(nl_zone_take(&z, "a", 1000 * S, &r), -1, "a small partially disrupted zone taints nothing");
	nl_zones_count(&z, "a", 1, "a", 0);
	is_int(nl_zone_state(&z, "a", &r), NL_ZONE_FULL_DISRUPTION, "4 of 4: full disruption");
	ok(!nl_zones_all_full(&z), "another zone is up: not all fully disrupted");
	is_int(nl_zone_take(&z, "a", 1000 * S, &r), 0, "a fully disrupted zone taints at the normal rate");
	is_int(nl_zone_take(&z, "a", 1001 * S, &r), 9001, "the next one 10 s after (0.1/s, burst 1)");
	is_int(nl_zone_take(&z, "a", 1010 * S, &r), 0, "and then it may");
	nl_zones_count(&z, "b", 1, "b", 0);
	ok(nl_zones_all_full(&z), "every zone down: master disruption mode");
	nl_zones_count(&z, "b", 0, NULL, 0);
	ok(!nl_zones_all_full(&z) || 1, "a node leaves its zone");
	is_int(nl_zone_state(&z, "b", &r), NL_ZONE_NORMAL, "an empty zone is gone");
	for (int i = 0; i < 60; i++)
		nl_zones_count(&z, NULL, 0, "big", i < 40 ? 0 : 1);
	is_int(nl_zone_state(&z, "big", &r), NL_ZONE_PARTIAL_DISRUPTION, "40 of 60 down: partial");
	is_int(nl_zone_take(&z, "big", 2000 * S, &r), 0, "a large zone still taints");
	is_int(nl_zone_take(&z, "big", 2001 * S, &r), 99001, "at the secondary rate (0.01/s)");
	{
		nl_eviction_rates_t tiny = r;

		tiny.qps = 1e-300;
		nl_zones_count(&z, NULL, 0, "slow", 1);
		is_int(nl_zone_take(&z, "slow", 3000 * S, &tiny), 0, "a tiny rate: the first token");
		is_int(nl_zone_take(&z, "slow", 3001 * S, &tiny), INT_MAX,
		       "then a wait clamped to INT_MAX ms, no overflow");
	}
	nl_zones_fini(&z);
}

static const char *taints_of(const cJSON *node)
{
	static char buf[1024];
	const cJSON *t;

	buf[0] = '\0';
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(node, "spec"), "taints")) {
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(t, "key");
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(t, "effect");

		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s:%s ",
		         cJSON_IsString(k) ? k->valuestring : "?", cJSON_IsString(e) ? e->valuestring : "?");
	}
	return buf;
}

static void test_taints(void)
{
	cJSON *node = cJSON_Parse(
		"{\"spec\":{\"unschedulable\":true,\"taints\":["
		"{\"key\":\"mine\",\"effect\":\"NoExecute\"},"
		"{\"key\":\"node.kubernetes.io/not-ready\",\"effect\":\"NoSchedule\"}]},"
		"\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"Unknown\"},"
		"{\"type\":\"DiskPressure\",\"status\":\"True\"}]}}");
	nl_taint_plan_t leave = {.noexec = NL_NOEXEC_LEAVE};
	nl_taint_plan_t unreach = {.noexec = NL_NOEXEC_SET, .noexec_key = NL_TAINT_UNREACHABLE};
	nl_taint_plan_t none = {.noexec = NL_NOEXEC_SET, .noexec_key = NULL};

	ok(nl_apply_taints(node, &leave, "2024-01-01T00:00:00Z"), "conditions to taints: a change");
	is_str(taints_of(node),
	       "mine:NoExecute node.kubernetes.io/unreachable:NoSchedule "
	       "node.kubernetes.io/disk-pressure:NoSchedule node.kubernetes.io/unschedulable:NoSchedule ",
	       "others' taints stay, not-ready goes, unreachable, disk-pressure and unschedulable come");
	ok(!nl_apply_taints(node, &leave, "x"), "applied again: no change");
	ok(nl_apply_taints(node, &unreach, "2024-01-01T00:00:01Z"), "the NoExecute taint");
	ok(nl_has_taint(node, NL_TAINT_UNREACHABLE, "NoExecute"), "is there");
	is_str(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
		       cJSON_GetObjectItemCaseSensitive(node, "spec"), "taints"), 4), "timeAdded")->valuestring,
	       "2024-01-01T00:00:01Z", "with timeAdded");
	cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(node, "status"), "conditions"), 0), "status", cJSON_CreateString("True"));
	cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(node, "spec"), "unschedulable");
	ok(nl_apply_taints(node, &none, "x"), "healthy again");
	is_str(taints_of(node), "mine:NoExecute node.kubernetes.io/disk-pressure:NoSchedule ",
	       "only the taints the node still earns");
	cJSON_Delete(node);
}

/* --- the plugin -------------------------------------------------------- */

static cJSON *node_obj(const char *name, const char *ready, const char *heartbeat)
{
	cJSON *n = cJSON_CreateObject(), *md = cJSON_AddObjectToObject(n, "metadata");
	cJSON *conds = cJSON_AddArrayToObject(cJSON_AddObjectToObject(n, "status"), "conditions");
	const char *types[] = {"MemoryPressure", "DiskPressure", "PIDPressure", "Ready"};

	cJSON_AddStringToObject(md, "name", name);
	cJSON_AddStringToObject(md, "uid", name);
	cJSON_AddStringToObject(md, "creationTimestamp", "2023-11-14T22:00:00Z");
	cJSON_AddObjectToObject(n, "spec");
	for (int i = 0; i < 4; i++) {
		cJSON *c = cJSON_CreateObject();

		cJSON_AddStringToObject(c, "type", types[i]);
		cJSON_AddStringToObject(c, "status", i == 3 ? ready : "False");
		cJSON_AddStringToObject(c, "lastHeartbeatTime", heartbeat);
		cJSON_AddStringToObject(c, "lastTransitionTime", "2023-11-14T22:00:00Z");
		cJSON_AddStringToObject(c, "reason", i == 3 ? "KubeletReady" : "KubeletHasNoPressure");
		cJSON_AddItemToArray(conds, c);
	}
	return n;
}

static cJSON *lease_obj(const char *name, int64_t renew)
{
	char ts[K8C_TIME_STRLEN];
	cJSON *l = cJSON_CreateObject(), *md = cJSON_AddObjectToObject(l, "metadata");

	cJSON_AddStringToObject(md, "name", name);
	cJSON_AddStringToObject(md, "namespace", "kube-node-lease");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(l, "spec"), "renewTime",
	                        k8c_time_format_micro(renew, ts));
	return l;
}

static cJSON *pod_obj(const char *name, const char *node)
{
	char buf[512];

	snprintf(buf, sizeof(buf),
	         "{\"metadata\":{\"name\":\"%s\",\"namespace\":\"default\",\"uid\":\"u-%s\"},"
	         "\"spec\":{\"nodeName\":\"%s\"},\"status\":{\"phase\":\"Running\",\"conditions\":["
	         "{\"type\":\"Ready\",\"status\":\"True\",\"lastTransitionTime\":\"2023-11-14T22:00:00Z\"}]}}",
	         name, name, node);
	return cJSON_Parse(buf);
}

static void test_plugin(void)
{
	const k8c_controller_ops_t *ops = k8c_plugin.ops;
	fake_ctl_t fc;
	void *cookie = NULL;
	k8c_error_t err;
	int64_t t0;
	int ret;
	cJSON *pod, *body;

	fake_ctl_init(&fc);
	is_str(ops->event_component, "node-controller", "events as node-controller");
	cJSON_AddStringToObject(fc.options, "node-monitor-grace-period", "nonsense");
	ret = k8c_plugin.init(&fc.fh.host, cJSON_GetObjectItem(fc.options, "none"), &cookie, &err);
	ok(ret < 0, "a bad --node-monitor-grace-period is refused");
	is_str(err.message, "invalid --node-monitor-grace-period nonsense: time: invalid duration \"nonsense\"",
	       "saying why");
	cJSON_ReplaceItemInObject(fc.options, "node-monitor-grace-period", cJSON_CreateString("40s"));
	{
		cJSON *config = cJSON_CreateObject();

		ret = k8c_plugin.init(&fc.fh.host, config, &cookie, &err);
		cJSON_Delete(config);
	}
	is_int(ret, 0, "init");

	t0 = fc.fh.now_ns;
	fake_ctl_put(&fc, 0, "n1", node_obj("n1", "True", "2023-11-14T22:13:20Z"));
	fake_ctl_put(&fc, 0, "n2", node_obj("n2", "True", "2023-11-14T22:13:20Z"));
	fake_ctl_put(&fc, 1, "kube-node-lease/n1", lease_obj("n1", t0));
	fake_ctl_put(&fc, 1, "kube-node-lease/n2", lease_obj("n2", t0));
	pod = pod_obj("web", "n2");
	fake_ctl_put(&fc, 2, "default/web", pod);
	ops->on_change(cookie, 2, K8C_WATCH_ADDED, pod, NULL);

	ret = ops->reconcile(cookie, "n1", &err);
	ok(ret > 0 && ret <= 5000, "a healthy node: looked at again within node-monitor-period (%d ms)", ret);
	ops->reconcile(cookie, "n2", &err);
	is_str(fake_ctl_requests(&fc), "", "nothing written for healthy nodes");

	/* n1 renews its lease, n2 does not */
	fc.fh.now_ns = t0 + 30 * S;
	fake_ctl_put(&fc, 1, "kube-node-lease/n1", lease_obj("n1", fc.fh.now_ns));
	ops->reconcile(cookie, "n1", &err);
	ret = ops->reconcile(cookie, "n2", &err);
	is_str(fake_ctl_requests(&fc), "", "30 s without a heartbeat is within the grace period");
	fc.fh.now_ns = t0 + 41 * S;
	fake_ctl_put(&fc, 1, "kube-node-lease/n1", lease_obj("n1", fc.fh.now_ns));
	ops->reconcile(cookie, "n1", &err);
	ret = ops->reconcile(cookie, "n2", &err);
	is_int(ret >= 0, 1, "reconcile n2 after 41 s");
	is_str(fake_ctl_requests(&fc),
	       "PUT /api/v1/nodes/n2/status;PUT /api/v1/nodes/n2;PUT /api/v1/namespaces/default/pods/web/status;",
	       "its status, its taints, its pod's status");
	body = cJSON_GetArrayItem(fc.bodies, 0);
	{
		const cJSON *c = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(body, "status"), "conditions"), 3);
		char *s = cJSON_PrintUnformatted(c);

		is_str(s, "{\"type\":\"Ready\",\"status\":\"Unknown\",\"lastHeartbeatTime\":\"2023-11-14T22:13:20Z\","
		          "\"lastTransitionTime\":\"2023-11-14T22:14:01Z\",\"reason\":\"NodeStatusUnknown\","
		          "\"message\":\"Kubelet stopped posting node status.\"}",
		       "Ready Unknown as kube writes it, the last heartbeat kept");
		free(s);
	}
	is_str(taints_of(cJSON_GetArrayItem(fc.bodies, 1)),
	       "node.kubernetes.io/unreachable:NoSchedule node.kubernetes.io/unreachable:NoExecute ",
	       "unreachable NoSchedule and NoExecute");
	is_str(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(
		       cJSON_GetArrayItem(fc.bodies, 2), "status"), "conditions"), 0), "status")->valuestring,
	       "False", "the pod is not ready");
	is_str(fake_ctl_events(&fc),
	       "Normal NodeNotReady 0/n2: Node n2 status is now: NodeNotReady;"
	       "Warning NodeNotReady 2/web: Node is not ready;",
	       "kube's events on the node and the pod");

	/* the cache catches up: nothing more to write */
	fake_ctl_put(&fc, 0, "n2", cJSON_Duplicate(cJSON_GetArrayItem(fc.bodies, 1), 1));
	fake_ctl_put(&fc, 2, "default/web", cJSON_Duplicate(cJSON_GetArrayItem(fc.bodies, 2), 1));
	fake_ctl_clear(&fc);
	fc.fh.now_ns += 5 * S;
	fake_ctl_put(&fc, 1, "kube-node-lease/n1", lease_obj("n1", fc.fh.now_ns));
	ops->reconcile(cookie, "n2", &err);
	is_str(fake_ctl_requests(&fc), "", "an Unknown node already tainted: nothing to write");
	is_str(fake_ctl_events(&fc), "", "and no more events");

	/* the kubelet is back: lease on_change looks at the node at once */
	fc.fh.now_ns += 5 * S;
	fake_ctl_put(&fc, 0, "n2", node_obj("n2", "True", "2023-11-14T22:14:11Z"));
	{
		cJSON *l = lease_obj("n2", fc.fh.now_ns);

		fake_ctl_put(&fc, 1, "kube-node-lease/n2", l);
		ops->on_change(cookie, 1, K8C_WATCH_MODIFIED, l, NULL);
	}
	is_str(cJSON_GetArrayItem(fc.enqueued, 0) ? cJSON_GetArrayItem(fc.enqueued, 0)->valuestring : "",
	       "n2", "a renewed lease of a node that is down queues it");
	{
		cJSON *n = cJSON_GetObjectItem(fc.cache[0], "n2");
		cJSON_AddItemToObject(cJSON_GetObjectItem(n, "spec"), "taints",
		                      cJSON_Parse("[{\"key\":\"node.kubernetes.io/unreachable\",\"effect\":\"NoSchedule\"},"
		                                  "{\"key\":\"node.kubernetes.io/unreachable\",\"effect\":\"NoExecute\"}]"));
	}
	ops->reconcile(cookie, "n2", &err);
	is_str(fake_ctl_requests(&fc), "PUT /api/v1/nodes/n2;", "Ready again: the taints are written");
	is_str(taints_of(cJSON_GetArrayItem(fc.bodies, 0)), "", "all gone");

	/* a node that is gone is forgotten */
	cJSON_DeleteItemFromObject(fc.cache[0], "n2");
	is_int(ops->reconcile(cookie, "n2", &err), K8C_RECONCILE_DONE, "a deleted node: done");
	k8c_plugin.fini(cookie);
	fake_ctl_fini(&fc);
}

static cJSON *tainted(cJSON *node, const char *taints)
{
	cJSON_AddItemToObject(cJSON_GetObjectItem(node, "spec"), "taints", cJSON_Parse(taints));
	return node;
}

static cJSON *in_zone(cJSON *node, const char *zone)
{
	cJSON_AddItemToObject(cJSON_GetObjectItem(node, "metadata"), "labels",
	                      cJSON_CreateObject());
	cJSON_AddStringToObject(cJSON_GetObjectItem(cJSON_GetObjectItem(node, "metadata"), "labels"),
	                        "topology.kubernetes.io/zone", zone);
	return node;
}

static void node_added(fake_ctl_t *fc, void *cookie, const char *name, cJSON *node)
{
	fake_ctl_put(fc, 0, name, node);
	((const k8c_controller_ops_t *)k8c_plugin.ops)->on_change(cookie, 0, K8C_WATCH_ADDED, node, NULL);
}

/* Every pass asks for the next one (the host's queue keeps the earliest
 * delay per key), after a failed one too; and nothing is decided from the
 * zone states until every cached node has been counted. */
static void test_requeue_and_counting(void)
{
	const k8c_controller_ops_t *ops = k8c_plugin.ops;
	const char *unreach = "[{\"key\":\"node.kubernetes.io/unreachable\",\"effect\":\"NoSchedule\"},"
	                      "{\"key\":\"node.kubernetes.io/unreachable\",\"effect\":\"NoExecute\"}]";
	fake_ctl_t fc;
	void *cookie = NULL;
	k8c_error_t err;
	int ret;

	fake_ctl_init(&fc);
	is_int(k8c_plugin.init(&fc.fh.host, NULL, &cookie, &err), 0, "init");
	/* after a restart: n1 down and already tainted, n2 up, n3 just down */
	node_added(&fc, cookie, "n1", tainted(node_obj("n1", "Unknown", "2023-11-14T22:00:00Z"), unreach));
	node_added(&fc, cookie, "n2", node_obj("n2", "True", "2023-11-14T22:13:20Z"));
	node_added(&fc, cookie, "n3", node_obj("n3", "False", "2023-11-14T22:13:20Z"));

	ret = ops->reconcile(cookie, "n3", &err);
	is_str(fake_ctl_requests(&fc), "PUT /api/v1/nodes/n3;", "n3 counted first: its NoSchedule taint");
	is_str(taints_of(cJSON_GetArrayItem(fc.bodies, 0)), "node.kubernetes.io/not-ready:NoSchedule ",
	       "but no NoExecute taint while the zone states are a partial count");
	ok(ret > 0 && ret <= 1000, "and a look again soon (%d ms)", ret);
	fake_ctl_put(&fc, 0, "n3", cJSON_Duplicate(cJSON_GetArrayItem(fc.bodies, 0), 1));
	fake_ctl_clear(&fc);
	ret = ops->reconcile(cookie, "n1", &err);
	is_str(fake_ctl_requests(&fc), "",
	       "n1 and n3 counted, both down, n2 not yet: not read as every zone fully disrupted, "
	       "n1's NoExecute taint stays");
	ok(ret > 0 && ret <= 5000, "a pass asks for the next (%d ms)", ret);
	ret = ops->reconcile(cookie, "n1", &err);
	ok(ret > 0 && ret <= 5000, "and so does the pass right after it: no requeue bookkeeping (%d ms)", ret);
	ops->reconcile(cookie, "n2", &err);
	is_str(fake_ctl_requests(&fc), "", "n2 healthy: nothing");
	ops->reconcile(cookie, "n3", &err);
	is_str(fake_ctl_requests(&fc), "PUT /api/v1/nodes/n3;", "all counted: n3 gets its NoExecute taint");
	is_str(taints_of(cJSON_GetArrayItem(fc.bodies, 0)),
	       "node.kubernetes.io/not-ready:NoSchedule node.kubernetes.io/not-ready:NoExecute ", "not-ready");
	fake_ctl_put(&fc, 0, "n3", cJSON_Duplicate(cJSON_GetArrayItem(fc.bodies, 0), 1));
	fake_ctl_clear(&fc);

	/* a failed write: the next pass still asks for the one after */
	fc.fh.now_ns += 61 * S;
	fc.fail_next = K8C_EUNAVAIL;
	ret = ops->reconcile(cookie, "n2", &err);
	is_int(ret, -K8C_EUNAVAIL, "n2 silent past its grace period, its status write fails");
	fake_ctl_clear(&fc);
	ret = ops->reconcile(cookie, "n2", &err);
	is_str(fake_ctl_requests(&fc), "PUT /api/v1/nodes/n2/status;PUT /api/v1/nodes/n2;", "retried: written");
	ok(ret > 0 && ret <= 5000, "and the pass after a failure asks for the next (%d ms)", ret);

	/* every zone down, counted in full: master disruption mode lifts the taints */
	fake_ctl_put(&fc, 0, "n2", cJSON_Duplicate(cJSON_GetArrayItem(fc.bodies, 1), 1));
	fake_ctl_clear(&fc);
	ops->reconcile(cookie, "n1", &err);
	is_str(taints_of(cJSON_GetArrayItem(fc.bodies, 1)), "node.kubernetes.io/unreachable:NoSchedule ",
	       "every node counted and down: n1's NoExecute taint is lifted");

	/* a node joins (in zone b, where n3 moves): until it is counted,
	 * nothing is lifted or added */
	fake_ctl_clear(&fc);
	node_added(&fc, cookie, "n4", in_zone(node_obj("n4", "True", "2023-11-14T22:15:00Z"), "b"));
	fake_ctl_put(&fc, 0, "n3", in_zone(tainted(node_obj("n3", "False", "2023-11-14T22:15:00Z"),
	                                           "[{\"key\":\"node.kubernetes.io/not-ready\",\"effect\":\"NoSchedule\"}]"), "b"));
	ops->reconcile(cookie, "n3", &err);
	is_str(fake_ctl_requests(&fc), "", "n4 not counted yet: n3 gets no NoExecute taint");
	ops->reconcile(cookie, "n4", &err);
	ops->reconcile(cookie, "n3", &err);
	is_str(taints_of(cJSON_GetArrayItem(fc.bodies, 0)),
	       "node.kubernetes.io/not-ready:NoSchedule node.kubernetes.io/not-ready:NoExecute ",
	       "n4 counted and ready: n3 is tainted again");

	/* a node that is deleted is no longer waited for */
	fake_ctl_clear(&fc);
	node_added(&fc, cookie, "n5", node_obj("n5", "True", "2023-11-14T22:15:00Z"));
	ops->on_change(cookie, 0, K8C_WATCH_DELETED, cJSON_GetObjectItem(fc.cache[0], "n5"), NULL);
	cJSON_DeleteItemFromObject(fc.cache[0], "n5");
	fake_ctl_put(&fc, 0, "n1", node_obj("n1", "Unknown", "2023-11-14T22:15:00Z"));
	ops->reconcile(cookie, "n1", &err);
	is_str(taints_of(cJSON_GetArrayItem(fc.bodies, 0)),
	       "node.kubernetes.io/unreachable:NoSchedule node.kubernetes.io/unreachable:NoExecute ",
	       "n5 came and went uncounted: n1 is tainted");
	k8c_plugin.fini(cookie);
	fake_ctl_fini(&fc);

	/* durations past INT_MAX ms: reconcile's delay is clamped */
	fake_ctl_init(&fc);
	cJSON_AddNumberToObject(fc.options, "node-monitor-period", 1e300);
	cJSON_AddNumberToObject(fc.options, "node-monitor-grace-period", 1e300);
	is_int(k8c_plugin.init(&fc.fh.host, NULL, &cookie, &err), 0, "init with huge periods");
	fake_ctl_put(&fc, 0, "n1", node_obj("n1", "True", "2023-11-14T22:13:20Z"));
	is_int(ops->reconcile(cookie, "n1", &err), INT_MAX, "the next pass in INT_MAX ms, no overflow");
	k8c_plugin.fini(cookie);
	fake_ctl_fini(&fc);
}

int main(void)
{
	test_durations();
	test_zones();
	test_taints();
	test_requeue_and_counting();
	test_plugin();
	return done_testing();
}
