/* A ReplicaSet's status from the pods it controls, as kube's
 * calculateStatus: replicas (active pods), fullyLabeledReplicas (those
 * carrying every label of the template), readyReplicas,
 * availableReplicas (ready for minReadySeconds), observedGeneration and
 * the ReplicaFailure condition while creating or deleting fails.  Written
 * through the status subresource, only when something changed. */
#include "config.h"

#include <limits.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/json_path.h"
#include "common/mem.h"
#include "common/timestamp.h"
#include "replicaset.h"

static int64_t num(const cJSON *obj, const char *path)
{
	const cJSON *n = k8c_jget(obj, path);

	return cJSON_IsNumber(n) ? (int64_t)n->valuedouble : 0;
}

/* The conditions with ReplicaFailure set (failure != "") or removed. */
static cJSON *conditions(const sync_ctx_t *s)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *c, *old = NULL;

	cJSON_ArrayForEach(c, k8c_jget(s->rs, "status.conditions")) {
		if (strcmp(k8c_jstr(c, "type") ?: "", "ReplicaFailure") == 0)
			old = c;
		else
			cJSON_AddItemToArray(out, cJSON_Duplicate(c, 1));
	}
	if (s->failure[0] != '\0') {
		cJSON *f = cJSON_CreateObject();
		char ts[K8C_TIME_STRLEN];
		const char *since = k8c_jstr(old, "lastTransitionTime");
		cJSON_AddStringToObject(f, "type", "ReplicaFailure");
		cJSON_AddStringToObject(f, "status", "True");
		cJSON_AddStringToObject(f, "lastTransitionTime",
		                        since ? since : k8c_time_format(k8c_time_now_ns(), ts));
		cJSON_AddStringToObject(f, "reason", s->failure_reason ? s->failure_reason : "FailedCreate");
		cJSON_AddStringToObject(f, "message", s->failure);
		cJSON_AddItemToArray(out, f);
	}
	return out;
}

int rs_update_status(sync_ctx_t *s, k8c_error_t *err)
{
	int64_t min_ready = s->min_ready;
	int64_t replicas = 0, labeled = 0, ready = 0, available = 0;
	_cleanup_json_ cJSON *conds = conditions(s);
	const cJSON *oldst = k8c_jget(s->rs, "status");
	cJSON *st;

	for (size_t i = 0; i < s->n_pods; i++) {
		const rs_pod_t *p = &s->pods[i];
		if (!p->active)
			continue;
		replicas++;
		labeled += p->labeled;
		ready += p->ready;
		available += p->available;
	}
	if (replicas != num(oldst, "replicas") || labeled != num(oldst, "fullyLabeledReplicas") ||
	    ready != num(oldst, "readyReplicas") || available != num(oldst, "availableReplicas") ||
	    num(s->rs, "metadata.generation") != num(oldst, "observedGeneration") ||
	    !cJSON_Compare(conds, k8c_jget(oldst, "conditions") ?: (const cJSON *)conds, 1) ||
	    (k8c_jget(oldst, "conditions") == NULL && cJSON_GetArraySize(conds) > 0)) {
		_cleanup_free_ char *path = k8c_xasprintf(
			"/apis/apps/v1/namespaces/%s/replicasets/%s/status", s->ns, s->name);
		cJSON_DeleteItemFromObjectCaseSensitive(s->rs, "status");
		st = cJSON_AddObjectToObject(s->rs, "status");
		/* zero counts are left out, as Kubernetes' omitempty does */
		cJSON_AddNumberToObject(st, "replicas", (double)replicas);
		if (labeled > 0)
			cJSON_AddNumberToObject(st, "fullyLabeledReplicas", (double)labeled);
		if (ready > 0)
			cJSON_AddNumberToObject(st, "readyReplicas", (double)ready);
		if (available > 0)
			cJSON_AddNumberToObject(st, "availableReplicas", (double)available);
		if (num(s->rs, "metadata.generation") > 0)
			cJSON_AddNumberToObject(st, "observedGeneration",
			                        (double)num(s->rs, "metadata.generation"));
		if (cJSON_GetArraySize(conds) > 0)
			cJSON_AddItemToObject(st, "conditions", K8C_STEAL(conds));
		if (rs_request(s->c, "PUT", path, s->rs, NULL, NULL, err) < 0)
			return err->code == K8C_ENOTFOUND ? 0 : -1;
	}
	/* pods ready but not yet available: look again when they become so */
	if (min_ready > 0 && ready != available)
		return min_ready > INT_MAX / 1000 ? INT_MAX : (int)(min_ready * 1000);
	return 0;
}
