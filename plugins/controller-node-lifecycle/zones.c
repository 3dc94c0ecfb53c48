/* Zones, their states and their tainting rate limits (zones.h). */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/json_path.h"
#include "common/mem.h"
#include "zones.h"

struct nl_zone {
	int64_t total, not_ready;
	double tokens;   /* of burst 1 */
	int64_t last_ns; /* when tokens was last refilled; 0: never */
};

void nl_zones_init(nl_zones_t *z)
{
	k8c_strmap_init(&z->by_key);
}

void nl_zones_fini(nl_zones_t *z)
{
	size_t i;

	for (k8c_strmap_entry_t *e = k8c_strmap_first(&z->by_key, &i); e;
	     e = k8c_strmap_next(&z->by_key, e, &i))
		free(e->value);
	k8c_strmap_free(&z->by_key);
}

static const char *label(const cJSON *node, const char *a, const char *b)
{
	const cJSON *labels = k8c_jget(node, "metadata.labels");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(labels, a);

	if (!cJSON_IsString(v))
		v = cJSON_GetObjectItemCaseSensitive(labels, b);
	return cJSON_IsString(v) && v->valuestring != NULL ? v->valuestring : "";
}

const char *nl_zone_key(const cJSON *node, char *buf, size_t n)
{
	const char *region = label(node, "topology.kubernetes.io/region",
	                           "failure-domain.beta.kubernetes.io/region");
	const char *zone = label(node, "topology.kubernetes.io/zone",
	                         "failure-domain.beta.kubernetes.io/zone");

	if (region[0] == '\0' && zone[0] == '\0')
		buf[0] = '\0';
	else /* kube joins them with ":\x00:", which no label value holds */
		snprintf(buf, n, "%s:|:%s", region, zone);
	return buf;
}

static struct nl_zone *zone_get(nl_zones_t *z, const char *key)
{
	struct nl_zone *zone = k8c_strmap_get(&z->by_key, key);

	if (zone == NULL) {
		zone = k8c_xcalloc(1, sizeof(*zone));
		zone->tokens = 1;
		k8c_strmap_put(&z->by_key, key, zone);
	}
	return zone;
}

void nl_zones_count(nl_zones_t *z, const char *old_zone, int old_ready, const char *new_zone,
                    int new_ready)
{
	if (old_zone != NULL) {
		struct nl_zone *zone = zone_get(z, old_zone);

		zone->total--;
		if (!old_ready)
			zone->not_ready--;
		if (zone->total <= 0)
			free(k8c_strmap_remove(&z->by_key, old_zone));
	}
	if (new_zone != NULL) {
		struct nl_zone *zone = zone_get(z, new_zone);

		zone->total++;
		if (!new_ready)
			zone->not_ready++;
	}
}

static enum nl_zone_state state_of(const struct nl_zone *zone, const nl_eviction_rates_t *r)
{
	int64_t ready = zone->total - zone->not_ready;

	if (ready == 0 && zone->not_ready > 0)
		return NL_ZONE_FULL_DISRUPTION;
	if (zone->not_ready > 2 &&
	    (double)zone->not_ready / (double)zone->total >= r->unhealthy_threshold)
		return NL_ZONE_PARTIAL_DISRUPTION;
	return NL_ZONE_NORMAL;
}

enum nl_zone_state nl_zone_state(const nl_zones_t *z, const char *zone,
                                 const nl_eviction_rates_t *r)
{
	const struct nl_zone *zn = k8c_strmap_get(&z->by_key, zone);

	return zn != NULL ? state_of(zn, r) : NL_ZONE_NORMAL;
}

int nl_zones_all_full(const nl_zones_t *z)
{
	size_t i;
	int any = 0;

	for (k8c_strmap_entry_t *e = k8c_strmap_first(&z->by_key, &i); e;
	     e = k8c_strmap_next(&z->by_key, e, &i)) {
		const struct nl_zone *zone = e->value;

		if (zone->total - zone->not_ready > 0 || zone->not_ready == 0)
			return 0;
		any = 1;
	}
	return any;
}

/* The zone's rate (kube's setLimiterInZone): HealthyQPSFunc when normal
 * or fully disrupted, ReducedQPSFunc when partially. */
static double zone_qps(const struct nl_zone *zone, const nl_eviction_rates_t *r)
{
	if (state_of(zone, r) != NL_ZONE_PARTIAL_DISRUPTION)
		return r->qps;
	return zone->total > r->large_cluster ? r->secondary_qps : 0;
}

int64_t nl_zone_take(nl_zones_t *z, const char *zone_key, int64_t now_ns,
                     const nl_eviction_rates_t *r)
{
	struct nl_zone *zone = zone_get(z, zone_key);
	double qps = zone_qps(zone, r), wait_s;

	if (zone->total <= 0) { /* not counted: created here for nothing */
		free(k8c_strmap_remove(&z->by_key, zone_key));
		return 0;
	}
	if (qps <= 0)
		return -1;
	if (zone->last_ns != 0 && now_ns > zone->last_ns) {
		zone->tokens += qps * (double)(now_ns - zone->last_ns) / 1e9;
		if (zone->tokens > 1)
			zone->tokens = 1;
	}
	zone->last_ns = now_ns;
	if (zone->tokens >= 1) {
		zone->tokens -= 1;
		return 0;
	}
	wait_s = (1 - zone->tokens) / qps;
	if (!(wait_s * 1000 < INT_MAX)) /* a tiny rate: no overflow */
		return INT_MAX;
	return (int64_t)(wait_s * 1000) + 1;
}
