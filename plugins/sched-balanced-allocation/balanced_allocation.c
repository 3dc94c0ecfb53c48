/* Scheduler policy "balanced-allocation": kube-scheduler's
 * NodeResourcesBalancedAllocation.
 *
 * score favours the nodes whose resources would be used in the most even
 * proportions once the pod is there.  For each configured resource the
 * fraction (requested on the node + the pod's request) / allocatable is
 * taken, capped at 1; the score is (1 - std) * 100, truncated, where std
 * is the standard deviation of the fractions (|a - b| / 2 for two, 0 for
 * one).  A resource the node has none of (allocatable 0 or absent) is left
 * out, and so is a scalar resource ("nvidia.com/gpu") the pod does not
 * request.
 *
 * Requests are the real ones, without the scheduler's 100m / 200Mi
 * defaults for containers that request nothing: node->requested plus the
 * pod's cycle->requests.  kube-scheduler's BalancedAllocation has counted
 * this way (useRequested) since 1.22; only NodeResourcesFit's scoring uses
 * the "non-zero" requests.  Kubernetes 1.33 later made PreScore skip
 * best-effort pods (all requests zero); 1.32 scores them, and so do we.
 *
 * Config (Kubernetes' NodeResourcesBalancedAllocationArgs):
 *   resources: [{name, weight}]   default cpu and memory; weight must be 1
 *                                 (0 or absent means 1), names unique.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/plugin.h>
#include <k8c/scheduler.h>

#include "common/mem.h"
#include "common/podresources.h"

enum res_kind { RES_CPU, RES_MEMORY, RES_EPHEMERAL_STORAGE, RES_OTHER };

typedef struct resource {
	char *name; /* owned */
	enum res_kind kind;
	int scalar; /* k8c_podresources_is_scalar(name) */
} resource_t;

typedef struct balanced {
	const k8c_host_t *host; /* borrowed, valid until fini */
	resource_t *resources;  /* owned array of n_resources */
	size_t n_resources;
} balanced_t;

/* cycle->state: the pod's request for each configured resource, in the
 * order of balanced_t.resources.  Owned by the cycle (state_free). */
typedef struct ba_state {
	size_t n;               /* n_resources */
	int64_t pod_requests[]; /* n entries */
} ba_state_t;

/* ------------------------------------------------------------------------
 * Configuration
 */

static void balanced_free(balanced_t *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; i < b->n_resources; i++)
		free(b->resources[i].name);
	free(b->resources);
	free(b);
}

static void add_resource(balanced_t *b, const char *name)
{
	resource_t *r = &b->resources[b->n_resources++];

	r->name = k8c_xstrdup(name);
	r->kind = strcmp(name, "cpu") == 0                 ? RES_CPU
	          : strcmp(name, "memory") == 0            ? RES_MEMORY
	          : strcmp(name, "ephemeral-storage") == 0 ? RES_EPHEMERAL_STORAGE
	                                                   : RES_OTHER;
	r->scalar = k8c_podresources_is_scalar(name);
}

static int parse_resource(balanced_t *b, const cJSON *it, size_t i, k8c_error_t *err)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "name");
	const cJSON *weight = cJSON_GetObjectItemCaseSensitive(it, "weight");
	const cJSON *m;

	if (!cJSON_IsObject(it))
		return k8c_error_make(err, K8C_EINVAL, "resources[%zu]: must be an object", i);
	if (!cJSON_IsString(name) || name->valuestring[0] == '\0')
		return k8c_error_make(err, K8C_EINVAL,
		                      "resources[%zu].name: must be a non-empty string", i);
	/* Defaulting turns an unset or zero weight into 1; validation then
	 * wants exactly 1: the scorer does not weigh resources. */
	if (weight != NULL && !cJSON_IsNull(weight) &&
	    (!cJSON_IsNumber(weight) || (weight->valuedouble != 0 && weight->valuedouble != 1)))
		return k8c_error_make(err, K8C_EINVAL, "resources[%zu].weight: must be 1", i);
	for (size_t j = 0; j < b->n_resources; j++)
		if (strcmp(b->resources[j].name, name->valuestring) == 0)
			return k8c_error_make(err, K8C_EINVAL,
			                      "resources[%zu].name: Duplicate value: \"%s\"", i,
			                      name->valuestring);
	cJSON_ArrayForEach(m, it)
	{
		if (strcmp(m->string, "name") != 0 && strcmp(m->string, "weight") != 0)
			b->host->log(b->host->ctx, K8C_LOG_WARN,
			             "config: ignoring unknown field resources[].%s", m->string);
	}
	add_resource(b, name->valuestring);
	return 0;
}

static int parse_config(balanced_t *b, const cJSON *config, k8c_error_t *err)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(config, "resources"), *it;
	size_t i = 0;

	cJSON_ArrayForEach(it, config)
	{
		if (strcmp(it->string, "resources") != 0 && strcmp(it->string, "apiVersion") != 0 &&
		    strcmp(it->string, "kind") != 0)
			b->host->log(b->host->ctx, K8C_LOG_WARN,
			             "config: ignoring unknown field %s", it->string);
	}
	if (arr != NULL && !cJSON_IsNull(arr) && !cJSON_IsArray(arr))
		return k8c_error_make(err, K8C_EINVAL, "resources: must be a list");
	if (cJSON_GetArraySize(arr) == 0) { /* Kubernetes' default */
		b->resources = k8c_xcalloc(2, sizeof(*b->resources));
		add_resource(b, "cpu");
		add_resource(b, "memory");
		return 0;
	}
	b->resources = k8c_xcalloc((size_t)cJSON_GetArraySize(arr), sizeof(*b->resources));
	cJSON_ArrayForEach(it, arr)
	{
		int ret = parse_resource(b, it, i++, err);

		if (ret < 0)
			return ret;
	}
	return 0;
}

static int init(const k8c_host_t *host, const cJSON *config, void **cookie, k8c_error_t *err)
{
	balanced_t *b = k8c_xcalloc(1, sizeof(*b));
	int ret = 0;

	b->host = host;
	if (config != NULL && !cJSON_IsObject(config))
		ret = k8c_error_make(err, K8C_EINVAL, "config: must be an object");
	if (ret == 0)
		ret = parse_config(b, config, err);
	if (ret < 0) {
		balanced_free(b);
		return ret;
	}
	host->log(host->ctx, K8C_LOG_INFO, "balancing %zu resources (first %s)", b->n_resources,
	          b->resources[0].name);
	*cookie = b;
	return 0;
}

static void fini(void *cookie)
{
	balanced_free(cookie);
}

/* ------------------------------------------------------------------------
 * Cycle state
 */

static void state_free(void *cookie, void *state)
{
	(void)cookie;
	free(state);
}

static int64_t amount(const k8c_sched_resources_t *r, const resource_t *res)
{
	switch (res->kind) {
	case RES_CPU:
		return r->milli_cpu;
	case RES_MEMORY:
		return r->memory;
	case RES_EPHEMERAL_STORAGE:
		return r->ephemeral_storage;
	default:
		return k8c_podresources_scalar(r, res->name);
	}
}

/* The pod's request per configured resource, into a new state (caller
 * frees).  NULL with *err filled when the pod's resources do not parse. */
static ba_state_t *make_state(const balanced_t *b, const k8c_sched_cycle_t *cycle, k8c_error_t *err)
{
	k8c_podresources_t own = K8C_PODRESOURCES_INIT;
	const k8c_sched_resources_t *req = cycle->requests;
	ba_state_t *s;

	if (req == NULL) { /* the host computed none: do it here */
		if (k8c_podresources_from_pod(cycle->pod, 0, &own, err) < 0)
			return NULL;
		req = &own.res;
	}
	s = k8c_xcalloc(1, sizeof(*s) + b->n_resources * sizeof(int64_t));
	s->n = b->n_resources;
	for (size_t i = 0; i < b->n_resources; i++)
		s->pod_requests[i] = amount(req, &b->resources[i]);
	k8c_podresources_free(&own);
	return s;
}

static int pre_score(void *cookie, k8c_sched_cycle_t *cycle, const k8c_sched_node_t *const *nodes,
                     size_t n_nodes)
{
	const balanced_t *b = cookie;
	k8c_error_t err;
	ba_state_t *s;

	(void)nodes;
	(void)n_nodes;
	s = make_state(b, cycle, &err);
	if (s == NULL) {
		b->host->log(b->host->ctx, K8C_LOG_DEBUG, "invalid resource requests: %s",
		             err.message);
		return K8C_SCHED_ERROR;
	}
	if (cycle->state != NULL)
		state_free(NULL, cycle->state);
	cycle->state = s;
	return K8C_SCHED_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Score (balancedResourceScorer)
 */

static const k8c_sched_resources_t empty_resources;

static int64_t sat_add(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

/* The fraction of resource i the node would have in use with the pod,
 * capped at 1.  0 when the resource is left out of the score. */
static int fraction(const resource_t *res, const k8c_sched_node_t *node, int64_t pod_request,
                    double *out)
{
	const k8c_sched_resources_t *alloc =
	    node->allocatable ? node->allocatable : &empty_resources;
	const k8c_sched_resources_t *used = node->requested ? node->requested : &empty_resources;
	int64_t capacity;

	if (pod_request == 0 && res->scalar)
		return 0;
	if (res->kind == RES_OTHER) {
		const k8c_sched_scalar_t *sc = k8c_podresources_find(alloc, res->name);

		if (sc == NULL)
			return 0;
		capacity = sc->value;
	} else {
		capacity = amount(alloc, res);
	}
	if (capacity == 0)
		return 0;
	*out = (double)sat_add(amount(used, res), pod_request) / (double)capacity;
	if (*out > 1)
		*out = 1;
	return 1;
}

static int score(void *cookie, const k8c_sched_cycle_t *cycle, const k8c_sched_node_t *node,
                 int64_t *out)
{
	const balanced_t *b = cookie;
	const ba_state_t *s = cycle->state;
	ba_state_t *own = NULL;
	double f, first = 0, total = 0, std = 0;
	size_t n = 0;

	*out = 0;
	if (s == NULL) { /* no pre_score */
		s = own = make_state(b, cycle, NULL);
		if (s == NULL)
			return K8C_SCHED_ERROR;
	}
	/* Two passes over the resources (the same doubles both times) instead
	 * of an array of fractions: no allocation per node. */
	for (size_t i = 0; i < b->n_resources; i++) {
		if (!fraction(&b->resources[i], node, s->pod_requests[i], &f))
			continue;
		if (n++ == 0)
			first = f;
		else if (n == 2)
			std = fabs((first - f) / 2);
		total += f;
	}
	if (n > 2) {
		double mean = total / (double)n, sum = 0;

		for (size_t i = 0; i < b->n_resources; i++)
			if (fraction(&b->resources[i], node, s->pod_requests[i], &f))
				sum = sum + (f - mean) * (f - mean);
		std = sqrt(sum / (double)n);
	}
	free(own);
	*out = (int64_t)((1 - std) * (double)K8C_SCHED_MAX_SCORE);
	return K8C_SCHED_SUCCESS;
}

static const k8c_sched_policy_ops_t ops = {
    .struct_size = sizeof(k8c_sched_policy_ops_t),
    .pre_score = pre_score,
    .score = score,
    .state_free = state_free,
};

K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
    K8C_PLUGIN_HEADER(K8C_PLUGIN_SCHEDULER),
    .name = "balanced-allocation",
    .version = PACKAGE_VERSION,
    .description = "favour nodes with even use of their resources "
                   "(kube-scheduler NodeResourcesBalancedAllocation)",
    .init = init,
    .fini = fini,
    .ops = &ops,
};
