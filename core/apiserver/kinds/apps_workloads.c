/* apps/v1 ReplicaSet, DaemonSet and ControllerRevision: defaults,
 * validation, strategies and Tables as Kubernetes 1.32 has them. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/kinds/groups.h"
#include "apiserver/kinds/groups_common.h"
#include "apiserver/kinds/util.h"
#include "common/mem.h"

static const char *const all_category[] = {"all", NULL};

/* ======================================================================== */
/* ReplicaSet                                                               */
/* ======================================================================== */

static void rs_defaults(cJSON *obj)
{
	cJSON *spec = k8c_jobject(obj, "spec");

	k8c_jdefault_int(spec, "replicas", 1);
	k8c_groups_pod_template_defaults(cJSON_GetObjectItemCaseSensitive(spec, "template"));
}

static void rs_prepare(int op, cJSON *obj, const cJSON *old)
{
	if (op == K8C_OP_CREATE)
		k8c_groups_reset_status(obj);
}

static void rs_validate_status(k8c_field_errors_t *errs, const cJSON *obj)
{
	static const char *const counts[] = {
		"replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas",
		"observedGeneration", NULL,
	};
	const cJSON *st = k8c_jget(obj, "status");
	const char *msg = "cannot be greater than status.replicas";

	k8c_groups_status_nonneg(errs, st, counts);
	k8c_groups_status_le(errs, st, "fullyLabeledReplicas", "replicas", msg);
	k8c_groups_status_le(errs, st, "readyReplicas", "replicas", msg);
	k8c_groups_status_le(errs, st, "availableReplicas", "replicas", msg);
	k8c_groups_status_le(errs, st, "availableReplicas", "readyReplicas",
	                     "cannot be greater than readyReplicas");
}

static void rs_validate(int op, const cJSON *obj, const cJSON *old, k8c_field_errors_t *errs)
{
	const cJSON *spec = k8c_jget(obj, "spec"), *sel = k8c_jget(spec, "selector");
	k8c_label_selector_t *s;

	if (op == K8C_OP_STATUS_UPDATE) {
		rs_validate_status(errs, obj);
		return;
	}
	k8c_groups_nonneg(errs, "spec.replicas", k8c_jget(spec, "replicas"));
	k8c_groups_nonneg(errs, "spec.minReadySeconds", k8c_jget(spec, "minReadySeconds"));
	/* Kubernetes says "for deployment" for ReplicaSets too. */
	s = k8c_apps_selector(errs, sel, "deployment");
	if (s == NULL)
		k8c_groups_err(errs, K8C_FIELD_INVALID, "spec.selector", k8c_go_label_selector(sel),
		               "invalid label selector");
	else
		k8c_apps_rs_template(errs, s, k8c_jget(spec, "template"), "ReplicaSet");
	k8c_label_selector_free(s);
	if (op == K8C_OP_UPDATE)
		k8c_groups_selector_immutable(errs, obj, old);
}

static const k8c_table_column_t rs_columns[] = {
	K8C_COL_NAME,
	{"Desired", "integer", "",
	 "Replicas is the number of desired replicas. This is a pointer to distinguish between "
	 "explicit zero and unspecified. Defaults to 1. More info: "
	 "https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/"
	 "#what-is-a-replicationcontroller", 0},
	{"Current", "integer", "",
	 "Replicas is the most recently observed number of replicas. More info: "
	 "https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/"
	 "#what-is-a-replicationcontroller", 0},
	{"Ready", "integer", "", "The number of ready replicas for this replica set.", 0},
	K8C_COL_AGE,
	K8C_COL_CONTAINERS,
	K8C_COL_IMAGES,
	{"Selector", "string", "",
	 "Selector is a label query over pods that should match the replica count. If the "
	 "selector is empty, it is defaulted to the labels present on the pod template. Label "
	 "keys and values that must match in order to be controlled by this replica set. More "
	 "info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/"
	 "#label-selectors", 1},
};

static void rs_row(const cJSON *obj, cJSON *cells, long long now_s)
{
	k8c_cell_name(cells, obj);
	k8c_cell_int(cells, k8c_jint(obj, "spec.replicas", 0));
	k8c_cell_int(cells, k8c_jint(obj, "status.replicas", 0));
	k8c_cell_int(cells, k8c_jint(obj, "status.readyReplicas", 0));
	k8c_cell_age(cells, obj, now_s);
	k8c_cell_containers(cells, k8c_jget(obj, "spec.template.spec"));
	k8c_cell_own(cells, k8c_groups_format_selector(k8c_jget(obj, "spec.selector")));
}

static const char *const rs_short[] = {"rs", NULL};

const k8c_kind_t k8c_kind_replicasets = {
	.group = "apps",
	.version = "v1",
	.resource = "replicasets",
	.singular = "replicaset",
	.kind = "ReplicaSet",
	.namespaced = 1,
	.short_names = rs_short,
	.categories = all_category,
	.verbs = K8C_VERBS_ALL,
	.subresources = K8C_SUB_STATUS | K8C_SUB_SCALE,
	.schema_type = "io.k8s.api.apps.v1.ReplicaSet",
	.has_status = 1,
	.has_generation = 1,
	.defaults = rs_defaults,
	.prepare = rs_prepare,
	.validate = rs_validate,
	.columns = rs_columns,
	.n_columns = sizeof(rs_columns) / sizeof(rs_columns[0]),
	.row = rs_row,
	.scale_spec_replicas = "spec.replicas",
	.scale_status_replicas = "status.replicas",
	.scale_selector = "spec.selector",
};

/* ======================================================================== */
/* DaemonSet                                                                */
/* ======================================================================== */

/* apps/v1 keeps the internal spec.templateGeneration in this annotation. */
#define DS_TEMPLATE_GENERATION "deprecated.daemonset.template.generation"

static void ds_defaults(cJSON *obj)
{
	cJSON *spec = k8c_jobject(obj, "spec"), *us, *ru;
	const char *type;

	if (spec == NULL)
		return;
	us = k8c_jobject(spec, "updateStrategy");
	type = k8c_jstr(us, "type");
	if (us != NULL && (type == NULL || type[0] == '\0')) {
		cJSON_DeleteItemFromObjectCaseSensitive(us, "type");
		cJSON_AddStringToObject(us, "type", "RollingUpdate");
	}
	if (us != NULL && strcmp(k8c_jstr(us, "type"), "RollingUpdate") == 0 &&
	    (ru = k8c_jobject(us, "rollingUpdate")) != NULL) {
		k8c_jdefault_int(ru, "maxUnavailable", 1);
		k8c_jdefault_int(ru, "maxSurge", 0);
	}
	k8c_jdefault_int(spec, "revisionHistoryLimit", 10);
	k8c_groups_pod_template_defaults(cJSON_GetObjectItemCaseSensitive(spec, "template"));
}

static long long template_generation(const cJSON *obj)
{
	const char *v = k8c_groups_member(k8c_jget(obj, "metadata.annotations"), DS_TEMPLATE_GENERATION);
	char *end;
	long long g;

	if (v == NULL || *v == '\0')
		return 0;
	g = strtoll(v, &end, 10);
	return *end == '\0' ? g : 0;
}

static void set_template_generation(cJSON *obj, long long g)
{
	cJSON *ann = k8c_jobject(obj, "metadata.annotations");
	char buf[32];

	if (ann == NULL)
		return;
	snprintf(buf, sizeof(buf), "%lld", g);
	cJSON_DeleteItemFromObjectCaseSensitive(ann, DS_TEMPLATE_GENERATION);
	cJSON_AddStringToObject(ann, DS_TEMPLATE_GENERATION, buf);
}

/* PrepareForCreate: templateGeneration at least 1; PrepareForUpdate: the
 * old one, plus one when the template changed. */
static void ds_prepare(int op, cJSON *obj, const cJSON *old)
{
	long long g;

	if (op == K8C_OP_CREATE) {
		k8c_groups_reset_status(obj);
		g = template_generation(obj);
		set_template_generation(obj, g < 1 ? 1 : g);
	} else if (op == K8C_OP_UPDATE) {
		g = template_generation(old);
		if (!k8c_groups_equal(k8c_jget(obj, "spec.template"), k8c_jget(old, "spec.template")))
			g++;
		set_template_generation(obj, g);
	}
}

static void ds_validate_rolling_update(k8c_field_errors_t *errs, const cJSON *ru)
{
	const char *mup = "spec.updateStrategy.rollingUpdate.maxUnavailable";
	const char *msp = "spec.updateStrategy.rollingUpdate.maxSurge";
	const cJSON *mu = k8c_jget(ru, "maxUnavailable"), *ms = k8c_jget(ru, "maxSurge");
	int has_mu, has_ms;

	k8c_groups_int_or_percent(errs, mu, mup);
	k8c_groups_int_or_percent(errs, ms, msp);
	k8c_groups_max_100_percent(errs, mu, mup);
	k8c_groups_max_100_percent(errs, ms, msp);
	has_mu = k8c_groups_int_or_percent_value(mu) != 0;
	has_ms = k8c_groups_int_or_percent_value(ms) != 0;
	if (has_mu && has_ms)
		k8c_groups_err(errs, K8C_FIELD_INVALID, msp, k8c_go_int_or_string(ms),
		               "may not be set when maxUnavailable is non-zero");
	else if (!has_mu && !has_ms)
		k8c_groups_err(errs, K8C_FIELD_REQUIRED, mup, NULL, "cannot be 0 when maxSurge is 0");
}

static void ds_validate_strategy(k8c_field_errors_t *errs, const cJSON *us)
{
	const char *type = k8c_jstr(us, "type");
	const cJSON *ru = k8c_jget(us, "rollingUpdate");

	if (type != NULL && strcmp(type, "OnDelete") == 0)
		return;
	if (type != NULL && strcmp(type, "RollingUpdate") == 0) {
		if (!k8c_groups_set(ru))
			k8c_groups_err(errs, K8C_FIELD_REQUIRED, "spec.updateStrategy.rollingUpdate",
			               NULL, NULL);
		else
			ds_validate_rolling_update(errs, ru);
		return;
	}
	k8c_groups_err(errs, K8C_FIELD_NOT_SUPPORTED, "spec.updateStrategy",
	               k8c_apps_go_strategy(us, "apps.DaemonSetUpdateStrategy",
	                                    "apps.RollingUpdateDaemonSet"),
	               "supported values: \"RollingUpdate\", \"OnDelete\"");
}

static void ds_validate_spec(k8c_field_errors_t *errs, const cJSON *spec)
{
	const cJSON *sel = k8c_jget(spec, "selector"), *tmpl = k8c_jget(spec, "template");
	const char *rp = k8c_groups_restart_policy(tmpl);
	k8c_label_selector_t *s;

	k8c_groups_label_selector(errs, sel, "spec.selector");
	s = k8c_groups_selector(sel);
	if (s != NULL && !k8c_label_selector_matches(s, k8c_jget(tmpl, "metadata.labels")))
		k8c_groups_err(errs, K8C_FIELD_INVALID, "spec.template.metadata.labels",
		               k8c_go_string_map(k8c_jget(tmpl, "metadata.labels")),
		               "`selector` does not match template `labels`");
	k8c_label_selector_free(s);
	if (k8c_groups_set(sel) && cJSON_GetArraySize(k8c_jget(sel, "matchLabels")) +
	                                   k8c_groups_len(k8c_jget(sel, "matchExpressions")) == 0)
		k8c_groups_err(errs, K8C_FIELD_INVALID, "spec.selector", k8c_go_label_selector(sel),
		               "empty selector is invalid for daemonset");
	k8c_groups_pod_template_validate(errs, tmpl, "spec.template");
	if (strcmp(rp, "Always") != 0)
		k8c_groups_err(errs, K8C_FIELD_NOT_SUPPORTED, "spec.template.spec.restartPolicy",
		               k8c_go_quote(rp), "supported values: \"Always\"");
	if (k8c_groups_set(k8c_jget(tmpl, "spec.activeDeadlineSeconds")))
		k8c_groups_err(errs, K8C_FIELD_FORBIDDEN, "spec.template.spec.activeDeadlineSeconds",
		               NULL, "activeDeadlineSeconds in DaemonSet is not Supported");
	k8c_groups_nonneg(errs, "spec.minReadySeconds", k8c_jget(spec, "minReadySeconds"));
	ds_validate_strategy(errs, k8c_jget(spec, "updateStrategy"));
	k8c_groups_nonneg(errs, "spec.revisionHistoryLimit", k8c_jget(spec, "revisionHistoryLimit"));
}

static void ds_validate(int op, const cJSON *obj, const cJSON *old, k8c_field_errors_t *errs)
{
	static const char *const counts[] = {
		"currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled",
		"numberReady", "observedGeneration", "updatedNumberScheduled", "numberAvailable",
		"numberUnavailable", "collisionCount", NULL,
	};

	if (op == K8C_OP_STATUS_UPDATE) {
		k8c_groups_status_nonneg(errs, k8c_jget(obj, "status"), counts);
		k8c_groups_collision_count(errs, obj, old);
		return;
	}
	ds_validate_spec(errs, k8c_jget(obj, "spec"));
	if (op == K8C_OP_UPDATE)
		k8c_groups_selector_immutable(errs, obj, old);
}

static const k8c_table_column_t ds_columns[] = {
	K8C_COL_NAME,
	{"Desired", "integer", "",
	 "The total number of nodes that should be running the daemon pod (including nodes "
	 "correctly running the daemon pod). More info: "
	 "https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/", 0},
	{"Current", "integer", "",
	 "The number of nodes that are running at least 1 daemon pod and are supposed to run "
	 "the daemon pod. More info: "
	 "https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/", 0},
	{"Ready", "integer", "",
	 "numberReady is the number of nodes that should be running the daemon pod and have "
	 "one or more of the daemon pod running with a Ready Condition.", 0},
	{"Up-to-date", "integer", "",
	 "The total number of nodes that are running updated daemon pod", 0},
	{"Available", "integer", "",
	 "The number of nodes that should be running the daemon pod and have one or more of "
	 "the daemon pod running and available (ready for at least spec.minReadySeconds)", 0},
	{"Node Selector", "string", "",
	 "NodeSelector is a selector which must be true for the pod to fit on a node. Selector "
	 "which must match a node's labels for the pod to be scheduled on that node. More "
	 "info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/", 0},
	K8C_COL_AGE,
	K8C_COL_CONTAINERS,
	K8C_COL_IMAGES,
	{"Selector", "string", "",
	 "A label query over pods that are managed by the daemon set. Must match in order to "
	 "be controlled. If empty, defaulted to labels on Pod template. More info: "
	 "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/"
	 "#label-selectors", 1},
};

static void ds_row(const cJSON *obj, cJSON *cells, long long now_s)
{
	static const char *const counts[] = {
		"desiredNumberScheduled", "currentNumberScheduled", "numberReady",
		"updatedNumberScheduled", "numberAvailable", NULL,
	};
	const cJSON *st = k8c_jget(obj, "status");

	k8c_cell_name(cells, obj);
	for (const char *const *c = counts; *c != NULL; c++)
		k8c_cell_int(cells, k8c_jint(st, *c, 0));
	k8c_cell_own(cells, k8c_groups_format_labels(k8c_jget(obj, "spec.template.spec.nodeSelector")));
	k8c_cell_age(cells, obj, now_s);
	k8c_cell_containers(cells, k8c_jget(obj, "spec.template.spec"));
	k8c_cell_own(cells, k8c_groups_format_selector(k8c_jget(obj, "spec.selector")));
}

static const char *const ds_short[] = {"ds", NULL};

const k8c_kind_t k8c_kind_daemonsets = {
	.group = "apps",
	.version = "v1",
	.resource = "daemonsets",
	.singular = "daemonset",
	.kind = "DaemonSet",
	.namespaced = 1,
	.short_names = ds_short,
	.categories = all_category,
	.verbs = K8C_VERBS_ALL,
	.subresources = K8C_SUB_STATUS,
	.schema_type = "io.k8s.api.apps.v1.DaemonSet",
	.has_status = 1,
	.has_generation = 1,
	.defaults = ds_defaults,
	.prepare = ds_prepare,
	.validate = ds_validate,
	.columns = ds_columns,
	.n_columns = sizeof(ds_columns) / sizeof(ds_columns[0]),
	.row = ds_row,
};

/* ======================================================================== */
/* ControllerRevision                                                       */
/* ======================================================================== */

static void cr_validate(int op, const cJSON *obj, const cJSON *old, k8c_field_errors_t *errs)
{
	const cJSON *data = k8c_jget(obj, "data");

	if (!k8c_groups_set(data))
		k8c_groups_err(errs, K8C_FIELD_REQUIRED, "data", NULL, "data is mandatory");
	k8c_groups_nonneg(errs, "revision", k8c_jget(obj, "revision"));
	if (op == K8C_OP_UPDATE)
		k8c_groups_immutable(errs, "data", data, k8c_jget(old, "data"), k8c_go_json(data));
}

static const k8c_table_column_t cr_columns[] = {
	K8C_COL_NAME,
	{"Controller", "string", "", "Controller of the object", 0},
	{"Revision", "string", "", "Revision indicates the revision of the state represented by Data.", 0},
	K8C_COL_AGE,
};

/* metav1.GetControllerOf, printed as lower("Kind.group")/name. */
static char *controller_of(const cJSON *obj)
{
	const cJSON *ref;

	cJSON_ArrayForEach(ref, k8c_jget(obj, "metadata.ownerReferences")) {
		const char *av = k8c_jstr(ref, "apiVersion"), *kind = k8c_jstr(ref, "kind");
		const char *name = k8c_jstr(ref, "name"), *slash;
		char *s;

		if (!k8c_jbool(ref, "controller", 0))
			continue;
		av = av ? av : "";
		kind = kind ? kind : "";
		slash = strchr(av, '/');
		if (slash != NULL)
			s = k8c_xasprintf("%s.%.*s/%s", kind, (int)(slash - av), av, name ? name : "");
		else if (kind[0] != '\0')
			s = k8c_xasprintf("%s/%s", kind, name ? name : "");
		else
			s = k8c_xstrdup(name ? name : "");
		for (char *c = s; *c && *c != '/'; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		return s;
	}
	return k8c_xstrdup("<none>");
}

static void cr_row(const cJSON *obj, cJSON *cells, long long now_s)
{
	k8c_cell_name(cells, obj);
	k8c_cell_own(cells, controller_of(obj));
	k8c_cell_int(cells, k8c_jint(obj, "revision", 0));
	k8c_cell_age(cells, obj, now_s);
}

const k8c_kind_t k8c_kind_controllerrevisions = {
	.group = "apps",
	.version = "v1",
	.resource = "controllerrevisions",
	.singular = "controllerrevision",
	.kind = "ControllerRevision",
	.namespaced = 1,
	.verbs = K8C_VERBS_ALL,
	.schema_type = "io.k8s.api.apps.v1.ControllerRevision",
	.validate = cr_validate,
	.columns = cr_columns,
	.n_columns = sizeof(cr_columns) / sizeof(cr_columns[0]),
	.row = cr_row,
};
