/* Controller "node-lifecycle": kube-controller-manager's node lifecycle
 * controller (events as "node-controller").
 *
 * Each node is reconciled every node-monitor-period (5 s).  A node whose
 * kubelet stopped posting -- neither its Ready condition's
 * lastHeartbeatTime nor its Lease kube-node-lease/<node> renewTime changed
 * for node-monitor-grace-period (40 s; node-startup-grace-period, 1 m, for
 * a node that never posted a Ready condition) -- gets its Ready,
 * MemoryPressure, DiskPressure and PIDPressure conditions set to Unknown
 * ("NodeStatusUnknown", "Kubelet stopped posting node status.").  As
 * kube's TaintNodesByCondition, conditions become NoSchedule taints
 * (Ready False: not-ready, Unknown: unreachable, the pressures, and
 * spec.unschedulable); a Ready False or Unknown node also gets the
 * not-ready or unreachable NoExecute taint, which the taint-eviction
 * controller acts on, at most node-eviction-rate nodes per second per zone
 * (burst 1), slower in partially disrupted zones, and none while every
 * zone is fully disrupted -- the zone states being trusted only once every
 * node in the cache has been counted (right after start they are counted
 * one per reconcile).  Each pass returns the delay to the next one: the
 * host's queue keeps the earliest per key.  A node going from Ready to not ready gets a
 * NodeNotReady event, its pods Ready=False and a NodeNotReady event each.
 *
 * When the controller notices a heartbeat is its own clock's business
 * (monotonic), as kube's probeTimestamp: the kubelet's clock is not
 * trusted. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/client.h>
#include <k8c/controller.h>

#include "common/json_path.h"
#include "common/mem.h"
#include "common/strmap.h"
#include "common/timestamp.h"
#include "delay.h"
#include "duration.h"
#include "node_taints.h"
#include "pod_index.h"
#include "zones.h"

#define NODE_LEASE_NS "kube-node-lease"

/* Longer durations are taken as this (about 73 years). */
#define MAX_DURATION_NS (INT64_MAX / 4)

enum { W_NODES = 0, W_LEASES = 1, W_PODS = 2 };

/* What the controller knows of one node between passes (kube's
 * nodeHealthData plus its zone accounting). */
struct node_health {
	int64_t probe_ns;       /* monotonic: when the kubelet was last seen alive */
	char *heartbeat;        /* Ready lastHeartbeatTime last seen, owned; NULL: none */
	int has_ready;          /* a Ready condition was there */
	int64_t lease_renew_ns; /* the lease's renewTime last seen; 0: none */
	char *zone;             /* the zone it is counted in, owned; NULL: not counted */
	int ready;              /* counted as ready there */
	int mark_pods;          /* its pods are still to be marked not ready */
};

struct node_lifecycle {
	const k8c_host_t *host;           /* borrowed until fini */
	const k8c_controller_host_t *ch;  /* borrowed until fini */
	int64_t grace_ns, startup_grace_ns, period_ns;
	nl_eviction_rates_t rates;
	pthread_mutex_t lock;             /* health and zones */
	k8c_strmap_t health;              /* node name -> struct node_health *, owned */
	nl_zones_t zones;
	nl_pod_index_t pods;
	/* Zone states count each node once it was reconciled; until every
	 * node in the cache was, they are a partial count (right after start
	 * the nodes are counted one per reconcile) and nothing is decided
	 * from them.  cached: the nodes on_change saw in the cache;
	 * uncounted: how many of those are not counted yet. */
	k8c_strmap_t cached;              /* node name -> (void *)1 */
	size_t uncounted;
};

static const k8c_controller_watch_t watches[] = {
	{.group = "", .version = "v1", .resource = "nodes", .kind = "Node", .map = K8C_MAP_SELF},
	{.group = "coordination.k8s.io", .version = "v1", .resource = "leases", .kind = "Lease",
	 .map = K8C_MAP_NONE},
	{.group = "", .version = "v1", .resource = "pods", .kind = "Pod", .map = K8C_MAP_NONE},
};

static const char *str_or(const char *s, const char *dflt)
{
	return s != NULL ? s : dflt;
}

static int str_is(const char *a, const char *b)
{
	return a != NULL && strcmp(a, b) == 0;
}

/* ---- options ---- */

/* The value of option name: the plugin's config first, then the
 * controller manager's settings. */
static const cJSON *option(const struct node_lifecycle *nl, const cJSON *config, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(config, name);

	if (v == NULL && nl->ch->options != NULL)
		v = cJSON_GetObjectItemCaseSensitive(nl->ch->options, name);
	return v;
}

static int opt_duration(const struct node_lifecycle *nl, const cJSON *config, const char *name,
                        int64_t *out, k8c_error_t *err)
{
	const cJSON *v = option(nl, config, name);
	int64_t ns;

	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (cJSON_IsNumber(v)) {
		ns = nl_scale_to_i64(v->valuedouble, 1e9);
	} else if (!cJSON_IsString(v)) {
		return k8c_error_make(err, K8C_EINVAL, "invalid --%s: expected a duration", name);
	} else if (nl_duration_parse(v->valuestring, &ns, err) < 0) {
		char why[K8C_ERROR_MESSAGE_MAX];

		snprintf(why, sizeof(why), "%s", err->message);
		return k8c_error_make(err, K8C_EINVAL, "invalid --%s %s: %s", name, v->valuestring, why);
	}
	if (ns <= 0)
		return k8c_error_make(err, K8C_EINVAL, "--%s must be greater than 0", name);
	if (ns > MAX_DURATION_NS) /* added to monotonic times: no overflow */
		ns = MAX_DURATION_NS;
	*out = ns;
	return 0;
}

static int opt_number(const struct node_lifecycle *nl, const cJSON *config, const char *name,
                      double *out, k8c_error_t *err)
{
	const cJSON *v = option(nl, config, name);
	char *end;
	double d;

	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (cJSON_IsNumber(v)) {
		d = v->valuedouble;
	} else {
		if (!cJSON_IsString(v) || v->valuestring[0] == '\0')
			return k8c_error_make(err, K8C_EINVAL, "invalid --%s: expected a number", name);
		d = strtod(v->valuestring, &end);
		if (*end != '\0')
			return k8c_error_make(err, K8C_EINVAL, "invalid --%s %s: expected a number",
			                      name, v->valuestring);
	}
	if (!(d >= 0))
		return k8c_error_make(err, K8C_EINVAL, "--%s must not be negative", name);
	*out = d;
	return 0;
}

static int read_options(struct node_lifecycle *nl, const cJSON *config, k8c_error_t *err)
{
	double large = 50;
	const cJSON *c;
	int ret = 0;

	nl->grace_ns = INT64_C(40) * 1000000000;
	nl->startup_grace_ns = INT64_C(60) * 1000000000;
	nl->period_ns = INT64_C(5) * 1000000000;
	nl->rates = (nl_eviction_rates_t){.qps = 0.1, .secondary_qps = 0.01, .large_cluster = 50,
	                                  .unhealthy_threshold = 0.55};
	if ((ret = opt_duration(nl, config, "node-monitor-grace-period", &nl->grace_ns, err)) < 0 ||
	    (ret = opt_duration(nl, config, "node-startup-grace-period", &nl->startup_grace_ns, err)) < 0 ||
	    (ret = opt_duration(nl, config, "node-monitor-period", &nl->period_ns, err)) < 0 ||
	    (ret = opt_number(nl, config, "node-eviction-rate", &nl->rates.qps, err)) < 0 ||
	    (ret = opt_number(nl, config, "secondary-node-eviction-rate", &nl->rates.secondary_qps, err)) < 0 ||
	    (ret = opt_number(nl, config, "large-cluster-size-threshold", &large, err)) < 0 ||
	    (ret = opt_number(nl, config, "unhealthy-zone-threshold", &nl->rates.unhealthy_threshold, err)) < 0)
		return ret;
	nl->rates.large_cluster = (int64_t)large;
	cJSON_ArrayForEach(c, config) {
		static const char *const known[] = {
			"workers", "node-monitor-grace-period", "node-startup-grace-period",
			"node-monitor-period", "node-eviction-rate", "secondary-node-eviction-rate",
			"large-cluster-size-threshold", "unhealthy-zone-threshold",
		};
		size_t i = 0;

		while (i < sizeof(known) / sizeof(known[0]) && !str_is(c->string, known[i]))
			i++;
		if (i == sizeof(known) / sizeof(known[0]))
			nl->host->log(nl->host->ctx, K8C_LOG_WARN, "ignoring unknown config key \"%s\"",
			              str_or(c->string, ""));
	}
	return 0;
}

/* ---- health ---- */

static void health_free(struct node_health *h)
{
	free(h->heartbeat);
	free(h->zone);
	free(h);
}

/* The node is gone: forget it and its zone count. */
static void forget_node(struct node_lifecycle *nl, const char *name)
{
	struct node_health *h;

	pthread_mutex_lock(&nl->lock);
	h = k8c_strmap_remove(&nl->health, name);
	if (h != NULL && h->zone != NULL) {
		nl_zones_count(&nl->zones, h->zone, h->ready, NULL, 0);
		if (k8c_strmap_get(&nl->cached, name) != NULL)
			nl->uncounted++; /* gone from here, not (yet) from the cache */
	}
	pthread_mutex_unlock(&nl->lock);
	if (h != NULL)
		health_free(h);
}

static const cJSON *ready_condition(const cJSON *node)
{
	const cJSON *conds = k8c_jget(node, "status.conditions"), *c;

	if (!cJSON_IsArray(conds))
		return NULL;
	cJSON_ArrayForEach(c, conds)
		if (str_is(k8c_jstr(c, "type"), "Ready"))
			return c;
	return NULL;
}

static int64_t parse_time(const char *s)
{
	k8c_error_t err;
	int64_t ns;

	if (s == NULL || k8c_time_parse(s, &ns, &err) < 0)
		return 0;
	return ns;
}

/* tryUpdateNodeHealth's bookkeeping: note what changed since the last
 * pass, and say how long until the node's grace period runs out (<= 0:
 * it has). */
static int64_t observe(struct node_lifecycle *nl, const char *name, const cJSON *node,
                       int64_t lease_renew_ns, int64_t now)
{
	const cJSON *ready = ready_condition(node);
	const char *hb = ready != NULL ? k8c_jstr(ready, "lastHeartbeatTime") : NULL;
	struct node_health *h;
	int64_t left;

	pthread_mutex_lock(&nl->lock);
	h = k8c_strmap_get(&nl->health, name);
	if (h == NULL) {
		h = k8c_xcalloc(1, sizeof(*h));
		h->probe_ns = now;
		h->has_ready = ready != NULL;
		h->heartbeat = hb != NULL ? k8c_xstrdup(hb) : NULL;
		h->ready = 1; /* counted from the first pass on */
		k8c_strmap_put(&nl->health, name, h);
	} else if (h->has_ready != (ready != NULL) || (hb == NULL) != (h->heartbeat == NULL) ||
	           (hb != NULL && strcmp(hb, h->heartbeat) != 0)) {
		h->probe_ns = now;
		h->has_ready = ready != NULL;
		free(h->heartbeat);
		h->heartbeat = hb != NULL ? k8c_xstrdup(hb) : NULL;
	}
	if (lease_renew_ns > h->lease_renew_ns) {
		/* the first lease seen counts as a renewal, as in kube */
		h->lease_renew_ns = lease_renew_ns;
		h->probe_ns = now;
	}
	left = h->probe_ns + (ready != NULL ? nl->grace_ns : nl->startup_grace_ns) - now;
	pthread_mutex_unlock(&nl->lock);
	return left;
}

/* Set the kubelet's conditions Unknown, as kube does when the grace
 * period ran out.  Returns 1 when something changed. */
static int set_unknown(cJSON *node, const char *now)
{
	static const char *const types[] = {"Ready", "MemoryPressure", "DiskPressure", "PIDPressure"};
	cJSON *status = cJSON_GetObjectItemCaseSensitive(node, "status"), *conds;
	const char *created = str_or(k8c_jstr(node, "metadata.creationTimestamp"), now);
	int changed = 0;

	if (!cJSON_IsObject(status)) {
		cJSON_DeleteItemFromObjectCaseSensitive(node, "status");
		status = cJSON_AddObjectToObject(node, "status");
	}
	conds = cJSON_GetObjectItemCaseSensitive(status, "conditions");
	if (!cJSON_IsArray(conds)) {
		cJSON_DeleteItemFromObjectCaseSensitive(status, "conditions");
		conds = cJSON_AddArrayToObject(status, "conditions");
	}
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		cJSON *c, *found = NULL;

		cJSON_ArrayForEach(c, conds)
			if (str_is(k8c_jstr(c, "type"), types[i]))
				found = c;
		if (found == NULL) {
			c = cJSON_CreateObject();
			cJSON_AddStringToObject(c, "type", types[i]);
			cJSON_AddStringToObject(c, "status", "Unknown");
			cJSON_AddStringToObject(c, "lastHeartbeatTime", created);
			cJSON_AddStringToObject(c, "lastTransitionTime", now);
			cJSON_AddStringToObject(c, "reason", "NodeStatusNeverUpdated");
			cJSON_AddStringToObject(c, "message", "Kubelet never posted node status.");
			cJSON_AddItemToArray(conds, c);
			changed = 1;
		} else if (!str_is(k8c_jstr(found, "status"), "Unknown")) {
			static const char *const keys[] = {"status", "reason", "message", "lastTransitionTime"};
			const char *vals[] = {"Unknown", "NodeStatusUnknown",
			                      "Kubelet stopped posting node status.", now};

			for (size_t k = 0; k < 4; k++) {
				if (cJSON_GetObjectItemCaseSensitive(found, keys[k]) != NULL)
					cJSON_ReplaceItemInObjectCaseSensitive(found, keys[k],
					                                       cJSON_CreateString(vals[k]));
				else
					cJSON_AddStringToObject(found, keys[k], vals[k]);
			}
			changed = 1;
		}
	}
	return changed;
}

/* ---- writes ---- */

static int put(struct node_lifecycle *nl, const char *path, const cJSON *body, cJSON **out,
               k8c_error_t *err)
{
	return nl->host->client->request(nl->host->client_ctx, "PUT", path, body, NULL, out, err);
}

/* MarkPodsNotReady: every pod on the node whose Ready condition is not
 * False gets it False (through /status) and a NodeNotReady event.  < 0
 * when a write failed (the pass retries later). */
static int mark_pods_not_ready(struct node_lifecycle *nl, const char *node_name, const char *now)
{
	nl_pod_ref_t *refs;
	size_t n;
	int failed = 0;

	nl_pod_index_on_node(&nl->pods, node_name, &refs, &n);
	for (size_t i = 0; i < n; i++) {
		_cleanup_json_ cJSON *pod = nl->ch->get(nl->ch->ctx, W_PODS, refs[i].key);
		_cleanup_json_ cJSON *out = NULL;
		_cleanup_free_ char *path = NULL;
		cJSON *conds, *c, *ready = NULL;
		k8c_error_t err;
		int ret;

		if (pod == NULL || !str_is(k8c_jstr(pod, "spec.nodeName"), node_name))
			continue;
		conds = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(pod, "status"),
		                                         "conditions");
		if (!cJSON_IsArray(conds))
			continue;
		cJSON_ArrayForEach(c, conds)
			if (str_is(k8c_jstr(c, "type"), "Ready"))
				ready = c;
		if (ready == NULL || str_is(k8c_jstr(ready, "status"), "False"))
			continue;
		cJSON_ReplaceItemInObjectCaseSensitive(ready, "status", cJSON_CreateString("False"));
		if (cJSON_GetObjectItemCaseSensitive(ready, "lastTransitionTime") != NULL)
			cJSON_ReplaceItemInObjectCaseSensitive(ready, "lastTransitionTime",
			                                       cJSON_CreateString(now));
		else
			cJSON_AddStringToObject(ready, "lastTransitionTime", now);
		path = k8c_xasprintf("/api/v1/namespaces/%s/pods/%s/status",
		                     str_or(k8c_jstr(pod, "metadata.namespace"), "default"),
		                     str_or(k8c_jstr(pod, "metadata.name"), ""));
		ret = put(nl, path, pod, &out, &err);
		if (ret == -K8C_ENOTFOUND)
			continue;
		if (ret < 0) {
			nl->host->log(nl->host->ctx, K8C_LOG_WARN,
			              "node %s: marking pod %s not ready: %s", node_name, refs[i].key,
			              err.message);
			failed = 1;
			continue;
		}
		nl->ch->event(nl->ch->ctx, W_PODS, out, "Warning", "NodeNotReady", "Node is not ready");
	}
	nl_pod_refs_free(refs, n);
	return failed ? -1 : 0;
}

/* How long a node that wants a new NoExecute taint waits while the zone
 * states are not known yet (some cached node not counted). */
#define UNCOUNTED_WAIT_MS 1000

/* The NoExecute part of the plan (processTaintBaseEviction and the zone
 * tainters): Ready False wants not-ready, Unknown unreachable, True
 * neither.  Swapping one for the other is immediate; a new one waits for
 * its zone's token (*wait_ms: how long, -1 never), and for the zone
 * states to be known (counted: every cached node counted); all_full (only
 * ever set when counted) lifts them all. */
static nl_taint_plan_t noexec_plan(struct node_lifecycle *nl, const cJSON *node, const char *ready,
                                   const char *zone, int counted, int all_full, int64_t now,
                                   int64_t *wait_ms)
{
	nl_taint_plan_t plan = {.noexec = NL_NOEXEC_LEAVE};
	const char *want, *other;
	int64_t w;

	*wait_ms = 0;
	if (ready == NULL)
		return plan;
	plan.noexec = NL_NOEXEC_SET;
	if (str_is(ready, "True") || all_full)
		return plan; /* none: healthy, or every zone is down (master disruption mode) */
	want = str_is(ready, "False") ? NL_TAINT_NOT_READY : NL_TAINT_UNREACHABLE;
	other = str_is(ready, "False") ? NL_TAINT_UNREACHABLE : NL_TAINT_NOT_READY;
	plan.noexec_key = want;
	if (nl_has_taint(node, want, "NoExecute") || nl_has_taint(node, other, "NoExecute"))
		return plan;
	if (!counted) {
		*wait_ms = UNCOUNTED_WAIT_MS;
		plan.noexec = NL_NOEXEC_LEAVE;
		return plan;
	}
	pthread_mutex_lock(&nl->lock);
	w = nl_zone_take(&nl->zones, zone, now, &nl->rates);
	pthread_mutex_unlock(&nl->lock);
	if (w != 0) {
		*wait_ms = w;
		plan.noexec = NL_NOEXEC_LEAVE;
	}
	return plan;
}

/* Is the node counted in a zone?  Lock held. */
static int is_counted(const struct node_lifecycle *nl, const char *name)
{
	const struct node_health *h = k8c_strmap_get(&nl->health, name);

	return h != NULL && h->zone != NULL;
}

/* Count the node in its zone with its Ready state.  Returns whether the
 * zone states can be trusted: every node in the cache has been counted
 * (not so right after start, while nodes are counted one per reconcile:
 * a partial count would read as "every zone fully disrupted", lifting
 * NoExecute taints and restarting evictions); then *all_full says whether
 * every zone is fully disrupted, else it is 0.  Also settles mark_pods. */
static int count_node(struct node_lifecycle *nl, const char *name, const char *zone, int ready,
                      int went_not_ready, int *mark_pods, int *all_full)
{
	struct node_health *h;
	int counted;

	pthread_mutex_lock(&nl->lock);
	h = k8c_strmap_get(&nl->health, name);
	if (h != NULL) {
		if (h->zone == NULL && k8c_strmap_get(&nl->cached, name) != NULL)
			nl->uncounted--;
		nl_zones_count(&nl->zones, h->zone, h->ready, zone, ready);
		free(h->zone);
		h->zone = k8c_xstrdup(zone);
		h->ready = ready;
		if (went_not_ready)
			h->mark_pods = 1;
		if (ready)
			h->mark_pods = 0;
		*mark_pods = h->mark_pods;
	}
	counted = nl->uncounted == 0;
	*all_full = counted && nl_zones_all_full(&nl->zones);
	pthread_mutex_unlock(&nl->lock);
	return counted;
}

static void pods_marked(struct node_lifecycle *nl, const char *name)
{
	struct node_health *h;

	pthread_mutex_lock(&nl->lock);
	h = k8c_strmap_get(&nl->health, name);
	if (h != NULL)
		h->mark_pods = 0;
	pthread_mutex_unlock(&nl->lock);
}

static int64_t min_pos(int64_t a, int64_t b)
{
	return b > 0 && b < a ? b : a;
}

static int reconcile(void *cookie, const char *key, k8c_error_t *err)
{
	struct node_lifecycle *nl = cookie;
	_cleanup_json_ cJSON *node = nl->ch->get(nl->ch->ctx, W_NODES, key);
	_cleanup_json_ cJSON *lease = NULL;
	_cleanup_free_ char *lease_key = NULL, *path = NULL, *observed = NULL;
	char now_s[K8C_TIME_STRLEN], zone[512];
	const char *ready;
	int64_t now, left, wait_ms = 0, next_ms;
	int counted, all_full, mark = 0, unknown, ret;
	nl_taint_plan_t plan;

	if (node == NULL) {
		forget_node(nl, key);
		return K8C_RECONCILE_DONE;
	}
	lease_key = k8c_xasprintf(NODE_LEASE_NS "/%s", key);
	lease = nl->ch->get(nl->ch->ctx, W_LEASES, lease_key);
	now = nl->host->monotonic_ns(nl->host->ctx);
	k8c_time_format(nl->host->now_ns(nl->host->ctx), now_s);
	left = observe(nl, key, node, parse_time(k8c_jstr(lease, "spec.renewTime")), now);
	path = k8c_xasprintf("/api/v1/nodes/%s", key);
	observed = ready_condition(node) != NULL ? k8c_xstrdup(str_or(nl_condition_status(node, "Ready"), ""))
	                                         : NULL;
	unknown = left < 0 && set_unknown(node, now_s);
	/* counted before the write: a node whose status cannot be written
	 * must not keep the zone states unknown for good */
	ready = nl_condition_status(node, "Ready");
	nl_zone_key(node, zone, sizeof(zone));
	counted = count_node(nl, key, zone, str_is(ready, "True"),
	                     str_is(observed, "True") && ready != NULL && !str_is(ready, "True"),
	                     &mark, &all_full);
	if (unknown) {
		_cleanup_free_ char *spath = k8c_xasprintf("%s/status", path);
		cJSON *out = NULL;

		if ((ret = put(nl, spath, node, &out, err)) < 0)
			return ret == -K8C_ENOTFOUND ? K8C_RECONCILE_DONE : ret;
		nl->host->log(nl->host->ctx, K8C_LOG_INFO,
		              "node %s: no status for %lld ms, its conditions are Unknown", key,
		              (long long)((nl->grace_ns - left) / 1000000));
		cJSON_Delete(node);
		node = out;
	}
	ready = nl_condition_status(node, "Ready");
	if (str_is(observed, "True") && ready != NULL && !str_is(ready, "True"))
		nl->ch->event(nl->ch->ctx, W_NODES, node, "Normal", "NodeNotReady",
		              "Node %s status is now: %s", key, "NodeNotReady");
	plan = noexec_plan(nl, node, ready, zone, counted, all_full, now, &wait_ms);
	if (nl_apply_taints(node, &plan, now_s)) {
		if ((ret = put(nl, path, node, NULL, err)) < 0)
			return ret == -K8C_ENOTFOUND ? K8C_RECONCILE_DONE : ret;
		nl->host->log(nl->host->ctx, K8C_LOG_INFO, "node %s: taints updated (Ready %s)", key,
		              str_or(ready, "absent"));
	}
	if (mark && ready != NULL && !str_is(ready, "True") &&
	    mark_pods_not_ready(nl, key, now_s) == 0)
		pods_marked(nl, key);
	next_ms = nl->period_ns / 1000000;
	if (left >= 0)
		next_ms = min_pos(next_ms, left / 1000000 + 1);
	next_ms = min_pos(next_ms, wait_ms);
	/* the host's queue keeps the earliest delay per key */
	return nl_reconcile_after_ms(next_ms);
}

/* ---- watches ---- */

/* Is the node known and not ready?  Then a pod appearing on it, or its
 * lease moving, matters now rather than at the next pass. */
static int node_down(struct node_lifecycle *nl, const char *name, int mark)
{
	struct node_health *h;
	int down;

	pthread_mutex_lock(&nl->lock);
	h = k8c_strmap_get(&nl->health, name);
	down = h != NULL && h->zone != NULL && !h->ready;
	if (down && mark)
		h->mark_pods = 1;
	pthread_mutex_unlock(&nl->lock);
	return down;
}

/* A lease moved: the kubelet is alive now, not at the next pass (which
 * may be up to node-monitor-period late).  Returns 1 when the node is
 * known not ready, to be looked at at once. */
static int lease_renewed(struct node_lifecycle *nl, const char *name, int64_t renew_ns)
{
	struct node_health *h;
	int down = 0;

	pthread_mutex_lock(&nl->lock);
	h = k8c_strmap_get(&nl->health, name);
	if (h != NULL && renew_ns > h->lease_renew_ns) {
		h->lease_renew_ns = renew_ns;
		h->probe_ns = nl->host->monotonic_ns(nl->host->ctx);
		down = h->zone != NULL && !h->ready;
	}
	pthread_mutex_unlock(&nl->lock);
	return down;
}

/* The cache has the node (or no longer): keep cached and uncounted. */
static void node_cached(struct node_lifecycle *nl, const char *name, int present)
{
	pthread_mutex_lock(&nl->lock);
	if (!present) {
		if (k8c_strmap_remove(&nl->cached, name) != NULL && !is_counted(nl, name))
			nl->uncounted--;
	} else if (k8c_strmap_get(&nl->cached, name) == NULL) {
		k8c_strmap_put(&nl->cached, name, (void *)1);
		if (!is_counted(nl, name))
			nl->uncounted++;
	}
	pthread_mutex_unlock(&nl->lock);
}

static void on_change(void *cookie, size_t watch, int type, const cJSON *obj, const cJSON *old)
{
	struct node_lifecycle *nl = cookie;
	char node[256];
	int moved;

	(void)old;
	if (watch == W_NODES) {
		const char *name = k8c_jstr(obj, "metadata.name");

		if (name != NULL)
			node_cached(nl, name, type != K8C_WATCH_DELETED);
	} else if (watch == W_LEASES) {
		const char *name = k8c_jstr(obj, "metadata.name");

		if (type != K8C_WATCH_DELETED && name != NULL &&
		    str_is(k8c_jstr(obj, "metadata.namespace"), NODE_LEASE_NS) &&
		    lease_renewed(nl, name, parse_time(k8c_jstr(obj, "spec.renewTime"))))
			nl->ch->enqueue(nl->ch->ctx, name);
	} else if (watch == W_PODS) {
		if (nl_pod_index_change(&nl->pods, type, obj, nl->host->now_ns(nl->host->ctx), node,
		                        sizeof(node), &moved) != NULL &&
		    node_down(nl, node, 1))
			nl->ch->enqueue(nl->ch->ctx, node);
	}
}

/* ---- plugin ---- */

static void fini(void *cookie)
{
	struct node_lifecycle *nl = cookie;
	size_t i;

	if (nl == NULL)
		return;
	for (k8c_strmap_entry_t *e = k8c_strmap_first(&nl->health, &i); e;
	     e = k8c_strmap_next(&nl->health, e, &i))
		health_free(e->value);
	k8c_strmap_free(&nl->health);
	nl_zones_fini(&nl->zones);
	nl_pod_index_fini(&nl->pods);
	k8c_strmap_free(&nl->cached);
	pthread_mutex_destroy(&nl->lock);
	free(nl);
}

static int init(const k8c_host_t *host, const cJSON *config, void **cookie, k8c_error_t *err)
{
	struct node_lifecycle *nl;
	int ret;

	if (host->abi_minor < 5 || host->controller == NULL || host->client == NULL)
		return k8c_error_make(err, K8C_EINVAL,
		                      "node-lifecycle runs in the controller manager (ABI 1.5)");
	nl = k8c_xcalloc(1, sizeof(*nl));
	nl->host = host;
	nl->ch = host->controller;
	pthread_mutex_init(&nl->lock, NULL);
	k8c_strmap_init(&nl->health);
	nl_zones_init(&nl->zones);
	nl_pod_index_init(&nl->pods);
	k8c_strmap_init(&nl->cached);
	if ((ret = read_options(nl, config, err)) < 0) {
		fini(nl);
		return ret;
	}
	*cookie = nl;
	return 0;
}

static const k8c_controller_ops_t ops = {
	.struct_size = sizeof(k8c_controller_ops_t),
	.watches = watches,
	.n_watches = sizeof(watches) / sizeof(watches[0]),
	.workers = 4,
	.event_component = "node-controller",
	.reconcile = reconcile,
	.on_change = on_change,
};

K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
	K8C_PLUGIN_HEADER(K8C_PLUGIN_CONTROLLER),
	.name = "node-lifecycle",
	.version = PACKAGE_VERSION,
	.description = "nodes that stop posting status become Unknown and tainted (kube's node lifecycle controller)",
	.init = init,
	.fini = fini,
	.ops = &ops,
};
