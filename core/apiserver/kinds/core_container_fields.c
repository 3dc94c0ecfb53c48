/* Container fields: resource requirements (validateResourceRequirements
 * for containers, ValidateResourceQuantityValue), environment variables
 * and their downward API and key selectors (ValidateEnv, ValidateEnvFrom),
 * and security contexts (ValidateSecurityContext). */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/kinds/core_internal.h"
#include "common/mem.h"
#include "common/names.h"

#define QTY_FORMAT_ERR                                                                             \
	"quantities must match the regular expression "                                            \
	"'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"

/* --- resources ---------------------------------------------------------------- */

static int is_hugepages(const char *n)
{
	return strncmp(n, "hugepages-", 10) == 0;
}

static int is_native(const char *n)
{
	return strchr(n, '/') == NULL || strstr(n, "kubernetes.io/") != NULL;
}

static int is_extended(const char *n)
{
	char msg[K8C_NAME_MSG_MAX];
	_cleanup_free_ char *q = NULL;

	if (is_native(n) || strncmp(n, "requests.", 9) == 0)
		return 0;
	q = k8c_xasprintf("requests.%s", n);
	return k8c_is_qualified_name(q, msg, sizeof(msg));
}

static int overcommit_allowed(const char *n)
{
	return is_native(n) && !is_hugepages(n);
}

void k8c_core_resource_quantity(k8c_field_errors_t *e, const char *path, const char *name,
                                const cJSON *v)
{
	static const char *const ints[] = {"pods",
	                                   "services",
	                                   "replicationcontrollers",
	                                   "resourcequotas",
	                                   "secrets",
	                                   "configmaps",
	                                   "persistentvolumeclaims",
	                                   "services.nodeports",
	                                   "services.loadbalancers",
	                                   NULL};
	k8c_quantity_t q, zero = k8c_quantity_from_int(0, K8C_QUANTITY_DECIMAL_SI);
	char buf[K8C_QUANTITY_STRLEN];

	if (k8c_core_qty(v, &q) < 0) {
		_cleanup_free_ char *raw = cJSON_PrintUnformatted(v);
		k8c_core_invalid_raw(e, path, raw ? raw : "null", QTY_FORMAT_ERR);
		return;
	}
	/* formatted for error messages only: this runs for every request and limit */
	if (k8c_quantity_cmp(&q, &zero) < 0)
		k8c_core_invalid_str(e, path, k8c_quantity_format(&q, buf, sizeof(buf)),
		                     "must be greater than or equal to 0");
	if ((k8c_core_in(name, ints) || is_extended(name)) && k8c_quantity_milli(&q) % 1000 != 0)
		k8c_core_invalid_raw(e, path, k8c_quantity_format(&q, buf, sizeof(buf)), "must be an integer");
}

static void resource_name(k8c_field_errors_t *e, const char *path, const char *name)
{
	static const char *const standard[] = {"cpu",
	                                       "memory",
	                                       "ephemeral-storage",
	                                       "requests.cpu",
	                                       "requests.memory",
	                                       "requests.ephemeral-storage",
	                                       "limits.cpu",
	                                       "limits.memory",
	                                       "limits.ephemeral-storage",
	                                       "pods",
	                                       "resourcequotas",
	                                       "services",
	                                       "replicationcontrollers",
	                                       "secrets",
	                                       "persistentvolumeclaims",
	                                       "configmaps",
	                                       "storage",
	                                       "requests.storage",
	                                       "services.nodeports",
	                                       "services.loadbalancers",
	                                       NULL};
	static const char *const container[] = {"cpu", "memory", "ephemeral-storage", NULL};
	char msg[K8C_NAME_MSG_MAX];
	int qualified = k8c_is_qualified_name(name, msg, sizeof(msg));

	/* validateResourceName; ResourceName prints unquoted (a Stringer) */
	if (!qualified)
		k8c_core_invalid_msgs(e, path, name, msg);
	else if (strchr(name, '/') == NULL && !k8c_core_in(name, standard) && !is_hugepages(name) &&
	         strncmp(name, "requests.hugepages-", 19) != 0)
		k8c_core_invalid_raw(e, path, name,
		                     "must be a standard resource type or fully qualified");
	/* validateContainerResourceName */
	if (strchr(name, '/') == NULL) {
		if (!k8c_core_in(name, container) && !is_hugepages(name))
			k8c_core_invalid_raw(e, path, name,
			                     "must be a standard resource for containers");
	} else if (!is_native(name) && !is_extended(name)) {
		k8c_core_invalid_raw(e, path, name,
		                     "doesn't follow extended resource name standard");
	}
}

void k8c_core_container_resources(k8c_field_errors_t *e, const cJSON *res, const char *path)
{
	const cJSON *lim = k8c_core_object(res, "limits"), *req = k8c_core_object(res, "requests"),
	            *it;
	int cpumem = 0, hugepages = 0;
	char p[CORE_PATH_MAX], rp[CORE_PATH_MAX];

	cJSON_ArrayForEach(it, lim)
	{
		CORE_PATH(p, "%s.limits[%s]", path, it->string);
		resource_name(e, p, it->string);
		k8c_core_resource_quantity(e, p, it->string, it);
		hugepages |= is_hugepages(it->string);
		cpumem |= strcmp(it->string, "cpu") == 0 || strcmp(it->string, "memory") == 0;
	}
	CORE_PATH(rp, "%s.requests", path);
	cJSON_ArrayForEach(it, req)
	{
		const cJSON *l = k8c_core_member(lim, it->string);
		k8c_quantity_t qr, ql;
		CORE_PATH(p, "%s.requests[%s]", path, it->string);
		resource_name(e, p, it->string);
		k8c_core_resource_quantity(e, p, it->string, it);
		if (l != NULL) {
			if (k8c_core_qty(it, &qr) == 0 && k8c_core_qty(l, &ql) == 0) {
				char bq[K8C_QUANTITY_STRLEN], bl[K8C_QUANTITY_STRLEN];
				_cleanup_free_ char *d = NULL;
				int c = k8c_quantity_cmp(&qr, &ql);
				int must_equal = c != 0 && !overcommit_allowed(it->string);
				if (must_equal || c > 0) { /* formatted for the message only */
					k8c_quantity_format(&qr, bq, sizeof(bq));
					k8c_quantity_format(&ql, bl, sizeof(bl));
					d = k8c_xasprintf(must_equal ? "must be equal to %s limit of %s"
					                             : "must be less than or equal to %s limit of %s",
					                  it->string, bl);
					k8c_core_invalid_str(e, rp, bq, d);
				}
			}
		} else if (!overcommit_allowed(it->string)) {
			CORE_PATH(p, "%s.limits", path);
			k8c_core_required(e, p,
			                  "Limit must be set for non overcommitable resources");
		}
		hugepages |= is_hugepages(it->string);
		cpumem |= strcmp(it->string, "cpu") == 0 || strcmp(it->string, "memory") == 0;
	}
	if (!cpumem && hugepages)
		k8c_core_forbidden(e, path, "HugePages require cpu or memory");
}

/* --- env ---------------------------------------------------------------------- */

static void env_name(k8c_field_errors_t *e, const char *path, const char *name)
{
	/* IsRelaxedEnvVarName (RelaxedEnvironmentVariableValidation, beta in 1.32) */
	for (const unsigned char *c = (const unsigned char *)name; *c != '\0'; c++) {
		if (*c < 32 || *c > 126 || *c == '=') {
			k8c_core_invalid_str(
			    e, path, name,
			    "a valid environment variable name must consist only of "
			    "printable ASCII characters other than '='");
			return;
		}
	}
}

static const char *const env_field_paths[] = {"metadata.name",
                                              "metadata.namespace",
                                              "metadata.uid",
                                              "spec.nodeName",
                                              "spec.serviceAccountName",
                                              "status.hostIP",
                                              "status.hostIPs",
                                              "status.podIP",
                                              "status.podIPs",
                                              NULL};
const char *const k8c_core_volume_field_paths[] = {"metadata.annotations", "metadata.labels",
                                                   "metadata.name",        "metadata.namespace",
                                                   "metadata.uid",         NULL};
static const char *const resource_field_paths[] = {"limits.cpu",
                                                   "limits.ephemeral-storage",
                                                   "limits.memory",
                                                   "requests.cpu",
                                                   "requests.ephemeral-storage",
                                                   "requests.memory",
                                                   NULL};

void k8c_core_object_field_selector(k8c_field_errors_t *e, const cJSON *fs,
                                    const char *const *exprs, const char *path)
{
	static const char *const convertible[] = {"metadata.annotations",
	                                          "metadata.labels",
	                                          "metadata.name",
	                                          "metadata.namespace",
	                                          "metadata.uid",
	                                          "spec.nodeName",
	                                          "spec.restartPolicy",
	                                          "spec.serviceAccountName",
	                                          "spec.schedulerName",
	                                          "status.phase",
	                                          "status.hostIP",
	                                          "status.hostIPs",
	                                          "status.podIP",
	                                          "status.podIPs",
	                                          "spec.host",
	                                          NULL};
	const char *api = k8c_core_strz(fs, "apiVersion"), *fp = k8c_core_strz(fs, "fieldPath");
	const char *open, *sub = NULL;
	_cleanup_free_ char *base = NULL, *detail = NULL;
	char p[CORE_PATH_MAX];
	size_t n = strlen(fp);

	if (api[0] == '\0') {
		k8c_core_required(e, CORE_PATH(p, "%s.apiVersion", path), NULL);
		return;
	}
	if (fp[0] == '\0') {
		k8c_core_required(e, CORE_PATH(p, "%s.fieldPath", path), NULL);
		return;
	}
	/* SplitMaybeSubscriptedPath: "metadata.labels['key']" */
	open = strstr(fp, "['");
	if (open != NULL && n >= 2 && fp[n - 1] == ']' && fp[n - 2] == '\'' &&
	    open + 2 <= fp + n - 2) {
		base = k8c_xstrndup(fp, (size_t)(open - fp));
		sub = open + 2;
	}
	if (strcmp(api, "v1") != 0)
		detail =
		    k8c_xasprintf("error converting fieldPath: unsupported pod version: %s", api);
	else if (base != NULL && strcmp(base, "metadata.annotations") != 0 &&
	         strcmp(base, "metadata.labels") != 0)
		detail = k8c_xasprintf(
		    "error converting fieldPath: field label does not support subscript: %s", fp);
	else if (base == NULL && !k8c_core_in(fp, convertible))
		detail =
		    k8c_xasprintf("error converting fieldPath: field label not supported: %s", fp);
	if (detail != NULL) {
		k8c_core_invalid_str(e, CORE_PATH(p, "%s.fieldPath", path), fp, detail);
		return;
	}
	if (base != NULL) {
		_cleanup_free_ char *key = k8c_xstrndup(sub, (size_t)(fp + n - 2 - sub));
		if (strcmp(base, "metadata.annotations") == 0)
			for (char *c = key; *c != '\0'; c++)
				if (*c >= 'A' && *c <= 'Z')
					*c = (char)(*c - 'A' + 'a');
		k8c_core_qualified_name(e, path, key);
		return;
	}
	if (strcmp(fp, "spec.host") == 0)
		fp = "spec.nodeName";
	if (!k8c_core_in(fp, exprs))
		k8c_core_not_supported(e, CORE_PATH(p, "%s.fieldPath", path), fp, exprs);
}

void k8c_core_resource_field_selector(k8c_field_errors_t *e, const cJSON *fs, int volume,
                                      const char *path)
{
	const char *res = k8c_core_strz(fs, "resource");
	char p[CORE_PATH_MAX];

	if (volume && k8c_core_strz(fs, "containerName")[0] == '\0')
		k8c_core_required(e, CORE_PATH(p, "%s.containerName", path), NULL);
	else if (res[0] == '\0')
		k8c_core_required(e, CORE_PATH(p, "%s.resource", path), NULL);
	else if (!k8c_core_in(res, resource_field_paths) &&
	         strncmp(res, "requests.hugepages-", 19) != 0 &&
	         strncmp(res, "limits.hugepages-", 17) != 0)
		k8c_core_not_supported(e, CORE_PATH(p, "%s.resource", path), res,
		                       resource_field_paths);
}

static void key_selector(k8c_field_errors_t *e, const cJSON *s, const char *path)
{
	const char *key = k8c_core_strz(s, "key");
	char p[CORE_PATH_MAX];

	k8c_core_dns_subdomain(e, CORE_PATH(p, "%s.name", path), k8c_core_strz(s, "name"));
	if (key[0] == '\0')
		k8c_core_required(e, CORE_PATH(p, "%s.key", path), NULL);
	else
		k8c_core_config_key(e, CORE_PATH(p, "%s.key", path), key);
}

void k8c_core_container_env(k8c_field_errors_t *e, const cJSON *list, const char *path)
{
	const cJSON *ev;
	char p[CORE_PATH_MAX], vp[CORE_PATH_MAX];
	int i = 0;

	cJSON_ArrayForEach(ev, list)
	{
		const char *name = k8c_core_strz(ev, "name");
		const cJSON *from = k8c_core_object(ev, "valueFrom");
		if (name[0] == '\0')
			k8c_core_required(e, CORE_PATH(p, "%s[%d].name", path, i), NULL);
		else
			env_name(e, CORE_PATH(p, "%s[%d].name", path, i), name);
		if (from != NULL) {
			int nsrc = 0;
			const cJSON *s;
			CORE_PATH(vp, "%s[%d].valueFrom", path, i);
			if ((s = k8c_core_object(from, "fieldRef")) != NULL) {
				nsrc++;
				k8c_core_object_field_selector(e, s, env_field_paths,
				                               CORE_PATH(p, "%s.fieldRef", vp));
			}
			if ((s = k8c_core_object(from, "resourceFieldRef")) != NULL) {
				nsrc++;
				k8c_core_resource_field_selector(
				    e, s, 0, CORE_PATH(p, "%s.resourceFieldRef", vp));
			}
			if ((s = k8c_core_object(from, "configMapKeyRef")) != NULL) {
				nsrc++;
				key_selector(e, s, CORE_PATH(p, "%s.configMapKeyRef", vp));
			}
			if ((s = k8c_core_object(from, "secretKeyRef")) != NULL) {
				nsrc++;
				key_selector(e, s, CORE_PATH(p, "%s.secretKeyRef", vp));
			}
			if (nsrc == 0)
				k8c_core_invalid_str(
				    e, vp, "",
				    "must specify one of: `fieldRef`, `resourceFieldRef`, "
				    "`configMapKeyRef` or `secretKeyRef`");
			else if (k8c_core_strz(ev, "value")[0] != '\0')
				k8c_core_invalid_str(
				    e, vp, "", "may not be specified when `value` is not empty");
			else if (nsrc > 1)
				k8c_core_invalid_str(
				    e, vp, "",
				    "may not have more than one field specified at a time");
		}
		i++;
	}
}

void k8c_core_container_env_from(k8c_field_errors_t *e, const cJSON *list, const char *path)
{
	const cJSON *ev;
	char p[CORE_PATH_MAX];
	int i = 0;

	cJSON_ArrayForEach(ev, list)
	{
		static const char *const refs[] = {"configMapRef", "secretRef", NULL};
		const char *prefix = k8c_core_strz(ev, "prefix");
		int nsrc = 0;
		if (prefix[0] != '\0')
			env_name(e, CORE_PATH(p, "%s[%d].prefix", path, i), prefix);
		for (const char *const *r = refs; *r != NULL; r++) {
			const cJSON *ref = k8c_core_object(ev, *r);
			const char *name;
			if (ref == NULL)
				continue;
			nsrc++;
			name = k8c_core_strz(ref, "name");
			if (name[0] == '\0')
				k8c_core_required(e, CORE_PATH(p, "%s[%d].%s.name", path, i, *r),
				                  NULL);
			else
				k8c_core_subdomain_prefix(
				    e, CORE_PATH(p, "%s[%d].%s.name", path, i, *r), name);
		}
		if (nsrc == 0)
			k8c_core_invalid_str(e, path, "",
			                     "must specify one of: `configMapRef` or `secretRef`");
		else if (nsrc > 1)
			k8c_core_invalid_str(
			    e, path, "", "may not have more than one field specified at a time");
		i++;
	}
}

/* --- security context ---------------------------------------------------------- */

void k8c_core_id_range(k8c_field_errors_t *e, const char *path, const cJSON *v)
{
	if (cJSON_IsNumber(v) && (v->valuedouble < 0 || v->valuedouble > 2147483647.0))
		k8c_core_invalid_int(e, path, (long long)v->valuedouble,
		                     "must be between 0 and 2147483647, inclusive");
}

void k8c_core_seccomp_profile(k8c_field_errors_t *e, const cJSON *sp, const char *path)
{
	static const char *const types[] = {"Localhost", "RuntimeDefault", "Unconfined", NULL};
	const char *type = k8c_core_strz(sp, "type");
	char p[CORE_PATH_MAX];

	if (sp == NULL)
		return;
	CORE_PATH(p, "%s.type", path);
	if (type[0] == '\0')
		k8c_core_required(e, p, "type is required when seccompProfile is set");
	else if (!k8c_core_in(type, types))
		k8c_core_not_supported(e, p, type, types);
	CORE_PATH(p, "%s.localhostProfile", path);
	if (strcmp(type, "Localhost") == 0) {
		if (!k8c_core_has(sp, "localhostProfile"))
			k8c_core_required(e, p, "must be set when seccomp type is Localhost");
		else
			k8c_core_local_descending_path(e, p, k8c_core_strz(sp, "localhostProfile"));
	} else if (k8c_core_has(sp, "localhostProfile")) {
		_cleanup_free_ char *raw = cJSON_PrintUnformatted(sp);
		k8c_core_invalid_raw(e, p, raw ? raw : "",
		                     "can only be set when seccomp type is Localhost");
	}
}

void k8c_core_container_security(k8c_field_errors_t *e, const cJSON *sc, int host_users,
                                 const char *path)
{
	static const char *const procmounts[] = {"Default", "Unmasked", NULL};
	const char *pm = k8c_core_str(sc, "procMount");
	char p[CORE_PATH_MAX];

	if (sc == NULL)
		return;
	k8c_core_id_range(e, CORE_PATH(p, "%s.runAsUser", path), k8c_core_member(sc, "runAsUser"));
	k8c_core_id_range(e, CORE_PATH(p, "%s.runAsGroup", path),
	                  k8c_core_member(sc, "runAsGroup"));
	if (pm != NULL) {
		CORE_PATH(p, "%s.procMount", path);
		if (!k8c_core_in(pm, procmounts))
			k8c_core_not_supported(e, p, pm, procmounts);
		if (host_users && strcmp(pm, "Unmasked") == 0)
			k8c_core_invalid_str(e, p, pm,
			                     "`hostUsers` must be false to use `Unmasked`");
	}
	k8c_core_seccomp_profile(e, k8c_core_object(sc, "seccompProfile"),
	                         CORE_PATH(p, "%s.seccompProfile", path));
	if (k8c_core_has(sc, "allowPrivilegeEscalation") &&
	    !k8c_core_bool(sc, "allowPrivilegeEscalation", 1)) {
		_cleanup_free_ char *raw = cJSON_PrintUnformatted(sc);
		const cJSON *cap;
		if (k8c_core_bool(sc, "privileged", 0))
			k8c_core_invalid_raw(e, path, raw,
			                     "cannot set `allowPrivilegeEscalation` to false and "
			                     "`privileged` to true");
		cJSON_ArrayForEach(cap, k8c_core_array(k8c_core_object(sc, "capabilities"), "add"))
		{
			if (cJSON_IsString(cap) && strcmp(cap->valuestring, "CAP_SYS_ADMIN") == 0)
				k8c_core_invalid_raw(e, path, raw,
				                     "cannot set `allowPrivilegeEscalation` to "
				                     "false and `capabilities.Add` CAP_SYS_ADMIN");
		}
	}
}
