/* Unit tests for the inter-pod-affinity scheduler policy, driven through
 * its descriptor and the fake host table as the scheduler would drive it,
 * over fake clusters of nodes (zone and hostname labels) and pods.  Ends
 * with a micro-benchmark (5,000 nodes x 30 pods, 1% with anti-affinity)
 * whose times are TAP diagnostics, not assertions. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
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

#define ZONE "topology.kubernetes.io/zone"
#define HOST "kubernetes.io/hostname"

#define REASON_AFFINITY "node(s) didn't match pod affinity rules"
#define REASON_ANTI "node(s) didn't match pod anti-affinity rules"
#define REASON_EXISTING "node(s) didn't satisfy existing pods anti-affinity rules"

/* JSON builders for affinity objects. */
#define ML(k, v) "{\"matchLabels\":{\"" k "\":\"" v "\"}}"
#define TERM(sel, tk) "{\"labelSelector\":" sel ",\"topologyKey\":\"" tk "\"}"
#define TERM_X(sel, tk, extra) \
	"{\"labelSelector\":" sel ",\"topologyKey\":\"" tk "\"," extra "}"
#define PREF(w, term) "{\"weight\":" #w ",\"podAffinityTerm\":" term "}"
#define G_REQ "\"requiredDuringSchedulingIgnoredDuringExecution\":["
#define G_PREF "\"preferredDuringSchedulingIgnoredDuringExecution\":["
#define I_AFF(groups) "\"podAffinity\":{" groups "}"
#define I_ANTI(groups) "\"podAntiAffinity\":{" groups "}"
#define REQ_AFF(terms) "{" I_AFF(G_REQ terms "]") "}"
#define REQ_ANTI(terms) "{" I_ANTI(G_REQ terms "]") "}"
#define PREF_AFF(terms) "{" I_AFF(G_PREF terms "]") "}"
#define PREF_ANTI(terms) "{" I_ANTI(G_PREF terms "]") "}"

/* --- fake clusters ------------------------------------------------------ */

typedef struct tnode {
	cJSON *obj;                 /* owned Node */
	cJSON **pods;               /* owned pods */
	const cJSON **aff, **anti;  /* subsets of pods */
	size_t n, n_aff, n_anti, cap;
	k8c_sched_node_t sn;
} tnode_t;

typedef struct cluster {
	size_t n;
	tnode_t *v;
	const k8c_sched_node_t **all;
} cluster_t;

static uint64_t generation;

static void node_sync(tnode_t *t)
{
	t->sn.pods = (const cJSON *const *)t->pods;
	t->sn.n_pods = t->n;
	t->sn.pods_with_affinity = t->aff;
	t->sn.n_pods_with_affinity = t->n_aff;
	t->sn.pods_with_required_anti_affinity = t->anti;
	t->sn.n_pods_with_required_anti_affinity = t->n_anti;
	t->sn.generation = ++generation;
}

static void cluster_init(cluster_t *c, size_t n)
{
	c->n = n;
	c->v = calloc(n, sizeof(tnode_t));
	c->all = calloc(n, sizeof(k8c_sched_node_t *));
	for (size_t i = 0; i < n; i++)
		c->all[i] = &c->v[i].sn;
}

/* Node i named name with labels (a JSON object, or NULL for none). */
static void cluster_node(cluster_t *c, size_t i, const char *name, const char *labels)
{
	char buf[512];
	tnode_t *t = &c->v[i];

	snprintf(buf, sizeof(buf), "{\"metadata\":{\"name\":\"%s\"%s%s}}", name,
	         labels ? ",\"labels\":" : "", labels ? labels : "");
	t->obj = cJSON_Parse(buf);
	t->sn.node = t->obj;
	t->sn.name = cJSON_GetObjectItem(cJSON_GetObjectItem(t->obj, "metadata"),
	                                 "name")->valuestring;
	node_sync(t);
}

/* As kube-scheduler's NodeInfo sorts pods with affinity. */
static void classify(const cJSON *pod, int *aff, int *anti)
{
	const cJSON *a = cJSON_GetObjectItem(cJSON_GetObjectItem(pod, "spec"), "affinity");
	const cJSON *pa = cJSON_GetObjectItem(a, "podAffinity");
	const cJSON *paa = cJSON_GetObjectItem(a, "podAntiAffinity");

	*aff = pa != NULL || paa != NULL;
	*anti = cJSON_GetArraySize(cJSON_GetObjectItem(
		paa, "requiredDuringSchedulingIgnoredDuringExecution")) > 0;
}

/* Put pod (taken over) on node i. */
static void cluster_add(cluster_t *c, size_t i, cJSON *pod)
{
	tnode_t *t = &c->v[i];
	int aff, anti;

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 4;
		t->pods = realloc(t->pods, t->cap * sizeof(cJSON *));
		t->aff = realloc(t->aff, t->cap * sizeof(cJSON *));
		t->anti = realloc(t->anti, t->cap * sizeof(cJSON *));
	}
	t->pods[t->n++] = pod;
	classify(pod, &aff, &anti);
	if (aff)
		t->aff[t->n_aff++] = pod;
	if (anti)
		t->anti[t->n_anti++] = pod;
	node_sync(t);
}

static void cluster_free(cluster_t *c)
{
	for (size_t i = 0; i < c->n; i++) {
		for (size_t j = 0; j < c->v[i].n; j++)
			cJSON_Delete(c->v[i].pods[j]);
		free(c->v[i].pods);
		free(c->v[i].aff);
		free(c->v[i].anti);
		cJSON_Delete(c->v[i].obj);
	}
	free(c->v);
	free(c->all);
	memset(c, 0, sizeof(*c));
}

/* A pod; labels is a JSON object, affinity an Affinity object (or NULL). */
static cJSON *pod_json(const char *name, const char *ns, const char *labels,
                       const char *affinity)
{
	size_t len = 256 + strlen(labels ? labels : "") + strlen(affinity ? affinity : "");
	char *buf = malloc(len);
	cJSON *pod;

	snprintf(buf, len, "{\"metadata\":{\"name\":\"%s\",\"namespace\":\"%s\","
	         "\"labels\":%s},\"spec\":{%s%s}}", name, ns, labels ? labels : "{}",
	         affinity ? "\"affinity\":" : "", affinity ? affinity : "");
	pod = cJSON_Parse(buf);
	if (pod == NULL)
		diag("test bug: pod does not parse: %s", buf);
	free(buf);
	return pod;
}

/* The small cluster: n1, n2 in zone a, n3 in zone b, n4 without zone. */
static void small_cluster(cluster_t *c)
{
	cluster_init(c, 4);
	cluster_node(c, 0, "n1", "{\"" ZONE "\":\"a\",\"" HOST "\":\"n1\"}");
	cluster_node(c, 1, "n2", "{\"" ZONE "\":\"a\",\"" HOST "\":\"n2\"}");
	cluster_node(c, 2, "n3", "{\"" ZONE "\":\"b\",\"" HOST "\":\"n3\"}");
	cluster_node(c, 3, "n4", "{\"" HOST "\":\"n4\"}");
}

/* --- driving the plugin ------------------------------------------------- */

static cJSON *configs[64];
static int n_configs;

static void *instance(const char *config)
{
	cJSON *cfg = cJSON_Parse(config);
	void *cookie = NULL;
	k8c_error_t err;

	if (k8c_plugin.init(&fh.host, cfg, &cookie, &err) < 0) {
		diag("init: %s", err.message);
		cookie = NULL;
	}
	if (n_configs >= (int)(sizeof(configs) / sizeof(configs[0])))
		abort();
	configs[n_configs++] = cfg;
	return cookie;
}

static char codes[] = "1UREs"; /* per k8c_sched_code */

/* pre_filter then filter on every node: one character per node into fits
 * ('1' fits, 'U' unschedulable, 'R' unresolvable, 'E' error, '-' not run);
 * the last failing reason into reason.  Returns the pre_filter code. */
static int run_filter(void *cookie, cluster_t *c, cJSON *pod, char *fits,
                      char reason[K8C_SCHED_REASON_MAX])
{
	k8c_sched_cycle_t cycle = {.pod = pod, .all_nodes = c->all,
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
		rc = ops->filter(cookie, &cycle, &c->v[i].sn, r);
		fits[i] = rc >= 0 && rc <= 4 ? codes[rc] : '?';
		if (rc != K8C_SCHED_SUCCESS)
			strcpy(reason, r);
	}
	fits[c->n] = '\0';
	ops->state_free(cookie, cycle.state);
	return pre;
}

/* A whole scoring pass over every node: raw and normalized scores. */
static int run_score(void *cookie, cluster_t *c, cJSON *pod, int64_t *raw,
                     int64_t *norm)
{
	k8c_sched_cycle_t cycle = {.pod = pod, .all_nodes = c->all,
	                           .n_all_nodes = c->n};
	k8c_sched_node_score_t *s = calloc(c->n, sizeof(*s));
	char reason[K8C_SCHED_REASON_MAX];
	int rc;

	ops->pre_filter(cookie, &cycle, reason);
	rc = ops->pre_score(cookie, &cycle, c->all, c->n);
	for (size_t i = 0; i < c->n; i++) {
		raw[i] = -12345;
		ops->score(cookie, &cycle, &c->v[i].sn, &raw[i]);
		s[i].name = c->v[i].sn.name;
		s[i].score = raw[i];
	}
	ops->normalize_score(cookie, &cycle, s, c->n);
	for (size_t i = 0; i < c->n; i++)
		norm[i] = s[i].score;
	ops->state_free(cookie, cycle.state);
	free(s);
	return rc;
}

/* Filter a pod (freed here) and compare. */
static void check_filter(void *cookie, cluster_t *c, cJSON *pod, int want_pre,
                         const char *want_fits, const char *want_reason,
                         const char *name)
{
	char fits[64], reason[K8C_SCHED_REASON_MAX];
	int pre = run_filter(cookie, c, pod, fits, reason);

	is_int(pre, want_pre, "%s: pre_filter", name);
	is_str(fits, want_fits, "%s: nodes", name);
	if (want_reason != NULL && !ok(strstr(reason, want_reason) != NULL,
	                               "%s: reason has \"%s\"", name, want_reason))
		diag("reason: %s", reason);
	cJSON_Delete(pod);
}

static void check_scores(void *cookie, cluster_t *c, cJSON *pod,
                         const int64_t *want_raw, const int64_t *want_norm,
                         const char *name)
{
	int64_t raw[8], norm[8];

	is_int(run_score(cookie, c, pod, raw, norm), K8C_SCHED_SUCCESS,
	       "%s: pre_score", name);
	for (size_t i = 0; i < c->n; i++) {
		is_int(raw[i], want_raw[i], "%s: %s raw", name, c->v[i].sn.name);
		is_int(norm[i], want_norm[i], "%s: %s normalized", name, c->v[i].sn.name);
	}
	cJSON_Delete(pod);
}

/* A fake API client answering GET /api/v1/namespaces. */
typedef struct fake_api {
	k8c_client_api_t api;
	int calls, fail;
	const char *body;
} fake_api_t;

static int fake_request(void *ctx, const char *method, const char *path,
                        const cJSON *body, const char *content_type,
                        cJSON **out, k8c_error_t *err)
{
	fake_api_t *f = ctx;

	f->calls++;
	if (f->fail || strcmp(method, "GET") != 0 ||
	    strcmp(path, "/api/v1/namespaces") != 0)
		return k8c_error_make(err, K8C_EUNAVAIL, "connection refused");
	*out = cJSON_Parse(f->body);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- descriptor and config ------------------------------------------------- */

static void test_descriptor_and_config(void)
{
	static const struct {
		const char *cfg, *err;
	} bad[] = {
		{"{\"hardPodAffinityWeight\":101}",
		 "hardPodAffinityWeight: Invalid value: 101: not in valid range [0-100]"},
		{"{\"hardPodAffinityWeight\":-1}", "not in valid range [0-100]"},
		{"{\"hardPodAffinityWeight\":1.5}", "not in valid range [0-100]"},
		{"{\"hardPodAffinityWeight\":\"5\"}", "Invalid value: \"5\""},
		{"{\"ignorePreferredTermsOfExistingPods\":1}", "must be a boolean"},
		{"[]", "config must be an object"},
	};
	int warns;
	void *a, *b;

	is_str(k8c_plugin.name, "inter-pod-affinity", "name");
	is_int(k8c_plugin.kind, K8C_PLUGIN_SCHEDULER, "scheduler kind");
	is_int(k8c_plugin.abi_major, K8C_ABI_MAJOR, "abi major");
	is_int(k8c_plugin.abi_minor, K8C_ABI_MINOR, "abi minor");
	is_str(k8c_plugin.version, PACKAGE_VERSION, "version");
	ops = k8c_plugin.ops;
	is_int(ops->struct_size, sizeof(k8c_sched_policy_ops_t), "ops size");
	ok(ops->pre_filter && ops->filter && ops->pre_score && ops->score &&
	   ops->normalize_score && ops->state_free, "implemented points set");
	ok(!ops->post_filter && !ops->reserve && !ops->unreserve && !ops->bind,
	   "other points left NULL");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cJSON *cfg = cJSON_Parse(bad[i].cfg);
		k8c_error_t err = {0};
		void *cookie = NULL;
		int rc = k8c_plugin.init(&fh.host, cfg, &cookie, &err);

		if (!ok(rc < 0 && cookie == NULL && strstr(err.message, bad[i].err),
		        "config %s refused", bad[i].cfg))
			diag("rc %d, message: %s", rc, err.message);
		cJSON_Delete(cfg);
	}
	a = instance("{}");
	ok(a != NULL, "empty config: defaults");
	warns = fh.lines[K8C_LOG_WARN];
	b = instance("{\"hardPodAffinityWeight\":0,\"ignorePreferredTermsOf"
	             "ExistingPods\":true,\"other\":1}");
	ok(b != NULL, "hardPodAffinityWeight 0 and ignorePreferred... accepted");
	is_int(fh.lines[K8C_LOG_WARN], warns + 1, "unknown field warned about");
	k8c_plugin.fini(a);
	k8c_plugin.fini(b);
}

/* --- SKIP and the cheap paths ------------------------------------------------ */

static void test_skip(void)
{
	void *cookie = instance("{}");
	cluster_t c;
	k8c_sched_cycle_t cycle;
	char reason[K8C_SCHED_REASON_MAX];
	static const int64_t zeros[4] = {0, 0, 0, 0};

	small_cluster(&c);
	cluster_add(&c, 0, pod_json("plain", "default", "{\"app\":\"web\"}", NULL));
	check_filter(cookie, &c, pod_json("p", "default", "{\"app\":\"web\"}", NULL),
	             K8C_SCHED_SKIP, "1111", NULL, "no affinity anywhere");
	check_filter(cookie, &c, pod_json("p", "default", NULL,
	             PREF_AFF(PREF(5, TERM(ML("app", "web"), ZONE)))),
	             K8C_SCHED_SKIP, "1111", NULL, "preferred terms only");
	check_scores(cookie, &c, pod_json("p", "default", "{\"app\":\"web\"}", NULL),
	             zeros, zeros, "no affinity: scores");
	cluster_add(&c, 2, pod_json("guard", "default", "{\"app\":\"guard\"}",
	            REQ_ANTI(TERM(ML("app", "web"), HOST))));
	check_filter(cookie, &c, pod_json("p", "default", "{\"app\":\"db\"}", NULL),
	             K8C_SCHED_SKIP, "1111", NULL,
	             "existing anti-affinity not matching the pod");

	/* After SKIP, a filter call anyway passes in O(1); without any
	 * pre_filter it is an error. */
	cycle = (k8c_sched_cycle_t){.pod = pod_json("p", "default", NULL, NULL),
	                            .all_nodes = c.all, .n_all_nodes = c.n};
	is_int(ops->pre_filter(cookie, &cycle, reason), K8C_SCHED_SKIP, "skipped");
	ok(cycle.state != NULL, "a marker, not an allocation, is left");
	is_int(ops->filter(cookie, &cycle, &c.v[2].sn, reason), K8C_SCHED_SUCCESS,
	       "filter after SKIP passes");
	ops->state_free(cookie, cycle.state);
	cycle.state = NULL;
	is_int(ops->filter(cookie, &cycle, &c.v[2].sn, reason), K8C_SCHED_ERROR,
	       "filter without pre_filter is an error");
	ok(strstr(reason, "pre_filter") != NULL, "reason: %s", reason);
	cJSON_Delete((cJSON *)cycle.pod);

	/* A host before ABI 1.4 gives no all_nodes. */
	fh.host.abi_minor = 3;
	check_filter(cookie, &c, pod_json("p", "default", NULL, NULL),
	             K8C_SCHED_SKIP, "1111", NULL, "ABI 1.3: no terms, SKIP");
	check_filter(cookie, &c, pod_json("p", "default", NULL,
	             REQ_ANTI(TERM(ML("app", "web"), HOST))), K8C_SCHED_ERROR, "----",
	             "ABI 1.4", "ABI 1.3: required terms cannot be checked");
	ok(strstr(fh.last, "all_nodes") != NULL, "logged: %s", fh.last);
	fh.host.abi_minor = K8C_ABI_MINOR;
	cluster_free(&c);
	k8c_plugin.fini(cookie);
}

/* --- required affinity ------------------------------------------------------------- */

#define EXPR(k, op, vals) \
	"{\"matchExpressions\":[{\"key\":\"" k "\",\"operator\":\"" op "\",\"values\":[" vals "]}]}"

static void test_required_affinity(void)
{
	static const struct {
		const char *name, *affinity, *fits;
	} cases[] = {
		{"hostname", REQ_AFF(TERM(ML("app", "db"), HOST)), "R1RR"},
		{"zone (a node without the zone label fails)",
		 REQ_AFF(TERM(ML("app", "db"), ZONE)), "11RR"},
		{"In", REQ_AFF(TERM(EXPR("app", "In", "\"x\",\"db\""), ZONE)), "11RR"},
		{"Exists", REQ_AFF(TERM("{\"matchExpressions\":[{\"key\":\"tier\","
		                        "\"operator\":\"Exists\"}]}", HOST)), "R1RR"},
		{"NotIn: the cache pod's zone",
		 REQ_AFF(TERM(EXPR("app", "NotIn", "\"db\""), ZONE)), "RR1R"},
		{"NotIn matching only the pod itself: first pod of its group",
		 REQ_AFF(TERM(EXPR("app", "NotIn", "\"db\",\"cache\""), ZONE)), "111R"},
		{"DoesNotExist matches nobody, not even the pod",
		 REQ_AFF(TERM("{\"matchExpressions\":[{\"key\":\"app\",\"operator\":"
		              "\"DoesNotExist\"}]}", ZONE)), "RRRR"},
		{"two terms: one pod must match both",
		 REQ_AFF(TERM(ML("app", "db"), ZONE) "," TERM(ML("tier", "backend"), HOST)),
		 "R1RR"},
		{"two terms no pod matches together",
		 REQ_AFF(TERM(ML("app", "db"), ZONE) "," TERM(ML("app", "cache"), ZONE)),
		 "RRRR"},
		{"null labelSelector matches nothing",
		 REQ_AFF("{\"topologyKey\":\"" HOST "\"}"), "RRRR"},
		{"empty labelSelector matches every pod",
		 REQ_AFF(TERM("{}", ZONE)), "111R"},
	};
	void *cookie = instance("{}");
	cluster_t c;

	small_cluster(&c);
	cluster_add(&c, 1, pod_json("db", "default",
	            "{\"app\":\"db\",\"tier\":\"backend\"}", NULL));
	cluster_add(&c, 2, pod_json("cache", "default", "{\"app\":\"cache\"}", NULL));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_filter(cookie, &c, pod_json("p", "default", "{\"app\":\"web\"}",
		             cases[i].affinity), K8C_SCHED_SUCCESS, cases[i].fits,
		             strchr(cases[i].fits, 'R') ? REASON_AFFINITY : NULL,
		             cases[i].name);
	cluster_free(&c);
	k8c_plugin.fini(cookie);
}

/* --- required anti-affinity ------------------------------------------------------ */

static void test_required_anti_affinity(void)
{
	void *cookie = instance("{}");
	cluster_t c;
	cJSON *dying;

	small_cluster(&c);
	cluster_add(&c, 0, pod_json("web-0", "default", "{\"app\":\"web\"}", NULL));
	check_filter(cookie, &c, pod_json("p", "default", "{\"app\":\"web\"}",
	             REQ_ANTI(TERM(ML("app", "web"), HOST))), K8C_SCHED_SUCCESS,
	             "U111", REASON_ANTI, "hostname anti-affinity");
	check_filter(cookie, &c, pod_json("p", "default", "{\"app\":\"web\"}",
	             REQ_ANTI(TERM(ML("app", "web"), ZONE))), K8C_SCHED_SUCCESS,
	             "UU11", REASON_ANTI, "zone anti-affinity (no zone label: fits)");
	check_filter(cookie, &c, pod_json("p", "prod", "{\"app\":\"web\"}",
	             REQ_ANTI(TERM(ML("app", "web"), ZONE))), K8C_SCHED_SUCCESS,
	             "1111", NULL, "pods of another namespace do not count");
	check_filter(cookie, &c, pod_json("p", "default", "{\"app\":\"web\"}",
	             REQ_ANTI(TERM(ML("app", "db"), ZONE) "," TERM(ML("app", "web"), HOST))),
	             K8C_SCHED_SUCCESS, "U111", REASON_ANTI,
	             "anti-affinity terms apply each on its own");
	/* Terminating pods still count, as in kube-scheduler. */
	dying = pod_json("web-1", "default", "{\"app\":\"web\"}", NULL);
	cJSON_AddStringToObject(cJSON_GetObjectItem(dying, "metadata"),
	                        "deletionTimestamp", "2024-01-01T00:00:00Z");
	cluster_add(&c, 2, dying);
	check_filter(cookie, &c, pod_json("p", "default", "{\"app\":\"web\"}",
	             REQ_ANTI(TERM(ML("app", "web"), ZONE))), K8C_SCHED_SUCCESS,
	             "UUU1", REASON_ANTI, "a terminating pod still counts");
	/* Affinity is checked first, and is unresolvable. */
	check_filter(cookie, &c, pod_json("p", "default", "{\"app\":\"web\"}",
	             "{" I_AFF(G_REQ TERM(ML("app", "web"), HOST) "]") ","
	             I_ANTI(G_REQ TERM(ML("app", "web"), ZONE) "]") "}"),
	             K8C_SCHED_SUCCESS, "URUR", NULL, "affinity before anti-affinity");
	cluster_free(&c);
	k8c_plugin.fini(cookie);
}

/* --- existing pods' anti-affinity (symmetry) --------------------------------------- */

static void test_existing_anti_affinity(void)
{
	void *cookie = instance("{}");
	cluster_t c;

	small_cluster(&c);
	cluster_add(&c, 2, pod_json("guard", "default", "{\"app\":\"guard\"}",
	            REQ_ANTI(TERM(ML("app", "web"), ZONE))));
	check_filter(cookie, &c, pod_json("p", "default", "{\"app\":\"web\"}", NULL),
	             K8C_SCHED_SUCCESS, "11U1", REASON_EXISTING,
	             "an existing pod's zone anti-affinity keeps the pod out");
	check_filter(cookie, &c, pod_json("p", "prod", "{\"app\":\"web\"}", NULL),
	             K8C_SCHED_SKIP, "1111", NULL,
	             "the existing term covers its own namespace only");
	cluster_add(&c, 0, pod_json("guard2", "prod", "{\"app\":\"guard\"}",
	            REQ_ANTI(TERM_X(ML("app", "web"), HOST,
	                            "\"namespaceSelector\":{}"))));
	check_filter(cookie, &c, pod_json("p", "other", "{\"app\":\"web\"}", NULL),
	             K8C_SCHED_SUCCESS, "U111", REASON_EXISTING,
	             "namespaceSelector {} covers every namespace");
	check_filter(cookie, &c, pod_json("p", "default", "{\"app\":\"web\"}", NULL),
	             K8C_SCHED_SUCCESS, "U1U1", REASON_EXISTING, "both apply");
	check_filter(cookie, &c, pod_json("p", "default", "{\"app\":\"web\"}",
	             REQ_AFF(TERM(ML("app", "guard"), ZONE))), K8C_SCHED_SUCCESS,
	             "RRUR", NULL, "with the pod's own affinity");
	cluster_free(&c);
	k8c_plugin.fini(cookie);
}

/* --- the first pod of a group --------------------------------------------------------- */

static void test_first_pod_of_group(void)
{
	void *cookie = instance("{}");
	cluster_t c;

	small_cluster(&c);
	cluster_add(&c, 0, pod_json("other", "default", "{\"app\":\"other\"}", NULL));
	check_filter(cookie, &c, pod_json("db-0", "default", "{\"app\":\"db\"}",
	             REQ_AFF(TERM(ML("app", "db"), ZONE))), K8C_SCHED_SUCCESS,
	             "111R", REASON_AFFINITY,
	             "first pod matching its own terms: any node with the topology");
	check_filter(cookie, &c, pod_json("x", "default", "{\"app\":\"x\"}",
	             REQ_AFF(TERM(ML("app", "db"), ZONE))), K8C_SCHED_SUCCESS,
	             "RRRR", REASON_AFFINITY, "a pod not matching its terms: nowhere");
	check_filter(cookie, &c, pod_json("db-0", "default", "{\"app\":\"db\"}",
	             REQ_AFF(TERM(ML("app", "db"), ZONE) "," TERM(ML("tier", "x"), HOST))),
	             K8C_SCHED_SUCCESS, "RRRR", NULL, "it must match all its terms");
	check_filter(cookie, &c, pod_json("db-0", "default", "{\"app\":\"db\"}",
	             REQ_AFF(TERM_X(ML("app", "db"), ZONE, "\"namespaces\":[\"prod\"]"))),
	             K8C_SCHED_SUCCESS, "RRRR", NULL,
	             "and be in the terms' namespaces");
	cluster_add(&c, 2, pod_json("db-1", "default", "{\"app\":\"db\"}", NULL));
	check_filter(cookie, &c, pod_json("db-2", "default", "{\"app\":\"db\"}",
	             REQ_AFF(TERM(ML("app", "db"), ZONE))), K8C_SCHED_SUCCESS,
	             "RR1R", REASON_AFFINITY, "once one exists, only its zone");
	cluster_free(&c);
	k8c_plugin.fini(cookie);
}

/* --- namespaces ------------------------------------------------------------------------ */

static void test_namespaces(void)
{
	static const struct {
		const char *name, *extra, *fits;
	} cases[] = {
		{"default: the pod's own namespace", NULL, "RRRR"},
		{"namespaces [prod]", "\"namespaces\":[\"prod\"]", "R1RR"},
		{"namespaces [other, prod]", "\"namespaces\":[\"other\",\"prod\"]", "R1RR"},
		{"namespaces [] means the pod's own", "\"namespaces\":[]", "RRRR"},
		{"namespaceSelector {}: all namespaces", "\"namespaceSelector\":{}", "R1RR"},
		{"namespaceSelector {matchLabels: {}}: all",
		 "\"namespaceSelector\":{\"matchLabels\":{}}", "R1RR"},
		{"namespaceSelector {} with namespaces [other]",
		 "\"namespaces\":[\"other\"],\"namespaceSelector\":{}", "R1RR"},
	};
	void *cookie = instance("{}");
	cluster_t c;
	char aff[512];

	small_cluster(&c);
	cluster_add(&c, 1, pod_json("db", "prod", "{\"app\":\"db\"}", NULL));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].extra != NULL)
			snprintf(aff, sizeof(aff), REQ_AFF("{\"labelSelector\":" ML("app", "db")
			         ",\"topologyKey\":\"" HOST "\",%s}"), cases[i].extra);
		else
			snprintf(aff, sizeof(aff), "%s", REQ_AFF(TERM(ML("app", "db"), HOST)));
		check_filter(cookie, &c, pod_json("p", "default", "{\"app\":\"web\"}", aff),
		             K8C_SCHED_SUCCESS, cases[i].fits, NULL, cases[i].name);
	}
	check_filter(cookie, &c, pod_json("p", "default", "{\"app\":\"web\"}",
	             REQ_ANTI(TERM_X(ML("app", "db"), HOST, "\"namespaceSelector\":{}"))),
	             K8C_SCHED_SUCCESS, "1U11", REASON_ANTI,
	             "anti-affinity across namespaces");
	cluster_free(&c);
	k8c_plugin.fini(cookie);
}

#define NS_PROD "\"namespaceSelector\":{\"matchLabels\":{\"env\":\"prod\"}}"
#define NS_LIST                                                              \
	"{\"kind\":\"NamespaceList\",\"items\":["                            \
	"{\"metadata\":{\"name\":\"default\"}},"                             \
	"{\"metadata\":{\"name\":\"prod\",\"labels\":{\"env\":\"prod\"}}},"  \
	"{\"metadata\":{\"name\":\"prod-2\",\"labels\":{\"env\":\"prod\"}}}]}"

static void test_namespace_selector(void)
{
	void *cookie = instance("{}");
	fake_api_t api = {.api = {.struct_size = sizeof(k8c_client_api_t),
	                          .request = fake_request},
	                  .body = NS_LIST};
	cluster_t c;
	int warns;

	small_cluster(&c);
	cluster_add(&c, 1, pod_json("db", "prod", "{\"app\":\"db\"}", NULL));

	/* Without an API client: logged once, matches no namespace. */
	warns = fh.lines[K8C_LOG_WARN];
	check_filter(cookie, &c, pod_json("p", "default", "{\"app\":\"web\"}",
	             REQ_AFF(TERM_X(ML("app", "db"), HOST, NS_PROD))),
	             K8C_SCHED_SUCCESS, "RRRR", NULL, "no client: selector matches none");
	is_int(fh.lines[K8C_LOG_WARN], warns + 1, "logged");
	ok(strstr(fh.last, "namespaceSelector") != NULL, "log says why: %s", fh.last);
	check_filter(cookie, &c, pod_json("p", "default", "{\"app\":\"web\"}",
	             REQ_AFF(TERM_X(ML("app", "db"), HOST,
	                            "\"namespaces\":[\"prod\"]," NS_PROD))),
	             K8C_SCHED_SUCCESS, "R1RR", NULL, "namespaces still apply");
	is_int(fh.lines[K8C_LOG_WARN], warns + 1, "logged once only");

	fh.host.client = &api.api;
	fh.host.client_ctx = &api;
	check_filter(cookie, &c, pod_json("p", "default", "{\"app\":\"web\"}",
	             REQ_AFF(TERM_X(ML("app", "db"), HOST, NS_PROD))),
	             K8C_SCHED_SUCCESS, "R1RR", NULL, "selector env=prod selects prod");
	is_int(api.calls, 1, "namespaces fetched once for the cycle");
	check_filter(cookie, &c, pod_json("p", "default", "{\"app\":\"web\"}",
	             REQ_AFF(TERM(ML("app", "db"), HOST) ","
	                     TERM_X(ML("app", "db"), HOST, NS_PROD))),
	             K8C_SCHED_SUCCESS, "RRRR", NULL, "two terms, one fetch");
	is_int(api.calls, 2, "one more fetch");
	check_filter(cookie, &c, pod_json("p", "default", "{\"app\":\"web\"}",
	             REQ_AFF(TERM_X(ML("app", "db"), HOST, "\"namespaceSelector\":{}"))),
	             K8C_SCHED_SUCCESS, "R1RR", NULL, "{} needs no namespace labels");
	is_int(api.calls, 2, "no fetch for {}");

	/* An existing pod's selector is matched against the pod's namespace. */
	cluster_add(&c, 0, pod_json("guard", "x", "{\"app\":\"guard\"}",
	            REQ_ANTI(TERM_X(ML("app", "web"), HOST, NS_PROD))));
	check_filter(cookie, &c, pod_json("p", "prod-2", "{\"app\":\"web\"}", NULL),
	             K8C_SCHED_SUCCESS, "U111", REASON_EXISTING,
	             "existing term selects the pod's namespace by its labels");
	check_filter(cookie, &c, pod_json("p", "default", "{\"app\":\"web\"}", NULL),
	             K8C_SCHED_SKIP, "1111", NULL, "not a namespace it selects");
	is_int(api.calls, 4, "one fetch per cycle that needs it");
	/* Scoring: an existing pod's preferred term with a namespaceSelector;
	 * pre_score reuses what pre_filter fetched. */
	cluster_add(&c, 3, pod_json("fan", "y", "{\"app\":\"fan\"}",
	            PREF_AFF(PREF(5, TERM_X(ML("app", "web"), HOST, NS_PROD)))));
	{
		const int64_t raw[4] = {0, 0, 0, 5}, norm[4] = {0, 0, 0, 100};
		const int64_t zeros[4] = {0, 0, 0, 0};

		check_scores(cookie, &c, pod_json("p", "prod-2", "{\"app\":\"web\"}", NULL),
		             raw, norm, "existing preferred term selecting the namespace");
		is_int(api.calls, 5, "one fetch for pre_filter and pre_score");
		check_scores(cookie, &c, pod_json("p", "default", "{\"app\":\"web\"}", NULL),
		             zeros, zeros, "not selecting it");
	}

	api.fail = 1;
	check_filter(cookie, &c, pod_json("p", "default", "{\"app\":\"web\"}", NULL),
	             K8C_SCHED_ERROR, "----", "listing namespaces",
	             "failed fetch: the pod is retried rather than misplaced");
	check_filter(cookie, &c, pod_json("p", "default", "{\"app\":\"web\"}",
	             REQ_ANTI(TERM(ML("app", "db"), HOST))), K8C_SCHED_ERROR, "----",
	             "connection refused", "also for the pod's own terms");
	fh.host.client = NULL;
	fh.host.client_ctx = NULL;
	cluster_free(&c);
	k8c_plugin.fini(cookie);
}

/* --- matchLabelKeys and mismatchLabelKeys ------------------------------------------- */

static void test_match_label_keys(void)
{
	void *cookie = instance("{}");
	const char *v2 = "{\"app\":\"web\",\"version\":\"v2\"}";
	cluster_t c;

	small_cluster(&c);
	cluster_add(&c, 0, pod_json("w1", "default", "{\"app\":\"web\",\"version\":\"v1\"}",
	            NULL));
	cluster_add(&c, 2, pod_json("w2", "default", "{\"app\":\"web\",\"version\":\"v2\"}",
	            NULL));
	check_filter(cookie, &c, pod_json("p", "default", v2,
	             REQ_ANTI(TERM_X(ML("app", "web"), HOST, "\"matchLabelKeys\":[\"version\"]"))),
	             K8C_SCHED_SUCCESS, "11U1", REASON_ANTI,
	             "matchLabelKeys: only pods of the same version");
	check_filter(cookie, &c, pod_json("p", "default", v2,
	             REQ_ANTI(TERM_X(ML("app", "web"), HOST,
	                             "\"mismatchLabelKeys\":[\"version\"]"))),
	             K8C_SCHED_SUCCESS, "U111", REASON_ANTI,
	             "mismatchLabelKeys: only pods of other versions");
	check_filter(cookie, &c, pod_json("p", "default", v2,
	             REQ_ANTI(TERM_X(ML("app", "web"), HOST, "\"matchLabelKeys\":[\"track\"]"))),
	             K8C_SCHED_SUCCESS, "U1U1", REASON_ANTI,
	             "a key the pod lacks is ignored");
	check_filter(cookie, &c, pod_json("p", "default", v2,
	             REQ_ANTI(TERM_X("{\"matchLabels\":{\"app\":\"web\",\"version\":\"v1\"}}",
	                             HOST, "\"matchLabelKeys\":[\"version\"]"))),
	             K8C_SCHED_SUCCESS, "U111", REASON_ANTI,
	             "a key the labelSelector has already is not merged again");
	check_filter(cookie, &c, pod_json("p", "default", v2,
	             REQ_ANTI("{\"topologyKey\":\"" HOST "\",\"matchLabelKeys\":[\"version\"]}")),
	             K8C_SCHED_SUCCESS, "1111", NULL,
	             "nothing merged into an absent labelSelector");
	check_filter(cookie, &c, pod_json("p", "default", v2,
	             REQ_AFF(TERM_X(ML("app", "web"), ZONE, "\"matchLabelKeys\":[\"version\"]"))),
	             K8C_SCHED_SUCCESS, "RR1R", REASON_AFFINITY, "in affinity terms too");
	/* An existing pod's keys take the existing pod's own labels. */
	cluster_add(&c, 1, pod_json("api-1", "default", "{\"app\":\"api\",\"version\":\"v1\"}",
	            REQ_ANTI(TERM_X(ML("app", "api"), HOST, "\"matchLabelKeys\":[\"version\"]"))));
	check_filter(cookie, &c, pod_json("p", "default", "{\"app\":\"api\",\"version\":\"v2\"}",
	             NULL), K8C_SCHED_SKIP, "1111", NULL,
	             "existing pod's matchLabelKeys: other version unaffected");
	check_filter(cookie, &c, pod_json("p", "default", "{\"app\":\"api\",\"version\":\"v1\"}",
	             NULL), K8C_SCHED_SUCCESS, "1U11", REASON_EXISTING,
	             "existing pod's matchLabelKeys: same version kept out");
	cluster_free(&c);
	k8c_plugin.fini(cookie);
}

/* --- malformed input ------------------------------------------------------------------- */

static void test_malformed(void)
{
	static const struct {
		const char *name, *affinity, *reason;
	} cases[] = {
		{"bad operator",
		 REQ_ANTI(TERM(EXPR("app", "Near", "\"a\""), HOST)),
		 "invalid pod affinity: spec.affinity.podAntiAffinity.requiredDuring"
		 "SchedulingIgnoredDuringExecution[0].labelSelector: \"Near\" is not a "
		 "valid label selector operator"},
		{"In without values", REQ_AFF(TERM(EXPR("app", "In", ""), HOST)),
		 "values set can't be empty"},
		{"labelSelector not an object", REQ_AFF(TERM("[]", HOST)),
		 "labelSelector: label selector must be an object"},
		{"empty topologyKey", REQ_AFF(TERM(ML("app", "db"), "")),
		 "[0].topologyKey: Required value: can not be empty"},
		{"missing topologyKey", REQ_ANTI("{\"labelSelector\":" ML("app", "db") "}"),
		 "topologyKey: Required value"},
		{"topologyKey a number",
		 REQ_ANTI("{\"labelSelector\":{},\"topologyKey\":5}"),
		 "topologyKey: must be a string"},
		{"term not an object", REQ_AFF("\"x\""),
		 "requiredDuringSchedulingIgnoredDuringExecution[0]: must be an object"},
		{"second term bad", REQ_AFF(TERM(ML("app", "db"), HOST) ",7"),
		 "requiredDuringSchedulingIgnoredDuringExecution[1]: must be an object"},
		{"required not an array",
		 "{\"podAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":{}}}",
		 "requiredDuringSchedulingIgnoredDuringExecution: must be an array"},
		{"podAffinity not an object", "{\"podAffinity\":[]}",
		 "spec.affinity.podAffinity: must be an object"},
		{"affinity not an object", "\"x\"", "spec.affinity: must be an object"},
		{"namespaces not an array",
		 REQ_AFF(TERM_X(ML("app", "db"), HOST, "\"namespaces\":\"prod\"")),
		 "namespaces: must be an array of strings"},
		{"namespace not a string",
		 REQ_AFF(TERM_X(ML("app", "db"), HOST, "\"namespaces\":[1]")),
		 "namespaces[0]: must be a string"},
		{"bad namespaceSelector",
		 REQ_AFF(TERM_X(ML("app", "db"), HOST,
		                "\"namespaceSelector\":{\"matchLabels\":{\"env\":1}}")),
		 "namespaceSelector: matchLabels[env]: must be a string"},
		{"matchLabelKeys not an array",
		 REQ_ANTI(TERM_X(ML("app", "db"), HOST, "\"matchLabelKeys\":\"version\"")),
		 "matchLabelKeys: must be an array of strings"},
		{"mismatchLabelKeys with a number",
		 REQ_ANTI(TERM_X(ML("app", "db"), HOST, "\"mismatchLabelKeys\":[1]")),
		 "mismatchLabelKeys[0]: must be a string"},
		{"matchLabelKeys with a bad key",
		 REQ_ANTI(TERM_X(ML("app", "db"), HOST, "\"matchLabelKeys\":[\"bad key\"]")),
		 "matchLabelKeys[0]: Invalid value: \"bad key\""},
		{"weight 0", PREF_AFF(PREF(0, TERM(ML("app", "db"), HOST))),
		 "preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value"},
		{"weight 101", PREF_ANTI(PREF(101, TERM(ML("app", "db"), HOST))),
		 "in the range 1-100"},
		{"weight 2.5", PREF_ANTI(PREF(2.5, TERM(ML("app", "db"), HOST))),
		 "in the range 1-100"},
		{"weight missing",
		 PREF_ANTI("{\"podAffinityTerm\":" TERM(ML("app", "db"), HOST) "}"),
		 "weight: Invalid value"},
		{"preferred without podAffinityTerm", PREF_AFF("{\"weight\":5}"),
		 "[0].podAffinityTerm: must be an object"},
	};
	void *cookie = instance("{}");
	cluster_t c;
	int warns = fh.lines[K8C_LOG_WARN];
	int64_t raw[4], norm[4];
	cJSON *pod;

	small_cluster(&c);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_filter(cookie, &c, pod_json("bad", "default", "{\"app\":\"web\"}",
		             cases[i].affinity), K8C_SCHED_UNRESOLVABLE, "----",
		             cases[i].reason, cases[i].name);
	is_int(fh.lines[K8C_LOG_WARN], warns + (int)(sizeof(cases) / sizeof(cases[0])),
	       "each refusal logged");
	ok(strstr(fh.last, "pod default/bad") != NULL, "with the pod's key: %s", fh.last);

	/* pre_score on a malformed pod that pre_filter never saw. */
	pod = pod_json("bad", "default", NULL, PREF_AFF(PREF(0, TERM("{}", HOST))));
	{
		k8c_sched_cycle_t cycle = {.pod = pod, .all_nodes = c.all, .n_all_nodes = c.n};

		is_int(ops->pre_score(cookie, &cycle, c.all, c.n), K8C_SCHED_ERROR,
		       "pre_score on a malformed pod: error");
		ok(cycle.state == NULL, "no state left");
		is_int(ops->score(cookie, &cycle, &c.v[0].sn, &raw[0]), K8C_SCHED_SUCCESS,
		       "score without state");
		is_int(raw[0], 0, "scores 0");
	}
	cJSON_Delete(pod);

	/* Odd pods and nodes do not crash. */
	check_filter(cookie, &c, cJSON_Parse("[1,2]"), K8C_SCHED_SKIP, "1111", NULL,
	             "a pod that is no object has no terms");
	check_filter(cookie, &c, pod_json("p", "default", "{\"app\":\"web\"}",
	             "{\"podAffinity\":null,\"podAntiAffinity\":{}}"),
	             K8C_SCHED_SKIP, "1111", NULL, "null and empty affinities");
	/* An existing pod's malformed group is ignored; its good ones stay. */
	cluster_add(&c, 0, pod_json("odd", "default", "{\"app\":\"odd\"}",
	            REQ_ANTI(TERM(ML("app", "web"), ""))));
	cluster_add(&c, 2, pod_json("odd2", "default", "{\"app\":\"odd\"}",
	            "{" I_ANTI(G_REQ TERM(ML("app", "web"), HOST) "],"
	                      G_PREF PREF(0, TERM(ML("app", "web"), HOST)) "]") "}"));
	check_filter(cookie, &c, pod_json("p", "default", "{\"app\":\"web\"}", NULL),
	             K8C_SCHED_SUCCESS, "11U1", REASON_EXISTING,
	             "malformed existing groups ignored, good ones kept");
	c.v[3].sn.node = NULL;
	cluster_add(&c, 1, pod_json("odd3", "default", "{\"app\":\"odd\"}",
	            REQ_ANTI(TERM(ML("app", "web"), HOST))));
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(c.v[1].obj, "metadata"),
	                          "labels", cJSON_CreateString("x"));
	check_filter(cookie, &c, pod_json("p", "default", "{\"app\":\"web\"}",
	             REQ_AFF(TERM("{}", HOST))), K8C_SCHED_SUCCESS, "1RUR", NULL,
	             "node without object or with labels no object: no topology");
	pod = pod_json("p", "default", "{\"app\":\"web\"}",
	               PREF_AFF(PREF(3, TERM("{}", HOST))));
	run_score(cookie, &c, pod, raw, norm);
	cJSON_Delete(pod);
	ok(raw[0] == 3 && raw[1] == 0 && raw[2] == 3 && raw[3] == 0,
	   "and no score there: %lld %lld %lld %lld", (long long)raw[0],
	   (long long)raw[1], (long long)raw[2], (long long)raw[3]);
	cluster_free(&c);
	k8c_plugin.fini(cookie);
}

/* --- scoring ---------------------------------------------------------------------------- */

static void test_preferred_scoring(void)
{
	void *cookie = instance("{}");
	void *ignoring = instance("{\"ignorePreferredTermsOfExistingPods\":true}");
	cluster_t c;
	const char *both = "{" I_AFF(G_PREF PREF(10, TERM(ML("app", "cache"), ZONE)) "]")
		"," I_ANTI(G_PREF PREF(5, TERM(ML("app", "noisy"), HOST)) "]") "}";

	small_cluster(&c);
	cluster_add(&c, 0, pod_json("cache", "default", "{\"app\":\"cache\"}", NULL));
	cluster_add(&c, 2, pod_json("noisy", "default", "{\"app\":\"noisy\"}", NULL));
	{
		const int64_t raw[4] = {10, 10, -5, 0}, norm[4] = {100, 100, 0, 33};

		check_scores(cookie, &c, pod_json("p", "default", NULL, both), raw, norm,
		             "affinity to the cache's zone, away from the noisy node");
		check_scores(ignoring, &c, pod_json("p", "default", NULL, both), raw, norm,
		             "ignorePreferredTermsOfExistingPods: own terms still count");
	}
	{
		const int64_t raw[4] = {80, 0, 20, 0}, norm[4] = {100, 0, 25, 0};

		check_scores(cookie, &c, pod_json("p", "default", NULL,
		             PREF_AFF(PREF(80, TERM(ML("app", "cache"), HOST)) ","
		                      PREF(20, TERM(ML("app", "noisy"), ZONE)))),
		             raw, norm, "weights order the nodes");
	}
	cluster_add(&c, 0, pod_json("cache-2", "default", "{\"app\":\"cache\"}", NULL));
	{
		const int64_t raw[4] = {20, 20, 0, 0}, norm[4] = {100, 100, 0, 0};

		check_scores(cookie, &c, pod_json("p", "default", NULL,
		             PREF_AFF(PREF(10, TERM(ML("app", "cache"), ZONE)))),
		             raw, norm, "each matching pod adds the weight");
	}
	{
		const int64_t zeros[4] = {0, 0, 0, 0};

		check_scores(cookie, &c, pod_json("p", "default", NULL,
		             PREF_AFF(PREF(10, TERM(ML("app", "none"), ZONE)))),
		             zeros, zeros, "nothing matches: all 0");
		check_scores(cookie, &c, pod_json("p", "prod", NULL,
		             PREF_AFF(PREF(10, TERM(ML("app", "cache"), ZONE)))),
		             zeros, zeros, "other namespace: all 0");
	}
	{
		const int64_t raw[4] = {-20, -20, 0, 0}, norm[4] = {0, 0, 100, 100};

		check_scores(cookie, &c, pod_json("p", "default", NULL,
		             PREF_ANTI(PREF(10, TERM(ML("app", "cache"), ZONE)))),
		             raw, norm, "anti-affinity only: the others get 100");
	}
	/* Pods on nodes that are not feasible still count for their
	 * topology, as kube-scheduler scores from every node. */
	{
		cJSON *pod = pod_json("p", "default", NULL,
		                      PREF_AFF(PREF(10, TERM(ML("app", "cache"), ZONE))));
		k8c_sched_cycle_t cycle = {.pod = pod, .all_nodes = c.all, .n_all_nodes = c.n};
		const k8c_sched_node_t *feasible[1] = {&c.v[1].sn};
		char reason[K8C_SCHED_REASON_MAX];
		int64_t s = -1;

		ops->pre_filter(cookie, &cycle, reason);
		is_int(ops->pre_score(cookie, &cycle, feasible, 1), K8C_SCHED_SUCCESS,
		       "pre_score with one feasible node");
		ops->score(cookie, &cycle, &c.v[1].sn, &s);
		is_int(s, 20, "n2 scores from the cache pods on n1 (same zone)");
		ops->state_free(cookie, cycle.state);
		cJSON_Delete(pod);
	}
	cluster_free(&c);
	k8c_plugin.fini(cookie);
	k8c_plugin.fini(ignoring);
}

static void test_existing_terms_scoring(void)
{
	void *dflt = instance("{}");
	void *hard50 = instance("{\"hardPodAffinityWeight\":50}");
	void *hard0 = instance("{\"hardPodAffinityWeight\":0}");
	void *ignoring = instance("{\"ignorePreferredTermsOfExistingPods\":true}");
	const char *web = "{\"app\":\"web\"}";
	cluster_t c;

	small_cluster(&c);
	cluster_add(&c, 3, pod_json("fan", "default", "{\"app\":\"fan\"}",
	            PREF_AFF(PREF(7, TERM(ML("app", "web"), HOST)))));
	cluster_add(&c, 2, pod_json("needy", "default", "{\"app\":\"needy\"}",
	            REQ_AFF(TERM(ML("app", "web"), ZONE))));
	cluster_add(&c, 1, pod_json("hater", "default", "{\"app\":\"hater\"}",
	            PREF_ANTI(PREF(3, TERM(ML("app", "web"), ZONE)))));
	{
		const int64_t raw[4] = {-3, -3, 1, 7}, norm[4] = {0, 0, 40, 100};

		check_scores(dflt, &c, pod_json("p", "default", web, NULL), raw, norm,
		             "existing pods' terms, hardPodAffinityWeight 1");
	}
	{
		const int64_t raw[4] = {-3, -3, 50, 7}, norm[4] = {0, 0, 100, 18};

		check_scores(hard50, &c, pod_json("p", "default", web, NULL), raw, norm,
		             "hardPodAffinityWeight 50");
	}
	{
		const int64_t raw[4] = {-3, -3, 0, 7}, norm[4] = {0, 0, 30, 100};

		check_scores(hard0, &c, pod_json("p", "default", web, NULL), raw, norm,
		             "hardPodAffinityWeight 0: required terms do not score");
	}
	{
		const int64_t zeros[4] = {0, 0, 0, 0};

		check_scores(ignoring, &c, pod_json("p", "default", web, NULL), zeros,
		             zeros, "ignorePreferredTermsOfExistingPods without own terms");
		check_scores(dflt, &c, pod_json("p", "default", "{\"app\":\"x\"}", NULL),
		             zeros, zeros, "a pod no term matches");
	}
	{
		const int64_t raw[4] = {-3, -3, 1, 7 + 9}, norm[4] = {0, 0, 21, 100};

		check_scores(ignoring, &c, pod_json("p", "default", web,
		             PREF_AFF(PREF(9, TERM(ML("app", "fan"), HOST)))), raw, norm,
		             "ignorePreferred... with own preferred terms: all count");
	}
	cluster_free(&c);
	k8c_plugin.fini(dflt);
	k8c_plugin.fini(hard50);
	k8c_plugin.fini(hard0);
	k8c_plugin.fini(ignoring);
}

static void test_normalize(void)
{
	void *cookie = instance("{}");
	cluster_t c;
	cJSON *pod;
	k8c_sched_cycle_t cycle;
	k8c_sched_node_score_t s[3] = {{"a", -7}, {"b", 3}, {"c", 13}};
	k8c_sched_node_score_t same[2] = {{"a", 5}, {"b", 5}};
	char reason[K8C_SCHED_REASON_MAX];

	small_cluster(&c);
	cluster_add(&c, 0, pod_json("x", "default", "{\"app\":\"x\"}", NULL));
	pod = pod_json("p", "default", NULL, PREF_AFF(PREF(1, TERM("{}", HOST))));
	cycle = (k8c_sched_cycle_t){.pod = pod, .all_nodes = c.all, .n_all_nodes = c.n};
	ops->pre_filter(cookie, &cycle, reason);
	ops->pre_score(cookie, &cycle, c.all, c.n);
	ops->normalize_score(cookie, &cycle, s, 3);
	ok(s[0].score == 0 && s[1].score == 50 && s[2].score == 100,
	   "min-max: -7 3 13 -> 0 50 100");
	ops->normalize_score(cookie, &cycle, same, 2);
	ok(same[0].score == 0 && same[1].score == 0, "all equal -> 0");
	is_int(ops->normalize_score(cookie, &cycle, NULL, 0), K8C_SCHED_SUCCESS,
	       "no nodes");
	ops->state_free(cookie, cycle.state);
	cJSON_Delete(pod);
	same[0].score = same[1].score = 5;
	is_int(ops->normalize_score(cookie, NULL, same, 2), K8C_SCHED_SUCCESS,
	       "no cycle: untouched");
	ok(same[0].score == 5, "left as is");
	cluster_free(&c);
	k8c_plugin.fini(cookie);
}

/* --- the cache of existing pods' terms ----------------------------------------------- */

static void cluster_pop(cluster_t *c, size_t i)
{
	tnode_t *t = &c->v[i];
	cJSON *pod = t->pods[--t->n];

	t->n_aff = t->n_anti = 0;
	for (size_t j = 0; j < t->n; j++) {
		int aff, anti;

		classify(t->pods[j], &aff, &anti);
		if (aff)
			t->aff[t->n_aff++] = t->pods[j];
		if (anti)
			t->anti[t->n_anti++] = t->pods[j];
	}
	cJSON_Delete(pod);
	node_sync(t);
}

static void test_cache(void)
{
	void *cookie = instance("{}");
	cluster_t c;
	const k8c_sched_node_t *tmp;

	small_cluster(&c);
	cluster_add(&c, 0, pod_json("g1", "default", "{}",
	            REQ_ANTI(TERM(ML("app", "web"), HOST))));
	check_filter(cookie, &c, pod_json("p", "default", "{\"app\":\"web\"}", NULL),
	             K8C_SCHED_SUCCESS, "U111", REASON_EXISTING, "first cycle");
	cluster_add(&c, 2, pod_json("g2", "default", "{}",
	            REQ_ANTI(TERM(ML("app", "web"), HOST))));
	check_filter(cookie, &c, pod_json("p", "default", "{\"app\":\"web\"}", NULL),
	             K8C_SCHED_SUCCESS, "U1U1", REASON_EXISTING, "a pod added");
	cluster_pop(&c, 0);
	check_filter(cookie, &c, pod_json("p", "default", "{\"app\":\"web\"}", NULL),
	             K8C_SCHED_SUCCESS, "11U1", REASON_EXISTING, "a pod removed");
	/* Nodes in another order (nodes came and went). */
	tmp = c.all[0];
	c.all[0] = c.all[2];
	c.all[2] = tmp;
	check_filter(cookie, &c, pod_json("p", "default", "{\"app\":\"web\"}", NULL),
	             K8C_SCHED_SUCCESS, "11U1", REASON_EXISTING, "nodes reordered");
	c.n = 3; /* n4 gone */
	check_filter(cookie, &c, pod_json("p", "default", "{\"app\":\"web\"}", NULL),
	             K8C_SCHED_SUCCESS, "11U", REASON_EXISTING, "a node gone");
	c.n = 4;
	check_filter(cookie, &c, pod_json("p", "default", "{\"app\":\"web\"}", NULL),
	             K8C_SCHED_SUCCESS, "11U1", REASON_EXISTING, "and back");
	cluster_free(&c);
	k8c_plugin.fini(cookie);
}

/* --- a big cluster: SKIP, and the micro-benchmark ------------------------------------ */

#define BIG_NODES 5000
#define BIG_PODS 30

/* 5,000 nodes in 10 zones, 30 pods each; with anti, every 100th pod (1%)
 * belongs to one of 50 services spreading by hostname anti-affinity. */
static void big_cluster(cluster_t *c, int anti)
{
	cJSON *plain = pod_json("p", "default", "{\"app\":\"plain\"}", NULL);
	char name[32], labels[128], svc[32], aff[256];

	cluster_init(c, BIG_NODES);
	for (size_t i = 0; i < BIG_NODES; i++) {
		snprintf(name, sizeof(name), "node-%zu", i);
		snprintf(labels, sizeof(labels), "{\"" ZONE "\":\"z%zu\",\"" HOST "\":\"%s\"}",
		         i % 10, name);
		cluster_node(c, i, name, labels);
		for (size_t j = 0; j < BIG_PODS; j++) {
			size_t g = i * BIG_PODS + j;

			if (anti && g % 100 == 0) {
				snprintf(svc, sizeof(svc), "svc-%zu", (g / 100) % 50);
				snprintf(labels, sizeof(labels), "{\"app\":\"%s\"}", svc);
				snprintf(aff, sizeof(aff), REQ_ANTI("{\"labelSelector\":"
				         "{\"matchLabels\":{\"app\":\"%s\"}},\"topologyKey\":"
				         "\"" HOST "\"}"), svc);
				cluster_add(c, i, pod_json(svc, "default", labels, aff));
			} else {
				cluster_add(c, i, cJSON_Duplicate(plain, 1));
			}
		}
	}
	cJSON_Delete(plain);
}

/* One full cycle over the cluster: pre_filter, filter on every node
 * (unless skipped), pre_score and score on the feasible ones, normalize.
 * Returns the number of feasible nodes. */
static size_t full_cycle(void *cookie, cluster_t *c, const cJSON *pod, int *pre,
                         const k8c_sched_node_t **feasible, k8c_sched_node_score_t *s)
{
	k8c_sched_cycle_t cycle = {.pod = pod, .all_nodes = c->all, .n_all_nodes = c->n};
	char reason[K8C_SCHED_REASON_MAX];
	size_t n = 0;

	*pre = ops->pre_filter(cookie, &cycle, reason);
	for (size_t i = 0; i < c->n; i++)
		if (*pre == K8C_SCHED_SKIP ||
		    (*pre == K8C_SCHED_SUCCESS &&
		     ops->filter(cookie, &cycle, c->all[i], reason) == K8C_SCHED_SUCCESS))
			feasible[n++] = c->all[i];
	ops->pre_score(cookie, &cycle, feasible, n);
	for (size_t i = 0; i < n; i++) {
		s[i].name = feasible[i]->name;
		ops->score(cookie, &cycle, feasible[i], &s[i].score);
	}
	ops->normalize_score(cookie, &cycle, s, n);
	ops->state_free(cookie, cycle.state);
	return n;
}

#if defined(__SANITIZE_ADDRESS__)
#define BUILD_NOTE " (ASan build: slower than a release build)"
#else
#define BUILD_NOTE ""
#endif

static void time_cycles(void *cookie, cluster_t *c, const cJSON *pod, int rounds,
                        const char *what, int want_pre, size_t want_feasible)
{
	const k8c_sched_node_t **feasible = calloc(c->n, sizeof(*feasible));
	k8c_sched_node_score_t *s = calloc(c->n, sizeof(*s));
	size_t n = 0;
	int pre = -1;
	double t0, first, rest;

	t0 = now_s();
	n = full_cycle(cookie, c, pod, &pre, feasible, s);
	first = now_s() - t0;
	t0 = now_s();
	for (int r = 0; r < rounds; r++)
		n = full_cycle(cookie, c, pod, &pre, feasible, s);
	rest = (now_s() - t0) / rounds;
	is_int(pre, want_pre, "%s: pre_filter", what);
	is_int(n, want_feasible, "%s: feasible nodes", what);
	diag("%s: %.1f us per cycle (first cycle %.1f us)%s", what, rest * 1e6,
	     first * 1e6, BUILD_NOTE);
	free(feasible);
	free(s);
}

static void test_big_cluster(void)
{
	void *cookie = instance("{}");
	cluster_t c;
	cJSON *plain = pod_json("new", "default", "{\"app\":\"plain\"}", NULL);
	cJSON *spread = pod_json("new", "default", "{\"app\":\"svc-3\"}",
	                         REQ_ANTI(TERM(ML("app", "svc-3"), HOST)));
	cJSON *near = pod_json("new", "default", "{\"app\":\"client\"}",
	                       REQ_AFF(TERM(ML("app", "svc-3"), ZONE)));
	double t0 = now_s();

	big_cluster(&c, 0);
	diag("5000 nodes x 30 pods without affinity built in %.2f s", now_s() - t0);
	time_cycles(cookie, &c, plain, 200, "no affinity anywhere (SKIP)",
	            K8C_SCHED_SKIP, BIG_NODES);
	cluster_free(&c);

	t0 = now_s();
	big_cluster(&c, 1);
	diag("5000 nodes x 30 pods, 1%% with anti-affinity, built in %.2f s",
	     now_s() - t0);
	time_cycles(cookie, &c, plain, 100, "pod without affinity, 1% anti-affinity pods",
	            K8C_SCHED_SKIP, BIG_NODES);
	/* svc-3's 30 pods sit on 30 distinct nodes: those are out both ways. */
	time_cycles(cookie, &c, spread, 10, "pod with hostname anti-affinity",
	            K8C_SCHED_SUCCESS, BIG_NODES - 30);
	{
		cJSON *self = pod_json("new", "default", "{\"app\":\"svc-3\"}", NULL);

		time_cycles(cookie, &c, self, 100, "pod matching existing anti-affinity",
		            K8C_SCHED_SUCCESS, BIG_NODES - 30);
		cJSON_Delete(self);
	}
	/* svc-3's pods sit in zones z0, z3 and z6. */
	time_cycles(cookie, &c, near, 10, "pod with zone affinity",
	            K8C_SCHED_SUCCESS, 3 * BIG_NODES / 10);
	cluster_free(&c);
	cJSON_Delete(plain);
	cJSON_Delete(spread);
	cJSON_Delete(near);
	k8c_plugin.fini(cookie);
}

int main(void)
{
	fake_host_init(&fh);
	test_descriptor_and_config();
	test_skip();
	test_required_affinity();
	test_required_anti_affinity();
	test_existing_anti_affinity();
	test_first_pod_of_group();
	test_namespaces();
	test_namespace_selector();
	test_match_label_keys();
	test_malformed();
	test_preferred_scoring();
	test_existing_terms_scoring();
	test_normalize();
	test_cache();
	test_big_cluster();
	while (n_configs > 0)
		cJSON_Delete(configs[--n_configs]);
	return done_testing();
}
