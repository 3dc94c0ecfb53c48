/* The scheduling framework without the API server (doc/benchmarks.md):
 * NODES nodes (8 cpu, 32Gi, 110 pods; zones of 100 nodes), EXISTING pods
 * spread over them, then PODS pods scheduled one after the other through
 * the default profile of the installed policy plugins, each assumed on its
 * node as the scheduler does.  Prints pods/s.  Run on purpose:
 *
 *   K8C_BUILTIN_PLUGIN_DIR=plugins/.libs tests/bench/bench_sched [NODES [EXISTING [PODS]]]
 *
 * A share of the pods can carry hostname anti-affinity or a zone spread
 * constraint (BENCH_AFFINITY_PERCENT, BENCH_SPREAD_PERCENT, default 0), or
 * the soft hostname and zone constraints kube-scheduler gives the pods of a
 * ReplicaSet by default (BENCH_SOFT_SPREAD_PERCENT: maxSkew 3 and 5,
 * ScheduleAnyway, selecting each other; the API server is not there to
 * give the owner's selector, so the pods carry them themselves). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/log.h"
#include "common/timestamp.h"
#include "scheduler/internal.h"

static cJSON *make_node(int i)
{
	char json[1024];

	snprintf(json, sizeof(json),
	         "{\"metadata\":{\"name\":\"n%d\",\"uid\":\"nu%d\",\"labels\":{\"kubernetes.io/hostname\":\"n%d\","
	         "\"topology.kubernetes.io/zone\":\"z%d\",\"kubernetes.io/os\":\"linux\"}},"
	         "\"spec\":{},\"status\":{\"allocatable\":{\"cpu\":\"8\",\"memory\":\"32Gi\",\"pods\":\"110\","
	         "\"ephemeral-storage\":\"100Gi\"},\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}",
	         i, i, i, i / 100);
	return cJSON_Parse(json);
}

static cJSON *make_pod(int i, const char *node, int kind)
{
	char json[2048];
	const char *extra = "";

	if (kind == 1)
		extra = ",\"affinity\":{\"podAntiAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
		        "[{\"labelSelector\":{\"matchLabels\":{\"app\":\"anti\"}},\"topologyKey\":\"kubernetes.io/hostname\"}]}}";
	else if (kind == 2)
		extra = ",\"topologySpreadConstraints\":[{\"maxSkew\":1,\"topologyKey\":\"topology.kubernetes.io/zone\","
		        "\"whenUnsatisfiable\":\"DoNotSchedule\",\"labelSelector\":{\"matchLabels\":{\"app\":\"spread\"}}}]";
	else if (kind == 3)
		extra = ",\"topologySpreadConstraints\":[{\"maxSkew\":3,\"topologyKey\":\"kubernetes.io/hostname\","
		        "\"whenUnsatisfiable\":\"ScheduleAnyway\",\"labelSelector\":{\"matchLabels\":{\"app\":\"soft\"}}},"
		        "{\"maxSkew\":5,\"topologyKey\":\"topology.kubernetes.io/zone\","
		        "\"whenUnsatisfiable\":\"ScheduleAnyway\",\"labelSelector\":{\"matchLabels\":{\"app\":\"soft\"}}}]";
	snprintf(json, sizeof(json),
	         "{\"metadata\":{\"name\":\"p%d\",\"namespace\":\"default\",\"uid\":\"pu%d\","
	         "\"creationTimestamp\":\"2026-01-01T00:00:00Z\",\"labels\":{\"app\":\"%s\"}},"
	         "\"spec\":{%s%s%s\"schedulerName\":\"default-scheduler\",\"containers\":[{\"name\":\"c\",\"image\":\"busybox\","
	         "\"resources\":{\"requests\":{\"cpu\":\"100m\",\"memory\":\"128Mi\"}}}]%s},\"status\":{\"phase\":\"%s\"}}",
	         i, i, kind == 1 ? "anti" : kind == 2 ? "spread" : kind == 3 ? "soft" : "plain", node ? "\"nodeName\":\"" : "",
	         node ? node : "", node ? "\"," : "", extra, node ? "Running" : "Pending");
	return cJSON_Parse(json);
}

int main(int argc, char **argv)
{
	int n_nodes = argc > 1 ? atoi(argv[1]) : 5000, n_existing = argc > 2 ? atoi(argv[2]) : 0;
	int n_pods = argc > 3 ? atoi(argv[3]) : 10000;
	uint64_t digest = 14695981039346656037ull; /* FNV-1a of the chosen nodes, in order */
	int aff = getenv("BENCH_AFFINITY_PERCENT") ? atoi(getenv("BENCH_AFFINITY_PERCENT")) : 0;
	int spread = getenv("BENCH_SPREAD_PERCENT") ? atoi(getenv("BENCH_SPREAD_PERCENT")) : 0;
	int soft = getenv("BENCH_SOFT_SPREAD_PERCENT") ? atoi(getenv("BENCH_SOFT_SPREAD_PERCENT")) : 0;
	k8c_plugin_set_t set;
	k8c_scheduler_t s;
	k8c_error_t err;
	cJSON **nodes, **existing, **pods;
	int64_t t0, t1;
	int placed = 0;

	k8c_log_set_level(K8C_LOG_WARN);
	k8c_plugin_set_init(&set);
	if (k8c_plugin_set_scan(&set, k8c_builtin_plugin_dir(), 0, &err) < 0) {
		fprintf(stderr, "plugins: %s\n", err.message);
		return 1;
	}
	memset(&s, 0, sizeof(s));
	s.cfg.plugins = &set;
	cache_init(&s.cache);
	if (profiles_load(&s, NULL, &err) < 0) {
		fprintf(stderr, "profiles: %s\n", err.message);
		return 1;
	}
	nodes = calloc((size_t)n_nodes, sizeof(*nodes));
	existing = calloc((size_t)n_existing + 1, sizeof(*existing));
	pods = calloc((size_t)n_pods, sizeof(*pods));
	for (int i = 0; i < n_nodes; i++) {
		nodes[i] = make_node(i);
		cache_node_set(&s.cache, nodes[i]);
	}
	for (int i = 0; i < n_existing; i++) {
		char node[32];
		snprintf(node, sizeof(node), "n%d", i % n_nodes);
		existing[i] = make_pod(1000000 + i, node, 0);
		cache_pod_set(&s.cache, existing[i]);
	}
	for (int i = 0; i < n_pods; i++)
		pods[i] = make_pod(i, NULL, (i % 100) < aff ? 1 : (i % 100) < aff + spread ? 2
		                            : (i % 100) < aff + spread + soft ? 3 : 0);
	t0 = k8c_time_monotonic_ns();
	for (int i = 0; i < n_pods; i++) {
		sched_result_t res;
		pthread_rwlock_rdlock(&s.cache.lock);
		framework_schedule(&s, &s.profiles[0], pods[i], &res);
		pthread_rwlock_unlock(&s.cache.lock);
		if (res.node[0]) {
			cache_assume(&s.cache, pods[i], res.node);
			placed++;
		}
		for (const char *c = res.node; *c; c++)
			digest = (digest ^ (unsigned char)*c) * 1099511628211ull;
		digest = (digest ^ 0xff) * 1099511628211ull;
	}
	t1 = k8c_time_monotonic_ns();
	printf("framework: %d nodes, %d existing pods, %d pods (%d%% anti-affinity, %d%% spread, "
	       "%d%% soft spread): %d placed in %.2f s = %.0f pods/s (%.1f us per pod)\n",
	       n_nodes, n_existing, n_pods, aff, spread, soft, placed, (double)(t1 - t0) / 1e9,
	       n_pods / ((double)(t1 - t0) / 1e9), (double)(t1 - t0) / 1e3 / n_pods);
	/* the same digest before and after a change: the same decisions */
	printf("placements digest %016llx\n", (unsigned long long)digest);
	profiles_free(&s);
	free(s.codes);
	cache_free(&s.cache);
	for (int i = 0; i < n_nodes; i++)
		cJSON_Delete(nodes[i]);
	for (int i = 0; i < n_existing; i++)
		cJSON_Delete(existing[i]);
	for (int i = 0; i < n_pods; i++)
		cJSON_Delete(pods[i]);
	free(nodes);
	free(existing);
	free(pods);
	k8c_plugin_set_free(&set);
	return 0;
}
