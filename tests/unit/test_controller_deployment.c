/* The Deployment controller's pure parts: int-or-percent rounding and the
 * rolling-update fenceposts, the pod-template-hash, template equality,
 * ReplicaSet orderings, proportional scaling, status and conditions. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/json_path.h"
#include "dep_status.h"
#include "dep_util.h"
#include "tap.h"

static cJSON *J(const char *s)
{
	cJSON *j = cJSON_Parse(s);

	if (j == NULL) {
		printf("Bail out! bad JSON in the test: %s\n", s);
		exit(1);
	}
	return j;
}

static long scaled(const char *json, long total, int up)
{
	cJSON *v = J(json);
	long out = -999;

	if (dep_scaled_value(v, total, up, &out) < 0)
		out = -1;
	cJSON_Delete(v);
	return out;
}

static void test_rounding(void)
{
	long s, u;
	cJSON *a, *b;

	is_int(scaled("\"25%\"", 10, 1), 3, "25%% of 10 rounds up to 3 (surge)");
	is_int(scaled("\"25%\"", 10, 0), 2, "25%% of 10 rounds down to 2 (unavailable)");
	is_int(scaled("\"0%\"", 10, 1), 0, "0%% is 0");
	is_int(scaled("\"100%\"", 7, 0), 7, "100%% is all");
	is_int(scaled("3", 10, 0), 3, "a number is itself");
	is_int(scaled("\"abc\"", 10, 0), -1, "a string that is not a percentage is refused");
	is_int(scaled("\"%\"", 10, 0), -1, "a bare %% is refused");

	a = J("\"25%\""), b = J("\"25%\"");
	dep_fenceposts(a, b, 4, &s, &u);
	ok(s == 1 && u == 1, "25%%/25%% of 4: surge 1, unavailable 1");
	dep_fenceposts(a, b, 3, &s, &u);
	ok(s == 1 && u == 0, "25%%/25%% of 3: surge 1 (ceil), unavailable 0 (floor)");
	dep_fenceposts(a, b, 1, &s, &u);
	ok(s == 1 && u == 0, "25%%/25%% of 1: surge 1, unavailable 0");
	cJSON_Delete(a);
	cJSON_Delete(b);
	a = J("0"), b = J("\"10%\"");
	dep_fenceposts(a, b, 5, &s, &u);
	ok(s == 0 && u == 1, "surge 0 and 10%% of 5 (0): unavailable becomes 1");
	cJSON_Delete(a);
	cJSON_Delete(b);

	a = J("{\"spec\":{\"replicas\":2,\"strategy\":{\"type\":\"RollingUpdate\","
	      "\"rollingUpdate\":{\"maxSurge\":0,\"maxUnavailable\":5}}}}");
	is_int(dep_max_unavailable(a), 2, "maxUnavailable is capped at replicas");
	is_int(dep_max_surge(a), 0, "maxSurge 0");
	cJSON_Delete(a);
	a = J("{\"spec\":{\"replicas\":0,\"strategy\":{\"type\":\"RollingUpdate\","
	      "\"rollingUpdate\":{\"maxSurge\":1,\"maxUnavailable\":1}}}}");
	is_int(dep_max_unavailable(a), 0, "no unavailable pods allowed at 0 replicas");
	cJSON_Delete(a);
	a = J("{\"spec\":{\"replicas\":4,\"strategy\":{\"type\":\"Recreate\"}}}");
	ok(dep_max_surge(a) == 0 && dep_max_unavailable(a) == 0, "Recreate: no surge, no unavailable");
	cJSON_Delete(a);
}

static void test_hash(void)
{
	cJSON *t1 = J("{\"metadata\":{\"labels\":{\"app\":\"web\",\"tier\":\"x\"}},"
	              "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx:1\"}]}}");
	cJSON *t2 = J("{\"spec\":{\"containers\":[{\"image\":\"nginx:1\",\"name\":\"c\",\"args\":[]}],"
	              "\"hostNetwork\":false},\"metadata\":{\"labels\":{\"tier\":\"x\",\"app\":\"web\"},"
	              "\"annotations\":{}}}");
	cJSON *t3 = J("{\"metadata\":{\"labels\":{\"app\":\"web\",\"tier\":\"x\"}},"
	              "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx:2\"}]}}");
	cJSON *t4 = J("{\"metadata\":{\"labels\":{\"app\":\"web\",\"tier\":\"x\","
	              "\"pod-template-hash\":\"abc\"}},"
	              "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx:1\"}]}}");
	char *h1 = dep_template_hash(t1, NULL), *h2 = dep_template_hash(t2, NULL);
	char *h3 = dep_template_hash(t3, NULL), *h4;
	long one = 1;
	int alpha = 1;

	is_str(h1, h2, "the hash ignores member order and zero values");
	ok(strcmp(h1, h3) != 0, "another image, another hash (%s, %s)", h1, h3);
	h4 = dep_template_hash(t1, &one);
	ok(strcmp(h1, h4) != 0, "a collision count changes the hash");
	for (const char *p = h1; *p; p++)
		alpha &= strchr("bcdfghjklmnpqrstvwxz2456789", *p) != NULL;
	ok(alpha && strlen(h1) >= 1 && strlen(h1) <= 10, "the hash is spelled as SafeEncodeString (%s)", h1);
	free(h4);
	h4 = dep_template_hash(t4, NULL);
	is_str(h4, h1, "the hash label itself does not count");

	ok(dep_equal_ignore_hash(t1, t2), "templates equal but for zero values");
	ok(dep_equal_ignore_hash(t1, t4), "templates equal but for the hash label");
	ok(!dep_equal_ignore_hash(t1, t3), "templates of different images differ");
	free(h1);
	free(h2);
	free(h3);
	free(h4);
	cJSON_Delete(t1);
	cJSON_Delete(t2);
	cJSON_Delete(t3);
	cJSON_Delete(t4);
}

static void test_orderings(void)
{
	cJSON *a = J("{\"metadata\":{\"name\":\"a\",\"creationTimestamp\":\"2024-01-01T00:00:02Z\","
	             "\"annotations\":{\"deployment.kubernetes.io/revision\":\"3\"}},\"spec\":{\"replicas\":2}}");
	cJSON *b = J("{\"metadata\":{\"name\":\"b\",\"creationTimestamp\":\"2024-01-01T00:00:01Z\","
	             "\"annotations\":{\"deployment.kubernetes.io/revision\":\"5\"}},\"spec\":{\"replicas\":2}}");
	cJSON *c = J("{\"metadata\":{\"name\":\"c\",\"creationTimestamp\":\"2024-01-01T00:00:01Z\","
	             "\"annotations\":{\"deployment.kubernetes.io/revision\":\"1\"}},\"spec\":{\"replicas\":5}}");
	cJSON *v[3];

	v[0] = a, v[1] = b, v[2] = c;
	qsort(v, 3, sizeof(*v), dep_cmp_created);
	ok(v[0] == b && v[1] == c && v[2] == a, "by creation: oldest first, names break ties");
	qsort(v, 3, sizeof(*v), dep_cmp_size_newer);
	ok(v[0] == c && v[1] == a && v[2] == b, "by size, newer first among equals");
	qsort(v, 3, sizeof(*v), dep_cmp_size_older);
	ok(v[0] == c && v[1] == b && v[2] == a, "by size, older first among equals");
	qsort(v, 3, sizeof(*v), dep_cmp_revision);
	ok(v[0] == c && v[1] == a && v[2] == b, "by revision");
	is_int(dep_revision(b), 5, "revision annotation read");
	is_int(dep_annotated_max(b), -1, "no max-replicas annotation");
	cJSON_Delete(a);
	cJSON_Delete(b);
	cJSON_Delete(c);
}

static void test_proportional(void)
{
	/* The Kubernetes documentation's example: 10 replicas, maxSurge 3,
	 * mid-rollout with 8 old and 5 new, scaled to 15: 3 more to the old,
	 * 2 more to the new. */
	dep_prop_t p[2] = {{8, 13, 0}, {5, 13, 0}};
	dep_prop_t q[2] = {{11, 18, 0}, {7, 18, 0}};
	dep_prop_t r[2] = {{3, 4, 0}, {1, 4, 0}};
	dep_prop_t z[2] = {{3, 4, 0}, {2, 4, 0}};
	dep_prop_t n[2] = {{4, -1, 0}, {2, -1, 0}};

	dep_proportional(p, 2, 18 - 13, 15, 3, 13);
	ok(p[0].size == 11 && p[1].size == 7, "10 -> 15 mid-rollout: old 8 -> 11, new 5 -> 7 (got %ld, %ld)",
	   p[0].size, p[1].size);
	dep_proportional(q, 2, 13 - 18, 10, 3, 18);
	ok(q[0].size == 8 && q[1].size == 5, "and back to 10: 11 -> 8, 7 -> 5 (got %ld, %ld)", q[0].size,
	   q[1].size);
	/* leftovers go to the first (largest) */
	dep_proportional(r, 2, 2, 5, 1, 4);
	ok(r[0].size + r[1].size == 6 && r[0].size >= 4, "every replica added lands somewhere (%ld, %ld)",
	   r[0].size, r[1].size);
	dep_proportional(z, 2, -5, 0, 0, 5);
	ok(z[0].size == 0 && z[1].size == 0, "scaled to 0: every set goes to 0");
	dep_proportional(n, 2, 3, 9, 0, 6);
	ok(n[0].size == 6 && n[1].size == 3, "no annotation: the status replicas are the base (%ld, %ld)",
	   n[0].size, n[1].size);
}

static const char *cond_field(const cJSON *st, const char *type, const char *field)
{
	return k8c_jstr(dep_condition(st, type), field);
}

static void test_status(void)
{
	int64_t t0 = 1700000000LL * 1000000000LL;
	cJSON *d = J("{\"metadata\":{\"name\":\"web\",\"generation\":2},\"spec\":{\"replicas\":4,"
	             "\"progressDeadlineSeconds\":600,\"strategy\":{\"type\":\"RollingUpdate\","
	             "\"rollingUpdate\":{\"maxSurge\":\"25%\",\"maxUnavailable\":\"25%\"}}},"
	             "\"status\":{\"observedGeneration\":1}}");
	cJSON *old = J("{\"metadata\":{\"name\":\"web-old\"},\"spec\":{\"replicas\":1},"
	               "\"status\":{\"replicas\":1,\"readyReplicas\":1,\"availableReplicas\":1}}");
	cJSON *nw = J("{\"metadata\":{\"name\":\"web-new\"},\"spec\":{\"replicas\":4},"
	              "\"status\":{\"replicas\":4,\"readyReplicas\":2,\"availableReplicas\":2}}");
	cJSON *all[2] = {old, nw}, *st, *c;

	st = dep_status_calculate(d, all, 2, nw, t0);
	is_int(dep_jlong(st, "replicas", -1), 5, "replicas: every pod of every set");
	is_int(dep_jlong(st, "updatedReplicas", -1), 4, "updatedReplicas: the new set's");
	is_int(dep_jlong(st, "availableReplicas", -1), 3, "availableReplicas");
	is_int(dep_jlong(st, "unavailableReplicas", -1), 2, "unavailableReplicas: desired minus available");
	is_int(dep_jlong(st, "observedGeneration", -1), 2, "observedGeneration");
	is_str(cond_field(st, "Available", "reason"), "MinimumReplicasAvailable", "3 of 4 with 1 unavailable allowed: Available");
	ok(!dep_complete(d, st), "not complete");
	ok(dep_progressing(d, st), "progressing (more updated than before)");
	dep_rollout_conditions(d, st, all, 2, nw, t0);
	is_str(cond_field(st, "Progressing", "reason"), "ReplicaSetUpdated", "Progressing: ReplicaSetUpdated");
	is_str(cond_field(st, "Progressing", "message"), "ReplicaSet \"web-new\" is progressing.",
	       "... with kube's message");

	/* no progress for longer than the deadline */
	cJSON_ReplaceItemInObject(d, "status", cJSON_Duplicate(st, 1));
	cJSON_Delete(st);
	st = dep_status_calculate(d, all, 2, nw, t0 + 601LL * 1000000000LL);
	ok(dep_stuck_requeue_ms(d, st, t0 + 10LL * 1000000000LL) > 590000,
	   "without progress, look again when the deadline passes");
	dep_rollout_conditions(d, st, all, 2, nw, t0 + 601LL * 1000000000LL);
	is_str(cond_field(st, "Progressing", "reason"), "ProgressDeadlineExceeded", "601 s later: ProgressDeadlineExceeded");
	is_str(cond_field(st, "Progressing", "status"), "False", "... Progressing=False");
	is_str(cond_field(st, "Progressing", "message"), "ReplicaSet \"web-new\" has timed out progressing.",
	       "... with kube's message");
	cJSON_Delete(st);

	/* everything available */
	cJSON_ReplaceItemInObject(nw, "status", J("{\"replicas\":4,\"readyReplicas\":4,\"availableReplicas\":4}"));
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(old, "spec"), "replicas", cJSON_CreateNumber(0));
	cJSON_ReplaceItemInObject(old, "status", J("{}"));
	st = dep_status_calculate(d, all, 2, nw, t0);
	dep_rollout_conditions(d, st, all, 2, nw, t0);
	ok(dep_complete(d, st), "complete");
	is_str(cond_field(st, "Progressing", "reason"), "NewReplicaSetAvailable", "NewReplicaSetAvailable");
	is_str(cond_field(st, "Progressing", "message"), "ReplicaSet \"web-new\" has successfully progressed.",
	       "... with kube's message");
	ok(dep_stuck_requeue_ms(d, st, t0) < 0, "a complete rollout is not looked at again");

	/* SetDeploymentCondition keeps lastTransitionTime on the same status */
	c = dep_condition_new("Available", "True", "Other", "m", t0 + 5LL * 1000000000LL);
	dep_condition_set(st, c);
	is_str(cond_field(st, "Available", "lastTransitionTime"), "2023-11-14T22:13:20Z",
	       "same status, new reason: the transition time stays");
	is_str(cond_field(st, "Available", "lastUpdateTime"), "2023-11-14T22:13:25Z", "... the update time moves");
	cJSON_Delete(st);

	cJSON_ReplaceItemInObject(nw, "status", J("{\"replicas\":4,\"readyReplicas\":1,\"availableReplicas\":1}"));
	st = dep_status_calculate(d, all, 2, nw, t0);
	is_str(cond_field(st, "Available", "reason"), "MinimumReplicasUnavailable", "1 of 4: MinimumReplicasUnavailable");
	is_str(cond_field(st, "Available", "status"), "False", "... Available=False");
	cJSON_Delete(st);
	cJSON_Delete(d);
	cJSON_Delete(old);
	cJSON_Delete(nw);
}

static void test_semantic(void)
{
	cJSON *a = J("{\"x\":1,\"y\":{\"z\":[1,2]},\"e\":{}}"), *b = J("{\"y\":{\"z\":[1,2]},\"x\":1}");
	cJSON *c = J("{\"y\":{\"z\":[2,1]},\"x\":1}");

	ok(dep_semantic_equal(a, b), "absent equals empty");
	ok(!dep_semantic_equal(a, c), "array order counts");
	cJSON_Delete(a);
	cJSON_Delete(b);
	cJSON_Delete(c);
}

int main(void)
{
	test_rounding();
	test_hash();
	test_orderings();
	test_proportional();
	test_status();
	test_semantic();
	return done_testing();
}
