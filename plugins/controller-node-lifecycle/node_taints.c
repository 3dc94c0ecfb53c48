/* Condition taints and NoExecute taints of a node (node_taints.h). */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "common/json_path.h"
#include "node_taints.h"

#define N_OWNED 7
#define UNSCHEDULABLE 6

/* kube's nodeConditionToTaintKeyStatusMap, and spec.unschedulable last. */
static const struct {
	const char *type, *status, *key;
} owned[N_OWNED] = {
	{"Ready", "False", NL_TAINT_NOT_READY},
	{"Ready", "Unknown", NL_TAINT_UNREACHABLE},
	{"MemoryPressure", "True", "node.kubernetes.io/memory-pressure"},
	{"DiskPressure", "True", "node.kubernetes.io/disk-pressure"},
	{"NetworkUnavailable", "True", "node.kubernetes.io/network-unavailable"},
	{"PIDPressure", "True", "node.kubernetes.io/pid-pressure"},
	{NULL, NULL, "node.kubernetes.io/unschedulable"},
};

const char *nl_condition_status(const cJSON *node, const char *type)
{
	const cJSON *conds = k8c_jget(node, "status.conditions"), *c;

	if (!cJSON_IsArray(conds))
		return NULL;
	cJSON_ArrayForEach(c, conds) {
		const char *t = k8c_jstr(c, "type");

		if (t != NULL && strcmp(t, type) == 0)
			return k8c_jstr(c, "status");
	}
	return NULL;
}

static int str_is(const char *a, const char *b)
{
	return a != NULL && strcmp(a, b) == 0;
}

int nl_has_taint(const cJSON *node, const char *key, const char *effect)
{
	const cJSON *taints = k8c_jget(node, "spec.taints"), *t;

	if (!cJSON_IsArray(taints))
		return 0;
	cJSON_ArrayForEach(t, taints)
		if (str_is(k8c_jstr(t, "key"), key) && str_is(k8c_jstr(t, "effect"), effect))
			return 1;
	return 0;
}

static int owned_index(const char *key)
{
	for (int i = 0; i < N_OWNED; i++)
		if (str_is(key, owned[i].key))
			return i;
	return -1;
}

static cJSON *new_taint(const char *key, const char *effect, const char *time_added)
{
	cJSON *t = cJSON_CreateObject();

	cJSON_AddStringToObject(t, "key", key);
	cJSON_AddStringToObject(t, "effect", effect);
	cJSON_AddStringToObject(t, "timeAdded", time_added);
	return t;
}

int nl_apply_taints(cJSON *node, const nl_taint_plan_t *plan, const char *time_added)
{
	cJSON *spec = cJSON_GetObjectItemCaseSensitive(node, "spec");
	const cJSON *old, *t;
	cJSON *out;
	int want[N_OWNED] = {0}, have[N_OWNED] = {0}, have_noexec = 0, changed = 0;

	if (!cJSON_IsObject(spec)) {
		cJSON_DeleteItemFromObjectCaseSensitive(node, "spec");
		spec = cJSON_AddObjectToObject(node, "spec");
	}
	for (int i = 0; i < UNSCHEDULABLE; i++)
		want[i] = str_is(nl_condition_status(node, owned[i].type), owned[i].status);
	want[UNSCHEDULABLE] = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(spec, "unschedulable"));
	old = cJSON_GetObjectItemCaseSensitive(spec, "taints");
	out = cJSON_CreateArray();
	if (!cJSON_IsArray(old))
		old = NULL;
	cJSON_ArrayForEach(t, old) {
		const char *key = k8c_jstr(t, "key"), *effect = k8c_jstr(t, "effect");
		int i = owned_index(key);

		if (i >= 0 && str_is(effect, "NoSchedule")) {
			if (!want[i] || have[i]) {
				changed = 1;
				continue;
			}
			have[i] = 1;
		} else if (plan->noexec == NL_NOEXEC_SET && str_is(effect, "NoExecute") &&
		           (str_is(key, NL_TAINT_NOT_READY) || str_is(key, NL_TAINT_UNREACHABLE))) {
			if (plan->noexec_key == NULL || !str_is(key, plan->noexec_key) || have_noexec) {
				changed = 1;
				continue;
			}
			have_noexec = 1;
		}
		cJSON_AddItemToArray(out, cJSON_Duplicate(t, 1));
	}
	for (int i = 0; i < N_OWNED; i++) {
		if (want[i] && !have[i]) {
			cJSON_AddItemToArray(out, new_taint(owned[i].key, "NoSchedule", time_added));
			changed = 1;
		}
	}
	if (plan->noexec == NL_NOEXEC_SET && plan->noexec_key != NULL && !have_noexec) {
		cJSON_AddItemToArray(out, new_taint(plan->noexec_key, "NoExecute", time_added));
		changed = 1;
	}
	if (!changed) {
		cJSON_Delete(out);
		return 0;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(spec, "taints");
	if (cJSON_GetArraySize(out) > 0)
		cJSON_AddItemToObject(spec, "taints", out);
	else
		cJSON_Delete(out);
	return 1;
}
