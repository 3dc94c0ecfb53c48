/* apps/v1 Deployment: SetDefaults_Deployment, ValidateDeployment(Update),
 * the deployment strategy (status reset, generation on annotation change,
 * immutable selector) and its Table; plus the validation Deployments share
 * with ReplicaSets. */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/kinds/groups.h"
#include "apiserver/kinds/groups_common.h"
#include "apiserver/kinds/util.h"
#include "common/mem.h"

/* --- shared with ReplicaSets --------------------------------------------- */

k8c_label_selector_t *k8c_apps_selector(k8c_field_errors_t *errs, const cJSON *sel,
                                        const char *kind_word)
{
	if (!k8c_groups_set(sel)) {
		k8c_groups_err(errs, K8C_FIELD_REQUIRED, "spec.selector", NULL, NULL);
	} else {
		k8c_groups_label_selector(errs, sel, "spec.selector");
		if (cJSON_GetArraySize(k8c_jget(sel, "matchLabels")) +
		            k8c_groups_len(k8c_jget(sel, "matchExpressions")) == 0)
			k8c_groups_err(errs, K8C_FIELD_INVALID, "spec.selector",
			               k8c_go_label_selector(sel), "empty selector is invalid for %s",
			               kind_word);
	}
	return k8c_groups_selector(sel);
}

void k8c_apps_rs_template(k8c_field_errors_t *errs, const k8c_label_selector_t *sel,
                          const cJSON *tmpl, const char *kind_word)
{
	const char *rp = k8c_groups_restart_policy(tmpl);

	k8c_groups_template_matches(errs, sel, tmpl, "spec.template");
	k8c_groups_pod_template_validate(errs, tmpl, "spec.template");
	if (strcmp(rp, "Always") != 0)
		k8c_groups_err(errs, K8C_FIELD_NOT_SUPPORTED, "spec.template.spec.restartPolicy",
		               k8c_go_quote(rp), "supported values: \"Always\"");
	if (k8c_groups_set(k8c_jget(tmpl, "spec.activeDeadlineSeconds")))
		k8c_groups_err(errs, K8C_FIELD_FORBIDDEN, "spec.template.spec.activeDeadlineSeconds",
		               NULL, "activeDeadlineSeconds in %s is not Supported", kind_word);
}

char *k8c_apps_go_strategy(const cJSON *strategy, const char *type, const char *ru_type)
{
	const char *t = k8c_jstr(strategy, "type");
	_cleanup_free_ char *q = k8c_go_quote(t ? t : "");

	return k8c_xasprintf("%s{Type:%s, RollingUpdate:(*%s)(%s)}", type, q, ru_type,
	                     k8c_groups_set(k8c_jget(strategy, "rollingUpdate")) ? "0xc000010000"
	                                                                         : "nil");
}

/* --- defaults ------------------------------------------------------------ */

static void deployment_defaults(cJSON *obj)
{
	cJSON *spec = k8c_jobject(obj, "spec"), *strategy, *ru;
	const char *type;

	if (spec == NULL)
		return;
	k8c_jdefault_int(spec, "replicas", 1);
	strategy = k8c_jobject(spec, "strategy");
	if (strategy != NULL) {
		type = k8c_jstr(strategy, "type");
		if (type == NULL || type[0] == '\0') {
			cJSON_DeleteItemFromObjectCaseSensitive(strategy, "type");
			cJSON_AddStringToObject(strategy, "type", "RollingUpdate");
		}
		if (strcmp(k8c_jstr(strategy, "type"), "RollingUpdate") == 0 &&
		    (ru = k8c_jobject(strategy, "rollingUpdate")) != NULL) {
			k8c_jdefault_str(ru, "maxUnavailable", "25%");
			k8c_jdefault_str(ru, "maxSurge", "25%");
		}
	}
	k8c_jdefault_int(spec, "revisionHistoryLimit", 10);
	k8c_jdefault_int(spec, "progressDeadlineSeconds", 600);
	k8c_groups_pod_template_defaults(cJSON_GetObjectItemCaseSensitive(spec, "template"));
}

/* --- strategy ------------------------------------------------------------ */

static void deployment_prepare(int op, cJSON *obj, const cJSON *old)
{
	cJSON *meta;

	if (op == K8C_OP_CREATE) {
		k8c_groups_reset_status(obj);
		return;
	}
	/* Annotations are copied to the ReplicaSets, so changing them is a
	 * new generation too (spec changes are the core's). */
	if (op == K8C_OP_UPDATE &&
	    !k8c_groups_equal(k8c_jget(obj, "metadata.annotations"),
	                      k8c_jget(old, "metadata.annotations")) &&
	    (meta = k8c_jobject(obj, "metadata")) != NULL) {
		cJSON_DeleteItemFromObjectCaseSensitive(meta, "generation");
		cJSON_AddNumberToObject(meta, "generation",
		                        (double)(k8c_jint(old, "metadata.generation", 0) + 1));
	}
}

/* --- validation ---------------------------------------------------------- */

static void validate_rolling_update(k8c_field_errors_t *errs, const cJSON *ru)
{
	const cJSON *mu = k8c_jget(ru, "maxUnavailable"), *ms = k8c_jget(ru, "maxSurge");
	const char *mup = "spec.strategy.rollingUpdate.maxUnavailable";

	k8c_groups_int_or_percent(errs, mu, mup);
	k8c_groups_int_or_percent(errs, ms, "spec.strategy.rollingUpdate.maxSurge");
	if (k8c_groups_int_or_percent_value(mu) == 0 && k8c_groups_int_or_percent_value(ms) == 0)
		k8c_groups_err(errs, K8C_FIELD_INVALID, mup, k8c_go_int_or_string(mu),
		               "may not be 0 when `maxSurge` is 0");
	k8c_groups_max_100_percent(errs, mu, mup);
}

static void validate_strategy(k8c_field_errors_t *errs, const cJSON *strategy)
{
	const char *type = k8c_jstr(strategy, "type");
	const cJSON *ru = k8c_jget(strategy, "rollingUpdate");

	if (type != NULL && strcmp(type, "Recreate") == 0) {
		if (k8c_groups_set(ru))
			k8c_groups_err(errs, K8C_FIELD_FORBIDDEN, "spec.strategy.rollingUpdate", NULL,
			               "may not be specified when strategy `type` is 'Recreate'");
	} else if (type != NULL && strcmp(type, "RollingUpdate") == 0) {
		if (!k8c_groups_set(ru))
			k8c_groups_err(errs, K8C_FIELD_REQUIRED, "spec.strategy.rollingUpdate", NULL,
			               "this should be defaulted and never be nil");
		else
			validate_rolling_update(errs, ru);
	} else {
		k8c_groups_err(errs, K8C_FIELD_NOT_SUPPORTED, "spec.strategy",
		               k8c_apps_go_strategy(strategy, "apps.DeploymentStrategy",
		                                    "apps.RollingUpdateDeployment"),
		               "supported values: \"Recreate\", \"RollingUpdate\"");
	}
}

static void validate_spec(k8c_field_errors_t *errs, const cJSON *spec)
{
	const cJSON *sel = k8c_jget(spec, "selector"), *pds;
	k8c_label_selector_t *s;

	k8c_groups_nonneg(errs, "spec.replicas", k8c_jget(spec, "replicas"));
	s = k8c_apps_selector(errs, sel, "deployment");
	if (s == NULL)
		k8c_groups_err(errs, K8C_FIELD_INVALID, "spec.selector", k8c_go_label_selector(sel),
		               "invalid label selector");
	else
		k8c_apps_rs_template(errs, s, k8c_jget(spec, "template"), "ReplicaSet");
	k8c_label_selector_free(s);
	validate_strategy(errs, k8c_jget(spec, "strategy"));
	k8c_groups_nonneg(errs, "spec.minReadySeconds", k8c_jget(spec, "minReadySeconds"));
	k8c_groups_nonneg(errs, "spec.revisionHistoryLimit", k8c_jget(spec, "revisionHistoryLimit"));
	pds = k8c_jget(spec, "progressDeadlineSeconds");
	if (cJSON_IsNumber(pds)) {
		k8c_groups_nonneg(errs, "spec.progressDeadlineSeconds", pds);
		if (pds->valuedouble <= (double)k8c_jint(spec, "minReadySeconds", 0))
			k8c_groups_err(errs, K8C_FIELD_INVALID, "spec.progressDeadlineSeconds",
			               k8c_go_json(pds), "must be greater than minReadySeconds");
	}
}

static void validate_status(k8c_field_errors_t *errs, const cJSON *obj, const cJSON *old)
{
	static const char *const counts[] = {
		"observedGeneration", "replicas", "updatedReplicas", "readyReplicas",
		"availableReplicas", "unavailableReplicas", "collisionCount", NULL,
	};
	const cJSON *st = k8c_jget(obj, "status");
	const char *msg = "cannot be greater than status.replicas";

	k8c_groups_status_nonneg(errs, st, counts);
	k8c_groups_status_le(errs, st, "updatedReplicas", "replicas", msg);
	k8c_groups_status_le(errs, st, "readyReplicas", "replicas", msg);
	k8c_groups_status_le(errs, st, "availableReplicas", "replicas", msg);
	k8c_groups_status_le(errs, st, "availableReplicas", "readyReplicas",
	                     "cannot be greater than readyReplicas");
	k8c_groups_collision_count(errs, obj, old);
}

static void deployment_validate(int op, const cJSON *obj, const cJSON *old,
                                k8c_field_errors_t *errs)
{
	if (op == K8C_OP_STATUS_UPDATE) {
		validate_status(errs, obj, old);
		return;
	}
	validate_spec(errs, k8c_jget(obj, "spec"));
	if (op == K8C_OP_UPDATE)
		k8c_groups_selector_immutable(errs, obj, old);
}

/* --- Table --------------------------------------------------------------- */

static const k8c_table_column_t deployment_columns[] = {
	K8C_COL_NAME,
	{"Ready", "string", "", "Number of the pod with ready state", 0},
	{"Up-to-date", "string", "",
	 "Total number of non-terminated pods targeted by this deployment that have the "
	 "desired template spec.", 0},
	{"Available", "string", "",
	 "Total number of available pods (ready for at least minReadySeconds) targeted by "
	 "this deployment.", 0},
	K8C_COL_AGE,
	K8C_COL_CONTAINERS,
	K8C_COL_IMAGES,
	{"Selector", "string", "",
	 "Label selector for pods. Existing ReplicaSets whose pods are selected by this will "
	 "be the ones affected by this deployment.", 1},
};

static void deployment_row(const cJSON *obj, cJSON *cells, long long now_s)
{
	k8c_label_selector_t *s = k8c_groups_selector(k8c_jget(obj, "spec.selector"));

	k8c_cell_name(cells, obj);
	k8c_cell_own(cells, k8c_xasprintf("%lld/%lld", k8c_jint(obj, "status.readyReplicas", 0),
	                                  k8c_jint(obj, "spec.replicas", 0)));
	k8c_cell_int(cells, k8c_jint(obj, "status.updatedReplicas", 0));
	k8c_cell_int(cells, k8c_jint(obj, "status.availableReplicas", 0));
	k8c_cell_age(cells, obj, now_s);
	k8c_cell_containers(cells, k8c_jget(obj, "spec.template.spec"));
	/* selector.String(): "" for no selector, "<invalid>" when it does not
	 * convert (printDeployment does not use FormatLabelSelector). */
	k8c_cell_own(cells, s ? k8c_label_selector_string(s) : k8c_xstrdup("<invalid>"));
	k8c_label_selector_free(s);
}

static const char *const deployment_short[] = {"deploy", NULL};
static const char *const all_category[] = {"all", NULL};

const k8c_kind_t k8c_kind_deployments = {
	.group = "apps",
	.version = "v1",
	.resource = "deployments",
	.singular = "deployment",
	.kind = "Deployment",
	.namespaced = 1,
	.short_names = deployment_short,
	.categories = all_category,
	.verbs = K8C_VERBS_ALL,
	.subresources = K8C_SUB_STATUS | K8C_SUB_SCALE,
	.schema_type = "io.k8s.api.apps.v1.Deployment",
	.has_status = 1,
	.has_generation = 1,
	.status_keeps_annotations = 1,
	.defaults = deployment_defaults,
	.prepare = deployment_prepare,
	.validate = deployment_validate,
	.columns = deployment_columns,
	.n_columns = sizeof(deployment_columns) / sizeof(deployment_columns[0]),
	.row = deployment_row,
	.scale_spec_replicas = "spec.replicas",
	.scale_status_replicas = "status.replicas",
	.scale_selector = "spec.selector",
};
