/* apps/v1 StatefulSet: SetDefaults_StatefulSet, ValidateStatefulSet(Update)
 * (what may change after creation), the strategy's feature-gate drops and
 * the Table, as Kubernetes 1.32 has them.  Like Kubernetes 1.32, the pod
 * template's spec and the volumeClaimTemplates are not validated here: only
 * the template's labels and annotations are. */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/kinds/core.h"
#include "apiserver/kinds/groups.h"
#include "apiserver/kinds/groups_common.h"
#include "apiserver/kinds/util.h"
#include "common/mem.h"
#include "common/names.h"

static void default_str(cJSON *obj, const char *key, const char *value)
{
	const char *v = k8c_jstr(obj, key);

	if (obj != NULL && (v == NULL || v[0] == '\0')) {
		cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
		cJSON_AddStringToObject(obj, key, value);
	}
}

/* The claim templates are PersistentVolumeClaims and get their defaults
 * (SetDefaults_PersistentVolumeClaim(Spec)); apps/v1 writes them out with
 * their apiVersion and kind. */
static void claim_template_defaults(cJSON *pvc)
{
	if (!cJSON_IsObject(pvc))
		return;
	k8c_jdefault_str(pvc, "apiVersion", "v1");
	k8c_jdefault_str(pvc, "kind", "PersistentVolumeClaim");
	k8c_core_pvc_spec_defaults(k8c_jobject(pvc, "spec"));
	default_str(k8c_jobject(pvc, "status"), "phase", "Pending");
}

static void sts_defaults(cJSON *obj)
{
	cJSON *spec = k8c_jobject(obj, "spec"), *us, *ru, *pvc;
	const char *type;

	if (spec == NULL)
		return;
	default_str(spec, "podManagementPolicy", "OrderedReady");
	us = k8c_jobject(spec, "updateStrategy");
	type = k8c_jstr(us, "type");
	if (us != NULL && (type == NULL || type[0] == '\0')) {
		default_str(us, "type", "RollingUpdate");
		k8c_jobject(us, "rollingUpdate");
	}
	ru = cJSON_GetObjectItemCaseSensitive(us, "rollingUpdate");
	if (strcmp(k8c_jstr(us, "type") ? k8c_jstr(us, "type") : "", "RollingUpdate") == 0 &&
	    cJSON_IsObject(ru))
		k8c_jdefault_int(ru, "partition", 0);
	default_str(k8c_jobject(spec, "persistentVolumeClaimRetentionPolicy"), "whenDeleted", "Retain");
	default_str(k8c_jobject(spec, "persistentVolumeClaimRetentionPolicy"), "whenScaled", "Retain");
	k8c_jdefault_int(spec, "replicas", 1);
	k8c_jdefault_int(spec, "revisionHistoryLimit", 10);
	k8c_groups_pod_template_defaults(cJSON_GetObjectItemCaseSensitive(spec, "template"));
	cJSON_ArrayForEach(pvc, cJSON_GetObjectItemCaseSensitive(spec, "volumeClaimTemplates"))
		claim_template_defaults(pvc);
}

/* MaxUnavailableStatefulSet is alpha (off) in 1.32: the field is dropped
 * unless the stored object already uses it. */
static void sts_prepare(int op, cJSON *obj, const cJSON *old)
{
	cJSON *ru = (cJSON *)k8c_jget(obj, "spec.updateStrategy.rollingUpdate");

	if (op == K8C_OP_CREATE)
		k8c_groups_reset_status(obj);
	if (op == K8C_OP_STATUS_UPDATE || !cJSON_IsObject(ru))
		return;
	if (op == K8C_OP_CREATE ||
	    !k8c_groups_set(k8c_jget(old, "spec.updateStrategy.rollingUpdate.maxUnavailable")))
		cJSON_DeleteItemFromObjectCaseSensitive(ru, "maxUnavailable");
}

static char *go_rolling_update(const cJSON *ru)
{
	const cJSON *mu = k8c_jget(ru, "maxUnavailable");
	_cleanup_free_ char *m = k8c_groups_set(mu) ? k8c_go_int_or_string(mu) : NULL;

	return k8c_xasprintf("apps.RollingUpdateStatefulSetStrategy{Partition:%lld, MaxUnavailable:%s}",
	                     k8c_jint(ru, "partition", 0),
	                     m ? "(*intstr.IntOrString)(0xc000010000)" : "(*intstr.IntOrString)(nil)");
}

static void validate_rolling_update(k8c_field_errors_t *errs, const cJSON *ru)
{
	const char *mup = "spec.updateStrategy.rollingUpdate.maxUnavailable";
	const cJSON *mu = k8c_jget(ru, "maxUnavailable");

	k8c_groups_nonneg(errs, "spec.updateStrategy.rollingUpdate.partition",
	                  k8c_jget(ru, "partition"));
	if (!k8c_groups_set(mu))
		return;
	k8c_groups_int_or_percent(errs, mu, mup);
	if (k8c_groups_int_or_percent_value(mu) == 0)
		k8c_groups_err(errs, K8C_FIELD_INVALID, mup, k8c_go_int_or_string(mu), "cannot be 0");
	k8c_groups_max_100_percent(errs, mu, mup);
}

static void validate_strategy(k8c_field_errors_t *errs, const cJSON *spec)
{
	const cJSON *us = k8c_jget(spec, "updateStrategy"), *ru = k8c_jget(us, "rollingUpdate");
	const char *type = k8c_jstr(us, "type");

	if (type == NULL || type[0] == '\0') {
		k8c_groups_err(errs, K8C_FIELD_REQUIRED, "spec.updateStrategy", NULL, NULL);
	} else if (strcmp(type, "OnDelete") == 0) {
		if (k8c_groups_set(ru))
			k8c_groups_err(errs, K8C_FIELD_INVALID, "spec.updateStrategy.rollingUpdate",
			               go_rolling_update(ru),
			               "only allowed for updateStrategy 'RollingUpdate'");
	} else if (strcmp(type, "RollingUpdate") == 0) {
		if (k8c_groups_set(ru))
			validate_rolling_update(errs, ru);
	} else {
		k8c_groups_err(errs, K8C_FIELD_INVALID, "spec.updateStrategy",
		               k8c_apps_go_strategy(us, "apps.StatefulSetUpdateStrategy",
		                                    "apps.RollingUpdateStatefulSetStrategy"),
		               "must be 'RollingUpdate' or 'OnDelete'");
	}
}

static void validate_retention(k8c_field_errors_t *errs, const cJSON *policy)
{
	static const char *const keys[] = {"whenDeleted", "whenScaled"};

	if (!k8c_groups_set(policy))
		return;
	for (size_t i = 0; i < 2; i++) {
		const char *v = k8c_jstr(policy, keys[i]);
		if (v != NULL && (strcmp(v, "Retain") == 0 || strcmp(v, "Delete") == 0))
			continue;
		k8c_groups_err(errs, K8C_FIELD_NOT_SUPPORTED,
		               i == 0 ? "spec.persistentVolumeClaimRetentionPolicy.whenDeleted"
		                      : "spec.persistentVolumeClaimRetentionPolicy.whenScaled",
		               k8c_go_quote(v ? v : ""), "supported values: \"Retain\", \"Delete\"");
	}
}

static void validate_template(k8c_field_errors_t *errs, const cJSON *spec)
{
	const cJSON *sel = k8c_jget(spec, "selector"), *tmpl = k8c_jget(spec, "template");
	const char *rp = k8c_groups_restart_policy(tmpl);
	k8c_label_selector_t *s = k8c_apps_selector(errs, sel, "statefulset");

	if (s == NULL) {
		k8c_groups_err(errs, K8C_FIELD_INVALID, "spec.selector", k8c_go_label_selector(sel), NULL);
	} else {
		k8c_groups_template_matches(errs, s, tmpl, "spec.template");
		k8c_groups_labels(errs, k8c_jget(tmpl, "metadata.labels"), "spec.template.labels");
		k8c_groups_annotations(errs, k8c_jget(tmpl, "metadata.annotations"),
		                       "spec.template.annotations");
	}
	k8c_label_selector_free(s);
	if (strcmp(rp, "Always") != 0)
		k8c_groups_err(errs, K8C_FIELD_NOT_SUPPORTED, "spec.template.spec.restartPolicy",
		               k8c_go_quote(rp), "supported values: \"Always\"");
	if (k8c_groups_set(k8c_jget(tmpl, "spec.activeDeadlineSeconds")))
		k8c_groups_err(errs, K8C_FIELD_FORBIDDEN, "spec.template.spec.activeDeadlineSeconds",
		               NULL, "activeDeadlineSeconds in StatefulSet is not Supported");
}

static void validate_spec(k8c_field_errors_t *errs, const cJSON *spec)
{
	const char *pmp = k8c_jstr(spec, "podManagementPolicy");

	if (pmp == NULL || pmp[0] == '\0')
		k8c_groups_err(errs, K8C_FIELD_REQUIRED, "spec.podManagementPolicy", NULL, NULL);
	else if (strcmp(pmp, "OrderedReady") != 0 && strcmp(pmp, "Parallel") != 0)
		k8c_groups_err(errs, K8C_FIELD_INVALID, "spec.podManagementPolicy", k8c_go_quote(pmp),
		               "must be 'OrderedReady' or 'Parallel'");
	validate_strategy(errs, spec);
	validate_retention(errs, k8c_jget(spec, "persistentVolumeClaimRetentionPolicy"));
	k8c_groups_nonneg(errs, "spec.replicas", k8c_jget(spec, "replicas"));
	k8c_groups_nonneg(errs, "spec.minReadySeconds", k8c_jget(spec, "minReadySeconds"));
	k8c_groups_nonneg(errs, "spec.ordinals.start", k8c_jget(spec, "ordinals.start"));
	validate_template(errs, spec);
}

/* Everything but the fields listed in the message is fixed at creation. */
static void validate_update(k8c_field_errors_t *errs, const cJSON *obj, const cJSON *old)
{
	static const char *const mutable[] = {
		"replicas", "template", "updateStrategy", "minReadySeconds", "ordinals",
		"persistentVolumeClaimRetentionPolicy", NULL,
	};
	cJSON *now = cJSON_Duplicate(k8c_jget(obj, "spec"), 1);
	cJSON *before = cJSON_Duplicate(k8c_jget(old, "spec"), 1);

	for (const char *const *m = mutable; *m != NULL; m++) {
		cJSON_DeleteItemFromObjectCaseSensitive(now, *m);
		cJSON_DeleteItemFromObjectCaseSensitive(before, *m);
	}
	if (!k8c_groups_equal(now, before))
		k8c_groups_err(errs, K8C_FIELD_FORBIDDEN, "spec", NULL,
		               "updates to statefulset spec for fields other than 'replicas', "
		               "'ordinals', 'template', 'updateStrategy', "
		               "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are "
		               "forbidden");
	cJSON_Delete(now);
	cJSON_Delete(before);
}

static void validate_status(k8c_field_errors_t *errs, const cJSON *obj, const cJSON *old)
{
	static const char *const counts[] = {
		"replicas", "readyReplicas", "currentReplicas", "updatedReplicas",
		"availableReplicas", "observedGeneration", "collisionCount", NULL,
	};
	static const char *const le[] = {
		"readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas", NULL,
	};
	const cJSON *st = k8c_jget(obj, "status");

	k8c_groups_status_nonneg(errs, st, counts);
	for (const char *const *f = le; *f != NULL; f++)
		k8c_groups_status_le(errs, st, *f, "replicas", "cannot be greater than status.replicas");
	k8c_groups_status_le(errs, st, "availableReplicas", "readyReplicas",
	                     "cannot be greater than status.readyReplicas");
	k8c_groups_collision_count(errs, obj, old);
}

static void sts_validate(int op, const cJSON *obj, const cJSON *old, k8c_field_errors_t *errs)
{
	const char *name = k8c_jstr(obj, "metadata.name");

	if (op == K8C_OP_STATUS_UPDATE) {
		validate_status(errs, obj, old);
		return;
	}
	/* Pods are named after the set, so its name is a DNS label; the core
	 * has checked that it is a DNS subdomain. */
	if (op == K8C_OP_CREATE && name != NULL && k8c_is_dns1123_subdomain(name, NULL, 0))
		k8c_groups_name_errs(errs, "metadata.name", name, k8c_is_dns1123_label);
	validate_spec(errs, k8c_jget(obj, "spec"));
	if (op == K8C_OP_UPDATE)
		validate_update(errs, obj, old);
}

static const k8c_table_column_t sts_columns[] = {
	K8C_COL_NAME,
	{"Ready", "string", "", "Number of the pod with ready state", 0},
	K8C_COL_AGE,
	K8C_COL_CONTAINERS,
	K8C_COL_IMAGES,
};

static void sts_row(const cJSON *obj, cJSON *cells, long long now_s)
{
	k8c_cell_name(cells, obj);
	k8c_cell_own(cells, k8c_xasprintf("%lld/%lld", k8c_jint(obj, "status.readyReplicas", 0),
	                                  k8c_jint(obj, "spec.replicas", 0)));
	k8c_cell_age(cells, obj, now_s);
	k8c_cell_containers(cells, k8c_jget(obj, "spec.template.spec"));
}

static const char *const sts_short[] = {"sts", NULL};
static const char *const all_category[] = {"all", NULL};

const k8c_kind_t k8c_kind_statefulsets = {
	.group = "apps",
	.version = "v1",
	.resource = "statefulsets",
	.singular = "statefulset",
	.kind = "StatefulSet",
	.namespaced = 1,
	.short_names = sts_short,
	.categories = all_category,
	.verbs = K8C_VERBS_ALL,
	.subresources = K8C_SUB_STATUS | K8C_SUB_SCALE,
	.schema_type = "io.k8s.api.apps.v1.StatefulSet",
	.has_status = 1,
	.has_generation = 1,
	.defaults = sts_defaults,
	.prepare = sts_prepare,
	.validate = sts_validate,
	.columns = sts_columns,
	.n_columns = sizeof(sts_columns) / sizeof(sts_columns[0]),
	.row = sts_row,
	.scale_spec_replicas = "spec.replicas",
	.scale_status_replicas = "status.replicas",
	.scale_selector = "spec.selector",
};
