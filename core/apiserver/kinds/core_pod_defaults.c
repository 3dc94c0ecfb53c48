/* Pod defaulting, as Kubernetes' SetDefaults_Pod / SetDefaults_PodSpec and
 * the defaulters of everything a PodSpec holds (containers, probes,
 * handlers, ports, env, volumes), plus the Pod QoS class. */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/kinds/core.h"
#include "apiserver/kinds/core_internal.h"
#include "apiserver/kinds/util.h"
#include "common/mem.h"

/* SetDefaults_Container's pull policy: Always when the docker reference
 * parser finds the tag "latest" (also implied by a name with neither tag
 * nor digest), IfNotPresent otherwise, including for references it
 * refuses. */
static const char *pull_policy(const char *image)
{
	const char *at, *end, *last_slash = NULL, *colon = NULL, *repo, *first_slash;

	if (image == NULL || image[0] == '\0' || strpbrk(image, " \t\r\n") != NULL)
		return "IfNotPresent";
	at = strchr(image, '@');
	end = at ? at : image + strlen(image);
	for (const char *p = image; p < end; p++)
		if (*p == '/')
			last_slash = p;
	for (const char *p = last_slash ? last_slash + 1 : image; p < end; p++)
		if (*p == ':')
			colon = p;
	/* a first component with '.' or ':' or "localhost" is a registry host,
	 * which may be upper case; the repository path may not */
	repo = image;
	first_slash = memchr(image, '/', (size_t)(end - image));
	if (first_slash != NULL) {
		size_t hostlen = (size_t)(first_slash - image);
		if (memchr(image, '.', hostlen) || memchr(image, ':', hostlen) ||
		    (hostlen == 9 && strncmp(image, "localhost", 9) == 0))
			repo = first_slash + 1;
	}
	for (const char *p = repo; p < (colon ? colon : end); p++)
		if (*p >= 'A' && *p <= 'Z')
			return "IfNotPresent";
	if (colon == NULL)
		return at ? "IfNotPresent" : "Always";
	return (size_t)(end - colon - 1) == 6 && strncmp(colon + 1, "latest", 6) == 0
	           ? "Always"
	           : "IfNotPresent";
}

static void http_get_defaults(cJSON *handler)
{
	cJSON *get = cJSON_GetObjectItemCaseSensitive(handler, "httpGet");

	if (!cJSON_IsObject(get))
		return;
	if (k8c_core_strz(get, "path")[0] == '\0') {
		cJSON_DeleteItemFromObjectCaseSensitive(get, "path");
		cJSON_AddStringToObject(get, "path", "/");
	}
	if (k8c_core_strz(get, "scheme")[0] == '\0') {
		cJSON_DeleteItemFromObjectCaseSensitive(get, "scheme");
		cJSON_AddStringToObject(get, "scheme", "HTTP");
	}
}

static void probe_defaults(cJSON *probe)
{
	if (!cJSON_IsObject(probe))
		return;
	k8c_jdefault_int(probe, "timeoutSeconds", 1);
	k8c_jdefault_int(probe, "periodSeconds", 10);
	k8c_jdefault_int(probe, "successThreshold", 1);
	k8c_jdefault_int(probe, "failureThreshold", 3);
	http_get_defaults(probe);
}

/* SetDefaults_ObjectFieldSelector and the zero divisor of a
 * ResourceFieldSelector (a non-pointer Quantity, always written). */
static void field_refs_defaults(cJSON *holder)
{
	cJSON *ref = cJSON_GetObjectItemCaseSensitive(holder, "fieldRef");

	if (cJSON_IsObject(ref) && k8c_core_strz(ref, "apiVersion")[0] == '\0') {
		cJSON_DeleteItemFromObjectCaseSensitive(ref, "apiVersion");
		cJSON_AddStringToObject(ref, "apiVersion", "v1");
	}
	ref = cJSON_GetObjectItemCaseSensitive(holder, "resourceFieldRef");
	if (cJSON_IsObject(ref))
		k8c_jdefault_str(ref, "divisor", "0");
}

static void container_defaults(cJSON *c)
{
	cJSON *it, *lc;

	if (!cJSON_IsObject(c))
		return;
	if (k8c_core_strz(c, "imagePullPolicy")[0] == '\0') {
		cJSON_DeleteItemFromObjectCaseSensitive(c, "imagePullPolicy");
		cJSON_AddStringToObject(c, "imagePullPolicy",
		                        pull_policy(k8c_core_str(c, "image")));
	}
	if (k8c_core_strz(c, "terminationMessagePath")[0] == '\0') {
		cJSON_DeleteItemFromObjectCaseSensitive(c, "terminationMessagePath");
		cJSON_AddStringToObject(c, "terminationMessagePath", "/dev/termination-log");
	}
	if (k8c_core_strz(c, "terminationMessagePolicy")[0] == '\0') {
		cJSON_DeleteItemFromObjectCaseSensitive(c, "terminationMessagePolicy");
		cJSON_AddStringToObject(c, "terminationMessagePolicy", "File");
	}
	/* ResourceRequirements is a struct: Kubernetes always writes it */
	k8c_jobject(c, "resources");
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(c, "ports"))
	{
		if (cJSON_IsObject(it) && k8c_core_strz(it, "protocol")[0] == '\0') {
			cJSON_DeleteItemFromObjectCaseSensitive(it, "protocol");
			cJSON_AddStringToObject(it, "protocol", "TCP");
		}
	}
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(c, "env"))
	    field_refs_defaults(cJSON_GetObjectItemCaseSensitive(it, "valueFrom"));
	probe_defaults(cJSON_GetObjectItemCaseSensitive(c, "livenessProbe"));
	probe_defaults(cJSON_GetObjectItemCaseSensitive(c, "readinessProbe"));
	probe_defaults(cJSON_GetObjectItemCaseSensitive(c, "startupProbe"));
	lc = cJSON_GetObjectItemCaseSensitive(c, "lifecycle");
	if (cJSON_IsObject(lc)) {
		http_get_defaults(cJSON_GetObjectItemCaseSensitive(lc, "postStart"));
		http_get_defaults(cJSON_GetObjectItemCaseSensitive(lc, "preStop"));
	}
}

const char *const k8c_core_volume_sources[] = {
    "emptyDir",
    "hostPath",
    "gitRepo",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "flocker",
    "persistentVolumeClaim",
    "rbd",
    "cinder",
    "cephfs",
    "quobyte",
    "downwardAPI",
    "fc",
    "flexVolume",
    "configMap",
    "azureFile",
    "vsphereVolume",
    "photonPersistentDisk",
    "portworxVolume",
    "azureDisk",
    "storageos",
    "projected",
    "scaleIO",
    "csi",
    "ephemeral",
    "image",
    NULL,
};

static void downward_items_defaults(cJSON *src)
{
	cJSON *it;

	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(src, "items"))
	    field_refs_defaults(it);
}

void k8c_core_volume_source_defaults(cJSON *v)
{
	cJSON *s;

	if ((s = cJSON_GetObjectItemCaseSensitive(v, "hostPath")) && cJSON_IsObject(s))
		k8c_jdefault_str(s, "type", "");
	if ((s = cJSON_GetObjectItemCaseSensitive(v, "iscsi")) && cJSON_IsObject(s))
		k8c_jdefault_str(s, "iscsiInterface", "default");
	if ((s = cJSON_GetObjectItemCaseSensitive(v, "rbd")) && cJSON_IsObject(s)) {
		k8c_jdefault_str(s, "pool", "rbd");
		k8c_jdefault_str(s, "user", "admin");
		k8c_jdefault_str(s, "keyring", "/etc/ceph/keyring");
	}
	if ((s = cJSON_GetObjectItemCaseSensitive(v, "azureDisk")) && cJSON_IsObject(s)) {
		k8c_jdefault_str(s, "cachingMode", "ReadWrite");
		k8c_jdefault_str(s, "fsType", "ext4");
		k8c_jdefault_bool(s, "readOnly", 0);
		k8c_jdefault_str(s, "kind", "Shared");
	}
	if ((s = cJSON_GetObjectItemCaseSensitive(v, "scaleIO")) && cJSON_IsObject(s)) {
		k8c_jdefault_str(s, "storageMode", "ThinProvisioned");
		k8c_jdefault_str(s, "fsType", "xfs");
	}
}

static void volume_defaults(cJSON *v)
{
	cJSON *s;
	int any = 0;

	if (!cJSON_IsObject(v))
		return;
	for (const char *const *k = k8c_core_volume_sources; *k != NULL; k++)
		if (k8c_core_has(v, *k))
			any = 1;
	if (!any)
		k8c_jobject(v, "emptyDir"); /* SetDefaults_Volume */
	k8c_core_volume_source_defaults(v);
	if ((s = cJSON_GetObjectItemCaseSensitive(v, "secret")) && cJSON_IsObject(s))
		k8c_jdefault_int(s, "defaultMode", 0644);
	if ((s = cJSON_GetObjectItemCaseSensitive(v, "configMap")) && cJSON_IsObject(s))
		k8c_jdefault_int(s, "defaultMode", 0644);
	if ((s = cJSON_GetObjectItemCaseSensitive(v, "downwardAPI")) && cJSON_IsObject(s)) {
		k8c_jdefault_int(s, "defaultMode", 0644);
		downward_items_defaults(s);
	}
	if ((s = cJSON_GetObjectItemCaseSensitive(v, "projected")) && cJSON_IsObject(s)) {
		cJSON *src;
		k8c_jdefault_int(s, "defaultMode", 0644);
		cJSON_ArrayForEach(src, cJSON_GetObjectItemCaseSensitive(s, "sources"))
		{
			cJSON *tok = cJSON_GetObjectItemCaseSensitive(src, "serviceAccountToken");
			if (cJSON_IsObject(tok))
				k8c_jdefault_int(tok, "expirationSeconds", 3600);
			downward_items_defaults(
			    cJSON_GetObjectItemCaseSensitive(src, "downwardAPI"));
		}
	}
	if ((s = cJSON_GetObjectItemCaseSensitive(v, "ephemeral")) && cJSON_IsObject(s))
		k8c_core_pvc_spec_defaults(k8c_jobject(s, "volumeClaimTemplate.spec"));
	if ((s = cJSON_GetObjectItemCaseSensitive(v, "image")) && cJSON_IsObject(s) &&
	    k8c_core_strz(s, "pullPolicy")[0] == '\0') {
		cJSON_DeleteItemFromObjectCaseSensitive(s, "pullPolicy");
		cJSON_AddStringToObject(s, "pullPolicy", pull_policy(k8c_core_str(s, "reference")));
	}
}

void k8c_core_pvc_spec_defaults(cJSON *spec)
{
	if (cJSON_IsObject(spec))
		k8c_jdefault_str(spec, "volumeMode", "Filesystem");
}

void k8c_core_podspec_defaults(cJSON *spec)
{
	static const char *const lists[] = {"containers", "initContainers", "ephemeralContainers",
	                                    NULL};
	const char *sa;
	cJSON *it;

	if (!cJSON_IsObject(spec))
		return;
	if (k8c_core_strz(spec, "dnsPolicy")[0] == '\0') {
		cJSON_DeleteItemFromObjectCaseSensitive(spec, "dnsPolicy");
		cJSON_AddStringToObject(spec, "dnsPolicy", "ClusterFirst");
	}
	if (k8c_core_strz(spec, "restartPolicy")[0] == '\0') {
		cJSON_DeleteItemFromObjectCaseSensitive(spec, "restartPolicy");
		cJSON_AddStringToObject(spec, "restartPolicy", "Always");
	}
	k8c_jobject(spec, "securityContext");
	k8c_jdefault_int(spec, "terminationGracePeriodSeconds", 30);
	if (k8c_core_strz(spec, "schedulerName")[0] == '\0') {
		cJSON_DeleteItemFromObjectCaseSensitive(spec, "schedulerName");
		cJSON_AddStringToObject(spec, "schedulerName", "default-scheduler");
	}
	/* v1 conversion: the deprecated serviceAccount mirrors
	 * serviceAccountName, and fills it in for old clients */
	sa = k8c_core_strz(spec, "serviceAccountName");
	if (sa[0] == '\0' && k8c_core_strz(spec, "serviceAccount")[0] != '\0') {
		cJSON *v = cJSON_CreateString(k8c_core_strz(spec, "serviceAccount"));
		k8c_core_set(spec, "serviceAccountName", v);
	}
	sa = k8c_core_strz(spec, "serviceAccountName");
	if (sa[0] != '\0')
		k8c_core_set(spec, "serviceAccount", cJSON_CreateString(sa));
	for (const char *const *l = lists; *l != NULL; l++)
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(spec, *l))
		    container_defaults(it);
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(spec, "volumes"))
	    volume_defaults(it);
}

/* Requests default to limits, per resource (SetDefaults_Pod). */
static void requests_from_limits(cJSON *c)
{
	cJSON *res = cJSON_GetObjectItemCaseSensitive(c, "resources");
	cJSON *limits = cJSON_GetObjectItemCaseSensitive(res, "limits"), *req, *it;

	if (!cJSON_IsObject(limits))
		return;
	req = k8c_jobject(res, "requests");
	if (req == NULL)
		return;
	cJSON_ArrayForEach(it, limits)
	{
		if (cJSON_GetObjectItemCaseSensitive(req, it->string) == NULL)
			cJSON_AddItemToObject(req, it->string, cJSON_Duplicate(it, 1));
	}
}

static void host_network_ports(cJSON *list)
{
	cJSON *c, *p;

	cJSON_ArrayForEach(c, list)
	{
		cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(c, "ports"))
		{
			if (k8c_core_int(p, "hostPort", 0) == 0 && k8c_core_has(p, "containerPort"))
				k8c_core_set(p, "hostPort",
				             cJSON_CreateNumber(
				                 (double)k8c_core_int(p, "containerPort", 0)));
		}
	}
}

void k8c_core_pod_defaults(cJSON *pod)
{
	cJSON *spec = cJSON_GetObjectItemCaseSensitive(pod, "spec"), *it;

	if (!cJSON_IsObject(spec))
		return;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(spec, "containers"))
	    requests_from_limits(it);
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(spec, "initContainers"))
	    requests_from_limits(it);
	k8c_jdefault_bool(spec, "enableServiceLinks", 1);
	if (k8c_core_bool(spec, "hostNetwork", 0)) {
		host_network_ports(cJSON_GetObjectItemCaseSensitive(spec, "containers"));
		host_network_ports(cJSON_GetObjectItemCaseSensitive(spec, "initContainers"));
	}
	k8c_core_podspec_defaults(spec);
	/* spec.priority and spec.preemptionPolicy are not defaults: the
	 * Priority admission plugin sets them from the pod's PriorityClass
	 * (core/apiserver/admission.c), after defaulting, and refuses a pod
	 * whose own values differ. */
}

/* --- QoS ------------------------------------------------------------------ */

typedef struct qsum {
	k8c_quantity_t q;
	int set;
} qsum_t;

static void qos_add(qsum_t *s, const k8c_quantity_t *q)
{
	if (!s->set) {
		s->q = *q;
		s->set = 1;
	} else if (k8c_quantity_add(&s->q, q, NULL) < 0) {
		s->q = k8c_quantity_from_int(INT64_MAX / 4, K8C_QUANTITY_DECIMAL_SI);
	}
}

const char *k8c_core_pod_qos(const cJSON *pod)
{
	static const char *const lists[] = {"containers", "initContainers", NULL};
	static const char *const names[] = {"cpu", "memory"};
	const cJSON *spec = k8c_core_object(pod, "spec"), *c;
	qsum_t req[2] = {{{0, 0, 0}, 0}, {{0, 0, 0}, 0}}, lim[2] = {{{0, 0, 0}, 0}, {{0, 0, 0}, 0}};
	int guaranteed = 1, nreq = 0, nlim = 0;

	for (const char *const *l = lists; *l != NULL; l++) {
		cJSON_ArrayForEach(c, k8c_core_array(spec, *l))
		{
			const cJSON *res = k8c_core_object(c, "resources");
			int found[2] = {0, 0};
			for (int i = 0; i < 2; i++) {
				k8c_quantity_t q;
				if (k8c_core_qty(
				        k8c_core_member(k8c_core_object(res, "requests"), names[i]),
				        &q) == 0 &&
				    !k8c_quantity_is_zero(&q) && q.value > 0)
					qos_add(&req[i], &q);
				if (k8c_core_qty(
				        k8c_core_member(k8c_core_object(res, "limits"), names[i]),
				        &q) == 0 &&
				    !k8c_quantity_is_zero(&q) && q.value > 0) {
					qos_add(&lim[i], &q);
					found[i] = 1;
				}
			}
			if (!found[0] || !found[1])
				guaranteed = 0;
		}
	}
	for (int i = 0; i < 2; i++) {
		nreq += req[i].set;
		nlim += lim[i].set;
	}
	if (nreq == 0 && nlim == 0)
		return "BestEffort";
	if (guaranteed) {
		for (int i = 0; i < 2; i++)
			if (req[i].set &&
			    (!lim[i].set || k8c_quantity_cmp(&lim[i].q, &req[i].q) != 0))
				guaranteed = 0;
	}
	return guaranteed && nreq == nlim ? "Guaranteed" : "Burstable";
}
