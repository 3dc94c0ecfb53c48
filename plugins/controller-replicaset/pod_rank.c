/* Pod states the ReplicaSet controller counts and ranks: active, ready,
 * available, and the order in which surplus pods are deleted (the least
 * valuable first), as kube-controller-manager's controller utilities. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/json_path.h"
#include "common/timestamp.h"
#include "replicaset.h"

static int64_t time_of(const cJSON *obj, const char *path)
{
	int64_t ns = 0;
	const char *s = k8c_jstr(obj, path);

	if (s == NULL || k8c_time_parse(s, &ns, NULL) < 0)
		return 0;
	return ns;
}

static const cJSON *ready_condition(const cJSON *pod)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, k8c_jget(pod, "status.conditions")) {
		const char *t = k8c_jstr(c, "type");
		if (t != NULL && strcmp(t, "Ready") == 0)
			return c;
	}
	return NULL;
}

int rs_pod_ready(const cJSON *pod)
{
	const char *st = k8c_jstr(ready_condition(pod), "status");

	return st != NULL && strcmp(st, "True") == 0;
}

int rs_ready_long_enough(int ready, int64_t ready_since_ns, int64_t min_ready_seconds, int64_t now_ns)
{
	if (!ready)
		return 0;
	if (min_ready_seconds <= 0)
		return 1;
	return ready_since_ns != 0 && ready_since_ns + min_ready_seconds * INT64_C(1000000000) <= now_ns;
}

int rs_pod_available(const cJSON *pod, int64_t min_ready_seconds, int64_t now_ns)
{
	return rs_ready_long_enough(rs_pod_ready(pod), time_of(ready_condition(pod), "lastTransitionTime"),
	                            min_ready_seconds, now_ns);
}

const cJSON *rs_controller_ref(const cJSON *obj, int *index)
{
	const cJSON *ref;
	int i = 0;

	cJSON_ArrayForEach(ref, k8c_jget(obj, "metadata.ownerReferences")) {
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ref, "controller"))) {
			if (index != NULL)
				*index = i;
			return ref;
		}
		i++;
	}
	return NULL;
}

int rs_pod_active(const cJSON *pod)
{
	const char *phase = k8c_jstr(pod, "status.phase");

	if (k8c_jstr(pod, "metadata.deletionTimestamp") != NULL)
		return 0;
	return phase == NULL || (strcmp(phase, "Succeeded") != 0 && strcmp(phase, "Failed") != 0);
}

void rs_pod_rank_fill(rs_pod_rank_t *r, const cJSON *pod)
{
	const char *phase = k8c_jstr(pod, "status.phase");
	const cJSON *cs;

	const char *name = r->name;

	memset(r, 0, sizeof(*r));
	r->name = name;
	r->assigned = k8c_jstr(pod, "spec.nodeName") != NULL;
	if (phase != NULL && strcmp(phase, "Unknown") == 0)
		r->phase = 1;
	else if (phase != NULL && strcmp(phase, "Running") == 0)
		r->phase = 2;
	r->ready = rs_pod_ready(pod);
	if (r->ready)
		r->ready_since_ns = time_of(ready_condition(pod), "lastTransitionTime");
	cJSON_ArrayForEach(cs, k8c_jget(pod, "status.containerStatuses")) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(cs, "restartCount");
		if (cJSON_IsNumber(n) && (int64_t)n->valuedouble > r->restarts)
			r->restarts = (int64_t)n->valuedouble;
	}
	r->created_ns = time_of(pod, "metadata.creationTimestamp");
}

/* < 0 when a should be deleted before b */
static int rank_cmp(const void *pa, const void *pb)
{
	const rs_pod_rank_t *a = pa, *b = pb;

	if (a->assigned != b->assigned)
		return a->assigned - b->assigned;
	if (a->phase != b->phase)
		return a->phase - b->phase;
	if (a->ready != b->ready)
		return a->ready - b->ready;
	if (a->colocated != b->colocated)
		return a->colocated > b->colocated ? -1 : 1;
	if (a->ready && b->ready && a->ready_since_ns != b->ready_since_ns)
		return a->ready_since_ns > b->ready_since_ns ? -1 : 1; /* ready for less time first */
	if (a->restarts != b->restarts)
		return a->restarts > b->restarts ? -1 : 1;
	if (a->created_ns != b->created_ns)
		return a->created_ns > b->created_ns ? -1 : 1; /* newer first */
	return strcmp(a->name ? a->name : "", b->name ? b->name : "");
}

void rs_pod_rank_sort(rs_pod_rank_t *ranks, size_t n)
{
	if (n > 1)
		qsort(ranks, n, sizeof(*ranks), rank_cmp);
}
