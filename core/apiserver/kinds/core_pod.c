/* The pods resource: its descriptor, create/update/status validation
 * around ValidatePodSpec, the strategy's PrepareForCreate, `kubectl get
 * pods` rows and the pod field selectors. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/kind.h"
#include "apiserver/kinds/core.h"
#include "apiserver/kinds/core_internal.h"
#include "apiserver/kinds/util.h"
#include "common/mem.h"

#define MIRROR_ANNOTATION "kubernetes.io/config.mirror"
#define DELETION_COST_ANNOTATION "controller.kubernetes.io/pod-deletion-cost"

/* --- validation -------------------------------------------------------------------- */

static int valid_int32(const char *s)
{
	char *end;
	long long v;

	/* no "+", no leading zeros (validFirstDigit), then ParseInt(s, 10, 32) */
	if (s[0] == '\0' || !(s[0] == '-' || strcmp(s, "0") == 0 || (s[0] >= '1' && s[0] <= '9')))
		return 0;
	v = strtoll(s, &end, 10);
	return *end == '\0' && end != s && v >= -2147483648LL && v <= 2147483647LL;
}

/* ValidatePodSpecificAnnotations */
static void pod_annotations(k8c_field_errors_t *e, const cJSON *pod)
{
	const cJSON *ann = k8c_core_object(k8c_core_object(pod, "metadata"), "annotations");
	const char *v;

	if ((v = k8c_core_str(ann, MIRROR_ANNOTATION)) != NULL &&
	    k8c_core_strz(k8c_core_object(pod, "spec"), "nodeName")[0] == '\0')
		k8c_core_invalid_str(e, "metadata.annotations[" MIRROR_ANNOTATION "]", v,
		                     "must set spec.nodeName if mirror pod annotation is set");
	if ((v = k8c_core_str(ann, DELETION_COST_ANNOTATION)) != NULL && !valid_int32(v))
		k8c_core_invalid_str(e, "metadata.annotations[" DELETION_COST_ANNOTATION "]", v,
		                     "must be a 32bit integer");
}

/* ValidatePodSpecificAnnotationUpdates: the mirror annotation is fixed. */
static void pod_annotation_updates(k8c_field_errors_t *e, const cJSON *pod, const cJSON *old)
{
	const cJSON *na = k8c_core_object(k8c_core_object(pod, "metadata"), "annotations");
	const cJSON *oa = k8c_core_object(k8c_core_object(old, "metadata"), "annotations");
	const char *nv = k8c_core_str(na, MIRROR_ANNOTATION),
	           *ov = k8c_core_str(oa, MIRROR_ANNOTATION);

	if (ov != NULL && (nv == NULL || strcmp(nv, ov) != 0))
		k8c_core_forbidden(e, "metadata.annotations[" MIRROR_ANNOTATION "]",
		                   "may not remove or update mirror pod annotation");
	if (nv != NULL && ov == NULL)
		k8c_core_forbidden(e, "metadata.annotations[" MIRROR_ANNOTATION "]",
		                   "may not add mirror pod annotation");
	pod_annotations(e, pod);
}

/* validatePodMetadataAndSpec, less the generic metadata checks */
static void pod_metadata_and_spec(k8c_field_errors_t *e, const cJSON *pod)
{
	const cJSON *spec = k8c_core_object(pod, "spec"), *v;
	char p[CORE_PATH_MAX];
	int i = 0;

	pod_annotations(e, pod);
	k8c_core_podspec_check(spec, k8c_core_object(pod, "metadata"), "spec", 1, e);
	if (k8c_core_strz(spec, "serviceAccountName")[0] == '\0') {
		cJSON_ArrayForEach(v, k8c_core_array(spec, "volumes"))
		{
			const cJSON *s;
			int j = 0;
			cJSON_ArrayForEach(
			    s, k8c_core_array(k8c_core_object(v, "projected"), "sources"))
			{
				if (k8c_core_has(s, "serviceAccountToken"))
					k8c_core_forbidden(
					    e,
					    CORE_PATH(p,
					              "spec.volumes[%d].projected.sources[%d]."
					              "serviceAccountToken",
					              i, j),
					    "must not be specified when serviceAccountName is not "
					    "set");
				j++;
			}
			i++;
		}
	}
	k8c_core_containers_pod_only(spec, "spec", e);
}

static int has_space_edges(const char *s)
{
	size_t n = strlen(s);

	return n > 0 &&
	       (strchr(" \t\n\r\v\f", s[0]) != NULL || strchr(" \t\n\r\v\f", s[n - 1]) != NULL);
}

/* validateOnlyAddedTolerations; 0 when an existing one was modified */
static int only_added_tolerations(k8c_field_errors_t *e, const cJSON *nt, const cJSON *ot)
{
	const cJSON *o, *n;

	cJSON_ArrayForEach(o, ot)
	{
		int found = 0;
		_cleanup_json_ cJSON *oc = cJSON_Duplicate(o, 1);
		cJSON_DeleteItemFromObjectCaseSensitive(oc, "tolerationSeconds");
		cJSON_ArrayForEach(n, nt)
		{
			_cleanup_json_ cJSON *nc = cJSON_Duplicate(n, 1);
			cJSON_DeleteItemFromObjectCaseSensitive(nc, "tolerationSeconds");
			if (k8c_core_equal(oc, nc)) {
				found = 1;
				break;
			}
		}
		if (!found) {
			k8c_core_forbidden(
			    e, "spec.tolerations",
			    "existing toleration can not be modified except its tolerationSeconds");
			return 0;
		}
	}
	k8c_core_tolerations(nt, "spec.tolerations", e);
	return 1;
}

static void replace_or_delete(cJSON *obj, const char *key, const cJSON *from)
{
	const cJSON *v = k8c_core_member(from, key);

	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	if (v != NULL)
		cJSON_AddItemToObject(obj, key, cJSON_Duplicate(v, 1));
}

static void pod_update(k8c_field_errors_t *e, const cJSON *pod, const cJSON *old)
{
	static const char *const lists[] = {"containers", "initContainers", NULL};
	static const char *const updatable =
	    "pod updates may not change fields other than `spec.containers[*].image`,"
	    "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` "
	    "(only additions to existing tolerations),`spec.terminationGracePeriodSeconds` "
	    "(allow it to be set to 1 if it was previously negative)";
	const cJSON *ns = k8c_core_object(pod, "spec"), *os = k8c_core_object(old, "spec");
	const cJSON *na = k8c_core_member(ns, "activeDeadlineSeconds"),
	            *oa = k8c_core_member(os, "activeDeadlineSeconds");
	const cJSON *g;
	_cleanup_json_ cJSON *munged = NULL;
	char p[CORE_PATH_MAX];
	int i = 0;

	pod_annotation_updates(e, pod, old);
	for (const char *const *l = lists; *l != NULL; l++) {
		const cJSON *c;
		int j = 0;
		if (k8c_core_count(ns, *l) != k8c_core_count(os, *l)) {
			k8c_core_forbidden(e, CORE_PATH(p, "spec.%s", *l),
			                   "pod updates may not add or remove containers");
			return;
		}
		cJSON_ArrayForEach(c, k8c_core_array(ns, *l))
		{
			const char *img = k8c_core_strz(c, "image");
			if (img[0] == '\0')
				k8c_core_required(e, CORE_PATH(p, "spec.%s[%d].image", *l, j),
				                  NULL);
			if (has_space_edges(img))
				k8c_core_invalid_str(
				    e, CORE_PATH(p, "spec.%s[%d].image", *l, j), img,
				    "must not have leading or trailing whitespace");
			j++;
		}
	}
	if (cJSON_IsNumber(na)) {
		long long v = (long long)na->valuedouble;
		if (v < 0 || v > 2147483647LL) {
			k8c_core_invalid_int(e, "spec.activeDeadlineSeconds", v,
			                     "must be between 0 and 2147483647, inclusive");
			return;
		}
		if (cJSON_IsNumber(oa) && (long long)oa->valuedouble < v) {
			k8c_core_invalid_int(e, "spec.activeDeadlineSeconds", v,
			                     "must be less than or equal to previous value");
			return;
		}
	} else if (cJSON_IsNumber(oa)) {
		k8c_core_invalid_raw(e, "spec.activeDeadlineSeconds", "null",
		                     "must not update from a positive integer to nil value");
	}
	only_added_tolerations(e, k8c_core_array(ns, "tolerations"),
	                       k8c_core_array(os, "tolerations"));
	cJSON_ArrayForEach(g, k8c_core_array(ns, "schedulingGates"))
	{
		const char *name = k8c_core_strz(g, "name");
		const cJSON *og;
		int found = 0;
		cJSON_ArrayForEach(og, k8c_core_array(os, "schedulingGates")) found |=
		    strcmp(k8c_core_strz(og, "name"), name) == 0;
		if (!found) {
			_cleanup_free_ char *d = k8c_xasprintf(
			    "only deletion is allowed, but found new scheduling gate '%s'", name);
			k8c_core_forbidden(e, CORE_PATH(p, "spec.schedulingGates[%d].name", i), d);
		}
		i++;
	}
	if (k8c_core_equal(ns, os))
		return;
	/* munge the updatable fields, then require the rest unchanged */
	munged = ns ? cJSON_Duplicate(ns, 1) : cJSON_CreateObject();
	for (const char *const *l = lists; *l != NULL; l++) {
		cJSON *c = cJSON_GetObjectItemCaseSensitive(munged, *l), *it;
		const cJSON *oc = k8c_core_array(os, *l);
		int j = 0;
		cJSON_ArrayForEach(it, c)
		    replace_or_delete(it, "image", cJSON_GetArrayItem(oc, j++));
	}
	replace_or_delete(munged, "activeDeadlineSeconds", os);
	replace_or_delete(munged, "schedulingGates", os);
	replace_or_delete(munged, "tolerations", os);
	if (k8c_core_int(os, "terminationGracePeriodSeconds", 0) < 0 &&
	    k8c_core_int(munged, "terminationGracePeriodSeconds", 0) == 1)
		replace_or_delete(munged, "terminationGracePeriodSeconds", os);
	if (k8c_core_count(os, "schedulingGates") > 0) {
		const cJSON *nsel = k8c_core_object(munged, "nodeSelector"),
		            *osel = k8c_core_object(os, "nodeSelector"), *kv;
		const cJSON *naff =
		    k8c_core_object(k8c_core_object(munged, "affinity"), "nodeAffinity");
		const cJSON *oaff =
		    k8c_core_object(k8c_core_object(os, "affinity"), "nodeAffinity");
		if (!k8c_core_equal(nsel, osel)) {
			cJSON_ArrayForEach(kv, osel)
			{
				const char *nv = k8c_core_str(nsel, kv->string);
				if (nv == NULL || !cJSON_IsString(kv) ||
				    strcmp(nv, kv->valuestring) != 0) {
					_cleanup_free_ char *raw =
					    cJSON_PrintUnformatted(nsel ? nsel : osel);
					k8c_core_invalid_raw(
					    e, "spec.nodeSelector", raw,
					    "only additions to spec.nodeSelector are allowed (no "
					    "mutations or deletions)");
					break;
				}
			}
			replace_or_delete(munged, "nodeSelector", os);
		}
		/* node affinity may be set freely while it has no required terms */
		if (!k8c_core_equal(naff, oaff) &&
		    k8c_core_object(oaff, "requiredDuringSchedulingIgnoredDuringExecution") ==
		        NULL) {
			cJSON *aff = k8c_jobject(munged, "affinity");
			replace_or_delete(aff, "nodeAffinity", k8c_core_object(os, "affinity"));
			if (aff->child == NULL && k8c_core_object(os, "affinity") == NULL)
				cJSON_DeleteItemFromObjectCaseSensitive(munged, "affinity");
		}
	}
	if (!k8c_core_equal(munged, os)) {
		_cleanup_free_ char *diff = k8c_core_diff(os, munged, "spec");
		_cleanup_free_ char *msg = k8c_xasprintf("%s\n%s", updatable, diff);
		k8c_core_forbidden(e, "spec", msg);
	}
}

/* ValidateContainerStateTransition / ValidateInitContainerStateTransition */
static void state_transitions(k8c_field_errors_t *e, const cJSON *ns, const cJSON *os,
                              const char *restart, const cJSON *inits, const char *path)
{
	const cJSON *o, *n;
	char p[CORE_PATH_MAX];
	int i = 0;

	if (strcmp(restart, "Always") == 0)
		return;
	cJSON_ArrayForEach(o, os)
	{
		const cJSON *term = k8c_core_object(k8c_core_object(o, "state"), "terminated"), *c;
		const char *name = k8c_core_strz(o, "name");
		int skip = term == NULL || (k8c_core_int(term, "exitCode", 0) != 0 &&
		                            strcmp(restart, "OnFailure") == 0);
		cJSON_ArrayForEach(c, inits)
		{
			if (strcmp(k8c_core_strz(c, "name"), name) == 0) {
				skip |= strcmp(k8c_core_strz(c, "restartPolicy"), "Always") == 0;
				break;
			}
		}
		if (!skip) {
			cJSON_ArrayForEach(n, ns)
			{
				if (strcmp(k8c_core_strz(n, "name"), name) == 0 &&
				    k8c_core_object(k8c_core_object(n, "state"), "terminated") ==
				        NULL)
					k8c_core_forbidden(
					    e, CORE_PATH(p, "%s[%d].state", path, i),
					    "may not be transitioned to non-terminated state");
			}
		}
		i++;
	}
}

static void ip_list(k8c_field_errors_t *e, const cJSON *list, const char *path)
{
	const cJSON *it, *prev;
	char p[CORE_PATH_MAX];
	int i = 0, n = cJSON_GetArraySize(list), v4 = 0, v6 = 0, bad = 0;

	cJSON_ArrayForEach(it, list)
	{
		const char *ip = k8c_core_strz(it, "ip");
		unsigned char b[16];
		k8c_core_valid_ip(e, CORE_PATH(p, "%s[%d]", path, i), ip);
		if (!k8c_core_parse_ip(ip, b))
			bad = 1;
		else if (k8c_core_is_ipv6(ip))
			v6++;
		else
			v4++;
		i++;
	}
	if (n <= 1)
		return;
	if (!bad && (v4 != 1 || v6 != 1)) {
		_cleanup_free_ char *raw = cJSON_PrintUnformatted(list);
		k8c_core_invalid_raw(e, path, raw,
		                     "may specify no more than one IP for each IP family");
	}
	i = 0;
	cJSON_ArrayForEach(it, list)
	{
		int j = 0;
		cJSON_ArrayForEach(prev, list)
		{
			if (j++ >= i)
				break;
			if (strcmp(k8c_core_strz(prev, "ip"), k8c_core_strz(it, "ip")) == 0) {
				_cleanup_free_ char *raw = cJSON_PrintUnformatted(it);
				k8c_field_error_add_raw(e, K8C_FIELD_DUPLICATE,
				                        CORE_PATH(p, "%s[%d]", path, i), raw, NULL);
				break;
			}
		}
		i++;
	}
}

static void pod_status_update(k8c_field_errors_t *e, const cJSON *pod, const cJSON *old)
{
	static const char *const system[] = {"PodScheduled", "Ready", "Initialized", NULL};
	const cJSON *st = k8c_core_object(pod, "status"), *ost = k8c_core_object(old, "status");
	const cJSON *ospec = k8c_core_object(old, "spec"), *c;
	const char *nn = k8c_core_strz(st, "nominatedNodeName"), *q = k8c_core_strz(st, "qosClass");
	const cJSON *hips = k8c_core_array(st, "hostIPs");
	char p[CORE_PATH_MAX];
	int i = 0;

	pod_annotation_updates(e, pod, old);
	cJSON_ArrayForEach(c, k8c_core_array(st, "conditions"))
	{
		const char *type = k8c_core_strz(c, "type");
		if (!k8c_core_in(type, system))
			k8c_core_qualified_name(e, CORE_PATH(p, "metadata.conditions[%d].Type", i),
			                        type);
		i++;
	}
	if (strcmp(k8c_core_strz(k8c_core_object(pod, "spec"), "nodeName"),
	           k8c_core_strz(ospec, "nodeName")) != 0)
		k8c_core_forbidden(e, "status.nodeName", "may not be changed directly");
	if (nn[0] != '\0' && strcmp(nn, k8c_core_strz(ost, "nominatedNodeName")) != 0)
		k8c_core_dns_subdomain(e, "status.nominatedNodeName", nn);
	if (strcmp(q, k8c_core_strz(ost, "qosClass")) != 0)
		k8c_core_invalid_str(e, "status.qosClass", q, "field is immutable");
	state_transitions(e, k8c_core_array(st, "containerStatuses"),
	                  k8c_core_array(ost, "containerStatuses"),
	                  k8c_core_strz(ospec, "restartPolicy"), NULL, "status.containerStatuses");
	state_transitions(e, k8c_core_array(st, "initContainerStatuses"),
	                  k8c_core_array(ost, "initContainerStatuses"),
	                  k8c_core_strz(ospec, "restartPolicy"),
	                  k8c_core_array(ospec, "initContainers"), "status.initContainerStatuses");
	state_transitions(e, k8c_core_array(st, "ephemeralContainerStatuses"),
	                  k8c_core_array(ost, "ephemeralContainerStatuses"), "Never", NULL,
	                  "status.ephemeralContainerStatuses");
	ip_list(e, k8c_core_array(st, "podIPs"), "status.podIPs");
	if (cJSON_GetArraySize(hips) > 0) {
		const char *first = k8c_core_strz(cJSON_GetArrayItem(hips, 0), "ip");
		if (strcmp(k8c_core_strz(st, "hostIP"), first) != 0)
			k8c_core_invalid_str(e, "status.hostIPs[0].ip", first,
			                     "must be equal to `hostIP`");
		ip_list(e, hips, "status.hostIPs");
	}
}

void k8c_core_pod_validate(int op, const cJSON *obj, const cJSON *old, k8c_field_errors_t *e)
{
	const cJSON *spec = k8c_core_object(obj, "spec");

	if (op == K8C_OP_STATUS_UPDATE) {
		pod_status_update(e, obj, old);
		return;
	}
	pod_metadata_and_spec(e, obj);
	if (op == K8C_OP_UPDATE) {
		pod_update(e, obj, old);
		return;
	}
	if (k8c_core_count(spec, "ephemeralContainers") > 0)
		k8c_core_forbidden(e, "spec.ephemeralContainers", "cannot be set on create");
	if (k8c_core_strz(spec, "nodeName")[0] != '\0' &&
	    k8c_core_count(spec, "schedulingGates") > 0)
		k8c_core_forbidden(e, "spec.nodeName",
		                   "cannot be set until all schedulingGates have been cleared");
}

/* --- strategy ------------------------------------------------------------------------ */

static void pod_prepare(int op, cJSON *pod, const cJSON *old)
{
	cJSON *status;

	if (!cJSON_IsObject(pod))
		return;
	if (op == K8C_OP_CREATE) {
		const cJSON *spec = k8c_core_object(pod, "spec");
		status = cJSON_CreateObject();
		cJSON_AddStringToObject(status, "phase", "Pending");
		cJSON_AddStringToObject(status, "qosClass", k8c_core_pod_qos(pod));
		if (k8c_core_count(spec, "schedulingGates") > 0) {
			cJSON *conds = cJSON_AddArrayToObject(status, "conditions");
			cJSON *c = cJSON_CreateObject();
			cJSON_AddStringToObject(c, "type", "PodScheduled");
			cJSON_AddStringToObject(c, "status", "False");
			cJSON_AddNullToObject(c, "lastProbeTime");
			cJSON_AddNullToObject(c, "lastTransitionTime");
			cJSON_AddStringToObject(c, "reason", "SchedulingGated");
			cJSON_AddStringToObject(
			    c, "message",
			    "Scheduling is blocked due to non-empty scheduling gates");
			cJSON_AddItemToArray(conds, c);
		}
		k8c_core_set(pod, "status", status);
	} else if (op == K8C_OP_STATUS_UPDATE && old != NULL) {
		/* kubelets may not rewrite ownership; the QoS class is backfilled */
		cJSON *meta = k8c_jobject(pod, "metadata");
		status = k8c_jobject(pod, "status");
		if (meta != NULL)
			replace_or_delete(meta, "ownerReferences",
			                  k8c_core_object(old, "metadata"));
		if (status != NULL && k8c_core_strz(status, "qosClass")[0] == '\0' &&
		    k8c_core_str(k8c_core_object(old, "status"), "qosClass") != NULL)
			k8c_core_set(status, "qosClass",
			             cJSON_CreateString(
			                 k8c_core_str(k8c_core_object(old, "status"), "qosClass")));
	}
}

/* --- Table ------------------------------------------------------------------------------ */

static const k8c_table_column_t pod_columns[] = {
    {"Name", "string", "name", "Name of the pod, unique within its namespace.", 0},
    {"Ready", "string", "", "Ready containers out of all containers of the pod.", 0},
    {"Status", "string", "", "What the pod's containers are doing, in one word.", 0},
    {"Restarts", "string", "", "Container restarts, with the time since the last one.", 0},
    {"Age", "string", "", "Time since the pod was created.", 0},
    {"IP", "string", "", "The pod's first IP address.", 1},
    {"Node", "string", "", "The node the pod is bound to.", 1},
    {"Nominated Node", "string", "", "The node the scheduler nominated by preemption.", 1},
    {"Readiness Gates", "string", "", "Readiness gates that are true, out of all.", 1},
};

static int condition_true(const cJSON *status, const char *type)
{
	const cJSON *c;

	cJSON_ArrayForEach(
	    c,
	    k8c_core_array(status, "conditions")) if (strcmp(k8c_core_strz(c, "type"), type) == 0 &&
	                                              strcmp(k8c_core_strz(c, "status"), "True") ==
	                                                  0) return 1;
	return 0;
}

static int restartable_init(const cJSON *spec, const char *name)
{
	const cJSON *c;

	cJSON_ArrayForEach(
	    c, k8c_core_array(
	           spec, "initContainers")) if (strcmp(k8c_core_strz(c, "name"), name) ==
	                                        0) return strcmp(k8c_core_strz(c, "restartPolicy"),
	                                                         "Always") == 0;
	return 0;
}

/* The finishedAt of a container's last termination, into *t when later. */
static void last_termination(const cJSON *cs, long long *t, int *set)
{
	int ok;
	long long v = k8c_core_time_s(
	    k8c_core_strz(k8c_core_object(k8c_core_object(cs, "lastState"), "terminated"),
	                  "finishedAt"),
	    &ok);

	if (ok && (!*set || v > *t)) {
		*t = v;
		*set = 1;
	}
}

static void pod_row(const cJSON *pod, cJSON *cells, long long now_s)
{
	const cJSON *spec = k8c_core_object(pod, "spec"), *st = k8c_core_object(pod, "status"), *c;
	const cJSON *meta = k8c_core_object(pod, "metadata");
	const char *phase = k8c_core_strz(st, "phase"), *ip;
	char reason[256], buf[64], dur[K8C_DURATION_STRLEN];
	long long restarts = 0, rrestarts = 0, last = 0, rlast = 0;
	int last_set = 0, rlast_set = 0, total = k8c_core_count(spec, "containers"), ready = 0;
	int initializing = 0, i = 0, nstat;

	snprintf(reason, sizeof(reason), "%s",
	         k8c_core_strz(st, "reason")[0] ? k8c_core_strz(st, "reason") : phase);
	cJSON_ArrayForEach(c,
	                   k8c_core_array(st, "conditions")) if (strcmp(k8c_core_strz(c, "type"),
	                                                                "PodScheduled") == 0 &&
	                                                         strcmp(k8c_core_strz(c, "reason"),
	                                                                "SchedulingGated") == 0)
	    snprintf(reason, sizeof(reason), "SchedulingGated");
	cJSON_ArrayForEach(
	    c, k8c_core_array(spec, "initContainers")) if (strcmp(k8c_core_strz(c, "restartPolicy"),
	                                                          "Always") == 0) total++;
	cJSON_ArrayForEach(c, k8c_core_array(st, "initContainerStatuses"))
	{
		const cJSON *state = k8c_core_object(c, "state");
		const cJSON *term = k8c_core_object(state, "terminated"),
		            *wait = k8c_core_object(state, "waiting");
		int restartable = restartable_init(spec, k8c_core_strz(c, "name"));
		restarts += k8c_core_int(c, "restartCount", 0);
		last_termination(c, &last, &last_set);
		if (restartable) {
			rrestarts += k8c_core_int(c, "restartCount", 0);
			last_termination(c, &rlast, &rlast_set);
		}
		if (term != NULL && k8c_core_int(term, "exitCode", 0) == 0) {
			i++;
			continue;
		}
		if (restartable && k8c_core_bool(c, "started", 0)) {
			ready += k8c_core_bool(c, "ready", 0);
			i++;
			continue;
		}
		if (term != NULL) {
			if (k8c_core_strz(term, "reason")[0] == '\0') {
				if (k8c_core_int(term, "signal", 0) != 0)
					snprintf(reason, sizeof(reason), "Init:Signal:%lld",
					         k8c_core_int(term, "signal", 0));
				else
					snprintf(reason, sizeof(reason), "Init:ExitCode:%lld",
					         k8c_core_int(term, "exitCode", 0));
			} else {
				snprintf(reason, sizeof(reason), "Init:%s",
				         k8c_core_strz(term, "reason"));
			}
		} else if (wait != NULL && k8c_core_strz(wait, "reason")[0] != '\0' &&
		           strcmp(k8c_core_strz(wait, "reason"), "PodInitializing") != 0) {
			snprintf(reason, sizeof(reason), "Init:%s", k8c_core_strz(wait, "reason"));
		} else {
			snprintf(reason, sizeof(reason), "Init:%d/%d", i,
			         k8c_core_count(spec, "initContainers"));
		}
		initializing = 1;
		break;
	}
	if (!initializing || condition_true(st, "Initialized")) {
		const cJSON *list = k8c_core_array(st, "containerStatuses");
		int has_running = 0;
		restarts = rrestarts;
		last = rlast;
		last_set = rlast_set;
		nstat = cJSON_GetArraySize(list);
		for (int k = nstat - 1; k >= 0; k--) {
			const cJSON *cs = cJSON_GetArrayItem(list, k),
			            *state = k8c_core_object(cs, "state");
			const cJSON *term = k8c_core_object(state, "terminated"),
			            *wait = k8c_core_object(state, "waiting");
			restarts += k8c_core_int(cs, "restartCount", 0);
			last_termination(cs, &last, &last_set);
			if (wait != NULL && k8c_core_strz(wait, "reason")[0] != '\0') {
				snprintf(reason, sizeof(reason), "%s",
				         k8c_core_strz(wait, "reason"));
			} else if (term != NULL && k8c_core_strz(term, "reason")[0] != '\0') {
				snprintf(reason, sizeof(reason), "%s",
				         k8c_core_strz(term, "reason"));
			} else if (term != NULL) {
				if (k8c_core_int(term, "signal", 0) != 0)
					snprintf(reason, sizeof(reason), "Signal:%lld",
					         k8c_core_int(term, "signal", 0));
				else
					snprintf(reason, sizeof(reason), "ExitCode:%lld",
					         k8c_core_int(term, "exitCode", 0));
			} else if (k8c_core_bool(cs, "ready", 0) &&
			           k8c_core_object(state, "running") != NULL) {
				has_running = 1;
				ready++;
			}
		}
		if (strcmp(reason, "Completed") == 0 && has_running)
			snprintf(reason, sizeof(reason), "%s",
			         condition_true(st, "Ready") ? "Running" : "NotReady");
	}
	if (k8c_core_has(meta, "deletionTimestamp")) {
		if (strcmp(k8c_core_strz(st, "reason"), "NodeLost") == 0)
			snprintf(reason, sizeof(reason), "Unknown");
		else if (strcmp(phase, "Succeeded") != 0 && strcmp(phase, "Failed") != 0)
			snprintf(reason, sizeof(reason), "Terminating");
	}
	k8c_core_cell_str(cells, k8c_core_strz(meta, "name"));
	snprintf(buf, sizeof(buf), "%d/%d", ready, total);
	k8c_core_cell_str(cells, buf);
	k8c_core_cell_str(cells, reason);
	if (restarts != 0 && last_set)
		snprintf(buf, sizeof(buf), "%lld (%s ago)", restarts,
		         k8c_human_duration(now_s - last, dur));
	else
		snprintf(buf, sizeof(buf), "%lld", restarts);
	k8c_core_cell_str(cells, buf);
	k8c_core_cell_age(cells, pod, now_s);
	ip = k8c_core_strz(cJSON_GetArrayItem(k8c_core_array(st, "podIPs"), 0), "ip");
	if (ip[0] == '\0')
		ip = k8c_core_strz(st, "podIP");
	k8c_core_cell_str(cells, ip[0] ? ip : "<none>");
	k8c_core_cell_str(
	    cells, k8c_core_strz(spec, "nodeName")[0] ? k8c_core_strz(spec, "nodeName") : "<none>");
	k8c_core_cell_str(cells, k8c_core_strz(st, "nominatedNodeName")[0]
	                             ? k8c_core_strz(st, "nominatedNodeName")
	                             : "<none>");
	if (k8c_core_count(spec, "readinessGates") > 0) {
		int n = 0;
		cJSON_ArrayForEach(c, k8c_core_array(spec, "readinessGates"))
		{
			const cJSON *cond;
			cJSON_ArrayForEach(cond, k8c_core_array(st, "conditions"))
			{
				if (strcmp(k8c_core_strz(cond, "type"),
				           k8c_core_strz(c, "conditionType")) == 0) {
					n += strcmp(k8c_core_strz(cond, "status"), "True") == 0;
					break;
				}
			}
		}
		snprintf(buf, sizeof(buf), "%d/%d", n, k8c_core_count(spec, "readinessGates"));
		k8c_core_cell_str(cells, buf);
	} else {
		k8c_core_cell_str(cells, "<none>");
	}
}

/* --- field selectors ------------------------------------------------------------------ */

static const char *const pod_fields[] = {"spec.nodeName",
                                         "spec.restartPolicy",
                                         "spec.schedulerName",
                                         "spec.serviceAccountName",
                                         "spec.hostNetwork",
                                         "status.phase",
                                         "status.podIP",
                                         "status.nominatedNodeName",
                                         NULL};

static const char *pod_field_value(const cJSON *pod, const char *field, char *buf, size_t buflen)
{
	(void)buf;
	(void)buflen;
	if (strcmp(field, "spec.hostNetwork") == 0)
		return k8c_jbool(pod, "spec.hostNetwork", 0) ? "true" : "false";
	if (strcmp(field, "status.podIP") == 0) {
		const char *ip = k8c_core_str(
		    cJSON_GetArrayItem(k8c_core_array(k8c_core_object(pod, "status"), "podIPs"), 0),
		    "ip");
		return ip ? ip : k8c_jstr(pod, "status.podIP");
	}
	return k8c_jstr(pod, field);
}

/* --- descriptor ---------------------------------------------------------------------------- */

static void pod_defaults(cJSON *pod)
{
	k8c_core_pod_defaults(pod);
}

static const char *const pod_short[] = {"po", NULL};
static const char *const pod_categories[] = {"all", NULL};

const k8c_kind_t k8c_kind_pods = {
    .group = "",
    .version = "v1",
    .resource = "pods",
    .singular = "pod",
    .kind = "Pod",
    .namespaced = 1,
    .short_names = pod_short,
    .categories = pod_categories,
    .verbs = K8C_VERBS_ALL,
    .subresources = K8C_SUB_STATUS | K8C_SUB_BINDING | K8C_SUB_LOG | K8C_SUB_EVICTION,
    .schema_type = "io.k8s.api.core.v1.Pod",
    .has_status = 1,
    .has_generation = 0,
    .defaults = pod_defaults,
    .prepare = pod_prepare,
    .validate = k8c_core_pod_validate,
    .columns = pod_columns,
    .n_columns = sizeof(pod_columns) / sizeof(pod_columns[0]),
    .row = pod_row,
    .field_selectors = pod_fields,
    .field_value = pod_field_value,
};
