/* /metrics: fixed tables of atomic counters indexed by kind, verb and code
 * class, rendered in the Prometheus text format. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apiserver/metrics.h"
#include "common/mem.h"

#define MAX_KINDS 48
#define N_BUCKETS 12

static const double bucket_s[N_BUCKETS] = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
                                           0.25, 0.5, 1, 2.5, 5, 10};
static const int codes[] = {200, 201, 400, 403, 404, 405, 409, 410, 413, 415, 422, 500, 503, 504};
#define N_CODES (sizeof(codes) / sizeof(codes[0]) + 1) /* last: other */

static const char *const verb_names[K8C_MV_COUNT] = {
	"GET", "LIST", "WATCH", "POST", "PUT", "PATCH", "DELETE", "DELETECOLLECTION", "OTHER",
};
static const char *const store_names[K8C_MS_COUNT] = {"get", "list", "create", "update", "delete"};

typedef struct histogram {
	uint64_t buckets[N_BUCKETS]; /* not cumulative; summed when rendered */
	uint64_t count;
	uint64_t sum_ns;
} histogram_t;

/* index MAX_KINDS: non-resource requests */
static uint64_t requests[MAX_KINDS + 1][K8C_MV_COUNT][N_CODES];
static histogram_t latency[MAX_KINDS + 1][K8C_MV_COUNT];
static histogram_t store_latency[K8C_MS_COUNT];
static int64_t watchers[MAX_KINDS + 1];

static int kind_index(const k8c_kind_t *kind)
{
	int i = 0;

	if (kind == NULL)
		return MAX_KINDS;
	for (const k8c_kind_t *const *k = k8c_kinds; *k != NULL && i < MAX_KINDS; k++, i++)
		if (*k == kind)
			return i;
	return MAX_KINDS;
}

static void observe(histogram_t *h, int64_t ns)
{
	double s = (double)ns / 1e9;
	int b = 0;

	while (b < N_BUCKETS && s > bucket_s[b])
		b++;
	if (b < N_BUCKETS)
		__atomic_fetch_add(&h->buckets[b], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&h->count, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&h->sum_ns, (uint64_t)(ns > 0 ? ns : 0), __ATOMIC_RELAXED);
}

void k8c_metrics_request(const k8c_kind_t *kind, int verb, int code, int64_t ns)
{
	int k = kind_index(kind);
	size_t c = 0;

	if (verb < 0 || verb >= K8C_MV_COUNT)
		verb = K8C_MV_OTHER;
	while (c < N_CODES - 1 && codes[c] != code)
		c++;
	__atomic_fetch_add(&requests[k][verb][c], 1, __ATOMIC_RELAXED);
	if (verb != K8C_MV_WATCH)
		observe(&latency[k][verb], ns);
}

void k8c_metrics_store(int op, int64_t ns)
{
	if (op >= 0 && op < K8C_MS_COUNT)
		observe(&store_latency[op], ns);
}

void k8c_metrics_watchers(const k8c_kind_t *kind, int delta)
{
	__atomic_fetch_add(&watchers[kind_index(kind)], delta, __ATOMIC_RELAXED);
}

typedef struct out {
	char *buf;
	size_t len, cap;
} out_t;

__attribute__((format(printf, 2, 3)))
static void put(out_t *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < o->cap - o->len)
			break;
		o->cap = o->cap * 2 + (size_t)(n > 0 ? n : 0);
		o->buf = k8c_xrealloc(o->buf, o->cap);
	}
	o->len += (size_t)n;
}

static void labels_of(int k, char *buf, size_t len)
{
	const k8c_kind_t *kind = k < MAX_KINDS ? k8c_kinds[k] : NULL;

	if (kind == NULL)
		snprintf(buf, len, "group=\"\",resource=\"\"");
	else
		snprintf(buf, len, "group=\"%s\",resource=\"%s\"", kind->group, kind->resource);
}

static void put_histogram(out_t *o, const char *name, const char *labels, const histogram_t *h)
{
	uint64_t cum = 0;

	for (int b = 0; b < N_BUCKETS; b++) {
		cum += __atomic_load_n(&h->buckets[b], __ATOMIC_RELAXED);
		put(o, "%s_bucket{%s,le=\"%g\"} %llu\n", name, labels, bucket_s[b], (unsigned long long)cum);
	}
	put(o, "%s_bucket{%s,le=\"+Inf\"} %llu\n", name, labels,
	    (unsigned long long)__atomic_load_n(&h->count, __ATOMIC_RELAXED));
	put(o, "%s_sum{%s} %.9f\n", name, labels, (double)__atomic_load_n(&h->sum_ns, __ATOMIC_RELAXED) / 1e9);
	put(o, "%s_count{%s} %llu\n", name, labels,
	    (unsigned long long)__atomic_load_n(&h->count, __ATOMIC_RELAXED));
}

char *k8c_metrics_render(void)
{
	out_t o = {k8c_xmalloc(16384), 0, 16384};
	char lb[160], full[256];

	o.buf[0] = '\0';
	put(&o, "# HELP apiserver_request_total Requests served, by verb, resource and HTTP code.\n"
	        "# TYPE apiserver_request_total counter\n");
	for (int k = 0; k <= MAX_KINDS; k++)
		for (int v = 0; v < K8C_MV_COUNT; v++)
			for (size_t c = 0; c < N_CODES; c++) {
				uint64_t n = __atomic_load_n(&requests[k][v][c], __ATOMIC_RELAXED);
				if (n == 0)
					continue;
				labels_of(k, lb, sizeof(lb));
				if (c < N_CODES - 1)
					put(&o, "apiserver_request_total{verb=\"%s\",%s,code=\"%d\"} %llu\n",
					    verb_names[v], lb, codes[c], (unsigned long long)n);
				else
					put(&o, "apiserver_request_total{verb=\"%s\",%s,code=\"other\"} %llu\n",
					    verb_names[v], lb, (unsigned long long)n);
			}
	put(&o, "# HELP apiserver_request_duration_seconds Latency of non-watch requests.\n"
	        "# TYPE apiserver_request_duration_seconds histogram\n");
	for (int k = 0; k <= MAX_KINDS; k++)
		for (int v = 0; v < K8C_MV_COUNT; v++) {
			if (__atomic_load_n(&latency[k][v].count, __ATOMIC_RELAXED) == 0)
				continue;
			labels_of(k, lb, sizeof(lb));
			snprintf(full, sizeof(full), "verb=\"%s\",%s", verb_names[v], lb);
			put_histogram(&o, "apiserver_request_duration_seconds", full, &latency[k][v]);
		}
	put(&o, "# HELP k8c_datastore_request_duration_seconds Latency of datastore operations.\n"
	        "# TYPE k8c_datastore_request_duration_seconds histogram\n");
	for (int s = 0; s < K8C_MS_COUNT; s++) {
		snprintf(full, sizeof(full), "operation=\"%s\"", store_names[s]);
		put_histogram(&o, "k8c_datastore_request_duration_seconds", full, &store_latency[s]);
	}
	put(&o, "# HELP apiserver_registered_watchers Open watch streams, by resource.\n"
	        "# TYPE apiserver_registered_watchers gauge\n");
	for (int k = 0; k < MAX_KINDS && k8c_kinds[k] != NULL; k++) {
		labels_of(k, lb, sizeof(lb));
		put(&o, "apiserver_registered_watchers{%s} %lld\n", lb,
		    (long long)__atomic_load_n(&watchers[k], __ATOMIC_RELAXED));
	}
	return o.buf;
}
