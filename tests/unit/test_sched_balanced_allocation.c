/* Unit tests for plugins/sched-balanced-allocation against a fake host
 * (TAP): config validation as NodeResourcesBalancedAllocationArgs', and
 * scores as kube-scheduler 1.32's balanced_allocation_test.go computes
 * them (real requests, not the non-zero defaults). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/plugin.h>
#include <k8c/scheduler.h>

#include "common/podresources.h"
#include "fake_host.h"
#include "tap.h"

extern const k8c_plugin_t k8c_plugin;

static const k8c_sched_policy_ops_t *ops;
static fake_host_t fh;

/* ------------------------------------------------------------------------
 * Fixtures
 */

typedef struct tnode {
	cJSON *json;
	cJSON *pods[8];
	size_t n_pods;
	k8c_podresources_t alloc, used, nonzero;
	k8c_sched_node_t n;
} tnode_t;

/* A node with status.allocatable alloc_json and pods (JSON texts,
 * NULL-terminated).  non_zero_requested is filled too, with the defaults
 * for containers that request nothing, so that a plugin that used it
 * would score differently. */
static void tnode_init(tnode_t *t, const char *name, const char *alloc_json,
                       const char *const *pods)
{
	char buf[1024];

	memset(t, 0, sizeof(*t));
	snprintf(buf, sizeof(buf),
	         "{\"metadata\":{\"name\":\"%s\"},\"status\":{\"allocatable\":%s}}", name,
	         alloc_json);
	t->json = cJSON_Parse(buf);
	if (k8c_podresources_from_node(t->json, &t->alloc, NULL) < 0)
		ok(0, "fixture node %s parses", name);
	for (; pods != NULL && pods[t->n_pods] != NULL; t->n_pods++) {
		k8c_podresources_t r, nz;

		t->pods[t->n_pods] = cJSON_Parse(pods[t->n_pods]);
		if (k8c_podresources_from_pod(t->pods[t->n_pods], 0, &r, NULL) < 0 ||
		    k8c_podresources_from_pod(t->pods[t->n_pods], K8C_PODRESOURCES_NON_ZERO, &nz,
		                              NULL) < 0)
			ok(0, "fixture pod parses");
		k8c_podresources_add(&t->used, &r.res);
		k8c_podresources_add(&t->nonzero, &nz.res);
		k8c_podresources_free(&r);
		k8c_podresources_free(&nz);
	}
	t->n.name = name;
	t->n.node = t->json;
	t->n.allocatable = &t->alloc.res;
	t->n.requested = &t->used.res;
	t->n.non_zero_requested = &t->nonzero.res;
	t->n.n_pods = t->n_pods;
	t->n.pods = (const cJSON *const *)t->pods;
}

static void tnode_free(tnode_t *t)
{
	for (size_t i = 0; i < t->n_pods; i++)
		cJSON_Delete(t->pods[i]);
	k8c_podresources_free(&t->alloc);
	k8c_podresources_free(&t->used);
	k8c_podresources_free(&t->nonzero);
	cJSON_Delete(t->json);
}

static void *init_ok(const char *config_json)
{
	cJSON *cfg = cJSON_Parse(config_json);
	void *cookie = NULL;
	k8c_error_t err = {0, ""};

	if (!ok(k8c_plugin.init(&fh.host, cfg, &cookie, &err) == 0, "init %s", config_json))
		diag("%s", err.message);
	cJSON_Delete(cfg); /* the plugin must copy what it keeps */
	return cookie;
}

static void init_fails(const char *config_json, const char *want)
{
	cJSON *cfg = cJSON_Parse(config_json);
	void *cookie = NULL;
	k8c_error_t err = {0, ""};
	int ret = k8c_plugin.init(&fh.host, cfg, &cookie, &err);

	is_int(ret, -K8C_EINVAL, "init refuses %s", config_json);
	is_str(err.message, want, "with message");
	cJSON_Delete(cfg);
}

/* The score of pod_json on node; with_requests: the host computed the
 * pod's requests; with_pre: pre_score ran. */
static int64_t score_of(void *cookie, const char *pod_json, tnode_t *node, int with_requests,
                        int with_pre)
{
	cJSON *pod = cJSON_Parse(pod_json);
	k8c_podresources_t req = K8C_PODRESOURCES_INIT;
	k8c_sched_cycle_t c = {.pod = pod};
	const k8c_sched_node_t *nodes[1] = {&node->n};
	int64_t s = -1;

	if (with_requests) {
		if (k8c_podresources_from_pod(pod, 0, &req, NULL) < 0)
			ok(0, "fixture pod parses");
		c.requests = &req.res;
	}
	if (with_pre && ops->pre_score(cookie, &c, nodes, 1) != K8C_SCHED_SUCCESS)
		ok(0, "pre_score succeeds");
	if (ops->score(cookie, &c, &node->n, &s) != K8C_SCHED_SUCCESS)
		s = -2;
	if (c.state != NULL)
		ops->state_free(cookie, c.state);
	k8c_podresources_free(&req);
	cJSON_Delete(pod);
	return s;
}

/* The same score all three ways: host requests + pre_score, pre_score
 * computing the requests, score alone. */
static void expect_score(void *cookie, const char *pod, tnode_t *node, int64_t want,
                         const char *name)
{
	is_int(score_of(cookie, pod, node, 1, 1), want, "%s", name);
	is_int(score_of(cookie, pod, node, 0, 1), want, "%s (requests from the pod)", name);
	is_int(score_of(cookie, pod, node, 1, 0), want, "%s (without pre_score)", name);
}

#define POD(cpu, mem)                                                                              \
	"{\"spec\":{\"containers\":[{\"name\":\"c\",\"resources\":{\"requests\":{\"cpu\":\"" cpu   \
	"\",\"memory\":\"" mem "\"}}}]}}"
#define POD_CPU(cpu)                                                                               \
	"{\"spec\":{\"containers\":[{\"name\":\"c\",\"resources\":{\"requests\":{\"cpu\":\"" cpu   \
	"\"}}}]}}"
#define POD_NONE "{\"spec\":{\"containers\":[{\"name\":\"c\"},{\"name\":\"d\"}]}}"
#define POD_GPU(cpu, mem, gpu)                                                                     \
	"{\"spec\":{\"containers\":[{\"name\":\"c\",\"resources\":{\"requests\":{\"cpu\":\"" cpu   \
	"\",\"memory\":\"" mem "\",\"nvidia.com/gpu\":\"" gpu                                      \
	"\"},\"limits\":{\"nvidia.com/gpu\":\"" gpu "\"}}}]}}"

/* ------------------------------------------------------------------------
 * Tests
 */

static void test_descriptor(void)
{
	void *a, *b;

	is_int(k8c_plugin.abi_major, K8C_ABI_MAJOR, "abi major");
	is_int(k8c_plugin.abi_minor, K8C_ABI_MINOR, "abi minor");
	is_int(k8c_plugin.kind, K8C_PLUGIN_SCHEDULER, "scheduler kind");
	is_str(k8c_plugin.name, "balanced-allocation", "name");
	ops = k8c_plugin.ops;
	ok(ops != NULL && ops->struct_size == sizeof(k8c_sched_policy_ops_t), "ops struct_size");
	ok(ops->pre_score && ops->score && ops->state_free && !ops->filter && !ops->pre_filter &&
	       !ops->normalize_score && !ops->bind,
	   "pre_score, score and state_free only");
	a = init_ok("{}");
	b = init_ok("{}");
	ok(a != NULL && b != NULL && a != b, "instances have their own cookie");
	k8c_plugin.fini(a);
	k8c_plugin.fini(b);
}

static void test_config(void)
{
	int warn = fh.lines[K8C_LOG_WARN];
	void *c;

	c = init_ok("{\"resources\":[]}");
	k8c_plugin.fini(c);
	c = init_ok("{\"resources\":null,\"apiVersion\":\"kubescheduler.config.k8s.io/v1\","
	            "\"kind\":\"NodeResourcesBalancedAllocationArgs\"}");
	k8c_plugin.fini(c);
	is_int(fh.lines[K8C_LOG_WARN], warn, "apiVersion and kind are known fields");
	c = init_ok("{\"resources\":[{\"name\":\"cpu\",\"weight\":1},{\"name\":\"memory\"},"
	            "{\"name\":\"nvidia.com/gpu\",\"weight\":0}]}");
	k8c_plugin.fini(c);
	c = init_ok("{\"bogus\":1,\"resources\":[{\"name\":\"cpu\",\"extra\":true}]}");
	k8c_plugin.fini(c);
	is_int(fh.lines[K8C_LOG_WARN], warn + 2, "unknown fields warned about");

	init_fails("{\"resources\":[{\"name\":\"cpu\",\"weight\":2}]}",
	           "resources[0].weight: must be 1");
	init_fails("{\"resources\":[{\"name\":\"cpu\"},{\"name\":\"memory\",\"weight\":-1}]}",
	           "resources[1].weight: must be 1");
	init_fails("{\"resources\":[{\"name\":\"cpu\",\"weight\":\"1\"}]}",
	           "resources[0].weight: must be 1");
	init_fails("{\"resources\":[{\"name\":\"cpu\"},{\"name\":\"cpu\"}]}",
	           "resources[1].name: Duplicate value: \"cpu\"");
	init_fails("{\"resources\":\"cpu\"}", "resources: must be a list");
	init_fails("{\"resources\":{\"name\":\"cpu\"}}", "resources: must be a list");
	init_fails("{\"resources\":[\"cpu\"]}", "resources[0]: must be an object");
	init_fails("{\"resources\":[{\"weight\":1}]}",
	           "resources[0].name: must be a non-empty string");
	init_fails("{\"resources\":[{\"name\":5}]}",
	           "resources[0].name: must be a non-empty string");
	init_fails("{\"resources\":[{\"name\":\"\"}]}",
	           "resources[0].name: must be a non-empty string");
	init_fails("[]", "config: must be an object");
}

static void test_score_default(void)
{
	void *c = init_ok("{}");
	tnode_t n1, n2, n3, n4, n5;
	const char *const small_pods[] = {POD_NONE, POD_NONE, NULL};
	const char *const cpu_pods[] = {POD_CPU("3"), POD_CPU("3"), NULL};
	const char *const mixed[] = {POD("1", "2000"), POD("2", "3000"), NULL};

	tnode_init(&n1, "n1", "{\"cpu\":\"4\",\"memory\":\"10000\"}", NULL);
	tnode_init(&n2, "n2", "{\"cpu\":\"6\",\"memory\":\"10000\"}", NULL);
	expect_score(c, POD_NONE, &n1, 100, "nothing scheduled, nothing requested");
	expect_score(c, POD("3", "5000"), &n1, 87,
	             "3 cpu / 5000 on 4 / 10000: |0.75 - 0.5| / 2 = 0.125, 87.5 truncated");
	expect_score(c, POD("3", "5000"), &n2, 100, "3 cpu / 5000 on 6 / 10000: balanced");
	expect_score(c, POD("5", "5000"), &n1, 75, "cpu over capacity: fraction capped at 1");
	expect_score(c, POD("5", "20000"), &n1, 100, "both over capacity: both 1");

	/* Pods that request nothing count nothing (no 100m / 200Mi defaults):
	 * with the defaults, the node's memory would be far over capacity. */
	tnode_init(&n3, "n3", "{\"cpu\":\"10\",\"memory\":\"20000\"}", small_pods);
	expect_score(c, POD_NONE, &n3, 100, "best-effort pods on the node and to place: 0 and 0");
	expect_score(c, POD("1", "2000"), &n3, 100, "0.1 and 0.1");

	tnode_init(&n4, "n4", "{\"cpu\":\"10\",\"memory\":\"20000\"}", cpu_pods);
	expect_score(c, POD_NONE, &n4, 70, "node pods request 6 cpu, no memory: |0.6 - 0| / 2");
	expect_score(c, POD("0", "6000"), &n4, 85,
	             "adding memory balances: |0.6 - 0.3| / 2 = 0.15 -> 85");

	tnode_init(&n5, "n5", "{\"cpu\":\"10\",\"memory\":\"20000\"}", mixed);
	expect_score(c, POD("3", "5000"), &n5, 95,
	             "with the node's pods 6 of 10 cpu, 10000 of 20000 memory: 0.05 -> 95");

	tnode_free(&n1);
	tnode_free(&n2);
	tnode_free(&n3);
	tnode_free(&n4);
	tnode_free(&n5);
	k8c_plugin.fini(c);
}

static void test_score_resources(void)
{
	void *c3 = init_ok("{\"resources\":[{\"name\":\"cpu\"},{\"name\":\"memory\"},"
	                   "{\"name\":\"nvidia.com/gpu\",\"weight\":1}]}");
	void *cpu = init_ok("{\"resources\":[{\"name\":\"cpu\"}]}");
	void *eph =
	    init_ok("{\"resources\":[{\"name\":\"cpu\"},{\"name\":\"ephemeral-storage\"}]}");
	void *pods = init_ok("{\"resources\":[{\"name\":\"cpu\"},{\"name\":\"memory\"},"
	                     "{\"name\":\"pods\"}]}");
	tnode_t g, nog, zero, e;

	tnode_init(&g, "g", "{\"cpu\":\"4\",\"memory\":\"8000\",\"nvidia.com/gpu\":\"4\"}", NULL);
	tnode_init(&nog, "nog", "{\"cpu\":\"4\",\"memory\":\"8000\"}", NULL);
	tnode_init(&zero, "zero", "{\"cpu\":\"0\",\"memory\":\"8000\"}", NULL);
	tnode_init(&e, "e", "{\"cpu\":\"4\",\"ephemeral-storage\":\"100\"}", NULL);

	/* 0.5, 0.5, 0.25: mean 5/12, std = sqrt(1/72) = 0.11785 -> 88. */
	expect_score(c3, POD_GPU("2", "4000", "1"), &g, 88, "three resources: population std");
	expect_score(c3, POD_GPU("2", "4000", "4"), &g, 76,
	             "0.5, 0.5, 1: std = sqrt(1/18) = 0.2357 -> 76");
	expect_score(c3, POD("2", "2000"), &g, 87,
	             "a scalar the pod does not request is left out: |0.5 - 0.25| / 2");
	expect_score(c3, POD_GPU("2", "2000", "1"), &nog, 87,
	             "a scalar the node does not have is left out");
	expect_score(c3, POD("2", "2000"), &zero, 100,
	             "cpu allocatable 0 is left out: one fraction");
	expect_score(cpu, POD("1", "8000"), &nog, 100, "a single resource always scores 100");
	expect_score(eph,
	             "{\"spec\":{\"containers\":[{\"name\":\"c\",\"resources\":{\"requests\":"
	             "{\"cpu\":\"1\",\"ephemeral-storage\":\"75\"}}}]}}",
	             &e, 75, "ephemeral-storage: |0.25 - 0.75| / 2");
	expect_score(pods, POD("2", "2000"), &nog, 87, "pods is not a scored resource");

	tnode_free(&g);
	tnode_free(&nog);
	tnode_free(&zero);
	tnode_free(&e);
	k8c_plugin.fini(c3);
	k8c_plugin.fini(cpu);
	k8c_plugin.fini(eph);
	k8c_plugin.fini(pods);
}

static void test_malformed(void)
{
	void *c = init_ok("{}");
	tnode_t n;
	k8c_sched_node_t bare = {.name = "bare"};
	const k8c_sched_node_t *nodes[1] = {&bare};
	cJSON *pod = cJSON_Parse("{\"spec\":{\"containers\":[{\"name\":\"c\",\"resources\":"
	                         "{\"requests\":{\"cpu\":\"lots\"}}}]}}");
	k8c_sched_cycle_t cycle = {.pod = pod};
	int64_t s = -1;

	tnode_init(&n, "n", "{\"cpu\":\"4\",\"memory\":\"10000\"}", NULL);
	is_int(ops->pre_score(c, &cycle, nodes, 1), K8C_SCHED_ERROR,
	       "pre_score: unparsable requests without host requests");
	ok(cycle.state == NULL, "and no state");
	is_int(ops->score(c, &cycle, &n.n, &s), K8C_SCHED_ERROR, "score alone: the same");
	is_int(s, 0, "score 0 on error");

	/* A pod whose resources do not parse never gets here: node-resources-fit
	 * makes it unresolvable in pre_filter.  Alone, scoring fails. */
	is_int(score_of(c, "{\"spec\":7}", &n, 0, 0), -2, "spec of the wrong type: score fails");
	is_int(score_of(c, "[]", &n, 0, 0), -2, "pod of the wrong type: score fails");
	is_int(score_of(c,
	                "{\"spec\":{\"containers\":[{\"resources\":{\"requests\":"
	                "{\"memory\":[]}}}]}}",
	                &n, 0, 0),
	       -2, "requests of the wrong type: score fails");
	expect_score(c, POD("1", "1000"), &n, 92, "sanity: 0.25 and 0.1 -> 92");
	is_int(score_of(c, POD("1", "1000"), &(tnode_t){.n = bare}, 1, 1), 100,
	       "a node without allocatable or requested: nothing to compare");

	/* pre_score twice does not leak. */
	cJSON_Delete(pod);
	pod = cJSON_Parse(POD("1", "1"));
	cycle.pod = pod;
	is_int(ops->pre_score(c, &cycle, nodes, 1), K8C_SCHED_SUCCESS, "pre_score once");
	is_int(ops->pre_score(c, &cycle, nodes, 1), K8C_SCHED_SUCCESS, "pre_score twice");
	ops->state_free(c, cycle.state);
	ops->state_free(c, NULL);
	ok(1, "state_free(NULL)");

	cJSON_Delete(pod);
	tnode_free(&n);
	k8c_plugin.fini(c);
}

int main(void)
{
	fake_host_init(&fh);
	test_descriptor();
	test_config();
	test_score_default();
	test_score_resources();
	test_malformed();
	return done_testing();
}
