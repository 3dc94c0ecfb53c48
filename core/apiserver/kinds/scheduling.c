/* scheduling.k8s.io/v1 PriorityClass, as Kubernetes 1.32 defaults,
 * validates and prints it, and the two built-in system classes the API
 * server creates at start (bootstrap.c) and refuses to delete.  What a
 * class does to pods is the Priority admission plugin's (admission.c). */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/kinds/groups.h"
#include "apiserver/kinds/groups_common.h"
#include "apiserver/kinds/util.h"
#include "common/mem.h"

#define SYSTEM_PREFIX "system-"

/* Kubernetes' SystemPriorityClasses (pkg/apis/scheduling/v1/helpers.go):
 * SystemCriticalPriority is 2 * HighestUserDefinablePriority. */
const k8c_system_priority_class_t k8c_system_priority_classes[] = {
	{"system-node-critical", 2000001000,
	 "Used for system critical pods that must not be moved from their current node."},
	{"system-cluster-critical", 2000000000,
	 "Used for system critical pods that must run in the cluster, but can be moved to "
	 "another node if necessary."},
};
const size_t k8c_n_system_priority_classes =
	sizeof(k8c_system_priority_classes) / sizeof(k8c_system_priority_classes[0]);

static const k8c_system_priority_class_t *system_class(const char *name)
{
	for (size_t i = 0; name != NULL && i < k8c_n_system_priority_classes; i++)
		if (strcmp(k8c_system_priority_classes[i].name, name) == 0)
			return &k8c_system_priority_classes[i];
	return NULL;
}

/* SetDefaults_PriorityClass, and Go's encoding of the v1 type: value has
 * no omitempty (absent reads as 0 and is written back), globalDefault and
 * description do (false and "" are not written). */
static void pc_defaults(cJSON *obj)
{
	const cJSON *gd = k8c_jget(obj, "globalDefault");
	const char *desc = k8c_jstr(obj, "description");

	if (!cJSON_IsObject(obj))
		return;
	k8c_jdefault_int(obj, "value", 0);
	k8c_jdefault_str(obj, "preemptionPolicy", "PreemptLowerPriority");
	if (cJSON_IsFalse(gd))
		cJSON_DeleteItemFromObjectCaseSensitive(obj, "globalDefault");
	if (desc != NULL && desc[0] == '\0')
		cJSON_DeleteItemFromObjectCaseSensitive(obj, "description");
}

/* The strategy sets generation 1 on create and never bumps it. */
static void pc_prepare(int op, cJSON *obj, const cJSON *old)
{
	cJSON *meta;

	(void)old;
	if (op != K8C_OP_CREATE || (meta = k8c_jobject(obj, "metadata")) == NULL)
		return;
	cJSON_DeleteItemFromObjectCaseSensitive(meta, "generation");
	cJSON_AddNumberToObject(meta, "generation", 1);
}

/* IsKnownSystemPriorityClass: 1, or 0 with why filled. */
static int known_system_class(const char *name, long long value, int global_default,
                              char **why)
{
	const k8c_system_priority_class_t *spc = system_class(name);

	if (spc == NULL)
		*why = k8c_xasprintf("%s is not a known system priority class", name);
	else if (value != spc->value)
		*why = k8c_xasprintf("value of %s PriorityClass must be %d", name, spc->value);
	else if (global_default)
		*why = k8c_xasprintf("globalDefault of %s PriorityClass must be false", name);
	else
		return 1;
	return 0;
}

/* ValidatePreemptionPolicy */
static void preemption_policy(k8c_field_errors_t *errs, const char *policy)
{
	if (policy == NULL)
		return;
	if (policy[0] == '\0')
		k8c_groups_err(errs, K8C_FIELD_REQUIRED, "preemptionPolicy", NULL, NULL);
	else if (strcmp(policy, "PreemptLowerPriority") != 0 && strcmp(policy, "Never") != 0)
		k8c_groups_err(errs, K8C_FIELD_NOT_SUPPORTED, "preemptionPolicy", k8c_go_quote(policy),
		               "supported values: \"PreemptLowerPriority\", \"Never\"");
}

/* ValidatePriorityClass on create; ValidatePriorityClassUpdate (only
 * what may not change) on update. */
static void pc_validate(int op, const cJSON *obj, const cJSON *old, k8c_field_errors_t *errs)
{
	const char *name = k8c_meta_str(obj, "name");
	long long value = k8c_jint(obj, "value", 0);

	if (op == K8C_OP_UPDATE) {
		const cJSON *now = k8c_jget(obj, "preemptionPolicy");
		if (value != k8c_jint(old, "value", 0))
			k8c_groups_err(errs, K8C_FIELD_FORBIDDEN, "value", NULL,
			               "may not be changed in an update.");
		k8c_groups_immutable(errs, "preemptionPolicy", now, k8c_jget(old, "preemptionPolicy"),
		                     cJSON_IsString(now) ? k8c_go_quote(now->valuestring)
		                                         : k8c_xstrdup("null"));
		return;
	}
	if (op != K8C_OP_CREATE)
		return;
	if (name != NULL && strncmp(name, SYSTEM_PREFIX, strlen(SYSTEM_PREFIX)) == 0) {
		_cleanup_free_ char *why = NULL;
		if (!known_system_class(name, value, k8c_jbool(obj, "globalDefault", 0), &why))
			k8c_groups_err(errs, K8C_FIELD_FORBIDDEN, "metadata.name", NULL,
			               "priority class names with '" SYSTEM_PREFIX
			               "' prefix are reserved for system use only. error: %s",
			               why);
	} else if (value > K8C_HIGHEST_USER_DEFINABLE_PRIORITY) {
		k8c_groups_err(errs, K8C_FIELD_FORBIDDEN, "value", NULL,
		               "maximum allowed value of a user defined priority is %d",
		               K8C_HIGHEST_USER_DEFINABLE_PRIORITY);
	}
	preemption_policy(errs, k8c_jstr(obj, "preemptionPolicy"));
}

/* REST.Delete of the priorityclasses storage. */
static const char *pc_delete_forbidden(const char *name)
{
	return system_class(name) != NULL ? "this is a system priority class and cannot be deleted"
	                                  : NULL;
}

static const k8c_table_column_t pc_columns[] = {
	K8C_COL_NAME,
	{"Value", "integer", "",
	 "value represents the integer value of this priority class. This is the actual priority "
	 "that pods receive when they have the name of this class in their pod spec.", 0},
	{"Global-Default", "boolean", "",
	 "globalDefault specifies whether this PriorityClass should be considered as the default "
	 "priority for pods that do not have any priority class. Only one PriorityClass can be "
	 "marked as `globalDefault`. However, if more than one PriorityClasses exists with their "
	 "`globalDefault` field set to true, the smallest value of such global default "
	 "PriorityClasses will be used as the default priority.", 0},
	K8C_COL_AGE,
	{"PreemptionPolicy", "string", "",
	 "preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, "
	 "PreemptLowerPriority. Defaults to PreemptLowerPriority if unset.", 0},
};

static void pc_row(const cJSON *obj, cJSON *cells, long long now_s)
{
	const char *policy = k8c_jstr(obj, "preemptionPolicy");

	k8c_cell_name(cells, obj);
	k8c_cell_int(cells, k8c_jint(obj, "value", 0));
	cJSON_AddItemToArray(cells, cJSON_CreateBool(k8c_jbool(obj, "globalDefault", 0)));
	k8c_cell_age(cells, obj, now_s);
	k8c_cell_str(cells, policy != NULL ? policy : "");
}

static const char *const pc_short[] = {"pc", NULL};

const k8c_kind_t k8c_kind_priorityclasses = {
	.group = "scheduling.k8s.io",
	.version = "v1",
	.resource = "priorityclasses",
	.singular = "priorityclass",
	.kind = "PriorityClass",
	.namespaced = 0,
	.short_names = pc_short,
	.verbs = K8C_VERBS_ALL,
	.schema_type = "io.k8s.api.scheduling.v1.PriorityClass",
	.defaults = pc_defaults,
	.prepare = pc_prepare,
	.validate = pc_validate,
	.columns = pc_columns,
	.n_columns = sizeof(pc_columns) / sizeof(pc_columns[0]),
	.row = pc_row,
	.delete_forbidden = pc_delete_forbidden,
};
