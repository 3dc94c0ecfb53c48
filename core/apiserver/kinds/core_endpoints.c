/* The endpoints resource: port protocols defaulted to TCP
 * (SetDefaults_Endpoints), subset validation (validateEndpointSubsets)
 * and `kubectl get endpoints` rows. */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/kind.h"
#include "apiserver/kinds/core.h"
#include "apiserver/kinds/core_internal.h"
#include "apiserver/kinds/util.h"
#include "common/mem.h"

static void endpoints_defaults(cJSON *ep)
{
	cJSON *ss, *port;

	cJSON_ArrayForEach(ss, cJSON_GetObjectItemCaseSensitive(ep, "subsets"))
	{
		cJSON_ArrayForEach(port, cJSON_GetObjectItemCaseSensitive(ss, "ports"))
		{
			if (cJSON_IsObject(port) && k8c_core_strz(port, "protocol")[0] == '\0')
				k8c_core_set(port, "protocol", cJSON_CreateString("TCP"));
		}
	}
}

static void address(k8c_field_errors_t *e, const cJSON *a, const char *path)
{
	const char *ip = k8c_core_strz(a, "ip"), *host = k8c_core_strz(a, "hostname");
	const cJSON *node = k8c_core_member(a, "nodeName");
	char p[CORE_PATH_MAX];

	CORE_PATH(p, "%s.ip", path);
	k8c_core_valid_ip(e, p, ip);
	if (host[0] != '\0')
		k8c_core_dns_label(e, CORE_PATH(p, "%s.hostname", path), host);
	if (cJSON_IsString(node))
		k8c_core_dns_subdomain(e, CORE_PATH(p, "%s.nodeName", path), node->valuestring);
	k8c_core_non_special_ip(e, CORE_PATH(p, "%s.ip", path), ip);
}

static void endpoints_validate(int op, const cJSON *ep, const cJSON *old, k8c_field_errors_t *e)
{
	static const char *const protocols[] = {"SCTP", "TCP", "UDP", NULL};
	const cJSON *ss, *it;
	char sp[CORE_PATH_MAX], p[CORE_PATH_MAX];
	int i = 0;

	cJSON_ArrayForEach(ss, k8c_core_array(ep, "subsets"))
	{
		int j = 0, nports = k8c_core_count(ss, "ports");
		CORE_PATH(sp, "subsets[%d]", i++);
		if (k8c_core_count(ss, "addresses") == 0 &&
		    k8c_core_count(ss, "notReadyAddresses") == 0)
			k8c_core_required(e, sp, "must specify `addresses` or `notReadyAddresses`");
		cJSON_ArrayForEach(it, k8c_core_array(ss, "addresses"))
		{
			address(e, it, CORE_PATH(p, "%s.addresses[%d]", sp, j));
			j++;
		}
		j = 0;
		cJSON_ArrayForEach(it, k8c_core_array(ss, "notReadyAddresses"))
		{
			address(e, it, CORE_PATH(p, "%s.notReadyAddresses[%d]", sp, j));
			j++;
		}
		j = 0;
		cJSON_ArrayForEach(it, k8c_core_array(ss, "ports"))
		{
			const char *name = k8c_core_strz(it, "name"),
			           *proto = k8c_core_strz(it, "protocol");
			CORE_PATH(p, "%s.ports[%d].name", sp, j);
			if (nports > 1 && name[0] == '\0')
				k8c_core_required(e, p, NULL);
			else if (name[0] != '\0')
				k8c_core_dns_label(e, p, name);
			k8c_core_port_num(e, CORE_PATH(p, "%s.ports[%d].port", sp, j),
			                  k8c_core_int(it, "port", 0));
			CORE_PATH(p, "%s.ports[%d].protocol", sp, j);
			if (proto[0] == '\0')
				k8c_core_required(e, p, NULL);
			else if (!k8c_core_in(proto, protocols))
				k8c_core_not_supported(e, p, proto, protocols);
			if (k8c_core_str(it, "appProtocol") != NULL)
				k8c_core_qualified_name(
				    e, CORE_PATH(p, "%s.ports[%d].appProtocol", sp, j),
				    k8c_core_str(it, "appProtocol"));
			j++;
		}
	}
}

static const k8c_table_column_t endpoints_columns[] = {
    {"Name", "string", "name", "Name of the endpoints, unique within their namespace.", 0},
    {"Endpoints", "string", "", "Addresses and ports, the first three of them.", 0},
    {"Age", "string", "", "Time since the endpoints were created.", 0},
};

/* formatEndpoints(endpoints, nil) */
static void endpoints_row(const cJSON *ep, cJSON *cells, long long now_s)
{
	const cJSON *ss, *a, *port;
	size_t cap = 256, len = 0;
	_cleanup_free_ char *out = k8c_xmalloc(cap);
	int listed = 0, count = 0, more = 0;

#define ADD(...)                                                                                   \
	do {                                                                                       \
		_cleanup_free_ char *piece_ = k8c_xasprintf(__VA_ARGS__);                          \
		size_t n_ = strlen(piece_);                                                        \
		while (len + n_ + 1 > cap)                                                         \
			out = k8c_xrealloc(out, cap *= 2);                                         \
		memcpy(out + len, piece_, n_ + 1);                                                 \
		len += n_;                                                                         \
	} while (0)

	out[0] = '\0';
	k8c_core_cell_str(cells, k8c_jstr(ep, "metadata.name"));
	if (k8c_core_count(ep, "subsets") == 0) {
		k8c_core_cell_str(cells, "<none>");
		k8c_core_cell_age(cells, ep, now_s);
		return;
	}
	cJSON_ArrayForEach(ss, k8c_core_array(ep, "subsets"))
	{
		if (k8c_core_count(ss, "ports") == 0) {
			count += k8c_core_count(ss, "addresses");
			cJSON_ArrayForEach(a, k8c_core_array(ss, "addresses"))
			{
				if (listed == 3) {
					more = 1;
					break;
				}
				ADD("%s%s", listed++ ? "," : "", k8c_core_strz(a, "ip"));
			}
			continue;
		}
		cJSON_ArrayForEach(port, k8c_core_array(ss, "ports"))
		{
			count += k8c_core_count(ss, "addresses");
			cJSON_ArrayForEach(a, k8c_core_array(ss, "addresses"))
			{
				const char *ip = k8c_core_strz(a, "ip");
				if (listed == 3) {
					more = 1;
					break;
				}
				/* net.JoinHostPort brackets IPv6 addresses */
				if (strchr(ip, ':') != NULL)
					ADD("%s[%s]:%lld", listed++ ? "," : "", ip,
					    k8c_core_int(port, "port", 0));
				else
					ADD("%s%s:%lld", listed++ ? "," : "", ip,
					    k8c_core_int(port, "port", 0));
			}
		}
	}
	if (more)
		ADD(" + %d more...", count - 3);
#undef ADD
	k8c_core_cell_str(cells, out);
	k8c_core_cell_age(cells, ep, now_s);
}

static const char *const endpoints_short[] = {"ep", NULL};

const k8c_kind_t k8c_kind_endpoints = {
    .group = "",
    .version = "v1",
    .resource = "endpoints",
    .singular = "endpoints",
    .kind = "Endpoints",
    .namespaced = 1,
    .short_names = endpoints_short,
    .verbs = K8C_VERBS_ALL,
    .subresources = 0,
    .schema_type = "io.k8s.api.core.v1.Endpoints",
    .has_status = 0,
    .has_generation = 0,
    .defaults = endpoints_defaults,
    .validate = endpoints_validate,
    .columns = endpoints_columns,
    .n_columns = sizeof(endpoints_columns) / sizeof(endpoints_columns[0]),
    .row = endpoints_row,
};
