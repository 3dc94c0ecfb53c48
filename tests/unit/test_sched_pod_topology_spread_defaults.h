/* Part of test_sched_pod_topology_spread.c: the config and the default
 * constraints, whose selector comes from Services, ReplicaSets... read
 * through a fake API client. */

typedef struct fake_watch {
	char path[128], rv[64];
	k8c_client_watch_fn fn;
	void *udata;
	int ended, stopped;
} fake_watch_t;

typedef struct fake_client {
	k8c_client_api_t api;
	const char *lists[4]; /* services, rcs, rss, sss */
	int requests, fail;
	fake_watch_t w[32];
	int n_w;
} fake_client_t;

static fake_client_t fc;

static int fc_request(void *ctx, const char *method, const char *path,
                      const cJSON *body, const char *content_type, cJSON **out,
                      k8c_error_t *err)
{
	static const char *const paths[4] = {
		"/api/v1/services", "/api/v1/replicationcontrollers",
		"/apis/apps/v1/replicasets", "/apis/apps/v1/statefulsets",
	};
	fake_client_t *c = ctx;

	c->requests++;
	if (c->fail)
		return k8c_error_make(err, K8C_EUNAVAIL, "connection refused");
	for (int i = 0; i < 4; i++)
		if (strcmp(method, "GET") == 0 && strcmp(path, paths[i]) == 0) {
			*out = cJSON_Parse(c->lists[i]);
			return 0;
		}
	return k8c_error_make(err, K8C_ENOTFOUND, "no %s", path);
}

static int fc_watch(void *ctx, const char *path, const char *rv,
                    k8c_client_watch_fn fn, void *udata,
                    void (*free_fn)(void *), k8c_client_watch_t **out,
                    k8c_error_t *err)
{
	fake_client_t *c = ctx;
	fake_watch_t *w;

	if (c->n_w == 32)
		return k8c_error_make(err, K8C_EINTERNAL, "too many watches");
	w = &c->w[c->n_w++];
	snprintf(w->path, sizeof(w->path), "%s", path);
	snprintf(w->rv, sizeof(w->rv), "%s", rv ? rv : "");
	w->fn = fn;
	w->udata = udata;
	*out = (k8c_client_watch_t *)w;
	return 0;
}

static void fc_end(fake_watch_t *w, int code)
{
	k8c_error_t e = {.code = code};

	if (!w->ended)
		w->fn(w->udata, 0, NULL, &e);
	w->ended = 1;
}

static void fc_watch_stop(void *ctx, k8c_client_watch_t *watch)
{
	fake_watch_t *w = (fake_watch_t *)watch;

	fc_end(w, K8C_OK);
	w->stopped++;
}

/* The last watch of path. */
static fake_watch_t *fc_find(const char *path)
{
	for (int i = fc.n_w - 1; i >= 0; i--)
		if (strcmp(fc.w[i].path, path) == 0)
			return &fc.w[i];
	return NULL;
}

static void fc_event(const char *path, int type, const char *obj)
{
	fake_watch_t *w = fc_find(path);
	cJSON *o = cJSON_Parse(obj);

	if (w != NULL && !w->ended)
		w->fn(w->udata, type, o, NULL);
	cJSON_Delete(o);
}

static void test_config(void)
{
	static const struct { const char *config, *msg; } bad[] = {
		{"[]", "config must be an object"},
		{"{\"defaultingType\":\"Weird\"}",
		 "defaultingType: Unsupported value: \"Weird\""},
		{"{\"defaultConstraints\":[" TSC(1, ZONE, "DoNotSchedule", "") "]}",
		 "defaultingType: Invalid value: \"System\": when .defaultConstraints "
		 "are not empty"},
		{"{\"defaultingType\":\"List\",\"defaultConstraints\":["
		 HARD(1, ZONE) "]}",
		 "defaultConstraints[0].labelSelector: Forbidden"},
		{"{\"defaultingType\":\"List\",\"defaultConstraints\":["
		 TSC(-2, ZONE, "DoNotSchedule", "") "]}",
		 "defaultConstraints[0].maxSkew: Invalid value: -2"},
		{"{\"defaultingType\":\"List\",\"defaultConstraints\":["
		 TSC(1, ZONE, "DoNotSchedule", "") "," TSC(2, ZONE, "DoNotSchedule", "")
		 "]}", "defaultConstraints[1]: Duplicate value"},
		{"{\"defaultingType\":\"List\",\"defaultConstraints\":{}}",
		 "defaultConstraints: must be an array"},
	};
	int warns = fh.lines[K8C_LOG_WARN];
	void *cookie;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cJSON *cfg = cJSON_Parse(bad[i].config);
		k8c_error_t err = {0};

		cookie = NULL;
		is_int(k8c_plugin.init(&fh.host, cfg, &cookie, &err), -K8C_EINVAL,
		       "config %s refused", bad[i].config);
		if (!ok(strstr(err.message, bad[i].msg) != NULL, "with \"%s\"",
		        bad[i].msg))
			diag("message: %s", err.message);
		cJSON_Delete(cfg);
	}
	cookie = instance("{\"defaultingType\":\"List\",\"defaultConstraints\":["
	                  TSC(1, ZONE, "ScheduleAnyway", "") "," 
	                  TSC(1, ZONE, "DoNotSchedule", "") "],\"other\":1}");
	ok(cookie != NULL, "List with a zone pair (both kinds) accepted");
	ok(fh.lines[K8C_LOG_WARN] >= warns + 2,
	   "unknown field and missing API client are logged");
	k8c_plugin.fini(cookie);
}

static void test_defaults(void)
{
	fake_host_t h;
	cluster_t *c = zones_abc();
	const char *own_rs =
		",\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":"
		"\"ReplicaSet\",\"name\":\"web-abc\",\"controller\":true}]";
	char fits[16], reason[K8C_SCHED_REASON_MAX];
	int64_t norm[8];
	void *cookie;
	cJSON *pod;
	k8c_sched_cycle_t cycle;
	int pre;

	fake_host_init(&h);
	memset(&fc, 0, sizeof(fc));
	fc.api.struct_size = sizeof(fc.api);
	fc.api.request = fc_request;
	fc.api.watch = fc_watch;
	fc.api.watch_stop = fc_watch_stop;
	fc.lists[0] = "{\"metadata\":{\"resourceVersion\":\"10\"},\"items\":["
	              "{\"metadata\":{\"name\":\"web\",\"namespace\":\"default\"},"
	              "\"spec\":{\"selector\":{\"app\":\"web\"}}},"
	              "{\"metadata\":{\"name\":\"nil\",\"namespace\":\"default\"},"
	              "\"spec\":{}},"
	              "{\"metadata\":{\"name\":\"o\",\"namespace\":\"other\"},"
	              "\"spec\":{\"selector\":{\"tier\":\"x\"}}}]}";
	fc.lists[1] = "{\"metadata\":{\"resourceVersion\":\"10\"},\"items\":[]}";
	fc.lists[2] = "{\"metadata\":{\"resourceVersion\":\"11\"},\"items\":["
	              "{\"metadata\":{\"name\":\"web-abc\",\"namespace\":\"default\"},"
	              "\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"web\","
	              "\"pod-template-hash\":\"abc\"}}}}]}";
	fc.lists[3] = "{\"metadata\":{\"resourceVersion\":\"12\"},\"items\":[]}";
	h.host.client = &fc.api;
	h.host.client_ctx = &fc;

	add_pods(c, 0, 2, "{\"app\":\"web\",\"pod-template-hash\":\"abc\"}");
	add_pods(c, 2, 1, WEB);
	cluster_finish(c);
	cookie = instance_with(&h.host,
	                       "{\"defaultingType\":\"List\",\"defaultConstraints\":["
	                       TSC(1, ZONE, "DoNotSchedule", "") "]}");
	is_int(fc.requests, 0, "nothing listed before a pod needs it");
	pre = run_filter(cookie, c, WEB, "{}", fits, reason);
	is_int(pre, 0, "service-selected pod gets the default constraint");
	is_str(fits, "uuu1", "spread by the service's selector (a 2, b 1, c 0)");
	is_int(fc.requests, 4, "four collections listed");
	is_int(fc.n_w, 4, "and watched");
	is_str(fc_find("/apis/apps/v1/replicasets")->rv, "11",
	       "watch from the list's resourceVersion");
	/* The owner goes in metadata: build the pod by hand. */
	{
		char js[1024];

		snprintf(js, sizeof(js),
		         "{\"metadata\":{\"name\":\"in\",\"namespace\":\"default\","
		         "\"labels\":{\"app\":\"web\",\"pod-template-hash\":\"abc\"}%s},"
		         "\"spec\":{}}", own_rs);
		pod = cJSON_Parse(js);
		memset(&cycle, 0, sizeof(cycle));
		cycle.pod = pod;
		cycle.all_nodes = c->ptrs;
		cycle.n_all_nodes = c->n;
		is_int(ops->pre_filter(cookie, &cycle, reason), K8C_SCHED_SUCCESS,
		       "ReplicaSet-owned pod: pre_filter");
		for (size_t i = 0; i < c->n; i++)
			fits[i] = ops->filter(cookie, &cycle, c->ptrs[i], reason) ==
			          K8C_SCHED_SUCCESS ? '1' : 'u';
		fits[c->n] = '\0';
		is_str(fits, "uu11", "spread by service + ReplicaSet selector "
		       "(a 2, b 0, c 0)");
		ops->state_free(cookie, cycle.state);
		cJSON_Delete(pod);
	}
	is_int(run_filter(cookie, c, "{\"app\":\"db\"}", "{}", fits, reason),
	       K8C_SCHED_SKIP, "no service or owner selects the pod: SKIP");
	is_int(run_filter(cookie, c, WEB, SPEC(HARD(3, ZONE)), fits, reason),
	       K8C_SCHED_SUCCESS, "own constraints replace the defaults");
	is_str(fits, "1111", "(maxSkew 3)");
	is_int(fc.requests, 4, "no more lists while the watches run");

	fc_event("/api/v1/services", K8C_WATCH_DELETED,
	         "{\"metadata\":{\"name\":\"web\",\"namespace\":\"default\","
	         "\"resourceVersion\":\"20\"}}");
	is_int(run_filter(cookie, c, WEB, "{}", fits, reason), K8C_SCHED_SKIP,
	       "service deleted (watch): no default selector");
	fc_event("/api/v1/services", K8C_WATCH_ADDED,
	         "{\"metadata\":{\"name\":\"web2\",\"namespace\":\"default\","
	         "\"resourceVersion\":\"21\"},\"spec\":{\"selector\":{\"app\":"
	         "\"web\"}}}");
	run_filter(cookie, c, WEB, "{}", fits, reason);
	is_str(fits, "uuu1", "service added (watch): spread again");

	fc_end(fc_find("/api/v1/services"), K8C_EEXPIRED);
	run_filter(cookie, c, WEB, "{}", fits, reason);
	is_int(fc.requests, 5, "expired watch: listed again");
	is_str(fits, "uuu1", "from the fresh list");
	is_int(fc.n_w, 5, "and watched again");
	fc_end(fc_find("/api/v1/services"), K8C_ETIMEOUT);
	run_filter(cookie, c, WEB, "{}", fits, reason);
	is_int(fc.n_w, 5, "a watch that ended at once waits before resuming");
	h.now_ns += 2000000000LL;
	run_filter(cookie, c, WEB, "{}", fits, reason);
	is_int(fc.n_w, 6, "then resumes");
	is_str(fc_find("/api/v1/services")->rv, "10",
	       "from the last resourceVersion seen");
	is_int(fc.requests, 5, "without listing");
	k8c_plugin.fini(cookie);
	{
		int stopped = 0;

		for (int i = 0; i < fc.n_w; i++)
			stopped += fc.w[i].stopped;
		is_int(stopped, fc.n_w, "every watch stopped once by fini");
	}

	/* System defaulting: hostname (maxSkew 3) and zone (5), scoring. */
	fc.n_w = 0;
	fc.requests = 0;
	cluster_free(c);
	c = zones_abc();
	add_node(c, "d1", "{\"" HOST "\":\"d1\"}", NULL);
	add_pods(c, 0, 2, WEB);
	add_pods(c, 2, 1, WEB);
	cluster_finish(c);
	cookie = instance_with(&h.host, "{\"defaultingType\":\"System\"}");
	run_score(cookie, c, WEB, "{}", norm);
	is_str(scores_str(norm, c->n), "15,38,38,69,100",
	       "System defaults: node without zone spread by hostname only");
	run_score(cookie, c, "{\"app\":\"db\"}", "{}", norm);
	is_str(scores_str(norm, c->n), "0,0,0,0,0", "unselected pod: no scores");
	{
		/* What System defaulting costs a pod that nothing selects. */
		cJSON *bare = make_pod("{\"app\":\"db\"}", "{}");
		double t0 = now_ms();
		int rounds = 2000;

		for (int r = 0; r < rounds; r++) {
			memset(&cycle, 0, sizeof(cycle));
			cycle.pod = bare;
			cycle.all_nodes = c->ptrs;
			cycle.n_all_nodes = c->n;
			ops->pre_filter(cookie, &cycle, reason);
			ops->pre_score(cookie, &cycle, c->ptrs, c->n);
			if (cycle.state != NULL)
				ops->state_free(cookie, cycle.state);
		}
		diag("System defaults, pod no Service or controller selects: "
		     "%.2f us per pre_filter + pre_score",
		     (now_ms() - t0) * 1e3 / rounds);
		cJSON_Delete(bare);
	}
	fc.fail = 1;
	k8c_plugin.fini(cookie);

	/* A failing API server: no defaults, a warning, a retry later. */
	fc.n_w = 0;
	fc.requests = 0;
	cookie = instance_with(&h.host, "{}");
	run_score(cookie, c, WEB, "{}", norm);
	is_str(scores_str(norm, c->n), "0,0,0,0,0", "lists fail: no defaults");
	ok(strstr(h.last, "failed") != NULL, "the failure is logged");
	is_int(fc.requests, 4, "each collection tried once");
	run_score(cookie, c, WEB, "{}", norm);
	is_int(fc.requests, 4, "not again before the backoff");
	fc.fail = 0;
	h.now_ns += 1000000000LL;
	run_score(cookie, c, WEB, "{}", norm);
	is_int(fc.requests, 8, "retried after it");
	is_str(scores_str(norm, c->n), "15,38,38,69,100", "then spreads");
	k8c_plugin.fini(cookie);
	cluster_free(c);
}
