/* node-resources-fit: kube-scheduler's NodeResourcesFit policy.
 *
 * filter: the node must have room for the pod's requests next to what is
 *   already requested on it, for cpu, memory, ephemeral-storage, the pod
 *   count and every scalar resource the pod requests ("Insufficient cpu",
 *   "Too many pods", "Insufficient nvidia.com/gpu").  A pod that would not
 *   fit even on the empty node is UNRESOLVABLE (preemption cannot help).
 * score: LeastAllocated (default), MostAllocated or
 *   RequestedToCapacityRatio over weighted resources, 0..100, with the
 *   scheduler's non-zero requests (100m cpu, 200Mi memory for containers
 *   that request nothing) for cpu and memory.
 *
 * Config (the plugin's subtree; Kubernetes' NodeResourcesFitArgs):
 *   ignoredResources: [name]        extended resources filter skips
 *   ignoredResourceGroups: [group]  extended resources "<group>/..." skipped
 *   scoringStrategy:
 *     type: LeastAllocated | MostAllocated | RequestedToCapacityRatio
 *     resources: [{name, weight 1..100}]     default cpu:1, memory:1
 *     requestedToCapacityRatio: {shape: [{utilization 0..100, score 0..10}]}
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/plugin.h>
#include <k8c/scheduler.h>

#include "common/mem.h"
#include "common/names.h"
#include "common/podresources.h"

#define MAX_NODE_SCORE K8C_SCHED_MAX_SCORE
#define MAX_UTILIZATION 100
#define MAX_CUSTOM_SCORE 10 /* shape scores are 0..10, scaled to 0..100 */

enum strategy {
	LEAST_ALLOCATED,
	MOST_ALLOCATED,
	REQUESTED_TO_CAPACITY_RATIO,
};

static const char *const strategy_names[] = {
    "LeastAllocated",
    "MostAllocated",
    "RequestedToCapacityRatio",
};

typedef struct resource_spec {
	char *name;
	int64_t weight;
} resource_spec_t;

typedef struct shape_point {
	int64_t utilization;
	int64_t score; /* already scaled to 0..MAX_NODE_SCORE */
} shape_point_t;

typedef struct fit {
	const k8c_host_t *host;
	char **ignored;
	size_t n_ignored;
	char **ignored_groups;
	size_t n_ignored_groups;
	int strategy;
	resource_spec_t *resources;
	size_t n_resources;
	shape_point_t *shape;
	size_t n_shape;
} fit_t;

/* Per cycle, built by pre_filter (or pre_score). */
typedef struct fit_state {
	int have_requests;           /* requests below were computed here */
	k8c_podresources_t requests; /* when the host gave none */
	int64_t *score_requests;     /* non-zero requests, per resource spec */
} fit_state_t;

/* ------------------------------------------------------------------------
 * Configuration
 */

static void free_strings(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void fit_free(fit_t *f)
{
	if (f == NULL)
		return;
	free_strings(f->ignored, f->n_ignored);
	free_strings(f->ignored_groups, f->n_ignored_groups);
	for (size_t i = 0; i < f->n_resources; i++)
		free(f->resources[i].name);
	free(f->resources);
	free(f->shape);
	free(f);
}

static void warn_unknown(const fit_t *f, const cJSON *obj, const char *path,
                         const char *const *known)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, obj)
	{
		int found = 0;
		for (const char *const *k = known; *k != NULL && !found; k++)
			found = strcmp(it->string, *k) == 0;
		if (!found)
			f->host->log(f->host->ctx, K8C_LOG_WARN,
			             "config: ignoring unknown field %s%s", path, it->string);
	}
}

/* A whole number in [lo, hi] (absent: *out untouched). */
static int get_int(const cJSON *obj, const char *key, const char *path, int64_t lo, int64_t hi,
                   int64_t *out, k8c_error_t *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsNumber(v))
		return k8c_error_make(err, K8C_EINVAL, "%s.%s: must be an integer", path, key);
	/* The range first: casting a huge double to int64 is undefined. */
	if (!(v->valuedouble >= (double)lo && v->valuedouble <= (double)hi))
		return k8c_error_make(err, K8C_EINVAL, "%s.%s: %g not in valid range [%lld, %lld]",
		                      path, key, v->valuedouble, (long long)lo, (long long)hi);
	if (v->valuedouble != (double)(int64_t)v->valuedouble)
		return k8c_error_make(err, K8C_EINVAL, "%s.%s: must be an integer", path, key);
	*out = (int64_t)v->valuedouble;
	return 0;
}

/* ignoredResources / ignoredResourceGroups: arrays of qualified names. */
static int parse_names(const cJSON *cfg, const char *key, int groups, char ***out, size_t *n,
                       k8c_error_t *err)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(cfg, key), *it;
	char msg[K8C_NAME_MSG_MAX];
	size_t i = 0;

	if (arr == NULL || cJSON_IsNull(arr))
		return 0;
	if (!cJSON_IsArray(arr))
		return k8c_error_make(err, K8C_EINVAL, "%s: must be a list of strings", key);
	*out = k8c_xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(char *));
	cJSON_ArrayForEach(it, arr)
	{
		if (!cJSON_IsString(it))
			return k8c_error_make(err, K8C_EINVAL, "%s[%zu]: must be a string", key, i);
		if (groups && strchr(it->valuestring, '/') != NULL)
			return k8c_error_make(err, K8C_EINVAL,
			                      "%s[%zu]: resource group name can't contain "
			                      "'/': \"%s\"",
			                      key, i, it->valuestring);
		if (!k8c_is_qualified_name(it->valuestring, msg, sizeof(msg)))
			return k8c_error_make(err, K8C_EINVAL, "%s[%zu]: \"%s\": %s", key, i,
			                      it->valuestring, msg);
		(*out)[i++] = k8c_xstrdup(it->valuestring);
		*n = i;
	}
	return 0;
}

static int parse_resources(fit_t *f, const cJSON *arr, k8c_error_t *err)
{
	static const char *const known[] = {"name", "weight", NULL};
	const cJSON *it;
	size_t i = 0;

	if (arr != NULL && !cJSON_IsNull(arr) && !cJSON_IsArray(arr))
		return k8c_error_make(err, K8C_EINVAL, "scoringStrategy.resources: must be a list");
	if (cJSON_GetArraySize(arr) == 0) { /* Kubernetes' default */
		f->resources = k8c_xcalloc(2, sizeof(*f->resources));
		f->resources[0] = (resource_spec_t){k8c_xstrdup("cpu"), 1};
		f->resources[1] = (resource_spec_t){k8c_xstrdup("memory"), 1};
		f->n_resources = 2;
		return 0;
	}
	f->resources = k8c_xcalloc((size_t)cJSON_GetArraySize(arr), sizeof(*f->resources));
	cJSON_ArrayForEach(it, arr)
	{
		char path[64];
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "name");
		int64_t weight = 0;
		snprintf(path, sizeof(path), "scoringStrategy.resources[%zu]", i);
		if (!cJSON_IsObject(it))
			return k8c_error_make(err, K8C_EINVAL, "%s: must be an object", path);
		if (!cJSON_IsString(name) || name->valuestring[0] == '\0')
			return k8c_error_make(err, K8C_EINVAL,
			                      "%s.name: must be a non-empty string", path);
		/* A weight of 0 (or none) defaults to 1. */
		int ret = get_int(it, "weight", path, 0, 100, &weight, err);
		if (ret < 0)
			return ret;
		warn_unknown(f, it, "scoringStrategy.resources[].", known);
		f->resources[i].name = k8c_xstrdup(name->valuestring);
		f->resources[i].weight = weight == 0 ? 1 : weight;
		f->n_resources = ++i;
	}
	return 0;
}

static int parse_shape(fit_t *f, const cJSON *rtcr, k8c_error_t *err)
{
	static const char *const known_rtcr[] = {"shape", NULL};
	static const char *const known_point[] = {"utilization", "score", NULL};
	const cJSON *shape, *it;
	size_t i = 0;

	if (!cJSON_IsObject(rtcr))
		return k8c_error_make(err, K8C_EINVAL,
		                      "scoringStrategy.requestedToCapacityRatio: must "
		                      "be an object");
	warn_unknown(f, rtcr, "scoringStrategy.requestedToCapacityRatio.", known_rtcr);
	shape = cJSON_GetObjectItemCaseSensitive(rtcr, "shape");
	if (!cJSON_IsArray(shape) || cJSON_GetArraySize(shape) == 0)
		return k8c_error_make(err, K8C_EINVAL,
		                      "scoringStrategy.requestedToCapacityRatio.shape: "
		                      "at least one point must be specified");
	f->shape = k8c_xcalloc((size_t)cJSON_GetArraySize(shape), sizeof(*f->shape));
	cJSON_ArrayForEach(it, shape)
	{
		char path[80];
		int64_t u = -1, s = -1;
		snprintf(path, sizeof(path), "scoringStrategy.requestedToCapacityRatio.shape[%zu]",
		         i);
		if (!cJSON_IsObject(it))
			return k8c_error_make(err, K8C_EINVAL, "%s: must be an object", path);
		int ret = get_int(it, "utilization", path, 0, MAX_UTILIZATION, &u, err);
		if (ret == 0)
			ret = get_int(it, "score", path, 0, MAX_CUSTOM_SCORE, &s, err);
		if (ret < 0)
			return ret;
		if (u < 0 || s < 0)
			return k8c_error_make(err, K8C_EINVAL,
			                      "%s: utilization and score are required", path);
		if (i > 0 && f->shape[i - 1].utilization >= u)
			return k8c_error_make(err, K8C_EINVAL,
			                      "%s.utilization: utilization values must be "
			                      "sorted in increasing order",
			                      path);
		warn_unknown(f, it, "scoringStrategy.requestedToCapacityRatio.shape[].",
		             known_point);
		f->shape[i].utilization = u;
		f->shape[i].score = s * (MAX_NODE_SCORE / MAX_CUSTOM_SCORE);
		f->n_shape = ++i;
	}
	return 0;
}

static int parse_strategy(fit_t *f, const cJSON *ss, k8c_error_t *err)
{
	static const char *const known[] = {"type", "resources", "requestedToCapacityRatio", NULL};
	const cJSON *type, *rtcr;

	f->strategy = LEAST_ALLOCATED;
	if (ss == NULL || cJSON_IsNull(ss))
		return parse_resources(f, NULL, err);
	if (!cJSON_IsObject(ss))
		return k8c_error_make(err, K8C_EINVAL, "scoringStrategy: must be an object");
	warn_unknown(f, ss, "scoringStrategy.", known);
	type = cJSON_GetObjectItemCaseSensitive(ss, "type");
	if (type != NULL && !cJSON_IsNull(type)) {
		int found = -1;
		for (int i = 0; i < 3; i++)
			if (cJSON_IsString(type) &&
			    strcmp(type->valuestring, strategy_names[i]) == 0)
				found = i;
		if (found < 0)
			return k8c_error_make(err, K8C_EINVAL,
			                      "scoringStrategy.type: unsupported value "
			                      "(want LeastAllocated, MostAllocated or "
			                      "RequestedToCapacityRatio)");
		f->strategy = found;
	}
	int ret = parse_resources(f, cJSON_GetObjectItemCaseSensitive(ss, "resources"), err);
	if (ret < 0)
		return ret;
	rtcr = cJSON_GetObjectItemCaseSensitive(ss, "requestedToCapacityRatio");
	if (rtcr != NULL && !cJSON_IsNull(rtcr))
		return parse_shape(f, rtcr, err);
	if (f->strategy == REQUESTED_TO_CAPACITY_RATIO)
		return k8c_error_make(err, K8C_EINVAL,
		                      "scoringStrategy.requestedToCapacityRatio: "
		                      "required for type RequestedToCapacityRatio");
	return 0;
}

static int fit_init(const k8c_host_t *host, const cJSON *config, void **cookie, k8c_error_t *err)
{
	static const char *const known[] = {"ignoredResources",
	                                    "ignoredResourceGroups",
	                                    "scoringStrategy",
	                                    "apiVersion",
	                                    "kind",
	                                    NULL};
	fit_t *f = k8c_xcalloc(1, sizeof(*f));
	int ret = 0;

	f->host = host;
	if (config != NULL && !cJSON_IsObject(config))
		ret = k8c_error_make(err, K8C_EINVAL, "config: must be an object");
	if (ret == 0 && config != NULL)
		warn_unknown(f, config, "", known);
	if (ret == 0)
		ret = parse_names(config, "ignoredResources", 0, &f->ignored, &f->n_ignored, err);
	if (ret == 0)
		ret = parse_names(config, "ignoredResourceGroups", 1, &f->ignored_groups,
		                  &f->n_ignored_groups, err);
	if (ret == 0)
		ret = parse_strategy(f, cJSON_GetObjectItemCaseSensitive(config, "scoringStrategy"),
		                     err);
	if (ret < 0) {
		fit_free(f);
		return ret;
	}
	host->log(host->ctx, K8C_LOG_INFO,
	          "scoring strategy %s over %zu resources, %zu ignored resources, "
	          "%zu ignored groups",
	          strategy_names[f->strategy], f->n_resources, f->n_ignored, f->n_ignored_groups);
	*cookie = f;
	return 0;
}

static void fit_fini(void *cookie)
{
	fit_free(cookie);
}

/* ------------------------------------------------------------------------
 * Cycle state
 */

static void state_free(void *cookie, void *state)
{
	fit_state_t *s = state;

	if (s == NULL)
		return;
	k8c_podresources_free(&s->requests);
	free(s->score_requests);
	free(s);
}

/* The pod's request for one scoring resource, from non-zero requests
 * (calculatePodResourceRequest). */
static int64_t request_of(const k8c_sched_resources_t *r, const char *name)
{
	if (strcmp(name, "cpu") == 0)
		return r->milli_cpu;
	if (strcmp(name, "memory") == 0)
		return r->memory;
	if (strcmp(name, "ephemeral-storage") == 0)
		return r->ephemeral_storage;
	return k8c_podresources_scalar(r, name);
}

static int score_requests(const fit_t *f, const cJSON *pod, int64_t *out, k8c_error_t *err)
{
	k8c_podresources_t nz;
	int ret = k8c_podresources_from_pod(pod, K8C_PODRESOURCES_NON_ZERO, &nz, err);

	if (ret < 0)
		return ret;
	for (size_t i = 0; i < f->n_resources; i++)
		out[i] = request_of(&nz.res, f->resources[i].name);
	k8c_podresources_free(&nz);
	return 0;
}

static void pod_key(const cJSON *pod, char *buf, size_t len)
{
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(pod, "metadata");
	const cJSON *ns = cJSON_GetObjectItemCaseSensitive(md, "namespace");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(md, "name");

	snprintf(buf, len, "%s/%s", cJSON_IsString(ns) ? ns->valuestring : "default",
	         cJSON_IsString(name) ? name->valuestring : "?");
}

static int make_state(const fit_t *f, k8c_sched_cycle_t *cycle, char reason[K8C_SCHED_REASON_MAX])
{
	fit_state_t *s = k8c_xcalloc(1, sizeof(*s));
	k8c_error_t err;
	int ret = 0;

	s->score_requests = k8c_xcalloc(f->n_resources, sizeof(int64_t));
	if (cycle->requests == NULL) {
		ret = k8c_podresources_from_pod(cycle->pod, 0, &s->requests, &err);
		s->have_requests = ret == 0;
	}
	if (ret == 0)
		ret = score_requests(f, cycle->pod, s->score_requests, &err);
	if (ret < 0) {
		char key[256];
		pod_key(cycle->pod, key, sizeof(key));
		f->host->log(f->host->ctx, K8C_LOG_DEBUG, "pod %s: invalid resources: %s", key,
		             err.message);
		if (reason != NULL)
			snprintf(reason, K8C_SCHED_REASON_MAX, "invalid resource requests: %.200s",
			         err.message);
		state_free(NULL, s);
		return ret;
	}
	if (cycle->state != NULL)
		state_free(NULL, cycle->state);
	cycle->state = s;
	return 0;
}

static int fit_pre_filter(void *cookie, k8c_sched_cycle_t *cycle, char reason[K8C_SCHED_REASON_MAX])
{
	return make_state(cookie, cycle, reason) < 0 ? K8C_SCHED_UNRESOLVABLE : K8C_SCHED_SUCCESS;
}

static int fit_pre_score(void *cookie, k8c_sched_cycle_t *cycle,
                         const k8c_sched_node_t *const *nodes, size_t n_nodes)
{
	if (cycle->state != NULL)
		return K8C_SCHED_SUCCESS;
	return make_state(cookie, cycle, NULL) < 0 ? K8C_SCHED_ERROR : K8C_SCHED_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Filter (fitsRequest)
 */

static const k8c_sched_resources_t empty_resources;

typedef struct reasons {
	char *buf;
	size_t len;
	int n, unresolvable;
} reasons_t;

__attribute__((format(printf, 3, 4))) static void add_reason(reasons_t *r, int unresolvable,
                                                             const char *fmt, ...)
{
	size_t used = strlen(r->buf);
	va_list ap;

	/* Kubernetes keeps every reason; the buffer may truncate the last. */
	if (r->n > 0 && used < r->len)
		snprintf(r->buf + used, r->len - used, ", ");
	used = strlen(r->buf);
	va_start(ap, fmt);
	if (used < r->len)
		vsnprintf(r->buf + used, r->len - used, fmt, ap);
	va_end(ap);
	r->n++;
	r->unresolvable |= unresolvable;
}

/* req > alloc - used, without overflow. */
static int exceeds(int64_t req, int64_t alloc, int64_t used)
{
	return (__int128)req > (__int128)alloc - used;
}

static int ignored(const fit_t *f, const char *name)
{
	if (!k8c_podresources_is_extended(name))
		return 0;
	for (size_t i = 0; i < f->n_ignored; i++)
		if (strcmp(f->ignored[i], name) == 0)
			return 1;
	size_t glen = strcspn(name, "/");
	for (size_t i = 0; i < f->n_ignored_groups; i++)
		if (strlen(f->ignored_groups[i]) == glen &&
		    strncmp(f->ignored_groups[i], name, glen) == 0)
			return 1;
	return 0;
}

static int fit_filter(void *cookie, const k8c_sched_cycle_t *cycle, const k8c_sched_node_t *node,
                      char reason[K8C_SCHED_REASON_MAX])
{
	const fit_t *f = cookie;
	const fit_state_t *s = cycle->state;
	const k8c_sched_resources_t *req = cycle->requests;
	const k8c_sched_resources_t *alloc = node->allocatable;
	const k8c_sched_resources_t *used = node->requested;
	k8c_podresources_t own = K8C_PODRESOURCES_INIT;
	reasons_t r = {reason, K8C_SCHED_REASON_MAX, 0, 0};

	reason[0] = '\0';
	if (req == NULL && s != NULL && s->have_requests)
		req = &s->requests.res;
	if (req == NULL) { /* no pre_filter: compute it here */
		k8c_error_t err;
		if (k8c_podresources_from_pod(cycle->pod, 0, &own, &err) < 0) {
			snprintf(reason, K8C_SCHED_REASON_MAX, "invalid resource requests: %.200s",
			         err.message);
			return K8C_SCHED_UNRESOLVABLE;
		}
		req = &own.res;
	}
	if (alloc == NULL)
		alloc = &empty_resources;
	if (used == NULL)
		used = &empty_resources;

	int64_t pods = used->pods > (int64_t)node->n_pods ? used->pods : (int64_t)node->n_pods;
	if (exceeds(1, alloc->pods, pods))
		add_reason(&r, 0, "Too many pods");

	if (req->milli_cpu > 0 && exceeds(req->milli_cpu, alloc->milli_cpu, used->milli_cpu))
		add_reason(&r, req->milli_cpu > alloc->milli_cpu, "Insufficient cpu");
	if (req->memory > 0 && exceeds(req->memory, alloc->memory, used->memory))
		add_reason(&r, req->memory > alloc->memory, "Insufficient memory");
	if (req->ephemeral_storage > 0 &&
	    exceeds(req->ephemeral_storage, alloc->ephemeral_storage, used->ephemeral_storage))
		add_reason(&r, req->ephemeral_storage > alloc->ephemeral_storage,
		           "Insufficient ephemeral-storage");
	for (size_t i = 0; i < req->n_scalars; i++) {
		const char *name = req->scalars[i].name;
		int64_t want = req->scalars[i].value;
		if (want == 0 || ignored(f, name))
			continue;
		int64_t have = k8c_podresources_scalar(alloc, name);
		if (exceeds(want, have, k8c_podresources_scalar(used, name)))
			add_reason(&r, want > have, "Insufficient %s", name);
	}
	k8c_podresources_free(&own);
	if (r.n == 0)
		return K8C_SCHED_SUCCESS;
	return r.unresolvable ? K8C_SCHED_UNRESOLVABLE : K8C_SCHED_UNSCHEDULABLE;
}

/* ------------------------------------------------------------------------
 * Score (resourceAllocationScorer)
 */

static int64_t least_requested(int64_t requested, int64_t capacity)
{
	if (capacity == 0 || requested > capacity)
		return 0;
	return (int64_t)(((__int128)capacity - requested) * MAX_NODE_SCORE / capacity);
}

static int64_t most_requested(int64_t requested, int64_t capacity)
{
	if (capacity == 0)
		return 0;
	if (requested > capacity) /* pods without requests count defaults */
		requested = capacity;
	return (int64_t)((__int128)requested * MAX_NODE_SCORE / capacity);
}

/* The broken linear function through the shape's points. */
static int64_t shape_score(const fit_t *f, int64_t p)
{
	for (size_t i = 0; i < f->n_shape; i++) {
		if (p <= f->shape[i].utilization) {
			if (i == 0)
				return f->shape[0].score;
			const shape_point_t *a = &f->shape[i - 1], *b = &f->shape[i];
			return a->score + (b->score - a->score) * (p - a->utilization) /
			                      (b->utilization - a->utilization);
		}
	}
	return f->shape[f->n_shape - 1].score;
}

static int64_t ratio_score(const fit_t *f, int64_t requested, int64_t capacity)
{
	if (capacity == 0 || requested > capacity)
		return shape_score(f, MAX_UTILIZATION);
	return shape_score(f, (int64_t)((__int128)requested * MAX_UTILIZATION / capacity));
}

static int64_t sat_add(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

/* The cpu and memory the node's pods request, counting the defaults for
 * containers that request nothing (NodeInfo.NonZeroRequested). */
static int non_zero_requested(const k8c_sched_node_t *node, int64_t *cpu, int64_t *memory)
{
	if (node->non_zero_requested != NULL) { /* the host's node cache keeps it */
		*cpu = node->non_zero_requested->milli_cpu;
		*memory = node->non_zero_requested->memory;
		return 0;
	}
	*cpu = node->requested != NULL ? node->requested->milli_cpu : 0;
	*memory = node->requested != NULL ? node->requested->memory : 0;
	if (node->n_pods == 0 || node->pods == NULL)
		return 0;
	*cpu = *memory = 0;
	for (size_t i = 0; i < node->n_pods; i++) {
		k8c_podresources_t r;
		if (k8c_podresources_from_pod(node->pods[i], K8C_PODRESOURCES_NON_ZERO, &r, NULL) <
		    0)
			return -1;
		*cpu = sat_add(*cpu, r.res.milli_cpu);
		*memory = sat_add(*memory, r.res.memory);
		k8c_podresources_free(&r);
	}
	return 0;
}

static int uses_cpu_or_memory(const fit_t *f)
{
	for (size_t i = 0; i < f->n_resources; i++)
		if (strcmp(f->resources[i].name, "cpu") == 0 ||
		    strcmp(f->resources[i].name, "memory") == 0)
			return 1;
	return 0;
}

static int fit_score(void *cookie, const k8c_sched_cycle_t *cycle, const k8c_sched_node_t *node,
                     int64_t *score)
{
	const fit_t *f = cookie;
	const fit_state_t *s = cycle->state;
	const k8c_sched_resources_t *alloc =
	    node->allocatable ? node->allocatable : &empty_resources;
	const k8c_sched_resources_t *used = node->requested ? node->requested : &empty_resources;
	int64_t local[16], *pod_req = local, nz_cpu = 0, nz_mem = 0;
	int64_t total = 0, weights = 0;

	*score = 0;
	if (s == NULL) { /* no pre_filter nor pre_score */
		if (f->n_resources > sizeof(local) / sizeof(local[0]))
			pod_req = k8c_xcalloc(f->n_resources, sizeof(int64_t));
		if (score_requests(f, cycle->pod, pod_req, NULL) < 0)
			goto error;
	} else {
		pod_req = s->score_requests;
	}
	if (uses_cpu_or_memory(f) && non_zero_requested(node, &nz_cpu, &nz_mem) < 0)
		goto error;

	for (size_t i = 0; i < f->n_resources; i++) {
		const char *name = f->resources[i].name;
		int64_t capacity, requested, weight = f->resources[i].weight, rs;
		/* A scalar resource the pod does not request is not scored. */
		if (pod_req[i] == 0 && k8c_podresources_is_scalar(name))
			continue;
		if (strcmp(name, "cpu") == 0) {
			capacity = alloc->milli_cpu;
			requested = sat_add(nz_cpu, pod_req[i]);
		} else if (strcmp(name, "memory") == 0) {
			capacity = alloc->memory;
			requested = sat_add(nz_mem, pod_req[i]);
		} else if (strcmp(name, "ephemeral-storage") == 0) {
			capacity = alloc->ephemeral_storage;
			requested = sat_add(used->ephemeral_storage, pod_req[i]);
		} else {
			const k8c_sched_scalar_t *sc = k8c_podresources_find(alloc, name);
			if (sc == NULL)
				continue;
			capacity = sc->value;
			requested = sat_add(k8c_podresources_scalar(used, name), pod_req[i]);
		}
		if (capacity == 0)
			continue;
		if (requested < 0) /* only from a confused host; keep the math sane */
			requested = 0;
		switch (f->strategy) {
		case LEAST_ALLOCATED:
			rs = least_requested(requested, capacity);
			break;
		case MOST_ALLOCATED:
			rs = most_requested(requested, capacity);
			break;
		default:
			rs = ratio_score(f, requested, capacity);
			if (rs <= 0) /* only positive scores count here */
				continue;
			break;
		}
		total += rs * weight;
		weights += weight;
	}
	if (weights > 0) {
		if (f->strategy == REQUESTED_TO_CAPACITY_RATIO) /* math.Round */
			*score = (2 * total + weights) / (2 * weights);
		else
			*score = total / weights;
	}
	if (pod_req != local && s == NULL)
		free(pod_req);
	return K8C_SCHED_SUCCESS;

error:
	if (pod_req != local && s == NULL)
		free(pod_req);
	return K8C_SCHED_ERROR;
}

static const k8c_sched_policy_ops_t ops = {
    .struct_size = sizeof(k8c_sched_policy_ops_t),
    .pre_filter = fit_pre_filter,
    .filter = fit_filter,
    .pre_score = fit_pre_score,
    .score = fit_score,
    .state_free = state_free,
};

K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
    K8C_PLUGIN_HEADER(K8C_PLUGIN_SCHEDULER),
    .name = "node-resources-fit",
    .version = PACKAGE_VERSION,
    .description = "NodeResourcesFit: filter nodes without room for the "
                   "pod's requests, score by allocation",
    .init = fit_init,
    .fini = fit_fini,
    .ops = &ops,
};
