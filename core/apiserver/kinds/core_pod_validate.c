/* Pod validation: Kubernetes' ValidatePodSpec (spec-level rules; the
 * containers are in core_container_validate.c, the volumes in
 * core_volume_validate.c), ValidatePodCreate, ValidatePodUpdate and
 * ValidatePodStatusUpdate. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/kind.h"
#include "apiserver/kinds/core.h"
#include "apiserver/kinds/core_internal.h"
#include "common/mem.h"
#include "common/names.h"

static const char *const taint_effects[] = {"NoSchedule", "PreferNoSchedule", "NoExecute", NULL};

void k8c_core_tolerations(const cJSON *tols, const char *path, k8c_field_errors_t *e)
{
	static const char *const ops[] = {"Equal", "Exists", NULL};
	const cJSON *t;
	char p[CORE_PATH_MAX], ip[CORE_PATH_MAX];
	int i = 0;

	cJSON_ArrayForEach(t, tols)
	{
		const char *key = k8c_core_strz(t, "key"), *op = k8c_core_strz(t, "operator");
		const char *val = k8c_core_strz(t, "value"), *eff = k8c_core_strz(t, "effect");

		CORE_PATH(ip, "%s[%d]", path, i++);
		if (key[0] != '\0')
			k8c_core_qualified_name(e, CORE_PATH(p, "%s.key", ip), key);
		CORE_PATH(p, "%s.operator", ip);
		if (key[0] == '\0' && strcmp(op, "Exists") != 0)
			k8c_core_invalid_str(
			    e, p, op,
			    "operator must be Exists when `key` is empty, which means "
			    "\"match all values and all keys\"");
		if (k8c_core_has(t, "tolerationSeconds") && strcmp(eff, "NoExecute") != 0)
			k8c_core_invalid_str(
			    e, CORE_PATH(p, "%s.effect", ip), eff,
			    "effect must be 'NoExecute' when `tolerationSeconds` is set");
		CORE_PATH(p, "%s.operator", ip);
		if (op[0] == '\0' || strcmp(op, "Equal") == 0) {
			char msg[K8C_NAME_MSG_MAX], *s;
			if (!k8c_is_label_value(val, msg, sizeof(msg))) {
				/* strings.Join(errs, ";") */
				while ((s = strstr(msg, "; ")) != NULL)
					memmove(s + 1, s + 2, strlen(s + 2) + 1);
				k8c_core_invalid_str(e, p, val, msg);
			}
		} else if (strcmp(op, "Exists") == 0) {
			if (val[0] != '\0')
				k8c_core_invalid_str(
				    e, p, val, "value must be empty when `operator` is 'Exists'");
		} else {
			k8c_core_not_supported(e, p, op, ops);
		}
		if (eff[0] != '\0' && !k8c_core_in(eff, taint_effects))
			k8c_core_not_supported(e, CORE_PATH(p, "%s.effect", ip), eff,
			                       taint_effects);
	}
}

/* --- affinity ---------------------------------------------------------------------- */

static void pod_affinity_term(k8c_field_errors_t *e, const cJSON *term, const char *path)
{
	const char *tk = k8c_core_strz(term, "topologyKey");
	const cJSON *ns;
	char p[CORE_PATH_MAX];

	k8c_core_label_selector(e, CORE_PATH(p, "%s.labelSelector", path),
	                        k8c_core_object(term, "labelSelector"));
	k8c_core_label_selector(e, CORE_PATH(p, "%s.namespaceSelector", path),
	                        k8c_core_object(term, "namespaceSelector"));
	cJSON_ArrayForEach(ns, k8c_core_array(term, "namespaces"))
	{
		if (cJSON_IsString(ns))
			k8c_core_dns_label(e, CORE_PATH(p, "%s.namespace", path), ns->valuestring);
	}
	CORE_PATH(p, "%s.topologyKey", path);
	if (tk[0] == '\0')
		k8c_core_required(e, p, "can not be empty");
	k8c_core_qualified_name(e, p, tk);
}

static void pod_affinity(k8c_field_errors_t *e, const cJSON *a, const char *path)
{
	const cJSON *t;
	char p[CORE_PATH_MAX];
	int i = 0;

	cJSON_ArrayForEach(t, k8c_core_array(a, "requiredDuringSchedulingIgnoredDuringExecution"))
	{
		pod_affinity_term(
		    e, t,
		    CORE_PATH(p, "%s.requiredDuringSchedulingIgnoredDuringExecution[%d]", path, i));
		i++;
	}
	i = 0;
	cJSON_ArrayForEach(t, k8c_core_array(a, "preferredDuringSchedulingIgnoredDuringExecution"))
	{
		long long w = k8c_core_int(t, "weight", 0);
		if (w <= 0 || w > 100)
			k8c_core_invalid_int(
			    e,
			    CORE_PATH(
			        p, "%s.preferredDuringSchedulingIgnoredDuringExecution[%d].weight",
			        path, i),
			    w, "must be in the range 1-100");
		pod_affinity_term(
		    e, k8c_core_object(t, "podAffinityTerm"),
		    CORE_PATH(
		        p, "%s.preferredDuringSchedulingIgnoredDuringExecution[%d].podAffinityTerm",
		        path, i));
		i++;
	}
}

static void affinity(k8c_field_errors_t *e, const cJSON *aff, const char *path)
{
	const cJSON *na = k8c_core_object(aff, "nodeAffinity"), *x;
	char p[CORE_PATH_MAX];
	int i = 0;

	if (na != NULL) {
		if ((x = k8c_core_object(na, "requiredDuringSchedulingIgnoredDuringExecution")) !=
		    NULL)
			k8c_core_node_selector(
			    x,
			    CORE_PATH(
			        p, "%s.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution",
			        path),
			    e);
		cJSON_ArrayForEach(
		    x, k8c_core_array(na, "preferredDuringSchedulingIgnoredDuringExecution"))
		{
			long long w = k8c_core_int(x, "weight", 0);
			if (w <= 0 || w > 100)
				k8c_core_invalid_int(e,
				                     CORE_PATH(p,
				                               "%s.nodeAffinity."
				                               "preferredDuringSchedulingIgnoredDur"
				                               "ingExecution[%d].weight",
				                               path, i),
				                     w, "must be in the range 1-100");
			i++;
		}
	}
	if ((x = k8c_core_object(aff, "podAffinity")) != NULL)
		pod_affinity(e, x, CORE_PATH(p, "%s.podAffinity", path));
	if ((x = k8c_core_object(aff, "podAntiAffinity")) != NULL)
		pod_affinity(e, x, CORE_PATH(p, "%s.podAntiAffinity", path));
}

/* --- security context, DNS, topology ----------------------------------------------- */

static void pod_security(k8c_field_errors_t *e, const cJSON *spec, const char *path)
{
	static const char *const fsgcp[] = {"Always", "OnRootMismatch", NULL};
	static const char *const sgp[] = {"Merge", "Strict", NULL};
	static const char *const selcp[] = {"MountOption", "Recursive", NULL};
	const cJSON *sc = k8c_core_object(spec, "securityContext"), *it;
	const char *s;
	char p[CORE_PATH_MAX];
	int i = 0;

	if (sc == NULL)
		return;
	k8c_core_id_range(e, CORE_PATH(p, "%s.fsGroup", path), k8c_core_member(sc, "fsGroup"));
	k8c_core_id_range(e, CORE_PATH(p, "%s.runAsUser", path), k8c_core_member(sc, "runAsUser"));
	k8c_core_id_range(e, CORE_PATH(p, "%s.runAsGroup", path),
	                  k8c_core_member(sc, "runAsGroup"));
	cJSON_ArrayForEach(it, k8c_core_array(sc, "supplementalGroups"))
	{
		k8c_core_id_range(e, CORE_PATH(p, "%s.supplementalGroups[%d]", path, i), it);
		i++;
	}
	if (k8c_core_bool(spec, "shareProcessNamespace", 0) && k8c_core_bool(spec, "hostPID", 0))
		k8c_core_invalid_raw(e, CORE_PATH(p, "%s.shareProcessNamespace", path), "true",
		                     "ShareProcessNamespace and HostPID cannot both be enabled");
	i = 0;
	cJSON_ArrayForEach(it, k8c_core_array(sc, "sysctls"))
	{
		const char *name = k8c_core_strz(it, "name");
		const cJSON *prev;
		int j = 0, valid = name[0] != '\0' && strlen(name) <= 253;
		CORE_PATH(p, "%s.sysctls[%d].name", path, i);
		for (const char *c = name; *c != '\0'; c++)
			if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' ||
			      *c == '_' || *c == '.' || *c == '/'))
				valid = 0;
		if (name[0] == '\0') {
			k8c_core_required(e, p, NULL);
		} else if (!valid) {
			k8c_core_invalid_str(e, p, name,
			                     "must have at most 253 characters and match regex "
			                     "^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./"
			                     "])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$");
		} else {
			cJSON_ArrayForEach(prev, k8c_core_array(sc, "sysctls"))
			{
				if (j++ >= i)
					break;
				if (strcmp(k8c_core_strz(prev, "name"), name) == 0) {
					k8c_core_duplicate_str(e, p, name);
					break;
				}
			}
		}
		if (k8c_core_bool(spec, "hostNetwork", 0) && strncmp(name, "net.", 4) == 0)
			k8c_core_invalid_str(e, p, name,
			                     "may not be specified when 'hostNetwork' is true");
		else if (k8c_core_bool(spec, "hostIPC", 0) &&
		         (strncmp(name, "kernel.shm", 10) == 0 ||
		          strncmp(name, "kernel.msg", 10) == 0 || strcmp(name, "kernel.sem") == 0 ||
		          strncmp(name, "fs.mqueue.", 10) == 0))
			k8c_core_invalid_str(e, p, name,
			                     "may not be specified when 'hostIPC' is true");
		i++;
	}
	if ((s = k8c_core_str(sc, "fsGroupChangePolicy")) != NULL && !k8c_core_in(s, fsgcp))
		k8c_core_not_supported(e, CORE_PATH(p, "%s.fsGroupChangePolicy", path), s, fsgcp);
	k8c_core_seccomp_profile(e, k8c_core_object(sc, "seccompProfile"),
	                         CORE_PATH(p, "%s.seccompProfile", path));
	if ((s = k8c_core_str(sc, "supplementalGroupsPolicy")) != NULL && !k8c_core_in(s, sgp))
		k8c_core_not_supported(e, CORE_PATH(p, "%s.supplementalGroupsPolicy", path), s,
		                       sgp);
	if ((s = k8c_core_str(sc, "seLinuxChangePolicy")) != NULL && !k8c_core_in(s, selcp))
		k8c_core_not_supported(e, CORE_PATH(p, "%s.seLinuxChangePolicy", path), s, selcp);
}

static void dns_config(k8c_field_errors_t *e, const cJSON *spec, const char *path)
{
	const cJSON *cfg = k8c_core_object(spec, "dnsConfig"), *it;
	char p[CORE_PATH_MAX];
	size_t total = 0;
	int i = 0, nsearch = k8c_core_count(cfg, "searches");

	if (strcmp(k8c_core_strz(spec, "dnsPolicy"), "None") == 0) {
		if (cfg == NULL) {
			k8c_core_required(e, path,
			                  "must provide `dnsConfig` when `dnsPolicy` is None");
			return;
		}
		if (k8c_core_count(cfg, "nameservers") == 0) {
			k8c_core_required(
			    e, CORE_PATH(p, "%s.nameservers", path),
			    "must provide at least one DNS nameserver when `dnsPolicy` is None");
			return;
		}
	}
	if (cfg == NULL)
		return;
	if (k8c_core_count(cfg, "nameservers") > 3) {
		_cleanup_free_ char *raw =
		    k8c_core_goslice("string", k8c_core_array(cfg, "nameservers"));
		k8c_core_invalid_raw(e, CORE_PATH(p, "%s.nameservers", path), raw,
		                     "must not have more than 3 nameservers");
	}
	cJSON_ArrayForEach(it, k8c_core_array(cfg, "nameservers"))
	{
		k8c_core_valid_ip(e, CORE_PATH(p, "%s.nameservers[%d]", path, i),
		                  cJSON_IsString(it) ? it->valuestring : "");
		i++;
	}
	cJSON_ArrayForEach(it, k8c_core_array(cfg, "searches")) total +=
	    (cJSON_IsString(it) ? strlen(it->valuestring) : 0) + 1;
	if (nsearch > 32 || (total > 0 && total - 1 > 2048)) {
		_cleanup_free_ char *raw =
		    k8c_core_goslice("string", k8c_core_array(cfg, "searches"));
		if (nsearch > 32)
			k8c_core_invalid_raw(e, CORE_PATH(p, "%s.searches", path), raw,
			                     "must not have more than 32 search paths");
		if (total > 0 && total - 1 > 2048)
			k8c_core_invalid_raw(e, CORE_PATH(p, "%s.searches", path), raw,
			                     "must not have more than 2048 characters (including "
			                     "spaces) in the search list");
	}
	i = 0;
	cJSON_ArrayForEach(it, k8c_core_array(cfg, "searches"))
	{
		_cleanup_free_ char *s = k8c_xstrdup(cJSON_IsString(it) ? it->valuestring : "");
		size_t n = strlen(s);
		if (n > 0 && s[n - 1] == '.')
			s[n - 1] = '\0';
		k8c_core_dns_subdomain(e, CORE_PATH(p, "%s.searches[%d]", path, i), s);
		i++;
	}
	i = 0;
	cJSON_ArrayForEach(it, k8c_core_array(cfg, "options"))
	{
		if (k8c_core_strz(it, "name")[0] == '\0')
			k8c_core_required(e, CORE_PATH(p, "%s.options[%d]", path, i),
			                  "must not be empty");
		i++;
	}
}

static void topology_spread(k8c_field_errors_t *e, const cJSON *list, const char *path)
{
	static const char *const actions[] = {"DoNotSchedule", "ScheduleAnyway", NULL};
	static const char *const policies[] = {"Honor", "Ignore", NULL};
	const cJSON *c;
	char p[CORE_PATH_MAX], cp[CORE_PATH_MAX];
	int i = 0;

	cJSON_ArrayForEach(c, list)
	{
		const char *tk = k8c_core_strz(c, "topologyKey"),
		           *wu = k8c_core_strz(c, "whenUnsatisfiable");
		long long skew = k8c_core_int(c, "maxSkew", 0);
		const cJSON *rest, *md = k8c_core_member(c, "minDomains");
		const char *s;
		CORE_PATH(cp, "%s[%d]", path, i++);
		if (skew <= 0)
			k8c_core_invalid_int(e, CORE_PATH(p, "%s.maxSkew", cp), skew,
			                     "must be greater than zero");
		if (tk[0] == '\0')
			k8c_core_required(e, CORE_PATH(p, "%s.topologyKey", cp),
			                  "can not be empty");
		if (!k8c_core_in(wu, actions))
			k8c_core_not_supported(e, CORE_PATH(p, "%s.whenUnsatisfiable", cp), wu,
			                       actions);
		for (rest = c->next; rest != NULL; rest = rest->next) {
			if (strcmp(k8c_core_strz(rest, "topologyKey"), tk) == 0 &&
			    strcmp(k8c_core_strz(rest, "whenUnsatisfiable"), wu) == 0) {
				_cleanup_free_ char *v = k8c_xasprintf("{%s, %s}", tk, wu);
				k8c_core_duplicate_str(
				    e, CORE_PATH(p, "%s.{topologyKey, whenUnsatisfiable}", cp), v);
				break;
			}
		}
		if (cJSON_IsNumber(md)) {
			CORE_PATH(p, "%s.minDomains", cp);
			if (md->valuedouble <= 0)
				k8c_core_invalid_int(e, p, (long long)md->valuedouble,
				                     "must be greater than zero");
			if (strcmp(wu, "DoNotSchedule") != 0) {
				_cleanup_free_ char *d =
				    k8c_xasprintf("can only use minDomains if "
				                  "whenUnsatisfiable=DoNotSchedule, not %s",
				                  wu);
				k8c_core_invalid_int(e, p, (long long)md->valuedouble, d);
			}
		}
		if ((s = k8c_core_str(c, "nodeAffinityPolicy")) != NULL &&
		    !k8c_core_in(s, policies))
			k8c_core_not_supported(e, CORE_PATH(p, "%s.nodeAffinityPolicy", cp), s,
			                       policies);
		if ((s = k8c_core_str(c, "nodeTaintsPolicy")) != NULL && !k8c_core_in(s, policies))
			k8c_core_not_supported(e, CORE_PATH(p, "%s.nodeTaintsPolicy", cp), s,
			                       policies);
		k8c_core_label_selector(e, CORE_PATH(p, "%s.labelSelector", cp),
		                        k8c_core_object(c, "labelSelector"));
	}
}

/* --- ValidatePodSpec --------------------------------------------------------------- */

static void host_network_ports(k8c_field_errors_t *e, const cJSON *spec, int is_pod,
                               const char *path)
{
	const cJSON *c, *port;
	char p[CORE_PATH_MAX];
	int i = 0;

	if (!k8c_core_bool(spec, "hostNetwork", 0))
		return;
	cJSON_ArrayForEach(c, k8c_core_array(spec, "containers"))
	{
		int j = 0;
		cJSON_ArrayForEach(port, k8c_core_array(c, "ports"))
		{
			long long hp = k8c_core_int(port, "hostPort", 0),
			          cp = k8c_core_int(port, "containerPort", 0);
			if ((is_pod || hp != 0) && hp != cp)
				k8c_core_invalid_int(
				    e,
				    CORE_PATH(p, "%s.containers[%d].ports[%d].hostPort", path, i,
				              j),
				    hp, "must match `containerPort` when `hostNetwork` is true");
			j++;
		}
		i++;
	}
}

static void os_rules(k8c_field_errors_t *e, const cJSON *spec, const char *path)
{
	static const char *const oses[] = {"linux", "windows", NULL};
	static const char *const lists[] = {"containers", "initContainers", "ephemeralContainers",
	                                    NULL};
	const cJSON *os = k8c_core_object(spec, "os"), *c;
	const char *name = k8c_core_strz(os, "name");
	char p[CORE_PATH_MAX];

	if (os == NULL)
		return;
	if (name[0] == '\0') {
		k8c_core_required(e, CORE_PATH(p, "%s.os.name", path), "cannot be empty");
		return;
	}
	if (!k8c_core_in(name, oses)) {
		k8c_core_not_supported(e, CORE_PATH(p, "%s.os", path), name, oses);
		return;
	}
	if (strcmp(name, "linux") != 0)
		return;
	if (k8c_core_has(k8c_core_object(spec, "securityContext"), "windowsOptions"))
		k8c_core_forbidden(e, CORE_PATH(p, "%s.securityContext.windowsOptions", path),
		                   "windows options cannot be set for a linux pod");
	for (const char *const *l = lists; *l != NULL; l++) {
		int i = 0;
		cJSON_ArrayForEach(c, k8c_core_array(spec, *l))
		{
			if (k8c_core_has(k8c_core_object(c, "securityContext"), "windowsOptions"))
				k8c_core_forbidden(
				    e,
				    CORE_PATH(p, "%s.%s[%d].securityContext.windowsOptions", path,
				              *l, i),
				    "windows options cannot be set for a linux pod");
			i++;
		}
	}
}

void k8c_core_podspec_check(const cJSON *spec, const cJSON *podmeta, const char *path, int is_pod,
                            k8c_field_errors_t *e)
{
	static const char *const restarts[] = {"Always", "OnFailure", "Never", NULL};
	static const char *const dnss[] = {"ClusterFirstWithHostNet", "ClusterFirst", "Default",
	                                   "None", NULL};
	static const char *const preemptions[] = {"PreemptLowerPriority", "Never", NULL};
	k8c_core_vols_t vols = {NULL, 0};
	const char *rp = k8c_core_strz(spec, "restartPolicy"),
	           *dp = k8c_core_strz(spec, "dnsPolicy");
	const char *s;
	const cJSON *it, *ads;
	char p[CORE_PATH_MAX];
	int i = 0;

	if (!k8c_core_has(spec, "terminationGracePeriodSeconds"))
		k8c_core_required(e, CORE_PATH(p, "%s.terminationGracePeriodSeconds", path), NULL);
	k8c_core_volumes(k8c_core_array(spec, "volumes"), podmeta, CORE_PATH(p, "%s.volumes", path),
	                 &vols, e);
	cJSON_ArrayForEach(it, k8c_core_array(spec, "resourceClaims"))
	{
		const char *name = k8c_core_strz(it, "name");
		CORE_PATH(p, "%s.resourceClaims[%d].name", path, i++);
		if (name[0] == '\0')
			k8c_core_required(e, p, NULL);
		else
			k8c_core_dns_label(e, p, name);
	}
	k8c_core_containers(spec, &vols, path, is_pod, e);
	free(vols.items);
	host_network_ports(e, spec, is_pod, path);
	CORE_PATH(p, "%s.restartPolicy", path);
	if (rp[0] == '\0')
		k8c_core_required(e, p, NULL);
	else if (!k8c_core_in(rp, restarts))
		k8c_core_not_supported(e, p, rp, restarts);
	CORE_PATH(p, "%s.dnsPolicy", path);
	if (dp[0] == '\0')
		k8c_core_required(e, p, NULL);
	else if (!k8c_core_in(dp, dnss))
		k8c_core_not_supported(e, p, dp, dnss);
	k8c_core_labels(e, CORE_PATH(p, "%s.nodeSelector", path),
	                k8c_core_object(spec, "nodeSelector"));
	pod_security(e, spec, CORE_PATH(p, "%s.securityContext", path));
	if (k8c_core_object(spec, "affinity") != NULL)
		affinity(e, k8c_core_object(spec, "affinity"), CORE_PATH(p, "%s.affinity", path));
	dns_config(e, spec, CORE_PATH(p, "%s.dnsConfig", path));
	i = 0;
	cJSON_ArrayForEach(it, k8c_core_array(spec, "readinessGates"))
	{
		k8c_core_qualified_name(
		    e, CORE_PATH(p, "%s.readinessGates[%d].conditionType", path, i),
		    k8c_core_strz(it, "conditionType"));
		i++;
	}
	i = 0;
	cJSON_ArrayForEach(it, k8c_core_array(spec, "schedulingGates"))
	{
		const char *name = k8c_core_strz(it, "name");
		const cJSON *prev;
		int j = 0;
		CORE_PATH(p, "%s.schedulingGates[%d]", path, i);
		k8c_core_qualified_name(e, p, name);
		cJSON_ArrayForEach(prev, k8c_core_array(spec, "schedulingGates"))
		{
			if (j++ >= i)
				break;
			if (strcmp(k8c_core_strz(prev, "name"), name) == 0) {
				k8c_core_duplicate_str(e, p, name);
				break;
			}
		}
		i++;
	}
	topology_spread(e, k8c_core_array(spec, "topologySpreadConstraints"),
	                CORE_PATH(p, "%s.topologySpreadConstraints", path));
	if (!k8c_core_bool(k8c_core_object(spec, "securityContext"), "hostUsers", 1)) {
		if (k8c_core_bool(spec, "hostNetwork", 0))
			k8c_core_forbidden(e, CORE_PATH(p, "%s.hostNetwork", path),
			                   "when `pod.Spec.HostUsers` is false");
		if (k8c_core_bool(spec, "hostPID", 0))
			k8c_core_forbidden(e, CORE_PATH(p, "%s.HostPID", path),
			                   "when `pod.Spec.HostUsers` is false");
		if (k8c_core_bool(spec, "hostIPC", 0))
			k8c_core_forbidden(e, CORE_PATH(p, "%s.HostIPC", path),
			                   "when `pod.Spec.HostUsers` is false");
	}
	if ((s = k8c_core_strz(spec, "serviceAccountName"))[0] != '\0')
		k8c_core_dns_subdomain(e, CORE_PATH(p, "%s.serviceAccountName", path), s);
	if ((s = k8c_core_strz(spec, "nodeName"))[0] != '\0')
		k8c_core_dns_subdomain(e, CORE_PATH(p, "%s.nodeName", path), s);
	ads = k8c_core_member(spec, "activeDeadlineSeconds");
	if (cJSON_IsNumber(ads) && (ads->valuedouble < 1 || ads->valuedouble > 2147483647.0))
		k8c_core_invalid_int(e, CORE_PATH(p, "%s.activeDeadlineSeconds", path),
		                     (long long)ads->valuedouble,
		                     "must be between 1 and 2147483647, inclusive");
	if ((s = k8c_core_strz(spec, "hostname"))[0] != '\0')
		k8c_core_dns_label(e, CORE_PATH(p, "%s.hostname", path), s);
	if ((s = k8c_core_strz(spec, "subdomain"))[0] != '\0')
		k8c_core_dns_label(e, CORE_PATH(p, "%s.subdomain", path), s);
	k8c_core_tolerations(k8c_core_array(spec, "tolerations"),
	                     CORE_PATH(p, "%s.tolerations", path), e);
	i = 0;
	cJSON_ArrayForEach(it, k8c_core_array(spec, "hostAliases"))
	{
		const cJSON *h;
		int j = 0;
		k8c_core_valid_ip(e, CORE_PATH(p, "%s.hostAliases[%d].ip", path, i),
		                  k8c_core_strz(it, "ip"));
		cJSON_ArrayForEach(h, k8c_core_array(it, "hostnames"))
		{
			k8c_core_dns_subdomain(
			    e, CORE_PATH(p, "%s.hostAliases[%d].hostnames[%d]", path, i, j),
			    cJSON_IsString(h) ? h->valuestring : "");
			j++;
		}
		i++;
	}
	if ((s = k8c_core_strz(spec, "priorityClassName"))[0] != '\0')
		k8c_core_dns_subdomain(e, CORE_PATH(p, "%s.priorityClassName", path), s);
	if ((s = k8c_core_str(spec, "runtimeClassName")) != NULL)
		k8c_core_dns_subdomain(e, CORE_PATH(p, "%s.runtimeClassName", path), s);
	if ((s = k8c_core_str(spec, "preemptionPolicy")) != NULL) {
		CORE_PATH(p, "%s.preemptionPolicy", path);
		if (s[0] == '\0')
			k8c_core_required(e, p, NULL);
		else if (!k8c_core_in(s, preemptions))
			k8c_core_not_supported(e, p, s, preemptions);
	}
	os_rules(e, spec, path);
}

void k8c_core_podspec_validate(const cJSON *spec, const char *path, k8c_field_errors_t *errs)
{
	k8c_core_podspec_check(spec, NULL, path, 0, errs);
}

void k8c_core_pod_template_validate(const cJSON *tmpl, const char *path, k8c_field_errors_t *errs)
{
	const cJSON *meta = k8c_core_object(tmpl, "metadata");
	char p[CORE_PATH_MAX];

	k8c_core_labels(errs, CORE_PATH(p, "%s.labels", path), k8c_core_object(meta, "labels"));
	k8c_core_podspec_check(k8c_core_object(tmpl, "spec"), NULL, CORE_PATH(p, "%s.spec", path),
	                       0, errs);
	if (k8c_core_count(k8c_core_object(tmpl, "spec"), "ephemeralContainers") > 0)
		k8c_core_forbidden(errs, CORE_PATH(p, "%s.spec.ephemeralContainers", path),
		                   "ephemeral containers not allowed in pod template");
}
