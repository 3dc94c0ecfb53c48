/* DaemonSet status, as kube's updateDaemonSetStatus counts it: per node
 * that should run the pod, whether one is there (current), whether the
 * oldest is ready, available (minReadySeconds) and of the current
 * revision (updated); pods on nodes that should not run them are
 * misscheduled.  Written through /status when a count or
 * observedGeneration changed, retried once on a conflict. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/client.h>

#include "common/json_path.h"

#include "ds.h"

enum {
	C_DESIRED, C_CURRENT, C_MISSCHEDULED, C_READY, C_UPDATED, C_AVAILABLE, C_UNAVAILABLE,
	C_COUNT,
};

static const char *const names[C_COUNT] = {
	"desiredNumberScheduled", "currentNumberScheduled", "numberMisscheduled",
	"numberReady", "updatedNumberScheduled", "numberAvailable", "numberUnavailable",
};

/* The oldest counted pod on node (pods are sorted so), or NULL. */
static const ds_pod_t *first_pod(const ds_sync_t *s, const char *node)
{
	size_t start, n = ds_pods_on(s, node, &start);

	for (size_t i = start; i < start + n; i++)
		if (!s->pods[i].skip)
			return &s->pods[i];
	return NULL;
}

static int64_t num(const cJSON *obj, const char *path)
{
	const cJSON *v = k8c_jget(obj, path);

	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

static void set_num(cJSON *obj, const char *name, int64_t v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(obj, name);
	cJSON_AddNumberToObject(obj, name, (double)v);
}

static void fill(cJSON *ds, const int64_t c[C_COUNT], int observed_gen, int64_t gen)
{
	cJSON *status = cJSON_GetObjectItemCaseSensitive(ds, "status");

	if (!cJSON_IsObject(status)) {
		cJSON_DeleteItemFromObjectCaseSensitive(ds, "status");
		status = cJSON_AddObjectToObject(ds, "status");
	}
	if (observed_gen)
		set_num(status, "observedGeneration", gen);
	for (int i = 0; i < C_COUNT; i++) {
		/* the four counts that are optional in apps/v1 are left out
		 * when zero, as Kubernetes writes them (omitempty) */
		if (c[i] == 0 && i >= C_UPDATED) {
			cJSON_DeleteItemFromObjectCaseSensitive(status, names[i]);
			continue;
		}
		set_num(status, names[i], c[i]);
	}
}

int ds_update_status(ds_sync_t *s, int observed_gen, k8c_error_t *err)
{
	int64_t c[C_COUNT] = {0}, mrs = ds_min_ready_seconds(s->ds);
	int64_t gen = num(s->ds, "metadata.generation");
	cJSON *upd;
	int same = num(s->ds, "status.observedGeneration") >= gen, ret;

	for (size_t i = 0; i < s->n_nodes; i++) {
		const ds_pod_t *p = first_pod(s, s->nodes[i].name);

		if (!s->nodes[i].should_run) {
			c[C_MISSCHEDULED] += p != NULL;
			continue;
		}
		c[C_DESIRED]++;
		if (p == NULL)
			continue;
		c[C_CURRENT]++;
		if (p->ready) {
			c[C_READY]++;
			c[C_AVAILABLE] += ds_pod_available(p, mrs, s->now);
		}
		c[C_UPDATED] += ds_pod_updated(s, p);
	}
	c[C_UNAVAILABLE] = c[C_DESIRED] - c[C_AVAILABLE];
	/* A ready pod becomes available minReadySeconds later, and nothing
	 * else may bring the key back then: a surge pod's availability is
	 * what lets the old pod go.  The delayed add from its readiness
	 * (pod_became_ready) is dropped when the key already waits for an
	 * earlier time (one due time per key, as client-go's queue), so every
	 * sync looks again when its next pod becomes available. */
	for (size_t i = 0; i < s->n_pods && mrs > 0; i++) {
		const ds_pod_t *p = &s->pods[i];
		int64_t ms;

		if (p->skip || p->deleting || !p->ready || ds_pod_available(p, mrs, s->now))
			continue;
		ms = p->ready_since == 0 ? mrs * 1000
		     : (p->ready_since + mrs * 1000000000LL - s->now) / 1000000 + 100;
		if (ms < 100)
			ms = 100;
		if (s->requeue_ms == 0 || ms < s->requeue_ms)
			s->requeue_ms = ms;
	}

	for (int i = 0; i < C_COUNT && same; i++)
		same = num(k8c_jget(s->ds, "status"), names[i]) == c[i];
	if (same)
		return 0;
	upd = cJSON_Duplicate(s->ds, 1);
	for (int attempt = 0;; attempt++) {
		fill(upd, c, observed_gen, gen);
		ret = ds_api(s, "PUT", upd, NULL, NULL, err,
		             "/apis/apps/v1/namespaces/%s/daemonsets/%s/status", s->ns, s->name);
		cJSON_Delete(upd);
		upd = NULL;
		if (ret >= 0 || attempt >= 1 || err->code != K8C_ECONFLICT)
			break;
		ret = ds_api(s, "GET", NULL, NULL, &upd, err,
		             "/apis/apps/v1/namespaces/%s/daemonsets/%s", s->ns, s->name);
		if (ret < 0)
			break;
	}
	return ret;
}
