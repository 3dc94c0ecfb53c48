/* StatefulSet pods: the name <set>-<ordinal> and the identity that goes
 * with it (hostname, subdomain, the pod-name and pod-index labels, a
 * volume per claim template), and the pod states the update algorithm
 * reads, as Kubernetes' stateful_set_utils.go has them. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/json_path.h"
#include "common/mem.h"
#include "common/timestamp.h"
#include "sts.h"

int sts_ordinal(const char *name, size_t *parent_len)
{
	const char *dash = name ? strrchr(name, '-') : NULL;
	char *end;
	long v;

	if (dash == NULL || dash[1] == '\0')
		return -1;
	for (const char *p = dash + 1; *p; p++)
		if (*p < '0' || *p > '9')
			return -1;
	errno = 0;
	v = strtol(dash + 1, &end, 10);
	if (errno != 0 || v > 2147483647L)
		return -1;
	if (parent_len != NULL)
		*parent_len = (size_t)(dash - name);
	return (int)v;
}

int sts_is_member(const cJSON *set, const cJSON *pod)
{
	const char *name = k8c_jstr(pod, "metadata.name");
	const char *set_name = k8c_jstr(set, "metadata.name");
	size_t n;

	if (set_name == NULL || sts_ordinal(name, &n) < 0)
		return 0;
	return strlen(set_name) == n && strncmp(name, set_name, n) == 0;
}

int sts_start_ordinal(const cJSON *set)
{
	long long s = sts_jint(set, "spec.ordinals.start", 0);

	return s < 0 || s > 2147483647LL ? 0 : (int)s;
}

int sts_replicas(const cJSON *set)
{
	long long r = sts_jint(set, "spec.replicas", 1);

	return r < 0 ? 0 : r > 1000000 ? 1000000 : (int)r;
}

static cJSON *copy_or_object(const cJSON *v)
{
	return cJSON_IsObject(v) ? cJSON_Duplicate(v, 1) : cJSON_CreateObject();
}

/* updateStorage: a volume per claim template first, then the template's
 * other volumes. */
static void set_storage(const cJSON *set, cJSON *spec, int ordinal)
{
	const cJSON *tmpls = k8c_jget(set, "spec.volumeClaimTemplates"), *t, *v;
	cJSON *vols = cJSON_CreateArray();
	const cJSON *old = cJSON_GetObjectItemCaseSensitive(spec, "volumes");

	cJSON_ArrayForEach(t, tmpls)
	{
		const char *tn = k8c_jstr(t, "metadata.name");
		if (tn == NULL)
			continue;
		_cleanup_free_ char *claim = sts_claim_name(set, tn, ordinal);
		cJSON *vol = cJSON_CreateObject(), *src = cJSON_CreateObject();
		cJSON_AddStringToObject(vol, "name", tn);
		cJSON_AddStringToObject(src, "claimName", claim);
		cJSON_AddItemToObject(vol, "persistentVolumeClaim", src);
		cJSON_AddItemToArray(vols, vol);
	}
	cJSON_ArrayForEach(v, old)
	{
		const char *vn = k8c_jstr(v, "name");
		int is_claim = 0;
		cJSON_ArrayForEach(
		    t, tmpls) if (vn != NULL && k8c_jstr(t, "metadata.name") != NULL &&
		                  strcmp(vn, k8c_jstr(t, "metadata.name")) == 0) is_claim = 1;
		if (!is_claim)
			cJSON_AddItemToArray(vols, cJSON_Duplicate(v, 1));
	}
	if (cJSON_GetArraySize(vols) == 0 && old == NULL)
		cJSON_Delete(vols);
	else
		sts_jset(spec, "volumes", vols);
}

cJSON *sts_new_pod(const cJSON *set, const cJSON *tmpl, int ordinal, const char *revision)
{
	const char *set_name = k8c_jstr(set, "metadata.name") ?: "";
	_cleanup_free_ char *name = k8c_xasprintf("%s-%d", set_name, ordinal);
	char idx[16];
	cJSON *pod = cJSON_CreateObject(), *md = cJSON_CreateObject(), *labels, *spec, *refs;
	const cJSON *fin = k8c_jget(tmpl, "metadata.finalizers");

	cJSON_AddStringToObject(pod, "apiVersion", "v1");
	cJSON_AddStringToObject(pod, "kind", "Pod");
	cJSON_AddItemToObject(pod, "metadata", md);
	cJSON_AddStringToObject(md, "name", name);
	cJSON_AddStringToObject(md, "namespace", k8c_jstr(set, "metadata.namespace") ?: "default");
	labels = copy_or_object(k8c_jget(tmpl, "metadata.labels"));
	cJSON_AddItemToObject(md, "labels", labels);
	if (cJSON_IsObject(k8c_jget(tmpl, "metadata.annotations")))
		cJSON_AddItemToObject(md, "annotations",
		                      cJSON_Duplicate(k8c_jget(tmpl, "metadata.annotations"), 1));
	if (cJSON_IsArray(fin) && cJSON_GetArraySize(fin) > 0)
		cJSON_AddItemToObject(md, "finalizers", cJSON_Duplicate(fin, 1));
	refs = cJSON_AddArrayToObject(md, "ownerReferences");
	cJSON_AddItemToArray(refs, sts_controller_ref(set));

	spec = copy_or_object(k8c_jget(tmpl, "spec"));
	cJSON_AddItemToObject(pod, "spec", spec);
	/* initIdentity */
	sts_jset(spec, "hostname", cJSON_CreateString(name));
	sts_jset(spec, "subdomain", cJSON_CreateString(k8c_jstr(set, "spec.serviceName") ?: ""));
	sts_jset(labels, STS_LABEL_POD_NAME, cJSON_CreateString(name));
	snprintf(idx, sizeof(idx), "%d", ordinal);
	sts_jset(labels, STS_LABEL_POD_INDEX, cJSON_CreateString(idx));
	set_storage(set, spec, ordinal);
	if (revision != NULL)
		sts_jset(labels, STS_LABEL_REVISION, cJSON_CreateString(revision));
	return pod;
}

int sts_identity_matches(const cJSON *set, const cJSON *pod)
{
	const char *name = k8c_jstr(pod, "metadata.name");
	const char *lbl = sts_label(pod, STS_LABEL_POD_NAME);
	const char *ns = k8c_jstr(pod, "metadata.namespace"),
	           *sns = k8c_jstr(set, "metadata.namespace");
	const cJSON *labels = k8c_jget(pod, "metadata.labels");
	const cJSON *idx = cJSON_GetObjectItemCaseSensitive(labels, STS_LABEL_POD_INDEX);
	int ord = sts_ordinal(name, NULL);
	char want[16];

	if (ord < 0 || !sts_is_member(set, pod) || lbl == NULL || strcmp(lbl, name) != 0)
		return 0;
	if ((ns == NULL) != (sns == NULL) || (ns != NULL && strcmp(ns, sns) != 0))
		return 0;
	snprintf(want, sizeof(want), "%d", ord);
	return cJSON_IsString(idx) && strcmp(idx->valuestring, want) == 0;
}

int sts_storage_matches(const cJSON *set, const cJSON *pod)
{
	int ord = sts_ordinal(k8c_jstr(pod, "metadata.name"), NULL);
	const cJSON *t, *v;

	if (ord < 0)
		return 0;
	cJSON_ArrayForEach(t, k8c_jget(set, "spec.volumeClaimTemplates"))
	{
		const char *tn = k8c_jstr(t, "metadata.name");
		int found = 0;
		if (tn == NULL)
			continue;
		_cleanup_free_ char *want = sts_claim_name(set, tn, ord);
		cJSON_ArrayForEach(v, k8c_jget(pod, "spec.volumes"))
		{
			const char *vn = k8c_jstr(v, "name");
			const char *cn = k8c_jstr(v, "persistentVolumeClaim.claimName");
			if (vn != NULL && strcmp(vn, tn) == 0)
				found = cn != NULL && strcmp(cn, want) == 0;
		}
		if (!found)
			return 0;
	}
	return 1;
}

const char *sts_pod_revision(const cJSON *pod)
{
	return sts_label(pod, STS_LABEL_REVISION) ?: "";
}

static int phase_is(const cJSON *pod, const char *phase)
{
	const char *p = k8c_jstr(pod, "status.phase");

	return p != NULL && strcmp(p, phase) == 0;
}

int sts_pod_created(const cJSON *pod)
{
	const char *p = k8c_jstr(pod, "status.phase");

	return p != NULL && p[0] != '\0';
}

int sts_pod_failed(const cJSON *pod)
{
	return phase_is(pod, "Failed");
}
int sts_pod_succeeded(const cJSON *pod)
{
	return phase_is(pod, "Succeeded");
}
int sts_pod_pending(const cJSON *pod)
{
	return phase_is(pod, "Pending");
}

static const cJSON *ready_condition(const cJSON *pod)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, k8c_jget(pod, "status.conditions"))
	{
		const char *t = k8c_jstr(c, "type");
		if (t != NULL && strcmp(t, "Ready") == 0)
			return c;
	}
	return NULL;
}

int sts_pod_running_ready(const cJSON *pod)
{
	const char *s = k8c_jstr(ready_condition(pod), "status");

	return phase_is(pod, "Running") && s != NULL && strcmp(s, "True") == 0;
}

int sts_pod_available(const cJSON *pod, int64_t min_ready_s, int64_t now_ns)
{
	const char *ltt;
	int64_t t;

	if (!sts_pod_running_ready(pod))
		return 0;
	if (min_ready_s <= 0)
		return 1;
	ltt = k8c_jstr(ready_condition(pod), "lastTransitionTime");
	if (ltt == NULL || k8c_time_parse(ltt, &t, NULL) < 0)
		return 0;
	/* now - t, not t + min_ready: no overflow for a huge minReadySeconds */
	return now_ns > t && (now_ns - t) / 1000000000LL >= min_ready_s &&
	       now_ns - t > min_ready_s * 1000000000LL;
}

int sts_pod_healthy(const cJSON *pod)
{
	return sts_pod_running_ready(pod) && !sts_is_terminating(pod);
}
