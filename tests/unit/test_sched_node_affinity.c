/* Unit tests for the node-affinity scheduler policy, driven through its
 * descriptor and the fake host table as the scheduler would drive it. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/scheduler.h>

#include "fake_host.h"
#include "fake_sched_node.h"
#include "tap.h"

extern const k8c_plugin_t k8c_plugin;

static const k8c_sched_policy_ops_t *ops;
static fake_host_t fh;

/* --- fixtures ------------------------------------------------------------ */

#define N_NODES 4
static const char *const node_json[N_NODES] = {
	"{\"metadata\":{\"name\":\"node-1\",\"labels\":{\"zone\":\"a\","
	"\"disk\":\"ssd\",\"cpu\":\"8\",\"kubernetes.io/hostname\":\"node-1\"}}}",
	"{\"metadata\":{\"name\":\"node-2\",\"labels\":{\"zone\":\"b\","
	"\"disk\":\"hdd\",\"cpu\":\"4\"}}}",
	"{\"metadata\":{\"name\":\"node-3\"}}",
	"{\"metadata\":{\"name\":\"node-4\",\"labels\":{\"zone\":\"a\","
	"\"cpu\":\"many\"}}}",
};
static cJSON *node_obj[N_NODES];
static k8c_sched_node_t nodes[N_NODES];
static const k8c_sched_node_t *node_ptrs[N_NODES];

static void fixtures_init(void)
{
	for (int i = 0; i < N_NODES; i++) {
		node_obj[i] = cJSON_Parse(node_json[i]);
		memset(&nodes[i], 0, sizeof(nodes[i]));
		nodes[i].node = node_obj[i];
		fake_sched_node_fill(&nodes[i]);
		nodes[i].name = cJSON_GetObjectItem(cJSON_GetObjectItem(node_obj[i],
		                                    "metadata"), "name")->valuestring;
		node_ptrs[i] = &nodes[i];
	}
}

static void fixtures_fini(void)
{
	for (int i = 0; i < N_NODES; i++)
		cJSON_Delete(node_obj[i]);
}

static cJSON *make_pod(const char *spec)
{
	char *s = malloc(strlen(spec) + 100);
	cJSON *pod;

	sprintf(s, "{\"metadata\":{\"name\":\"p\",\"namespace\":\"default\"},"
	           "\"spec\":%s}", spec);
	pod = cJSON_Parse(s);
	free(s);
	if (pod == NULL)
		diag("test bug: pod spec does not parse: %s", spec);
	return pod;
}

/* Configs are borrowed by an instance until fini: kept here, freed at the
 * end. */
static cJSON *configs[32];
static int n_configs;

static void *instance(const char *config)
{
	cJSON *cfg = cJSON_Parse(config);
	void *cookie = NULL;
	k8c_error_t err;

	if (k8c_plugin.init(&fh.host, cfg, &cookie, &err) < 0) {
		diag("init failed: %s", err.message);
		cookie = NULL;
	}
	if (n_configs < (int)(sizeof(configs) / sizeof(configs[0])))
		configs[n_configs++] = cfg;
	else
		abort();
	return cookie;
}

static void configs_free(void)
{
	while (n_configs > 0)
		cJSON_Delete(configs[--n_configs]);
}

/* pre_filter, then filter on every node: writes one character per node
 * ('1' fits, '0' does not) into fits, and returns the pre_filter code. */
static int run_filter(void *cookie, const char *spec, char fits[N_NODES + 1],
                      char reason[K8C_SCHED_REASON_MAX])
{
	cJSON *pod = make_pod(spec);
	k8c_sched_cycle_t cycle = {.pod = pod};
	int pre;

	reason[0] = '\0';
	memset(fits, '?', N_NODES);
	fits[N_NODES] = '\0';
	pre = ops->pre_filter(cookie, &cycle, reason);
	for (int i = 0; i < N_NODES; i++) {
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
		rc = ops->filter(cookie, &cycle, &nodes[i], r);
		fits[i] = rc == K8C_SCHED_SUCCESS ? '1' : '0';
		if (rc != K8C_SCHED_SUCCESS && rc != K8C_SCHED_UNRESOLVABLE)
			fits[i] = 'E';
		if (rc != K8C_SCHED_SUCCESS)
			strcpy(reason, r);
	}
	if (cycle.state != NULL)
		ops->state_free(cookie, cycle.state);
	cJSON_Delete(pod);
	return pre;
}

#define REQ(terms)                                                           \
	"{\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnored" \
	"DuringExecution\":{\"nodeSelectorTerms\":[" terms "]}}}}"
#define EXPR(key, op, values)                                                \
	"{\"key\":\"" key "\",\"operator\":\"" op "\",\"values\":[" values "]}"
#define TERM(exprs) "{\"matchExpressions\":[" exprs "]}"
#define FIELDS(exprs) "{\"matchFields\":[" exprs "]}"

#define REASON_POD "node(s) didn't match Pod's node affinity/selector"
#define REASON_ENFORCED "node(s) didn't match scheduler-enforced node affinity"

/* --- descriptor ------------------------------------------------------------ */

static void test_descriptor(void)
{
	is_int(k8c_plugin.abi_major, K8C_ABI_MAJOR, "abi major");
	is_int(k8c_plugin.abi_minor, K8C_ABI_MINOR, "abi minor");
	is_int(k8c_plugin.struct_size, sizeof(k8c_plugin_t), "descriptor size");
	is_int(k8c_plugin.kind, K8C_PLUGIN_SCHEDULER, "scheduler kind");
	is_str(k8c_plugin.name, "node-affinity", "name");
	is_str(k8c_plugin.version, PACKAGE_VERSION, "version");
	ok(k8c_plugin.init != NULL && k8c_plugin.fini != NULL, "init and fini");
	ops = k8c_plugin.ops;
	is_int(ops->struct_size, sizeof(k8c_sched_policy_ops_t), "ops size");
	ok(ops->pre_filter && ops->filter && ops->pre_score && ops->score &&
	   ops->normalize_score && ops->state_free, "implemented points set");
	ok(!ops->post_filter && !ops->reserve && !ops->unreserve && !ops->bind,
	   "other points left NULL");
}

/* --- filtering --------------------------------------------------------------- */

typedef struct filter_case {
	const char *name;
	const char *spec;
	int pre;            /* pre_filter result */
	const char *fits;   /* per node */
	const char *reason; /* substring of the last reason, or NULL */
} filter_case_t;

static const filter_case_t filter_cases[] = {
	{"no constraints: skipped", "{}", K8C_SCHED_SKIP, "1111", NULL},
	{"affinity null: skipped", "{\"affinity\":null}", K8C_SCHED_SKIP, "1111",
	 NULL},
	{"no nodeAffinity: skipped", "{\"affinity\":{}}", K8C_SCHED_SKIP, "1111",
	 NULL},
	{"nodeSelector", "{\"nodeSelector\":{\"zone\":\"a\"}}", 0, "1001",
	 REASON_POD},
	{"nodeSelector with two labels",
	 "{\"nodeSelector\":{\"zone\":\"a\",\"disk\":\"ssd\"}}", 0, "1000", NULL},
	{"nodeSelector {} is checked and matches all",
	 "{\"nodeSelector\":{}}", 0, "1111", NULL},
	{"nodeSelector value compared as is",
	 "{\"nodeSelector\":{\"cpu\":\"many\"}}", 0, "0001", NULL},
	{"In", REQ(TERM(EXPR("zone", "In", "\"a\""))), 0, "1001", REASON_POD},
	{"In two values", REQ(TERM(EXPR("zone", "In", "\"a\",\"b\""))), 0,
	 "1101", NULL},
	{"NotIn (absent label matches)", REQ(TERM(EXPR("zone", "NotIn", "\"a\""))),
	 0, "0110", NULL},
	{"Exists", REQ(TERM("{\"key\":\"disk\",\"operator\":\"Exists\"}")), 0,
	 "1100", NULL},
	{"DoesNotExist",
	 REQ(TERM("{\"key\":\"disk\",\"operator\":\"DoesNotExist\"}")), 0, "0011",
	 NULL},
	{"Gt (non-integer label never matches)",
	 REQ(TERM(EXPR("cpu", "Gt", "\"5\""))), 0, "1000", NULL},
	{"Lt", REQ(TERM(EXPR("cpu", "Lt", "\"5\""))), 0, "0100", NULL},
	{"Gt boundary", REQ(TERM(EXPR("cpu", "Gt", "\"8\""))), 0, "0000", NULL},
	{"expressions of a term are ANDed",
	 REQ(TERM(EXPR("zone", "In", "\"a\"") ",{\"key\":\"disk\","
	          "\"operator\":\"Exists\"}")), 0, "1000", NULL},
	{"terms are ORed",
	 REQ(TERM(EXPR("zone", "In", "\"b\"")) "," TERM(EXPR("cpu", "Gt", "\"6\""))),
	 0, "1100", NULL},
	{"matchFields In", REQ(FIELDS(EXPR("metadata.name", "In", "\"node-2\""))),
	 0, "0100", NULL},
	{"matchFields NotIn",
	 REQ(FIELDS(EXPR("metadata.name", "NotIn", "\"node-2\""))), 0, "1011",
	 NULL},
	{"matchExpressions and matchFields ANDed",
	 REQ("{\"matchExpressions\":[" EXPR("zone", "In", "\"a\"") "],"
	     "\"matchFields\":[" EXPR("metadata.name", "In", "\"node-4\"") "]}"),
	 0, "0001", NULL},
	{"terms pinning names are ORed",
	 REQ(FIELDS(EXPR("metadata.name", "In", "\"node-1\"")) ","
	     FIELDS(EXPR("metadata.name", "In", "\"node-3\""))), 0, "1010", NULL},
	{"nodeSelector and affinity both apply",
	 "{\"nodeSelector\":{\"zone\":\"a\"},\"affinity\":{\"nodeAffinity\":{"
	 "\"requiredDuringSchedulingIgnoredDuringExecution\":{\"nodeSelectorTerms\":"
	 "[" TERM("{\"key\":\"disk\",\"operator\":\"Exists\"}") "]}}}}",
	 0, "1000", NULL},
	{"nodeSelector and affinity disagree",
	 "{\"nodeSelector\":{\"zone\":\"b\"},\"affinity\":{\"nodeAffinity\":{"
	 "\"requiredDuringSchedulingIgnoredDuringExecution\":{\"nodeSelectorTerms\":"
	 "[" TERM(EXPR("zone", "In", "\"a\"")) "]}}}}", 0, "0000", REASON_POD},
	{"no terms match nothing", REQ(""), 0, "0000", REASON_POD},
	{"no nodeSelectorTerms member matches nothing",
	 "{\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnored"
	 "DuringExecution\":{}}}}", 0, "0000", NULL},
	{"an empty term matches nothing", REQ("{}"), 0, "0000", NULL},
	{"a term with empty lists matches nothing",
	 REQ("{\"matchExpressions\":[],\"matchFields\":[]}"), 0, "0000", NULL},
	{"a null term matches nothing", REQ("null"), 0, "0000", NULL},
	{"an empty term beside a real one",
	 REQ("{}," TERM(EXPR("zone", "In", "\"b\""))), 0, "0100", NULL},
	{"preferred only: filter skipped",
	 "{\"affinity\":{\"nodeAffinity\":{\"preferredDuringSchedulingIgnored"
	 "DuringExecution\":[{\"weight\":1,\"preference\":"
	 TERM(EXPR("zone", "In", "\"a\"")) "}]}}}", K8C_SCHED_SKIP, "1111", NULL},
	{"names that cannot all hold: conflict",
	 REQ(FIELDS(EXPR("metadata.name", "In", "\"node-1\"") ","
	            EXPR("metadata.name", "In", "\"node-2\""))),
	 K8C_SCHED_UNRESOLVABLE, "----", "pod affinity terms conflict"},
	{"conflict in one term only is no conflict",
	 REQ(FIELDS(EXPR("metadata.name", "In", "\"node-1\"") ","
	            EXPR("metadata.name", "In", "\"node-2\"")) ","
	     FIELDS(EXPR("metadata.name", "In", "\"node-3\""))), 0, "0010", NULL},
	/* malformed: UNRESOLVABLE with a reason naming the problem */
	{"unknown operator", REQ(TERM(EXPR("zone", "Foo", "\"a\""))),
	 K8C_SCHED_UNRESOLVABLE, "----",
	 "invalid node affinity: spec.affinity.nodeAffinity.requiredDuring"
	 "SchedulingIgnoredDuringExecution.nodeSelectorTerms[0]."
	 "matchExpressions[0].operator: Unsupported value: \"Foo\""},
	{"lower-case operator", REQ(TERM(EXPR("zone", "in", "\"a\""))),
	 K8C_SCHED_UNRESOLVABLE, "----", "Unsupported value: \"in\""},
	{"missing operator", REQ(TERM("{\"key\":\"zone\"}")),
	 K8C_SCHED_UNRESOLVABLE, "----", "Unsupported value: \"\""},
	{"Gt with a word", REQ(TERM(EXPR("cpu", "Gt", "\"lots\""))),
	 K8C_SCHED_UNRESOLVABLE, "----", "the value must be an integer"},
	{"Lt with two values", REQ(TERM(EXPR("cpu", "Lt", "\"1\",\"2\""))),
	 K8C_SCHED_UNRESOLVABLE, "----", "exactly one value is required"},
	{"In without values", REQ(TERM(EXPR("zone", "In", ""))),
	 K8C_SCHED_UNRESOLVABLE, "----", "values set can't be empty"},
	{"Exists with values", REQ(TERM(EXPR("zone", "Exists", "\"a\""))),
	 K8C_SCHED_UNRESOLVABLE, "----", "values set must be empty"},
	{"bad key", REQ(TERM("{\"key\":\"bad key\",\"operator\":\"Exists\"}")),
	 K8C_SCHED_UNRESOLVABLE, "----", "Invalid value: \"bad key\""},
	{"bad value", REQ(TERM(EXPR("zone", "In", "\"a b\""))),
	 K8C_SCHED_UNRESOLVABLE, "----", "Invalid value: \"a b\""},
	{"second term is bad",
	 REQ(TERM(EXPR("zone", "In", "\"a\"")) "," TERM(EXPR("zone", "Gt", "\"x\""))),
	 K8C_SCHED_UNRESOLVABLE, "----", "nodeSelectorTerms[1]"},
	{"matchFields on another field",
	 REQ(FIELDS(EXPR("metadata.namespace", "In", "\"x\""))),
	 K8C_SCHED_UNRESOLVABLE, "----",
	 "Unsupported value: \"metadata.namespace\""},
	{"matchFields with Exists",
	 REQ(FIELDS("{\"key\":\"metadata.name\",\"operator\":\"Exists\"}")),
	 K8C_SCHED_UNRESOLVABLE, "----", "supported values: \"In\", \"NotIn\""},
	{"matchFields with two names",
	 REQ(FIELDS(EXPR("metadata.name", "In", "\"a\",\"b\""))),
	 K8C_SCHED_UNRESOLVABLE, "----", "must have one element"},
	{"values not strings", REQ(TERM(EXPR("cpu", "Gt", "5"))),
	 K8C_SCHED_UNRESOLVABLE, "----", "values[0]: must be a string"},
	{"nodeSelectorTerms not an array",
	 "{\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnored"
	 "DuringExecution\":{\"nodeSelectorTerms\":{}}}}}",
	 K8C_SCHED_UNRESOLVABLE, "----", "must be an array"},
	{"nodeSelector value not a string", "{\"nodeSelector\":{\"zone\":1}}",
	 K8C_SCHED_UNRESOLVABLE, "----", "spec.nodeSelector[zone]: must be a string"},
	{"affinity not an object", "{\"affinity\":\"zone=a\"}",
	 K8C_SCHED_UNRESOLVABLE, "----", "spec.affinity: must be an object"},
	{"bad preferred term on a pod that would be skipped",
	 "{\"affinity\":{\"nodeAffinity\":{\"preferredDuringSchedulingIgnored"
	 "DuringExecution\":[{\"weight\":1,\"preference\":"
	 TERM(EXPR("zone", "Near", "\"a\"")) "}]}}}",
	 K8C_SCHED_UNRESOLVABLE, "----", "preference.matchExpressions[0].operator"},
	{"preferred weight 0",
	 "{\"affinity\":{\"nodeAffinity\":{\"preferredDuringSchedulingIgnored"
	 "DuringExecution\":[{\"weight\":0,\"preference\":{}}]}}}",
	 K8C_SCHED_UNRESOLVABLE, "----", "in the range 1-100"},
	{"preferred weight 101",
	 "{\"affinity\":{\"nodeAffinity\":{\"preferredDuringSchedulingIgnored"
	 "DuringExecution\":[{\"weight\":101,\"preference\":{}}]}}}",
	 K8C_SCHED_UNRESOLVABLE, "----", "in the range 1-100"},
	{"preferred weight 1.5",
	 "{\"affinity\":{\"nodeAffinity\":{\"preferredDuringSchedulingIgnored"
	 "DuringExecution\":[{\"weight\":1.5,\"preference\":{}}]}}}",
	 K8C_SCHED_UNRESOLVABLE, "----", "weight"},
	{"preferred weight 1e300",
	 "{\"affinity\":{\"nodeAffinity\":{\"preferredDuringSchedulingIgnored"
	 "DuringExecution\":[{\"weight\":1e300,\"preference\":{}}]}}}",
	 K8C_SCHED_UNRESOLVABLE, "----", "in the range 1-100"},
	{"preferred weight a string",
	 "{\"affinity\":{\"nodeAffinity\":{\"preferredDuringSchedulingIgnored"
	 "DuringExecution\":[{\"weight\":\"5\",\"preference\":{}}]}}}",
	 K8C_SCHED_UNRESOLVABLE, "----", "in the range 1-100"},
	{"spec not an object", "[]", K8C_SCHED_UNRESOLVABLE, "----",
	 "spec: must be an object"},
};

static void test_filter_cases(void)
{
	void *cookie = instance("{}");

	ok(cookie != NULL, "instance without config");
	for (size_t i = 0; i < sizeof(filter_cases) / sizeof(filter_cases[0]); i++) {
		const filter_case_t *c = &filter_cases[i];
		char fits[N_NODES + 1], reason[K8C_SCHED_REASON_MAX];
		int pre;

		pre = run_filter(cookie, c->spec, fits, reason);
		is_int(pre, c->pre, "%s: pre_filter", c->name);
		is_str(fits, c->fits, "%s: nodes that fit", c->name);
		if (c->reason != NULL && !ok(strstr(reason, c->reason) != NULL,
		                             "%s: reason has \"%s\"", c->name, c->reason))
			diag("reason: %s", reason);
	}
	k8c_plugin.fini(cookie);
}

static void test_filter_details(void)
{
	void *cookie = instance("{}");
	cJSON *pod = make_pod(REQ(TERM(EXPR("zone", "In", "\"a\""))));
	cJSON *noname = cJSON_Parse("{\"metadata\":{\"labels\":{\"zone\":\"a\"}}}");
	k8c_sched_cycle_t cycle = {.pod = pod};
	k8c_sched_node_t n = {0};
	char reason[K8C_SCHED_REASON_MAX];
	int warns = fh.lines[K8C_LOG_WARN];

	/* Without pre_filter, filter works from the pod itself. */
	is_int(ops->filter(cookie, &cycle, &nodes[0], reason), K8C_SCHED_SUCCESS,
	       "filter without pre_filter state: node-1 fits");
	is_int(ops->filter(cookie, &cycle, &nodes[1], reason),
	       K8C_SCHED_UNRESOLVABLE, "filter without state: node-2 does not");
	is_str(reason, REASON_POD, "reason in Kubernetes' wording");
	cJSON_Delete(pod);

	/* A node known only by its JSON: the name comes from metadata. */
	pod = make_pod(REQ(FIELDS(EXPR("metadata.name", "In", "\"node-2\""))));
	cycle.pod = pod;
	cycle.state = NULL;
	is_int(ops->pre_filter(cookie, &cycle, reason), K8C_SCHED_SUCCESS,
	       "matchFields pod pre_filter");
	n.node = node_obj[1];
	fake_sched_node_fill(&n);
	is_int(ops->filter(cookie, &cycle, &n, reason), K8C_SCHED_SUCCESS,
	       "name taken from metadata.name when node->name is NULL");
	n.node = node_obj[0];
	fake_sched_node_fill(&n);
	is_int(ops->filter(cookie, &cycle, &n, reason), K8C_SCHED_UNRESOLVABLE,
	       "and compared");
	/* As kube-scheduler, a node without any name has no fields to check. */
	n.node = noname;
	fake_sched_node_fill(&n);
	is_int(ops->filter(cookie, &cycle, &n, reason), K8C_SCHED_SUCCESS,
	       "nameless node: matchFields not checked");
	ops->state_free(cookie, cycle.state);
	cJSON_Delete(pod);
	cJSON_Delete(noname);

	/* Odd node objects do not crash: labels that are no object are none. */
	{
		cJSON *odd = cJSON_Parse("{\"metadata\":{\"name\":\"x\","
		                         "\"labels\":[\"zone\",\"a\"]}}");
		cJSON *arr = cJSON_Parse("[1,2]");

		pod = make_pod("{\"nodeSelector\":{\"zone\":\"a\"}}");
		cycle.pod = pod;
		cycle.state = NULL;
		ops->pre_filter(cookie, &cycle, reason);
		n.name = NULL;
		n.node = odd;
		fake_sched_node_fill(&n);
	fake_sched_node_fill(&n);
		is_int(ops->filter(cookie, &cycle, &n, reason),
		       K8C_SCHED_UNRESOLVABLE, "labels as an array: no labels");
		n.node = arr;
		fake_sched_node_fill(&n);
	fake_sched_node_fill(&n);
		is_int(ops->filter(cookie, &cycle, &n, reason),
		       K8C_SCHED_UNRESOLVABLE, "node as an array: no labels");
		n.node = NULL;
		is_int(ops->filter(cookie, &cycle, &n, reason),
		       K8C_SCHED_UNRESOLVABLE, "no node object: no labels");
		ops->state_free(cookie, cycle.state);
		cJSON_Delete(pod);
		cJSON_Delete(odd);
		cJSON_Delete(arr);
	}

	/* A pod that is no object has no constraints. */
	pod = cJSON_Parse("[]");
	cycle.pod = pod;
	cycle.state = NULL;
	is_int(ops->pre_filter(cookie, &cycle, reason), K8C_SCHED_SKIP,
	       "pod as an array: nothing to check");
	cJSON_Delete(pod);

	/* An invalid pod is logged once, with its key. */
	pod = make_pod(REQ(TERM(EXPR("zone", "Foo", "\"a\""))));
	cycle.pod = pod;
	cycle.state = NULL;
	is_int(ops->pre_filter(cookie, &cycle, reason), K8C_SCHED_UNRESOLVABLE,
	       "invalid pod refused");
	ok(cycle.state == NULL, "no state left behind on refusal");
	is_int(fh.lines[K8C_LOG_WARN], warns + 1, "one warning logged");
	ok(strstr(fh.last, "default/p") != NULL && strstr(fh.last, "Foo") != NULL,
	   "warning names the pod and the problem: %s", fh.last);
	is_int(ops->filter(cookie, &cycle, &nodes[0], reason),
	       K8C_SCHED_UNRESOLVABLE, "filter without state refuses it too");
	ok(strncmp(reason, "invalid node affinity: ", 23) == 0,
	   "filter reason: %s", reason);
	ok(strlen(reason) < K8C_SCHED_REASON_MAX, "reason fits its buffer");
	cJSON_Delete(pod);

	k8c_plugin.fini(cookie);
}

/* --- scoring ------------------------------------------------------------------ */

#define PREFERRED(terms)                                                     \
	"{\"affinity\":{\"nodeAffinity\":{\"preferredDuringSchedulingIgnored" \
	"DuringExecution\":[" terms "]}}}"
#define PREF(weight, term) "{\"weight\":" #weight ",\"preference\":" term "}"

/* pre_filter, pre_score, score and normalize_score over all nodes. */
static void run_score(void *cookie, const char *spec, int use_pre_score,
                      int64_t raw[N_NODES], int64_t norm[N_NODES])
{
	cJSON *pod = make_pod(spec);
	k8c_sched_cycle_t cycle = {.pod = pod};
	k8c_sched_node_score_t scores[N_NODES];
	char reason[K8C_SCHED_REASON_MAX];

	ops->pre_filter(cookie, &cycle, reason);
	if (use_pre_score) {
		int code = ops->pre_score(cookie, &cycle, node_ptrs, N_NODES);
		/* SKIP when nothing is preferred (the host then calls no score) */
		ok(code == K8C_SCHED_SUCCESS || code == K8C_SCHED_SKIP, "pre_score");
	}
	for (int i = 0; i < N_NODES; i++) {
		raw[i] = -1;
		ops->score(cookie, &cycle, &nodes[i], &raw[i]);
		scores[i].name = nodes[i].name;
		scores[i].score = raw[i];
	}
	ops->normalize_score(cookie, &cycle, scores, N_NODES);
	for (int i = 0; i < N_NODES; i++)
		norm[i] = scores[i].score;
	if (cycle.state != NULL)
		ops->state_free(cookie, cycle.state);
	cJSON_Delete(pod);
}

static void test_score(void)
{
	void *cookie = instance("{}");
	int64_t raw[N_NODES], norm[N_NODES];
	const char *spec = PREFERRED(
		PREF(10, TERM(EXPR("zone", "In", "\"a\""))) ","
		PREF(5, TERM("{\"key\":\"disk\",\"operator\":\"Exists\"}")) ","
		PREF(20, FIELDS(EXPR("metadata.name", "In", "\"node-3\""))) ","
		PREF(50, "{}"));
	const int64_t want_raw[N_NODES] = {15, 5, 20, 10};
	const int64_t want_norm[N_NODES] = {75, 25, 100, 50};

	for (int pass = 0; pass < 2; pass++) {
		run_score(cookie, spec, pass == 0, raw, norm);
		for (int i = 0; i < N_NODES; i++) {
			is_int(raw[i], want_raw[i], "%s: node-%d raw score (sum of "
			       "matching weights, empty term ignored)",
			       pass ? "without pre_score" : "with pre_score", i + 1);
			is_int(norm[i], want_norm[i], "node-%d normalized", i + 1);
		}
	}

	/* Required and preferred together: state from pre_filter is reused. */
	run_score(cookie, "{\"nodeSelector\":{\"zone\":\"a\"},\"affinity\":{"
	          "\"nodeAffinity\":{\"preferredDuringSchedulingIgnoredDuring"
	          "Execution\":[" PREF(3, TERM(EXPR("cpu", "Gt", "\"4\""))) "]}}}",
	          1, raw, norm);
	is_int(raw[0], 3, "Gt preference on node-1");
	is_int(raw[1], 0, "no preference on node-2");
	is_int(norm[0], 100, "node-1 normalized to 100");

	/* No preferences: zeros stay zeros. */
	run_score(cookie, "{}", 1, raw, norm);
	for (int i = 0; i < N_NODES; i++)
		ok(raw[i] == 0 && norm[i] == 0, "no preferences: node-%d scores 0",
		   i + 1);
	k8c_plugin.fini(cookie);
}

static void test_normalize(void)
{
	k8c_sched_node_score_t s[4] = {
		{"a", 0}, {"b", 3}, {"c", -7}, {"d", 9},
	};
	k8c_sched_node_score_t big[2] = {
		{"a", INT64_MAX}, {"b", INT64_MAX / 2},
	};
	k8c_sched_node_score_t zero[2] = {{"a", 0}, {"b", 0}};

	ops->normalize_score(NULL, NULL, s, 4);
	is_int(s[0].score, 0, "0 stays 0");
	is_int(s[1].score, 33, "3 of 9 -> 33");
	is_int(s[2].score, 0, "negative clamps to 0");
	is_int(s[3].score, 100, "max -> 100");
	ops->normalize_score(NULL, NULL, big, 2);
	is_int(big[0].score, 100, "huge max -> 100 without overflow");
	is_int(big[1].score, 49, "half of huge -> 49");
	ops->normalize_score(NULL, NULL, zero, 2);
	ok(zero[0].score == 0 && zero[1].score == 0, "all zero stays zero");
	is_int(ops->normalize_score(NULL, NULL, NULL, 0), K8C_SCHED_SUCCESS,
	       "no nodes");
}

static void test_score_invalid(void)
{
	void *cookie = instance("{}");
	cJSON *pod = make_pod(PREFERRED(PREF(1, TERM(EXPR("a", "Gt", "\"x\"")))));
	k8c_sched_cycle_t cycle = {.pod = pod};
	int64_t score = -1;

	is_int(ops->pre_score(cookie, &cycle, node_ptrs, N_NODES), K8C_SCHED_ERROR,
	       "pre_score on an invalid pod (pre_filter not run) is an error");
	ok(cycle.state == NULL, "no state set");
	is_int(ops->score(cookie, &cycle, &nodes[0], &score), K8C_SCHED_ERROR,
	       "score on an invalid pod is an error");
	cJSON_Delete(pod);
	k8c_plugin.fini(cookie);
}

/* --- addedAffinity ------------------------------------------------------------ */

#define ADDED                                                                \
	"{\"addedAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":" \
	"{\"nodeSelectorTerms\":[" TERM(EXPR("zone", "In", "\"a\",\"b\"")) ","  \
	FIELDS(EXPR("metadata.name", "In", "\"node-3\"")) "]},"                  \
	"\"preferredDuringSchedulingIgnoredDuringExecution\":["                  \
	PREF(7, TERM(EXPR("disk", "In", "\"ssd\""))) "]}}"

static void test_added_affinity(void)
{
	void *cookie = instance(ADDED);
	void *plain = instance("{}");
	char fits[N_NODES + 1], reason[K8C_SCHED_REASON_MAX];
	int64_t raw[N_NODES], norm[N_NODES];
	cJSON *pod;
	k8c_sched_cycle_t cycle;

	if (!ok(cookie != NULL && plain != NULL, "instances with addedAffinity"))
		return;
	ok(strstr(fh.last, "addedAffinity") != NULL, "init logs the added terms");
	is_int(run_filter(cookie, "{}", fits, reason), K8C_SCHED_SUCCESS,
	       "a pod without constraints is not skipped");
	is_str(fits, "1111", "all nodes satisfy the added terms (ORed)");

	nodes[2].name = "node-9";
	is_int(run_filter(cookie, "{}", fits, reason), K8C_SCHED_SUCCESS,
	       "pre_filter with a renamed node");
	is_str(fits, "1101", "a node outside the added terms does not fit");
	is_str(reason, REASON_ENFORCED, "reason says scheduler-enforced");
	nodes[2].name = "node-3";

	is_int(run_filter(cookie, "{\"nodeSelector\":{\"disk\":\"hdd\"}}", fits,
	                  reason), K8C_SCHED_SUCCESS, "pod nodeSelector too");
	is_str(fits, "0100", "both the added terms and the pod's apply");

	/* The enforced check comes first. */
	pod = make_pod("{\"nodeSelector\":{\"zone\":\"c\"}}");
	cycle = (k8c_sched_cycle_t){.pod = pod};
	ops->pre_filter(cookie, &cycle, reason);
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(cJSON_GetObjectItem(
		node_obj[0], "metadata"), "labels"), "zone", cJSON_CreateString("c"));
	is_int(ops->filter(cookie, &cycle, &nodes[0], reason),
	       K8C_SCHED_UNRESOLVABLE, "zone=c fails the added terms");
	is_str(reason, REASON_ENFORCED, "enforced reason first");
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(cJSON_GetObjectItem(
		node_obj[0], "metadata"), "labels"), "zone", cJSON_CreateString("a"));
	is_int(ops->filter(cookie, &cycle, &nodes[0], reason),
	       K8C_SCHED_UNRESOLVABLE, "zone=a fails the pod");
	is_str(reason, REASON_POD, "then the pod's reason");
	ops->state_free(cookie, cycle.state);
	cJSON_Delete(pod);

	/* The other instance is unaffected. */
	is_int(run_filter(plain, "{}", fits, reason), K8C_SCHED_SKIP,
	       "an instance without addedAffinity still skips");

	run_score(cookie, "{}", 1, raw, norm);
	is_int(raw[0], 7, "added preference scores node-1");
	is_int(raw[1], 0, "not node-2");
	is_int(norm[0], 100, "normalized");
	run_score(cookie, PREFERRED(PREF(14, TERM(EXPR("zone", "In", "\"b\"")))),
	          1, raw, norm);
	is_int(raw[0], 7, "node-1: added 7");
	is_int(raw[1], 14, "node-2: pod's 14");
	is_int(norm[0], 50, "node-1 normalized 50");
	is_int(norm[1], 100, "node-2 normalized 100");
	run_score(plain, "{}", 1, raw, norm);
	is_int(raw[0], 0, "plain instance: no added preference");

	k8c_plugin.fini(cookie);
	k8c_plugin.fini(plain);
}

static void test_config_errors(void)
{
	static const struct { const char *config, *errsub; } bad[] = {
		{"{\"addedAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
		 "{\"nodeSelectorTerms\":[" TERM(EXPR("zone", "Near", "\"a\"")) "]}}}",
		 "addedAffinity.requiredDuringSchedulingIgnoredDuringExecution."
		 "nodeSelectorTerms[0].matchExpressions[0].operator: Unsupported "
		 "value: \"Near\""},
		{"{\"addedAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
		 "{\"nodeSelectorTerms\":[]}}}",
		 "must have at least one node selector term"},
		{"{\"addedAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
		 "{}}}", "must have at least one node selector term"},
		{"{\"addedAffinity\":{\"preferredDuringSchedulingIgnoredDuringExecution\":"
		 "[" PREF(0, TERM(EXPR("zone", "In", "\"a\""))) "]}}",
		 "addedAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]."
		 "weight"},
		{"{\"addedAffinity\":{\"preferredDuringSchedulingIgnoredDuringExecution\":"
		 "[" PREF(1, TERM(EXPR("cpu", "Lt", "\"x\""))) "]}}",
		 "must be an integer"},
		{"{\"addedAffinity\":[]}", "addedAffinity: must be an object"},
		{"[]", "config must be an object"},
	};
	void *cookie;
	k8c_error_t err;
	int warns;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cJSON *cfg = cJSON_Parse(bad[i].config);

		cookie = (void *)1;
		k8c_error_clear(&err);
		is_int(k8c_plugin.init(&fh.host, cfg, &cookie, &err), -K8C_EINVAL,
		       "bad config %zu refused", i);
		is_int(err.code, K8C_EINVAL, "EINVAL");
		if (!ok(strstr(err.message, bad[i].errsub) != NULL,
		        "message has \"%s\"", bad[i].errsub))
			diag("message: %s", err.message);
		cJSON_Delete(cfg);
	}

	warns = fh.lines[K8C_LOG_WARN];
	cookie = instance("{\"addedAfinity\":{}}");
	ok(cookie != NULL, "unknown config field accepted");
	is_int(fh.lines[K8C_LOG_WARN], warns + 1, "and warned about");
	ok(strstr(fh.last, "addedAfinity") != NULL, "warning names it: %s", fh.last);
	k8c_plugin.fini(cookie);

	cookie = instance("{\"addedAffinity\":null}");
	ok(cookie != NULL, "addedAffinity null is none");
	k8c_plugin.fini(cookie);
	k8c_plugin.fini(NULL);
}

int main(void)
{
	fake_host_init(&fh);
	fixtures_init();
	test_descriptor();
	test_filter_cases();
	test_filter_details();
	test_score();
	test_normalize();
	test_score_invalid();
	test_added_affinity();
	test_config_errors();
	fixtures_fini();
	configs_free();
	return done_testing();
}
