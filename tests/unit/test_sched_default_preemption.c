/* Unit tests for plugins/sched-default-preemption against a fake host, a
 * fake cycle (node_codes and a filter_without doing cpu arithmetic: a node
 * fits when the cpu of the pods left plus the pod's is at most its
 * allocatable cpu) and a fake API client that records requests (TAP).
 * The cases follow kube-scheduler's default_preemption_test.go. */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/client.h>
#include <k8c/scheduler.h>

#include "fake_host.h"
#include "tap.h"

extern const k8c_plugin_t k8c_plugin;

static fake_host_t fh;
static void *cookie;
static const k8c_sched_policy_ops_t *ops;

#define NOPRIO LONG_MIN
#define MAXN 320
#define MAXP 8

/* --- the fake cluster --------------------------------------------------- */

typedef struct fake_node {
	k8c_sched_node_t n; /* first: the plugin hands &n back to filter_without */
	cJSON *obj;
	char name[32];
	const cJSON *pods[MAXP];
	int64_t cpu[MAXP];
	k8c_sched_resources_t alloc;
} fake_node_t;

typedef struct world {
	fake_node_t nodes[MAXN];
	const k8c_sched_node_t *all[MAXN];
	int codes[MAXN];
	size_t n;
	int64_t pod_cpu;
	int calls, node_calls[MAXN], bad_without;
	int error_node, affinity_node; /* -1: none */
} world_t;

static world_t w;

static void world_reset(void)
{
	for (size_t i = 0; i < w.n; i++) {
		for (size_t j = 0; j < w.nodes[i].n.n_pods; j++)
			cJSON_Delete((cJSON *)w.nodes[i].pods[j]);
		cJSON_Delete(w.nodes[i].obj);
	}
	memset(&w, 0, sizeof(w));
	w.error_node = w.affinity_node = -1;
}

static int add_node(const char *name, int64_t cpu, int code)
{
	fake_node_t *f = &w.nodes[w.n];
	char buf[128];

	snprintf(f->name, sizeof(f->name), "%s", name);
	snprintf(buf, sizeof(buf), "{\"metadata\":{\"name\":\"%s\"}}", name);
	f->obj = cJSON_Parse(buf);
	f->alloc.milli_cpu = cpu;
	f->n.name = f->name;
	f->n.node = f->obj;
	f->n.allocatable = &f->alloc;
	f->n.pods = f->pods;
	w.all[w.n] = &f->n;
	w.codes[w.n] = code;
	return (int)w.n++;
}

/* A pod in namespace default: priority (NOPRIO: none), status.startTime
 * (NULL: not started), and extra members for metadata, spec and status. */
static cJSON *mkpod(const char *name, long prio, const char *start, const char *meta,
                    const char *spec, const char *status)
{
	char buf[4096], pr[64] = "", st[128] = "";

	if (prio != NOPRIO)
		snprintf(pr, sizeof(pr), ",\"priority\":%ld", prio);
	if (start != NULL)
		snprintf(st, sizeof(st), "\"startTime\":\"%s\"%s", start, status[0] ? "," : "");
	snprintf(buf, sizeof(buf),
	         "{\"metadata\":{\"name\":\"%s\",\"namespace\":\"default\",\"uid\":\"uid-%s\"%s},"
	         "\"spec\":{\"containers\":[]%s%s},\"status\":{%s%s}}",
	         name, name, meta, pr, spec, st, status);
	return cJSON_Parse(buf);
}

static void add_pod(int node, cJSON *pod, int64_t cpu)
{
	fake_node_t *f = &w.nodes[node];

	f->pods[f->n.n_pods] = pod;
	f->cpu[f->n.n_pods++] = cpu;
}

static void add(int node, const char *name, long prio, int64_t cpu, const char *start)
{
	add_pod(node, mkpod(name, prio, start, "", "", ""), cpu);
}

static int fake_filter_without(void *ctx, const k8c_sched_node_t *node, const cJSON *const *without,
                               size_t n_without, char reason[K8C_SCHED_REASON_MAX])
{
	world_t *wo = ctx;
	const fake_node_t *f = (const fake_node_t *)node;
	size_t i = (size_t)(f - wo->nodes);
	int64_t used = wo->pod_cpu;

	wo->calls++;
	wo->node_calls[i]++;
	for (size_t k = 0; k < n_without; k++) {
		int found = 0;
		for (size_t j = 0; j < f->n.n_pods; j++)
			found |= f->pods[j] == without[k];
		wo->bad_without += !found;
	}
	if ((int)i == wo->error_node) {
		snprintf(reason, K8C_SCHED_REASON_MAX, "boom");
		return K8C_SCHED_ERROR;
	}
	if ((int)i == wo->affinity_node) {
		snprintf(reason, K8C_SCHED_REASON_MAX, "node(s) didn't match pod affinity rules");
		return K8C_SCHED_UNSCHEDULABLE;
	}
	for (size_t j = 0; j < f->n.n_pods; j++) {
		int gone = 0;
		for (size_t k = 0; k < n_without; k++)
			gone |= without[k] == f->pods[j];
		if (!gone)
			used += f->cpu[j];
	}
	if (used > f->alloc.milli_cpu) {
		snprintf(reason, K8C_SCHED_REASON_MAX, "Insufficient cpu");
		return K8C_SCHED_UNSCHEDULABLE;
	}
	return K8C_SCHED_SUCCESS;
}

/* --- the fake API client ------------------------------------------------ */

#define MAXREQ 16

typedef struct request {
	char method[16], path[256];
	char *body;
	int strategic;
} request_t;

typedef struct fake_client {
	int n;
	request_t req[MAXREQ];
	const char *fail_method; /* fail requests of this method with fail_code */
	int fail_code;
} fake_client_t;

static fake_client_t fc;

static int fake_request(void *client_ctx, const char *method, const char *path, const cJSON *body,
                        const char *content_type, cJSON **out, k8c_error_t *err)
{
	fake_client_t *c = client_ctx;

	if (c->n < MAXREQ) {
		request_t *r = &c->req[c->n++];
		snprintf(r->method, sizeof(r->method), "%s", method);
		snprintf(r->path, sizeof(r->path), "%s", path);
		r->body = body ? cJSON_PrintUnformatted(body) : NULL;
		r->strategic = content_type && strcmp(content_type, K8C_PATCH_STRATEGIC) == 0;
	}
	if (c->fail_method != NULL && strcmp(c->fail_method, method) == 0)
		return k8c_error_make(err, c->fail_code,
		                      c->fail_code == K8C_ENOTFOUND ? "not found"
		                                                    : "connection refused");
	if (out != NULL)
		*out = cJSON_CreateObject();
	return 0;
}

static const k8c_client_api_t fake_api = {
    .struct_size = sizeof(k8c_client_api_t),
    .request = fake_request,
};

static void reset_client(void)
{
	for (int i = 0; i < fc.n; i++)
		free(fc.req[i].body);
	memset(&fc, 0, sizeof(fc));
}

/* The methods and paths of the requests, "DELETE /x; PATCH /y". */
static const char *requests(void)
{
	static char buf[2048];
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < fc.n && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s %s", i ? "; " : "",
		                        fc.req[i].method, fc.req[i].path);
	return buf;
}

/* --- running post_filter ------------------------------------------------ */

static char nominated[256], reason[K8C_SCHED_REASON_MAX];

static int run_with(void *c, cJSON *pod, int64_t cpu)
{
	k8c_sched_cycle_t cycle = {.pod = pod,
	                           .all_nodes = w.all,
	                           .n_all_nodes = w.n,
	                           .node_codes = w.codes,
	                           .filter_without = fake_filter_without,
	                           .host_ctx = &w};
	int ret;

	w.pod_cpu = cpu;
	w.calls = 0;
	memset(w.node_calls, 0, sizeof(w.node_calls));
	nominated[0] = '\0';
	memset(reason, 'x', sizeof(reason) - 1);
	reason[sizeof(reason) - 1] = '\0';
	reset_client();
	ret = ops->post_filter(c, &cycle, w.all, w.n, nominated, reason);
	cJSON_Delete(pod);
	return ret;
}

static int run(cJSON *pod, int64_t cpu)
{
	return run_with(cookie, pod, cpu);
}

/* The incoming pod: priority 100, nothing else. */
static cJSON *hi(void)
{
	return mkpod("hi", 100, NULL, "", "", "");
}

/* --- tests -------------------------------------------------------------- */

static void *instance(const char *config, k8c_error_t *err, int *ret)
{
	cJSON *cfg = cJSON_Parse(config);
	void *c = NULL;

	*ret = k8c_plugin.init(&fh.host, cfg, &c, err);
	cJSON_Delete(cfg);
	return c;
}

static void test_descriptor(void)
{
	k8c_error_t err = {0};
	void *c;
	int ret, warn;

	is_int(k8c_plugin.abi_major, K8C_ABI_MAJOR, "abi major");
	ok(k8c_plugin.abi_minor >= 4, "abi minor 4 or later: needs node_codes and filter_without");
	is_int(k8c_plugin.kind, K8C_PLUGIN_SCHEDULER, "scheduler kind");
	is_str(k8c_plugin.name, "default-preemption", "name");
	ops = k8c_plugin.ops;
	ok(ops->post_filter && !ops->filter && !ops->pre_filter && !ops->score && !ops->bind,
	   "post_filter only");

	warn = fh.lines[K8C_LOG_WARN];
	c = instance("{}", &err, &ret);
	is_int(ret, 0, "init without a client");
	is_int(fh.lines[K8C_LOG_WARN], warn + 1, "warns that preemption will fail");
	k8c_plugin.fini(c);

	fh.host.client = &fake_api;
	fh.host.client_ctx = &fc;
	cookie = instance("{}", &err, &ret);
	is_int(ret, 0, "init");
	warn = fh.lines[K8C_LOG_WARN];
	c = instance("{\"minCandidateNodesPercentage\": 20, \"minCandidateNodesAbsolute\": 0, "
	             "\"kind\": \"DefaultPreemptionArgs\", \"bogus\": 1}",
	             &err, &ret);
	is_int(ret, 0, "init with kube's arguments");
	is_int(fh.lines[K8C_LOG_WARN], warn + 1, "an unknown key is warned about");
	k8c_plugin.fini(c);

	instance("{\"minCandidateNodesPercentage\": 101}", &err, &ret);
	is_int(ret, -K8C_EINVAL, "percentage 101 refused");
	is_str(err.message,
	       "config: minCandidateNodesPercentage: Invalid value: 101: not in valid "
	       "range [0, 100]",
	       "with kube's words");
	instance("{\"minCandidateNodesAbsolute\": -1}", &err, &ret);
	is_str(err.message,
	       "config: minCandidateNodesAbsolute: Invalid value: -1: not in valid "
	       "range [0, inf)",
	       "a negative absolute refused");
	instance("{\"minCandidateNodesPercentage\": 0, \"minCandidateNodesAbsolute\": 0}", &err,
	         &ret);
	is_int(ret, -K8C_EINVAL, "both zero refused");
	instance("{\"minCandidateNodesAbsolute\": \"5\"}", &err, &ret);
	is_str(err.message, "config: minCandidateNodesAbsolute must be an integer", "a string");
	instance("{\"minCandidateNodesPercentage\": 1.5}", &err, &ret);
	is_int(ret, -K8C_EINVAL, "a fraction refused");
	instance("{\"minCandidateNodesAbsolute\": 1e300}", &err, &ret);
	is_int(ret, -K8C_EINVAL, "a huge number refused");
	instance("[]", &err, &ret);
	is_int(ret, -K8C_EINVAL, "a config that is no object refused");
}

static void test_eligibility(void)
{
	int a;
	const char *deleted = ",\"deletionTimestamp\":\"2023-11-14T22:00:00Z\"";
	const char *preempted =
	    "\"conditions\":[{\"type\":\"DisruptionTarget\",\"status\":\"True\","
	    "\"reason\":\"PreemptionByScheduler\"}]";
	const char *nominated_a = "\"nominatedNodeName\":\"a\"";

	world_reset();
	a = add_node("a", 1000, K8C_SCHED_UNSCHEDULABLE);
	add(a, "low", 0, 1000, NULL);
	is_int(run(mkpod("hi", 100, NULL, "", ",\"preemptionPolicy\":\"Never\"", ""), 1000),
	       K8C_SCHED_UNSCHEDULABLE, "preemptionPolicy Never: unschedulable");
	is_str(reason, "preemption: not eligible due to preemptionPolicy=Never", "kube's reason");
	is_int(w.calls + fc.n, 0, "no filter run, no request");
	is_str(nominated, "", "no node nominated");
	is_int(run(mkpod("hi", 100, NULL, "", ",\"preemptionPolicy\":\"PreemptLowerPriority\"", ""),
	           1000),
	       K8C_SCHED_SUCCESS, "PreemptLowerPriority preempts");

	world_reset();
	a = add_node("a", 1000, K8C_SCHED_UNSCHEDULABLE);
	add_pod(a, mkpod("low", 0, NULL, deleted, "", preempted), 1000);
	is_int(run(mkpod("hi", 100, NULL, "", "", nominated_a), 1000), K8C_SCHED_UNSCHEDULABLE,
	       "nominated to a node where a victim is terminating: waits");
	is_str(reason, "preemption: not eligible due to a terminating pod on the nominated node",
	       "kube's reason");
	is_int(w.calls + fc.n, 0, "no filter run, no request");
	is_int(run(mkpod("hi", 100, NULL, "", "", "\"nominatedNodeName\":\"b\""), 1000),
	       K8C_SCHED_SUCCESS, "nominated elsewhere: eligible");
	is_int(fc.n, 0, "the terminating victim gets no request");
	is_int(run(mkpod("hi", 100, NULL, "", "", "\"nominatedNodeName\":\"gone\""), 1000),
	       K8C_SCHED_SUCCESS, "nominated to a node that is gone: eligible");
	w.codes[a] = K8C_SCHED_UNRESOLVABLE;
	is_int(run(mkpod("hi", 100, NULL, "", "", nominated_a), 1000), K8C_SCHED_UNSCHEDULABLE,
	       "nominated node now unresolvable: eligible, but nothing to preempt");
	is_str(reason,
	       "preemption: 0/1 nodes are available: 1 Preemption is not helpful for "
	       "scheduling",
	       "the fit message");

	world_reset();
	a = add_node("a", 1000, K8C_SCHED_UNSCHEDULABLE);
	add_pod(a, mkpod("low", 0, NULL, deleted, "", ""), 1000);
	is_int(run(mkpod("hi", 100, NULL, "", "", nominated_a), 1000), K8C_SCHED_SUCCESS,
	       "a pod deleted by someone else (no DisruptionTarget) does not block");
	world_reset();
	a = add_node("a", 1000, K8C_SCHED_UNSCHEDULABLE);
	add_pod(a, mkpod("top", 200, NULL, deleted, "", preempted), 500);
	add(a, "low", 0, 500, NULL);
	is_int(run(mkpod("hi", 100, NULL, "", "", nominated_a), 500), K8C_SCHED_SUCCESS,
	       "a terminating pod of higher priority does not block");
	is_str(requests(),
	       "PATCH /api/v1/namespaces/default/pods/low/status; "
	       "DELETE /api/v1/namespaces/default/pods/low; POST /api/v1/namespaces/default/events",
	       "only the lower-priority pod is preempted");
}

static void test_messages(void)
{
	int a, b, c, d, e;

	world_reset();
	for (int i = 0; i < 3; i++)
		add_node(i == 0 ? "n0" : i == 1 ? "n1" : "n2", 1000, K8C_SCHED_UNRESOLVABLE);
	is_int(run(hi(), 1000), K8C_SCHED_UNSCHEDULABLE, "all nodes unresolvable");
	is_str(reason,
	       "preemption: 0/3 nodes are available: 3 Preemption is not helpful for "
	       "scheduling",
	       "kube's message");
	is_int(w.calls, 0, "no filter run");

	world_reset();
	a = add_node("a", 1000, K8C_SCHED_UNRESOLVABLE);
	add(a, "a-low", 0, 1000, NULL);
	b = add_node("b", 1000, K8C_SCHED_UNSCHEDULABLE);
	add(b, "b-same", 100, 500, NULL);
	add(b, "b-top", 200, 500, NULL);
	c = add_node("c", 2000, K8C_SCHED_UNSCHEDULABLE);
	add(c, "c-same", 100, 1500, NULL);
	add(c, "c-low", 10, 500, NULL);
	d = add_node("d", 1000, K8C_SCHED_SUCCESS); /* not evaluated */
	add(d, "d-low", 0, 1000, NULL);
	e = add_node("e", 1000, K8C_SCHED_UNSCHEDULABLE);
	add(e, "e-low", 0, 1000, NULL);
	w.affinity_node = e;
	is_int(run(hi(), 1000), K8C_SCHED_UNSCHEDULABLE, "no node helped by preemption");
	is_str(reason,
	       "preemption: 0/5 nodes are available: 1 Insufficient cpu, 1 No preemption victims "
	       "found for incoming pod, 1 node(s) didn't match pod affinity rules, 2 Preemption is "
	       "not helpful for scheduling",
	       "each node's reason counted and sorted; the others not helpful");
	is_int(w.node_calls[a] + w.node_calls[b] + w.node_calls[d], 0,
	       "filter_without ran on neither the unresolvable, the unevaluated nor the node "
	       "without victims");
	is_int(w.node_calls[c], 1, "one run without all lower-priority pods on c");
	is_int(fc.n, 0, "no request");
	is_int(w.bad_without, 0, "filter_without only got the node's own pods");
	is_str(nominated, "", "nothing nominated");
}

static void test_victims(void)
{
	int a;

	/* kube's "a pod with higher priority is reprieved": mid fits back,
	 * the lower two must go; same (equal priority) is never a victim. */
	world_reset();
	a = add_node("n1", 4000, K8C_SCHED_UNSCHEDULABLE);
	add(a, "same", 100, 1000, "2020-01-01T00:00:00Z");
	add(a, "low1", 10, 1000, "2020-01-01T00:00:00Z");
	add(a, "mid", 50, 1000, "2020-01-01T00:00:00Z");
	add(a, "low2", 5, 1000, "2020-01-01T00:00:00Z");
	is_int(run(hi(), 2000), K8C_SCHED_SUCCESS, "preemption helps");
	is_str(nominated, "n1", "the node is nominated");
	is_str(
	    requests(),
	    "PATCH /api/v1/namespaces/default/pods/low1/status; "
	    "DELETE /api/v1/namespaces/default/pods/low1; POST /api/v1/namespaces/default/events; "
	    "PATCH /api/v1/namespaces/default/pods/low2/status; "
	    "DELETE /api/v1/namespaces/default/pods/low2; POST /api/v1/namespaces/default/events",
	    "low1 and low2 are evicted, mid is reprieved, same untouched");
	is_int(w.calls, 4, "one run without all three, then one per reprieve");
	is_int(w.bad_without, 0, "filter_without only got the node's own pods");

	/* Equal priority: the pod that started earlier is more important. */
	world_reset();
	a = add_node("n1", 2000, K8C_SCHED_UNSCHEDULABLE);
	add(a, "young", 10, 1000, "2024-01-01T00:00:00Z");
	add(a, "old", 10, 1000, "2020-01-01T00:00:00Z");
	is_int(run(hi(), 1000), K8C_SCHED_SUCCESS, "equal priorities");
	is_str(
	    requests(),
	    "PATCH /api/v1/namespaces/default/pods/young/status; "
	    "DELETE /api/v1/namespaces/default/pods/young; POST /api/v1/namespaces/default/events",
	    "the younger one goes");
	world_reset();
	a = add_node("n1", 2000, K8C_SCHED_UNSCHEDULABLE);
	add(a, "pending", 10, 1000, NULL);
	add(a, "running", 10, 1000, "2020-01-01T00:00:00Z");
	is_int(run(hi(), 1000), K8C_SCHED_SUCCESS, "one pod not started yet");
	ok(strstr(requests(), "pods/pending/status") != NULL,
	   "a pod without startTime counts as started now: it goes");

	/* No priority is priority 0; a negative one is lower still. */
	world_reset();
	a = add_node("n1", 2000, K8C_SCHED_UNSCHEDULABLE);
	add(a, "none", NOPRIO, 1000, NULL);
	add(a, "neg", -5, 1000, NULL);
	is_int(run(hi(), 1000), K8C_SCHED_SUCCESS, "pods without priority");
	ok(strstr(requests(), "pods/neg/status") != NULL && strstr(requests(), "pods/none") == NULL,
	   "the negative-priority one goes, the priority-0 one is reprieved");
	is_int(run(mkpod("zero", NOPRIO, NULL, "", "", ""), 1000), K8C_SCHED_SUCCESS,
	       "a preemptor without priority (0) preempts a negative one");
	is_int(run(mkpod("weird", 0, NULL, "", ",\"priority\":\"high\"", ""), 1000),
	       K8C_SCHED_SUCCESS, "a priority of the wrong type is 0");
	is_int(run(mkpod("low", -5, NULL, "", "", ""), 1000), K8C_SCHED_UNSCHEDULABLE,
	       "nothing below priority -5");
	is_str(reason,
	       "preemption: 0/1 nodes are available: 1 No preemption victims found for "
	       "incoming pod",
	       "says so");

	/* Removing every lower-priority pod is not enough. */
	world_reset();
	a = add_node("n1", 2000, K8C_SCHED_UNSCHEDULABLE);
	add(a, "same", 100, 1500, NULL);
	add(a, "low", 0, 500, NULL);
	is_int(run(hi(), 1000), K8C_SCHED_UNSCHEDULABLE, "not enough to preempt");
	is_str(reason, "preemption: 0/1 nodes are available: 1 Insufficient cpu",
	       "the filters' reason");
	is_int(fc.n, 0, "nobody is evicted");
}

/* Which node of two wins, each built by its own function. */
static const char *choose(void (*fa)(int), void (*fb)(int), int64_t cpu)
{
	world_reset();
	fa(add_node("a", 1000, K8C_SCHED_UNSCHEDULABLE));
	fb(add_node("b", 1000, K8C_SCHED_UNSCHEDULABLE));
	if (run(hi(), cpu) != K8C_SCHED_SUCCESS)
		return "(failed)";
	return nominated;
}

static void v20(int n)
{
	add(n, "v20", 20, 1000, NULL);
}
static void v10(int n)
{
	add(n, "v10", 10, 1000, NULL);
}
static void v10_5(int n)
{
	add(n, "x10", 10, 500, NULL);
	add(n, "x5", 5, 500, NULL);
}
static void v10_3(int n)
{
	add(n, "y10", 10, 500, NULL);
	add(n, "y3", 3, 500, NULL);
}
static void v10_min(int n)
{
	add(n, "z10", 10, 500, NULL);
	add(n, "zmin", INT32_MIN, 500, NULL);
}
static void v10_old(int n)
{
	add(n, "old", 10, 1000, "2020-01-01T00:00:00Z");
}
static void v10_new(int n)
{
	add(n, "new", 10, 1000, "2023-01-01T00:00:00Z");
}

static void test_pick_node(void)
{
	const char *got;

	for (int i = 0; i < 4; i++) {
		is_str(choose(v20, v10, 1000), "b", "the lower highest victim priority wins (%d)",
		       i);
		is_str(choose(v10, v20, 1000), "a", "whichever the order (%d)", i);
		is_str(choose(v10_5, v10_3, 1000), "b", "then the smaller sum of priorities (%d)",
		       i);
		is_str(choose(v10_min, v10, 1000), "b",
		       "then fewer victims (sums equal thanks to the 2^31 offset) (%d)", i);
		is_str(choose(v10_old, v10_new, 1000), "b",
		       "then the later start of the highest-priority victims (%d)", i);
		is_str(choose(v10_new, v10_old, 1000), "a", "whichever the order (%d)", i);
	}
	got = choose(v10, v10, 1000);
	ok(strcmp(got, "a") == 0 || strcmp(got, "b") == 0, "a tie: one of them (%s)", got);
	is_int(fc.n, 3, "and only its victim is evicted");
}

static void test_requests(void)
{
	int a;
	const char *dt_same =
	    "\"conditions\":[{\"type\":\"DisruptionTarget\",\"status\":\"True\","
	    "\"reason\":\"PreemptionByScheduler\",\"message\":\"default-scheduler: "
	    "preempting to accommodate a higher priority pod\"}]";
	const char *dt_other = "\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"},"
	                       "{\"type\":\"DisruptionTarget\",\"status\":\"True\","
	                       "\"lastTransitionTime\":\"2023-01-01T00:00:00Z\","
	                       "\"reason\":\"EvictionByEvictionAPI\",\"message\":\"x\"}]";

	world_reset();
	a = add_node("n1", 1000, K8C_SCHED_UNSCHEDULABLE);
	add(a, "low", 0, 1000, NULL);
	is_int(run(hi(), 1000), K8C_SCHED_SUCCESS, "one victim");
	is_int(fc.n, 3, "three requests");
	is_str(
	    fc.req[0].body,
	    "{\"status\":{\"conditions\":[{\"type\":\"DisruptionTarget\",\"status\":\"True\","
	    "\"lastProbeTime\":null,\"lastTransitionTime\":\"2023-11-14T22:13:20Z\","
	    "\"reason\":\"PreemptionByScheduler\",\"message\":\"default-scheduler: preempting to "
	    "accommodate a higher priority pod\"}]}}",
	    "the DisruptionTarget condition");
	ok(fc.req[0].strategic, "as a strategic merge patch");
	is_str(fc.req[1].body, "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\"}",
	       "a graceful delete");
	ok(fc.req[2].body &&
	       strstr(fc.req[2].body, "\"involvedObject\":{\"apiVersion\":\"v1\","
	                              "\"kind\":\"Pod\",\"namespace\":\"default\","
	                              "\"name\":\"low\",\"uid\":\"uid-low\"}") &&
	       strstr(fc.req[2].body, "\"reason\":\"Preempted\",\"message\":\"Preempted by pod "
	                              "uid-hi on node n1\",\"type\":\"Normal\""),
	   "a Normal Preempted event on the victim: %s", fc.req[2].body);

	is_int(run(mkpod("hi", 100, NULL, "", ",\"schedulerName\":\"my-sched\"", ""), 1000),
	       K8C_SCHED_SUCCESS, "another scheduler");
	ok(strstr(fc.req[0].body, "\"message\":\"my-sched: preempting to accommodate a higher "
	                          "priority pod\"") != NULL,
	   "names itself in the condition");

	world_reset();
	a = add_node("n1", 1000, K8C_SCHED_UNSCHEDULABLE);
	add_pod(a, mkpod("low", 0, NULL, "", "", dt_same), 1000);
	is_int(run(hi(), 1000), K8C_SCHED_SUCCESS, "the victim has the condition already");
	is_str(requests(),
	       "DELETE /api/v1/namespaces/default/pods/low; POST /api/v1/namespaces/default/events",
	       "no patch");
	world_reset();
	a = add_node("n1", 1000, K8C_SCHED_UNSCHEDULABLE);
	add_pod(a, mkpod("low", 0, NULL, "", "", dt_other), 1000);
	is_int(run(hi(), 1000), K8C_SCHED_SUCCESS, "another DisruptionTarget=True");
	ok(fc.req[0].body &&
	       strstr(fc.req[0].body, "\"lastTransitionTime\":\"2023-01-01T00:00:00Z\",\"reason\":"
	                              "\"PreemptionByScheduler\""),
	   "is replaced, keeping its transition time");

	/* API failures. */
	world_reset();
	a = add_node("n1", 1000, K8C_SCHED_UNSCHEDULABLE);
	add(a, "low", 0, 1000, NULL);
	reset_client();
	fc.fail_method = "PATCH";
	fc.fail_code = K8C_ENOTFOUND;
	w.pod_cpu = 1000;
	{
		k8c_sched_cycle_t cy = {.pod = hi(),
		                        .all_nodes = w.all,
		                        .n_all_nodes = w.n,
		                        .node_codes = w.codes,
		                        .filter_without = fake_filter_without,
		                        .host_ctx = &w};
		int ret = ops->post_filter(cookie, &cy, w.all, w.n, nominated, reason);
		is_int(ret, K8C_SCHED_SUCCESS, "a victim gone before the patch is fine");
		is_str(requests(), "PATCH /api/v1/namespaces/default/pods/low/status", "no delete");
		reset_client();
		fc.fail_method = "PATCH";
		fc.fail_code = K8C_EUNAVAIL;
		nominated[0] = '\0';
		ret = ops->post_filter(cookie, &cy, w.all, w.n, nominated, reason);
		is_int(ret, K8C_SCHED_ERROR, "a failed patch is an error");
		is_str(reason, "preemption: pod default/low: DisruptionTarget: connection refused",
		       "saying so");
		is_str(nominated, "", "nothing nominated");
		reset_client();
		fc.fail_method = "DELETE";
		fc.fail_code = K8C_ENOTFOUND;
		ret = ops->post_filter(cookie, &cy, w.all, w.n, nominated, reason);
		is_int(ret, K8C_SCHED_SUCCESS, "a 404 on delete is fine");
		is_int(fc.n, 2, "and posts no event");
		reset_client();
		fc.fail_method = "DELETE";
		fc.fail_code = K8C_EUNAVAIL;
		nominated[0] = '\0';
		ret = ops->post_filter(cookie, &cy, w.all, w.n, nominated, reason);
		is_int(ret, K8C_SCHED_ERROR, "a failed delete is an error");
		is_str(reason, "preemption: deleting pod default/low: connection refused",
		       "saying so");
		is_str(nominated, "", "nothing nominated");
		reset_client();
		fc.fail_method = "POST";
		fc.fail_code = K8C_EUNAVAIL;
		ret = ops->post_filter(cookie, &cy, w.all, w.n, nominated, reason);
		is_int(ret, K8C_SCHED_SUCCESS, "a failed event does not matter");
		is_str(nominated, "n1", "the node is nominated");
		cJSON_Delete((cJSON *)cy.pod);
	}
}

static void test_no_client(void)
{
	k8c_error_t err;
	int ret, a;
	void *c;

	fh.host.client = NULL;
	fh.host.client_ctx = NULL;
	c = instance("{}", &err, &ret);
	world_reset();
	a = add_node("n1", 1000, K8C_SCHED_UNSCHEDULABLE);
	add(a, "low", 0, 1000, NULL);
	is_int(run_with(c, hi(), 1000), K8C_SCHED_ERROR, "no client: an error");
	is_str(reason, "preemption: no API client: cannot evict 1 pod(s) on node n1",
	       "a clear reason");
	is_str(nominated, "", "nothing nominated");
	is_int(run_with(c, mkpod("hi", 100, NULL, "", ",\"preemptionPolicy\":\"Never\"", ""), 1000),
	       K8C_SCHED_UNSCHEDULABLE, "an ineligible pod still gets its reason");
	k8c_plugin.fini(c);
	fh.host.client = &fake_api;
	fh.host.client_ctx = &fc;
}

/* 300 candidate nodes: only as many as kube's numbers are dry-run. */
static int touched(void)
{
	int n = 0;

	for (size_t i = 0; i < w.n; i++)
		n += w.node_calls[i] > 0;
	return n;
}

static void test_candidate_cap(void)
{
	k8c_error_t err;
	int ret, picked_touched = 0;
	void *c50, *c1;

	world_reset();
	for (int i = 0; i < 300; i++) {
		char name[16];
		snprintf(name, sizeof(name), "n%d", i);
		add(add_node(name, 1000, K8C_SCHED_UNSCHEDULABLE), "low", 0, 1000, NULL);
	}
	is_int(run(hi(), 1000), K8C_SCHED_SUCCESS, "300 candidates");
	is_int(touched(), 100, "minCandidateNodesAbsolute 100: 100 nodes dry-run");
	for (size_t i = 0; i < w.n; i++)
		if (w.node_calls[i] > 0 && strcmp(w.nodes[i].name, nominated) == 0)
			picked_touched = 1;
	ok(picked_touched, "the nominated node is one of them");
	c50 = instance("{\"minCandidateNodesPercentage\": 50}", &err, &ret);
	is_int(run_with(c50, hi(), 1000), K8C_SCHED_SUCCESS, "50%%");
	is_int(touched(), 150, "150 nodes dry-run");
	c1 = instance("{\"minCandidateNodesPercentage\": 1, \"minCandidateNodesAbsolute\": 0}",
	              &err, &ret);
	is_int(run_with(c1, hi(), 1000), K8C_SCHED_SUCCESS, "1%%, no minimum");
	is_int(touched(), 3, "3 nodes dry-run");
	k8c_plugin.fini(c50);
	k8c_plugin.fini(c1);

	/* Nodes that are no candidates do not count. */
	for (size_t i = 0; i < w.n; i++)
		w.nodes[i].alloc.milli_cpu = i == 299 ? 1000 : 100;
	is_int(run(hi(), 1000), K8C_SCHED_SUCCESS, "one candidate among 300");
	is_str(nominated, "n299", "found");
	is_int(touched(), 300, "after looking at every node");
}

static void test_errors(void)
{
	int a, b;
	k8c_sched_cycle_t cy = {0};
	cJSON *p;

	world_reset();
	a = add_node("n1", 1000, K8C_SCHED_UNSCHEDULABLE);
	add(a, "low", 0, 1000, NULL);
	w.error_node = a;
	is_int(run(hi(), 1000), K8C_SCHED_ERROR, "a filter error on the only node");
	is_str(reason, "preemption: boom", "is the reason");
	b = add_node("n2", 1000, K8C_SCHED_UNSCHEDULABLE);
	add(b, "low2", 0, 1000, NULL);
	is_int(run(hi(), 1000), K8C_SCHED_SUCCESS, "another node still works");
	is_str(nominated, "n2", "and is nominated");

	world_reset();
	a = add_node("n1", 1000, K8C_SCHED_UNSCHEDULABLE);
	add_pod(a,
	        cJSON_Parse("{\"metadata\":{\"namespace\":\"default\"},"
	                    "\"spec\":{\"priority\":1}}"),
	        1000);
	is_int(run(hi(), 1000), K8C_SCHED_ERROR, "a victim without a name");
	is_str(reason, "preemption: a victim on node n1 has no valid name", "is an error");
	is_int(fc.n, 0, "no request");
	world_reset();
	a = add_node("n1", 1000, K8C_SCHED_UNSCHEDULABLE);
	add_pod(a, cJSON_Parse("{\"metadata\":{\"name\":\"../x\",\"namespace\":\"default\"}}"),
	        1000);
	is_int(run(hi(), 1000), K8C_SCHED_ERROR, "a victim whose name would change the path");
	is_int(fc.n, 0, "no request");
	world_reset();
	a = add_node("n1", 1000, K8C_SCHED_UNSCHEDULABLE);
	add_pod(a, cJSON_Parse("[1]"), 500);
	add_pod(a, cJSON_Parse("{\"spec\":\"x\",\"status\":[]}"), 500);
	is_int(run(hi(), 1000), K8C_SCHED_ERROR, "malformed pods do not crash");

	/* Hosts that do not give what post_filter needs. */
	world_reset();
	add(add_node("n1", 1000, K8C_SCHED_UNSCHEDULABLE), "low", 0, 1000, NULL);
	p = hi();
	cy.pod = p;
	cy.all_nodes = w.all;
	cy.n_all_nodes = w.n;
	cy.node_codes = w.codes;
	is_int(ops->post_filter(cookie, &cy, w.all, w.n, nominated, reason),
	       K8C_SCHED_UNSCHEDULABLE, "no filter_without: no preemption");
	is_str(reason, "", "and no reason");
	cy.pod = NULL;
	is_int(ops->post_filter(cookie, &cy, w.all, w.n, nominated, reason), K8C_SCHED_ERROR,
	       "no pod: an error");
	cJSON_Delete(p);
	world_reset();
	is_int(run(hi(), 1000), K8C_SCHED_ERROR, "no nodes at all");
	is_str(reason, "preemption: no nodes available", "kube's error");
}

int main(void)
{
	fake_host_init(&fh);
	test_descriptor();
	test_eligibility();
	test_messages();
	test_victims();
	test_pick_node();
	test_requests();
	test_no_client();
	test_candidate_cap();
	test_errors();
	world_reset();
	reset_client();
	k8c_plugin.fini(cookie);
	return done_testing();
}
