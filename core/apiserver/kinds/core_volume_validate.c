/* Pod volume validation (Kubernetes' ValidateVolumes and
 * validateVolumeSource), the volume sources PersistentVolumes share, node
 * selectors, and PersistentVolumeClaimSpec validation. */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/kinds/core.h"
#include "apiserver/kinds/core_internal.h"
#include "common/mem.h"

#define FILE_MODE_ERR "must be a number between 0 and 0777 (octal), both inclusive"

const cJSON *k8c_core_vols_find(const k8c_core_vols_t *v, const char *name)
{
	for (int i = 0; v != NULL && i < v->n; i++)
		if (strcmp(k8c_core_strz(v->items[i], "name"), name) == 0)
			return v->items[i];
	return NULL;
}

static void file_mode(k8c_field_errors_t *e, const cJSON *o, const char *key, const char *path)
{
	const cJSON *m = k8c_core_member(o, key);
	char p[CORE_PATH_MAX];

	if (cJSON_IsNumber(m) && (m->valuedouble < 0 || m->valuedouble > 0777))
		k8c_core_invalid_int(e, CORE_PATH(p, "%s.%s", path, key), (long long)m->valuedouble,
		                     FILE_MODE_ERR);
}

static void required_str(k8c_field_errors_t *e, const cJSON *o, const char *key, const char *path)
{
	char p[CORE_PATH_MAX];

	if (k8c_core_strz(o, key)[0] == '\0')
		k8c_core_required(e, CORE_PATH(p, "%s.%s", path, key), NULL);
}

static void no_backsteps(k8c_field_errors_t *e, const char *path, const char *target)
{
	for (const char *p = target; p != NULL;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			k8c_core_invalid_str(e, path, target, "must not contain '..'");
			return;
		}
		p = slash ? slash + 1 : NULL;
	}
}

/* ValidateLocalNonReservedPath */
static void local_non_reserved(k8c_field_errors_t *e, const char *path, const char *target)
{
	k8c_core_local_descending_path(e, path, target);
	if (strncmp(target, "..", 2) == 0 && strncmp(target, "../", 3) != 0)
		k8c_core_invalid_str(e, path, target, "must not start with '..'");
}

static void key_to_paths(k8c_field_errors_t *e, const cJSON *items, const char *path)
{
	const cJSON *kp;
	char ip[CORE_PATH_MAX], p[CORE_PATH_MAX];
	int i = 0;

	cJSON_ArrayForEach(kp, items)
	{
		CORE_PATH(ip, "%s[%d]", path, i++);
		required_str(e, kp, "key", ip);
		required_str(e, kp, "path", ip);
		local_non_reserved(e, CORE_PATH(p, "%s.path", ip), k8c_core_strz(kp, "path"));
		file_mode(e, kp, "mode", ip);
	}
}

void k8c_core_host_path_source(const cJSON *src, const char *path, k8c_field_errors_t *e)
{
	static const char *const types[] = {
	    "",     "BlockDevice",  "CharDevice", "Directory", "DirectoryOrCreate",
	    "File", "FileOrCreate", "Socket",     NULL};
	const char *type = k8c_core_str(src, "type");
	char p[CORE_PATH_MAX];

	if (k8c_core_strz(src, "path")[0] == '\0') {
		k8c_core_required(e, CORE_PATH(p, "%s.path", path), NULL);
		return;
	}
	no_backsteps(e, CORE_PATH(p, "%s.path", path), k8c_core_strz(src, "path"));
	if (type != NULL && !k8c_core_in(type, types))
		k8c_core_not_supported(e, CORE_PATH(p, "%s.type", path), type, types);
}

void k8c_core_nfs_source(const cJSON *src, const char *path, k8c_field_errors_t *e)
{
	char p[CORE_PATH_MAX];

	required_str(e, src, "server", path);
	required_str(e, src, "path", path);
	if (k8c_core_strz(src, "path")[0] != '/')
		k8c_core_invalid_str(e, CORE_PATH(p, "%s.path", path), k8c_core_strz(src, "path"),
		                     "must be an absolute path");
}

void k8c_core_csi_driver(const cJSON *src, const char *path, k8c_field_errors_t *e)
{
	const char *driver = k8c_core_strz(src, "driver");
	_cleanup_free_ char *lower = k8c_xstrdup(driver);
	char p[CORE_PATH_MAX], msg[512];

	CORE_PATH(p, "%s.driver", path);
	if (driver[0] == '\0')
		k8c_core_required(e, p, NULL);
	if (strlen(driver) > 63)
		k8c_core_too_long(e, p, 63);
	for (char *c = lower; *c != '\0'; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	{
		k8c_field_errors_t tmp = K8C_FIELD_ERRORS_INIT;
		k8c_core_dns_subdomain(&tmp, p, lower);
		for (size_t i = 0; i < tmp.n; i++) {
			snprintf(msg, sizeof(msg), "%s",
			         tmp.items[i].detail ? tmp.items[i].detail : "");
			k8c_core_invalid_str(e, p, driver, msg);
		}
		k8c_field_errors_free(&tmp);
	}
}

static void projected(k8c_field_errors_t *e, const cJSON *src, const char *path)
{
	static const char *const kinds[] = {
	    "secret", "configMap", "downwardAPI", "serviceAccountToken", "clusterTrustBundle",
	    NULL};
	const cJSON *s;
	char p[CORE_PATH_MAX], sp[CORE_PATH_MAX];
	int i = 0;

	file_mode(e, src, "defaultMode", path);
	cJSON_ArrayForEach(s, k8c_core_array(src, "sources"))
	{
		int n = 0;
		CORE_PATH(sp, "%s.sources[%d]", path, i++);
		for (const char *const *k = kinds; *k != NULL; k++) {
			const cJSON *v = k8c_core_object(s, *k);
			if (v == NULL)
				continue;
			n++;
			if (strcmp(*k, "secret") == 0 || strcmp(*k, "configMap") == 0) {
				CORE_PATH(p, "%s.%s", sp, *k);
				required_str(e, v, "name", p);
				key_to_paths(e, k8c_core_array(v, "items"),
				             CORE_PATH(p, "%s.%s.items", sp, *k));
			} else if (strcmp(*k, "serviceAccountToken") == 0) {
				long long exp = k8c_core_int(v, "expirationSeconds", 0);
				CORE_PATH(p, "%s.serviceAccountToken.expirationSeconds", sp);
				if (exp < 600)
					k8c_core_invalid_int(
					    e, p, exp,
					    "may not specify a duration less than 10 minutes");
				if (exp > 4294967296LL)
					k8c_core_invalid_int(
					    e, p, exp,
					    "may not specify a duration larger than 2^32 seconds");
				if (k8c_core_strz(v, "path")[0] == '\0')
					k8c_core_required(e, CORE_PATH(p, "%s.path", path), NULL);
				else
					local_non_reserved(e, CORE_PATH(p, "%s.path", path),
					                   k8c_core_strz(v, "path"));
			} else if (strcmp(*k, "downwardAPI") == 0) {
				const cJSON *f;
				CORE_PATH(p, "%s.downwardAPI", sp);
				cJSON_ArrayForEach(f, k8c_core_array(v, "items"))
				{
					char fp[CORE_PATH_MAX];
					required_str(e, f, "path", p);
					if (k8c_core_object(f, "fieldRef"))
						k8c_core_object_field_selector(
						    e, k8c_core_object(f, "fieldRef"),
						    k8c_core_volume_field_paths,
						    CORE_PATH(fp, "%s.fieldRef", p));
				}
			}
		}
		if (n > 1)
			k8c_core_forbidden(e, sp,
			                   "may not specify more than 1 volume type per source");
	}
}

static void downward_api(k8c_field_errors_t *e, const cJSON *src, const char *path)
{
	const cJSON *f;
	char p[CORE_PATH_MAX];

	file_mode(e, src, "defaultMode", path);
	/* validateDownwardAPIVolumeFile reports at the source path, not per item */
	cJSON_ArrayForEach(f, k8c_core_array(src, "items"))
	{
		const cJSON *fr = k8c_core_object(f, "fieldRef"),
		            *rr = k8c_core_object(f, "resourceFieldRef");
		required_str(e, f, "path", path);
		local_non_reserved(e, CORE_PATH(p, "%s.path", path), k8c_core_strz(f, "path"));
		if (fr != NULL) {
			k8c_core_object_field_selector(e, fr, k8c_core_volume_field_paths,
			                               CORE_PATH(p, "%s.fieldRef", path));
			if (rr != NULL)
				k8c_core_invalid_str(e, path, "resource",
				                     "fieldRef and resourceFieldRef can not be "
				                     "specified simultaneously");
		} else if (rr != NULL) {
			k8c_core_resource_field_selector(e, rr, 1,
			                                 CORE_PATH(p, "%s.resourceFieldRef", path));
		} else {
			k8c_core_required(e, path,
			                  "one of fieldRef and resourceFieldRef is required");
		}
		file_mode(e, f, "mode", path);
	}
}

static void partition(k8c_field_errors_t *e, const cJSON *src, const char *path)
{
	char p[CORE_PATH_MAX];
	long long v = k8c_core_int(src, "partition", 0);

	if (v < 0 || v > 255)
		k8c_core_invalid_int(e, CORE_PATH(p, "%s.partition", path), v,
		                     "must be between 1 and 255, inclusive");
}

static void template_metadata(k8c_field_errors_t *e, const cJSON *meta, const char *path)
{
	const cJSON *it;
	char p[CORE_PATH_MAX];

	k8c_core_labels(e, CORE_PATH(p, "%s.labels", path), k8c_core_object(meta, "labels"));
	cJSON_ArrayForEach(it, meta)
	{
		if (strcmp(it->string, "labels") != 0 && strcmp(it->string, "annotations") != 0 &&
		    !k8c_core_equal(it, NULL))
			k8c_core_forbidden(e, CORE_PATH(p, "%s.%s", path, it->string),
			                   "cannot be set");
	}
}

/* validateVolumeSource for one Volume (or a PersistentVolumeSpec's sources
 * when pv is set); returns the number of sources found. */
static void volume_source(k8c_field_errors_t *e, const cJSON *v, const cJSON *podmeta,
                          const char *path)
{
	char sp[CORE_PATH_MAX], p[CORE_PATH_MAX];
	int n = 0;

	for (const char *const *k = k8c_core_volume_sources; *k != NULL; k++) {
		const cJSON *src = k8c_core_member(v, *k);
		const char *child = *k;
		if (src == NULL)
			continue;
		if (strcmp(*k, "cephfs") == 0)
			child = "cephFS";
		else if (strcmp(*k, "downwardAPI") == 0)
			child = "downwarAPI"; /* sic, as Kubernetes reports it */
		if (n > 0) {
			k8c_core_forbidden(e, CORE_PATH(p, "%s.%s", path, child),
			                   "may not specify more than 1 volume type");
			continue;
		}
		n++;
		CORE_PATH(sp, "%s.%s", path, *k);
		if (strcmp(*k, "emptyDir") == 0) {
			k8c_quantity_t q, zero = k8c_quantity_from_int(0, K8C_QUANTITY_DECIMAL_SI);
			if (k8c_core_qty(k8c_core_member(src, "sizeLimit"), &q) == 0 &&
			    k8c_quantity_cmp(&q, &zero) < 0)
				k8c_core_forbidden(
				    e, CORE_PATH(p, "%s.sizeLimit", sp),
				    "SizeLimit field must be a valid resource quantity");
		} else if (strcmp(*k, "hostPath") == 0) {
			k8c_core_host_path_source(src, sp, e);
		} else if (strcmp(*k, "gitRepo") == 0) {
			required_str(e, src, "repository", sp);
			k8c_core_local_descending_path(e, CORE_PATH(p, "%s.directory", sp),
			                               k8c_core_strz(src, "directory"));
		} else if (strcmp(*k, "gcePersistentDisk") == 0) {
			CORE_PATH(sp, "%s.persistentDisk", path); /* sic */
			required_str(e, src, "pdName", sp);
			partition(e, src, sp);
		} else if (strcmp(*k, "awsElasticBlockStore") == 0) {
			required_str(e, src, "volumeID", sp);
			partition(e, src, sp);
		} else if (strcmp(*k, "secret") == 0) {
			required_str(e, src, "secretName", sp);
			file_mode(e, src, "defaultMode", sp);
			key_to_paths(e, k8c_core_array(src, "items"), CORE_PATH(p, "%s.items", sp));
		} else if (strcmp(*k, "nfs") == 0) {
			k8c_core_nfs_source(src, sp, e);
		} else if (strcmp(*k, "iscsi") == 0) {
			long long lun = k8c_core_int(src, "lun", 0);
			required_str(e, src, "targetPortal", sp);
			required_str(e, src, "iqn", sp);
			if (lun < 0 || lun > 255)
				k8c_core_invalid_int(e, CORE_PATH(p, "%s.lun", sp), lun,
				                     "must be between 0 and 255, inclusive");
		} else if (strcmp(*k, "glusterfs") == 0) {
			required_str(e, src, "endpoints", sp);
			required_str(e, src, "path", sp);
		} else if (strcmp(*k, "flocker") == 0) {
			int name = k8c_core_strz(src, "datasetName")[0] != '\0';
			int uuid = k8c_core_strz(src, "datasetUUID")[0] != '\0';
			if (!name && !uuid)
				k8c_core_required(e, sp,
				                  "one of datasetName and datasetUUID is required");
			if (name && uuid)
				k8c_core_invalid_str(e, sp, "resource",
				                     "datasetName and datasetUUID can not be "
				                     "specified simultaneously");
		} else if (strcmp(*k, "persistentVolumeClaim") == 0) {
			required_str(e, src, "claimName", sp);
		} else if (strcmp(*k, "rbd") == 0) {
			if (k8c_core_count(src, "monitors") == 0)
				k8c_core_required(e, CORE_PATH(p, "%s.monitors", sp), NULL);
			required_str(e, src, "image", sp);
		} else if (strcmp(*k, "cinder") == 0 || strcmp(*k, "portworxVolume") == 0) {
			required_str(e, src, "volumeID", sp);
		} else if (strcmp(*k, "cephfs") == 0) {
			if (k8c_core_count(src, "monitors") == 0)
				k8c_core_required(e, CORE_PATH(p, "%s.monitors", sp), NULL);
		} else if (strcmp(*k, "quobyte") == 0) {
			if (k8c_core_strz(src, "registry")[0] == '\0')
				k8c_core_required(e, CORE_PATH(p, "%s.registry", sp),
				                  "must be a host:port pair or multiple pairs "
				                  "separated by commas");
			required_str(e, src, "volume", sp);
		} else if (strcmp(*k, "downwardAPI") == 0) {
			downward_api(e, src, sp);
		} else if (strcmp(*k, "fc") == 0) {
			int wwns = k8c_core_count(src, "targetWWNs"),
			    wwids = k8c_core_count(src, "wwids");
			if (wwns == 0 && wwids == 0)
				k8c_core_required(
				    e, CORE_PATH(p, "%s.targetWWNs", sp),
				    "must specify either targetWWNs or wwids, but not both");
			if (wwns > 0 && wwids > 0) {
				_cleanup_free_ char *raw =
				    k8c_core_goslice("string", k8c_core_member(src, "targetWWNs"));
				k8c_core_invalid_raw(
				    e, CORE_PATH(p, "%s.targetWWNs", sp), raw,
				    "targetWWNs and wwids can not be specified simultaneously");
			}
			if (wwns > 0 && !k8c_core_has(src, "lun"))
				k8c_core_required(e, CORE_PATH(p, "%s.lun", sp),
				                  "lun is required if targetWWNs is specified");
		} else if (strcmp(*k, "flexVolume") == 0) {
			required_str(e, src, "driver", sp);
		} else if (strcmp(*k, "configMap") == 0) {
			required_str(e, src, "name", sp);
			file_mode(e, src, "defaultMode", sp);
			key_to_paths(e, k8c_core_array(src, "items"), CORE_PATH(p, "%s.items", sp));
		} else if (strcmp(*k, "azureFile") == 0) {
			required_str(e, src, "secretName", sp);
			required_str(e, src, "shareName", sp);
		} else if (strcmp(*k, "vsphereVolume") == 0) {
			required_str(e, src, "volumePath", sp);
		} else if (strcmp(*k, "photonPersistentDisk") == 0) {
			required_str(e, src, "pdID", sp);
		} else if (strcmp(*k, "azureDisk") == 0) {
			required_str(e, src, "diskName", sp);
			required_str(e, src, "diskURI", sp);
		} else if (strcmp(*k, "storageos") == 0) {
			const char *vn = k8c_core_strz(src, "volumeName");
			if (vn[0] == '\0')
				k8c_core_required(e, CORE_PATH(p, "%s.volumeName", sp), NULL);
			else
				k8c_core_dns_label(e, CORE_PATH(p, "%s.volumeName", sp), vn);
		} else if (strcmp(*k, "projected") == 0) {
			projected(e, src, sp);
		} else if (strcmp(*k, "scaleIO") == 0) {
			required_str(e, src, "gateway", sp);
			required_str(e, src, "system", sp);
			required_str(e, src, "volumeName", sp);
		} else if (strcmp(*k, "csi") == 0) {
			const cJSON *ref = k8c_core_object(src, "nodePublishSecretRef");
			k8c_core_csi_driver(src, sp, e);
			if (ref != NULL) {
				const char *rn = k8c_core_strz(ref, "name");
				if (rn[0] == '\0')
					k8c_core_required(
					    e, CORE_PATH(p, "%s.nodePublishSecretRef.name", sp),
					    NULL);
				else
					k8c_core_dns_subdomain(e, CORE_PATH(p, "%s.name", sp), rn);
			}
		} else if (strcmp(*k, "ephemeral") == 0) {
			const cJSON *t = k8c_core_object(src, "volumeClaimTemplate");
			if (t == NULL) {
				k8c_core_required(e, CORE_PATH(p, "%s.volumeClaimTemplate", sp),
				                  NULL);
			} else {
				template_metadata(
				    e, k8c_core_object(t, "metadata"),
				    CORE_PATH(p, "%s.volumeClaimTemplate.metadata", sp));
				k8c_core_pvc_spec_validate(
				    k8c_core_object(t, "spec"),
				    CORE_PATH(p, "%s.volumeClaimTemplate.spec", sp), e);
				if (podmeta != NULL && k8c_core_strz(podmeta, "name")[0] != '\0' &&
				    k8c_core_strz(v, "name")[0] != '\0') {
					_cleanup_free_ char *pvc =
					    k8c_xasprintf("%s-%s", k8c_core_strz(podmeta, "name"),
					                  k8c_core_strz(v, "name"));
					k8c_field_errors_t tmp = K8C_FIELD_ERRORS_INIT;
					k8c_core_dns_subdomain(&tmp, "", pvc);
					for (size_t i = 0; i < tmp.n; i++) {
						_cleanup_free_ char *d =
						    k8c_xasprintf("PVC name \"%s\": %s", pvc,
						                  tmp.items[i].detail);
						k8c_core_invalid_str(e,
						                     CORE_PATH(p, "%s.name", path),
						                     k8c_core_strz(v, "name"), d);
					}
					k8c_field_errors_free(&tmp);
				}
			}
		} else if (strcmp(*k, "image") == 0) {
			static const char *const pulls[] = {"Always", "IfNotPresent", "Never",
			                                    NULL};
			const char *pull = k8c_core_strz(src, "pullPolicy");
			required_str(e, src, "reference", sp);
			CORE_PATH(p, "%s.pullPolicy", sp);
			if (pull[0] == '\0')
				k8c_core_required(e, p, NULL);
			else if (!k8c_core_in(pull, pulls))
				k8c_core_not_supported(e, p, pull, pulls);
		}
	}
	if (n == 0)
		k8c_core_required(e, path, "must specify a volume type");
}

void k8c_core_volumes(const cJSON *volumes, const cJSON *podmeta, const char *path,
                      k8c_core_vols_t *out, k8c_field_errors_t *e)
{
	int n = cJSON_GetArraySize(volumes), i = 0;
	const cJSON *v;
	char ip[CORE_PATH_MAX], np[CORE_PATH_MAX];

	out->items = k8c_xcalloc((size_t)n + 1, sizeof(*out->items));
	out->n = 0;
	cJSON_ArrayForEach(v, volumes)
	{
		k8c_field_errors_t el = K8C_FIELD_ERRORS_INIT;
		const char *name = k8c_core_strz(v, "name");
		const cJSON *pvc = k8c_core_object(v, "persistentVolumeClaim");

		CORE_PATH(ip, "%s[%d]", path, i);
		CORE_PATH(np, "%s.name", ip);
		volume_source(&el, v, podmeta, ip);
		if (name[0] == '\0')
			k8c_core_required(&el, np, NULL);
		else
			k8c_core_dns_label(&el, np, name);
		if (k8c_core_vols_find(out, name) != NULL)
			k8c_core_duplicate_str(&el, np, name);
		if (el.n == 0)
			out->items[out->n++] = v;
		for (size_t j = 0; j < el.n; j++) {
			/* move the errors over, keeping their order */
			k8c_field_error_t *x = &el.items[j];
			if (x->detail != NULL)
				k8c_field_error_add_raw(e, x->type, x->field, x->value, "%s",
				                        x->detail);
			else
				k8c_field_error_add_raw(e, x->type, x->field, x->value, NULL);
		}
		k8c_field_errors_free(&el);
		/* a claim must not be one this pod's ephemeral volumes create */
		if (pvc != NULL && podmeta != NULL && k8c_core_strz(podmeta, "name")[0] != '\0') {
			const cJSON *w;
			cJSON_ArrayForEach(w, volumes)
			{
				_cleanup_free_ char *created = NULL;
				if (!k8c_core_has(w, "ephemeral"))
					continue;
				created = k8c_xasprintf("%s-%s", k8c_core_strz(podmeta, "name"),
				                        k8c_core_strz(w, "name"));
				if (strcmp(created, k8c_core_strz(pvc, "claimName")) == 0) {
					char p[CORE_PATH_MAX];
					k8c_core_invalid_str(
					    e,
					    CORE_PATH(p, "%s.persistentVolumeClaim.claimName", ip),
					    k8c_core_strz(pvc, "claimName"),
					    "must not reference a PVC that gets created for an "
					    "ephemeral volume");
					break;
				}
			}
		}
		i++;
	}
}

/* --- node selectors ------------------------------------------------------------ */

void k8c_core_node_selector(const cJSON *sel, const char *path, k8c_field_errors_t *e)
{
	const cJSON *term;
	char tp[CORE_PATH_MAX], p[CORE_PATH_MAX];
	int i = 0;

	CORE_PATH(tp, "%s.nodeSelectorTerms", path);
	if (k8c_core_count(sel, "nodeSelectorTerms") == 0) {
		k8c_core_required(e, tp, "must have at least one node selector term");
		return;
	}
	cJSON_ArrayForEach(term, k8c_core_array(sel, "nodeSelectorTerms"))
	{
		const cJSON *rq;
		int j = 0;
		cJSON_ArrayForEach(rq, k8c_core_array(term, "matchExpressions"))
		{
			char rp[CORE_PATH_MAX];
			const char *op = k8c_core_strz(rq, "operator");
			int nv = k8c_core_count(rq, "values"), k = 0;
			const cJSON *val;
			CORE_PATH(rp, "%s[%d].matchExpressions[%d]", tp, i, j++);
			CORE_PATH(p, "%s.values", rp);
			if (strcmp(op, "In") == 0 || strcmp(op, "NotIn") == 0) {
				if (nv == 0)
					k8c_core_required(
					    e, p,
					    "must be specified when `operator` is 'In' or 'NotIn'");
			} else if (strcmp(op, "Exists") == 0 || strcmp(op, "DoesNotExist") == 0) {
				if (nv > 0)
					k8c_core_forbidden(e, p,
					                   "may not be specified when `operator` "
					                   "is 'Exists' or 'DoesNotExist'");
			} else if (strcmp(op, "Gt") == 0 || strcmp(op, "Lt") == 0) {
				if (nv != 1)
					k8c_core_required(e, p,
					                  "must be specified single value when "
					                  "`operator` is 'Lt' or 'Gt'");
			} else {
				k8c_core_invalid_str(e, CORE_PATH(p, "%s.operator", rp), op,
				                     "not a valid selector operator");
			}
			k8c_core_qualified_name(e, CORE_PATH(p, "%s.key", rp),
			                        k8c_core_strz(rq, "key"));
			cJSON_ArrayForEach(val, k8c_core_array(rq, "values"))
			{
				CORE_PATH(p, "%s.values[%d]", rp, k++);
				if (cJSON_IsString(val))
					k8c_core_label_value(e, p, val->valuestring);
			}
		}
		j = 0;
		cJSON_ArrayForEach(rq, k8c_core_array(term, "matchFields"))
		{
			char rp[CORE_PATH_MAX];
			const char *op = k8c_core_strz(rq, "operator"),
			           *key = k8c_core_strz(rq, "key");
			const cJSON *val;
			int k = 0;
			CORE_PATH(rp, "%s[%d].matchFields[%d]", tp, i, j++);
			if (strcmp(op, "In") == 0 || strcmp(op, "NotIn") == 0) {
				if (k8c_core_count(rq, "values") != 1)
					k8c_core_required(
					    e, CORE_PATH(p, "%s.values", rp),
					    "must be only one value when `operator` is 'In' or "
					    "'NotIn' for node field selector");
			} else {
				k8c_core_invalid_str(e, CORE_PATH(p, "%s.operator", rp), op,
				                     "not a valid selector operator");
			}
			if (strcmp(key, "metadata.name") != 0) {
				k8c_core_invalid_str(e, CORE_PATH(p, "%s.key", rp), key,
				                     "not a valid field selector key");
			} else {
				cJSON_ArrayForEach(val, k8c_core_array(rq, "values"))
				{
					CORE_PATH(p, "%s.values[%d]", rp, k++);
					if (cJSON_IsString(val))
						k8c_core_dns_subdomain(e, p, val->valuestring);
				}
			}
		}
		i++;
	}
}

/* --- PersistentVolumeClaimSpec ------------------------------------------------------ */

const char *const k8c_core_access_modes[] = {"ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce",
                                             "ReadWriteOncePod", NULL};
const char *const k8c_core_volume_modes[] = {"Block", "Filesystem", NULL};

void k8c_core_access_modes_check(const cJSON *modes, const char *path, k8c_field_errors_t *e)
{
	const cJSON *m;
	int rwop = 0, other = 0;

	cJSON_ArrayForEach(m, modes)
	{
		const char *s = cJSON_IsString(m) ? m->valuestring : "";
		if (!k8c_core_in(s, k8c_core_access_modes))
			k8c_core_not_supported(e, path, s, k8c_core_access_modes);
		if (strcmp(s, "ReadWriteOncePod") == 0)
			rwop = 1;
		else if (k8c_core_in(s, k8c_core_access_modes))
			other = 1;
	}
	if (rwop && other)
		k8c_core_forbidden(e, path, "may not use ReadWriteOncePod with other access modes");
}

static void data_source(k8c_field_errors_t *e, const cJSON *ds, const char *path, int ref)
{
	const char *group = k8c_core_strz(ds, "apiGroup"), *kind = k8c_core_strz(ds, "kind");
	const char *ns = k8c_core_strz(ds, "namespace");
	char p[CORE_PATH_MAX];

	required_str(e, ds, "name", path);
	required_str(e, ds, "kind", path);
	if (group[0] == '\0' && strcmp(kind, "PersistentVolumeClaim") != 0)
		k8c_core_invalid_str(
		    e, path, kind,
		    "must be 'PersistentVolumeClaim' when referencing the default apiGroup");
	if (group[0] != '\0')
		k8c_core_dns_subdomain(e, CORE_PATH(p, "%s.apiGroup", path), group);
	if (ref && ns[0] != '\0')
		k8c_core_dns_label(e, CORE_PATH(p, "%s.namespace", path), ns);
}

void k8c_core_pvc_spec_validate(const cJSON *spec, const char *path, k8c_field_errors_t *e)
{
	const cJSON *storage = k8c_core_member(
	    k8c_core_object(k8c_core_object(spec, "resources"), "requests"), "storage");
	const cJSON *sc = k8c_core_member(spec, "storageClassName");
	const char *vm = k8c_core_str(spec, "volumeMode");
	char p[CORE_PATH_MAX];

	CORE_PATH(p, "%s.accessModes", path);
	if (k8c_core_count(spec, "accessModes") == 0)
		k8c_core_required(e, p, "at least 1 access mode is required");
	if (k8c_core_object(spec, "selector") != NULL)
		k8c_core_label_selector(e, CORE_PATH(p, "%s.selector", path),
		                        k8c_core_object(spec, "selector"));
	k8c_core_access_modes_check(k8c_core_array(spec, "accessModes"),
	                            CORE_PATH(p, "%s.accessModes", path), e);
	CORE_PATH(p, "%s.resources[storage]", path);
	if (storage == NULL) {
		k8c_core_required(e, p, NULL);
	} else {
		k8c_quantity_t q, zero = k8c_quantity_from_int(0, K8C_QUANTITY_DECIMAL_SI);
		char buf[K8C_QUANTITY_STRLEN];
		if (k8c_core_qty(storage, &q) == 0 && k8c_quantity_cmp(&q, &zero) <= 0)
			k8c_core_invalid_str(e, p, k8c_quantity_format(&q, buf, sizeof(buf)),
			                     "must be greater than zero");
		else
			k8c_core_resource_quantity(e, p, "storage", storage);
	}
	if (cJSON_IsString(sc) && sc->valuestring[0] != '\0')
		k8c_core_dns_subdomain(e, CORE_PATH(p, "%s.storageClassName", path),
		                       sc->valuestring);
	if (vm != NULL && !k8c_core_in(vm, k8c_core_volume_modes))
		k8c_core_not_supported(e, CORE_PATH(p, "%s.volumeMode", path), vm,
		                       k8c_core_volume_modes);
	if (k8c_core_object(spec, "dataSource") != NULL)
		data_source(e, k8c_core_object(spec, "dataSource"),
		            CORE_PATH(p, "%s.dataSource", path), 0);
	if (k8c_core_object(spec, "dataSourceRef") != NULL)
		data_source(e, k8c_core_object(spec, "dataSourceRef"),
		            CORE_PATH(p, "%s.dataSourceRef", path), 1);
	if (k8c_core_object(spec, "dataSource") != NULL &&
	    k8c_core_object(spec, "dataSourceRef") != NULL) {
		const cJSON *a = k8c_core_object(spec, "dataSource"),
		            *b = k8c_core_object(spec, "dataSourceRef");
		_cleanup_free_ char *ds = k8c_xasprintf("%s.dataSource", path);
		if (k8c_core_strz(b, "namespace")[0] != '\0')
			k8c_core_invalid_raw(
			    e, path, ds,
			    "may not be specified when dataSourceRef.namespace is specified");
		else if (strcmp(k8c_core_strz(a, "apiGroup"), k8c_core_strz(b, "apiGroup")) != 0 ||
		         strcmp(k8c_core_strz(a, "kind"), k8c_core_strz(b, "kind")) != 0 ||
		         strcmp(k8c_core_strz(a, "name"), k8c_core_strz(b, "name")) != 0)
			k8c_core_invalid_raw(e, path, ds, "must match dataSourceRef");
	}
}
