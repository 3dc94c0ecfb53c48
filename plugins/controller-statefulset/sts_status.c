/* The StatefulSet status the controller writes: the counts of
 * computeReplicaStatus, completeRollingUpdate, and the comparison that
 * decides whether to write at all (inconsistentStatus). */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "common/json_path.h"
#include "sts.h"

static int same(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

void sts_status_count(sts_status_t *st, cJSON *const *pods, size_t n, int64_t min_ready_s,
                      int64_t now_ns)
{
	st->replicas = st->ready = st->available = st->current = st->updated = 0;
	for (size_t i = 0; i < n; i++) {
		const cJSON *pod = pods[i];
		if (pod == NULL)
			continue;
		if (sts_pod_created(pod))
			st->replicas++;
		if (sts_pod_running_ready(pod)) {
			st->ready++;
			if (sts_pod_available(pod, min_ready_s, now_ns))
				st->available++;
		}
		if (sts_pod_created(pod) && !sts_is_terminating(pod)) {
			const char *rev = sts_pod_revision(pod);
			if (same(rev, st->current_revision))
				st->current++;
			if (same(rev, st->update_revision))
				st->updated++;
		}
	}
}

int sts_status_complete_and_differs(const cJSON *set, sts_status_t *st)
{
	const char *type = k8c_jstr(set, "spec.updateStrategy.type");
	const cJSON *old = k8c_jget(set, "status");

	if (type != NULL && strcmp(type, "RollingUpdate") == 0 && st->updated == st->replicas &&
	    st->ready == st->replicas) {
		st->current = st->updated;
		st->current_revision = st->update_revision;
	}
	return st->observed_generation > sts_jint(old, "observedGeneration", 0) ||
	       st->replicas != sts_jint(old, "replicas", 0) ||
	       st->current != sts_jint(old, "currentReplicas", 0) ||
	       st->ready != sts_jint(old, "readyReplicas", 0) ||
	       st->updated != sts_jint(old, "updatedReplicas", 0) ||
	       st->available != sts_jint(old, "availableReplicas", 0) ||
	       st->collision != sts_jint(old, "collisionCount", 0) ||
	       !same(st->current_revision, k8c_jstr(old, "currentRevision")) ||
	       !same(st->update_revision, k8c_jstr(old, "updateRevision"));
}

cJSON *sts_status_json(const sts_status_t *st, const cJSON *old_status)
{
	cJSON *s = cJSON_CreateObject();
	const cJSON *conds = k8c_jget(old_status, "conditions");

	if (st->observed_generation)
		cJSON_AddNumberToObject(s, "observedGeneration", (double)st->observed_generation);
	cJSON_AddNumberToObject(s, "replicas", st->replicas);
	if (st->ready)
		cJSON_AddNumberToObject(s, "readyReplicas", st->ready);
	if (st->current)
		cJSON_AddNumberToObject(s, "currentReplicas", st->current);
	if (st->updated)
		cJSON_AddNumberToObject(s, "updatedReplicas", st->updated);
	if (st->current_revision && st->current_revision[0])
		cJSON_AddStringToObject(s, "currentRevision", st->current_revision);
	if (st->update_revision && st->update_revision[0])
		cJSON_AddStringToObject(s, "updateRevision", st->update_revision);
	cJSON_AddNumberToObject(s, "collisionCount", st->collision);
	cJSON_AddNumberToObject(s, "availableReplicas", st->available);
	if (cJSON_IsArray(conds) && cJSON_GetArraySize(conds) > 0)
		cJSON_AddItemToObject(s, "conditions", cJSON_Duplicate(conds, 1));
	return s;
}
