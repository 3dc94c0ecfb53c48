/* node-resources-fit against a fake host: config validation, filter
 * reasons and codes, and the three scoring strategies with the numbers of
 * kube-scheduler's own tests. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

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
 * Fixtures: a node with its pods, a cycle for a pod.
 */

typedef struct tnode {
	cJSON *json;
	cJSON *pods[8];
	size_t n_pods;
	k8c_podresources_t alloc, used;
	k8c_sched_node_t n;
} tnode_t;

/* A node whose status.allocatable is alloc_json, with pods (JSON strings,
 * NULL-terminated) bound to it. */
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
		k8c_podresources_t r;
		t->pods[t->n_pods] = cJSON_Parse(pods[t->n_pods]);
		if (k8c_podresources_from_pod(t->pods[t->n_pods], 0, &r, NULL) < 0)
			ok(0, "fixture pod parses");
		k8c_podresources_add(&t->used, &r.res);
		k8c_podresources_free(&r);
	}
	t->n.name = name;
	t->n.node = t->json;
	t->n.allocatable = &t->alloc.res;
	t->n.requested = &t->used.res;
	t->n.n_pods = t->n_pods;
	t->n.pods = (const cJSON *const *)t->pods;
}

static void tnode_free(tnode_t *t)
{
	for (size_t i = 0; i < t->n_pods; i++)
		cJSON_Delete(t->pods[i]);
	k8c_podresources_free(&t->alloc);
	k8c_podresources_free(&t->used);
	cJSON_Delete(t->json);
}

typedef struct tcycle {
	cJSON *pod;
	k8c_podresources_t req;
	k8c_sched_cycle_t c;
} tcycle_t;

/* A cycle for pod_json; with_requests: the host computed the requests. */
static void tcycle_init(tcycle_t *t, const char *pod_json, int with_requests)
{
	memset(t, 0, sizeof(*t));
	t->pod = cJSON_Parse(pod_json);
	t->c.pod = t->pod;
	if (with_requests) {
		if (k8c_podresources_from_pod(t->pod, 0, &t->req, NULL) < 0)
			ok(0, "fixture pod parses");
		t->c.requests = &t->req.res;
	}
}

static void tcycle_free(tcycle_t *t, void *cookie)
{
	if (t->c.state != NULL)
		ops->state_free(cookie, t->c.state);
	k8c_podresources_free(&t->req);
	cJSON_Delete(t->pod);
}

static void *init_ok(const char *config_json)
{
	cJSON *cfg = cJSON_Parse(config_json);
	void *cookie = NULL;
	k8c_error_t err = {0, ""};

	if (!ok(k8c_plugin.init(&fh.host, cfg, &cookie, &err) == 0, "init %s", config_json))
		diag("%s", err.message);
	/* Deleted before fini on purpose: the plugin must copy what it
	 * keeps, and ASan would catch it otherwise. */
	cJSON_Delete(cfg);
	return cookie;
}

/* A filter run: returns the code, reason in reason. */
static int run_filter(void *cookie, const char *pod_json, int with_requests, tnode_t *node,
                      char reason[K8C_SCHED_REASON_MAX])
{
	tcycle_t c;
	int code;

	tcycle_init(&c, pod_json, with_requests);
	reason[0] = '\0';
	code = ops->pre_filter(cookie, &c.c, reason);
	if (code == K8C_SCHED_SUCCESS)
		code = ops->filter(cookie, &c.c, &node->n, reason);
	tcycle_free(&c, cookie);
	return code;
}

static int64_t run_score(void *cookie, const char *pod_json, tnode_t *node, int with_pre)
{
	tcycle_t c;
	int64_t score = -1;
	const k8c_sched_node_t *nodes[1] = {&node->n};

	tcycle_init(&c, pod_json, 1);
	if (with_pre && ops->pre_score(cookie, &c.c, nodes, 1) != K8C_SCHED_SUCCESS)
		ok(0, "pre_score succeeds");
	if (ops->score(cookie, &c.c, &node->n, &score) != K8C_SCHED_SUCCESS)
		ok(0, "score succeeds");
	tcycle_free(&c, cookie);
	return score;
}

/* ------------------------------------------------------------------------ */

static void test_descriptor(void)
{
	is_int(k8c_plugin.abi_major, K8C_ABI_MAJOR, "ABI major");
	ok(k8c_plugin.abi_minor <= K8C_ABI_MINOR, "ABI minor");
	is_int(k8c_plugin.struct_size, sizeof(k8c_plugin_t), "descriptor size");
	is_int(k8c_plugin.kind, K8C_PLUGIN_SCHEDULER, "scheduler kind");
	is_str(k8c_plugin.name, "node-resources-fit", "name");
	ok(k8c_plugin.version != NULL && k8c_plugin.init && k8c_plugin.fini,
	   "version, init and fini are set");
	ops = k8c_plugin.ops;
	is_int(ops->struct_size, sizeof(k8c_sched_policy_ops_t), "ops size");
	ok(ops->pre_filter && ops->filter && ops->pre_score && ops->score && ops->state_free,
	   "pre_filter, filter, pre_score, score, state_free");
	ok(!ops->normalize_score && !ops->bind && !ops->reserve && !ops->post_filter,
	   "no normalize, reserve, bind or post_filter");
}

static void test_config(void)
{
	static const struct {
		const char *json, *needle;
	} bad[] = {
	    {"[]", "config"},
	    {"{\"ignoredResources\":\"example.com/a\"}", "ignoredResources"},
	    {"{\"ignoredResources\":[1]}", "ignoredResources[0]"},
	    {"{\"ignoredResources\":[\"ok.com/a\",\"-bad-\"]}", "ignoredResources[1]"},
	    {"{\"ignoredResourceGroups\":[\"example.com/foo\"]}", "can't contain '/'"},
	    {"{\"ignoredResourceGroups\":[\"bad group\"]}", "ignoredResourceGroups[0]"},
	    {"{\"scoringStrategy\":\"LeastAllocated\"}", "scoringStrategy"},
	    {"{\"scoringStrategy\":{\"type\":\"Foo\"}}", "scoringStrategy.type"},
	    {"{\"scoringStrategy\":{\"type\":1}}", "scoringStrategy.type"},
	    {"{\"scoringStrategy\":{\"resources\":{}}}", "scoringStrategy.resources"},
	    {"{\"scoringStrategy\":{\"resources\":[1]}}", "resources[0]"},
	    {"{\"scoringStrategy\":{\"resources\":[{\"weight\":1}]}}", "resources[0].name"},
	    {"{\"scoringStrategy\":{\"resources\":[{\"name\":\"\"}]}}", "resources[0].name"},
	    {"{\"scoringStrategy\":{\"resources\":[{\"name\":\"cpu\",\"weight\":101}]}}",
	     "range [0, 100]"},
	    {"{\"scoringStrategy\":{\"resources\":[{\"name\":\"cpu\"},{\"name\":\"memory\","
	     "\"weight\":-1}]}}",
	     "resources[1].weight"},
	    {"{\"scoringStrategy\":{\"resources\":[{\"name\":\"cpu\",\"weight\":1.5}]}}",
	     "must be an integer"},
	    {"{\"scoringStrategy\":{\"resources\":[{\"name\":\"cpu\",\"weight\":\"1\"}]}}",
	     "must be an integer"},
	    {"{\"scoringStrategy\":{\"resources\":[{\"name\":\"cpu\",\"weight\":1e300}]}}",
	     "range"},
	    {"{\"scoringStrategy\":{\"type\":\"RequestedToCapacityRatio\"}}",
	     "requestedToCapacityRatio"},
	    {"{\"scoringStrategy\":{\"type\":\"RequestedToCapacityRatio\","
	     "\"requestedToCapacityRatio\":{\"shape\":[]}}}",
	     "at least one point"},
	    {"{\"scoringStrategy\":{\"type\":\"RequestedToCapacityRatio\","
	     "\"requestedToCapacityRatio\":{}}}",
	     "at least one point"},
	    {"{\"scoringStrategy\":{\"type\":\"RequestedToCapacityRatio\","
	     "\"requestedToCapacityRatio\":{\"shape\":[{\"utilization\":101,\"score\":1}]}}}",
	     "shape[0].utilization"},
	    {"{\"scoringStrategy\":{\"type\":\"RequestedToCapacityRatio\","
	     "\"requestedToCapacityRatio\":{\"shape\":[{\"utilization\":0,\"score\":11}]}}}",
	     "shape[0].score"},
	    {"{\"scoringStrategy\":{\"type\":\"RequestedToCapacityRatio\","
	     "\"requestedToCapacityRatio\":{\"shape\":[{\"utilization\":50,\"score\":1},"
	     "{\"utilization\":50,\"score\":2}]}}}",
	     "increasing order"},
	    {"{\"scoringStrategy\":{\"type\":\"RequestedToCapacityRatio\","
	     "\"requestedToCapacityRatio\":{\"shape\":[{\"utilization\":0}]}}}",
	     "required"},
	    /* validated even when another strategy is chosen, as Kubernetes does */
	    {"{\"scoringStrategy\":{\"type\":\"MostAllocated\","
	     "\"requestedToCapacityRatio\":{\"shape\":[{\"utilization\":-1,\"score\":0}]}}}",
	     "utilization"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cJSON *cfg = cJSON_Parse(bad[i].json);
		void *cookie = (void *)1;
		k8c_error_t err = {0, ""};
		int ret = k8c_plugin.init(&fh.host, cfg, &cookie, &err);
		is_int(ret, -K8C_EINVAL, "init refuses %s", bad[i].json);
		ok(strstr(err.message, bad[i].needle) != NULL, "... saying %s (%s)", bad[i].needle,
		   err.message);
		ok(cookie == (void *)1, "... and leaves the cookie alone");
		cJSON_Delete(cfg);
	}

	int warns = fh.lines[K8C_LOG_WARN], infos = fh.lines[K8C_LOG_INFO];
	void *cookie = init_ok("{}");
	is_int(fh.lines[K8C_LOG_INFO], infos + 1, "init logs its strategy");
	ok(strstr(fh.last, "LeastAllocated") && strstr(fh.last, "2 resources"),
	   "default: LeastAllocated over cpu and memory (%s)", fh.last);
	k8c_plugin.fini(cookie);
	is_int(fh.lines[K8C_LOG_WARN], warns, "no warning for an empty config");

	cookie = init_ok("{\"kind\":\"NodeResourcesFitArgs\",\"typo\":1,"
	                 "\"scoringStrategy\":{\"type\":\"MostAllocated\",\"extra\":2,"
	                 "\"resources\":[{\"name\":\"cpu\",\"weight\":0},"
	                 "{\"name\":\"nvidia.com/gpu\",\"weight\":100}]}}");
	is_int(fh.lines[K8C_LOG_WARN], warns + 2, "unknown fields are warned about");
	k8c_plugin.fini(cookie);

	/* A NULL config (the ABI promises an object, but be safe). */
	cookie = NULL;
	is_int(k8c_plugin.init(&fh.host, NULL, &cookie, NULL), 0, "NULL config");
	k8c_plugin.fini(cookie);
}

static void test_filter(void)
{
	static const char *alloc =
	    "{\"cpu\":\"4\",\"memory\":\"8Gi\",\"pods\":\"3\",\"ephemeral-storage\":\"10Gi\","
	    "\"nvidia.com/gpu\":\"2\",\"hugepages-2Mi\":\"2Mi\"}";
	static const char *const busy_pods[] = {
	    "{\"spec\":{\"containers\":[{\"resources\":{\"requests\":{\"cpu\":\"3500m\","
	    "\"memory\":\"1Gi\",\"nvidia.com/gpu\":\"1\"}}}]}}",
	    NULL,
	};
	tnode_t empty, busy, tiny;
	char reason[K8C_SCHED_REASON_MAX];
	void *cookie = init_ok("{}");

	tnode_init(&empty, "empty", alloc, NULL);
	tnode_init(&busy, "busy", alloc, busy_pods);
	tnode_init(&tiny, "tiny", "{\"cpu\":\"4\",\"memory\":\"8Gi\",\"pods\":\"1\"}", busy_pods);

	const struct {
		const char *pod;
		tnode_t *node;
		int code;
		const char *reason;
	} cases[] = {
	    {"{\"spec\":{\"containers\":[{\"resources\":{\"requests\":{\"cpu\":\"1\",\"memory\":"
	     "\"1Gi\"}}}]}}",
	     &empty, K8C_SCHED_SUCCESS, ""},
	    {"{\"spec\":{\"containers\":[{\"resources\":{\"requests\":{\"cpu\":\"4\",\"memory\":"
	     "\"8Gi\"}}}]}}",
	     &empty, K8C_SCHED_SUCCESS, ""},
	    {"{\"spec\":{\"containers\":[{\"resources\":{\"requests\":{\"cpu\":\"5\"}}}]}}", &empty,
	     K8C_SCHED_UNRESOLVABLE, "Insufficient cpu"},
	    {"{\"spec\":{\"containers\":[{\"resources\":{\"requests\":{\"cpu\":\"4001m\"}}}]}}",
	     &empty, K8C_SCHED_UNRESOLVABLE, "Insufficient cpu"},
	    {"{\"spec\":{\"containers\":[{\"resources\":{\"requests\":{\"cpu\":\"1\"}}}]}}", &busy,
	     K8C_SCHED_UNSCHEDULABLE, "Insufficient cpu"},
	    {"{\"spec\":{\"containers\":[{\"resources\":{\"requests\":{\"cpu\":\"500m\"}}}]}}",
	     &busy, K8C_SCHED_SUCCESS, ""},
	    {"{\"spec\":{\"containers\":[{\"resources\":{\"requests\":{\"cpu\":\"5\",\"memory\":"
	     "\"10Gi\"}}}]}}",
	     &empty, K8C_SCHED_UNRESOLVABLE, "Insufficient cpu, Insufficient memory"},
	    {"{\"spec\":{\"containers\":[{\"resources\":{\"requests\":{\"memory\":\"7.5Gi\"}}}]}}",
	     &busy, K8C_SCHED_UNSCHEDULABLE, "Insufficient memory"},
	    {"{\"spec\":{\"containers\":[{\"resources\":{\"requests\":{\"ephemeral-storage\":"
	     "\"11Gi\"}}}]}}",
	     &empty, K8C_SCHED_UNRESOLVABLE, "Insufficient ephemeral-storage"},
	    {"{\"spec\":{\"containers\":[{}]}}", &tiny, K8C_SCHED_UNSCHEDULABLE, "Too many pods"},
	    {"{\"spec\":{\"containers\":[{\"resources\":{\"requests\":{\"cpu\":\"1\"}}}]}}", &tiny,
	     K8C_SCHED_UNSCHEDULABLE, "Too many pods, Insufficient cpu"},
	    {"{\"spec\":{\"containers\":[{\"resources\":{\"requests\":{\"nvidia.com/"
	     "gpu\":\"3\"}}}]}}",
	     &empty, K8C_SCHED_UNRESOLVABLE, "Insufficient nvidia.com/gpu"},
	    {"{\"spec\":{\"containers\":[{\"resources\":{\"requests\":{\"nvidia.com/"
	     "gpu\":\"2\"}}}]}}",
	     &busy, K8C_SCHED_UNSCHEDULABLE, "Insufficient nvidia.com/gpu"},
	    {"{\"spec\":{\"containers\":[{\"resources\":{\"limits\":{\"nvidia.com/"
	     "gpu\":\"1\"}}}]}}",
	     &busy, K8C_SCHED_SUCCESS, ""},
	    {"{\"spec\":{\"containers\":[{\"resources\":{\"requests\":{\"example.com/"
	     "foo\":\"1\"}}}]}}",
	     &empty, K8C_SCHED_UNRESOLVABLE, "Insufficient example.com/foo"},
	    {"{\"spec\":{\"containers\":[{\"resources\":{\"requests\":{\"example.com/"
	     "foo\":\"0\"}}}]}}",
	     &empty, K8C_SCHED_SUCCESS, ""},
	    {"{\"spec\":{\"containers\":[{\"resources\":{\"requests\":{\"hugepages-2Mi\":\"4Mi\"}}}"
	     "]}}",
	     &empty, K8C_SCHED_UNRESOLVABLE, "Insufficient hugepages-2Mi"},
	    /* a pod that requests nothing fits a full node */
	    {"{\"spec\":{\"containers\":[{}]}}", &busy, K8C_SCHED_SUCCESS, ""},
	    /* init containers: max(3, 1) = 3 > 4 - 3.5 */
	    {"{\"spec\":{\"initContainers\":[{\"resources\":{\"requests\":{\"cpu\":\"3\"}}}],"
	     "\"containers\":[{\"resources\":{\"requests\":{\"cpu\":\"100m\"}}}]}}",
	     &busy, K8C_SCHED_UNSCHEDULABLE, "Insufficient cpu"},
	    /* overhead pushes it over */
	    {"{\"spec\":{\"overhead\":{\"cpu\":\"1\"},"
	     "\"containers\":[{\"resources\":{\"requests\":{\"cpu\":\"3500m\"}}}]}}",
	     &empty, K8C_SCHED_UNRESOLVABLE, "Insufficient cpu"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int host_req = 1; host_req >= 0; host_req--) {
			int code =
			    run_filter(cookie, cases[i].pod, host_req, cases[i].node, reason);
			is_int(code, cases[i].code, "filter case %zu on %s (%s requests)", i,
			       cases[i].node->n.name, host_req ? "host" : "own");
			is_str(reason, cases[i].reason, "... and its reason");
		}
	}

	/* filter without pre_filter computes the requests itself. */
	tcycle_t c;
	tcycle_init(
	    &c, "{\"spec\":{\"containers\":[{\"resources\":{\"requests\":{\"cpu\":\"5\"}}}]}}", 0);
	is_int(ops->filter(cookie, &c.c, &empty.n, reason), K8C_SCHED_UNRESOLVABLE,
	       "filter without pre_filter or host requests");
	is_str(reason, "Insufficient cpu", "... still says why");
	tcycle_free(&c, cookie);

	/* A malformed pod is refused once, at pre_filter. */
	int debug = fh.lines[K8C_LOG_DEBUG];
	tcycle_init(
	    &c,
	    "{\"metadata\":{\"namespace\":\"ns\",\"name\":\"p\"},"
	    "\"spec\":{\"containers\":[{\"resources\":{\"requests\":{\"cpu\":\"lots\"}}}]}}",
	    0);
	is_int(ops->pre_filter(cookie, &c.c, reason), K8C_SCHED_UNRESOLVABLE,
	       "pre_filter refuses a pod with a malformed quantity");
	ok(strstr(reason, "invalid resource requests") &&
	       strstr(reason, "spec.containers[0].resources.requests.cpu"),
	   "... with the field in the reason (%s)", reason);
	ok(c.c.state == NULL, "... and no state");
	is_int(fh.lines[K8C_LOG_DEBUG], debug + 1, "... logged at debug level");
	ok(strstr(fh.last, "ns/p") != NULL, "... naming the pod (%s)", fh.last);
	tcycle_free(&c, cookie);

	/* A node the host knows nothing about allows no pods. */
	k8c_sched_node_t bare = {"bare", NULL, NULL, NULL, 0, NULL};
	tcycle_init(&c, "{}", 1);
	is_int(ops->filter(cookie, &c.c, &bare, reason), K8C_SCHED_UNSCHEDULABLE,
	       "node without allocatable");
	is_str(reason, "Too many pods", "... has no room for pods");
	tcycle_free(&c, cookie);
	k8c_plugin.fini(cookie);

	/* Ignored extended resources and groups. */
	static const char *foo =
	    "{\"spec\":{\"containers\":[{\"resources\":{\"requests\":{\"example.com/foo\":\"1\","
	    "\"hugepages-2Mi\":\"4Mi\"}}}]}}";
	cookie = init_ok("{\"ignoredResources\":[\"example.com/foo\",\"hugepages-2Mi\"]}");
	is_int(run_filter(cookie, foo, 1, &empty, reason), K8C_SCHED_UNRESOLVABLE,
	       "ignoredResources: example.com/foo skipped");
	is_str(reason, "Insufficient hugepages-2Mi",
	       "... but only extended resources can be ignored");
	k8c_plugin.fini(cookie);
	cookie = init_ok("{\"ignoredResourceGroups\":[\"example.com\"]}");
	is_int(run_filter(cookie, foo, 1, &empty, reason), K8C_SCHED_UNRESOLVABLE,
	       "ignoredResourceGroups: example.com/* skipped");
	is_str(reason, "Insufficient hugepages-2Mi", "... hugepages still checked");
	is_int(run_filter(cookie,
	                  "{\"spec\":{\"containers\":[{\"resources\":{\"requests\":"
	                  "{\"example.com.au/x\":\"1\"}}}]}}",
	                  1, &empty, reason),
	       K8C_SCHED_UNRESOLVABLE, "a group matches the whole prefix only");
	k8c_plugin.fini(cookie);

	tnode_free(&empty);
	tnode_free(&busy);
	tnode_free(&tiny);
}

/* Pods and nodes from kube-scheduler's least_allocated_test.go and
 * most_allocated_test.go. */
static const char *cpu_and_memory =
    "{\"spec\":{\"containers\":["
    "{\"resources\":{\"requests\":{\"cpu\":\"1000m\",\"memory\":\"2000\"}}},"
    "{\"resources\":{\"requests\":{\"cpu\":\"2000m\",\"memory\":\"3000\"}}}]}}";
static const char *cpu_only =
    "{\"spec\":{\"containers\":["
    "{\"resources\":{\"requests\":{\"cpu\":\"1000m\",\"memory\":\"0\"}}},"
    "{\"resources\":{\"requests\":{\"cpu\":\"2000m\",\"memory\":\"0\"}}}]}}";
static const char *no_requests = "{\"spec\":{\"containers\":[{}]}}";

static void test_score(void)
{
	tnode_t n1, n2, n3, busy, big, gpu;
	void *cookie;
	const char *const existing[] = {cpu_only, cpu_and_memory, NULL};
	const char *const best_effort[] = {no_requests, NULL};

	tnode_init(&n1, "n1", "{\"cpu\":\"4000m\",\"memory\":\"10000\",\"pods\":\"32\"}", NULL);
	tnode_init(&n2, "n2", "{\"cpu\":\"6000m\",\"memory\":\"10000\",\"pods\":\"32\"}", NULL);
	tnode_init(&n3, "n3", "{\"cpu\":\"10000m\",\"memory\":\"20000\",\"pods\":\"32\"}", NULL);
	tnode_init(&busy, "busy", "{\"cpu\":\"10000m\",\"memory\":\"20000\",\"pods\":\"32\"}",
	           existing);
	tnode_init(&big, "big", "{\"cpu\":\"4\",\"memory\":\"1Gi\",\"pods\":\"32\"}", best_effort);
	tnode_init(&gpu, "gpu",
	           "{\"cpu\":\"4000m\",\"memory\":\"10000\",\"pods\":\"32\","
	           "\"nvidia.com/gpu\":\"4\"}",
	           NULL);

	cookie = init_ok("{}");
	is_int(run_score(cookie, cpu_and_memory, &n1, 1), 37,
	       "LeastAllocated: (25 + 50) / 2 on a 4-cpu node");
	is_int(run_score(cookie, cpu_and_memory, &n2, 1), 50,
	       "LeastAllocated: (50 + 50) / 2 on a 6-cpu node");
	is_int(run_score(cookie, cpu_and_memory, &n2, 0), 50,
	       "LeastAllocated: same without pre_score");
	/* existing pods: cpu 6000 + 3000 of 10000, memory 5000 + 5000 of 20000 */
	is_int(run_score(cookie, cpu_and_memory, &busy, 1), 30,
	       "LeastAllocated: (10 + 50) / 2 on a busy node");
	is_int(run_score(cookie, cpu_only, &n3, 1), 85,
	       "LeastAllocated: memory 0 counts as 0, not 200Mi: (70 + 100) / 2");
	/* defaults, for the pod and the one already there: 200m of 4000m ->
	 * 95; 400Mi of 1Gi -> 60 */
	is_int(run_score(cookie, no_requests, &big, 1), 77,
	       "LeastAllocated: non-zero defaults for pods without requests");
	{
		/* The host's node cache supplies NonZeroRequested: the plugin
		 * uses it instead of walking the node's pods. */
		k8c_sched_resources_t nz = {.milli_cpu = 100, .memory = 200LL << 20};
		big.n.non_zero_requested = &nz;
		big.n.pods = NULL;
		big.n.n_pods = 0;
		is_int(run_score(cookie, no_requests, &big, 1), 77,
		       "non_zero_requested from the host gives the same score as the pods");
		nz.milli_cpu = 200;
		nz.memory = 400LL << 20;
		/* 300m of 4000m -> 92; 600Mi of 1Gi -> 41 */
		is_int(run_score(cookie, no_requests, &big, 1), 66,
		       "and is what the plugin uses: (92 + 41) / 2");
		big.n.pods = (const cJSON *const *)big.pods;
		big.n.n_pods = big.n_pods;
		big.n.non_zero_requested = NULL;
	}
	is_int(run_score(cookie, cpu_and_memory, &gpu, 1), 37,
	       "a resource outside the strategy does not count");
	k8c_plugin.fini(cookie);

	cookie = init_ok("{\"scoringStrategy\":{\"type\":\"MostAllocated\"}}");
	is_int(run_score(cookie, cpu_and_memory, &n1, 1), 62, "MostAllocated: (75 + 50) / 2");
	is_int(run_score(cookie, cpu_and_memory, &n2, 1), 50, "MostAllocated: (50 + 50) / 2");
	is_int(run_score(cookie, cpu_and_memory, &busy, 1), 70,
	       "MostAllocated: (90 + 50) / 2 on a busy node");
	is_int(run_score(cookie, no_requests, &n1, 1), 51,
	       "MostAllocated: requested above capacity counts as full: (2 + 100) / 2");
	k8c_plugin.fini(cookie);

	cookie = init_ok("{\"scoringStrategy\":{\"type\":\"LeastAllocated\",\"resources\":"
	                 "[{\"name\":\"cpu\",\"weight\":2},{\"name\":\"memory\",\"weight\":1}]}}");
	is_int(run_score(cookie, cpu_and_memory, &n1, 1), 33, "weights: (2 x 25 + 50) / 3");
	k8c_plugin.fini(cookie);

	cookie = init_ok(
	    "{\"scoringStrategy\":{\"resources\":"
	    "[{\"name\":\"cpu\",\"weight\":1},{\"name\":\"nvidia.com/gpu\",\"weight\":3}]}}");
	is_int(run_score(cookie, cpu_and_memory, &gpu, 1), 25,
	       "an extended resource the pod does not request is not scored");
	is_int(run_score(cookie,
	                 "{\"spec\":{\"containers\":[{\"resources\":{\"requests\":"
	                 "{\"cpu\":\"3\",\"nvidia.com/gpu\":\"1\"}}}]}}",
	                 &gpu, 1),
	       62, "an extended resource the pod requests: (25 + 3 x 75) / 4");
	is_int(run_score(cookie,
	                 "{\"spec\":{\"containers\":[{\"resources\":{\"requests\":"
	                 "{\"cpu\":\"3\",\"nvidia.com/gpu\":\"1\"}}}]}}",
	                 &n1, 1),
	       25, "a node without the resource: only cpu is scored");
	k8c_plugin.fini(cookie);

	/* RequestedToCapacityRatio: bin packing, score = utilization. */
	cookie = init_ok("{\"scoringStrategy\":{\"type\":\"RequestedToCapacityRatio\","
	                 "\"requestedToCapacityRatio\":{\"shape\":["
	                 "{\"utilization\":0,\"score\":0},{\"utilization\":100,\"score\":10}]}}}");
	is_int(run_score(cookie, cpu_and_memory, &n1, 1), 63,
	       "RequestedToCapacityRatio: round((75 + 50) / 2) = 63");
	is_int(run_score(cookie, cpu_and_memory, &n3, 1), 28,
	       "RequestedToCapacityRatio: round((30 + 25) / 2) = 28");
	is_int(run_score(cookie, no_requests, &n1, 1), 51,
	       "RequestedToCapacityRatio: over capacity scores as 100%% used");
	k8c_plugin.fini(cookie);

	/* Spreading: score falls with utilization. */
	cookie = init_ok("{\"scoringStrategy\":{\"type\":\"RequestedToCapacityRatio\","
	                 "\"requestedToCapacityRatio\":{\"shape\":["
	                 "{\"utilization\":0,\"score\":10},{\"utilization\":100,\"score\":0}]}}}");
	is_int(run_score(cookie, cpu_and_memory, &n1, 1), 38,
	       "RequestedToCapacityRatio spread: round((25 + 50) / 2) = 38");
	k8c_plugin.fini(cookie);

	/* Zero resource scores are left out of the average. */
	cookie = init_ok("{\"scoringStrategy\":{\"type\":\"RequestedToCapacityRatio\","
	                 "\"requestedToCapacityRatio\":{\"shape\":["
	                 "{\"utilization\":0,\"score\":0},{\"utilization\":50,\"score\":0},"
	                 "{\"utilization\":100,\"score\":10}]}}}");
	is_int(run_score(cookie, cpu_and_memory, &n1, 1), 50,
	       "RequestedToCapacityRatio: memory at 50%% scores 0 and is skipped");
	k8c_plugin.fini(cookie);

	/* One point: a constant. */
	cookie = init_ok("{\"scoringStrategy\":{\"type\":\"RequestedToCapacityRatio\","
	                 "\"requestedToCapacityRatio\":{\"shape\":["
	                 "{\"utilization\":30,\"score\":7}]}}}");
	is_int(run_score(cookie, cpu_and_memory, &n1, 1), 70,
	       "RequestedToCapacityRatio with one point");
	k8c_plugin.fini(cookie);

	tnode_free(&n1);
	tnode_free(&n2);
	tnode_free(&n3);
	tnode_free(&busy);
	tnode_free(&big);
	tnode_free(&gpu);
}

static void test_state(void)
{
	void *cookie = init_ok("{}");
	tcycle_t c;
	char reason[K8C_SCHED_REASON_MAX];

	tcycle_init(&c, cpu_and_memory, 1);
	is_int(ops->pre_filter(cookie, &c.c, reason), K8C_SCHED_SUCCESS, "pre_filter succeeds");
	ok(c.c.state != NULL, "pre_filter leaves cycle state");
	void *state = c.c.state;
	is_int(ops->pre_score(cookie, &c.c, NULL, 0), K8C_SCHED_SUCCESS, "pre_score succeeds");
	ok(c.c.state == state, "pre_score keeps pre_filter's state");
	is_int(ops->pre_filter(cookie, &c.c, reason), K8C_SCHED_SUCCESS,
	       "pre_filter again replaces the state without leaking");
	tcycle_free(&c, cookie);
	ops->state_free(cookie, NULL);
	ok(1, "state_free(NULL) is harmless");
	k8c_plugin.fini(cookie);
}

int main(void)
{
	fake_host_init(&fh);
	test_descriptor();
	test_config();
	test_filter();
	test_score();
	test_state();
	return done_testing();
}
