/* The ReplicaSet controller's pod states and deletion order: unassigned,
 * pending, not ready, doubled-up, recently ready, restarting and newer
 * pods go first (kube's ActivePodsWithRanks). */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "common/json_path.h"
#include "common/timestamp.h"
#include "replicaset.h"
#include "tap.h"

static cJSON *pod(const char *name, const char *node, const char *phase, const char *ready,
                  const char *ready_since, int restarts, const char *created)
{
	char buf[1024];

	snprintf(buf, sizeof(buf),
	         "{\"metadata\":{\"name\":\"%s\",\"creationTimestamp\":\"%s\"},\"spec\":{%s%s%s},"
	         "\"status\":{\"phase\":\"%s\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"%s\","
	         "\"lastTransitionTime\":\"%s\"}],\"containerStatuses\":[{\"restartCount\":%d}]}}",
	         name, created, node ? "\"nodeName\":\"" : "", node ? node : "", node ? "\"" : "",
	         phase, ready, ready_since, restarts);
	return cJSON_Parse(buf);
}

static const char *order(rs_pod_rank_t *r, size_t n, char *buf, size_t len)
{
	buf[0] = '\0';
	rs_pod_rank_sort(r, n);
	for (size_t i = 0; i < n; i++) {
		strncat(buf, r[i].name, len - strlen(buf) - 2);
		if (i + 1 < n)
			strncat(buf, " ", len - strlen(buf) - 1);
	}
	return buf;
}

int main(void)
{
	const char *t0 = "2026-01-01T00:00:00Z", *t1 = "2026-01-01T00:01:00Z";
	cJSON *p[8];
	rs_pod_rank_t r[8];
	char buf[256];
	int64_t now;

	p[0] = pod("running-ready", "n1", "Running", "True", t0, 0, t0);
	p[1] = pod("unassigned", NULL, "Pending", "False", t0, 0, t0);
	p[2] = pod("pending", "n1", "Pending", "False", t0, 0, t0);
	p[3] = pod("running-notready", "n2", "Running", "False", t0, 0, t0);
	p[4] = pod("ready-recently", "n2", "Running", "True", t1, 0, t0);
	p[5] = pod("restarting", "n3", "Running", "True", t0, 5, t0);
	p[6] = pod("newer", "n3", "Running", "True", t0, 0, t1);
	p[7] = pod("unknown", "n2", "Unknown", "False", t0, 0, t0);
	for (int i = 0; i < 8; i++) {
		r[i].name = k8c_jstr(p[i], "metadata.name");
		rs_pod_rank_fill(&r[i], p[i]);
	}
	is_str(order(r, 8, buf, sizeof(buf)),
	       "unassigned pending unknown running-notready ready-recently restarting newer running-ready",
	       "deletion order without colocation");
	for (int i = 0; i < 8; i++) {
		r[i].name = k8c_jstr(p[i], "metadata.name");
		rs_pod_rank_fill(&r[i], p[i]);
	}
	r[0].colocated = 3; /* running-ready shares its node with two more */
	is_str(order(r, 8, buf, sizeof(buf)),
	       "unassigned pending unknown running-notready running-ready ready-recently restarting newer",
	       "a doubled-up ready pod goes before the other ready ones");

	ok(rs_pod_ready(p[0]) && !rs_pod_ready(p[3]), "ready is the Ready condition");
	k8c_time_parse("2026-01-01T00:00:30Z", &now, NULL);
	ok(rs_pod_available(p[0], 10, now), "ready for 30 s: available with minReadySeconds 10");
	ok(!rs_pod_available(p[0], 60, now), "not yet with minReadySeconds 60");
	ok(rs_pod_available(p[0], 0, now), "minReadySeconds 0: ready is available");
	ok(rs_pod_active(p[0]), "a running pod is active");
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(p[0], "status"), "phase", cJSON_CreateString("Succeeded"));
	ok(!rs_pod_active(p[0]), "a succeeded pod is not");
	cJSON_AddStringToObject(cJSON_GetObjectItem(p[3], "metadata"), "deletionTimestamp", t1);
	ok(!rs_pod_active(p[3]), "a pod being deleted is not");
	for (int i = 0; i < 8; i++)
		cJSON_Delete(p[i]);
	return done_testing();
}
