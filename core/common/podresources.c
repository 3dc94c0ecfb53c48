/* Pod requests and node allocatable as kube-scheduler computes them: the
 * lists are aggregated exactly as quantities (component-helpers'
 * PodRequests), then converted once to millicores / bytes / units
 * (the framework's Resource.SetMaxResource and Resource.Add). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/mem.h"
#include "common/names.h"
#include "common/podresources.h"
#include "common/quantity.h"

/* ------------------------------------------------------------------------
 * A resource list: name -> quantity.  Names are borrowed from the JSON
 * being read, which outlives the list.
 */

typedef struct rentry {
	const char *name;
	k8c_quantity_t q;
} rentry_t;

typedef struct rlist {
	rentry_t *v;
	size_t n, cap;
} rlist_t;

static void rlist_free(rlist_t *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

static rentry_t *rlist_find(const rlist_t *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return &l->v[i];
	return NULL;
}

static void rlist_set(rlist_t *l, const char *name, const k8c_quantity_t *q)
{
	rentry_t *e = rlist_find(l, name);

	if (e == NULL) {
		if (l->n == l->cap) {
			l->cap = l->cap ? l->cap * 2 : 8;
			l->v = k8c_xrealloc(l->v, l->cap * sizeof(*l->v));
		}
		e = &l->v[l->n++];
		e->name = name;
	}
	e->q = *q;
}

static void rlist_copy(rlist_t *dst, const rlist_t *src)
{
	dst->n = 0;
	for (size_t i = 0; i < src->n; i++)
		rlist_set(dst, src->v[i].name, &src->v[i].q);
}

/* dst[name] += src[name] for every name of src (addResourceList). */
static int rlist_add(rlist_t *dst, const rlist_t *src, const char *what, k8c_error_t *err)
{
	for (size_t i = 0; i < src->n; i++) {
		rentry_t *e = rlist_find(dst, src->v[i].name);
		if (e == NULL) {
			rlist_set(dst, src->v[i].name, &src->v[i].q);
		} else if (k8c_quantity_add(&e->q, &src->v[i].q, err) < 0) {
			return k8c_error_make(err, K8C_ETOOLARGE,
			                      "%s: sum of %s requests overflows", what,
			                      src->v[i].name);
		}
	}
	return 0;
}

/* dst[name] = max(dst[name], src[name]) (maxResourceList). */
static void rlist_max(rlist_t *dst, const rlist_t *src)
{
	for (size_t i = 0; i < src->n; i++) {
		rentry_t *e = rlist_find(dst, src->v[i].name);
		if (e == NULL || k8c_quantity_cmp(&src->v[i].q, &e->q) > 0)
			rlist_set(dst, src->v[i].name, &src->v[i].q);
	}
}

/* Read a ResourceList object into l (replacing equal names: the last
 * duplicate key wins, as with Go maps).  NULL and null are empty. */
static int rlist_read(rlist_t *l, const cJSON *obj, const char *path, k8c_error_t *err)
{
	const cJSON *it;

	if (obj == NULL || cJSON_IsNull(obj))
		return 0;
	if (!cJSON_IsObject(obj))
		return k8c_error_make(err, K8C_EINVAL, "%s: must be an object", path);
	cJSON_ArrayForEach(it, obj)
	{
		k8c_quantity_t q;
		k8c_error_t qerr;
		int ret = k8c_quantity_from_json(it, &q, &qerr);
		if (ret < 0)
			return k8c_error_make(err, -ret, "%s.%s: %s", path, it->string,
			                      qerr.message);
		rlist_set(l, it->string, &q);
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Resource names
 */

static int has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int k8c_podresources_is_extended(const char *name)
{
	char quota[512];

	/* Native: unprefixed, or in the kubernetes.io/ namespace. */
	if (strchr(name, '/') == NULL || strstr(name, "kubernetes.io/") != NULL)
		return 0;
	/* "requests." would clash with quota names, and the quota name
	 * "requests.<name>" must be a qualified name. */
	if (has_prefix(name, "requests."))
		return 0;
	if (snprintf(quota, sizeof(quota), "requests.%s", name) >= (int)sizeof(quota))
		return 0;
	return k8c_is_qualified_name(quota, NULL, 0);
}

int k8c_podresources_is_scalar(const char *name)
{
	return k8c_podresources_is_extended(name) || has_prefix(name, "hugepages-") ||
	       strstr(name, "kubernetes.io/") != NULL || has_prefix(name, "attachable-volumes-");
}

/* ------------------------------------------------------------------------
 * The owned result
 */

void k8c_podresources_free(k8c_podresources_t *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->res.n_scalars; i++)
		free((char *)r->res.scalars[i].name);
	free((void *)r->res.scalars);
	memset(r, 0, sizeof(*r));
}

const k8c_sched_scalar_t *k8c_podresources_find(const k8c_sched_resources_t *r, const char *name)
{
	if (r == NULL)
		return NULL;
	for (size_t i = 0; i < r->n_scalars; i++)
		if (strcmp(r->scalars[i].name, name) == 0)
			return &r->scalars[i];
	return NULL;
}

int64_t k8c_podresources_scalar(const k8c_sched_resources_t *r, const char *name)
{
	const k8c_sched_scalar_t *s = k8c_podresources_find(r, name);

	return s != NULL ? s->value : 0;
}

/* The scalar named name in r, added (value 0, sorted in) when missing. */
static k8c_sched_scalar_t *scalar_slot(k8c_podresources_t *r, const char *name)
{
	k8c_sched_scalar_t *v = (k8c_sched_scalar_t *)r->res.scalars;
	size_t i = 0, n = r->res.n_scalars;

	while (i < n && strcmp(v[i].name, name) < 0)
		i++;
	if (i < n && strcmp(v[i].name, name) == 0)
		return &v[i];
	if (n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 4;
		v = k8c_xrealloc(v, r->cap * sizeof(*v));
		r->res.scalars = v;
	}
	memmove(&v[i + 1], &v[i], (n - i) * sizeof(*v));
	v[i].name = k8c_xstrdup(name);
	v[i].value = 0;
	r->res.n_scalars++;
	return &v[i];
}

static int64_t sat_add(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

void k8c_podresources_add(k8c_podresources_t *acc, const k8c_sched_resources_t *add)
{
	acc->res.milli_cpu = sat_add(acc->res.milli_cpu, add->milli_cpu);
	acc->res.memory = sat_add(acc->res.memory, add->memory);
	acc->res.ephemeral_storage = sat_add(acc->res.ephemeral_storage, add->ephemeral_storage);
	acc->res.pods = sat_add(acc->res.pods, add->pods);
	for (size_t i = 0; i < add->n_scalars; i++) {
		k8c_sched_scalar_t *s = scalar_slot(acc, add->scalars[i].name);
		s->value = sat_add(s->value, add->scalars[i].value);
	}
}

static int64_t at_least_zero(int64_t v)
{
	return v > 0 ? v : 0;
}

/* Resource.SetMaxResource on an empty Resource: negative amounts are 0,
 * names that are neither cpu, memory, ephemeral-storage nor scalar are
 * dropped. */
static void convert_requests(const rlist_t *l, k8c_podresources_t *out)
{
	for (size_t i = 0; i < l->n; i++) {
		const char *name = l->v[i].name;
		const k8c_quantity_t *q = &l->v[i].q;
		if (strcmp(name, "cpu") == 0)
			out->res.milli_cpu = at_least_zero(k8c_quantity_milli(q));
		else if (strcmp(name, "memory") == 0)
			out->res.memory = at_least_zero(k8c_quantity_value(q));
		else if (strcmp(name, "ephemeral-storage") == 0)
			out->res.ephemeral_storage = at_least_zero(k8c_quantity_value(q));
		else if (k8c_podresources_is_scalar(name))
			scalar_slot(out, name)->value = at_least_zero(k8c_quantity_value(q));
	}
}

/* ------------------------------------------------------------------------
 * Pods
 */

/* One container's requests into *l: requests, limits for resources it does
 * not request, and the non-zero defaults when asked. */
static int container_requests(const cJSON *c, const char *path, unsigned flags, rlist_t *l,
                              k8c_error_t *err)
{
	static const k8c_quantity_t default_cpu = {K8C_PODRESOURCES_DEFAULT_MILLI_CPU, -3,
	                                           K8C_QUANTITY_DECIMAL_SI};
	static const k8c_quantity_t default_memory = {K8C_PODRESOURCES_DEFAULT_MEMORY, 0,
	                                              K8C_QUANTITY_DECIMAL_SI};
	const cJSON *res = cJSON_GetObjectItemCaseSensitive(c, "resources");
	rlist_t limits = {NULL, 0, 0};
	char sub[128];
	int ret;

	l->n = 0;
	if (!cJSON_IsObject(c))
		return k8c_error_make(err, K8C_EINVAL, "%s: must be an object", path);
	if (res != NULL && !cJSON_IsNull(res) && !cJSON_IsObject(res))
		return k8c_error_make(err, K8C_EINVAL, "%s.resources: must be an object", path);
	snprintf(sub, sizeof(sub), "%s.resources.requests", path);
	ret = rlist_read(l, cJSON_GetObjectItemCaseSensitive(res, "requests"), sub, err);
	if (ret < 0)
		return ret;
	snprintf(sub, sizeof(sub), "%s.resources.limits", path);
	ret = rlist_read(&limits, cJSON_GetObjectItemCaseSensitive(res, "limits"), sub, err);
	for (size_t i = 0; ret == 0 && i < limits.n; i++)
		if (rlist_find(l, limits.v[i].name) == NULL)
			rlist_set(l, limits.v[i].name, &limits.v[i].q);
	rlist_free(&limits);
	if (ret < 0)
		return ret;
	if (flags & K8C_PODRESOURCES_NON_ZERO) {
		if (rlist_find(l, "cpu") == NULL)
			rlist_set(l, "cpu", &default_cpu);
		if (rlist_find(l, "memory") == NULL)
			rlist_set(l, "memory", &default_memory);
	}
	return 0;
}

static int is_sidecar(const cJSON *c)
{
	const cJSON *rp = cJSON_GetObjectItemCaseSensitive(c, "restartPolicy");

	return cJSON_IsString(rp) && strcmp(rp->valuestring, "Always") == 0;
}

static int is_pod_level_resource(const char *name)
{
	return strcmp(name, "cpu") == 0 || strcmp(name, "memory") == 0 ||
	       has_prefix(name, "hugepages-");
}

static const cJSON *array_of(const cJSON *spec, const char *key, k8c_error_t *err, int *ret)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(spec, key);

	*ret = 0;
	if (a == NULL || cJSON_IsNull(a))
		return NULL;
	if (!cJSON_IsArray(a)) {
		*ret = k8c_error_make(err, K8C_EINVAL, "spec.%s: must be an array", key);
		return NULL;
	}
	return a;
}

/* The aggregation of component-helpers' PodRequests into *reqs. */
static int pod_requests(const cJSON *spec, unsigned flags, rlist_t *reqs, rlist_t *tmp,
                        k8c_error_t *err)
{
	rlist_t sidecars = {NULL, 0, 0}, init = {NULL, 0, 0}, need = {NULL, 0, 0};
	const cJSON *list, *c;
	char path[64];
	int ret, i = 0;

	list = array_of(spec, "containers", err, &ret);
	cJSON_ArrayForEach(c, list)
	{
		snprintf(path, sizeof(path), "spec.containers[%d]", i++);
		ret = container_requests(c, path, flags, tmp, err);
		if (ret == 0)
			ret = rlist_add(reqs, tmp, path, err);
		if (ret < 0)
			goto out;
	}
	if (ret < 0)
		goto out;

	/* While init container i runs, it needs its own requests plus the
	 * sidecars (restartPolicy Always) started before it; sidecars then
	 * keep running next to the containers. */
	i = 0;
	list = array_of(spec, "initContainers", err, &ret);
	cJSON_ArrayForEach(c, list)
	{
		snprintf(path, sizeof(path), "spec.initContainers[%d]", i++);
		ret = container_requests(c, path, flags, tmp, err);
		if (ret < 0)
			goto out;
		if (is_sidecar(c)) {
			ret = rlist_add(reqs, tmp, path, err);
			if (ret == 0)
				ret = rlist_add(&sidecars, tmp, path, err);
			rlist_copy(&need, &sidecars);
		} else {
			rlist_copy(&need, tmp);
			ret = rlist_add(&need, &sidecars, path, err);
		}
		if (ret < 0)
			goto out;
		rlist_max(&init, &need);
	}
	if (ret < 0)
		goto out;
	rlist_max(reqs, &init);

	/* Pod-level requests win for the resources they support. */
	const cJSON *res = cJSON_GetObjectItemCaseSensitive(spec, "resources");
	if (!(flags & K8C_PODRESOURCES_NO_POD_LEVEL) && cJSON_IsObject(res)) {
		tmp->n = 0;
		ret = rlist_read(tmp, cJSON_GetObjectItemCaseSensitive(res, "requests"),
		                 "spec.resources.requests", err);
		if (ret < 0)
			goto out;
		for (size_t k = 0; k < tmp->n; k++)
			if (is_pod_level_resource(tmp->v[k].name))
				rlist_set(reqs, tmp->v[k].name, &tmp->v[k].q);
	}

	tmp->n = 0;
	ret = rlist_read(tmp, cJSON_GetObjectItemCaseSensitive(spec, "overhead"), "spec.overhead",
	                 err);
	if (ret == 0)
		ret = rlist_add(reqs, tmp, "spec.overhead", err);
out:
	rlist_free(&sidecars);
	rlist_free(&init);
	rlist_free(&need);
	return ret;
}

int k8c_podresources_from_pod(const cJSON *pod, unsigned flags, k8c_podresources_t *out,
                              k8c_error_t *err)
{
	rlist_t reqs = {NULL, 0, 0}, tmp = {NULL, 0, 0};
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(pod, "spec");
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(pod))
		return k8c_error_make(err, K8C_EINVAL, "pod must be an object");
	if (spec != NULL && !cJSON_IsNull(spec) && !cJSON_IsObject(spec))
		return k8c_error_make(err, K8C_EINVAL, "spec: must be an object");
	if (cJSON_IsObject(spec))
		ret = pod_requests(spec, flags, &reqs, &tmp, err);
	if (ret == 0) {
		convert_requests(&reqs, out);
		out->res.pods = 1;
	}
	rlist_free(&reqs);
	rlist_free(&tmp);
	return ret;
}

/* ------------------------------------------------------------------------
 * Nodes
 */

static int from_list(const cJSON *list, const char *path, k8c_podresources_t *out, k8c_error_t *err)
{
	rlist_t l = {NULL, 0, 0};
	int ret;

	memset(out, 0, sizeof(*out));
	ret = rlist_read(&l, list, path, err);
	for (size_t i = 0; ret == 0 && i < l.n; i++) {
		const char *name = l.v[i].name;
		const k8c_quantity_t *q = &l.v[i].q;
		if (strcmp(name, "cpu") == 0)
			out->res.milli_cpu = k8c_quantity_milli(q);
		else if (strcmp(name, "memory") == 0)
			out->res.memory = k8c_quantity_value(q);
		else if (strcmp(name, "ephemeral-storage") == 0)
			out->res.ephemeral_storage = k8c_quantity_value(q);
		else if (strcmp(name, "pods") == 0)
			out->res.pods = k8c_quantity_value(q);
		else if (k8c_podresources_is_scalar(name))
			scalar_slot(out, name)->value = k8c_quantity_value(q);
	}
	rlist_free(&l);
	if (ret < 0)
		k8c_podresources_free(out);
	return ret;
}

int k8c_podresources_from_node(const cJSON *node, k8c_podresources_t *out, k8c_error_t *err)
{
	const cJSON *status = cJSON_GetObjectItemCaseSensitive(node, "status");

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(node))
		return k8c_error_make(err, K8C_EINVAL, "node must be an object");
	return from_list(cJSON_GetObjectItemCaseSensitive(status, "allocatable"),
	                 "status.allocatable", out, err);
}

int k8c_podresources_from_list(const cJSON *list, k8c_podresources_t *out, k8c_error_t *err)
{
	return from_list(list, "resource list", out, err);
}
