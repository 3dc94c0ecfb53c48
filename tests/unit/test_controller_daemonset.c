/* The daemonset controller plugin: its pure parts (node eligibility,
 * default tolerations, the node of a pod, hashes, percentages) and its
 * reconcile against a fake controller host (tests/unit/fake_controller_host.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/controller.h>

#include "common/json_path.h"
#include "ds.h"
#include "fake_controller_host.h"
#include "tap.h"

extern const k8c_plugin_t k8c_plugin;

static cJSON *J(const char *text)
{
	cJSON *j = cJSON_Parse(text);

	if (j == NULL) {
		printf("Bail out! bad JSON in the test: %s\n", text);
		exit(1);
	}
	return j;
}

/* --- eligibility ---------------------------------------------------------- */

static int should(const char *tmpl_spec, const char *name, const char *labels,
                  const char *taints, int *cont)
{
	cJSON *spec = J(tmpl_spec), *l = labels ? J(labels) : NULL, *t = taints ? J(taints) : NULL;
	ds_node_t node = {.name = name, .labels = l, .taints = t};
	ds_sched_t s;
	k8c_error_t err;
	int run = -1, c = -1;

	if (ds_sched_parse(spec, &s, &err) == 0) {
		ds_node_should_run(&s, &node, &run, &c);
		ds_sched_free(&s);
	}
	cJSON_Delete(spec);
	cJSON_Delete(l);
	cJSON_Delete(t);
	if (cont != NULL)
		*cont = c;
	return run;
}

static void test_eligibility(void)
{
	int cont;

	is_int(should("{}", "n1", NULL, NULL, &cont), 1, "no constraints: runs everywhere");
	is_int(cont, 1, "... and continues");
	is_int(should("{\"nodeSelector\":{\"role\":\"edge\"}}", "n1", "{\"role\":\"edge\"}", NULL, NULL), 1,
	       "nodeSelector matches");
	is_int(should("{\"nodeSelector\":{\"role\":\"edge\"}}", "n1", "{\"role\":\"core\"}", NULL, &cont), 0,
	       "nodeSelector does not match");
	is_int(cont, 0, "... and a pod there does not continue");
	is_int(should("{\"nodeName\":\"n2\"}", "n1", NULL, NULL, NULL), 0, "spec.nodeName names another node");
	is_int(should("{\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
	              "{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"zone\",\"operator\":\"In\","
	              "\"values\":[\"a\",\"b\"]}]}]}}}}", "n1", "{\"zone\":\"b\"}", NULL, NULL), 1,
	       "required node affinity In matches");
	is_int(should("{\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
	              "{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"zone\",\"operator\":\"NotIn\","
	              "\"values\":[\"b\"]}]}]}}}}", "n1", "{\"zone\":\"b\"}", NULL, NULL), 0,
	       "required node affinity NotIn excludes");
	is_int(should("{\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
	              "{\"nodeSelectorTerms\":[{\"matchFields\":[{\"key\":\"metadata.name\",\"operator\":\"In\","
	              "\"values\":[\"n1\"]}]}]}}}}", "n1", NULL, NULL, NULL), 1, "matchFields metadata.name In");
	is_int(should("{\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
	              "{\"nodeSelectorTerms\":[{\"matchFields\":[{\"key\":\"metadata.name\",\"operator\":\"In\","
	              "\"values\":[\"n2\"]}]},{\"matchExpressions\":[{\"key\":\"gpu\",\"operator\":\"Exists\"}]}]}}}}",
	              "n1", "{\"gpu\":\"yes\"}", NULL, NULL), 1, "terms are ORed");
	is_int(should("{\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
	              "{\"nodeSelectorTerms\":[{}]}}}}", "n1", NULL, NULL, NULL), 0, "an empty term matches nothing");
	is_int(should("{\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
	              "{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"x\",\"operator\":\"Bogus\"}]}]}}}}",
	              "n1", NULL, NULL, NULL), 0, "a malformed term matches nothing");

	is_int(should("{}", "n1", NULL, "[{\"key\":\"k\",\"value\":\"v\",\"effect\":\"NoSchedule\"}]", &cont), 0,
	       "an untolerated NoSchedule taint: no new pod");
	is_int(cont, 1, "... but a pod there continues");
	is_int(should("{}", "n1", NULL, "[{\"key\":\"k\",\"effect\":\"NoExecute\"}]", &cont), 0,
	       "an untolerated NoExecute taint: no pod");
	is_int(cont, 0, "... and a pod there goes");
	is_int(should("{}", "n1", NULL, "[{\"key\":\"k\",\"effect\":\"PreferNoSchedule\"}]", NULL), 1,
	       "PreferNoSchedule does not count");
	is_int(should("{\"tolerations\":[{\"key\":\"k\",\"operator\":\"Equal\",\"value\":\"v\"}]}", "n1", NULL,
	              "[{\"key\":\"k\",\"value\":\"v\",\"effect\":\"NoExecute\"}]", NULL), 1,
	       "an Equal toleration with the value tolerates");
	is_int(should("{\"tolerations\":[{\"key\":\"k\",\"value\":\"w\"}]}", "n1", NULL,
	              "[{\"key\":\"k\",\"value\":\"v\",\"effect\":\"NoSchedule\"}]", NULL), 0,
	       "another value does not");
	is_int(should("{\"tolerations\":[{\"operator\":\"Exists\"}]}", "n1", NULL,
	              "[{\"key\":\"a\",\"effect\":\"NoSchedule\"},{\"key\":\"b\",\"effect\":\"NoExecute\"}]", NULL), 1,
	       "Exists without a key tolerates everything");
	is_int(should("{}", "n1", NULL,
	              "[{\"key\":\"node.kubernetes.io/not-ready\",\"effect\":\"NoExecute\"},"
	              "{\"key\":\"node.kubernetes.io/unreachable\",\"effect\":\"NoExecute\"},"
	              "{\"key\":\"node.kubernetes.io/unschedulable\",\"effect\":\"NoSchedule\"},"
	              "{\"key\":\"node.kubernetes.io/disk-pressure\",\"effect\":\"NoSchedule\"},"
	              "{\"key\":\"node.kubernetes.io/memory-pressure\",\"effect\":\"NoSchedule\"},"
	              "{\"key\":\"node.kubernetes.io/pid-pressure\",\"effect\":\"NoSchedule\"}]", NULL), 1,
	       "the default tolerations tolerate the node condition taints");
	is_int(should("{}", "n1", NULL,
	              "[{\"key\":\"node.kubernetes.io/network-unavailable\",\"effect\":\"NoSchedule\"}]", NULL), 0,
	       "network-unavailable is not tolerated without hostNetwork");
	is_int(should("{\"hostNetwork\":true}", "n1", NULL,
	              "[{\"key\":\"node.kubernetes.io/network-unavailable\",\"effect\":\"NoSchedule\"}]", NULL), 1,
	       "... and is with hostNetwork");
}

static void test_tolerations(void)
{
	cJSON *spec = J("{\"tolerations\":[{\"key\":\"node.kubernetes.io/not-ready\",\"operator\":\"Exists\","
	                "\"effect\":\"NoExecute\",\"tolerationSeconds\":300},{\"key\":\"mine\"}]}");
	char *text = NULL;

	ds_add_default_tolerations(spec);
	text = cJSON_PrintUnformatted(cJSON_GetObjectItem(spec, "tolerations"));
	is_str(text,
	       "[{\"key\":\"node.kubernetes.io/not-ready\",\"operator\":\"Exists\",\"effect\":\"NoExecute\"},"
	       "{\"key\":\"mine\"},"
	       "{\"key\":\"node.kubernetes.io/unreachable\",\"operator\":\"Exists\",\"effect\":\"NoExecute\"},"
	       "{\"key\":\"node.kubernetes.io/disk-pressure\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"},"
	       "{\"key\":\"node.kubernetes.io/memory-pressure\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"},"
	       "{\"key\":\"node.kubernetes.io/pid-pressure\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"},"
	       "{\"key\":\"node.kubernetes.io/unschedulable\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]",
	       "default tolerations: a matching one loses tolerationSeconds, the rest are appended");
	free(text);
	ds_add_default_tolerations(spec);
	is_int(cJSON_GetArraySize(cJSON_GetObjectItem(spec, "tolerations")), 7, "adding them twice changes nothing");
	cJSON_Delete(spec);
}

static void test_node_affinity(void)
{
	cJSON *spec = J("{\"affinity\":{\"podAntiAffinity\":{},\"nodeAffinity\":{"
	                "\"requiredDuringSchedulingIgnoredDuringExecution\":{\"nodeSelectorTerms\":"
	                "[{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Exists\"}]}]},"
	                "\"preferredDuringSchedulingIgnoredDuringExecution\":[]}}}");
	cJSON *pod = cJSON_CreateObject();
	char *text = NULL;

	ds_replace_node_affinity(spec, "n7");
	text = cJSON_PrintUnformatted(spec);
	is_str(text,
	       "{\"affinity\":{\"podAntiAffinity\":{},\"nodeAffinity\":{"
	       "\"requiredDuringSchedulingIgnoredDuringExecution\":{\"nodeSelectorTerms\":[{\"matchFields\":"
	       "[{\"key\":\"metadata.name\",\"operator\":\"In\",\"values\":[\"n7\"]}]}]},"
	       "\"preferredDuringSchedulingIgnoredDuringExecution\":[]}}}",
	       "the required terms become matchFields metadata.name In [node]; the rest stays");
	cJSON_AddItemToObject(pod, "spec", spec);
	free(text);
	is_str(ds_target_node(pod), "n7", "the target node of an unscheduled pod comes from the term");
	cJSON_AddStringToObject(spec, "nodeName", "n8");
	is_str(ds_target_node(pod), "n8", "spec.nodeName wins");
	cJSON_Delete(pod);
	pod = J("{\"spec\":{}}");
	ok(ds_target_node(pod) == NULL, "no node at all: NULL");
	cJSON_Delete(pod);
}

static void test_values(void)
{
	cJSON *t1 = J("{\"metadata\":{\"labels\":{\"a\":\"1\",\"b\":\"2\"}},\"spec\":{\"x\":1}}");
	cJSON *t2 = J("{\"spec\":{\"x\":1},\"metadata\":{\"labels\":{\"b\":\"2\",\"a\":\"1\"}}}");
	cJSON *pct = J("[\"10%\",\"100%\",3,\"x\",\"5\"]");
	char *h1 = ds_compute_hash(t1, -1), *h2 = ds_compute_hash(t2, -1), *h3 = ds_compute_hash(t1, 1);
	int v = 0;

	is_str(h1, h2, "the hash does not depend on key order");
	ok(strcmp(h1, h3) != 0, "a collision count changes it");
	ok(strspn(h1, "bcdfghjklmnpqrstvwxz2456789") == strlen(h1) && strlen(h1) >= 1,
	   "hash %s uses kube's safe alphabet", h1);
	ok(ds_scaled_value(cJSON_GetArrayItem(pct, 0), 15, &v) == 0 && v == 2, "10%% of 15 rounds up to 2");
	ok(ds_scaled_value(cJSON_GetArrayItem(pct, 1), 15, &v) == 0 && v == 15, "100%% of 15");
	ok(ds_scaled_value(cJSON_GetArrayItem(pct, 2), 15, &v) == 0 && v == 3, "an integer is itself");
	ok(ds_scaled_value(cJSON_GetArrayItem(pct, 3), 15, &v) < 0, "\"x\" is refused");
	ok(ds_scaled_value(cJSON_GetArrayItem(pct, 4), 15, &v) < 0, "\"5\" (no %%) is refused");
	free(h1);
	free(h2);
	free(h3);
	cJSON_Delete(t1);
	cJSON_Delete(t2);
	cJSON_Delete(pct);
}

/* --- reconcile against the fake host -------------------------------------- */

typedef struct env {
	fake_ctl_t f;
	void *cookie;
	const k8c_controller_ops_t *ops;
} env_t;

static void env_init(env_t *e)
{
	k8c_error_t err;

	e->ops = k8c_plugin.ops;
	fake_ctl_init(&e->f, e->ops->watches, e->ops->n_watches);
	if (k8c_plugin.init(&e->f.fh.host, NULL, &e->cookie, &err) < 0) {
		printf("Bail out! init: %s\n", err.message);
		exit(1);
	}
}

static void env_free(env_t *e)
{
	k8c_plugin.fini(e->cookie);
	fake_ctl_free(&e->f);
}

static void add_node(env_t *e, const char *name, const char *taints)
{
	cJSON *n = cJSON_CreateObject(), *meta = cJSON_AddObjectToObject(n, "metadata");

	cJSON_AddStringToObject(meta, "name", name);
	cJSON_AddItemToObject(cJSON_AddObjectToObject(n, "spec"), "taints",
	                      taints ? J(taints) : cJSON_CreateArray());
	cJSON_AddItemToArray(e->f.cache[W_NODE], n);
}

static void add_ds(env_t *e, const char *strategy, const char *image)
{
	char text[1024];

	snprintf(text, sizeof(text),
	         "{\"metadata\":{\"name\":\"d\",\"namespace\":\"ns\",\"uid\":\"ds-uid\",\"generation\":1,"
	         "\"annotations\":{\"deprecated.daemonset.template.generation\":\"1\"}},"
	         "\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"d\"}},\"revisionHistoryLimit\":10,"
	         "\"updateStrategy\":%s,\"template\":{\"metadata\":{\"labels\":{\"app\":\"d\"}},"
	         "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"%s\"}]}}}}",
	         strategy, image);
	cJSON_AddItemToArray(e->f.cache[W_DS], J(text));
}

/* A new template (as `kubectl set image` and the API server do). */
static void set_image(env_t *e, const char *image, int gen)
{
	cJSON *ds = cJSON_GetArrayItem(e->f.cache[W_DS], 0);
	cJSON *c = cJSON_GetArrayItem((cJSON *)k8c_jget(ds, "spec.template.spec.containers"), 0);
	cJSON *ann = (cJSON *)k8c_jget(ds, "metadata.annotations");
	char g[16];

	cJSON_ReplaceItemInObject(c, "image", cJSON_CreateString(image));
	cJSON_ReplaceItemInObject((cJSON *)k8c_jget(ds, "metadata"), "generation", cJSON_CreateNumber(gen));
	snprintf(g, sizeof(g), "%d", gen);
	cJSON_ReplaceItemInObject(ann, "deprecated.daemonset.template.generation", cJSON_CreateString(g));
}

/* The scheduler and kubelet: bind every pod to its target node and make it
 * Running and Ready. */
static void run_pods(env_t *e)
{
	cJSON *p;

	cJSON_ArrayForEach(p, e->f.cache[W_POD]) {
		cJSON *spec = cJSON_GetObjectItem(p, "spec");
		const char *node = ds_target_node(p);

		if (node != NULL && k8c_jstr(p, "spec.nodeName") == NULL)
			cJSON_AddStringToObject(spec, "nodeName", node);
		if (cJSON_GetObjectItem(p, "status") == NULL)
			cJSON_AddItemToObject(p, "status", J("{\"phase\":\"Running\",\"conditions\":"
			                                     "[{\"type\":\"Ready\",\"status\":\"True\","
			                                     "\"lastTransitionTime\":\"2024-01-01T00:00:00Z\"}]}"));
	}
}

static int reconcile(env_t *e)
{
	k8c_error_t err;
	int ret;

	fake_ctl_observe_all(&e->f); /* the informer has caught up */
	ret = e->ops->reconcile(e->cookie, "ns/d", &err);

	if (ret < 0)
		diag("reconcile: %s", err.message);
	return ret;
}

static int pods_with(env_t *e, const char *image)
{
	const cJSON *p;
	int n = 0;

	cJSON_ArrayForEach(p, e->f.cache[W_POD]) {
		const cJSON *c = cJSON_GetArrayItem(k8c_jget(p, "spec.containers"), 0);
		n += image == NULL || strcmp(k8c_jstr(c, "image"), image) == 0;
	}
	return n;
}

/* The status counts, absent ones (omitted zeros) as 0. */
static const char *status_str(env_t *e)
{
	static char buf[128];
	const cJSON *st = k8c_jget(cJSON_GetArrayItem(e->f.cache[W_DS], 0), "status");
	const char *f[] = {"desiredNumberScheduled", "currentNumberScheduled", "numberReady",
	                   "updatedNumberScheduled", "numberAvailable", "numberUnavailable",
	                   "numberMisscheduled", "observedGeneration"};
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		const cJSON *v = cJSON_GetObjectItem(st, f[i]);
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%d", i ? " " : "",
		                      cJSON_IsNumber(v) ? v->valueint : 0);
	}
	return buf;
}

static void test_create(void)
{
	env_t e;
	const cJSON *pod, *cr;

	env_init(&e);
	add_node(&e, "n0", NULL);
	add_node(&e, "n1", NULL);
	add_node(&e, "n2", "[{\"key\":\"k\",\"effect\":\"NoSchedule\"}]");
	add_ds(&e, "{\"type\":\"RollingUpdate\"}", "img:1");
	is_int(reconcile(&e), 0, "reconcile: done");
	is_int(cJSON_GetArraySize(e.f.cache[W_POD]), 2, "a pod for each of the 2 untainted nodes");
	is_int(fake_ctl_events(&e.f, "Normal SuccessfulCreate Created pod: d-"), 2, "SuccessfulCreate events");
	cr = cJSON_GetArrayItem(e.f.cache[W_CR], 0);
	is_int(cJSON_GetArraySize(e.f.cache[W_CR]), 1, "one ControllerRevision");
	is_int(k8c_jget(cr, "revision")->valueint, 1, "revision 1");
	pod = cJSON_GetArrayItem(e.f.cache[W_POD], 0);
	is_str(k8c_jstr(pod, "metadata.labels.controller-revision-hash"),
	       k8c_jstr(cr, "metadata.labels.controller-revision-hash"), "pods carry the revision's hash");
	ok(strncmp(k8c_jstr(cr, "metadata.name"), "d-", 2) == 0, "the revision is named d-<hash>");
	is_str(k8c_jstr(pod, "metadata.labels.pod-template-generation"), "1", "and pod-template-generation");
	is_str(k8c_jstr(pod, "metadata.generateName"), "d-", "generateName d-");
	is_str(k8c_jstr(cJSON_GetArrayItem(k8c_jget(pod, "metadata.ownerReferences"), 0), "kind"), "DaemonSet",
	       "owned by the DaemonSet");
	is_str(ds_target_node(pod), "n0", "the first pod targets n0");
	is_str(status_str(&e), "2 0 0 0 0 2 0 1", "status from the cache: desired 2, nothing yet, observed 1");

	run_pods(&e);
	fake_ctl_reset_log(&e.f);
	is_int(reconcile(&e), 0, "reconcile again");
	is_int(fake_ctl_count(&e.f, "POST"), 0, "nothing more to create");
	is_int(fake_ctl_count(&e.f, "DELETE"), 0, "nothing to delete");
	is_str(status_str(&e), "2 2 2 2 2 0 0 1", "status: all current, ready, updated, available");

	/* a pod on the tainted node (made before the taint): misscheduled, kept */
	pod = cJSON_Duplicate(cJSON_GetArrayItem(e.f.cache[W_POD], 0), 1);
	cJSON_ReplaceItemInObject((cJSON *)k8c_jget(pod, "metadata"), "name", cJSON_CreateString("old"));
	cJSON_ReplaceItemInObject((cJSON *)k8c_jget(pod, "metadata"), "uid", cJSON_CreateString("u-old"));
	cJSON_ReplaceItemInObject((cJSON *)k8c_jget(pod, "spec"), "nodeName", cJSON_CreateString("n2"));
	cJSON_AddItemToArray(e.f.cache[W_POD], (cJSON *)pod);
	fake_ctl_reset_log(&e.f);
	reconcile(&e);
	is_int(fake_ctl_count(&e.f, "DELETE"), 0, "a pod on a NoSchedule-tainted node stays");
	is_str(status_str(&e), "2 2 2 2 2 0 1 1", "... counted as misscheduled");
	/* NoExecute: it goes */
	cJSON_ReplaceItemInObject((cJSON *)k8c_jget(cJSON_GetArrayItem(e.f.cache[W_NODE], 2), "spec"), "taints",
	                          J("[{\"key\":\"k\",\"effect\":\"NoExecute\"}]"));
	fake_ctl_reset_log(&e.f);
	reconcile(&e);
	is_int(fake_ctl_count(&e.f, "DELETE /api/v1/namespaces/ns/pods/old"), 1, "a NoExecute taint deletes it");
	is_int(fake_ctl_events(&e.f, "Normal SuccessfulDelete Deleted pod: old"), 1, "SuccessfulDelete event");

	/* a second pod on n0, newer: it goes, the oldest stays */
	cJSON_AddItemToArray(e.f.cache[W_POD],
	                     J("{\"metadata\":{\"name\":\"extra\",\"namespace\":\"ns\",\"uid\":\"u-x\","
	                       "\"labels\":{\"app\":\"d\"},\"creationTimestamp\":\"2030-01-01T00:00:00Z\","
	                       "\"ownerReferences\":[{\"uid\":\"ds-uid\",\"controller\":true,\"kind\":\"DaemonSet\",\"name\":\"d\"}]},"
	                       "\"spec\":{\"nodeName\":\"n0\"},\"status\":{\"phase\":\"Running\"}}"));
	fake_ctl_reset_log(&e.f);
	reconcile(&e);
	is_int(fake_ctl_count(&e.f, "DELETE"), 1, "two pods on one node: one is deleted");
	is_int(fake_ctl_count(&e.f, "DELETE /api/v1/namespaces/ns/pods/extra"), 1, "the newer one");

	/* the node goes: its pod goes (no pod GC here) */
	cJSON_DeleteItemFromArray(e.f.cache[W_NODE], 1);
	fake_ctl_reset_log(&e.f);
	reconcile(&e);
	is_int(fake_ctl_count(&e.f, "DELETE"), 1, "a deleted node's pod is deleted");

	/* an orphan that matches is adopted */
	cJSON_AddItemToArray(e.f.cache[W_POD],
	                     J("{\"metadata\":{\"name\":\"orphan\",\"namespace\":\"ns\",\"uid\":\"u-o\","
	                       "\"labels\":{\"app\":\"d\"}},\"spec\":{\"nodeName\":\"n0\"}}"));
	e.ops->on_change(e.cookie, W_POD, K8C_WATCH_ADDED, cJSON_GetArrayItem(e.f.cache[W_POD], -1 +
	                 cJSON_GetArraySize(e.f.cache[W_POD])), NULL);
	is_int(cJSON_GetArraySize(e.f.enqueued), 1, "an orphan pod enqueues the DaemonSet that selects it");
	fake_ctl_reset_log(&e.f);
	reconcile(&e);
	is_int(fake_ctl_count(&e.f, "PATCH /api/v1/namespaces/ns/pods/orphan"), 1, "and is adopted");
	env_free(&e);
}

static void test_failed_pod(void)
{
	env_t e;
	cJSON *st;

	env_init(&e);
	add_node(&e, "n0", NULL);
	add_ds(&e, "{\"type\":\"RollingUpdate\"}", "img:1");
	reconcile(&e);
	run_pods(&e);
	st = cJSON_GetObjectItem(cJSON_GetArrayItem(e.f.cache[W_POD], 0), "status");
	cJSON_ReplaceItemInObject(st, "phase", cJSON_CreateString("Failed"));
	fake_ctl_reset_log(&e.f);
	is_int(reconcile(&e), 0, "a failed pod: reconcile done");
	is_int(fake_ctl_count(&e.f, "DELETE"), 1, "the failed pod is deleted");
	is_int(fake_ctl_events(&e.f, "Warning FailedDaemonPod Found failed daemon pod ns/d-00001 on node n0, will try to kill it"),
	       1, "with kube's FailedDaemonPod event");
	reconcile(&e); /* the replacement */
	run_pods(&e);
	st = cJSON_GetObjectItem(cJSON_GetArrayItem(e.f.cache[W_POD], 0), "status");
	cJSON_ReplaceItemInObject(st, "phase", cJSON_CreateString("Failed"));
	fake_ctl_reset_log(&e.f);
	ok(reconcile(&e) > 0, "failing again at once: reconcile asks to come back later (backoff)");
	is_int(fake_ctl_count(&e.f, "DELETE"), 0, "and deletes nothing yet");
	e.f.fh.now_ns += 1500000000LL;
	fake_ctl_reset_log(&e.f);
	reconcile(&e);
	is_int(fake_ctl_count(&e.f, "DELETE"), 1, "after the backoff it is deleted");
	env_free(&e);
}

static void test_rolling(void)
{
	env_t e;
	int ret;

	env_init(&e);
	for (int i = 0; i < 4; i++) {
		char n[8];
		snprintf(n, sizeof(n), "n%d", i);
		add_node(&e, n, NULL);
	}
	add_ds(&e, "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxUnavailable\":\"50%\"}}", "img:1");
	reconcile(&e);
	run_pods(&e);
	reconcile(&e);
	set_image(&e, "img:2", 2);
	fake_ctl_reset_log(&e.f);
	reconcile(&e);
	is_int(fake_ctl_count(&e.f, "POST /apis/apps/v1/namespaces/ns/controllerrevisions"), 1, "a new revision");
	is_int(fake_ctl_count(&e.f, "DELETE /api/v1/namespaces/ns/pods/"), 2,
	       "maxUnavailable 50%% of 4: two old pods deleted");
	is_int(k8c_jget(cJSON_GetArrayItem(e.f.cache[W_CR], 1), "revision")->valueint, 2, "revision 2");
	for (int round = 0; round < 6 && pods_with(&e, "img:2") < 4; round++) {
		reconcile(&e);
		run_pods(&e);
	}
	is_int(pods_with(&e, "img:2"), 4, "the rollout replaces every pod");
	is_int(pods_with(&e, NULL), 4, "one per node");
	reconcile(&e);
	is_str(status_str(&e), "4 4 4 4 4 0 0 2", "status: all updated, observedGeneration 2");

	/* OnDelete: a new template replaces nothing */
	cJSON_ReplaceItemInObject((cJSON *)k8c_jget(cJSON_GetArrayItem(e.f.cache[W_DS], 0), "spec"),
	                          "updateStrategy", J("{\"type\":\"OnDelete\"}"));
	set_image(&e, "img:3", 3);
	fake_ctl_reset_log(&e.f);
	reconcile(&e);
	is_int(fake_ctl_count(&e.f, "DELETE /api/v1"), 0, "OnDelete: no pod deleted");
	is_str(status_str(&e), "4 4 4 0 4 0 0 3", "updatedNumberScheduled 0");
	cJSON_DeleteItemFromArray(e.f.cache[W_POD], 0);
	reconcile(&e);
	is_int(pods_with(&e, "img:3"), 1, "a pod deleted by hand comes back new");

	/* surge: maxSurge 1, maxUnavailable 0 */
	cJSON_ReplaceItemInObject((cJSON *)k8c_jget(cJSON_GetArrayItem(e.f.cache[W_DS], 0), "spec"),
	                          "updateStrategy",
	                          J("{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":1,\"maxUnavailable\":0}}"));
	run_pods(&e);
	set_image(&e, "img:4", 4);
	fake_ctl_reset_log(&e.f);
	ret = reconcile(&e);
	is_int(ret, 0, "surge reconcile");
	is_int(fake_ctl_count(&e.f, "POST /api/v1"), 1, "maxSurge 1: one new pod beside an old one");
	is_int(fake_ctl_count(&e.f, "DELETE /api/v1"), 0, "no old pod deleted before the new one is available");
	run_pods(&e);
	fake_ctl_reset_log(&e.f);
	reconcile(&e);
	is_int(fake_ctl_count(&e.f, "DELETE /api/v1"), 1, "the new one available: the old one on its node goes");
	is_int(fake_ctl_count(&e.f, "POST /api/v1"), 0, "nothing else while that deletion is expected");
	fake_ctl_reset_log(&e.f);
	reconcile(&e);
	is_int(fake_ctl_count(&e.f, "POST /api/v1"), 1, "then the next node surges");
	for (int round = 0; round < 12 && pods_with(&e, "img:4") < 4; round++) {
		reconcile(&e);
		run_pods(&e);
	}
	reconcile(&e);
	is_int(pods_with(&e, "img:4"), 4, "the surge rollout finishes");
	is_int(pods_with(&e, NULL), 4, "with one pod per node");

	/* revisionHistoryLimit 1: the oldest revisions without pods go */
	cJSON_ReplaceItemInObject((cJSON *)k8c_jget(cJSON_GetArrayItem(e.f.cache[W_DS], 0), "spec"),
	                          "revisionHistoryLimit", cJSON_CreateNumber(1));
	reconcile(&e);
	is_int(cJSON_GetArraySize(e.f.cache[W_CR]), 2, "revisionHistoryLimit 1: current and one old revision");

	/* undo: the template of revision 1 again reuses its revision */
	set_image(&e, "img:3", 5);
	fake_ctl_reset_log(&e.f);
	reconcile(&e);
	is_int(fake_ctl_count(&e.f, "POST /apis"), 0, "a template seen before makes no new revision");
	is_int(fake_ctl_count(&e.f, "PATCH /apis/apps/v1/namespaces/ns/controllerrevisions/"), 1,
	       "its revision number is raised");
	env_free(&e);
}

/* The keys enqueued since the last call, "a b ...", and forget them. */
static const char *take_enqueued(env_t *e)
{
	static char buf[256];
	const cJSON *k;
	size_t o = 0;

	buf[0] = '\0';
	cJSON_ArrayForEach(k, e->f.enqueued)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", o ? " " : "", k->valuestring);
	while (cJSON_GetArraySize(e->f.enqueued) > 0)
		cJSON_DeleteItemFromArray(e->f.enqueued, 0);
	return buf;
}

static void node_event(env_t *e, int type, const char *obj, const char *old)
{
	cJSON *o = J(obj), *p = old ? J(old) : NULL;

	e->ops->on_change(e->cookie, W_NODE, type, o, p);
	cJSON_Delete(o);
	cJSON_Delete(p);
}

/* A node change enqueues only the DaemonSets whose should-run or
 * should-continue answer for the node changes (kube's updateNode), not
 * every DaemonSet on every label or taint flip. */
static void test_node_change_selective(void)
{
	env_t e;
	cJSON *edge;
	const char *plain = "{\"metadata\":{\"name\":\"n\",\"labels\":{\"x\":\"1\"}},\"spec\":{}}";
	const char *plain2 = "{\"metadata\":{\"name\":\"n\",\"labels\":{\"x\":\"2\"}},\"spec\":{}}";
	const char *ed = "{\"metadata\":{\"name\":\"n\",\"labels\":{\"role\":\"edge\"}},\"spec\":{}}";
	const char *ed_nosched = "{\"metadata\":{\"name\":\"n\",\"labels\":{\"role\":\"edge\"}},"
	                         "\"spec\":{\"taints\":[{\"key\":\"k\",\"effect\":\"NoSchedule\"}]}}";
	const char *ed_noexec = "{\"metadata\":{\"name\":\"n\",\"labels\":{\"role\":\"edge\"}},"
	                        "\"spec\":{\"taints\":[{\"key\":\"k\",\"effect\":\"NoExecute\"}]}}";
	const char *ed_prefer = "{\"metadata\":{\"name\":\"n\",\"labels\":{\"role\":\"edge\"}},"
	                        "\"spec\":{\"taints\":[{\"key\":\"k\",\"effect\":\"PreferNoSchedule\"}]}}";
	const char *ed_unsched = "{\"metadata\":{\"name\":\"n\",\"labels\":{\"role\":\"edge\"}},"
	                         "\"spec\":{\"unschedulable\":true}}";

	env_init(&e);
	add_ds(&e, "{\"type\":\"RollingUpdate\"}", "img:1"); /* ns/d: every node */
	add_ds(&e, "{\"type\":\"RollingUpdate\"}", "img:1");
	edge = cJSON_GetArrayItem(e.f.cache[W_DS], 1);
	cJSON_ReplaceItemInObject((cJSON *)k8c_jget(edge, "metadata"), "name", cJSON_CreateString("edge"));
	cJSON_AddItemToObject((cJSON *)k8c_jget(edge, "spec.template.spec"), "nodeSelector",
	                      J("{\"role\":\"edge\"}"));

	node_event(&e, K8C_WATCH_ADDED, plain, NULL);
	is_str(take_enqueued(&e), "ns/d", "a new node: the DaemonSets that should run there only");
	node_event(&e, K8C_WATCH_ADDED, ed, NULL);
	is_str(take_enqueued(&e), "ns/d ns/edge", "a new edge node: both");
	node_event(&e, K8C_WATCH_MODIFIED, plain2, plain);
	is_str(take_enqueued(&e), "", "a label flip no selector looks at: none");
	node_event(&e, K8C_WATCH_MODIFIED, ed, plain);
	is_str(take_enqueued(&e), "ns/edge", "the label the nodeSelector wants comes: that DaemonSet");
	node_event(&e, K8C_WATCH_MODIFIED, plain, ed);
	is_str(take_enqueued(&e), "ns/edge", "... and goes: that DaemonSet");
	node_event(&e, K8C_WATCH_MODIFIED, ed_nosched, ed);
	is_str(take_enqueued(&e), "ns/d ns/edge", "a NoSchedule taint: should-run flips for both");
	node_event(&e, K8C_WATCH_MODIFIED, ed_noexec, ed_nosched);
	is_str(take_enqueued(&e), "ns/d ns/edge", "NoSchedule to NoExecute: should-continue flips");
	node_event(&e, K8C_WATCH_MODIFIED, plain2, ed_noexec);
	is_str(take_enqueued(&e), "ns/d",
	       "the NoExecute taint and the edge label go: d's answer changes, edge's (no, no) does not");
	node_event(&e, K8C_WATCH_MODIFIED, ed_prefer, ed);
	is_str(take_enqueued(&e), "", "a PreferNoSchedule taint changes nothing");
	node_event(&e, K8C_WATCH_MODIFIED, ed_unsched, ed);
	is_str(take_enqueued(&e), "", "unschedulable is tolerated by the default tolerations (no taint yet)");
	node_event(&e, K8C_WATCH_DELETED, plain, NULL);
	is_str(take_enqueued(&e), "ns/d", "a deleted node: the DaemonSets that run there");
	node_event(&e, K8C_WATCH_DELETED, ed_noexec, NULL);
	is_str(take_enqueued(&e), "", "a deleted node no daemon pod may stay on: none");
	env_free(&e);
}

/* The sync reads each node's eligibility under the cache's list callback
 * (no copies): nodes that should, should not, and need not continue. */
static void test_sync_nodes(void)
{
	env_t e;

	env_init(&e);
	add_node(&e, "a", NULL);
	add_node(&e, "b", "[{\"key\":\"k\",\"effect\":\"NoSchedule\"}]");
	add_node(&e, "c", "[{\"key\":\"k\",\"effect\":\"NoExecute\"}]");
	cJSON_AddItemToObject((cJSON *)k8c_jget(cJSON_GetArrayItem(e.f.cache[W_NODE], 0), "metadata"),
	                      "labels", J("{\"role\":\"edge\"}"));
	add_ds(&e, "{\"type\":\"RollingUpdate\"}", "img:1");
	reconcile(&e);
	run_pods(&e);
	is_int(pods_with(&e, NULL), 1, "one pod: on the untainted node only");
	reconcile(&e);
	is_str(status_str(&e), "1 1 1 1 1 0 0 1", "status: one desired, scheduled, ready");
	/* a pod on the NoSchedule node continues, one on the NoExecute node goes */
	cJSON_AddItemToArray(e.f.cache[W_POD], cJSON_Duplicate(cJSON_GetArrayItem(e.f.cache[W_POD], 0), 1));
	cJSON_AddItemToArray(e.f.cache[W_POD], cJSON_Duplicate(cJSON_GetArrayItem(e.f.cache[W_POD], 0), 1));
	for (int i = 1; i <= 2; i++) {
		cJSON *p = cJSON_GetArrayItem(e.f.cache[W_POD], i), *md = cJSON_GetObjectItem(p, "metadata");

		cJSON_ReplaceItemInObject(md, "name", cJSON_CreateString(i == 1 ? "on-b" : "on-c"));
		cJSON_ReplaceItemInObject(md, "uid", cJSON_CreateString(i == 1 ? "uid-b" : "uid-c"));
		cJSON_ReplaceItemInObject(cJSON_GetObjectItem(p, "spec"), "nodeName",
		                          cJSON_CreateString(i == 1 ? "b" : "c"));
		cJSON_DeleteItemFromObject(cJSON_GetObjectItem(p, "spec"), "affinity");
	}
	fake_ctl_reset_log(&e.f);
	reconcile(&e);
	is_int(fake_ctl_count(&e.f, "DELETE /api/v1/namespaces/ns/pods/on-c"), 1,
	       "the pod on the NoExecute node is deleted");
	is_int(fake_ctl_count(&e.f, "DELETE /api/v1/namespaces/ns/pods/on-b"), 0,
	       "the one on the NoSchedule node continues");
	env_free(&e);
}

/* A failed revision cleanup: the error message wraps the cause (formatted
 * from a copy, not from the message being written). */
static int refuse_rev_delete(void *ctx, const char *method, const char *path, const cJSON *body,
                             const char *ctype, cJSON **out, k8c_error_t *err)
{
	if (strcmp(method, "DELETE") == 0 && strstr(path, "/controllerrevisions/") != NULL)
		return k8c_error_make(err, K8C_EUNAVAIL, "revision delete refused by the test");
	return fake_ctl_request(ctx, method, path, body, ctype, out, err);
}

static void test_cleanup_error(void)
{
	env_t e;
	k8c_error_t err;
	cJSON *spec;

	env_init(&e);
	add_node(&e, "n0", NULL);
	add_ds(&e, "{\"type\":\"RollingUpdate\"}", "img:1");
	reconcile(&e);
	run_pods(&e);
	set_image(&e, "img:2", 2);
	for (int round = 0; round < 6 && pods_with(&e, "img:2") < 1; round++) {
		reconcile(&e);
		run_pods(&e);
	}
	reconcile(&e);
	is_int(cJSON_GetArraySize(e.f.cache[W_CR]), 2, "two revisions");
	spec = (cJSON *)k8c_jget(cJSON_GetArrayItem(e.f.cache[W_DS], 0), "spec");
	cJSON_ReplaceItemInObject(spec, "revisionHistoryLimit", cJSON_CreateNumber(0));
	e.f.client.request = refuse_rev_delete;
	fake_ctl_observe_all(&e.f);
	ok(e.ops->reconcile(e.cookie, "ns/d", &err) < 0, "a refused revision delete fails the sync");
	is_str(err.message, "failed to clean up revisions of DaemonSet: revision delete refused by the test",
	       "the message wraps the cause intact");
	env_free(&e);
}

/* minReadySeconds at its int32 maximum: the requeue in ms does not fit an
 * int and is clamped to INT_MAX (it wrapped to a negative "error"). */
static void test_requeue_clamp(void)
{
	env_t e;

	env_init(&e);
	add_node(&e, "n0", NULL);
	add_ds(&e, "{\"type\":\"RollingUpdate\"}", "img:1");
	cJSON_AddNumberToObject((cJSON *)k8c_jget(cJSON_GetArrayItem(e.f.cache[W_DS], 0), "spec"),
	                        "minReadySeconds", 2147483647);
	reconcile(&e);
	run_pods(&e);
	e.f.fh.now_ns = 1704067200000000000LL + 60000000000LL; /* a minute after Ready */
	is_int(reconcile(&e), 2147483647, "ready, not available: come back after INT_MAX ms");
	cJSON_ReplaceItemInObject((cJSON *)k8c_jget(cJSON_GetArrayItem(e.f.cache[W_DS], 0), "spec"),
	                          "minReadySeconds", cJSON_CreateNumber(1e300));
	is_int(reconcile(&e), 2147483647, "an absurd minReadySeconds too");
	env_free(&e);
}

/* maxSurge with minReadySeconds: the sync that sees the new pod ready but
 * not yet available comes back when it will be, whatever the oldest pods
 * say (the rollout stalled when that time was only in a delayed add the
 * queue dropped for an earlier one). */
static void test_surge_min_ready(void)
{
	const int64_t t0 = 1704067200000000000LL; /* 2024-01-01T00:00:00Z */
	env_t e;
	cJSON *p;

	env_init(&e);
	add_node(&e, "n0", NULL);
	add_ds(&e, "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":1,\"maxUnavailable\":0}}",
	       "img:1");
	cJSON_AddNumberToObject((cJSON *)k8c_jget(cJSON_GetArrayItem(e.f.cache[W_DS], 0), "spec"),
	                        "minReadySeconds", 2);
	e.f.fh.now_ns = t0 + 60000000000LL;
	reconcile(&e);
	run_pods(&e);
	is_int(reconcile(&e), 0, "the old pod available: nothing to come back for");
	set_image(&e, "img:2", 2);
	reconcile(&e);
	is_int(pods_with(&e, NULL), 2, "a surge pod beside the old one");
	cJSON_ArrayForEach(p, e.f.cache[W_POD]) {
		if (cJSON_GetObjectItem(p, "status") != NULL)
			continue;
		cJSON_AddStringToObject(cJSON_GetObjectItem(p, "spec"), "nodeName", "n0");
		cJSON_AddItemToObject(p, "status", J("{\"phase\":\"Running\",\"conditions\":"
		                                     "[{\"type\":\"Ready\",\"status\":\"True\","
		                                     "\"lastTransitionTime\":\"2024-01-01T00:01:00Z\"}]}"));
	}
	e.f.fh.now_ns = t0 + 60500000000LL; /* ready for half a second */
	fake_ctl_reset_log(&e.f);
	is_int(reconcile(&e), 1600, "ready, available in 1.5 s: come back then (and 100 ms)");
	is_int(fake_ctl_count(&e.f, "DELETE /api/v1"), 0, "the old pod stays meanwhile");
	e.f.fh.now_ns = t0 + 62100000000LL;
	reconcile(&e);
	is_int(fake_ctl_count(&e.f, "DELETE /api/v1"), 1, "then the old pod goes");
	env_free(&e);
}

static void test_node_change(void)
{
	env_t e;
	cJSON *n1, *n2;

	env_init(&e);
	add_ds(&e, "{\"type\":\"RollingUpdate\"}", "img:1");
	n1 = J("{\"metadata\":{\"name\":\"n\",\"labels\":{\"a\":\"1\"}},\"spec\":{},\"status\":{\"x\":1}}");
	n2 = J("{\"metadata\":{\"name\":\"n\",\"labels\":{\"a\":\"1\"}},\"spec\":{},\"status\":{\"x\":2}}");
	e.ops->on_change(e.cookie, W_NODE, K8C_WATCH_ADDED, n1, NULL);
	is_int(cJSON_GetArraySize(e.f.enqueued), 1, "a new node enqueues the DaemonSets that should run there");
	e.ops->on_change(e.cookie, W_NODE, K8C_WATCH_MODIFIED, n2, n1);
	is_int(cJSON_GetArraySize(e.f.enqueued), 1, "a status-only change does not");
	cJSON_ReplaceItemInObject((cJSON *)k8c_jget(n2, "metadata.labels"), "a", cJSON_CreateString("2"));
	e.ops->on_change(e.cookie, W_NODE, K8C_WATCH_MODIFIED, n2, n1);
	is_int(cJSON_GetArraySize(e.f.enqueued), 1,
	       "a label change that changes no DaemonSet's eligibility does not");
	e.ops->on_change(e.cookie, W_NODE, K8C_WATCH_DELETED, n2, NULL);
	is_int(cJSON_GetArraySize(e.f.enqueued), 2, "a deleted node its pods should run on does");
	cJSON_Delete(n1);
	cJSON_Delete(n2);
	/* a pod becoming ready with minReadySeconds: look again later */
	cJSON_AddNumberToObject((cJSON *)k8c_jget(cJSON_GetArrayItem(e.f.cache[W_DS], 0), "spec"),
	                        "minReadySeconds", 5);
	n1 = J("{\"metadata\":{\"name\":\"p\",\"namespace\":\"ns\",\"ownerReferences\":[{\"kind\":\"DaemonSet\","
	       "\"name\":\"d\",\"uid\":\"ds-uid\",\"controller\":true}]},\"status\":{\"conditions\":"
	       "[{\"type\":\"Ready\",\"status\":\"False\"}]}}");
	n2 = cJSON_Duplicate(n1, 1);
	cJSON_ReplaceItemInObject(cJSON_GetArrayItem((cJSON *)k8c_jget(n2, "status.conditions"), 0), "status",
	                          cJSON_CreateString("True"));
	e.ops->on_change(e.cookie, W_POD, K8C_WATCH_MODIFIED, n2, n1);
	is_int(cJSON_GetArraySize(e.f.enqueued), 3, "a daemon pod turning ready with minReadySeconds enqueues its DaemonSet");
	e.ops->on_change(e.cookie, W_POD, K8C_WATCH_MODIFIED, n2, n2);
	is_int(cJSON_GetArraySize(e.f.enqueued), 3, "staying ready does not");
	cJSON_Delete(n1);
	cJSON_Delete(n2);
	/* a DaemonSet that is gone: nothing to do */
	cJSON_DeleteItemFromArray(e.f.cache[W_DS], 0);
	is_int(reconcile(&e), 0, "a DaemonSet that is gone: done");
	is_int(fake_ctl_count(&e.f, ""), 0, "without a request");
	env_free(&e);
}

int main(void)
{
	test_eligibility();
	test_tolerations();
	test_node_affinity();
	test_values();
	test_create();
	test_failed_pod();
	test_rolling();
	test_node_change();
	test_node_change_selective();
	test_sync_nodes();
	test_cleanup_error();
	test_requeue_clamp();
	test_surge_min_ready();
	return done_testing();
}
