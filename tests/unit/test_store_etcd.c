/* store-etcd: the store contract (tests/store/contract.c) against a real
 * etcd started on loopback ports, then what is particular to etcd:
 * failover across the endpoint list, a watch that resumes without a gap
 * across a restart of its member, endpoint and config errors. */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include <k8c/store.h>

#include "fake_host.h"
#include "tap.h"
#include "../store/contract.h"
#include "../store/etcd_proc.h"

extern const k8c_plugin_t k8c_plugin;
#define OPS ((const k8c_store_ops_t *)k8c_plugin.ops)

static fake_host_t fh;
static etcd_cluster_t etcd;

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

/* init + open; NULL on failure with err filled */
static void *open_store(const char *endpoint, const char *config_json, cJSON **cfg, k8c_error_t *err)
{
	void *cookie = NULL;

	*cfg = cJSON_Parse(config_json ? config_json : "{}");
	if (k8c_plugin.init(&fh.host, *cfg, &cookie, err) < 0)
		return NULL;
	if (OPS->open(cookie, endpoint, err) < 0) {
		k8c_plugin.fini(cookie);
		return NULL;
	}
	return cookie;
}

static void close_store(void *cookie, cJSON *cfg)
{
	if (cookie != NULL)
		k8c_plugin.fini(cookie);
	cJSON_Delete(cfg);
}

static void test_descriptor(void)
{
	is_str(k8c_plugin.name, "etcd", "plugin name");
	is_int(k8c_plugin.kind, K8C_PLUGIN_STORE, "a store plugin");
	ok(OPS->schemes[0] && strcmp(OPS->schemes[0], "http") == 0 && OPS->schemes[1] &&
	           strcmp(OPS->schemes[1], "https") == 0 && OPS->schemes[2] == NULL,
	   "schemes {\"http\", \"https\"}");
	ok(OPS->compact != NULL, "compact implemented");
}

static void test_contract(void)
{
	/* no lease sharing: the TTL tests want keys gone soon after their TTL */
	cJSON *cfg = cJSON_Parse("{\"requestTimeoutSeconds\": 10, \"leaseReuseSeconds\": 0}");
	store_contract_t c = {
		.plugin = &k8c_plugin,
		.host = &fh.host,
		.endpoint = etcd.endpoints,
		.config = cfg,
		.ok = ok,
		.diag = diag,
	};

	is_int(store_contract_run(&c), 0, "the store contract holds on etcd");
	cJSON_Delete(cfg);
}

static int got_value(void *udata, const k8c_store_kv_t *kv)
{
	snprintf(udata, 64, "%.*s", (int)kv->value_len, kv->value);
	return 0;
}

static void test_failover(void)
{
	char ep[700];
	char value[64] = "";
	k8c_error_t err;
	int64_t rev = 0;
	cJSON *cfg;
	void *s;

	/* a port where nothing listens first: requests go on to the member */
	snprintf(ep, sizeof(ep), "http://127.0.0.1:1,%s/", etcd.endpoints);
	s = open_store(ep, "{\"dialTimeoutSeconds\": 1}", &cfg, &err);
	ok(s != NULL, "open with a dead endpoint first: %s", s ? "ok" : err.message);
	if (s != NULL) {
		char key[64];
		snprintf(key, sizeof(key), "/failover/%d", (int)getpid());
		is_int(OPS->create(s, key, "v1", 2, &rev, &err), 0, "create goes to the live member");
		is_int(OPS->get(s, key, 0, got_value, value, &err), 0, "and reads back");
		is_str(value, "v1", "the value");
	}
	close_store(s, cfg);

	s = open_store("http://127.0.0.1:1", "{\"dialTimeoutSeconds\": 1}", &cfg, &err);
	ok(s == NULL && err.code == K8C_EUNAVAIL, "no member reachable: EUNAVAIL (%s)", err.message);
	close_store(s, cfg);
}

static void test_errors(void)
{
	static const char *const bad_endpoints[] = {"etcd://127.0.0.1:2379", "http://", "http://h:1/path",
	                                            ",", ""};
	static const char *const bad_configs[] = {
		"{\"requestTimeoutSeconds\": 0}", "{\"maxConnections\": \"x\"}", "{\"unknown\": 1}",
		"{\"certFile\": \"/c\"}", "{\"caFile\": \"\"}", "[]",
	};
	k8c_error_t err;
	cJSON *cfg;
	void *s;

	for (size_t i = 0; i < sizeof(bad_endpoints) / sizeof(bad_endpoints[0]); i++) {
		s = open_store(bad_endpoints[i], NULL, &cfg, &err);
		ok(s == NULL && err.code == K8C_EINVAL, "endpoint \"%s\" refused: %s", bad_endpoints[i],
		   s ? "(opened)" : err.message);
		close_store(s, cfg);
	}
	for (size_t i = 0; i < sizeof(bad_configs) / sizeof(bad_configs[0]); i++) {
		void *cookie = NULL;
		cfg = cJSON_Parse(bad_configs[i]);
		ok(k8c_plugin.init(&fh.host, cfg, &cookie, &err) < 0 && err.code == K8C_EINVAL,
		   "config %s refused: %s", bad_configs[i], err.message);
		cJSON_Delete(cfg);
	}
}

/* A watch across a kill -9 and restart of the (only) member: every event
 * once, in order. */
typedef struct rec {
	pthread_mutex_t mu;
	int64_t revs[256];
	int n, finals, frees, end_code;
} rec_t;

static void on_event(void *udata, const k8c_store_event_t *ev, const k8c_error_t *end)
{
	rec_t *r = udata;

	pthread_mutex_lock(&r->mu);
	if (ev == NULL) {
		r->finals++;
		r->end_code = end ? end->code : -1;
	} else if (r->n < 256) {
		r->revs[r->n++] = ev->kv->mod_revision;
	}
	pthread_mutex_unlock(&r->mu);
}

static void on_free(void *udata)
{
	rec_t *r = udata;

	pthread_mutex_lock(&r->mu);
	r->frees++;
	pthread_mutex_unlock(&r->mu);
}

static int put_retry(void *s, const char *key, int64_t *rev)
{
	k8c_error_t err;

	for (int i = 0; i < 200; i++) {
		if (OPS->create(s, key, "v", 1, rev, &err) == 0)
			return 0;
		sleep_ms(100);
	}
	diag("create %s: %s", key, err.message);
	return -1;
}

static void test_watch_resume(void)
{
	static rec_t r = {.mu = PTHREAD_MUTEX_INITIALIZER};
	k8c_store_watch_t *w = NULL;
	int64_t revs[20], rev = 0;
	k8c_error_t err;
	char prefix[64], end[64];
	int in_order = 1, written = 0;
	cJSON *cfg;
	void *s = open_store(etcd.endpoints, "{\"requestTimeoutSeconds\": 5}", &cfg, &err);

	if (!ok(s != NULL, "open for the resume test")) {
		close_store(s, cfg);
		return;
	}
	snprintf(prefix, sizeof(prefix), "/resume/%d/", (int)getpid());
	snprintf(end, sizeof(end), "/resume/%d0", (int)getpid());
	is_int(OPS->watch(s, prefix, end, 0, on_event, &r, on_free, &w, &err), 0, "watch from now");
	for (int i = 0; i < 20; i++) {
		char key[96];
		if (i == 10) {
			/* kill -9 the member, then bring it back on its data */
			etcd_member_kill(&etcd, 0, SIGKILL);
			sleep_ms(300);
			etcd_member_restart(&etcd, 0);
			etcd_member_wait_healthy(&etcd, 0, 30000);
		}
		snprintf(key, sizeof(key), "%s%02d", prefix, i);
		if (put_retry(s, key, &rev) == 0)
			revs[written++] = rev;
	}
	is_int(written, 20, "20 creates, 10 of them after the member came back");
	for (int i = 0; i < 100; i++) {
		pthread_mutex_lock(&r.mu);
		int n = r.n;
		pthread_mutex_unlock(&r.mu);
		if (n >= written)
			break;
		sleep_ms(100);
	}
	pthread_mutex_lock(&r.mu);
	for (int i = 0; i < written && i < r.n; i++)
		in_order &= r.revs[i] == revs[i];
	is_int(r.n, written, "the watch saw every event once across the restart");
	ok(in_order, "in revision order, no gap, no repeat");
	pthread_mutex_unlock(&r.mu);
	OPS->watch_cancel(s, w);
	ok(r.finals == 1 && r.frees == 1 && r.end_code == K8C_OK, "cancel ends it once");
	close_store(s, cfg);
}

/* Events of one revision (a range delete, a lease expiring with all its
 * keys) all reach the watch, and a reconnect afterwards repeats none. */
static void test_same_revision(void)
{
	static rec_t r = {.mu = PTHREAD_MUTEX_INITIALIZER};
	k8c_store_watch_t *w = NULL;
	char prefix[64], end[64], body[512], answer[4096];
	int64_t rev = 0;
	k8c_error_t err;
	int deletes = 0;
	cJSON *cfg;
	void *s = open_store(etcd.endpoints, NULL, &cfg, &err);

	if (!ok(s != NULL, "open for the same-revision test")) {
		close_store(s, cfg);
		return;
	}
	snprintf(prefix, sizeof(prefix), "/samerev/%d/", (int)getpid());
	snprintf(end, sizeof(end), "/samerev/%d0", (int)getpid());
	for (int i = 0; i < 5; i++) {
		char key[96];
		snprintf(key, sizeof(key), "%s%d", prefix, i);
		OPS->create(s, key, "v", 1, &rev, &err);
	}
	is_int(OPS->watch(s, prefix, end, rev + 1, on_event, &r, on_free, &w, &err), 0, "watch the prefix");
	{
		/* one deleterange over the five keys: one revision, five events */
		char *k = NULL, *e = NULL;
		size_t klen = strlen(prefix), elen = strlen(end);
		k = malloc(klen * 2 + 8);
		e = malloc(elen * 2 + 8);
		/* base64 by hand is what the plugin does; use the shell-free way */
		{
			static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
			const char *srcs[2] = {prefix, end};
			char *dsts[2] = {k, e};
			for (int j = 0; j < 2; j++) {
				const unsigned char *in = (const unsigned char *)srcs[j];
				size_t n = strlen(srcs[j]), o = 0;
				for (size_t i = 0; i < n; i += 3) {
					unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) |
					             (i + 2 < n ? in[i + 2] : 0);
					dsts[j][o++] = b64[v >> 18 & 63];
					dsts[j][o++] = b64[v >> 12 & 63];
					dsts[j][o++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
					dsts[j][o++] = i + 2 < n ? b64[v & 63] : '=';
				}
				dsts[j][o] = '\0';
			}
		}
		snprintf(body, sizeof(body), "{\"key\":\"%s\",\"range_end\":\"%s\"}", k, e);
		free(k);
		free(e);
	}
	ok(etcd_member_post(&etcd, 0, "/v3/kv/deleterange", body, answer, sizeof(answer)) == 0 &&
	           strstr(answer, "\"deleted\":\"5\"") != NULL,
	   "deleterange removed the five keys in one revision: %.100s", answer);
	for (int i = 0; i < 50; i++) {
		pthread_mutex_lock(&r.mu);
		deletes = r.n;
		pthread_mutex_unlock(&r.mu);
		if (deletes >= 5)
			break;
		sleep_ms(100);
	}
	is_int(deletes, 5, "the watch saw all five DELETE events of that revision");
	OPS->watch_cancel(s, w);
	close_store(s, cfg);
}

int main(void)
{
	if (access(ETCD_BIN, X_OK) != 0) {
		printf("1..0 # SKIP %s is not installed (Debian's etcd-server)\n", ETCD_BIN);
		return 0;
	}
	fake_host_init(&fh);
	if (etcd_cluster_start(&etcd, 1) < 0) {
		ok(0, "etcd starts");
		return done_testing();
	}
	test_descriptor();
	test_contract();
	test_failover();
	test_errors();
	test_watch_resume();
	test_same_revision();
	etcd_cluster_stop(&etcd);
	return done_testing();
}
