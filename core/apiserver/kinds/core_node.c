/* The nodes resource: allocatable defaulted from capacity
 * (SetDefaults_NodeStatus), ValidateNode / ValidateNodeUpdate (taints, pod
 * CIDRs, provider ID, resource quantities), `kubectl get nodes` rows and
 * the spec.unschedulable field selector. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/kind.h"
#include "apiserver/kinds/core.h"
#include "apiserver/kinds/core_internal.h"
#include "apiserver/kinds/util.h"
#include "common/mem.h"
#include "common/names.h"

static void node_defaults(cJSON *node)
{
	static const char *const info[] = {"architecture",
	                                   "bootID",
	                                   "containerRuntimeVersion",
	                                   "kernelVersion",
	                                   "kubeProxyVersion",
	                                   "kubeletVersion",
	                                   "machineID",
	                                   "operatingSystem",
	                                   "osImage",
	                                   "systemUUID",
	                                   NULL};
	cJSON *st, *ni;
	const cJSON *cap;

	if (!cJSON_IsObject(node))
		return;
	k8c_jobject(node, "spec");
	st = k8c_jobject(node, "status");
	if (st == NULL)
		return;
	cap = k8c_core_object(st, "capacity");
	if (cap != NULL && !k8c_core_has(st, "allocatable"))
		k8c_core_set(st, "allocatable", cJSON_Duplicate(cap, 1));
	/* NodeStatus structs Kubernetes always writes */
	k8c_jdefault_int(k8c_jobject(st, "daemonEndpoints.kubeletEndpoint"), "Port", 0);
	ni = k8c_jobject(st, "nodeInfo");
	for (const char *const *k = info; ni != NULL && *k != NULL; k++)
		k8c_jdefault_str(ni, *k, "");
}

static void node_prepare(int op, cJSON *node, const cJSON *old)
{
	if (op != K8C_OP_CREATE || !cJSON_IsObject(node))
		return;
	/* the deprecated dynamic kubelet config is dropped */
	cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(node, "spec"),
	                                        "configSource");
	cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(node, "status"),
	                                        "config");
}

/* validateNodeTaints; Kubernetes reports them under metadata.taints */
static void taints(k8c_field_errors_t *e, const cJSON *list)
{
	static const char *const effects[] = {"NoSchedule", "PreferNoSchedule", "NoExecute", NULL};
	const cJSON *t, *prev;
	char p[CORE_PATH_MAX];
	int i = 0;

	cJSON_ArrayForEach(t, list)
	{
		const char *key = k8c_core_strz(t, "key"), *val = k8c_core_strz(t, "value");
		const char *eff = k8c_core_strz(t, "effect");
		char msg[K8C_NAME_MSG_MAX], *s;
		int j = 0, dup = 0;

		k8c_core_qualified_name(e, CORE_PATH(p, "metadata.taints[%d].key", i), key);
		if (!k8c_is_label_value(val, msg, sizeof(msg))) {
			while ((s = strstr(msg, "; ")) != NULL)
				memmove(s + 1, s + 2, strlen(s + 2) + 1);
			k8c_core_invalid_str(e, CORE_PATH(p, "metadata.taints[%d].value", i), val,
			                     msg);
		}
		CORE_PATH(p, "metadata.taints[%d].effect", i);
		if (eff[0] == '\0')
			k8c_core_required(e, p, NULL);
		else if (!k8c_core_in(eff, effects))
			k8c_core_not_supported(e, p, eff, effects);
		cJSON_ArrayForEach(prev, list)
		{
			if (j++ >= i)
				break;
			dup |= strcmp(k8c_core_strz(prev, "key"), key) == 0 &&
			       strcmp(k8c_core_strz(prev, "effect"), eff) == 0;
		}
		if (dup) {
			_cleanup_free_ char *qk = k8c_core_quote(key), *qv = k8c_core_quote(val),
			                    *qe = k8c_core_quote(eff);
			_cleanup_free_ char *v = k8c_xasprintf(
			    "core.Taint{Key:%s, Value:%s, Effect:%s, TimeAdded:(*v1.Time)(nil)}",
			    qk, qv, qe);
			k8c_field_error_add_raw(e, K8C_FIELD_DUPLICATE,
			                        CORE_PATH(p, "metadata.taints[%d]", i), v,
			                        "taints must be unique by key and effect pair");
		}
		i++;
	}
}

/* ValidateNodeResources */
static void node_resources(k8c_field_errors_t *e, const cJSON *node)
{
	static const char *const lists[] = {"capacity", "allocatable", NULL};
	const cJSON *st = k8c_core_object(node, "status"), *it;
	char p[CORE_PATH_MAX];

	for (const char *const *l = lists; *l != NULL; l++)
		cJSON_ArrayForEach(it, k8c_core_object(st, *l)) k8c_core_resource_quantity(
		    e, CORE_PATH(p, "status.%s.%s", *l, it->string), it->string, it);
}

static void pod_cidrs(k8c_field_errors_t *e, const cJSON *spec)
{
	const cJSON *cidrs = k8c_core_array(spec, "podCIDRs"), *it, *prev;
	char p[CORE_PATH_MAX];
	int i = 0, n = cJSON_GetArraySize(cidrs), v6 = 0;

	cJSON_ArrayForEach(it, cidrs)
	{
		const char *s = cJSON_IsString(it) ? it->valuestring : "";
		_cleanup_free_ char *addr = k8c_xstrndup(s, strcspn(s, "/"));
		k8c_core_valid_cidr(e, CORE_PATH(p, "spec.podCIDRs[%d]", i++), s);
		v6 += k8c_core_is_ipv6(addr);
	}
	if (n <= 1)
		return;
	if (n > 2 || v6 != 1) {
		_cleanup_free_ char *raw = k8c_core_goslice("string", cidrs);
		k8c_core_invalid_raw(e, "spec.podCIDRs", raw,
		                     "may specify no more than one CIDR for each IP family");
	}
	i = 0;
	cJSON_ArrayForEach(it, cidrs)
	{
		int j = 0;
		cJSON_ArrayForEach(prev, cidrs)
		{
			if (j++ >= i)
				break;
			if (cJSON_IsString(prev) && cJSON_IsString(it) &&
			    strcmp(prev->valuestring, it->valuestring) == 0) {
				k8c_core_duplicate_str(e, CORE_PATH(p, "spec.podCIDRs[%d]", i),
				                       it->valuestring);
				break;
			}
		}
		i++;
	}
}

static void node_validate(int op, const cJSON *node, const cJSON *old, k8c_field_errors_t *e)
{
	const cJSON *spec = k8c_core_object(node, "spec"), *os = k8c_core_object(old, "spec"), *it,
	            *prev;
	char p[CORE_PATH_MAX];
	int i = 0;

	if (op == K8C_OP_CREATE) {
		taints(e, k8c_core_array(spec, "taints"));
		node_resources(e, node);
		pod_cidrs(e, spec);
		return;
	}
	node_resources(e, node);
	cJSON_ArrayForEach(it, k8c_core_array(k8c_core_object(node, "status"), "addresses"))
	{
		int j = 0;
		cJSON_ArrayForEach(prev,
		                   k8c_core_array(k8c_core_object(node, "status"), "addresses"))
		{
			if (j++ >= i)
				break;
			if (strcmp(k8c_core_strz(prev, "type"), k8c_core_strz(it, "type")) == 0 &&
			    strcmp(k8c_core_strz(prev, "address"), k8c_core_strz(it, "address")) ==
			        0) {
				_cleanup_free_ char *qt = k8c_core_quote(k8c_core_strz(it, "type"));
				_cleanup_free_ char *qa =
				    k8c_core_quote(k8c_core_strz(it, "address"));
				_cleanup_free_ char *v =
				    k8c_xasprintf("core.NodeAddress{Type:%s, Address:%s}", qt, qa);
				k8c_field_error_add_raw(e, K8C_FIELD_DUPLICATE,
				                        CORE_PATH(p, "status.addresses[%d]", i), v,
				                        NULL);
				break;
			}
		}
		i++;
	}
	if (k8c_core_count(os, "podCIDRs") > 0) {
		const char *msg = "node updates may not change podCIDR except from \"\" to valid";
		if (k8c_core_count(os, "podCIDRs") != k8c_core_count(spec, "podCIDRs")) {
			k8c_core_forbidden(e, "spec.podCIDRs", msg);
		} else {
			const cJSON *n = k8c_core_array(spec, "podCIDRs")->child;
			cJSON_ArrayForEach(it, k8c_core_array(os, "podCIDRs"))
			{
				if (!k8c_core_equal(it, n))
					k8c_core_forbidden(e, "spec.podCIDRs", msg);
				n = n->next;
			}
		}
	}
	if (k8c_core_strz(os, "providerID")[0] != '\0' &&
	    strcmp(k8c_core_strz(os, "providerID"), k8c_core_strz(spec, "providerID")) != 0)
		k8c_core_forbidden(
		    e, "spec.providerID",
		    "node updates may not change providerID except from \"\" to valid");
	taints(e, k8c_core_array(spec, "taints"));
	if (strcmp(k8c_core_strz(spec, "externalID"), k8c_core_strz(os, "externalID")) != 0)
		k8c_core_forbidden(e, "spec.externalID", "may not be updated");
}

static const k8c_table_column_t node_columns[] = {
    {"Name", "string", "name", "Name of the node.", 0},
    {"Status", "string", "", "The node's readiness, and whether it takes new pods.", 0},
    {"Roles", "string", "", "The node's roles, from its node-role labels.", 0},
    {"Age", "string", "", "Time since the node registered.", 0},
    {"Version", "string", "", "The kubelet version the node runs.", 0},
    {"Internal-IP", "string", "", "The node's first internal IP address.", 1},
    {"External-IP", "string", "", "The node's first external IP address.", 1},
    {"OS-Image", "string", "", "The operating system image of the node.", 1},
    {"Kernel-Version", "string", "", "The kernel version of the node.", 1},
    {"Container-Runtime", "string", "", "The container runtime and its version.", 1},
};

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *address_of(const cJSON *st, const char *type)
{
	const cJSON *a;

	cJSON_ArrayForEach(
	    a, k8c_core_array(st, "addresses")) if (strcmp(k8c_core_strz(a, "type"), type) ==
	                                            0) return k8c_core_strz(a, "address");
	return "<none>";
}

static void node_row(const cJSON *node, cJSON *cells, long long now_s)
{
	const cJSON *st = k8c_core_object(node, "status"), *ni = k8c_core_object(st, "nodeInfo"),
	            *c, *l;
	const cJSON *labels = k8c_core_object(k8c_core_object(node, "metadata"), "labels");
	char status[128] = "";
	size_t cap = 128, len = 0;
	int nroles = 0;
	_cleanup_free_ const char **roles =
	    k8c_xcalloc((size_t)cJSON_GetArraySize(labels) + 1, sizeof(*roles));
	_cleanup_free_ char *rs = k8c_xmalloc(cap);
	const char *v;

	cJSON_ArrayForEach(c, k8c_core_array(st, "conditions"))
	{
		if (strcmp(k8c_core_strz(c, "type"), "Ready") == 0) {
			snprintf(status, sizeof(status), "%s",
			         strcmp(k8c_core_strz(c, "status"), "True") == 0 ? "Ready"
			                                                         : "NotReady");
		}
	}
	if (status[0] == '\0')
		snprintf(status, sizeof(status), "Unknown");
	if (k8c_core_bool(k8c_core_object(node, "spec"), "unschedulable", 0))
		strncat(status, ",SchedulingDisabled", sizeof(status) - strlen(status) - 1);
	cJSON_ArrayForEach(l, labels)
	{
		const char *role = NULL;
		int dup = 0;
		if (strncmp(l->string, "node-role.kubernetes.io/", 24) == 0 &&
		    l->string[24] != '\0')
			role = l->string + 24;
		else if (strcmp(l->string, "kubernetes.io/role") == 0 && cJSON_IsString(l) &&
		         l->valuestring[0] != '\0')
			role = l->valuestring;
		if (role == NULL)
			continue;
		for (int j = 0; j < nroles; j++)
			dup |= strcmp(roles[j], role) == 0;
		if (!dup)
			roles[nroles++] = role;
	}
	qsort(roles, (size_t)nroles, sizeof(*roles), cmp_strp);
	rs[0] = '\0';
	for (int j = 0; j < nroles; j++) {
		size_t n = strlen(roles[j]) + 2;
		while (len + n + 1 > cap)
			rs = k8c_xrealloc(rs, cap *= 2);
		len += (size_t)snprintf(rs + len, cap - len, "%s%s", j ? "," : "", roles[j]);
	}
	k8c_core_cell_str(cells, k8c_jstr(node, "metadata.name"));
	k8c_core_cell_str(cells, status);
	k8c_core_cell_str(cells, nroles ? rs : "<none>");
	k8c_core_cell_age(cells, node, now_s);
	k8c_core_cell_str(cells, k8c_core_strz(ni, "kubeletVersion"));
	k8c_core_cell_str(cells, address_of(st, "InternalIP"));
	k8c_core_cell_str(cells, address_of(st, "ExternalIP"));
	v = k8c_core_strz(ni, "osImage");
	k8c_core_cell_str(cells, v[0] ? v : "<unknown>");
	v = k8c_core_strz(ni, "kernelVersion");
	k8c_core_cell_str(cells, v[0] ? v : "<unknown>");
	v = k8c_core_strz(ni, "containerRuntimeVersion");
	k8c_core_cell_str(cells, v[0] ? v : "<unknown>");
}

static const char *const node_fields[] = {"spec.unschedulable", NULL};

static const char *node_field_value(const cJSON *node, const char *field, char *buf, size_t buflen)
{
	(void)buf;
	(void)buflen;
	if (strcmp(field, "spec.unschedulable") == 0)
		return k8c_jbool(node, "spec.unschedulable", 0) ? "true" : "false";
	return k8c_jstr(node, field);
}

static const char *const node_short[] = {"no", NULL};

const k8c_kind_t k8c_kind_nodes = {
    .group = "",
    .version = "v1",
    .resource = "nodes",
    .singular = "node",
    .kind = "Node",
    .namespaced = 0,
    .short_names = node_short,
    .verbs = K8C_VERBS_ALL,
    .subresources = K8C_SUB_STATUS,
    .schema_type = "io.k8s.api.core.v1.Node",
    .has_status = 1,
    .has_generation = 0,
    .defaults = node_defaults,
    .prepare = node_prepare,
    .validate = node_validate,
    .columns = node_columns,
    .n_columns = sizeof(node_columns) / sizeof(node_columns[0]),
    .row = node_row,
    .field_selectors = node_fields,
    .field_value = node_field_value,
};
