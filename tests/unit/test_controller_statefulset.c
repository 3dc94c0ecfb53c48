/* The StatefulSet controller's pure parts: ordinals, pod identity, claims
 * and their retention owners, revision data, hash and comparison, status
 * counting. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/json_path.h"
#include "common/mem.h"
#include "common/selector.h"
#include "sts.h"
#include "tap.h"
#include "fake_sts_cluster.h"

extern const k8c_plugin_t k8c_plugin;

static const char *set_json =
	"{\"metadata\":{\"name\":\"web\",\"namespace\":\"ns1\",\"uid\":\"set-uid\",\"generation\":3,"
	"\"annotations\":{\"kubernetes.io/change-cause\":\"v1\"}},"
	"\"spec\":{\"replicas\":3,\"serviceName\":\"nginx\",\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
	"\"updateStrategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"partition\":0}},"
	"\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":"
	"[{\"name\":\"c\",\"image\":\"nginx:1\",\"volumeMounts\":[{\"name\":\"data\",\"mountPath\":\"/d\"}]}],"
	"\"volumes\":[{\"name\":\"data\",\"emptyDir\":{}},{\"name\":\"tmp\",\"emptyDir\":{}}]}},"
	"\"volumeClaimTemplates\":[{\"metadata\":{\"name\":\"data\",\"labels\":{\"tier\":\"db\"}},"
	"\"spec\":{\"accessModes\":[\"ReadWriteOnce\"]},\"status\":{\"phase\":\"Pending\"}}]}}";

static void test_ordinals(void)
{
	size_t n = 0;

	is_int(sts_ordinal("web-0", &n), 0, "web-0 has ordinal 0");
	is_int(n, 3, "and parent web");
	is_int(sts_ordinal("my-web-12", &n), 12, "the last dash counts");
	is_int(n, 6, "parent my-web");
	is_int(sts_ordinal("web", NULL), -1, "no dash: no ordinal");
	is_int(sts_ordinal("web-", NULL), -1, "empty ordinal");
	is_int(sts_ordinal("web-1a", NULL), -1, "not a number");
	is_int(sts_ordinal("web-99999999999", NULL), -1, "over int32");
	is_int(sts_ordinal(NULL, NULL), -1, "NULL name");
}

static void test_pod(const cJSON *set)
{
	cJSON *pod = sts_new_pod(set, k8c_jget(set, "spec.template"), 2, "web-abc");
	const cJSON *vols = k8c_jget(pod, "spec.volumes");

	is_str(k8c_jstr(pod, "metadata.name"), "web-2", "pod name <set>-<ordinal>");
	is_str(k8c_jstr(pod, "metadata.namespace"), "ns1", "in the set's namespace");
	is_str(k8c_jstr(pod, "spec.hostname"), "web-2", "hostname is the pod name");
	is_str(k8c_jstr(pod, "spec.subdomain"), "nginx", "subdomain is serviceName");
	is_str(cJSON_GetObjectItem(k8c_jget(pod, "metadata.labels"), STS_LABEL_POD_NAME)->valuestring,
	       "web-2", "pod-name label");
	is_str(cJSON_GetObjectItem(k8c_jget(pod, "metadata.labels"), STS_LABEL_POD_INDEX)->valuestring,
	       "2", "pod-index label");
	is_str(sts_pod_revision(pod), "web-abc", "controller-revision-hash label");
	is_str(k8c_jstr(pod, "metadata.labels.app"), "web", "template labels");
	is_int(cJSON_GetArraySize(vols), 2, "claim volume replaces the template's volume of that name");
	is_str(k8c_jstr(cJSON_GetArrayItem(vols, 0), "persistentVolumeClaim.claimName"), "data-web-2",
	       "the volume points at the claim");
	is_str(k8c_jstr(cJSON_GetArrayItem(vols, 1), "name"), "tmp", "other volumes kept");
	is_str(k8c_jstr(cJSON_GetArrayItem(k8c_jget(pod, "metadata.ownerReferences"), 0), "uid"),
	       "set-uid", "owned by the set");
	ok(cJSON_IsTrue(k8c_jget(cJSON_GetArrayItem(k8c_jget(pod, "metadata.ownerReferences"), 0),
	                         "controller")),
	   "as its controller");
	ok(sts_identity_matches(set, pod), "identity matches");
	ok(sts_storage_matches(set, pod), "storage matches");
	ok(sts_is_member(set, pod), "member of the set");
	cJSON_DeleteItemFromObject((cJSON *)k8c_jget(pod, "metadata.labels"), STS_LABEL_POD_NAME);
	ok(!sts_identity_matches(set, pod), "without the pod-name label the identity does not match");
	cJSON_ReplaceItemInObject((cJSON *)k8c_jget(pod, "metadata"), "name", cJSON_CreateString("webx-2"));
	ok(!sts_is_member(set, pod), "webx-2 is not a member of web");
	cJSON_Delete(pod);
}

static void test_states(void)
{
	cJSON *p = cJSON_Parse("{\"metadata\":{\"name\":\"web-0\"},\"status\":{\"phase\":\"Running\","
	                       "\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\","
	                       "\"lastTransitionTime\":\"2023-11-14T22:13:10Z\"}]}}");
	int64_t t0 = 1700000000LL * 1000000000LL; /* 2023-11-14T22:13:20Z */

	ok(sts_pod_created(p) && sts_pod_running_ready(p) && sts_pod_healthy(p), "running and ready");
	ok(sts_pod_available(p, 5, t0), "available after 10 s with minReadySeconds 5");
	ok(!sts_pod_available(p, 30, t0), "not with minReadySeconds 30");
	cJSON_AddStringToObject(cJSON_GetObjectItem(p, "metadata"), "deletionTimestamp", "2023-11-14T22:13:20Z");
	ok(!sts_pod_healthy(p), "terminating is not healthy");
	cJSON_Delete(p);
	p = cJSON_Parse("{\"metadata\":{\"name\":\"web-0\"}}");
	ok(!sts_pod_created(p), "no phase: not created");
	cJSON_Delete(p);
}

static void test_claims(cJSON *set)
{
	cJSON *claims = sts_claims(set, 1), *c = cJSON_GetArrayItem(claims, 0);
	cJSON *pod = cJSON_Parse("{\"metadata\":{\"name\":\"web-5\",\"uid\":\"pod-uid\"}}");
	cJSON *policy;

	is_int(cJSON_GetArraySize(claims), 1, "one claim per template");
	is_str(k8c_jstr(c, "metadata.name"), "data-web-1", "claim <template>-<set>-<ordinal>");
	is_str(k8c_jstr(c, "metadata.labels.tier"), "db", "template labels");
	is_str(k8c_jstr(c, "metadata.labels.app"), "web", "and the selector's");
	is_str(k8c_jstr(c, "kind"), "PersistentVolumeClaim", "a PersistentVolumeClaim");
	ok(k8c_jget(c, "status") == NULL, "without status");
	ok(!sts_claim_apply_policy(c, set, pod), "Retain/Retain: no owners");

	policy = cJSON_Parse("{\"whenDeleted\":\"Delete\",\"whenScaled\":\"Retain\"}");
	cJSON_AddItemToObject(cJSON_GetObjectItem(set, "spec"), "persistentVolumeClaimRetentionPolicy", policy);
	ok(sts_claim_apply_policy(c, set, pod), "whenDeleted Delete: the set becomes an owner");
	is_str(k8c_jstr(cJSON_GetArrayItem(k8c_jget(c, "metadata.ownerReferences"), 0), "kind"),
	       "StatefulSet", "a StatefulSet reference");
	ok(!sts_claim_apply_policy(c, set, pod), "only once");

	cJSON_ReplaceItemInObject(policy, "whenScaled", cJSON_CreateString("Delete"));
	ok(sts_claim_apply_policy(c, set, pod), "whenScaled Delete, pod web-5 beyond 3 replicas");
	is_int(cJSON_GetArraySize(k8c_jget(c, "metadata.ownerReferences")), 1, "one owner");
	is_str(k8c_jstr(cJSON_GetArrayItem(k8c_jget(c, "metadata.ownerReferences"), 0), "uid"),
	       "pod-uid", "the condemned pod");
	cJSON_ReplaceItemInObject(policy, "whenDeleted", cJSON_CreateString("Retain"));
	cJSON_ReplaceItemInObject(policy, "whenScaled", cJSON_CreateString("Retain"));
	ok(sts_claim_apply_policy(c, set, pod), "back to Retain: the owners go");
	is_int(cJSON_GetArraySize(k8c_jget(c, "metadata.ownerReferences")), 0, "none left");
	cJSON_DeleteItemFromObject(cJSON_GetObjectItem(set, "spec"), "persistentVolumeClaimRetentionPolicy");
	cJSON_Delete(pod);
	cJSON_Delete(claims);
}

static void test_revisions(cJSON *set)
{
	char *patch = sts_patch(set), *h;
	cJSON *r1 = sts_revision_new(set, 1, 0), *r2;
	cJSON *j = cJSON_Parse("{\"b\":\"<&>\",\"a\":[1,2.5,{\"z\":null,\"y\":true}]}");
	char *cj = sts_canonical_json(j);

	is_str(cj, "{\"a\":[1,2.5,{\"y\":true,\"z\":null}],\"b\":\"\\u003c\\u0026\\u003e\"}",
	       "canonical JSON: sorted keys, Go's HTML escapes");
	ok(strncmp(patch, "{\"spec\":{\"template\":{\"$patch\":\"replace\",\"metadata\":", 50) == 0,
	   "revision data replaces spec.template");
	h = sts_hash("", NULL);
	is_str(h, "65bb57b6b5", "FNV-1 of nothing, safe-encoded");
	free(h);
	h = sts_hash("a", NULL);
	is_str(h, "d8bfb88b", "FNV-1 of \"a\" (84696446, 0x050c5d7e)");
	free(h);
	ok(strncmp(k8c_jstr(r1, "metadata.name"), "web-", 4) == 0, "revision named <set>-<hash>");
	is_str(k8c_jstr(r1, "metadata.name") + 4,
	       cJSON_GetObjectItem(k8c_jget(r1, "metadata.labels"), STS_LABEL_HASH)->valuestring,
	       "hash label");
	is_str(k8c_jstr(r1, "metadata.labels.app"), "web", "template labels");
	is_str(cJSON_GetObjectItem(k8c_jget(r1, "metadata.annotations"), "kubernetes.io/change-cause")->valuestring,
	       "v1", "set annotations (change-cause)");
	is_int(sts_jint(r1, "revision", 0), 1, "revision number");
	r2 = sts_revision_new(set, 7, 0);
	ok(sts_revision_equal(r1, r2), "same template: equal revisions");
	is_str(k8c_jstr(r1, "metadata.name"), k8c_jstr(r2, "metadata.name"), "and the same name");
	cJSON_Delete(r2);
	r2 = sts_revision_new(set, 1, 1);
	ok(strcmp(k8c_jstr(r1, "metadata.name"), k8c_jstr(r2, "metadata.name")) != 0,
	   "a collision count gives another name");
	cJSON_Delete(r2);
	cJSON_ReplaceItemInObject(cJSON_GetArrayItem((cJSON *)k8c_jget(set, "spec.template.spec.containers"), 0),
	                          "image", cJSON_CreateString("nginx:2"));
	r2 = sts_revision_new(set, 2, 0);
	ok(!sts_revision_equal(r1, r2), "another image: another revision");
	is_str(k8c_jstr(cJSON_GetArrayItem(k8c_jget(sts_revision_template(r2), "spec.containers"), 0), "image"),
	       "nginx:2", "the revision's template");
	{
		cJSON *v[3] = {r2, r1, NULL};
		v[2] = sts_revision_new(set, 1, 0);
		sts_revisions_sort(v, 3);
		is_int(sts_jint(v[2], "revision", 0), 2, "sorted by revision");
		cJSON_Delete(v[0] == r1 ? v[1] : v[0]);
	}
	cJSON_Delete(r1);
	cJSON_Delete(r2);
	cJSON_Delete(j);
	free(cj);
	free(patch);
}

static void test_status(cJSON *set)
{
	const char *pods_json[] = {
		"{\"metadata\":{\"name\":\"web-0\",\"labels\":{\"controller-revision-hash\":\"web-a\"}},"
		"\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}",
		"{\"metadata\":{\"name\":\"web-1\",\"labels\":{\"controller-revision-hash\":\"web-b\"}},"
		"\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}",
		"{\"metadata\":{\"name\":\"web-2\",\"labels\":{\"controller-revision-hash\":\"web-b\"}},"
		"\"status\":{\"phase\":\"Pending\"}}",
	};
	cJSON *pods[4] = {0};
	sts_status_t st = {.observed_generation = 3, .current_revision = "web-a",
	                   .update_revision = "web-b"};
	cJSON *js;

	for (int i = 0; i < 3; i++)
		pods[i] = cJSON_Parse(pods_json[i]);
	sts_status_count(&st, pods, 4, 0, 0);
	is_int(st.replicas, 3, "replicas: created pods");
	is_int(st.ready, 2, "readyReplicas");
	is_int(st.available, 2, "availableReplicas");
	is_int(st.current, 1, "currentReplicas");
	is_int(st.updated, 2, "updatedReplicas");
	ok(sts_status_complete_and_differs(set, &st), "differs from the empty status");
	is_str(st.current_revision, "web-a", "rolling update not complete: current stays");
	js = sts_status_json(&st, NULL);
	is_int(sts_jint(js, "observedGeneration", 0), 3, "observedGeneration written");
	is_str(k8c_jstr(js, "updateRevision"), "web-b", "updateRevision written");
	cJSON_Delete(js);
	st.ready = st.updated = 3;
	sts_status_complete_and_differs(set, &st);
	is_str(st.current_revision, "web-b", "all updated and ready: the update revision is current");
	is_int(st.current, 3, "currentReplicas follows");
	for (int i = 0; i < 3; i++)
		cJSON_Delete(pods[i]);
}

static int count_lines(const char *s, const char *needle)
{
	int n = 0;

	for (const char *p = s; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

static void reconcile_n(void *cookie, int n)
{
	const k8c_controller_ops_t *ops = k8c_plugin.ops;
	k8c_error_t err;

	for (int i = 0; i < n; i++)
		if (ops->reconcile(cookie, "ns1/web", &err) < 0)
			printf("# reconcile: %s\n", err.message);
}

static void test_reconcile(const char *policy)
{
	fake_cluster_t fc;
	void *cookie = NULL;
	k8c_error_t err;
	cJSON *set = cJSON_Parse(set_json), *cfg = cJSON_CreateObject();
	const k8c_controller_ops_t *ops = k8c_plugin.ops;
	int parallel = strcmp(policy, "Parallel") == 0;
	char *rev1;

	fc_init(&fc);
	cJSON_AddStringToObject(cJSON_GetObjectItem(set, "spec"), "podManagementPolicy", policy);
	cJSON_AddItemToArray(fc.objs[0], set);
	ok(k8c_plugin.init(&fc.fh.host, cfg, &cookie, &err) == 0, "%s: init", policy);
	is_int(ops->reconcile(cookie, "ns1/nosuch", &err), 0, "%s: a set that is gone is done", policy);
	reconcile_n(cookie, 1);
	is_int(cJSON_GetArraySize(fc.objs[1]), parallel ? 3 : 1,
	       "%s: the first sync creates %s", policy, parallel ? "all pods" : "web-0 only");
	is_int(cJSON_GetArraySize(fc.objs[2]), 1, "%s: one ControllerRevision", policy);
	is_int(cJSON_GetArraySize(fc.objs[3]), parallel ? 3 : 1, "%s: a claim per pod", policy);
	ok(strstr(fc.events, "SuccessfulCreate: create Claim data-web-0 Pod web-0 in StatefulSet web success\n") &&
	   strstr(fc.events, "SuccessfulCreate: create Pod web-0 in StatefulSet web successful\n"),
	   "%s: the events", policy);
	reconcile_n(cookie, 2);
	is_int(cJSON_GetArraySize(fc.objs[1]), parallel ? 3 : 1, "%s: nothing more while web-0 is not Ready", policy);
	is_str(k8c_jstr(set, "status.updateRevision"), k8c_jstr(cJSON_GetArrayItem(fc.objs[2], 0), "metadata.name"),
	       "%s: status.updateRevision", policy);
	is_int(sts_jint(set, "status.replicas", -1), parallel ? 3 : 1, "%s: status.replicas", policy);
	for (int i = 0; i < 3; i++) {
		fc_all_ready(&fc);
		reconcile_n(cookie, 1);
	}
	is_int(cJSON_GetArraySize(fc.objs[1]), 3, "%s: three pods once each is Ready", policy);
	is_int(sts_jint(set, "status.readyReplicas", -1), 3, "%s: readyReplicas 3", policy);
	is_int(sts_jint(set, "status.currentReplicas", -1), 3, "%s: currentReplicas 3", policy);

	/* scale down */
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(set, "spec"), "replicas", cJSON_CreateNumber(1));
	fc.calls[0] = '\0';
	reconcile_n(cookie, 1);
	is_str(fc.calls, parallel ? "DELETE pods web-2\nDELETE pods web-1\n" : "DELETE pods web-2\n",
	       "%s: scale down deletes from the highest ordinal", policy);
	reconcile_n(cookie, 1);
	is_int(cJSON_GetArraySize(fc.objs[1]), 1, "%s: then web-1", policy);
	is_int(cJSON_GetArraySize(fc.objs[3]), 3, "%s: the claims stay", policy);

	/* rolling update */
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(set, "spec"), "replicas", cJSON_CreateNumber(3));
	for (int i = 0; i < 3; i++) {
		fc_all_ready(&fc);
		reconcile_n(cookie, 1);
	}
	rev1 = k8c_xstrdup(k8c_jstr(set, "status.currentRevision"));
	cJSON_ReplaceItemInObject(cJSON_GetArrayItem((cJSON *)k8c_jget(set, "spec.template.spec.containers"), 0),
	                          "image", cJSON_CreateString("nginx:2"));
	fc.calls[0] = '\0';
	reconcile_n(cookie, 1);
	ok(strncmp(fc.calls, "POST controllerrevisions web-", 29) == 0 && strstr(fc.calls, "DELETE pods web-2\n"),
	   "%s: a new revision, and web-2 is deleted first", policy);
	is_int(count_lines(fc.calls, "DELETE pods"), 1, "%s: one pod at a time", policy);
	for (int i = 0; i < 8; i++) {
		fc_all_ready(&fc);
		reconcile_n(cookie, 1);
	}
	ok(strcmp(k8c_jstr(set, "status.currentRevision"), rev1) != 0 &&
	   strcmp(k8c_jstr(set, "status.currentRevision"), k8c_jstr(set, "status.updateRevision")) == 0,
	   "%s: the rollout completes", policy);
	is_str(k8c_jstr(cJSON_GetArrayItem(k8c_jget(cJSON_GetArrayItem(fc.objs[1], 0), "spec.containers"), 0), "image"),
	       "nginx:2", "%s: the pods run the new image", policy);
	free(rev1);
	k8c_plugin.fini(cookie);
	cJSON_Delete(cfg);
	fc_free(&fc);
}

/* An API that refuses what the history writes (adopt's PATCH, a new
 * revision's POST, a renumbering PUT): sts_history_load fails after it
 * has listed the revisions, and must leave nothing behind (the caller
 * frees the history only when the load succeeds). */
static int refuse_writes(void *ctx, const char *method, const char *path, const cJSON *body,
                         const char *ctype, cJSON **out, k8c_error_t *err)
{
	(void)ctx;
	(void)body;
	(void)ctype;
	(void)out;
	if (strcmp(method, "GET") == 0)
		return k8c_error_make(err, K8C_ENOTFOUND, "not found");
	return k8c_error_make(err, K8C_EUNAVAIL, "%s %s: refused", method, path);
}

static void test_history_load_fails(void)
{
	fake_cluster_t fc;
	cJSON *set = cJSON_Parse(set_json), *old, *orphan;
	k8c_label_selector_t *sel = NULL;
	sts_ctl_t c;
	sts_history_t h;
	k8c_error_t err;

	fc_init(&fc);
	fc.api.request = refuse_writes;
	c.host = &fc.fh.host;
	c.ch = &fc.ch;
	k8c_label_selector_from_json(k8c_jget(set, "spec.selector"), &sel, NULL);

	/* an owned revision of another template: a new one is to be made */
	old = sts_revision_new(set, 1, 0);
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(old, "data"), "spec", cJSON_Parse("{}"));
	cJSON_AddItemToArray(fc.objs[2], old);
	ok(sts_history_load(&c, set, sel, &h, &err) < 0, "the create refused: the load fails");
	ok(strstr(err.message, "create revision") != NULL, "with the create's error");
	ok(h.revs == NULL && h.n == 0 && h.current == NULL && h.update == NULL,
	   "and the listed revisions are freed (no leak per retry)");

	/* an equal but older revision: renumbered (PUT), refused */
	cJSON_DeleteItemFromArray(fc.objs[2], 0);
	cJSON_AddItemToArray(fc.objs[2], sts_revision_new(set, 1, 0));
	old = sts_revision_new(set, 2, 0);
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(old, "data"), "spec", cJSON_Parse("{}"));
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(old, "metadata"), "name", cJSON_CreateString("web-other"));
	cJSON_AddItemToArray(fc.objs[2], old);
	ok(sts_history_load(&c, set, sel, &h, &err) < 0, "the renumbering refused: the load fails");
	ok(h.revs == NULL && h.n == 0 && h.update == NULL, "and leaves nothing");

	/* an orphan revision: adopted (PATCH), refused */
	orphan = sts_revision_new(set, 3, 0);
	cJSON_DeleteItemFromObject(cJSON_GetObjectItem(orphan, "metadata"), "ownerReferences");
	cJSON_AddItemToArray(fc.objs[2], orphan);
	ok(sts_history_load(&c, set, sel, &h, &err) < 0, "the adoption refused: the load fails");
	ok(h.revs == NULL && h.n == 0, "and leaves nothing");

	/* and the reconcile that hits it returns the error */
	cJSON_AddItemToArray(fc.objs[0], cJSON_Duplicate(set, 1));
	{
		void *cookie = NULL;
		cJSON *cfg = cJSON_CreateObject();

		k8c_plugin.init(&fc.fh.host, cfg, &cookie, &err);
		ok(((const k8c_controller_ops_t *)k8c_plugin.ops)->reconcile(cookie, "ns1/web", &err) < 0,
		   "reconcile: the error");
		k8c_plugin.fini(cookie);
		cJSON_Delete(cfg);
	}
	k8c_label_selector_free(sel);
	cJSON_Delete(set);
	fc_free(&fc);
}

static void test_requeue_clamp(void)
{
	is_int(sts_requeue_ms(0), 0, "requeue: 0 s, none");
	is_int(sts_requeue_ms(5), 5000, "requeue: 5 s in ms");
	is_int(sts_requeue_ms(2147483647LL), 2147483647, "requeue: minReadySeconds int32 max clamps to INT_MAX");
	is_int(sts_requeue_ms(2147484LL), 2147483647, "requeue: just past INT_MAX / 1000 clamps");
	is_int(sts_requeue_ms(2147483LL), 2147483000, "requeue: INT_MAX / 1000 does not");
	{
		cJSON *o = cJSON_Parse("{\"a\":1e300,\"b\":-1e300,\"c\":42.9}");

		ok(sts_jint(o, "a", 0) == 9223372036854775807LL, "a huge number saturates");
		ok(sts_jint(o, "b", 0) == -9223372036854775807LL - 1, "a huge negative one too");
		is_int(sts_jint(o, "c", 0), 42, "others truncate");
		cJSON_Delete(o);
	}
}

int main(void)
{
	cJSON *set = cJSON_Parse(set_json);

	test_ordinals();
	test_pod(set);
	test_states();
	test_claims(set);
	test_revisions(set);
	test_status(set);
	test_reconcile("OrderedReady");
	test_reconcile("Parallel");
	test_history_load_fails();
	test_requeue_clamp();
	cJSON_Delete(set);
	return done_testing();
}
