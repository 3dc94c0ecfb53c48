/* Part of test_sched_pod_topology_spread.c: a pod without constraints on
 * a big cluster, and the micro-benchmark of one cycle on 5,000 nodes x 30
 * pods (TAP diagnostics only: timings are not checked). */

/* n nodes in 5 zones with pods_per_node pods each (a third of them web). */
static cluster_t *big_cluster(size_t n, int pods_per_node)
{
	cluster_t *c = cluster_new();
	char name[32], labels[160];

	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "node-%zu", i);
		snprintf(labels, sizeof(labels),
		         "{\"" ZONE "\":\"zone-%zu\",\"" HOST "\":\"%s\"}", i % 5,
		         name);
		add_node(c, name, labels, NULL);
		for (int p = 0; p < pods_per_node; p++)
			add_pod_ex(c, i, p % 2 ? "default" : "kube-system",
			           p % 3 == 0 ? WEB : "{\"app\":\"db\"}", "");
	}
	cluster_finish(c);
	return c;
}

static void test_big_cluster(void *cookie, cluster_t *c)
{
	cJSON *pod = make_pod(WEB, "{\"containers\":[{\"name\":\"c\"}]}");
	k8c_sched_cycle_t cycle = {.pod = pod, .all_nodes = c->ptrs,
	                           .n_all_nodes = c->n};
	char reason[K8C_SCHED_REASON_MAX];
	int64_t score = -1;
	double t0 = now_ms();
	int rounds = 1000, skips = 0;

	for (int r = 0; r < rounds; r++) {
		cycle.state = NULL;
		skips += ops->pre_filter(cookie, &cycle, reason) == K8C_SCHED_SKIP;
		ops->pre_score(cookie, &cycle, c->ptrs, c->n);
		ops->score(cookie, &cycle, c->ptrs[0], &score);
		if (cycle.state != NULL)
			ops->state_free(cookie, cycle.state);
	}
	is_int(skips, rounds, "no constraints on %zu nodes: pre_filter SKIP", c->n);
	is_int(score, 0, "and score 0");
	ok(cycle.state == NULL, "and no state");
	diag("pod without constraints, %zu nodes: %.2f us per cycle "
	     "(pre_filter + pre_score + one score)", c->n,
	     (now_ms() - t0) * 1e3 / rounds);
	cJSON_Delete(pod);
}

/* One cycle of pod over c; the nodes' scores into scores when scoring. */
static int bench_cycle(void *cookie, cluster_t *c, cJSON *pod,
                       k8c_sched_node_score_t *scores)
{
	k8c_sched_cycle_t cycle = {.pod = pod, .all_nodes = c->ptrs,
	                           .n_all_nodes = c->n};
	char reason[K8C_SCHED_REASON_MAX];
	int fit = 0;

	if (ops->pre_filter(cookie, &cycle, reason) == K8C_SCHED_SUCCESS)
		for (size_t i = 0; i < c->n; i++)
			fit += ops->filter(cookie, &cycle, c->ptrs[i], reason) ==
			       K8C_SCHED_SUCCESS;
	if (scores != NULL) {
		ops->pre_score(cookie, &cycle, c->ptrs, c->n);
		for (size_t i = 0; i < c->n; i++) {
			scores[i].name = c->nodes[i].name;
			ops->score(cookie, &cycle, c->ptrs[i], &scores[i].score);
		}
		ops->normalize_score(cookie, &cycle, scores, c->n);
	}
	if (cycle.state != NULL)
		ops->state_free(cookie, cycle.state);
	return fit;
}

/* The micro-benchmark (diagnostics only): the first cycle of a selector
 * counts every pod; the next ones, with one node changed in between as
 * when the previous pod of the workload landed, reuse the rest. */
static void bench(void *cookie, cluster_t *c)
{
	cJSON *hard = make_pod(WEB, SPEC(HARD(1, ZONE) "," HARD(1, HOST)));
	cJSON *soft = make_pod(WEB, SPEC(SOFT(1, ZONE) "," SOFT(1, HOST)));
	k8c_sched_node_score_t *scores = calloc(c->n, sizeof(*scores));
	int rounds = 20, fit;
	double t0, t1, t2;

	t0 = now_ms();
	fit = bench_cycle(cookie, c, hard, NULL);
	t1 = now_ms();
	for (int r = 1; r < rounds; r++) {
		c->nodes[(size_t)r * 97 % c->n].generation++;
		bench_cycle(cookie, c, hard, NULL);
	}
	t2 = now_ms();
	diag("bench: zone+hostname DoNotSchedule, %zu nodes x %zu pods, "
	     "pre_filter + %zu filters: first %.2f ms, then %.2f ms per cycle",
	     c->n, c->nodes[0].n_pods, c->n, t1 - t0, (t2 - t1) / (rounds - 1));
	is_int(fit, c->n, "bench: every node fits an even spread");
	t0 = now_ms();
	bench_cycle(cookie, c, soft, scores);
	t1 = now_ms();
	for (int r = 1; r < rounds; r++) {
		c->nodes[(size_t)r * 89 % c->n].generation++;
		bench_cycle(cookie, c, soft, scores);
	}
	t2 = now_ms();
	diag("bench: zone+hostname ScheduleAnyway, pre_score + %zu scores + "
	     "normalize: first %.2f ms, then %.2f ms per cycle", c->n, t1 - t0,
	     (t2 - t1) / (rounds - 1));
	ok(scores[0].score == 100 && scores[c->n - 1].score == 100,
	   "bench: even spread scores 100");
	free(scores);
	cJSON_Delete(hard);
	cJSON_Delete(soft);
}

