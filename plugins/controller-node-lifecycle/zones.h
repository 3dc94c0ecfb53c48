/* Zones of nodes for the node lifecycle controller: how many nodes of each
 * zone are ready, the zone's state (kube's ComputeZoneState) and the rate
 * at which nodes of the zone may get a NoExecute taint (a token bucket of
 * burst 1 per zone, as kube's RateLimitedTimedQueue per zone).  Not
 * thread-safe: the caller locks. */
#ifndef K8C_NODE_LIFECYCLE_ZONES_H
#define K8C_NODE_LIFECYCLE_ZONES_H

#include <stdint.h>

#include "common/strmap.h"

struct cJSON;

enum nl_zone_state {
	NL_ZONE_NORMAL = 0,
	NL_ZONE_PARTIAL_DISRUPTION = 1,
	NL_ZONE_FULL_DISRUPTION = 2,
};

/* --node-eviction-rate and friends. */
typedef struct nl_eviction_rates {
	double qps;                  /* node-eviction-rate, 0.1 */
	double secondary_qps;        /* secondary-node-eviction-rate, 0.01 */
	int64_t large_cluster;       /* large-cluster-size-threshold, 50 */
	double unhealthy_threshold;  /* unhealthy-zone-threshold, 0.55 */
} nl_eviction_rates_t;

typedef struct nl_zones {
	k8c_strmap_t by_key; /* zone key -> struct nl_zone *, owned */
} nl_zones_t;

void nl_zones_init(nl_zones_t *z);
void nl_zones_fini(nl_zones_t *z);

/* The zone key of a node (kube's GetZoneKey: region and zone labels,
 * topology.kubernetes.io/ or failure-domain.beta.kubernetes.io/), in buf
 * (size n); "" for a node without them. */
const char *nl_zone_key(const struct cJSON *node, char *buf, size_t n);

/* Move a node's count: from (old_zone, old_ready) (old_zone NULL: the
 * node was not counted) to (new_zone, new_ready) (NULL: no longer
 * counted). */
void nl_zones_count(nl_zones_t *z, const char *old_zone, int old_ready, const char *new_zone,
                    int new_ready);

enum nl_zone_state nl_zone_state(const nl_zones_t *z, const char *zone,
                                 const nl_eviction_rates_t *r);

/* Are all zones (with nodes) fully disrupted?  Kube then stops tainting
 * and lifts the NoExecute taints it set ("master disruption mode"). */
int nl_zones_all_full(const nl_zones_t *z);

/* Take the zone's token for tainting one node now (monotonic now_ns):
 * 0 when taken, else the milliseconds until one may be (> 0), or -1 when
 * the zone's rate is 0 (a partially disrupted small cluster). */
int64_t nl_zone_take(nl_zones_t *z, const char *zone, int64_t now_ns,
                     const nl_eviction_rates_t *r);

#endif
