/* The persistentvolumes and persistentvolumeclaims resources: their
 * defaults, the strategies' status on create (Pending, and a PV's phase
 * transition time), ValidatePersistentVolume(Update) and
 * ValidatePersistentVolumeClaim(Update/StatusUpdate), and their Table
 * rows. */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/kind.h"
#include "apiserver/kinds/core.h"
#include "apiserver/kinds/core_internal.h"
#include "apiserver/kinds/util.h"
#include "common/mem.h"
#include "common/timestamp.h"

#define BETA_CLASS_ANNOTATION "volume.beta.kubernetes.io/storage-class"

/* PersistentVolumeSource members, in the order Kubernetes checks them. */
static const char *const pv_sources[] = {"hostPath",
                                         "gcePersistentDisk",
                                         "awsElasticBlockStore",
                                         "glusterfs",
                                         "flocker",
                                         "nfs",
                                         "rbd",
                                         "quobyte",
                                         "cephfs",
                                         "iscsi",
                                         "cinder",
                                         "fc",
                                         "flexVolume",
                                         "azureFile",
                                         "vsphereVolume",
                                         "photonPersistentDisk",
                                         "portworxVolume",
                                         "azureDisk",
                                         "scaleIO",
                                         "local",
                                         "storageos",
                                         "csi",
                                         NULL};

static void now_string(char buf[K8C_TIME_STRLEN])
{
	k8c_time_format(k8c_time_now_ns(), buf);
}

/* --- persistentvolumes ----------------------------------------------------------------------- */

static void pv_defaults(cJSON *pv)
{
	cJSON *spec, *st;

	if (!cJSON_IsObject(pv))
		return;
	st = k8c_jobject(pv, "status");
	if (st != NULL && k8c_core_strz(st, "phase")[0] == '\0')
		k8c_core_set(st, "phase", cJSON_CreateString("Pending"));
	spec = k8c_jobject(pv, "spec");
	if (spec == NULL)
		return;
	if (k8c_core_strz(spec, "persistentVolumeReclaimPolicy")[0] == '\0')
		k8c_core_set(spec, "persistentVolumeReclaimPolicy", cJSON_CreateString("Retain"));
	k8c_jdefault_str(spec, "volumeMode", "Filesystem");
	k8c_core_volume_source_defaults(spec);
}

static void pv_prepare(int op, cJSON *pv, const cJSON *old)
{
	char now[K8C_TIME_STRLEN];
	cJSON *st;

	if (!cJSON_IsObject(pv))
		return;
	if (op == K8C_OP_CREATE) {
		st = cJSON_CreateObject();
		cJSON_AddStringToObject(st, "phase", "Pending");
		now_string(now);
		cJSON_AddStringToObject(st, "lastPhaseTransitionTime", now);
		k8c_core_set(pv, "status", st);
	} else if (op == K8C_OP_STATUS_UPDATE && old != NULL) {
		const cJSON *ost = k8c_core_object(old, "status");
		st = k8c_jobject(pv, "status");
		if (st != NULL &&
		    strcmp(k8c_core_strz(st, "phase"), k8c_core_strz(ost, "phase")) != 0 &&
		    strcmp(k8c_core_strz(st, "lastPhaseTransitionTime"),
		           k8c_core_strz(ost, "lastPhaseTransitionTime")) == 0) {
			now_string(now);
			k8c_core_set(st, "lastPhaseTransitionTime", cJSON_CreateString(now));
		}
	}
}

static void secret_ref(k8c_field_errors_t *e, const cJSON *ref, const char *path)
{
	char p[CORE_PATH_MAX];
	const char *name = k8c_core_strz(ref, "name"), *ns = k8c_core_strz(ref, "namespace");

	CORE_PATH(p, "%s.name", path);
	if (name[0] == '\0')
		k8c_core_required(e, p, NULL);
	else
		k8c_core_dns_subdomain(e, p, name);
	CORE_PATH(p, "%s.namespace", path);
	if (ns[0] == '\0')
		k8c_core_required(e, p, NULL);
	else
		k8c_core_dns_label(e, p, ns);
}

static void pv_source(k8c_field_errors_t *e, const cJSON *spec, int affinity)
{
	static const char *const refs[] = {"controllerPublishSecretRef",
	                                   "controllerExpandSecretRef", "nodePublishSecretRef",
	                                   "nodeExpandSecretRef", NULL};
	char p[CORE_PATH_MAX], sp[CORE_PATH_MAX];
	int n = 0;

	for (const char *const *k = pv_sources; *k != NULL; k++) {
		const cJSON *src = k8c_core_member(spec, *k);
		if (src == NULL)
			continue;
		CORE_PATH(sp, "spec.%s", *k);
		if (n > 0 && strcmp(*k, "flexVolume") != 0) {
			k8c_core_forbidden(e, strcmp(*k, "cephfs") == 0 ? "spec.cephFS" : sp,
			                   "may not specify more than 1 volume type");
			continue;
		}
		n++;
		if (strcmp(*k, "hostPath") == 0) {
			k8c_core_host_path_source(src, sp, e);
		} else if (strcmp(*k, "nfs") == 0) {
			k8c_core_nfs_source(src, sp, e);
		} else if (strcmp(*k, "local") == 0) {
			const char *path = k8c_core_strz(src, "path");
			if (path[0] == '\0') {
				k8c_core_required(e, CORE_PATH(p, "%s.path", sp), NULL);
			} else {
				for (const char *s = path; s != NULL;) {
					const char *slash = strchr(s, '/');
					size_t len = slash ? (size_t)(slash - s) : strlen(s);
					if (len == 2 && s[0] == '.' && s[1] == '.') {
						k8c_core_invalid_str(e, CORE_PATH(p, "%s.path", sp),
						                     path, "must not contain '..'");
						break;
					}
					s = slash ? slash + 1 : NULL;
				}
			}
			if (!affinity)
				k8c_core_required(e, "spec.nodeAffinity",
				                  "Local volume requires node affinity");
		} else if (strcmp(*k, "csi") == 0) {
			k8c_core_csi_driver(src, sp, e);
			if (k8c_core_strz(src, "volumeHandle")[0] == '\0')
				k8c_core_required(e, CORE_PATH(p, "%s.volumeHandle", sp), NULL);
			for (const char *const *r = refs; *r != NULL; r++)
				if (k8c_core_object(src, *r) != NULL)
					secret_ref(e, k8c_core_object(src, *r),
					           CORE_PATH(p, "%s.%s", sp, *r));
		}
	}
	if (n == 0)
		k8c_core_required(e, "spec", "must specify a volume type");
}

static void pv_spec(k8c_field_errors_t *e, const cJSON *pv)
{
	static const char *const policies[] = {"Delete", "Recycle", "Retain", NULL};
	static const char *const storage_only[] = {"storage", NULL};
	const cJSON *spec = k8c_core_object(pv, "spec"), *cap = k8c_core_object(spec, "capacity"),
	            *it;
	const cJSON *aff = k8c_core_object(spec, "nodeAffinity");
	const char *rp = k8c_core_strz(spec, "persistentVolumeReclaimPolicy"),
	           *vm = k8c_core_str(spec, "volumeMode");
	const char *sc = k8c_core_strz(spec, "storageClassName");
	char p[CORE_PATH_MAX];

	if (k8c_core_count(spec, "accessModes") == 0)
		k8c_core_required(e, "spec.accessModes", NULL);
	k8c_core_access_modes_check(k8c_core_array(spec, "accessModes"), "spec.accessModes", e);
	if (cJSON_GetArraySize(cap) == 0)
		k8c_core_required(e, "spec.capacity", NULL);
	if (k8c_core_member(cap, "storage") == NULL || cJSON_GetArraySize(cap) > 1) {
		_cleanup_free_ char *raw =
		    cap ? cJSON_PrintUnformatted(cap) : k8c_xstrdup("core.ResourceList(nil)");
		k8c_field_error_add_raw(e, K8C_FIELD_NOT_SUPPORTED, "spec.capacity", raw,
		                        "supported values: \"%s\"", storage_only[0]);
	}
	cJSON_ArrayForEach(it, cap)
	{
		k8c_quantity_t q, zero = k8c_quantity_from_int(0, K8C_QUANTITY_DECIMAL_SI);
		char buf[K8C_QUANTITY_STRLEN];
		CORE_PATH(p, "spec.capacity[%s]", it->string);
		if (k8c_core_qty(it, &q) < 0) {
			k8c_core_resource_quantity(e, p, it->string, it);
			continue;
		}
		if (k8c_quantity_value(&q) < 0)
			k8c_core_invalid_int(e, p, k8c_quantity_value(&q),
			                     "must be a valid resource quantity");
		if (k8c_quantity_cmp(&q, &zero) <= 0)
			k8c_core_invalid_str(e, p, k8c_quantity_format(&q, buf, sizeof(buf)),
			                     "must be greater than zero");
	}
	if (rp[0] != '\0' && !k8c_core_in(rp, policies))
		k8c_core_not_supported(e, "spec.persistentVolumeReclaimPolicy", rp, policies);
	if (aff != NULL) {
		if (k8c_core_object(aff, "required") != NULL)
			k8c_core_node_selector(k8c_core_object(aff, "required"),
			                       "spec.nodeAffinity.required", e);
		else
			k8c_core_required(e, "spec.nodeAffinity.required",
			                  "must specify required node constraints");
	}
	pv_source(e, spec, aff != NULL);
	if (k8c_core_object(spec, "hostPath") != NULL && strcmp(rp, "Recycle") == 0) {
		const char *hp = k8c_core_strz(k8c_core_object(spec, "hostPath"), "path");
		size_t n = strlen(hp);
		while (n > 1 && hp[n - 1] == '/')
			n--;
		if (n == 1 && hp[0] == '/')
			k8c_core_forbidden(e, "spec.persistentVolumeReclaimPolicy",
			                   "may not be 'recycle' for a hostPath mount of '/'");
	}
	if (sc[0] != '\0')
		k8c_core_dns_subdomain(e, "spec.storageClassName", sc);
	if (vm != NULL && !k8c_core_in(vm, k8c_core_volume_modes))
		k8c_core_not_supported(e, "spec.volumeMode", vm, k8c_core_volume_modes);
}

static void pv_validate(int op, const cJSON *pv, const cJSON *old, k8c_field_errors_t *e)
{
	const cJSON *spec = k8c_core_object(pv, "spec"), *os = k8c_core_object(old, "spec");

	if (op == K8C_OP_STATUS_UPDATE)
		return;
	pv_spec(e, pv);
	if (op != K8C_OP_UPDATE || os == NULL)
		return;
	{
		/* PersistentVolumeSource is immutable; a CSI controllerExpandSecretRef may be added
		 */
		_cleanup_json_ cJSON *ns_src = cJSON_CreateObject();
		_cleanup_json_ cJSON *os_src = cJSON_CreateObject();
		for (const char *const *k = pv_sources; *k != NULL; k++) {
			if (k8c_core_member(spec, *k) != NULL)
				cJSON_AddItemToObject(
				    ns_src, *k, cJSON_Duplicate(k8c_core_member(spec, *k), 1));
			if (k8c_core_member(os, *k) != NULL)
				cJSON_AddItemToObject(os_src, *k,
				                      cJSON_Duplicate(k8c_core_member(os, *k), 1));
		}
		if (k8c_core_object(k8c_core_object(os, "csi"), "controllerExpandSecretRef") ==
		    NULL)
			cJSON_DeleteItemFromObjectCaseSensitive(
			    cJSON_GetObjectItemCaseSensitive(ns_src, "csi"),
			    "controllerExpandSecretRef");
		if (!k8c_core_equal(ns_src, os_src)) {
			_cleanup_free_ char *diff = k8c_core_diff(os_src, ns_src, "spec");
			_cleanup_free_ char *msg = k8c_xasprintf(
			    "spec.persistentvolumesource is immutable after creation\n%s", diff);
			k8c_core_forbidden(e, "spec.persistentvolumesource", msg);
		}
	}
	if (!k8c_core_equal(k8c_core_member(spec, "volumeMode"), k8c_core_member(os, "volumeMode")))
		k8c_core_invalid_str(e, "volumeMode", k8c_core_strz(spec, "volumeMode"),
		                     "field is immutable");
	if (k8c_core_object(os, "nodeAffinity") != NULL &&
	    !k8c_core_equal(k8c_core_member(spec, "nodeAffinity"),
	                    k8c_core_member(os, "nodeAffinity"))) {
		_cleanup_free_ char *raw =
		    k8c_core_has(spec, "nodeAffinity")
		        ? cJSON_PrintUnformatted(k8c_core_member(spec, "nodeAffinity"))
		        : k8c_xstrdup("null");
		k8c_core_invalid_raw(
		    e, "nodeAffinity", raw,
		    "field is immutable, except for updating from beta label to GA");
	}
}

static const char *access_modes_string(const cJSON *modes, char *buf, size_t len)
{
	static const char *const order[][2] = {{"ReadWriteOnce", "RWO"},
	                                       {"ReadOnlyMany", "ROX"},
	                                       {"ReadWriteMany", "RWX"},
	                                       {"ReadWriteOncePod", "RWOP"}};
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const cJSON *m;
		int has = 0;
		cJSON_ArrayForEach(m, modes) has |=
		    cJSON_IsString(m) && strcmp(m->valuestring, order[i][0]) == 0;
		if (has && used + 6 < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "," : "",
			                         order[i][1]);
	}
	return buf;
}

static const k8c_table_column_t pv_columns[] = {
    {"Name", "string", "name", "Name of the persistent volume.", 0},
    {"Capacity", "string", "", "The storage capacity of the volume.", 0},
    {"Access Modes", "string", "", "How the volume can be mounted.", 0},
    {"Reclaim Policy", "string", "", "What happens to the volume when its claim is released.", 0},
    {"Status", "string", "", "The phase of the volume.", 0},
    {"Claim", "string", "", "The claim bound to the volume, as namespace/name.", 0},
    {"StorageClass", "string", "", "The storage class of the volume.", 0},
    {"VolumeAttributesClass", "string", "", "The volume attributes class of the volume.", 0},
    {"Reason", "string", "", "Why the volume is in its phase.", 0},
    {"Age", "string", "", "Time since the volume was created.", 0},
    {"VolumeMode", "string", "", "Filesystem or Block.", 1},
};

static void pv_row(const cJSON *pv, cJSON *cells, long long now_s)
{
	const cJSON *spec = k8c_core_object(pv, "spec"), *st = k8c_core_object(pv, "status");
	const cJSON *claim = k8c_core_object(spec, "claimRef");
	const char *cls = k8c_core_str(
	    k8c_core_object(k8c_core_object(pv, "metadata"), "annotations"), BETA_CLASS_ANNOTATION);
	char buf[K8C_QUANTITY_STRLEN], modes[64];
	_cleanup_free_ char *claimstr =
	    claim ? k8c_xasprintf("%s/%s", k8c_core_strz(claim, "namespace"),
	                          k8c_core_strz(claim, "name"))
	          : k8c_xstrdup("");

	k8c_core_cell_str(cells, k8c_jstr(pv, "metadata.name"));
	k8c_core_cell_str(
	    cells,
	    k8c_core_qty_str(k8c_core_member(k8c_core_object(spec, "capacity"), "storage"), buf));
	k8c_core_cell_str(
	    cells, access_modes_string(k8c_core_array(spec, "accessModes"), modes, sizeof(modes)));
	k8c_core_cell_str(cells, k8c_core_strz(spec, "persistentVolumeReclaimPolicy"));
	k8c_core_cell_str(cells, k8c_core_has(k8c_core_object(pv, "metadata"), "deletionTimestamp")
	                             ? "Terminating"
	                             : k8c_core_strz(st, "phase"));
	k8c_core_cell_str(cells, claimstr);
	k8c_core_cell_str(cells, cls ? cls : k8c_core_strz(spec, "storageClassName"));
	k8c_core_cell_str(cells, k8c_core_str(spec, "volumeAttributesClassName")
	                             ? k8c_core_str(spec, "volumeAttributesClassName")
	                             : "<unset>");
	k8c_core_cell_str(cells, k8c_core_strz(st, "reason"));
	k8c_core_cell_age(cells, pv, now_s);
	k8c_core_cell_str(cells, k8c_core_str(spec, "volumeMode") ? k8c_core_str(spec, "volumeMode")
	                                                          : "<unset>");
}

static const char *legacy_name(const cJSON *obj, const char *field, char *buf, size_t buflen)
{
	(void)buf;
	(void)buflen;
	return k8c_jstr(obj, strcmp(field, "name") == 0 ? "metadata.name" : field);
}

/* "name" is a legacy alias of metadata.name */
static const char *const volume_fields[] = {"name", NULL};
static const char *const pv_short[] = {"pv", NULL};

const k8c_kind_t k8c_kind_persistentvolumes = {
    .group = "",
    .version = "v1",
    .resource = "persistentvolumes",
    .singular = "persistentvolume",
    .kind = "PersistentVolume",
    .namespaced = 0,
    .short_names = pv_short,
    .verbs = K8C_VERBS_ALL,
    .subresources = K8C_SUB_STATUS,
    .schema_type = "io.k8s.api.core.v1.PersistentVolume",
    .has_status = 1,
    .has_generation = 0,
    .defaults = pv_defaults,
    .prepare = pv_prepare,
    .validate = pv_validate,
    .columns = pv_columns,
    .n_columns = sizeof(pv_columns) / sizeof(pv_columns[0]),
    .row = pv_row,
    .field_selectors = volume_fields,
    .field_value = legacy_name,
};

/* --- persistentvolumeclaims ------------------------------------------------------------------ */

static void pvc_defaults(cJSON *pvc)
{
	cJSON *st;

	if (!cJSON_IsObject(pvc))
		return;
	st = k8c_jobject(pvc, "status");
	if (st != NULL && k8c_core_strz(st, "phase")[0] == '\0')
		k8c_core_set(st, "phase", cJSON_CreateString("Pending"));
	k8c_core_pvc_spec_defaults(k8c_jobject(pvc, "spec"));
}

static void pvc_prepare(int op, cJSON *pvc, const cJSON *old)
{
	if (op == K8C_OP_CREATE && cJSON_IsObject(pvc)) {
		cJSON *st = cJSON_CreateObject();
		cJSON_AddStringToObject(st, "phase", "Pending");
		k8c_core_set(pvc, "status", st);
	}
}

static void pvc_update(k8c_field_errors_t *e, const cJSON *pvc, const cJSON *old)
{
	const cJSON *ns = k8c_core_object(pvc, "spec"), *os = k8c_core_object(old, "spec");
	const cJSON *nann = k8c_core_object(k8c_core_object(pvc, "metadata"), "annotations");
	const cJSON *oann = k8c_core_object(k8c_core_object(old, "metadata"), "annotations");
	const char *oa = k8c_core_str(oann, BETA_CLASS_ANNOTATION),
	           *na = k8c_core_str(nann, BETA_CLASS_ANNOTATION);
	const cJSON *osc = k8c_core_member(os, "storageClassName"),
	            *nsc = k8c_core_member(ns, "storageClassName");
	int bound = strcmp(k8c_core_strz(k8c_core_object(pvc, "status"), "phase"), "Bound") == 0;
	_cleanup_json_ cJSON *nc = ns ? cJSON_Duplicate(ns, 1) : cJSON_CreateObject();
	_cleanup_json_ cJSON *oc = os ? cJSON_Duplicate(os, 1) : cJSON_CreateObject();
	k8c_quantity_t nq, oq, sq;
	const cJSON *nstor = k8c_core_member(
	    k8c_core_object(k8c_core_object(ns, "resources"), "requests"), "storage");
	const cJSON *ostor = k8c_core_member(
	    k8c_core_object(k8c_core_object(os, "resources"), "requests"), "storage");

	if (k8c_core_strz(os, "volumeName")[0] == '\0') {
		cJSON_DeleteItemFromObjectCaseSensitive(oc, "volumeName");
		if (k8c_core_member(ns, "volumeName") != NULL)
			cJSON_AddItemToObject(
			    oc, "volumeName",
			    cJSON_Duplicate(k8c_core_member(ns, "volumeName"), 1));
	}
	if (oa != NULL && osc == NULL && cJSON_IsString(nsc) && strcmp(nsc->valuestring, oa) == 0 &&
	    (na == NULL || strcmp(na, oa) == 0)) {
		cJSON_DeleteItemFromObjectCaseSensitive(nc, "storageClassName");
	} else {
		if (strcmp(na ? na : "", oa ? oa : "") != 0)
			k8c_core_invalid_str(e, "metadata.annotations." BETA_CLASS_ANNOTATION,
			                     na ? na : "", "field is immutable");
		if (nsc != NULL && osc == NULL &&
		    (oa == NULL || (cJSON_IsString(nsc) && strcmp(nsc->valuestring, oa) == 0)))
			cJSON_DeleteItemFromObjectCaseSensitive(nc, "storageClassName");
	}
	if (bound && k8c_core_object(k8c_core_object(nc, "resources"), "requests") != NULL) {
		cJSON *req = k8c_jobject(nc, "resources.requests");
		cJSON_DeleteItemFromObjectCaseSensitive(req, "storage");
		if (ostor != NULL)
			cJSON_AddItemToObject(req, "storage", cJSON_Duplicate(ostor, 1));
	}
	if (bound && k8c_core_has(nc, "volumeAttributesClassName"))
		k8c_core_set(
		    nc, "volumeAttributesClassName",
		    k8c_core_has(os, "volumeAttributesClassName")
		        ? cJSON_Duplicate(k8c_core_member(os, "volumeAttributesClassName"), 1)
		        : cJSON_CreateNull());
	if (!k8c_core_equal(nc, oc)) {
		_cleanup_free_ char *diff = k8c_core_diff(oc, nc, "spec");
		_cleanup_free_ char *msg =
		    k8c_xasprintf("spec is immutable after creation except resources.requests and "
		                  "volumeAttributesClassName for bound claims\n%s",
		                  diff);
		k8c_core_forbidden(e, "spec", msg);
	}
	/* RecoverVolumeExpansionFailure (beta in 1.32): shrinking is allowed
	 * down to, not including, the recorded capacity */
	if (k8c_core_qty(nstor, &nq) == 0 && k8c_core_qty(ostor, &oq) == 0 &&
	    k8c_quantity_cmp(&nq, &oq) < 0) {
		const cJSON *scap = k8c_core_member(
		    k8c_core_object(k8c_core_object(old, "status"), "capacity"), "storage");
		if (k8c_core_qty(scap, &sq) < 0)
			sq = k8c_quantity_from_int(0, K8C_QUANTITY_DECIMAL_SI);
		if (k8c_quantity_cmp(&nq, &sq) <= 0)
			k8c_core_forbidden(e, "spec.resources.requests.storage",
			                   "field can not be less than status.capacity");
	}
	if (!k8c_core_equal(k8c_core_member(ns, "volumeMode"), k8c_core_member(os, "volumeMode")))
		k8c_core_invalid_str(e, "volumeMode", k8c_core_strz(ns, "volumeMode"),
		                     "field is immutable");
}

static void pvc_validate(int op, const cJSON *pvc, const cJSON *old, k8c_field_errors_t *e)
{
	if (op == K8C_OP_STATUS_UPDATE) {
		const cJSON *it;
		char p[CORE_PATH_MAX];
		if (k8c_core_count(k8c_core_object(pvc, "spec"), "accessModes") == 0)
			k8c_core_required(e, "Spec.accessModes", NULL);
		cJSON_ArrayForEach(it, k8c_core_object(k8c_core_object(pvc, "status"), "capacity"))
		{
			k8c_quantity_t q;
			if (k8c_core_qty(it, &q) == 0 && k8c_quantity_value(&q) < 0)
				k8c_core_invalid_int(
				    e, CORE_PATH(p, "status.capacity[%s]", it->string),
				    k8c_quantity_value(&q), "must be a valid resource quantity");
		}
		return;
	}
	k8c_core_pvc_spec_validate(k8c_core_object(pvc, "spec"), "spec", e);
	if (op == K8C_OP_UPDATE && old != NULL)
		pvc_update(e, pvc, old);
}

static const k8c_table_column_t pvc_columns[] = {
    {"Name", "string", "name", "Name of the claim, unique within its namespace.", 0},
    {"Status", "string", "", "The phase of the claim.", 0},
    {"Volume", "string", "", "The volume bound to the claim.", 0},
    {"Capacity", "string", "", "The storage capacity of the bound volume.", 0},
    {"Access Modes", "string", "", "How the bound volume can be mounted.", 0},
    {"StorageClass", "string", "", "The storage class of the claim.", 0},
    {"VolumeAttributesClass", "string", "", "The volume attributes class of the claim.", 0},
    {"Age", "string", "", "Time since the claim was created.", 0},
    {"VolumeMode", "string", "", "Filesystem or Block.", 1},
};

static void pvc_row(const cJSON *pvc, cJSON *cells, long long now_s)
{
	const cJSON *spec = k8c_core_object(pvc, "spec"), *st = k8c_core_object(pvc, "status");
	const char *cls =
	    k8c_core_str(k8c_core_object(k8c_core_object(pvc, "metadata"), "annotations"),
	                 BETA_CLASS_ANNOTATION);
	const char *vn = k8c_core_strz(spec, "volumeName");
	char buf[K8C_QUANTITY_STRLEN], modes[64];

	k8c_core_cell_str(cells, k8c_jstr(pvc, "metadata.name"));
	k8c_core_cell_str(cells, k8c_core_has(k8c_core_object(pvc, "metadata"), "deletionTimestamp")
	                             ? "Terminating"
	                             : k8c_core_strz(st, "phase"));
	k8c_core_cell_str(cells, vn);
	k8c_core_cell_str(
	    cells, vn[0] ? k8c_core_qty_str(
	                       k8c_core_member(k8c_core_object(st, "capacity"), "storage"), buf)
	                 : "");
	k8c_core_cell_str(cells, vn[0] ? access_modes_string(k8c_core_array(st, "accessModes"),
	                                                     modes, sizeof(modes))
	                               : "");
	k8c_core_cell_str(cells, cls ? cls : k8c_core_strz(spec, "storageClassName"));
	k8c_core_cell_str(cells, k8c_core_str(spec, "volumeAttributesClassName")
	                             ? k8c_core_str(spec, "volumeAttributesClassName")
	                             : "<unset>");
	k8c_core_cell_age(cells, pvc, now_s);
	k8c_core_cell_str(cells, k8c_core_str(spec, "volumeMode") ? k8c_core_str(spec, "volumeMode")
	                                                          : "<unset>");
}

static const char *const pvc_short[] = {"pvc", NULL};

const k8c_kind_t k8c_kind_persistentvolumeclaims = {
    .group = "",
    .version = "v1",
    .resource = "persistentvolumeclaims",
    .singular = "persistentvolumeclaim",
    .kind = "PersistentVolumeClaim",
    .namespaced = 1,
    .short_names = pvc_short,
    .verbs = K8C_VERBS_ALL,
    .subresources = K8C_SUB_STATUS,
    .schema_type = "io.k8s.api.core.v1.PersistentVolumeClaim",
    .has_status = 1,
    .has_generation = 0,
    .defaults = pvc_defaults,
    .prepare = pvc_prepare,
    .validate = pvc_validate,
    .columns = pvc_columns,
    .n_columns = sizeof(pvc_columns) / sizeof(pvc_columns[0]),
    .row = pvc_row,
    .field_selectors = volume_fields,
    .field_value = legacy_name,
};
