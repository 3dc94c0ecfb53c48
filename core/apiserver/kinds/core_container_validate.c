/* Container validation, as Kubernetes' validateContainers,
 * validateInitContainers, validateEphemeralContainers and what they call:
 * ports, volume mounts, probes and handlers (env, resources and security
 * contexts are in core_container_fields.c). */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/kinds/core_internal.h"
#include "common/mem.h"
#include "common/names.h"

/* --- ports ---------------------------------------------------------------- */

static void container_ports(k8c_field_errors_t *e, const cJSON *ports, const char *path)
{
	static const char *const protocols[] = {"SCTP", "TCP", "UDP", NULL};
	int n = cJSON_GetArraySize(ports), i = 0, nnames = 0;
	_cleanup_free_ const char **names = k8c_xcalloc((size_t)n + 1, sizeof(*names));
	const cJSON *port;
	char p[CORE_PATH_MAX];

	cJSON_ArrayForEach(port, ports)
	{
		const char *name = k8c_core_strz(port, "name"),
		           *proto = k8c_core_strz(port, "protocol");
		long long cp = k8c_core_int(port, "containerPort", 0),
		          hp = k8c_core_int(port, "hostPort", 0);

		if (name[0] != '\0') {
			size_t before = e->n;
			k8c_core_port_name(e, CORE_PATH(p, "%s[%d].name", path, i), name);
			if (e->n == before) {
				int dup = 0;
				for (int j = 0; j < nnames; j++)
					dup |= strcmp(names[j], name) == 0;
				if (dup)
					k8c_core_duplicate_str(e, p, name);
				else
					names[nnames++] = name;
			}
		}
		if (cp == 0)
			k8c_core_required(e, CORE_PATH(p, "%s[%d].containerPort", path, i), NULL);
		else
			k8c_core_port_num(e, CORE_PATH(p, "%s[%d].containerPort", path, i), cp);
		if (hp != 0)
			k8c_core_port_num(e, CORE_PATH(p, "%s[%d].hostPort", path, i), hp);
		if (proto[0] == '\0')
			k8c_core_required(e, CORE_PATH(p, "%s[%d].protocol", path, i), NULL);
		else if (!k8c_core_in(proto, protocols))
			k8c_core_not_supported(e, CORE_PATH(p, "%s[%d].protocol", path, i), proto,
			                       protocols);
		i++;
	}
}

/* AccumulateUniqueHostPorts over containers[0..] of list, paths from path. */
static void host_port_conflicts(k8c_field_errors_t *e, const cJSON *const *ctrs, int n,
                                const char *path)
{
	size_t cap = 8, used = 0;
	_cleanup_free_ char **seen = k8c_xcalloc(cap, sizeof(*seen));
	char p[CORE_PATH_MAX];

	for (int ci = 0; ci < n; ci++) {
		const cJSON *port;
		int pi = 0;
		cJSON_ArrayForEach(port, k8c_core_array(ctrs[ci], "ports"))
		{
			long long hp = k8c_core_int(port, "hostPort", 0);
			char *key;
			int dup = 0;
			if (hp == 0) {
				pi++;
				continue;
			}
			key = k8c_xasprintf("%s/%s/%lld", k8c_core_strz(port, "protocol"),
			                    k8c_core_strz(port, "hostIP"), hp);
			for (size_t k = 0; k < used; k++)
				dup |= strcmp(seen[k], key) == 0;
			if (dup) {
				k8c_core_duplicate_str(
				    e, CORE_PATH(p, "%s[%d].ports[%d].hostPort", path, ci, pi),
				    key);
				free(key);
			} else {
				if (used == cap)
					seen = k8c_xrealloc(seen, (cap *= 2) * sizeof(*seen));
				seen[used++] = key;
			}
			pi++;
		}
	}
	for (size_t k = 0; k < used; k++)
		free(seen[k]);
}

/* --- volume mounts ------------------------------------------------------------ */

void k8c_core_local_descending_path(k8c_field_errors_t *e, const char *path, const char *target)
{
	const char *p = target;

	if (target[0] == '/')
		k8c_core_invalid_str(e, path, target, "must be a relative path");
	while (p != NULL) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			k8c_core_invalid_str(e, path, target, "must not contain '..'");
			break;
		}
		p = slash ? slash + 1 : NULL;
	}
}

static int privileged(const cJSON *c)
{
	return k8c_core_bool(k8c_core_object(c, "securityContext"), "privileged", 0);
}

static void volume_mounts(k8c_field_errors_t *e, const cJSON *c, const k8c_core_vols_t *vols,
                          const char *path)
{
	static const char *const propagations[] = {"Bidirectional", "HostToContainer", "None",
	                                           NULL};
	static const char *const rros[] = {"Disabled", "Enabled", "IfPossible", NULL};
	const cJSON *mounts = k8c_core_array(c, "volumeMounts"),
	            *devs = k8c_core_array(c, "volumeDevices");
	const cJSON *m, *d;
	char p[CORE_PATH_MAX];
	int i = 0;

	cJSON_ArrayForEach(m, mounts)
	{
		const char *name = k8c_core_strz(m, "name"), *mp = k8c_core_strz(m, "mountPath");
		const char *sub = k8c_core_strz(m, "subPath"),
		           *subx = k8c_core_strz(m, "subPathExpr");
		const char *prop = k8c_core_str(m, "mountPropagation"),
		           *rro = k8c_core_str(m, "recursiveReadOnly");
		const cJSON *vol = k8c_core_vols_find(vols, name), *prev;
		int j = 0;

		if (name[0] == '\0')
			k8c_core_required(e, CORE_PATH(p, "%s.volumeMounts[%d].name", path, i),
			                  NULL);
		if (vol == NULL)
			k8c_core_not_found_str(e, CORE_PATH(p, "%s.volumeMounts[%d].name", path, i),
			                       name);
		if (mp[0] == '\0')
			k8c_core_required(e, CORE_PATH(p, "%s.volumeMounts[%d].mountPath", path, i),
			                  NULL);
		cJSON_ArrayForEach(prev, mounts)
		{
			if (j++ >= i)
				break;
			if (strcmp(k8c_core_strz(prev, "mountPath"), mp) == 0) {
				k8c_core_invalid_str(
				    e, CORE_PATH(p, "%s.volumeMounts[%d].mountPath", path, i), mp,
				    "must be unique");
				break;
			}
		}
		cJSON_ArrayForEach(d, devs)
		{
			if (strcmp(k8c_core_strz(d, "name"), name) == 0)
				k8c_core_invalid_str(
				    e, CORE_PATH(p, "%s.volumeMounts[%d].name", path, i), name,
				    "must not already exist in volumeDevices");
			if (strcmp(k8c_core_strz(d, "devicePath"), mp) == 0)
				k8c_core_invalid_str(
				    e, CORE_PATH(p, "%s.volumeMounts[%d].mountPath", path, i), mp,
				    "must not already exist as a path in volumeDevices");
		}
		if (vol != NULL && k8c_core_has(vol, "image")) {
			if (sub[0] != '\0')
				k8c_core_invalid_str(
				    e, CORE_PATH(p, "%s.volumeMounts[%d].subPath", path, i), sub,
				    "not allowed in image volume sources");
			if (subx[0] != '\0')
				k8c_core_invalid_str(
				    e, CORE_PATH(p, "%s.volumeMounts[%d].subPathExpr", path, i),
				    subx, "not allowed in image volume sources");
		}
		if (sub[0] != '\0')
			k8c_core_local_descending_path(
			    e, CORE_PATH(p, "%s.volumeMounts.subPath", path), sub);
		if (subx[0] != '\0') {
			if (sub[0] != '\0')
				k8c_core_invalid_str(
				    e, CORE_PATH(p, "%s.volumeMounts[%d].subPathExpr", path, i),
				    subx, "subPathExpr and subPath are mutually exclusive");
			k8c_core_local_descending_path(
			    e, CORE_PATH(p, "%s.volumeMounts.subPathExpr", path), subx);
		}
		if (prop != NULL) {
			CORE_PATH(p, "%s.volumeMounts.mountPropagation", path);
			if (!k8c_core_in(prop, propagations))
				k8c_core_not_supported(e, p, prop, propagations);
			if (strcmp(prop, "Bidirectional") == 0 && !privileged(c))
				k8c_core_forbidden(e, p,
				                   "Bidirectional mount propagation is available "
				                   "only to privileged containers");
		}
		if (rro != NULL && strcmp(rro, "Disabled") != 0) {
			CORE_PATH(p, "%s.volumeMounts.recursiveReadOnly", path);
			if (!k8c_core_in(rro, rros)) {
				k8c_core_not_supported(e, p, rro, rros);
			} else {
				if (!k8c_core_bool(m, "readOnly", 0))
					k8c_core_forbidden(
					    e, p, "may only be specified when readOnly is true");
				if (prop != NULL && strcmp(prop, "None") != 0)
					k8c_core_forbidden(
					    e, p,
					    "may only be specified when mountPropagation is None "
					    "or not specified");
			}
		}
		i++;
	}
	i = 0;
	cJSON_ArrayForEach(d, devs)
	{
		const char *name = k8c_core_strz(d, "name"), *dp = k8c_core_strz(d, "devicePath");
		const cJSON *vol = k8c_core_vols_find(vols, name);
		CORE_PATH(p, "%s.volumeDevices[%d].name", path, i);
		if (name[0] == '\0')
			k8c_core_required(e, p, NULL);
		if (vol != NULL && !k8c_core_has(vol, "persistentVolumeClaim") &&
		    !k8c_core_has(vol, "ephemeral"))
			k8c_core_invalid_str(e, p, name,
			                     "can only use volume source type of "
			                     "PersistentVolumeClaim or Ephemeral for block mode");
		if (vol == NULL)
			k8c_core_not_found_str(e, p, name);
		if (dp[0] == '\0')
			k8c_core_required(
			    e, CORE_PATH(p, "%s.volumeDevices[%d].devicePath", path, i), NULL);
		cJSON_ArrayForEach(m, mounts)
		{
			if (strcmp(k8c_core_strz(m, "name"), name) == 0)
				k8c_core_invalid_str(
				    e, CORE_PATH(p, "%s.volumeDevices[%d].name", path, i), name,
				    "must not already exist in volumeMounts");
			if (strcmp(k8c_core_strz(m, "mountPath"), dp) == 0)
				k8c_core_invalid_str(
				    e, CORE_PATH(p, "%s.volumeDevices[%d].devicePath", path, i), dp,
				    "must not already exist as a path in volumeMounts");
		}
		i++;
	}
}

/* --- probes and handlers ---------------------------------------------------------- */

static void nonnegative(k8c_field_errors_t *e, const cJSON *o, const char *key, const char *path)
{
	char p[CORE_PATH_MAX];
	long long v = k8c_core_int(o, key, 0);

	if (v < 0)
		k8c_core_invalid_int(e, CORE_PATH(p, "%s.%s", path, key), v,
		                     "must be greater than or equal to 0");
}

static void http_get(k8c_field_errors_t *e, const cJSON *h, const char *path)
{
	static const char *const schemes[] = {"HTTP", "HTTPS", NULL};
	const char *scheme = k8c_core_strz(h, "scheme");
	const cJSON *hdr;
	char p[CORE_PATH_MAX];

	if (k8c_core_strz(h, "path")[0] == '\0')
		k8c_core_required(e, CORE_PATH(p, "%s.path", path), NULL);
	k8c_core_port_num_or_name(e, CORE_PATH(p, "%s.port", path), k8c_core_member(h, "port"));
	if (!k8c_core_in(scheme, schemes))
		k8c_core_not_supported(e, CORE_PATH(p, "%s.scheme", path), scheme, schemes);
	cJSON_ArrayForEach(hdr, k8c_core_array(h, "httpHeaders"))
	{
		const char *name = k8c_core_strz(hdr, "name");
		int ok = name[0] != '\0';
		for (const char *c = name; *c != '\0'; c++)
			if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			      (*c >= '0' && *c <= '9') || *c == '-'))
				ok = 0;
		if (!ok)
			k8c_core_invalid_str(
			    e, CORE_PATH(p, "%s.httpHeaders", path), name,
			    "a valid HTTP header must consist of alphanumeric characters or '-' "
			    "(e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')");
	}
}

static void handler(k8c_field_errors_t *e, const cJSON *h, const cJSON *grace, int probe,
                    const char *path)
{
	const char *const keys[] = {"exec", "httpGet", "tcpSocket", probe ? "grpc" : "sleep", NULL};
	char p[CORE_PATH_MAX];
	int n = 0;

	for (const char *const *k = keys; *k != NULL; k++) {
		const cJSON *a = k8c_core_object(h, *k);
		if (a == NULL)
			continue;
		CORE_PATH(p, "%s.%s", path, *k);
		if (n > 0) {
			k8c_core_forbidden(e, p, "may not specify more than 1 handler type");
			continue;
		}
		n++;
		if (strcmp(*k, "exec") == 0) {
			if (k8c_core_count(a, "command") == 0)
				k8c_core_required(e, CORE_PATH(p, "%s.exec.command", path), NULL);
		} else if (strcmp(*k, "httpGet") == 0) {
			http_get(e, a, p);
		} else if (strcmp(*k, "tcpSocket") == 0) {
			k8c_core_port_num_or_name(e, CORE_PATH(p, "%s.tcpSocket.port", path),
			                          k8c_core_member(a, "port"));
		} else if (strcmp(*k, "grpc") == 0) {
			k8c_core_port_num(e, CORE_PATH(p, "%s.grpc.port", path),
			                  k8c_core_int(a, "port", 0));
		} else if (cJSON_IsNumber(grace)) {
			long long s = k8c_core_int(a, "seconds", 0),
			          g = (long long)grace->valuedouble;
			if (s <= 0 || s > g) {
				_cleanup_free_ char *d =
				    k8c_xasprintf("must be greater than 0 and less than "
				                  "terminationGracePeriodSeconds (%lld). "
				                  "Enable AllowPodLifecycleSleepActionZeroValue "
				                  "feature gate for zero sleep.",
				                  g);
				k8c_core_invalid_int(e, p, s, d);
			}
		}
	}
	if (n == 0)
		k8c_core_required(e, path, "must specify a handler type");
}

/* validateLivenessProbe (kind 'l'), validateReadinessProbe ('r'),
 * validateStartupProbe ('s'). */
static void probe(k8c_field_errors_t *e, const cJSON *pr, const cJSON *grace, char kind,
                  const char *path)
{
	static const char *const nonneg[] = {"initialDelaySeconds", "timeoutSeconds",
	                                     "periodSeconds",       "successThreshold",
	                                     "failureThreshold",    NULL};
	const cJSON *tgp;
	char p[CORE_PATH_MAX];

	if (pr == NULL)
		return;
	handler(e, pr, grace, 1, path);
	for (const char *const *k = nonneg; *k != NULL; k++)
		nonnegative(e, pr, *k, path);
	tgp = k8c_core_member(pr, "terminationGracePeriodSeconds");
	if (cJSON_IsNumber(tgp) && tgp->valuedouble <= 0)
		k8c_core_invalid_int(e, CORE_PATH(p, "%s.terminationGracePeriodSeconds", path),
		                     (long long)tgp->valuedouble, "must be greater than 0");
	if (kind != 'r' && k8c_core_int(pr, "successThreshold", 0) != 1)
		k8c_core_invalid_int(e, CORE_PATH(p, "%s.successThreshold", path),
		                     k8c_core_int(pr, "successThreshold", 0), "must be 1");
	if (kind == 'r' && cJSON_IsNumber(tgp))
		k8c_core_invalid_int(e, CORE_PATH(p, "%s.terminationGracePeriodSeconds", path),
		                     (long long)tgp->valuedouble,
		                     "must not be set for readinessProbes");
}

static void lifecycle(k8c_field_errors_t *e, const cJSON *lc, const cJSON *grace, const char *path)
{
	char p[CORE_PATH_MAX];
	const cJSON *h;

	if ((h = k8c_core_object(lc, "postStart")) != NULL)
		handler(e, h, grace, 0, CORE_PATH(p, "%s.postStart", path));
	if ((h = k8c_core_object(lc, "preStop")) != NULL)
		handler(e, h, grace, 0, CORE_PATH(p, "%s.preStop", path));
}

/* --- containers ------------------------------------------------------------------- */

static void resize_policy(k8c_field_errors_t *e, const cJSON *list, const char *restart,
                          const char *path)
{
	static const char *const names[] = {"cpu", "memory", NULL};
	static const char *const policies[] = {"NotRequired", "RestartContainer", NULL};
	const cJSON *it;
	char p[CORE_PATH_MAX];
	int i = 0, seen_cpu = 0, seen_mem = 0;

	cJSON_ArrayForEach(it, list)
	{
		const char *rn = k8c_core_strz(it, "resourceName"),
		           *rp = k8c_core_strz(it, "restartPolicy");
		int *seen = strcmp(rn, "cpu") == 0      ? &seen_cpu
		            : strcmp(rn, "memory") == 0 ? &seen_mem
		                                        : NULL;
		if (seen != NULL && (*seen)++)
			k8c_core_duplicate_str(e, CORE_PATH(p, "%s[%d]", path, i), rn);
		if (rn[0] == '\0')
			k8c_core_required(e, path, NULL);
		else if (!k8c_core_in(rn, names))
			k8c_core_not_supported(e, path, rn, names);
		if (rp[0] == '\0')
			k8c_core_required(e, path, NULL);
		else if (!k8c_core_in(rp, policies))
			k8c_core_not_supported(e, path, rp, policies);
		if (strcmp(restart, "Never") == 0 && strcmp(rp, "NotRequired") != 0)
			k8c_core_invalid_str(
			    e, path, rp, "must be 'NotRequired' when `restartPolicy` is 'Never'");
		i++;
	}
}

typedef struct ctx {
	const k8c_core_vols_t *vols;
	const cJSON *grace;
	const char *restart;
	int host_users;
} ctx_t;

static void container_common(k8c_field_errors_t *e, const cJSON *c, const ctx_t *x,
                             const char *path)
{
	static const char *const tmps[] = {"File", "FallbackToLogsOnError", NULL};
	static const char *const pulls[] = {"Always", "IfNotPresent", "Never", NULL};
	const char *name = k8c_core_strz(c, "name"),
	           *tmp = k8c_core_strz(c, "terminationMessagePolicy");
	const char *pull = k8c_core_strz(c, "imagePullPolicy");
	char p[CORE_PATH_MAX];

	if (name[0] == '\0')
		k8c_core_required(e, CORE_PATH(p, "%s.name", path), NULL);
	else
		k8c_core_dns_label(e, CORE_PATH(p, "%s.name", path), name);
	if (k8c_core_strz(c, "image")[0] == '\0')
		k8c_core_required(e, CORE_PATH(p, "%s.image", path), NULL);
	CORE_PATH(p, "%s.terminationMessagePolicy", path);
	if (tmp[0] == '\0')
		k8c_core_required(e, p, NULL);
	else if (!k8c_core_in(tmp, tmps))
		k8c_core_not_supported(e, p, tmp, tmps);
	container_ports(e, k8c_core_array(c, "ports"), CORE_PATH(p, "%s.ports", path));
	k8c_core_container_env(e, k8c_core_array(c, "env"), CORE_PATH(p, "%s.env", path));
	k8c_core_container_env_from(e, k8c_core_array(c, "envFrom"),
	                            CORE_PATH(p, "%s.envFrom", path));
	volume_mounts(e, c, x->vols, path);
	CORE_PATH(p, "%s.imagePullPolicy", path);
	if (pull[0] == '\0')
		k8c_core_required(e, p, NULL);
	else if (!k8c_core_in(pull, pulls))
		k8c_core_not_supported(e, p, pull, pulls);
	k8c_core_container_resources(e, k8c_core_object(c, "resources"),
	                             CORE_PATH(p, "%s.resources", path));
	resize_policy(e, k8c_core_array(c, "resizePolicy"), x->restart,
	              CORE_PATH(p, "%s.resizePolicy", path));
	k8c_core_container_security(e, k8c_core_object(c, "securityContext"), x->host_users,
	                            CORE_PATH(p, "%s.securityContext", path));
}

static int name_in(const cJSON *const *list, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(k8c_core_strz(list[i], "name"), name) == 0)
			return 1;
	return 0;
}

static int collect(const cJSON *arr, const cJSON ***out)
{
	int n = cJSON_GetArraySize(arr), i = 0;
	const cJSON *it;

	*out = k8c_xcalloc((size_t)n + 1, sizeof(**out));
	cJSON_ArrayForEach(it, arr)(*out)[i++] = it;
	return n;
}

static void ephemeral(k8c_field_errors_t *e, const cJSON *spec, const ctx_t *x,
                      const cJSON *const *ctrs, int nc, const cJSON *const *inits, int ni,
                      const char *path)
{
	static const char *const disallowed[] = {"ports",          "resources",     "livenessProbe",
	                                         "readinessProbe", "startupProbe",  "lifecycle",
	                                         "resizePolicy",   "restartPolicy", NULL};
	_cleanup_free_ const cJSON **eph = NULL;
	int ne = collect(k8c_core_array(spec, "ephemeralContainers"), &eph);
	char p[CORE_PATH_MAX], cp[CORE_PATH_MAX];

	for (int i = 0; i < ne; i++) {
		const char *name = k8c_core_strz(eph[i], "name"),
		           *target = k8c_core_strz(eph[i], "targetContainerName");
		const cJSON *m;
		int j = 0;
		CORE_PATH(cp, "%s.ephemeralContainers[%d]", path, i);
		container_common(e, eph[i], x, cp);
		{
			const char *img = k8c_core_strz(eph[i], "image");
			size_t n = strlen(img);
			if (n > 0 &&
			    (img[0] == ' ' || img[0] == '\t' || img[0] == '\n' ||
			     img[n - 1] == ' ' || img[n - 1] == '\t' || img[n - 1] == '\n'))
				k8c_core_invalid_str(
				    e, CORE_PATH(p, "%s.image", cp), img,
				    "must not have leading or trailing whitespace");
		}
		if (name_in(ctrs, nc, name) || name_in(inits, ni, name) || name_in(eph, i, name))
			k8c_core_duplicate_str(e, CORE_PATH(p, "%s.name", cp), name);
		if (target[0] != '\0' && !name_in(ctrs, nc, target) && !name_in(inits, ni, target))
			k8c_core_not_found_str(e, CORE_PATH(p, "%s.targetContainerName", cp),
			                       target);
		for (const char *const *k = disallowed; *k != NULL; k++) {
			const cJSON *v = k8c_core_member(eph[i], *k);
			if (v != NULL && !k8c_core_equal(v, NULL))
				k8c_core_forbidden(e, CORE_PATH(p, "%s.%s", cp, *k),
				                   "cannot be set for an Ephemeral Container");
		}
		cJSON_ArrayForEach(m, k8c_core_array(eph[i], "volumeMounts"))
		{
			if (k8c_core_strz(m, "subPath")[0] != '\0')
				k8c_core_forbidden(
				    e, CORE_PATH(p, "%s.volumeMounts[%d].subPath", cp, j),
				    "cannot be set for an Ephemeral Container");
			if (k8c_core_strz(m, "subPathExpr")[0] != '\0')
				k8c_core_forbidden(
				    e, CORE_PATH(p, "%s.volumeMounts[%d].subPathExpr", cp, j),
				    "cannot be set for an Ephemeral Container");
			j++;
		}
	}
}

void k8c_core_containers(const cJSON *spec, const k8c_core_vols_t *vols, const char *path,
                         int is_pod, k8c_field_errors_t *e)
{
	static const char *const always[] = {"Always", NULL};
	const cJSON *sc = k8c_core_object(spec, "securityContext");
	ctx_t x = {vols, k8c_core_member(spec, "terminationGracePeriodSeconds"),
	           k8c_core_strz(spec, "restartPolicy"), k8c_core_bool(sc, "hostUsers", 1)};
	_cleanup_free_ const cJSON **ctrs = NULL;
	_cleanup_free_ const cJSON **inits = NULL;
	int nc = collect(k8c_core_array(spec, "containers"), &ctrs);
	int ni = collect(k8c_core_array(spec, "initContainers"), &inits);
	char p[CORE_PATH_MAX], cp[CORE_PATH_MAX], lp[CORE_PATH_MAX];

	(void)is_pod;
	/* validateContainers */
	CORE_PATH(lp, "%s.containers", path);
	if (nc == 0)
		k8c_core_required(e, lp, NULL);
	for (int i = 0; i < nc; i++) {
		const cJSON *c = ctrs[i];
		CORE_PATH(cp, "%s[%d]", lp, i);
		container_common(e, c, &x, cp);
		if (name_in(ctrs, i, k8c_core_strz(c, "name")))
			k8c_core_duplicate_str(e, CORE_PATH(p, "%s.name", cp),
			                       k8c_core_strz(c, "name"));
		if (k8c_core_object(c, "lifecycle") != NULL)
			lifecycle(e, k8c_core_object(c, "lifecycle"), x.grace,
			          CORE_PATH(p, "%s.lifecycle", cp));
		probe(e, k8c_core_object(c, "livenessProbe"), x.grace, 'l',
		      CORE_PATH(p, "%s.livenessProbe", cp));
		probe(e, k8c_core_object(c, "readinessProbe"), x.grace, 'r',
		      CORE_PATH(p, "%s.readinessProbe", cp));
		probe(e, k8c_core_object(c, "startupProbe"), x.grace, 's',
		      CORE_PATH(p, "%s.startupProbe", cp));
		if (k8c_core_has(c, "restartPolicy"))
			k8c_core_forbidden(e, CORE_PATH(p, "%s.restartPolicy", cp),
			                   "may not be set for non-init containers");
	}
	if (nc > 0)
		host_port_conflicts(e, ctrs, nc, lp);
	/* validateInitContainers */
	CORE_PATH(lp, "%s.initContainers", path);
	for (int i = 0; i < ni; i++) {
		const cJSON *c = inits[i];
		const char *rp = k8c_core_str(c, "restartPolicy"), *name = k8c_core_strz(c, "name");
		int restartable = rp != NULL && strcmp(rp, "Always") == 0;
		static const char *const sidecar_only[] = {"lifecycle", "livenessProbe",
		                                           "readinessProbe", "startupProbe", NULL};
		CORE_PATH(cp, "%s[%d]", lp, i);
		container_common(e, c, &x, cp);
		if (rp != NULL && !restartable)
			k8c_core_not_supported(e, CORE_PATH(p, "%s.restartPolicy", cp), rp, always);
		if (name_in(ctrs, nc, name) || (name[0] != '\0' && name_in(inits, i, name)))
			k8c_core_duplicate_str(e, CORE_PATH(p, "%s.name", cp), name);
		/* init containers run one by one: ports checked one container at a
		 * time (and reported at index 0, as Kubernetes does) */
		host_port_conflicts(e, &inits[i], 1, lp);
		if (restartable) {
			if (k8c_core_object(c, "lifecycle") != NULL)
				lifecycle(e, k8c_core_object(c, "lifecycle"), x.grace,
				          CORE_PATH(p, "%s.lifecycle", cp));
			probe(e, k8c_core_object(c, "livenessProbe"), x.grace, 'l',
			      CORE_PATH(p, "%s.livenessProbe", cp));
			probe(e, k8c_core_object(c, "readinessProbe"), x.grace, 'r',
			      CORE_PATH(p, "%s.readinessProbe", cp));
			probe(e, k8c_core_object(c, "startupProbe"), x.grace, 's',
			      CORE_PATH(p, "%s.startupProbe", cp));
		} else {
			for (const char *const *k = sidecar_only; *k != NULL; k++)
				if (k8c_core_has(c, *k))
					k8c_core_forbidden(e, CORE_PATH(p, "%s.%s", cp, *k),
					                   "may not be set for init containers "
					                   "without restartPolicy=Always");
		}
		if (k8c_core_count(c, "resizePolicy") > 0) {
			_cleanup_free_ char *raw =
			    cJSON_PrintUnformatted(k8c_core_member(c, "resizePolicy"));
			k8c_core_invalid_raw(e, CORE_PATH(p, "%s.resizePolicy", cp), raw,
			                     "must not be set for init containers");
		}
	}
	ephemeral(e, spec, &x, ctrs, nc, inits, ni, path);
}

void k8c_core_containers_pod_only(const cJSON *spec, const char *path, k8c_field_errors_t *e)
{
	static const char *const lists[] = {"containers", "initContainers", NULL};
	char p[CORE_PATH_MAX];

	for (const char *const *l = lists; *l != NULL; l++) {
		const cJSON *c;
		int i = 0;
		cJSON_ArrayForEach(c, k8c_core_array(spec, *l))
		{
			const char *img = k8c_core_strz(c, "image");
			size_t n = strlen(img);
			if (n > 0 &&
			    (strchr(" \t\n\r\v\f", img[0]) || strchr(" \t\n\r\v\f", img[n - 1])))
				k8c_core_invalid_str(
				    e, CORE_PATH(p, "%s.%s[%d].image", path, *l, i), img,
				    "must not have leading or trailing whitespace");
			i++;
		}
	}
}
