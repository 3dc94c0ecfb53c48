/* A Deployment's status and conditions (see dep_status.h). */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "common/json_path.h"
#include "common/mem.h"
#include "common/timestamp.h"
#include "dep_status.h"
#include "dep_util.h"

cJSON *dep_condition(const cJSON *status, const char *type)
{
	cJSON *c;

	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(status, "conditions")) {
		const char *t = k8c_jstr(c, "type");
		if (t != NULL && strcmp(t, type) == 0)
			return c;
	}
	return NULL;
}

cJSON *dep_condition_new(const char *type, const char *status, const char *reason,
                         const char *message, int64_t now_ns)
{
	cJSON *c = cJSON_CreateObject();
	char t[K8C_TIME_STRLEN];

	k8c_time_format(now_ns, t);
	cJSON_AddStringToObject(c, "type", type);
	cJSON_AddStringToObject(c, "status", status);
	cJSON_AddStringToObject(c, "lastUpdateTime", t);
	cJSON_AddStringToObject(c, "lastTransitionTime", t);
	cJSON_AddStringToObject(c, "reason", reason);
	cJSON_AddStringToObject(c, "message", message);
	return c;
}

static int str_eq(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

void dep_condition_remove(cJSON *status, const char *type)
{
	cJSON *conds = cJSON_GetObjectItemCaseSensitive(status, "conditions"), *c, *next;

	for (c = conds ? conds->child : NULL; c != NULL; c = next) {
		next = c->next;
		if (str_eq(k8c_jstr(c, "type"), type))
			cJSON_Delete(cJSON_DetachItemViaPointer(conds, c));
	}
}

static void replace_str(cJSON *obj, const char *key, const char *value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	cJSON_AddStringToObject(obj, key, value ? value : "");
}

void dep_condition_set(cJSON *status, cJSON *cond)
{
	const char *type = k8c_jstr(cond, "type");
	cJSON *cur = dep_condition(status, type), *conds;

	if (cur != NULL && str_eq(k8c_jstr(cur, "status"), k8c_jstr(cond, "status")) &&
	    str_eq(k8c_jstr(cur, "reason"), k8c_jstr(cond, "reason"))) {
		cJSON_Delete(cond);
		return;
	}
	if (cur != NULL && str_eq(k8c_jstr(cur, "status"), k8c_jstr(cond, "status")))
		replace_str(cond, "lastTransitionTime", k8c_jstr(cur, "lastTransitionTime"));
	dep_condition_remove(status, type);
	conds = cJSON_GetObjectItemCaseSensitive(status, "conditions");
	if (!cJSON_IsArray(conds)) {
		cJSON_DeleteItemFromObjectCaseSensitive(status, "conditions");
		conds = cJSON_AddArrayToObject(status, "conditions");
	}
	cJSON_AddItemToArray(conds, cond);
}

/* Counts are omitempty in DeploymentStatus. */
static void add_count(cJSON *st, const char *key, long v)
{
	if (v != 0)
		cJSON_AddNumberToObject(st, key, (double)v);
}

cJSON *dep_status_calculate(const cJSON *d, cJSON *const *all, size_t n, const cJSON *new_rs,
                            int64_t now_ns)
{
	long available = 0, total = 0, actual = 0, ready = 0, unavailable;
	const cJSON *cc = k8c_jget(d, "status.collisionCount"), *c;
	cJSON *st = cJSON_CreateObject(), *conds;

	for (size_t i = 0; i < n; i++) {
		if (all[i] == NULL)
			continue;
		available += dep_jlong(all[i], "status.availableReplicas", 0);
		total += dep_replicas(all[i]);
		actual += dep_jlong(all[i], "status.replicas", 0);
		ready += dep_jlong(all[i], "status.readyReplicas", 0);
	}
	unavailable = total - available;
	if (unavailable < 0)
		unavailable = 0;
	add_count(st, "observedGeneration", dep_jlong(d, "metadata.generation", 0));
	add_count(st, "replicas", actual);
	add_count(st, "updatedReplicas", new_rs ? dep_jlong(new_rs, "status.replicas", 0) : 0);
	add_count(st, "readyReplicas", ready);
	add_count(st, "availableReplicas", available);
	add_count(st, "unavailableReplicas", unavailable);
	conds = cJSON_AddArrayToObject(st, "conditions");
	cJSON_ArrayForEach(c, k8c_jget(d, "status.conditions"))
		cJSON_AddItemToArray(conds, cJSON_Duplicate(c, 1));
	if (cJSON_IsNumber(cc))
		cJSON_AddNumberToObject(st, "collisionCount", cc->valuedouble);
	if (available >= dep_replicas(d) - dep_max_unavailable(d))
		dep_condition_set(st, dep_condition_new("Available", "True", DEP_R_MIN_AVAILABLE,
		                                        "Deployment has minimum availability.", now_ns));
	else
		dep_condition_set(st, dep_condition_new("Available", "False", DEP_R_MIN_UNAVAILABLE,
		                                        "Deployment does not have minimum availability.",
		                                        now_ns));
	return st;
}

int dep_complete(const cJSON *d, const cJSON *st)
{
	long r = dep_replicas(d);

	return dep_jlong(st, "updatedReplicas", 0) == r && dep_jlong(st, "replicas", 0) == r &&
	       dep_jlong(st, "availableReplicas", 0) == r &&
	       dep_jlong(st, "observedGeneration", 0) >= dep_jlong(d, "metadata.generation", 0);
}

int dep_progressing(const cJSON *d, const cJSON *st)
{
	const cJSON *old = cJSON_GetObjectItemCaseSensitive(d, "status");
	long old_old = dep_jlong(old, "replicas", 0) - dep_jlong(old, "updatedReplicas", 0);
	long new_old = dep_jlong(st, "replicas", 0) - dep_jlong(st, "updatedReplicas", 0);

	return dep_jlong(st, "updatedReplicas", 0) > dep_jlong(old, "updatedReplicas", 0) ||
	       new_old < old_old ||
	       dep_jlong(st, "readyReplicas", 0) > dep_jlong(old, "readyReplicas", 0) ||
	       dep_jlong(st, "availableReplicas", 0) > dep_jlong(old, "availableReplicas", 0);
}

static int64_t update_time(const cJSON *cond)
{
	const char *t = k8c_jstr(cond, "lastUpdateTime");
	int64_t ns = 0;

	if (t == NULL || k8c_time_parse(t, &ns, NULL) < 0)
		return 0;
	return ns;
}

static int64_t deadline_ns(const cJSON *d)
{
	return (int64_t)dep_jlong(d, "spec.progressDeadlineSeconds", 0) * 1000000000LL;
}

int dep_timed_out(const cJSON *d, const cJSON *st, int64_t now_ns)
{
	const cJSON *c;
	const char *reason;

	if (!dep_has_progress_deadline(d) || (c = dep_condition(st, "Progressing")) == NULL)
		return 0;
	reason = k8c_jstr(c, "reason");
	if (str_eq(reason, DEP_R_NEW_RS_AVAILABLE))
		return 0;
	if (str_eq(reason, DEP_R_TIMED_OUT))
		return 1;
	return update_time(c) + deadline_ns(d) < now_ns;
}

static void add_replica_failures(cJSON *st, const cJSON *rs)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, k8c_jget(rs, "status.conditions")) {
		cJSON *dc;
		if (!str_eq(k8c_jstr(c, "type"), "ReplicaFailure"))
			continue;
		/* ReplicaSetToDeploymentCondition */
		dc = cJSON_CreateObject();
		cJSON_AddStringToObject(dc, "type", "ReplicaFailure");
		cJSON_AddStringToObject(dc, "status", k8c_jstr(c, "status") ? k8c_jstr(c, "status") : "");
		cJSON_AddStringToObject(dc, "lastUpdateTime",
		                        k8c_jstr(c, "lastTransitionTime") ? k8c_jstr(c, "lastTransitionTime") : "");
		cJSON_AddStringToObject(dc, "lastTransitionTime",
		                        k8c_jstr(c, "lastTransitionTime") ? k8c_jstr(c, "lastTransitionTime") : "");
		cJSON_AddStringToObject(dc, "reason", k8c_jstr(c, "reason") ? k8c_jstr(c, "reason") : "");
		cJSON_AddStringToObject(dc, "message", k8c_jstr(c, "message") ? k8c_jstr(c, "message") : "");
		dep_condition_set(st, dc);
		return;
	}
}

static int has_replica_failure(const cJSON *rs)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, k8c_jget(rs, "status.conditions")) {
		if (str_eq(k8c_jstr(c, "type"), "ReplicaFailure"))
			return 1;
	}
	return 0;
}

static char *progress_msg(const cJSON *d, const cJSON *new_rs, const char *what)
{
	if (new_rs != NULL)
		return k8c_xasprintf("ReplicaSet \"%s\" %s.", k8c_jstr(new_rs, "metadata.name"), what);
	return k8c_xasprintf("Deployment \"%s\" %s.", k8c_jstr(d, "metadata.name"), what);
}

void dep_rollout_conditions(const cJSON *d, cJSON *st, cJSON *const *all, size_t n,
                            const cJSON *new_rs, int64_t now_ns)
{
	const cJSON *cur = dep_condition(k8c_jget(d, "status"), "Progressing");
	int complete_before;

	if (!dep_has_progress_deadline(d))
		dep_condition_remove(st, "Progressing");
	complete_before = dep_jlong(st, "replicas", 0) == dep_jlong(st, "updatedReplicas", 0) &&
	                  cur != NULL && str_eq(k8c_jstr(cur, "reason"), DEP_R_NEW_RS_AVAILABLE);
	if (dep_has_progress_deadline(d) && !complete_before) {
		_cleanup_free_ char *msg = NULL;
		if (dep_complete(d, st)) {
			msg = progress_msg(d, new_rs, "has successfully progressed");
			dep_condition_set(st, dep_condition_new("Progressing", "True",
			                                        DEP_R_NEW_RS_AVAILABLE, msg, now_ns));
		} else if (dep_progressing(d, st)) {
			/* progress refreshes lastUpdateTime even with the same reason */
			cJSON *c;
			msg = progress_msg(d, new_rs, "is progressing");
			c = dep_condition_new("Progressing", "True", DEP_R_RS_UPDATED, msg, now_ns);
			if (cur != NULL) {
				if (str_eq(k8c_jstr(cur, "status"), "True"))
					replace_str(c, "lastTransitionTime", k8c_jstr(cur, "lastTransitionTime"));
				dep_condition_remove(st, "Progressing");
			}
			dep_condition_set(st, c);
		} else if (dep_timed_out(d, st, now_ns)) {
			msg = progress_msg(d, new_rs, "has timed out progressing");
			dep_condition_set(st, dep_condition_new("Progressing", "False", DEP_R_TIMED_OUT,
			                                        msg, now_ns));
		}
	}
	/* ReplicaFailure: the new ReplicaSet's first, else any one's */
	if (new_rs != NULL && has_replica_failure(new_rs)) {
		add_replica_failures(st, new_rs);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (all[i] != NULL && has_replica_failure(all[i])) {
			add_replica_failures(st, all[i]);
			return;
		}
	}
	dep_condition_remove(st, "ReplicaFailure");
}

int64_t dep_stuck_requeue_ms(const cJSON *d, const cJSON *new_status, int64_t now_ns)
{
	const cJSON *cur = dep_condition(k8c_jget(d, "status"), "Progressing");
	int64_t after;

	if (!dep_has_progress_deadline(d) || cur == NULL)
		return -1;
	if (dep_complete(d, new_status) || str_eq(k8c_jstr(cur, "reason"), DEP_R_TIMED_OUT))
		return -1;
	after = update_time(cur) + deadline_ns(d) - now_ns;
	if (after < 1000000000LL)
		return 1000;
	return after / 1000000 + 1000;
}
