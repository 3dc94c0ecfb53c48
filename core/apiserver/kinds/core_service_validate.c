/* Service validation: ValidateService, ValidateServiceUpdate (cluster IP
 * and IP family changes, load balancer class, health check node port) and
 * ValidateServiceStatusUpdate. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/kind.h"
#include "apiserver/kinds/core.h"
#include "apiserver/kinds/core_internal.h"
#include "common/mem.h"

/* --- validation -------------------------------------------------------------------------- */

static void cluster_ips(k8c_field_errors_t *e, const cJSON *spec)
{
	static const char *const fams[] = {"IPv4", "IPv6", NULL};
	static const char *const policies[] = {"PreferDualStack", "RequireDualStack", "SingleStack",
	                                       NULL};
	const char *ip = k8c_core_strz(spec, "clusterIP"),
	           *pol = k8c_core_str(spec, "ipFamilyPolicy");
	const cJSON *ips = k8c_core_array(spec, "clusterIPs"), *it;
	_cleanup_free_ char *raw = k8c_core_goslice("string", ips);
	char p[CORE_PATH_MAX];
	int n = cJSON_GetArraySize(ips), i = 0, bad = 0, v6 = 0;

	if (ip[0] != '\0') {
		if (n == 0)
			k8c_core_required(e, "spec.clusterIPs", NULL);
		else if (strcmp(cJSON_IsString(ips->child) ? ips->child->valuestring : "", ip) != 0)
			k8c_core_invalid_raw(e, "spec.clusterIPs", raw,
			                     "first value must match `clusterIP`");
	} else if (n != 0) {
		k8c_core_invalid_raw(e, "spec.clusterIPs", raw,
		                     "must be empty when `clusterIP` is not specified");
	}
	cJSON_ArrayForEach(it, k8c_core_array(spec, "ipFamilies"))
	{
		const char *f = cJSON_IsString(it) ? it->valuestring : "";
		const cJSON *prev;
		int j = 0;
		CORE_PATH(p, "spec.ipFamilies[%d]", i);
		if (!k8c_core_in(f, fams))
			k8c_core_not_supported(e, p, f, fams);
		cJSON_ArrayForEach(prev, k8c_core_array(spec, "ipFamilies"))
		{
			if (j++ >= i)
				break;
			if (cJSON_IsString(prev) && strcmp(prev->valuestring, f) == 0) {
				k8c_core_duplicate_str(e, p, f);
				break;
			}
		}
		i++;
	}
	if (pol != NULL && !k8c_core_in(pol, policies))
		k8c_core_not_supported(e, "spec.ipFamilyPolicy", pol, policies);
	i = 0;
	cJSON_ArrayForEach(it, ips)
	{
		const char *s = cJSON_IsString(it) ? it->valuestring : "";
		unsigned char b[16];
		if (i == 0 && strcmp(s, "None") == 0) {
			if (n > 1) {
				bad = 1;
				k8c_core_invalid_raw(e, "spec.clusterIPs", raw,
				                     "'None' must be the first and only value");
			}
			i++;
			continue;
		}
		if (!k8c_core_parse_ip(s, b)) {
			bad = 1;
			k8c_core_valid_ip(e, CORE_PATH(p, "spec.clusterIPs[%d]", i), s);
		}
		v6 += k8c_core_is_ipv6(s);
		i++;
	}
	if (n > 2)
		k8c_core_invalid_raw(e, "spec.clusterIPs", raw, "may only hold up to 2 values");
	if (bad)
		return;
	if (n > 1 && v6 != 1)
		k8c_core_invalid_raw(e, "spec.clusterIPs", raw,
		                     "may specify no more than one IP for each IP family");
	if (!k8c_core_svc_headless(spec) && n > 0) {
		const cJSON *f = k8c_core_array(spec, "ipFamilies")
		                     ? k8c_core_array(spec, "ipFamilies")->child
		                     : NULL;
		i = 0;
		cJSON_ArrayForEach(it, ips)
		{
			const char *s = cJSON_IsString(it) ? it->valuestring : "";
			_cleanup_free_ char *d = NULL;
			if (f == NULL)
				break;
			if (strcmp(cJSON_IsString(f) ? f->valuestring : "", "IPv4") == 0 &&
			    k8c_core_is_ipv6(s))
				d = k8c_xasprintf(
				    "expected an IPv4 value as indicated by `ipFamilies[%d]`", i);
			else if (strcmp(cJSON_IsString(f) ? f->valuestring : "", "IPv6") == 0 &&
			         !k8c_core_is_ipv6(s))
				d = k8c_xasprintf(
				    "expected an IPv6 value as indicated by `ipFamilies[%d]`", i);
			if (d != NULL)
				k8c_core_invalid_str(e, CORE_PATH(p, "spec.clusterIPs[%d]", i), s,
				                     d);
			f = f->next;
			i++;
		}
	}
}

static void lb_class(k8c_field_errors_t *e, const cJSON *spec, const cJSON *os)
{
	int lb = strcmp(k8c_core_strz(spec, "type"), "LoadBalancer") == 0;
	const char *cls = k8c_core_str(spec, "loadBalancerClass");

	if (os != NULL && lb && strcmp(k8c_core_strz(os, "type"), "LoadBalancer") == 0 &&
	    !k8c_core_same_member(spec, os, "loadBalancerClass")) {
		_cleanup_free_ char *q = cls ? k8c_core_quote(cls) : k8c_xstrdup("null");
		k8c_core_invalid_raw(e, "spec.loadBalancerClass", q, "may not change once set");
	}
	if (cls == NULL)
		return;
	if (lb)
		k8c_core_qualified_name(e, "spec.loadBalancerClass", cls);
	else
		k8c_core_forbidden(e, "spec.loadBalancerClass",
		                   "may only be used when `type` is 'LoadBalancer'");
}

static void service_port(k8c_field_errors_t *e, const cJSON *sp, int i, int require_name,
                         const cJSON *ports)
{
	static const char *const protocols[] = {"SCTP", "TCP", "UDP", NULL};
	const char *name = k8c_core_strz(sp, "name"), *proto = k8c_core_strz(sp, "protocol");
	char p[CORE_PATH_MAX];

	CORE_PATH(p, "spec.ports[%d].name", i);
	if (require_name && name[0] == '\0') {
		k8c_core_required(e, p, NULL);
	} else if (name[0] != '\0') {
		const cJSON *prev;
		int j = 0;
		k8c_core_dns_label(e, p, name);
		cJSON_ArrayForEach(prev, ports)
		{
			if (j++ >= i)
				break;
			if (strcmp(k8c_core_strz(prev, "name"), name) == 0) {
				k8c_core_duplicate_str(e, p, name);
				break;
			}
		}
	}
	k8c_core_port_num(e, CORE_PATH(p, "spec.ports[%d].port", i), k8c_core_int(sp, "port", 0));
	CORE_PATH(p, "spec.ports[%d].protocol", i);
	if (proto[0] == '\0')
		k8c_core_required(e, p, NULL);
	else if (!k8c_core_in(proto, protocols))
		k8c_core_not_supported(e, p, proto, protocols);
	k8c_core_port_num_or_name(e, CORE_PATH(p, "spec.ports[%d].targetPort", i),
	                          k8c_core_member(sp, "targetPort"));
	if (k8c_core_str(sp, "appProtocol") != NULL)
		k8c_core_qualified_name(e, CORE_PATH(p, "spec.ports[%d].appProtocol", i),
		                        k8c_core_str(sp, "appProtocol"));
}

static void validate_service(k8c_field_errors_t *e, const cJSON *svc)
{
	static const char *const affinities[] = {"ClientIP", "None", NULL};
	static const char *const types[] = {"ClusterIP", "ExternalName", "LoadBalancer", "NodePort",
	                                    NULL};
	static const char *const etps[] = {"Cluster", "Local", NULL};
	static const char *const itps[] = {"Cluster", "Local", NULL};
	static const char *const dists[] = {"PreferClose", NULL};
	const cJSON *spec = k8c_core_object(svc, "spec"), *ports = k8c_core_array(spec, "ports"),
	            *it, *prev;
	const cJSON *ann = k8c_core_object(k8c_core_object(svc, "metadata"), "annotations");
	const char *type = k8c_core_strz(spec, "type"),
	           *aff = k8c_core_strz(spec, "sessionAffinity");
	const char *tm = k8c_core_str(ann, "service.kubernetes.io/topology-mode");
	const char *th = k8c_core_str(ann, "service.kubernetes.io/topology-aware-hints");
	const char *s;
	char p[CORE_PATH_MAX];
	int nports = cJSON_GetArraySize(ports), i = 0, hl = k8c_core_svc_headless(spec);

	if (tm != NULL && th != NULL && strcmp(tm, th) != 0)
		k8c_core_invalid_str(
		    e, "metadata.annotations[service.kubernetes.io/topology-mode]", tm,
		    "must match annotations[service.kubernetes.io/topology-aware-hints] when both "
		    "are specified");
	if (nports == 0 && !hl && strcmp(type, "ExternalName") != 0)
		k8c_core_required(e, "spec.ports", NULL);
	if (strcmp(type, "LoadBalancer") == 0 && hl)
		k8c_core_invalid_str(e, "spec.clusterIPs[0]", "None",
		                     "may not be set to 'None' for LoadBalancer services");
	else if (strcmp(type, "NodePort") == 0 && hl)
		k8c_core_invalid_str(e, "spec.clusterIPs[0]", "None",
		                     "may not be set to 'None' for NodePort services");
	else if (strcmp(type, "ExternalName") == 0) {
		_cleanup_free_ char *cname = k8c_xstrdup(k8c_core_strz(spec, "externalName"));
		size_t n = strlen(cname);
		if (k8c_core_count(spec, "clusterIPs") > 0)
			k8c_core_forbidden(e, "spec.clusterIPs",
			                   "may not be set for ExternalName services");
		if (k8c_core_count(spec, "ipFamilies") > 0)
			k8c_core_forbidden(e, "spec.ipFamilies",
			                   "may not be set for ExternalName services");
		if (k8c_core_has(spec, "ipFamilyPolicy"))
			k8c_core_forbidden(e, "spec.ipFamilyPolicy",
			                   "may not be set for ExternalName services");
		if (n > 0 && cname[n - 1] == '.')
			cname[n - 1] = '\0';
		if (cname[0] != '\0')
			k8c_core_dns_subdomain(e, "spec.externalName", cname);
		else
			k8c_core_required(e, "spec.externalName", NULL);
	}
	cJSON_ArrayForEach(it, ports)
	{
		service_port(e, it, i, nports > 1, ports);
		i++;
	}
	if (k8c_core_object(spec, "selector") != NULL)
		k8c_core_labels(e, "spec.selector", k8c_core_object(spec, "selector"));
	if (aff[0] == '\0')
		k8c_core_required(e, "spec.sessionAffinity", NULL);
	else if (!k8c_core_in(aff, affinities))
		k8c_core_not_supported(e, "spec.sessionAffinity", aff, affinities);
	if (strcmp(aff, "ClientIP") == 0) {
		const cJSON *cfg = k8c_core_object(spec, "sessionAffinityConfig"),
		            *cip = k8c_core_object(cfg, "clientIP");
		const cJSON *to = k8c_core_member(cip, "timeoutSeconds");
		if (cfg == NULL)
			k8c_core_required(e, "spec.sessionAffinityConfig",
			                  "when session affinity type is ClientIP");
		else if (cip == NULL)
			k8c_core_required(e, "spec.sessionAffinityConfig.clientIP",
			                  "when session affinity type is ClientIP");
		else if (!cJSON_IsNumber(to))
			k8c_core_required(e, "spec.sessionAffinityConfig.clientIP.timeoutSeconds",
			                  "when session affinity type is ClientIP");
		else if (to->valuedouble <= 0 || to->valuedouble > 86400)
			k8c_core_invalid_int(e,
			                     "spec.sessionAffinityConfig.clientIP.timeoutSeconds",
			                     (long long)to->valuedouble,
			                     "must be greater than 0 and less than 86400");
	} else if (strcmp(aff, "None") == 0 && k8c_core_has(spec, "sessionAffinityConfig")) {
		k8c_core_forbidden(e, "spec.sessionAffinityConfig",
		                   "must not be set when session affinity is None");
	}
	if (strcmp(type, "ExternalName") != 0)
		cluster_ips(e, spec);
	i = 0;
	cJSON_ArrayForEach(it, k8c_core_array(spec, "externalIPs"))
	{
		const char *ip = cJSON_IsString(it) ? it->valuestring : "";
		unsigned char b[16];
		CORE_PATH(p, "spec.externalIPs[%d]", i++);
		if (!k8c_core_parse_ip(ip, b))
			k8c_core_valid_ip(e, p, ip);
		else
			k8c_core_non_special_ip(e, p, ip);
	}
	if (type[0] == '\0')
		k8c_core_required(e, "spec.type", NULL);
	else if (!k8c_core_in(type, types))
		k8c_core_not_supported(e, "spec.type", type, types);
	i = 0;
	cJSON_ArrayForEach(it, ports)
	{
		if (strcmp(type, "ClusterIP") == 0 && k8c_core_int(it, "nodePort", 0) != 0)
			k8c_core_forbidden(e, CORE_PATH(p, "spec.ports[%d].nodePort", i),
			                   "may not be used when `type` is 'ClusterIP'");
		i++;
	}
	i = 0;
	cJSON_ArrayForEach(it, ports)
	{
		long long np = k8c_core_int(it, "nodePort", 0);
		int j = 0;
		cJSON_ArrayForEach(prev, ports)
		{
			if (j++ >= i || np == 0)
				break;
			if (k8c_core_int(prev, "nodePort", 0) == np &&
			    strcmp(k8c_core_strz(prev, "protocol"),
			           k8c_core_strz(it, "protocol")) == 0) {
				char v[32];
				snprintf(v, sizeof(v), "%lld", np);
				k8c_field_error_add_raw(e, K8C_FIELD_DUPLICATE,
				                        CORE_PATH(p, "spec.ports[%d].nodePort", i),
				                        v, NULL);
				break;
			}
		}
		i++;
	}
	i = 0;
	cJSON_ArrayForEach(it, ports)
	{
		long long port = k8c_core_int(it, "port", 0);
		int j = 0;
		cJSON_ArrayForEach(prev, ports)
		{
			if (j++ >= i)
				break;
			if (k8c_core_int(prev, "port", 0) == port &&
			    strcmp(k8c_core_strz(prev, "protocol"),
			           k8c_core_strz(it, "protocol")) == 0) {
				_cleanup_free_ char *proto =
				    k8c_core_quote(k8c_core_strz(it, "protocol"));
				_cleanup_free_ char *v =
				    k8c_xasprintf("core.ServicePort{Name:\"\", Protocol:%s, "
				                  "AppProtocol:(*string)(nil), Port:%lld, "
				                  "TargetPort:intstr.IntOrString{Type:0, IntVal:0, "
				                  "StrVal:\"\"}, NodePort:0}",
				                  proto, port);
				k8c_field_error_add_raw(e, K8C_FIELD_DUPLICATE,
				                        CORE_PATH(p, "spec.ports[%d]", i), v, NULL);
				break;
			}
		}
		i++;
	}
	if (k8c_core_count(spec, "loadBalancerSourceRanges") > 0) {
		if (strcmp(type, "LoadBalancer") != 0)
			k8c_core_forbidden(e, "spec.LoadBalancerSourceRanges",
			                   "may only be used when `type` is 'LoadBalancer'");
		i = 0;
		cJSON_ArrayForEach(it, k8c_core_array(spec, "loadBalancerSourceRanges"))
		{
			_cleanup_free_ char *v =
			    k8c_xstrdup(cJSON_IsString(it) ? it->valuestring : "");
			char *b = v, *end;
			while (*b == ' ' || *b == '\t')
				b++;
			end = b + strlen(b);
			while (end > b && (end[-1] == ' ' || end[-1] == '\t'))
				*--end = '\0';
			k8c_core_valid_cidr(
			    e, CORE_PATH(p, "spec.LoadBalancerSourceRanges[%d]", i++), b);
		}
	}
	if (k8c_core_has(spec, "allocateLoadBalancerNodePorts") &&
	    strcmp(type, "LoadBalancer") != 0)
		k8c_core_forbidden(e, "spec.allocateLoadBalancerNodePorts",
		                   "may only be used when `type` is 'LoadBalancer'");
	if (strcmp(type, "LoadBalancer") == 0 &&
	    !k8c_core_has(spec, "allocateLoadBalancerNodePorts"))
		k8c_core_required(e, "allocateLoadBalancerNodePorts", NULL); /* sic: no spec. */
	lb_class(e, spec, NULL);
	s = k8c_core_strz(spec, "externalTrafficPolicy");
	if (!k8c_core_svc_external(spec)) {
		if (s[0] != '\0')
			k8c_core_invalid_str(e, "spec.externalTrafficPolicy", s,
			                     "may only be set for externally-accessible services");
	} else if (s[0] == '\0') {
		k8c_core_required(e, "spec.externalTrafficPolicy", NULL);
	} else if (!k8c_core_in(s, etps)) {
		k8c_core_not_supported(e, "spec.externalTrafficPolicy", s, etps);
	}
	if (!k8c_core_svc_health_check(spec)) {
		if (k8c_core_int(spec, "healthCheckNodePort", 0) != 0)
			k8c_core_invalid_int(e, "spec.healthCheckNodePort",
			                     k8c_core_int(spec, "healthCheckNodePort", 0),
			                     "may only be set when `type` is 'LoadBalancer' and "
			                     "`externalTrafficPolicy` is 'Local'");
	} else if (k8c_core_int(spec, "healthCheckNodePort", 0) == 0) {
		k8c_core_required(e, "spec.healthCheckNodePort", NULL);
	} else {
		k8c_core_port_num(e, "spec.healthCheckNodePort",
		                  k8c_core_int(spec, "healthCheckNodePort", 0));
	}
	s = k8c_core_str(spec, "internalTrafficPolicy");
	if (s == NULL && (strcmp(type, "NodePort") == 0 || strcmp(type, "LoadBalancer") == 0 ||
	                  strcmp(type, "ClusterIP") == 0))
		k8c_core_required(e, "spec.internalTrafficPolicy", NULL);
	if (s != NULL && !k8c_core_in(s, itps))
		k8c_core_not_supported(e, "spec.internalTrafficPolicy", s, itps);
	if ((s = k8c_core_str(spec, "trafficDistribution")) != NULL && !k8c_core_in(s, dists))
		k8c_core_not_supported(e, "spec.trafficDistribution", s, dists);
}

/* validateUpgradeDowngradeClusterIPs and ...IPFamilies */
static void upgrade_downgrade(k8c_field_errors_t *e, const cJSON *ns, const cJSON *os)
{
	const cJSON *nips = k8c_core_array(ns, "clusterIPs"),
	            *oips = k8c_core_array(os, "clusterIPs");
	const cJSON *nf = k8c_core_array(ns, "ipFamilies"), *of = k8c_core_array(os, "ipFamilies");
	_cleanup_free_ char *raw = k8c_core_goslice("string", nips);
	_cleanup_free_ char *rawf = k8c_core_goslice("core.IPFamily", nf);
	const char *pol = k8c_core_str(ns, "ipFamilyPolicy");
	_cleanup_free_ char *qpol = pol ? k8c_core_quote(pol) : k8c_xstrdup("null");
	int nn = cJSON_GetArraySize(nips), on = cJSON_GetArraySize(oips);
	int nfn = cJSON_GetArraySize(nf), ofn = cJSON_GetArraySize(of),
	    hn = k8c_core_svc_headless(ns), ho = k8c_core_svc_headless(os);
	char p[CORE_PATH_MAX];

	if (strcmp(k8c_core_strz(ns, "type"), "ExternalName") == 0 ||
	    strcmp(k8c_core_strz(os, "type"), "ExternalName") == 0)
		return;
#define IPAT(a, i)                                                                                 \
	(cJSON_IsString(cJSON_GetArrayItem((a), (i))) ? cJSON_GetArrayItem((a), (i))->valuestring  \
	                                              : "")
	if (!(ho && hn)) {
		if (on == nn) {
			for (int i = 0; i < on; i++)
				if (strcmp(IPAT(oips, i), IPAT(nips, i)) != 0)
					k8c_core_invalid_raw(e,
					                     CORE_PATH(p, "spec.clusterIPs[%d]", i),
					                     raw, "may not change once set");
		} else if (on > nn) {
			if (nn == 0)
				k8c_core_invalid_raw(e, "spec.clusterIPs[0]", raw,
				                     "primary clusterIP can not be unset");
			if (nn > 0 && strcmp(IPAT(nips, 0), IPAT(oips, 0)) != 0)
				k8c_core_invalid_raw(e, "spec.clusterIPs[0]", raw,
				                     "may not change once set");
			if (nn == 1 && (pol == NULL || strcmp(pol, "SingleStack") != 0))
				k8c_core_invalid_raw(e, "spec.ipFamilyPolicy", qpol,
				                     "must be set to 'SingleStack' when releasing "
				                     "the secondary clusterIP");
		} else if (on > 0 && strcmp(IPAT(nips, 0), IPAT(oips, 0)) != 0) {
			k8c_core_invalid_raw(e, "spec.clusterIPs[0]", raw,
			                     "may not change once set");
		}
	}
	if (hn != ho || hn)
		return;
	if (ofn == nfn) {
		for (int i = 0; i < ofn; i++)
			if (strcmp(IPAT(of, i), IPAT(nf, i)) != 0)
				k8c_core_invalid_raw(e, "spec.ipFamilies[0]", rawf,
				                     "may not change once set");
	} else if (ofn > nfn) {
		if (nn == 0)
			k8c_core_invalid_raw(e, "spec.ipFamilies[0]", rawf,
			                     "primary ipFamily can not be unset");
		if (nfn > 0 && strcmp(IPAT(nf, 0), IPAT(of, 0)) != 0)
			k8c_core_invalid_raw(e, "spec.ipFamilies[0]", raw,
			                     "may not change once set");
		if (nfn == 1 && (pol == NULL || strcmp(pol, "SingleStack") != 0))
			k8c_core_invalid_raw(
			    e, "spec.ipFamilyPolicy", qpol,
			    "must be set to 'SingleStack' when releasing the secondary ipFamily");
	} else if (ofn > 0 && nfn > 0 && strcmp(IPAT(nf, 0), IPAT(of, 0)) != 0) {
		k8c_core_invalid_raw(e, "spec.ipFamilies[0]", raw, "may not change once set");
	}
#undef IPAT
}

static void lb_status(k8c_field_errors_t *e, const cJSON *svc)
{
	static const char *const modes[] = {"Proxy", "VIP", NULL};
	const cJSON *ingress = k8c_core_array(
	    k8c_core_object(k8c_core_object(svc, "status"), "loadBalancer"), "ingress");
	const cJSON *in;
	char p[CORE_PATH_MAX];
	int i = 0;

	if (strcmp(k8c_core_strz(k8c_core_object(svc, "spec"), "type"), "LoadBalancer") != 0 &&
	    cJSON_GetArraySize(ingress) > 0) {
		k8c_core_forbidden(e, "status.loadBalancer.ingress",
		                   "may only be used when `spec.type` is 'LoadBalancer'");
		return;
	}
	cJSON_ArrayForEach(in, ingress)
	{
		const char *ip = k8c_core_strz(in, "ip"), *host = k8c_core_strz(in, "hostname");
		const char *mode = k8c_core_str(in, "ipMode");
		unsigned char b[16];
		if (ip[0] != '\0')
			k8c_core_valid_ip(e, CORE_PATH(p, "status.loadBalancer.ingress[%d].ip", i),
			                  ip);
		CORE_PATH(p, "status.loadBalancer.ingress[%d].ipMode", i);
		if (mode == NULL) {
			if (ip[0] != '\0')
				k8c_core_required(e, p, "must be specified when `ip` is set");
		} else if (ip[0] == '\0') {
			k8c_core_forbidden(e, p, "may not be specified when `ip` is not set");
		} else if (!k8c_core_in(mode, modes)) {
			k8c_core_not_supported(e, p, mode, modes);
		}
		if (host[0] != '\0') {
			CORE_PATH(p, "status.loadBalancer.ingress[%d].hostname", i);
			k8c_core_dns_subdomain(e, p, host);
			if (k8c_core_parse_ip(host, b))
				k8c_core_invalid_str(e, p, host,
				                     "must be a DNS name, not an IP address");
		}
		i++;
	}
}

void k8c_core_service_validate(int op, const cJSON *svc, const cJSON *old, k8c_field_errors_t *e)
{
	const cJSON *spec = k8c_core_object(svc, "spec"), *os = k8c_core_object(old, "spec");

	if (op == K8C_OP_STATUS_UPDATE) {
		lb_status(e, svc);
		return;
	}
	if (op == K8C_OP_CREATE)
		k8c_core_dns1035_label(e, "metadata.name",
		                       k8c_core_strz(k8c_core_object(svc, "metadata"), "name"));
	if (op == K8C_OP_UPDATE && os != NULL) {
		upgrade_downgrade(e, spec, os);
		lb_class(e, spec, os);
		if (k8c_core_svc_health_check(os) && k8c_core_svc_health_check(spec) &&
		    k8c_core_int(spec, "healthCheckNodePort", 0) !=
		        k8c_core_int(os, "healthCheckNodePort", 0))
			k8c_core_forbidden(e, "spec.healthCheckNodePort", "field is immutable");
	}
	validate_service(e, svc);
}
