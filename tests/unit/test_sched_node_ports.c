/* Unit tests for plugins/sched-node-ports against a fake host (TAP).  The
 * cases follow kube-scheduler's node_ports_test.go and HostPortInfo's
 * CheckConflict tests. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/scheduler.h>

#include "fake_host.h"
#include "tap.h"

extern const k8c_plugin_t k8c_plugin;

#define REASON "node(s) didn't have free ports for the requested pod ports"

static fake_host_t fh;
static void *cookie;
static const k8c_sched_policy_ops_t *ops;

/* A ContainerPort with a host port "PROTO/IP/PORT" as JSON text. */
#define HP(proto, ip, port)                                                                        \
	"{\"containerPort\":" #port ",\"hostPort\":" #port ",\"protocol\":\"" proto                \
	"\",\"hostIP\":\"" ip "\"}"

/* A pod with one container whose ports list is the JSON text ports. */
static char *pod_with(const char *ports)
{
	char *buf = malloc(4096);

	snprintf(buf, 4096,
	         "{\"metadata\":{\"name\":\"p\",\"namespace\":\"default\"},"
	         "\"spec\":{\"containers\":[{\"name\":\"c\",\"ports\":%s}]}}",
	         ports);
	return buf;
}

/* pre_filter and filter: the pod (JSON text) on a node with pods (JSON
 * texts, NULL-terminated).  *pre gets pre_filter's answer; filter runs
 * only when pre_filter did not skip (with_pre), or always without
 * pre_filter (!with_pre).  Returns filter's answer, or SKIP. */
static int run(const char *pod_json, const char *const *node_pods, int with_pre, int *pre,
               char *reason)
{
	cJSON *pod = cJSON_Parse(pod_json), *pods[8];
	k8c_sched_cycle_t cycle = {.pod = pod};
	k8c_sched_node_t n = {.name = "n"};
	size_t np = 0;
	int ret = K8C_SCHED_SKIP;

	reason[0] = '\0';
	*pre = -1;
	for (; node_pods != NULL && node_pods[np] != NULL && np < 8; np++)
		pods[np] = cJSON_Parse(node_pods[np]);
	n.n_pods = np;
	n.pods = (const cJSON *const *)pods;
	if (with_pre)
		*pre = ops->pre_filter(cookie, &cycle, reason);
	if (!with_pre || *pre != K8C_SCHED_SKIP)
		ret = ops->filter(cookie, &cycle, &n, reason);
	if (cycle.state != NULL)
		ops->state_free(cookie, cycle.state);
	for (size_t i = 0; i < np; i++)
		cJSON_Delete(pods[i]);
	cJSON_Delete(pod);
	return ret;
}

/* The pod's ports and one existing pod's ports (JSON lists). */
static void expect(const char *want_ports, const char *used_ports, int want, const char *name)
{
	char reason[K8C_SCHED_REASON_MAX];
	char *pod = pod_with(want_ports), *existing = pod_with(used_ports);
	const char *node_pods[] = {existing, NULL};
	int pre, ret;

	ret = run(pod, node_pods, 1, &pre, reason);
	is_int(ret, want, "%s", name);
	if (want == K8C_SCHED_UNSCHEDULABLE)
		is_str(reason, REASON, "reason: %s", name);
	if (want != K8C_SCHED_SKIP)
		is_int(run(pod, node_pods, 0, &pre, reason), want, "without pre_filter: %s", name);
	free(pod);
	free(existing);
}

static void test_descriptor(void)
{
	k8c_error_t err = {0};
	cJSON *cfg = cJSON_Parse("{}");
	void *second = NULL;

	is_int(k8c_plugin.abi_major, K8C_ABI_MAJOR, "abi major");
	is_int(k8c_plugin.abi_minor, K8C_ABI_MINOR, "abi minor");
	is_int(k8c_plugin.kind, K8C_PLUGIN_SCHEDULER, "scheduler kind");
	is_str(k8c_plugin.name, "node-ports", "name");
	ops = k8c_plugin.ops;
	ok(ops != NULL && ops->struct_size == sizeof(k8c_sched_policy_ops_t), "ops struct_size");
	ok(ops->pre_filter && ops->filter && ops->state_free && !ops->score && !ops->bind,
	   "pre_filter, filter and state_free only");
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
	const int S = K8C_SCHED_SUCCESS, U = K8C_SCHED_UNSCHEDULABLE, SKIP = K8C_SCHED_SKIP;

	expect("[]", "[]", SKIP, "no ports: pre_filter skips");
	expect("[{\"containerPort\":80}]", "[" HP("TCP", "", 80) "]", SKIP,
	       "container ports without host ports: skipped");
	expect("[{\"containerPort\":80,\"hostPort\":0}]", "[]", SKIP, "hostPort 0 is none");
	expect("[" HP("UDP", "127.0.0.1", 8080) "]", "[" HP("UDP", "127.0.0.1", 8080) "]", U,
	       "same udp port");
	expect("[" HP("TCP", "127.0.0.1", 8080) "]", "[" HP("TCP", "127.0.0.1", 8080) "]", U,
	       "same tcp port");
	expect("[" HP("TCP", "127.0.0.1", 8080) "]", "[" HP("UDP", "127.0.0.1", 8080) "]", S,
	       "different protocol");
	expect("[" HP("UDP", "127.0.0.1", 8080) "]", "[" HP("UDP", "127.0.0.2", 8080) "]", S,
	       "different host ip");
	expect("[" HP("UDP", "127.0.0.1", 8000) "]", "[" HP("UDP", "127.0.0.1", 8080) "]", S,
	       "different port");
	expect("[" HP("UDP", "127.0.0.1", 8000) "," HP("UDP", "127.0.0.1", 8080) "]",
	       "[" HP("UDP", "127.0.0.1", 8080) "]", U, "second udp port conflict");
	expect("[" HP("TCP", "127.0.0.1", 8001) "," HP("UDP", "127.0.0.1", 8080) "]",
	       "[" HP("TCP", "127.0.0.1", 8001) "," HP("UDP", "127.0.0.1", 8081) "]", U,
	       "first tcp port conflict");
	expect("[" HP("TCP", "0.0.0.0", 8001) "]", "[" HP("TCP", "127.0.0.1", 8001) "]", U,
	       "wanted 0.0.0.0 conflicts with any address");
	expect("[" HP("TCP", "10.0.10.10", 8001) "," HP("TCP", "0.0.0.0", 8001) "]",
	       "[" HP("TCP", "127.0.0.1", 8001) "]", U, "second tcp port conflict to 0.0.0.0");
	expect("[" HP("TCP", "127.0.0.1", 8001) "]", "[" HP("TCP", "0.0.0.0", 8001) "]", U,
	       "used 0.0.0.0 conflicts with any address");
	expect("[" HP("UDP", "0.0.0.0", 8001) "]", "[" HP("TCP", "0.0.0.0", 8001) "]", S,
	       "0.0.0.0 with a different protocol");
	expect("[" HP("UDP", "10.0.10.10", 8001) "," HP("TCP", "0.0.0.0", 8001) "]",
	       "[" HP("UDP", "0.0.0.0", 8001) "]", U, "UDP conflict due to used 0.0.0.0");
	expect("[" HP("SCTP", "127.0.0.1", 9000) "]", "[" HP("SCTP", "127.0.0.1", 9000) "]", U,
	       "SCTP conflicts too");
	/* Defaults: protocol TCP, hostIP 0.0.0.0. */
	expect("[{\"containerPort\":80,\"hostPort\":80}]", "[" HP("TCP", "10.1.1.1", 80) "]", U,
	       "defaults (TCP, 0.0.0.0) conflict with TCP on any address");
	expect("[{\"containerPort\":80,\"hostPort\":80}]", "[" HP("UDP", "10.1.1.1", 80) "]", S,
	       "default protocol is TCP, not UDP");
	expect("[" HP("TCP", "10.1.1.1", 80) "]", "[{\"containerPort\":80,\"hostPort\":80}]", U,
	       "used defaults mean 0.0.0.0");
	expect("[{\"hostPort\":80,\"hostIP\":\"\",\"protocol\":\"\"}]",
	       "[{\"hostPort\":80,\"protocol\":\"TCP\",\"hostIP\":\"0.0.0.0\"}]", U,
	       "empty strings take the defaults");
	expect("[" HP("TCP", "::1", 80) "]", "[" HP("TCP", "::", 80) "]", S,
	       "addresses compare as strings (:: is not 0.0.0.0)");
	expect("[" HP("tcp", "127.0.0.1", 80) "]", "[" HP("TCP", "127.0.0.1", 80) "]", S,
	       "protocols compare case-sensitively");
}

static void test_node_pods(void)
{
	const int S = K8C_SCHED_SUCCESS, U = K8C_SCHED_UNSCHEDULABLE;
	char reason[K8C_SCHED_REASON_MAX];
	char *pod = pod_with("[" HP("TCP", "0.0.0.0", 8080) "]");
	char *p1 = pod_with("[" HP("TCP", "0.0.0.0", 9090) "]");
	char *p2 = pod_with("[" HP("UDP", "0.0.0.0", 8080) "]");
	char *p3 = pod_with("[{\"containerPort\":8080}]");
	char *p4 = pod_with("[" HP("TCP", "10.0.0.1", 8080) "]");
	const char *empty_node[] = {NULL};
	const char *three[] = {p1, p2, p3, NULL};
	const char *four[] = {p1, p2, p3, p4, NULL};
	const char *init_only =
	    "{\"spec\":{\"initContainers\":[{\"name\":\"i\","
	    "\"restartPolicy\":\"Always\",\"ports\":[" HP(
	        "TCP", "0.0.0.0", 8080) "]}],\"containers\":[{\"name\":\"c\"}]}}";
	const char *with_init[] = {init_only, NULL};
	const char *two_containers =
	    "{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\",\"ports\":["
	    "{\"containerPort\":1}," HP("TCP", "0.0.0.0", 8080) "]}]}}";
	const char *second_container[] = {two_containers, NULL};
	int pre;

	is_int(run(pod, empty_node, 1, &pre, reason), S, "an empty node fits");
	is_int(pre, S, "pre_filter succeeds for a pod with host ports");
	is_int(run(pod, three, 1, &pre, reason), S, "three pods, none clashing");
	is_int(run(pod, four, 1, &pre, reason), U, "the fourth pod clashes");
	is_str(reason, REASON, "reason");
	is_int(run(pod, second_container, 1, &pre, reason), U,
	       "a clash in the second container of a node's pod");
	/* Kubernetes 1.32 looks at spec.containers only, on both sides. */
	is_int(run(pod, with_init, 1, &pre, reason), S,
	       "a node pod's init container ports do not count");
	is_int(run(init_only, three, 1, &pre, reason), K8C_SCHED_SKIP,
	       "a pod with host ports on init containers only is skipped");

	k8c_sched_cycle_t cycle = {.pod = NULL};
	k8c_sched_node_t n = {.name = "n", .n_pods = 3, .pods = NULL};
	is_int(ops->filter(cookie, &cycle, &n, reason), S, "n_pods without a pods array");
	is_int(ops->filter(cookie, &cycle, NULL, reason), K8C_SCHED_ERROR, "filter without a node");
	is_str(reason, "invalid nodeInfo", "filter error reason");
	is_int(ops->pre_filter(cookie, NULL, reason), K8C_SCHED_SKIP, "pre_filter without a cycle");
	is_int(ops->pre_filter(cookie, &cycle, reason), K8C_SCHED_SKIP, "pre_filter without a pod");
	ops->state_free(cookie, NULL);
	ok(1, "state_free(NULL)");

	/* pre_filter twice in one cycle does not leak the first state. */
	cJSON *pj = cJSON_Parse(pod);
	cycle.pod = pj;
	is_int(ops->pre_filter(cookie, &cycle, reason), S, "pre_filter once");
	is_int(ops->pre_filter(cookie, &cycle, reason), S, "pre_filter twice");
	ops->state_free(cookie, cycle.state);
	cJSON_Delete(pj);

	free(pod);
	free(p1);
	free(p2);
	free(p3);
	free(p4);
}

static void test_malformed(void)
{
	const int S = K8C_SCHED_SUCCESS, U = K8C_SCHED_UNSCHEDULABLE, SKIP = K8C_SCHED_SKIP;
	char reason[K8C_SCHED_REASON_MAX];
	int pre;

	expect("[{\"hostPort\":\"8080\"}]", "[" HP("TCP", "0.0.0.0", 8080) "]", SKIP,
	       "a string hostPort is ignored");
	expect("[{\"hostPort\":-1}]", "[]", SKIP, "a negative hostPort is ignored");
	expect("[{\"hostPort\":70000}]", "[{\"hostPort\":70000}]", SKIP,
	       "a hostPort above 65535 is ignored");
	expect("[{\"hostPort\":80.5}]", "[]", SKIP, "a fractional hostPort is ignored");
	expect("[{\"hostPort\":1e300}]", "[]", SKIP, "a huge hostPort is ignored");
	expect("[{\"hostPort\":80,\"protocol\":6}]", "[" HP("TCP", "0.0.0.0", 80) "]", SKIP,
	       "a numeric protocol makes the entry ignored");
	expect("[{\"hostPort\":80,\"hostIP\":[]}]", "[" HP("TCP", "0.0.0.0", 80) "]", SKIP,
	       "a list hostIP makes the entry ignored");
	expect("[{\"hostPort\":80,\"hostIP\":null,\"protocol\":null}]",
	       "[" HP("TCP", "1.2.3.4", 80) "]", U, "null members take the defaults");
	expect("[1, \"x\", null, [], {\"hostPort\":81}]", "[{\"hostPort\":81}]", U,
	       "entries that are not objects are skipped, the good one counts");
	expect("{\"hostPort\":80}", "[]", SKIP, "ports as an object");
	expect("[{\"hostPort\":80}]",
	       "[{\"hostPort\":\"80\"}, 7, {\"hostPort\":80,\"protocol\":{}}]", S,
	       "malformed ports of a node's pod are ignored");

	const char *odd_pods[] = {"[]",
	                          "{\"spec\":7}",
	                          "{\"spec\":{\"containers\":{}}}",
	                          "{\"spec\":{\"containers\":[1,{\"ports\":\"x\"}]}}",
	                          "null",
	                          NULL};
	char *pod = pod_with("[{\"hostPort\":80}]");
	is_int(run(pod, odd_pods, 1, &pre, reason), S, "node pods of the wrong shapes");
	is_int(run("{\"spec\":{\"containers\":\"x\"}}", odd_pods, 1, &pre, reason), SKIP,
	       "containers not a list: nothing to check");
	is_int(run("{\"spec\":[]}", NULL, 1, &pre, reason), SKIP, "spec of the wrong type");
	free(pod);
}

int main(void)
{
	fake_host_init(&fh);
	test_descriptor();
	test_filter();
	test_node_pods();
	test_malformed();
	k8c_plugin.fini(cookie);
	return done_testing();
}
