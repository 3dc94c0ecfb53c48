/* Unit tests for the pod-topology-spread scheduler policy, driven through
 * its descriptor and the fake host table as the scheduler would drive it.
 * Default constraints are tested against a fake API client. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include <k8c/client.h>
#include <k8c/scheduler.h>

#include "fake_host.h"
#include "tap.h"

extern const k8c_plugin_t k8c_plugin;

static const k8c_sched_policy_ops_t *ops;
static fake_host_t fh;

#define REASON_SKEW "node(s) didn't match pod topology spread constraints"
#define REASON_LABEL REASON_SKEW " (missing required label)"
#define HOST "kubernetes.io/hostname"
#define ZONE "topology.kubernetes.io/zone"

/* --- a cluster ------------------------------------------------------------- */

typedef struct cluster {
	size_t n, cap;
	cJSON **node_obj;          /* owned */
	cJSON ***pods;             /* owned, per node */
	size_t *n_pods;
	k8c_sched_node_t *nodes;
	const k8c_sched_node_t **ptrs;
} cluster_t;

static cluster_t *cluster_new(void)
{
	return calloc(1, sizeof(cluster_t));
}

/* A node with labels (a JSON object text) and taints (a JSON array text or
 * NULL); returns its index. */
static size_t add_node(cluster_t *c, const char *name, const char *labels,
                       const char *taints)
{
	char buf[1024];

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 8;
		c->node_obj = realloc(c->node_obj, c->cap * sizeof(cJSON *));
		c->pods = realloc(c->pods, c->cap * sizeof(cJSON **));
		c->n_pods = realloc(c->n_pods, c->cap * sizeof(size_t));
	}
	snprintf(buf, sizeof(buf),
	         "{\"metadata\":{\"name\":\"%s\",\"labels\":%s},\"spec\":{"
	         "\"taints\":%s}}", name, labels, taints ? taints : "[]");
	c->node_obj[c->n] = cJSON_Parse(buf);
	if (c->node_obj[c->n] == NULL)
		diag("test bug: node does not parse: %s", buf);
	c->pods[c->n] = NULL;
	c->n_pods[c->n] = 0;
	return c->n++;
}

/* A pod bound to node i; extra is more metadata ("" or ",\"x\":...). */
static void add_pod_ex(cluster_t *c, size_t i, const char *ns,
                       const char *labels, const char *extra)
{
	char buf[1024];

	snprintf(buf, sizeof(buf),
	         "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":"
	         "\"p%zu-%zu\",\"namespace\":\"%s\",\"uid\":\"u\",\"labels\":%s%s},"
	         "\"spec\":{\"nodeName\":\"x\",\"containers\":[{\"name\":\"c\"}]}}",
	         i, c->n_pods[i], ns, labels, extra);
	c->pods[i] = realloc(c->pods[i], (c->n_pods[i] + 1) * sizeof(cJSON *));
	c->pods[i][c->n_pods[i]++] = cJSON_Parse(buf);
}

static void add_pods(cluster_t *c, size_t i, int n, const char *labels)
{
	while (n-- > 0)
		add_pod_ex(c, i, "default", labels, "");
}

/* The scheduler's view of the nodes; call after the last add. */
/* Generations come from one counter, as kube-scheduler's do: a node of a
 * new test cluster never looks like one of an earlier cluster. */
static uint64_t next_generation;

static void cluster_finish(cluster_t *c)
{
	free(c->nodes);
	free(c->ptrs);
	c->nodes = calloc(c->n + 1, sizeof(k8c_sched_node_t));
	c->ptrs = calloc(c->n + 1, sizeof(k8c_sched_node_t *));
	for (size_t i = 0; i < c->n; i++) {
		const cJSON *name = cJSON_GetObjectItem(
			cJSON_GetObjectItem(c->node_obj[i], "metadata"), "name");

		c->nodes[i].name = name->valuestring;
		c->nodes[i].node = c->node_obj[i];
		c->nodes[i].n_pods = c->n_pods[i];
		c->nodes[i].pods = (const cJSON *const *)c->pods[i];
		c->nodes[i].generation = ++next_generation;
		c->ptrs[i] = &c->nodes[i];
	}
}

static void cluster_free(cluster_t *c)
{
	for (size_t i = 0; i < c->n; i++) {
		for (size_t j = 0; j < c->n_pods[i]; j++)
			cJSON_Delete(c->pods[i][j]);
		free(c->pods[i]);
		cJSON_Delete(c->node_obj[i]);
	}
	free(c->node_obj);
	free(c->pods);
	free(c->n_pods);
	free(c->nodes);
	free(c->ptrs);
	free(c);
}

/* The incoming pod: labels (JSON object text) and spec (JSON text). */
static cJSON *make_pod(const char *labels, const char *spec)
{
	char *s = malloc(strlen(spec) + strlen(labels) + 200);
	cJSON *pod;

	sprintf(s, "{\"metadata\":{\"name\":\"in\",\"namespace\":\"default\","
	           "\"labels\":%s},\"spec\":%s}", labels, spec);
	pod = cJSON_Parse(s);
	if (pod == NULL)
		diag("test bug: pod does not parse: %s", s);
	free(s);
	return pod;
}

static cJSON *configs[32];
static int n_configs;

static void *instance_with(const k8c_host_t *host, const char *config)
{
	cJSON *cfg = cJSON_Parse(config);
	void *cookie = NULL;
	k8c_error_t err;

	if (k8c_plugin.init(host, cfg, &cookie, &err) < 0) {
		diag("init failed: %s", err.message);
		cookie = NULL;
	}
	if (n_configs >= (int)(sizeof(configs) / sizeof(configs[0])))
		abort();
	configs[n_configs++] = cfg;
	return cookie;
}

static void *instance(const char *config)
{
	return instance_with(&fh.host, config);
}

/* pre_filter, then filter on every node: one character per node into fits
 * ('1' fits, 'u' unschedulable, 'x' unresolvable, 'E' error, '-' after a
 * failed pre_filter); the pre_filter code is returned, the last reason
 * kept. */
static int run_filter(void *cookie, cluster_t *c, const char *labels,
                      const char *spec, char *fits, char *reason)
{
	cJSON *pod = make_pod(labels, spec);
	k8c_sched_cycle_t cycle = {.pod = pod, .all_nodes = c->ptrs,
	                           .n_all_nodes = c->n};
	int pre;

	reason[0] = '\0';
	pre = ops->pre_filter(cookie, &cycle, reason);
	for (size_t i = 0; i < c->n; i++) {
		char r[K8C_SCHED_REASON_MAX] = "";
		int rc;

		if (pre == K8C_SCHED_SKIP) {
			fits[i] = '1';
			continue;
		}
		if (pre != K8C_SCHED_SUCCESS) {
			fits[i] = '-';
			continue;
		}
		rc = ops->filter(cookie, &cycle, c->ptrs[i], r);
		fits[i] = rc == K8C_SCHED_SUCCESS ? '1'
		        : rc == K8C_SCHED_UNSCHEDULABLE ? 'u'
		        : rc == K8C_SCHED_UNRESOLVABLE ? 'x' : 'E';
		if (rc != K8C_SCHED_SUCCESS)
			strcpy(reason, r);
	}
	fits[c->n] = '\0';
	if (cycle.state != NULL)
		ops->state_free(cookie, cycle.state);
	cJSON_Delete(pod);
	return pre;
}

/* A whole cycle without filtering by other policies: every node is
 * feasible unless this plugin's filter says otherwise.  norm[i] gets node
 * i's normalized score, -1 when it was filtered out. */
static void run_score(void *cookie, cluster_t *c, const char *labels,
                      const char *spec, int64_t *norm)
{
	cJSON *pod = make_pod(labels, spec);
	k8c_sched_cycle_t cycle = {.pod = pod, .all_nodes = c->ptrs,
	                           .n_all_nodes = c->n};
	const k8c_sched_node_t **feasible = calloc(c->n + 1, sizeof(void *));
	k8c_sched_node_score_t *scores = calloc(c->n + 1, sizeof(*scores));
	size_t *index = calloc(c->n + 1, sizeof(size_t));
	char reason[K8C_SCHED_REASON_MAX];
	size_t n = 0;
	int pre = ops->pre_filter(cookie, &cycle, reason);

	for (size_t i = 0; i < c->n; i++) {
		norm[i] = -1;
		if (pre == K8C_SCHED_SUCCESS &&
		    ops->filter(cookie, &cycle, c->ptrs[i], reason) != K8C_SCHED_SUCCESS)
			continue;
		if (pre != K8C_SCHED_SUCCESS && pre != K8C_SCHED_SKIP)
			continue;
		index[n] = i;
		feasible[n++] = c->ptrs[i];
	}
	if (ops->pre_score(cookie, &cycle, feasible, n) != K8C_SCHED_SUCCESS)
		diag("pre_score failed");
	for (size_t j = 0; j < n; j++) {
		scores[j].name = feasible[j]->name;
		ops->score(cookie, &cycle, feasible[j], &scores[j].score);
	}
	ops->normalize_score(cookie, &cycle, scores, n);
	for (size_t j = 0; j < n; j++)
		norm[index[j]] = scores[j].score;
	if (cycle.state != NULL)
		ops->state_free(cookie, cycle.state);
	cJSON_Delete(pod);
	free(feasible);
	free(scores);
	free(index);
}

static char *scores_str(const int64_t *v, size_t n)
{
	static char buf[512];
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && len < sizeof(buf) - 24; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%lld",
		                        i ? "," : "", (long long)v[i]);
	return buf;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

#define WEB "{\"app\":\"web\"}"
#define SEL_WEB ",\"labelSelector\":{\"matchLabels\":{\"app\":\"web\"}}"
#define TSC(skew, key, when, extra)                                           \
	"{\"maxSkew\":" #skew ",\"topologyKey\":\"" key "\","                 \
	"\"whenUnsatisfiable\":\"" when "\"" extra "}"
#define SPEC(list) "{\"topologySpreadConstraints\":[" list "]}"
#define HARD(skew, key) TSC(skew, key, "DoNotSchedule", SEL_WEB)
#define SOFT(skew, key) TSC(skew, key, "ScheduleAnyway", SEL_WEB)

/* Zones a (a1, a2), b (b1), c (c1); hostnames set. */
static cluster_t *zones_abc(void)
{
	cluster_t *c = cluster_new();

	add_node(c, "a1", "{\"" ZONE "\":\"a\",\"" HOST "\":\"a1\"}", NULL);
	add_node(c, "a2", "{\"" ZONE "\":\"a\",\"" HOST "\":\"a2\"}", NULL);
	add_node(c, "b1", "{\"" ZONE "\":\"b\",\"" HOST "\":\"b1\"}", NULL);
	add_node(c, "c1", "{\"" ZONE "\":\"c\",\"" HOST "\":\"c1\"}", NULL);
	return c;
}

#define CHECK_FILTER(cookie, c, labels, spec, want_pre, want_fits, want_reason, \
                     name)                                                   \
	do {                                                                 \
		char fits_[64], reason_[K8C_SCHED_REASON_MAX];               \
		int pre_ = run_filter(cookie, c, labels, spec, fits_, reason_); \
		is_int(pre_, want_pre, "%s: pre_filter", name);              \
		is_str(fits_, want_fits, "%s: nodes that fit", name);        \
		if ((want_reason) != NULL &&                                 \
		    !ok(strstr(reason_, (want_reason) ? (want_reason) : "") != NULL, \
		        "%s: reason", name))                                 \
			diag("reason: %s", reason_);                         \
	} while (0)

/* --- tests ------------------------------------------------------------------- */

static void test_descriptor(void)
{
	is_int(k8c_plugin.abi_major, K8C_ABI_MAJOR, "abi major");
	is_int(k8c_plugin.kind, K8C_PLUGIN_SCHEDULER, "scheduler kind");
	is_str(k8c_plugin.name, "pod-topology-spread", "name");
	ops = k8c_plugin.ops;
	is_int(ops->struct_size, sizeof(k8c_sched_policy_ops_t), "ops size");
	ok(ops->pre_filter && ops->filter && ops->pre_score && ops->score &&
	   ops->normalize_score && ops->state_free, "implemented points set");
	ok(!ops->post_filter && !ops->reserve && !ops->bind, "others NULL");
}

static void test_zones(void *cookie)
{
	cluster_t *c = zones_abc();

	/* a: 2, b: 1, c: 1 -> minimum 1. */
	add_pods(c, 0, 1, WEB);
	add_pods(c, 1, 1, WEB);
	add_pods(c, 2, 1, WEB);
	add_pods(c, 3, 1, WEB);
	/* Not counted: other labels, another namespace, terminating. */
	add_pods(c, 2, 3, "{\"app\":\"db\"}");
	add_pod_ex(c, 2, "other", WEB, "");
	add_pod_ex(c, 2, "other", WEB, "");
	add_pod_ex(c, 3, "default", WEB,
	           ",\"deletionTimestamp\":\"2024-01-01T00:00:00Z\"");
	add_pod_ex(c, 3, "default", WEB,
	           ",\"deletionTimestamp\":\"2024-01-01T00:00:00Z\"");
	cluster_finish(c);
	CHECK_FILTER(cookie, c, WEB, SPEC(HARD(1, ZONE)), 0, "uu11", REASON_SKEW,
	             "maxSkew 1 over 3 zones");
	CHECK_FILTER(cookie, c, WEB, SPEC(HARD(2, ZONE)), 0, "1111", NULL,
	             "maxSkew 2: all fit");
	/* Not matching its own selector: no self-match. */
	CHECK_FILTER(cookie, c, "{\"app\":\"other\"}", SPEC(HARD(1, ZONE)), 0,
	             "1111", NULL, "no self-match: a's skew is 2 + 0 - 1");
	/* Hostname: every node has one web pod -> minimum 1; all fit. */
	CHECK_FILTER(cookie, c, WEB, SPEC(HARD(1, HOST)), 0, "1111", NULL,
	             "hostname, one pod each");
	/* Zone and hostname together. */
	CHECK_FILTER(cookie, c, WEB, SPEC(HARD(1, ZONE) "," HARD(1, HOST)), 0,
	             "uu11", REASON_SKEW, "zone and hostname");
	cluster_free(c);

	c = zones_abc();
	add_pods(c, 0, 2, WEB);
	add_pods(c, 2, 1, WEB);
	cluster_finish(c);
	CHECK_FILTER(cookie, c, WEB, SPEC(HARD(1, HOST)), 0, "u1u1", REASON_SKEW,
	             "hostname: 2, 0, 1, 0 pods");
	CHECK_FILTER(cookie, c, WEB, SPEC(HARD(2, HOST)), 0, "u111", REASON_SKEW,
	             "hostname maxSkew 2");
	cluster_free(c);
}

static void test_missing_key(void *cookie)
{
	cluster_t *c = zones_abc();
	size_t d = add_node(c, "d1", "{\"" HOST "\":\"d1\"}", NULL);

	add_pods(c, 0, 1, WEB);
	add_pods(c, 2, 1, WEB);
	add_pods(c, 3, 1, WEB);
	add_pods(c, d, 5, WEB); /* not a domain: does not count */
	cluster_finish(c);
	CHECK_FILTER(cookie, c, WEB, SPEC(HARD(1, ZONE)), 0, "1111x",
	             REASON_LABEL, "node without the zone label");
	/* With a hostname constraint too, d1 still lacks a key. */
	CHECK_FILTER(cookie, c, WEB, SPEC(HARD(5, HOST) "," HARD(1, ZONE)), 0,
	             "1111x", REASON_LABEL, "all keys are required");
	cluster_free(c);
}

static void test_min_domains(void *cookie)
{
	cluster_t *c = cluster_new();

	add_node(c, "a1", "{\"" ZONE "\":\"a\"}", NULL);
	add_node(c, "b1", "{\"" ZONE "\":\"b\"}", NULL);
	add_pods(c, 0, 1, WEB);
	add_pods(c, 1, 1, WEB);
	cluster_finish(c);
	CHECK_FILTER(cookie, c, WEB,
	             SPEC(TSC(1, ZONE, "DoNotSchedule", SEL_WEB ",\"minDomains\":3")),
	             0, "uu", REASON_SKEW, "minDomains 3 > 2 domains: min is 0");
	CHECK_FILTER(cookie, c, WEB,
	             SPEC(TSC(1, ZONE, "DoNotSchedule", SEL_WEB ",\"minDomains\":2")),
	             0, "11", NULL, "minDomains 2 = 2 domains: min is 1");
	CHECK_FILTER(cookie, c, WEB, SPEC(HARD(1, ZONE)), 0, "11", NULL,
	             "minDomains unset");
	cluster_free(c);
}

/* a and b hold one web pod each, c none; the pod asks for zone a or b. */
static void test_node_affinity_policy(void *cookie)
{
	cluster_t *c = zones_abc();
	const char *aff =
		",\"affinity\":{\"nodeAffinity\":{\"requiredDuringScheduling"
		"IgnoredDuringExecution\":{\"nodeSelectorTerms\":[{\"matchExpressions\":"
		"[{\"key\":\"" ZONE "\",\"operator\":\"In\",\"values\":[\"a\",\"b\"]}]}]}}}";
	char spec[2048];

	add_pods(c, 0, 1, WEB);
	add_pods(c, 2, 1, WEB);
	cluster_finish(c);
	snprintf(spec, sizeof(spec), "{\"topologySpreadConstraints\":[%s]%s}",
	         HARD(1, ZONE), aff);
	CHECK_FILTER(cookie, c, WEB, spec, 0, "1111", NULL,
	             "nodeAffinityPolicy Honor (default): zone c is no domain");
	snprintf(spec, sizeof(spec), "{\"topologySpreadConstraints\":[%s]%s}",
	         TSC(1, ZONE, "DoNotSchedule",
	             SEL_WEB ",\"nodeAffinityPolicy\":\"Ignore\""), aff);
	CHECK_FILTER(cookie, c, WEB, spec, 0, "uuu1", REASON_SKEW,
	             "nodeAffinityPolicy Ignore: zone c counts with 0");
	/* nodeSelector is honored too. */
	snprintf(spec, sizeof(spec), "{\"topologySpreadConstraints\":[%s],"
	         "\"nodeSelector\":{\"" ZONE "\":\"a\"}}", HARD(1, ZONE));
	CHECK_FILTER(cookie, c, WEB, spec, 0, "1111", NULL,
	             "nodeSelector: only zone a is a domain, min 1");
	cluster_free(c);
}

static void test_node_taints_policy(void *cookie)
{
	cluster_t *c = cluster_new();
	char spec[2048];

	add_node(c, "a1", "{\"" ZONE "\":\"a\"}", NULL);
	add_node(c, "b1", "{\"" ZONE "\":\"b\"}", NULL);
	add_node(c, "c1", "{\"" ZONE "\":\"c\"}",
	         "[{\"key\":\"gpu\",\"value\":\"yes\",\"effect\":\"NoSchedule\"}]");
	add_pods(c, 0, 1, WEB);
	add_pods(c, 1, 1, WEB);
	cluster_finish(c);
	CHECK_FILTER(cookie, c, WEB, SPEC(HARD(1, ZONE)), 0, "uu1", REASON_SKEW,
	             "nodeTaintsPolicy Ignore (default): tainted c counts");
	CHECK_FILTER(cookie, c, WEB,
	             SPEC(TSC(1, ZONE, "DoNotSchedule",
	                      SEL_WEB ",\"nodeTaintsPolicy\":\"Honor\"")),
	             0, "111", NULL, "nodeTaintsPolicy Honor: tainted c is no domain");
	snprintf(spec, sizeof(spec), "{\"topologySpreadConstraints\":[%s],"
	         "\"tolerations\":[{\"key\":\"gpu\",\"operator\":\"Exists\"}]}",
	         TSC(1, ZONE, "DoNotSchedule",
	             SEL_WEB ",\"nodeTaintsPolicy\":\"Honor\""));
	CHECK_FILTER(cookie, c, WEB, spec, 0, "uu1", REASON_SKEW,
	             "Honor with a toleration: c counts again");
	cluster_free(c);
}

static void test_match_label_keys(void *cookie)
{
	cluster_t *c = zones_abc();
	const char *v1 = "{\"app\":\"web\",\"pod-template-hash\":\"v1\"}";
	const char *v2 = "{\"app\":\"web\",\"pod-template-hash\":\"v2\"}";

	add_pods(c, 0, 3, v1); /* the old revision, all in zone a */
	add_pods(c, 2, 1, v2);
	add_pods(c, 3, 1, v2);
	cluster_finish(c);
	CHECK_FILTER(cookie, c, v2, SPEC(HARD(1, ZONE)), 0, "uu11", REASON_SKEW,
	             "without matchLabelKeys every revision counts");
	CHECK_FILTER(cookie, c, v2,
	             SPEC(TSC(1, ZONE, "DoNotSchedule",
	                      SEL_WEB ",\"matchLabelKeys\":[\"pod-template-hash\"]")),
	             0, "11uu", REASON_SKEW,
	             "matchLabelKeys: only v2 counts (a 0, b 1, c 1)");
	CHECK_FILTER(cookie, c, WEB,
	             SPEC(TSC(1, ZONE, "DoNotSchedule",
	                      SEL_WEB ",\"matchLabelKeys\":[\"pod-template-hash\"]")),
	             0, "uu11", REASON_SKEW,
	             "a key the pod lacks is left out");
	cluster_free(c);
}

static void test_scoring(void *cookie)
{
	cluster_t *c = zones_abc();
	size_t d;
	int64_t norm[8];

	add_pods(c, 0, 2, WEB);
	add_pods(c, 1, 1, WEB);
	add_pods(c, 2, 1, WEB);
	d = add_node(c, "d1", "{\"" HOST "\":\"d1\"}", NULL);
	cluster_finish(c);
	/* zone: a 3, b 1, c 0; weight log(3 + 2): raw 5, 5, 2, 0. */
	run_score(cookie, c, WEB, SPEC(SOFT(1, ZONE)), norm);
	is_str(scores_str(norm, c->n), "0,0,60,100,0",
	       "zone: fewest matching pods first, node without zone 0");
	/* hostname: 2, 1, 1, 0 over 4 nodes: weight log(6). */
	run_score(cookie, c, WEB, SPEC(SOFT(1, HOST)), norm);
	is_str(scores_str(norm, c->n), "0,50,50,100,100",
	       "hostname: per node, 2, 1, 1, 0, 0 pods");
	(void)d;
	/* Both: d1 lacks the zone and is ignored. */
	run_score(cookie, c, WEB, SPEC(SOFT(1, ZONE) "," SOFT(1, HOST)), norm);
	ok(norm[3] == 100 && norm[2] > norm[0] && norm[4] == 0,
	   "zone and hostname: c1 best, then b1, a1 last, d1 0 (%s)",
	   scores_str(norm, c->n));
	/* maxSkew waters the differences down. */
	run_score(cookie, c, WEB, SPEC(SOFT(5, ZONE)), norm);
	is_str(scores_str(norm, c->n), "44,44,77,100,0", "zone maxSkew 5");
	/* DoNotSchedule only: no scores. */
	run_score(cookie, c, WEB, SPEC(HARD(9, ZONE)), norm);
	is_str(scores_str(norm, c->n), "0,0,0,0,-1",
	       "DoNotSchedule only: score 0 (d1 filtered out)");
	run_score(cookie, c, WEB, "{}", norm);
	is_str(scores_str(norm, c->n), "0,0,0,0,0", "no constraints: score 0");
	cluster_free(c);
}

/* Node i's pods changed: what the host's cache does (new generation). */
static void node_changed(cluster_t *c, size_t i)
{
	c->nodes[i].pods = (const cJSON *const *)c->pods[i];
	c->nodes[i].n_pods = c->n_pods[i];
	c->nodes[i].generation = ++next_generation;
}

/* The cluster of test_scoring_follows_changes after its changes, built
 * anew: a1 2 pods, b1 1, c1 3, and the empty e1 with_e1. */
static cluster_t *changed_cluster(int with_e1)
{
	cluster_t *c = zones_abc();

	add_pods(c, 0, 2, WEB);
	add_pods(c, 2, 1, WEB);
	add_pods(c, 3, 3, WEB);
	if (with_e1)
		add_node(c, "e1", "{\"" ZONE "\":\"e\",\"" HOST "\":\"e1\"}", NULL);
	cluster_finish(c);
	return c;
}

/* The scores on c (through the memo, after changes) are those of the
 * same cluster built anew (changed_cluster). */
static void same_as_anew(void *cookie, cluster_t *c, const char *spec, int with_e1,
                         const char *what)
{
	cluster_t *fresh = changed_cluster(with_e1);
	int64_t got[8], want[8];
	char got_s[512];

	run_score(cookie, c, WEB, spec, got);
	snprintf(got_s, sizeof(got_s), "%s", scores_str(got, c->n));
	run_score(cookie, fresh, WEB, spec, want);
	is_str(got_s, scores_str(want, fresh->n), "%s", what);
	cluster_free(fresh);
}

/* pre_score's sums kept across cycles follow pods and nodes coming and
 * going: scores after the changes equal those of a fresh cluster built
 * that way (whose new generations make everything be counted anew). */
static void test_scoring_follows_changes(void *cookie)
{
	const char *spec = SPEC(SOFT(1, ZONE) "," SOFT(2, HOST));
	cluster_t *c = zones_abc();
	int64_t norm[8];

	add_pods(c, 0, 2, WEB);
	add_pods(c, 2, 1, WEB);
	add_node(c, "e1", "{\"" ZONE "\":\"e\",\"" HOST "\":\"e1\"}", NULL);
	cluster_finish(c);
	run_score(cookie, c, WEB, spec, norm);
	add_pods(c, 3, 3, WEB);
	node_changed(c, 3);
	same_as_anew(cookie, c, spec, 1, "three pods more on c1: as counted anew");
	/* e1 goes (the snapshot is one node shorter), then comes back */
	c->n--;
	same_as_anew(cookie, c, spec, 0, "a node gone: as counted anew");
	c->n++;
	run_score(cookie, c, WEB, spec, norm);
	ok(norm[4] == 100, "and back: the empty zone e is the best again (%s)", scores_str(norm, c->n));
	cluster_free(c);
}

static void test_snapshot(void *cookie)
{
	cluster_t *c = zones_abc();
	int64_t norm[8];
	char fits[16], reason[K8C_SCHED_REASON_MAX];
	k8c_sched_node_t copy;
	cJSON *pod;
	k8c_sched_cycle_t cycle;

	add_pods(c, 0, 2, WEB);
	add_pods(c, 2, 1, WEB);
	cluster_finish(c);
	/* Nodes filtered out still count for their domain. */
	run_score(cookie, c, WEB, SPEC(HARD(1, HOST) "," SOFT(1, ZONE)), norm);
	is_str(scores_str(norm, c->n), "-1,0,-1,100",
	       "infeasible a1's pods count for zone a (a2 scores 0)");

	/* Remembered counts follow the nodes' generations. */
	run_filter(cookie, c, WEB, SPEC(HARD(1, ZONE)), fits, reason);
	is_str(fits, "uuu1", "a 2, b 1, c 0");
	add_pods(c, 3, 2, WEB);
	node_changed(c, 3);
	run_filter(cookie, c, WEB, SPEC(HARD(1, ZONE)), fits, reason);
	is_str(fits, "uu1u", "c1 got two pods (new generation): a 2, b 1, c 2");
	c->n_pods[3] = 0;
	node_changed(c, 3);
	c->n_pods[3] = 2; /* cluster_free frees them */
	run_filter(cookie, c, WEB, SPEC(HARD(1, ZONE)), fits, reason);
	is_str(fits, "uuu1", "and lost them again");

	/* A node object filter did not see in pre_filter: read directly. */
	pod = make_pod(WEB, SPEC(HARD(1, ZONE)));
	memset(&cycle, 0, sizeof(cycle));
	cycle.pod = pod;
	cycle.all_nodes = c->ptrs;
	cycle.n_all_nodes = c->n;
	ops->pre_filter(cookie, &cycle, reason);
	copy = c->nodes[0];
	is_int(ops->filter(cookie, &cycle, &copy, reason), K8C_SCHED_UNSCHEDULABLE,
	       "a copy of a1: unschedulable");
	is_str(reason, REASON_SKEW, "with the reason");
	copy = c->nodes[3];
	is_int(ops->filter(cookie, &cycle, &copy, reason), K8C_SCHED_SUCCESS,
	       "a copy of c1: fits");
	ops->state_free(cookie, cycle.state);
	cJSON_Delete(pod);
	cluster_free(c);
}

/* A scheduler of ABI 1.3 gives no snapshot. */
static void test_old_abi(void)
{
	fake_host_t old;
	cluster_t *c = zones_abc();
	cJSON *pod = make_pod(WEB, SPEC(HARD(1, ZONE)));
	k8c_sched_cycle_t cycle = {.pod = pod};
	k8c_sched_node_score_t scores[4];
	char reason[K8C_SCHED_REASON_MAX];
	void *cookie;

	fake_host_init(&old);
	old.host.abi_minor = 3;
	add_pods(c, 0, 2, WEB);
	cluster_finish(c);
	cookie = instance_with(&old.host, "{}");
	ok(strstr(old.last, "no API client") != NULL || old.lines[K8C_LOG_WARN] >= 2,
	   "ABI 1.3: init warns");
	is_int(ops->pre_filter(cookie, &cycle, reason), K8C_SCHED_ERROR,
	       "ABI 1.3: DoNotSchedule constraints cannot be checked");
	ok(strstr(reason, "ABI 1.4") != NULL, "and says why");
	cJSON_Delete(pod);
	pod = make_pod(WEB, SPEC(SOFT(1, ZONE)));
	memset(&cycle, 0, sizeof(cycle));
	cycle.pod = pod;
	is_int(ops->pre_filter(cookie, &cycle, reason), K8C_SCHED_SKIP,
	       "ABI 1.3: ScheduleAnyway only: SKIP");
	ops->pre_score(cookie, &cycle, c->ptrs, c->n);
	for (size_t i = 0; i < c->n; i++) {
		scores[i].name = c->nodes[i].name;
		ops->score(cookie, &cycle, c->ptrs[i], &scores[i].score);
	}
	ops->normalize_score(cookie, &cycle, scores, c->n);
	ok(scores[0].score == 0 && scores[2].score == 100,
	   "ABI 1.3: scored over the feasible nodes (%lld, %lld)",
	   (long long)scores[0].score, (long long)scores[2].score);
	ops->state_free(cookie, cycle.state);
	cJSON_Delete(pod);
	k8c_plugin.fini(cookie);
	cluster_free(c);
}

typedef struct bad_case {
	const char *name, *spec, *reason;
} bad_case_t;

static const bad_case_t bad_cases[] = {
	{"negative maxSkew", SPEC(HARD(-1, ZONE)),
	 "spec.topologySpreadConstraints[0].maxSkew: Invalid value: -1: must be "
	 "greater than zero"},
	{"maxSkew 0", SPEC(HARD(0, ZONE)), "must be greater than zero"},
	{"maxSkew a string",
	 SPEC("{\"maxSkew\":\"1\",\"topologyKey\":\"z\",\"whenUnsatisfiable\":"
	      "\"DoNotSchedule\"}"), "maxSkew: Invalid value"},
	{"maxSkew 1.5", SPEC(HARD(1.5, ZONE)), "maxSkew: Invalid value"},
	{"bad selector operator",
	 SPEC(TSC(1, ZONE, "DoNotSchedule",
	          ",\"labelSelector\":{\"matchExpressions\":[{\"key\":\"app\","
	          "\"operator\":\"Foo\"}]}")),
	 "[0].labelSelector: \"Foo\" is not a valid label selector operator"},
	{"bad selector value",
	 SPEC(TSC(1, ZONE, "ScheduleAnyway",
	          ",\"labelSelector\":{\"matchLabels\":{\"app\":\"a b\"}}")),
	 "labelSelector: "},
	{"selector not an object",
	 SPEC(TSC(1, ZONE, "DoNotSchedule", ",\"labelSelector\":\"app=web\"")),
	 "label selector must be an object"},
	{"no topologyKey",
	 SPEC("{\"maxSkew\":1,\"whenUnsatisfiable\":\"DoNotSchedule\"}"),
	 "topologyKey: Required value"},
	{"bad topologyKey", SPEC(HARD(1, "a b")), "topologyKey: Invalid value"},
	{"unknown whenUnsatisfiable", SPEC(TSC(1, ZONE, "Sometimes", "")),
	 "whenUnsatisfiable: Unsupported value: \"Sometimes\""},
	{"minDomains 0", SPEC(TSC(1, ZONE, "DoNotSchedule", ",\"minDomains\":0")),
	 "minDomains: Invalid value"},
	{"minDomains with ScheduleAnyway",
	 SPEC(TSC(1, ZONE, "ScheduleAnyway", ",\"minDomains\":2")),
	 "can only use minDomains if whenUnsatisfiable=DoNotSchedule"},
	{"bad nodeAffinityPolicy",
	 SPEC(TSC(1, ZONE, "DoNotSchedule", ",\"nodeAffinityPolicy\":\"Maybe\"")),
	 "nodeAffinityPolicy: Unsupported value: \"Maybe\""},
	{"bad nodeTaintsPolicy",
	 SPEC(TSC(1, ZONE, "DoNotSchedule", ",\"nodeTaintsPolicy\":1")),
	 "nodeTaintsPolicy: Unsupported value"},
	{"duplicate pair", SPEC(HARD(1, ZONE) "," HARD(2, ZONE)),
	 "[1]: Duplicate value: \"{" ZONE ", DoNotSchedule}\""},
	{"matchLabelKeys not strings",
	 SPEC(TSC(1, ZONE, "DoNotSchedule", SEL_WEB ",\"matchLabelKeys\":[1]")),
	 "matchLabelKeys[0]: must be a string"},
	{"constraint not an object", SPEC("7"), "[0]: must be an object"},
	{"constraints not an array", "{\"topologySpreadConstraints\":{}}",
	 "must be an array"},
};

static void test_malformed(void *cookie)
{
	cluster_t *c = zones_abc();

	cluster_finish(c);
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
		CHECK_FILTER(cookie, c, WEB, bad_cases[i].spec,
		             K8C_SCHED_UNRESOLVABLE, "----", bad_cases[i].reason,
		             bad_cases[i].name);
	/* Odd but valid: no labelSelector matches nothing (not even the pod
	 * itself), so every skew is 0. */
	CHECK_FILTER(cookie, c, WEB, SPEC(TSC(1, ZONE, "DoNotSchedule", "")), 0,
	             "1111", NULL, "no labelSelector");
	/* Odd nodes and pods do not crash. */
	{
		cluster_t *o = cluster_new();

		add_node(o, "n1", "[1]", "{\"x\":1}");
		add_node(o, "n2", "{\"" ZONE "\":7}", "[7,{\"effect\":3}]");
		add_node(o, "n3", "{\"" ZONE "\":\"a\"}", "[{\"effect\":\"NoSchedule\"}]");
		add_pod_ex(o, 2, "default", "[\"app\"]", "");
		add_pod_ex(o, 2, "default", WEB, ",\"deletionTimestamp\":null");
		cluster_finish(o);
		CHECK_FILTER(cookie, o, WEB,
		             SPEC(TSC(1, ZONE, "DoNotSchedule",
		                      SEL_WEB ",\"nodeTaintsPolicy\":\"Honor\"")),
		             0, "xx1", REASON_LABEL, "odd nodes and pods");
		cluster_free(o);
	}
	cluster_free(c);
}

static void test_filter_without_state(void *cookie)
{
	cluster_t *c = zones_abc();
	cJSON *pod = make_pod(WEB, "{}");
	k8c_sched_cycle_t cycle = {.pod = pod};
	char reason[K8C_SCHED_REASON_MAX];

	cluster_finish(c);
	is_int(ops->filter(cookie, &cycle, c->ptrs[0], reason), K8C_SCHED_SUCCESS,
	       "filter without state, pod without constraints: fits");
	cJSON_Delete(pod);
	pod = make_pod(WEB, SPEC(HARD(1, ZONE)));
	cycle.pod = pod;
	is_int(ops->filter(cookie, &cycle, c->ptrs[0], reason), K8C_SCHED_ERROR,
	       "filter without state for a constrained pod: error");
	cJSON_Delete(pod);
	cluster_free(c);
}

#include "test_sched_pod_topology_spread_bench.h"
#include "test_sched_pod_topology_spread_defaults.h"

int main(void)
{
	void *cookie;
	cluster_t *big;

	fake_host_init(&fh);
	test_descriptor();
	cookie = instance("{}");
	ok(cookie != NULL, "instance without config");
	test_zones(cookie);
	test_missing_key(cookie);
	test_min_domains(cookie);
	test_node_affinity_policy(cookie);
	test_node_taints_policy(cookie);
	test_match_label_keys(cookie);
	test_scoring(cookie);
	test_malformed(cookie);
	test_filter_without_state(cookie);
	test_snapshot(cookie);
	test_scoring_follows_changes(cookie);
	test_old_abi();
	big = big_cluster(5000, 30);
	test_big_cluster(cookie, big);
	bench(cookie, big);
	cluster_free(big);
	k8c_plugin.fini(cookie);
	test_config();
	test_defaults();
	while (n_configs > 0)
		cJSON_Delete(configs[--n_configs]);
	return done_testing();
}
