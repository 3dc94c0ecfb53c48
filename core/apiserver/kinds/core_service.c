/* The services resource: SetDefaults_Service (and the IP family defaults
 * of the service REST storage), the strategy's clusterIP normalization
 * and type-change cleanup, ValidateService / ValidateServiceUpdate /
 * ValidateServiceStatusUpdate (in core_service_validate.c), and `kubectl
 * get services` rows.
 * Allocating clusterIPs and nodePorts is not done here. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/kind.h"
#include "apiserver/kinds/core.h"
#include "apiserver/kinds/core_internal.h"
#include "apiserver/kinds/util.h"
#include "common/mem.h"

int k8c_core_svc_external(const cJSON *spec)
{
	const char *t = k8c_core_strz(spec, "type");

	return strcmp(t, "LoadBalancer") == 0 || strcmp(t, "NodePort") == 0 ||
	       (strcmp(t, "ClusterIP") == 0 && k8c_core_count(spec, "externalIPs") > 0);
}

int k8c_core_svc_node_port(const cJSON *spec)
{
	const char *t = k8c_core_strz(spec, "type");

	return strcmp(t, "NodePort") == 0 || strcmp(t, "LoadBalancer") == 0;
}

int k8c_core_svc_health_check(const cJSON *spec)
{
	return strcmp(k8c_core_strz(spec, "type"), "LoadBalancer") == 0 &&
	       strcmp(k8c_core_strz(spec, "externalTrafficPolicy"), "Local") == 0;
}

/* isHeadlessService: clusterIPs is exactly ["None"] */
int k8c_core_svc_headless(const cJSON *spec)
{
	const cJSON *ips = k8c_core_array(spec, "clusterIPs");

	return cJSON_GetArraySize(ips) == 1 &&
	       strcmp(cJSON_IsString(ips->child) ? ips->child->valuestring : "", "None") == 0;
}

/* --- defaults ----------------------------------------------------------------------------- */

static void set_str_if_empty(cJSON *o, const char *key, const char *value)
{
	if (k8c_core_strz(o, key)[0] == '\0')
		k8c_core_set(o, key, cJSON_CreateString(value));
}

static void service_defaults(cJSON *svc)
{
	cJSON *spec = k8c_jobject(svc, "spec"), *port, *ing;
	const char *type, *aff;

	if (spec == NULL)
		return;
	set_str_if_empty(spec, "sessionAffinity", "None");
	aff = k8c_core_strz(spec, "sessionAffinity");
	if (strcmp(aff, "None") == 0)
		cJSON_DeleteItemFromObjectCaseSensitive(spec, "sessionAffinityConfig");
	else if (strcmp(aff, "ClientIP") == 0)
		k8c_jdefault_int(k8c_jobject(spec, "sessionAffinityConfig.clientIP"),
		                 "timeoutSeconds", 10800);
	set_str_if_empty(spec, "type", "ClusterIP");
	type = k8c_core_strz(spec, "type");
	cJSON_ArrayForEach(port, cJSON_GetObjectItemCaseSensitive(spec, "ports"))
	{
		const cJSON *tp = k8c_core_member(port, "targetPort");
		if (!cJSON_IsObject(port))
			continue;
		set_str_if_empty(port, "protocol", "TCP");
		if (tp == NULL || (cJSON_IsNumber(tp) && tp->valuedouble == 0) ||
		    (cJSON_IsString(tp) && tp->valuestring[0] == '\0'))
			k8c_core_set(port, "targetPort",
			             cJSON_CreateNumber((double)k8c_core_int(port, "port", 0)));
	}
	if (k8c_core_svc_external(spec))
		set_str_if_empty(spec, "externalTrafficPolicy", "Cluster");
	if (strcmp(type, "NodePort") == 0 || strcmp(type, "LoadBalancer") == 0 ||
	    strcmp(type, "ClusterIP") == 0)
		k8c_jdefault_str(spec, "internalTrafficPolicy", "Cluster");
	if (strcmp(type, "LoadBalancer") == 0) {
		k8c_jdefault_bool(spec, "allocateLoadBalancerNodePorts", 1);
		cJSON *lb = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(svc, "status"), "loadBalancer");
		cJSON_ArrayForEach(ing, cJSON_GetObjectItemCaseSensitive(lb, "ingress"))
		{
			if (k8c_core_strz(ing, "ip")[0] != '\0')
				k8c_jdefault_str(ing, "ipMode", "VIP");
		}
	}
	/* IP families, as the service storage initializes them on a single
	 * stack IPv4 cluster; ExternalName services have none */
	if (strcmp(type, "ExternalName") != 0) {
		int hl = strcmp(k8c_core_strz(spec, "clusterIP"), "None") == 0 &&
		         k8c_core_count(spec, "selector") == 0;
		cJSON *fams;
		k8c_jdefault_str(spec, "ipFamilyPolicy", hl ? "RequireDualStack" : "SingleStack");
		if (k8c_core_count(spec, "ipFamilies") == 0) {
			const char *ip = k8c_core_strz(spec, "clusterIP");
			fams = cJSON_CreateArray();
			cJSON_AddItemToArray(
			    fams, cJSON_CreateString(k8c_core_is_ipv6(ip) ? "IPv6" : "IPv4"));
			k8c_core_set(spec, "ipFamilies", fams);
		}
		fams = cJSON_GetObjectItemCaseSensitive(spec, "ipFamilies");
		if (hl && strcmp(k8c_core_strz(spec, "ipFamilyPolicy"), "SingleStack") != 0 &&
		    cJSON_GetArraySize(fams) == 1 && cJSON_IsString(fams->child))
			cJSON_AddItemToArray(
			    fams, cJSON_CreateString(strcmp(fams->child->valuestring, "IPv4") == 0
			                                 ? "IPv6"
			                                 : "IPv4"));
	}
}

/* --- strategy ---------------------------------------------------------------------------- */

int k8c_core_same_member(const cJSON *a, const cJSON *b, const char *key)
{
	return k8c_core_equal(k8c_core_member(a, key), k8c_core_member(b, key));
}

static void replace_from(cJSON *obj, const char *key, const cJSON *from)
{
	const cJSON *v = k8c_core_member(from, key);

	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	if (v != NULL)
		cJSON_AddItemToObject(obj, key, cJSON_Duplicate(v, 1));
}

/* patchAllocatedValues: keep what the old object had allocated when the
 * new one leaves it out (e.g. `kubectl replace` of a manifest). */
static void patch_allocated(cJSON *ns, const cJSON *os)
{
	if (strcmp(k8c_core_strz(ns, "type"), "ExternalName") != 0 &&
	    strcmp(k8c_core_strz(os, "type"), "ExternalName") != 0) {
		if (k8c_core_strz(ns, "clusterIP")[0] == '\0' && k8c_core_has(os, "clusterIP"))
			replace_from(ns, "clusterIP", os);
		if (k8c_core_count(ns, "clusterIPs") == 0 && k8c_core_count(os, "clusterIPs") > 0)
			replace_from(ns, "clusterIPs", os);
	}
	if (k8c_core_svc_node_port(os) && k8c_core_svc_node_port(ns)) {
		cJSON *p;
		cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(ns, "ports"))
		{
			const cJSON *op;
			long long old_np = 0;
			int used = 0;
			if (k8c_core_int(p, "nodePort", 0) != 0)
				continue;
			cJSON_ArrayForEach(
			    op,
			    k8c_core_array(os, "ports")) if (strcmp(k8c_core_strz(op, "name"),
			                                            k8c_core_strz(p, "name")) == 0)
			    old_np = k8c_core_int(op, "nodePort", 0);
			if (old_np == 0)
				continue;
			cJSON_ArrayForEach(op, cJSON_GetObjectItemCaseSensitive(ns, "ports"))
			    used |= k8c_core_int(op, "nodePort", 0) == old_np;
			if (!used)
				k8c_core_set(p, "nodePort", cJSON_CreateNumber((double)old_np));
		}
	}
	if (k8c_core_svc_health_check(os) && k8c_core_svc_health_check(ns) &&
	    k8c_core_int(ns, "healthCheckNodePort", 0) == 0)
		replace_from(ns, "healthCheckNodePort", os);
}

/* NormalizeClusterIPs for an update */
static void normalize_cluster_ips(cJSON *ns, const cJSON *os)
{
	const char *nip = k8c_core_strz(ns, "clusterIP"), *oip = k8c_core_strz(os, "clusterIP");

	if (k8c_core_count(os, "clusterIPs") > 0 && k8c_core_count(ns, "clusterIPs") == 0 &&
	    strcmp(nip, oip) == 0)
		replace_from(ns, "clusterIPs", os);
	if (strcmp(nip, oip) != 0 && k8c_core_same_member(ns, os, "clusterIPs")) {
		if (oip[0] != '\0' && nip[0] == '\0') {
			cJSON_DeleteItemFromObjectCaseSensitive(ns, "clusterIPs");
		} else {
			cJSON *a = cJSON_CreateArray();
			cJSON_AddItemToArray(a, cJSON_CreateString(nip));
			k8c_core_set(ns, "clusterIPs", a);
		}
	}
}

/* dropTypeDependentFields */
static void drop_type_dependent(cJSON *ns, const cJSON *os)
{
	const char *nt = k8c_core_strz(ns, "type"), *ot = k8c_core_strz(os, "type");
	cJSON *p;
	int same_np = 1;
	const cJSON *op;

	if (strcmp(nt, ot) == 0)
		return;
	if (strcmp(ot, "ExternalName") != 0 && strcmp(nt, "ExternalName") == 0) {
		if (k8c_core_same_member(ns, os, "clusterIP") &&
		    k8c_core_same_member(ns, os, "clusterIPs")) {
			cJSON_DeleteItemFromObjectCaseSensitive(ns, "clusterIP");
			cJSON_DeleteItemFromObjectCaseSensitive(ns, "clusterIPs");
		}
		if (k8c_core_same_member(ns, os, "ipFamilies"))
			cJSON_DeleteItemFromObjectCaseSensitive(ns, "ipFamilies");
		if (k8c_core_same_member(ns, os, "ipFamilyPolicy"))
			cJSON_DeleteItemFromObjectCaseSensitive(ns, "ipFamilyPolicy");
	}
	if (cJSON_GetArraySize(k8c_core_array(ns, "ports")) !=
	    cJSON_GetArraySize(k8c_core_array(os, "ports")))
		same_np = 0;
	op = k8c_core_array(os, "ports") ? k8c_core_array(os, "ports")->child : NULL;
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(ns, "ports"))
	{
		if (op == NULL || k8c_core_int(p, "nodePort", 0) != k8c_core_int(op, "nodePort", 0))
			same_np = 0;
		op = op ? op->next : NULL;
	}
	if (k8c_core_svc_node_port(os) && !k8c_core_svc_node_port(ns) && same_np)
		cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(ns, "ports"))
		    cJSON_DeleteItemFromObjectCaseSensitive(p, "nodePort");
	if (k8c_core_svc_health_check(os) && !k8c_core_svc_health_check(ns) &&
	    k8c_core_same_member(ns, os, "healthCheckNodePort"))
		cJSON_DeleteItemFromObjectCaseSensitive(ns, "healthCheckNodePort");
	if (strcmp(nt, "LoadBalancer") != 0) {
		if (k8c_core_same_member(ns, os, "allocateLoadBalancerNodePorts"))
			cJSON_DeleteItemFromObjectCaseSensitive(ns,
			                                        "allocateLoadBalancerNodePorts");
		if (k8c_core_same_member(ns, os, "loadBalancerClass"))
			cJSON_DeleteItemFromObjectCaseSensitive(ns, "loadBalancerClass");
	}
	if (!k8c_core_svc_external(ns) && k8c_core_same_member(ns, os, "externalTrafficPolicy"))
		cJSON_DeleteItemFromObjectCaseSensitive(ns, "externalTrafficPolicy");
}

static void service_prepare(int op, cJSON *svc, const cJSON *old)
{
	cJSON *spec = cJSON_GetObjectItemCaseSensitive(svc, "spec");
	const cJSON *os = k8c_core_object(old, "spec");

	if (op == K8C_OP_CREATE) {
		cJSON *st = cJSON_CreateObject();
		cJSON_AddObjectToObject(st, "loadBalancer");
		k8c_core_set(svc, "status", st);
		if (cJSON_IsObject(spec) && k8c_core_strz(spec, "clusterIP")[0] != '\0' &&
		    k8c_core_count(spec, "clusterIPs") == 0) {
			cJSON *a = cJSON_CreateArray();
			cJSON_AddItemToArray(a,
			                     cJSON_CreateString(k8c_core_strz(spec, "clusterIP")));
			k8c_core_set(spec, "clusterIPs", a);
		}
	} else if (op == K8C_OP_UPDATE && cJSON_IsObject(spec) && os != NULL) {
		patch_allocated(spec, os);
		normalize_cluster_ips(spec, os);
		drop_type_dependent(spec, os);
	}
}

/* --- Table --------------------------------------------------------------------------------- */

static const k8c_table_column_t service_columns[] = {
    {"Name", "string", "name", "Name of the service, unique within its namespace.", 0},
    {"Type", "string", "", "How the service is exposed.", 0},
    {"Cluster-IP", "string", "", "The service's virtual IP in the cluster.", 0},
    {"External-IP", "string", "", "Addresses the service is reachable at from outside.", 0},
    {"Port(s)", "string", "", "Service ports, with node ports, and protocols.", 0},
    {"Age", "string", "", "Time since the service was created.", 0},
    {"Selector", "string", "", "Labels of the pods the service routes to.", 1},
};

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void service_row(const cJSON *svc, cJSON *cells, long long now_s)
{
	const cJSON *spec = k8c_core_object(svc, "spec"), *it;
	const char *type = k8c_core_strz(spec, "type");
	const cJSON *ingress = k8c_core_array(
	    k8c_core_object(k8c_core_object(svc, "status"), "loadBalancer"), "ingress");
	size_t cap = 256, len = 0;
	_cleanup_free_ char *out = k8c_xmalloc(cap);
	_cleanup_free_ char *sel = NULL;
	const cJSON *ip0 = cJSON_GetArrayItem(k8c_core_array(spec, "clusterIPs"), 0);
	const char *first = cJSON_IsString(ip0) ? ip0->valuestring : NULL;

#define APPEND(...)                                                                                \
	do {                                                                                       \
		_cleanup_free_ char *piece_ = k8c_xasprintf(__VA_ARGS__);                          \
		size_t n_ = strlen(piece_);                                                        \
		while (len + n_ + 1 > cap)                                                         \
			out = k8c_xrealloc(out, cap *= 2);                                         \
		memcpy(out + len, piece_, n_ + 1);                                                 \
		len += n_;                                                                         \
	} while (0)

	k8c_core_cell_str(cells, k8c_core_strz(k8c_core_object(svc, "metadata"), "name"));
	k8c_core_cell_str(cells, type);
	k8c_core_cell_str(cells, first ? first : "<none>");
	out[0] = '\0';
	if (strcmp(type, "ClusterIP") == 0 || strcmp(type, "NodePort") == 0) {
		cJSON_ArrayForEach(it, k8c_core_array(spec, "externalIPs"))
		    APPEND("%s%s", len ? "," : "", cJSON_IsString(it) ? it->valuestring : "");
		if (len == 0)
			APPEND("<none>");
	} else if (strcmp(type, "LoadBalancer") == 0) {
		int n = cJSON_GetArraySize(ingress), k = 0;
		_cleanup_free_ const char **lb = k8c_xcalloc((size_t)n + 1, sizeof(*lb));
		cJSON_ArrayForEach(it, ingress)
		{
			const char *v = k8c_core_strz(it, "ip")[0] ? k8c_core_strz(it, "ip")
			                                           : k8c_core_strz(it, "hostname");
			int dup = 0;
			if (v[0] == '\0')
				continue;
			for (int j = 0; j < k; j++)
				dup |= strcmp(lb[j], v) == 0;
			if (!dup)
				lb[k++] = v;
		}
		qsort(lb, (size_t)k, sizeof(*lb), cmp_strp);
		for (int j = 0; j < k; j++)
			APPEND("%s%s", len ? "," : "", lb[j]);
		cJSON_ArrayForEach(it, k8c_core_array(spec, "externalIPs"))
		    APPEND("%s%s", len ? "," : "", cJSON_IsString(it) ? it->valuestring : "");
		if (len == 0)
			APPEND("<pending>");
	} else if (strcmp(type, "ExternalName") == 0) {
		APPEND("%s", k8c_core_strz(spec, "externalName"));
	} else {
		APPEND("<unknown>");
	}
	k8c_core_cell_str(cells, out);
	len = 0;
	out[0] = '\0';
	cJSON_ArrayForEach(it, k8c_core_array(spec, "ports"))
	{
		long long np = k8c_core_int(it, "nodePort", 0);
		if (np > 0)
			APPEND("%s%lld:%lld/%s", len ? "," : "", k8c_core_int(it, "port", 0), np,
			       k8c_core_strz(it, "protocol"));
		else
			APPEND("%s%lld/%s", len ? "," : "", k8c_core_int(it, "port", 0),
			       k8c_core_strz(it, "protocol"));
	}
	k8c_core_cell_str(cells, len ? out : "<none>");
	k8c_core_cell_age(cells, svc, now_s);
	sel = k8c_core_format_labels(k8c_core_object(spec, "selector"));
	k8c_core_cell_str(cells, sel);
#undef APPEND
}

static const char *const service_fields[] = {"spec.clusterIP", "spec.type", NULL};
static const char *const service_short[] = {"svc", NULL};
static const char *const service_categories[] = {"all", NULL};

const k8c_kind_t k8c_kind_services = {
    .group = "",
    .version = "v1",
    .resource = "services",
    .singular = "service",
    .kind = "Service",
    .namespaced = 1,
    .short_names = service_short,
    .categories = service_categories,
    .verbs = K8C_VERBS_ALL,
    .subresources = K8C_SUB_STATUS,
    .schema_type = "io.k8s.api.core.v1.Service",
    .has_status = 1,
    .has_generation = 0,
    .defaults = service_defaults,
    .prepare = service_prepare,
    .validate = k8c_core_service_validate,
    .columns = service_columns,
    .n_columns = sizeof(service_columns) / sizeof(service_columns[0]),
    .row = service_row,
    .field_selectors = service_fields,
	.validates_name = 1,
};
