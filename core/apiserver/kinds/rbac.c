/* rbac.authorization.k8s.io/v1 Role, ClusterRole, RoleBinding and
 * ClusterRoleBinding: defaults (API groups of references and subjects),
 * validation (rules, aggregation, roleRef fixed after creation, subjects)
 * and Tables, as Kubernetes 1.32 has them.  Roles have no Table printer in
 * Kubernetes: they get the default "Name, Created At" table. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/kinds/groups.h"
#include "apiserver/kinds/groups_common.h"
#include "apiserver/kinds/util.h"
#include "common/mem.h"
#include "common/names.h"
#include "common/timestamp.h"

#define RBAC_GROUP "rbac.authorization.k8s.io"

/* --- rules -------------------------------------------------------------- */

static void validate_rule(k8c_field_errors_t *errs, const cJSON *rule, int i, int namespaced)
{
	const cJSON *urls = k8c_jget(rule, "nonResourceURLs");
	_cleanup_free_ char *vp = k8c_xasprintf("rules[%d].verbs", i);
	_cleanup_free_ char *up = k8c_xasprintf("rules[%d].nonResourceURLs", i);
	_cleanup_free_ char *gp = k8c_xasprintf("rules[%d].apiGroups", i);
	_cleanup_free_ char *rp = k8c_xasprintf("rules[%d].resources", i);

	if (k8c_groups_len(k8c_jget(rule, "verbs")) == 0)
		k8c_groups_err(errs, K8C_FIELD_REQUIRED, vp, NULL, "verbs must contain at least one value");
	if (k8c_groups_len(urls) > 0) {
		if (namespaced)
			k8c_groups_err(errs, K8C_FIELD_INVALID, up, k8c_go_string_slice(urls),
			               "namespaced rules cannot apply to non-resource URLs");
		if (k8c_groups_len(k8c_jget(rule, "apiGroups")) > 0 ||
		    k8c_groups_len(k8c_jget(rule, "resources")) > 0 ||
		    k8c_groups_len(k8c_jget(rule, "resourceNames")) > 0)
			k8c_groups_err(errs, K8C_FIELD_INVALID, up, k8c_go_string_slice(urls),
			               "rules cannot apply to both regular resources and non-resource URLs");
		return;
	}
	if (k8c_groups_len(k8c_jget(rule, "apiGroups")) == 0)
		k8c_groups_err(errs, K8C_FIELD_REQUIRED, gp, NULL,
		               "resource rules must supply at least one api group");
	if (k8c_groups_len(k8c_jget(rule, "resources")) == 0)
		k8c_groups_err(errs, K8C_FIELD_REQUIRED, rp, NULL,
		               "resource rules must supply at least one resource");
}

static void validate_rules(k8c_field_errors_t *errs, const cJSON *obj, int namespaced)
{
	const cJSON *rule;
	int i = 0;

	cJSON_ArrayForEach(rule, k8c_jget(obj, "rules"))
		validate_rule(errs, rule, i++, namespaced);
}

static void role_validate(int op, const cJSON *obj, const cJSON *old, k8c_field_errors_t *errs)
{
	validate_rules(errs, obj, 1);
}

static void clusterrole_validate(int op, const cJSON *obj, const cJSON *old,
                                 k8c_field_errors_t *errs)
{
	const cJSON *agg = k8c_jget(obj, "aggregationRule"), *sel;
	int i = 0;

	validate_rules(errs, obj, 0);
	if (!k8c_groups_set(agg))
		return;
	if (k8c_groups_len(k8c_jget(agg, "clusterRoleSelectors")) == 0)
		k8c_groups_err(errs, K8C_FIELD_REQUIRED, "aggregationRule.clusterRoleSelectors", NULL,
		               "at least one clusterRoleSelector required if aggregationRule is non-nil");
	cJSON_ArrayForEach(sel, k8c_jget(agg, "clusterRoleSelectors")) {
		_cleanup_free_ char *p = k8c_xasprintf("aggregationRule.clusterRoleSelectors[%d]", i++);
		k8c_label_selector_t *s = cJSON_IsObject(sel) ? k8c_groups_selector(sel)
		                                             : k8c_label_selector_new();
		k8c_groups_label_selector(errs, sel, p);
		/* the Go code shadows the selector: a nil one is printed */
		if (s == NULL)
			k8c_groups_err(errs, K8C_FIELD_INVALID, p, k8c_xstrdup("\"null\""),
			               "invalid label selector.");
		k8c_label_selector_free(s);
	}
}

/* The default Table of kinds without a printer: Name, Created At. */
static const k8c_table_column_t role_columns[] = {
	K8C_COL_NAME,
	{"Created At", "date", "", K8C_DOC_CREATED, 0},
};

static void role_row(const cJSON *obj, cJSON *cells, long long now_s)
{
	char buf[K8C_TIME_STRLEN] = "0001-01-01T00:00:00Z";
	const char *ts = k8c_jstr(obj, "metadata.creationTimestamp");
	int64_t ns;

	if (ts != NULL && k8c_time_parse(ts, &ns, NULL) == 0)
		k8c_time_format(ns, buf);
	k8c_cell_name(cells, obj);
	k8c_cell_str(cells, buf);
}

const k8c_kind_t k8c_kind_roles = {
	.group = RBAC_GROUP,
	.version = "v1",
	.resource = "roles",
	.singular = "role",
	.kind = "Role",
	.namespaced = 1,
	.verbs = K8C_VERBS_ALL,
	.schema_type = "io.k8s.api.rbac.v1.Role",
	.validate = role_validate,
	.columns = role_columns,
	.n_columns = sizeof(role_columns) / sizeof(role_columns[0]),
	.row = role_row,
	.name_valid = k8c_rbac_name_valid,
};

const k8c_kind_t k8c_kind_clusterroles = {
	.group = RBAC_GROUP,
	.version = "v1",
	.resource = "clusterroles",
	.singular = "clusterrole",
	.kind = "ClusterRole",
	.namespaced = 0,
	.verbs = K8C_VERBS_ALL,
	.schema_type = "io.k8s.api.rbac.v1.ClusterRole",
	.validate = clusterrole_validate,
	.columns = role_columns,
	.n_columns = sizeof(role_columns) / sizeof(role_columns[0]),
	.row = role_row,
	.name_valid = k8c_rbac_name_valid,
};

/* --- bindings ----------------------------------------------------------- */

static void binding_defaults(cJSON *obj)
{
	cJSON *ref = k8c_jobject(obj, "roleRef"), *s;
	const char *g = k8c_jstr(ref, "apiGroup");

	if (ref != NULL && (g == NULL || g[0] == '\0')) {
		cJSON_DeleteItemFromObjectCaseSensitive(ref, "apiGroup");
		cJSON_AddStringToObject(ref, "apiGroup", RBAC_GROUP);
	}
	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(obj, "subjects")) {
		const char *kind = k8c_jstr(s, "kind");
		g = k8c_jstr(s, "apiGroup");
		if (!cJSON_IsObject(s) || (g != NULL && g[0] != '\0') || kind == NULL)
			continue;
		if (strcmp(kind, "User") == 0 || strcmp(kind, "Group") == 0) {
			cJSON_DeleteItemFromObjectCaseSensitive(s, "apiGroup");
			cJSON_AddStringToObject(s, "apiGroup", RBAC_GROUP);
		} else if (strcmp(kind, "ServiceAccount") == 0) {
			k8c_jdefault_str(s, "apiGroup", "");
		}
	}
}

static int path_segment_check(const char *s, char *msg, size_t len)
{
	return k8c_rbac_name_valid(s, msg, len);
}

static void validate_subject(k8c_field_errors_t *errs, const cJSON *s, int i, int namespaced)
{
	const char *name = k8c_jstr(s, "name"), *kind = k8c_jstr(s, "kind");
	const char *group = k8c_jstr(s, "apiGroup"), *ns = k8c_jstr(s, "namespace");
	_cleanup_free_ char *np = k8c_xasprintf("subjects[%d].name", i);
	_cleanup_free_ char *gp = k8c_xasprintf("subjects[%d].apiGroup", i);
	_cleanup_free_ char *nsp = k8c_xasprintf("subjects[%d].namespace", i);
	_cleanup_free_ char *kp = k8c_xasprintf("subjects[%d].kind", i);

	name = name ? name : "";
	group = group ? group : "";
	kind = kind ? kind : "";
	if (name[0] == '\0')
		k8c_groups_err(errs, K8C_FIELD_REQUIRED, np, NULL, NULL);
	if (strcmp(kind, "ServiceAccount") == 0) {
		if (name[0] != '\0')
			k8c_groups_name_errs(errs, np, name, k8c_is_dns1123_subdomain);
		if (group[0] != '\0')
			k8c_groups_err(errs, K8C_FIELD_NOT_SUPPORTED, gp, k8c_go_quote(group),
			               "supported values: \"\"");
		if (!namespaced && (ns == NULL || ns[0] == '\0'))
			k8c_groups_err(errs, K8C_FIELD_REQUIRED, nsp, NULL, NULL);
	} else if (strcmp(kind, "User") == 0 || strcmp(kind, "Group") == 0) {
		if (name[0] == '\0')
			k8c_groups_err(errs, K8C_FIELD_INVALID, np, k8c_xstrdup("\"\""), "%s name cannot be empty",
			               kind[0] == 'U' ? "user" : "group");
		if (strcmp(group, RBAC_GROUP) != 0)
			k8c_groups_err(errs, K8C_FIELD_NOT_SUPPORTED, gp, k8c_go_quote(group),
			               "supported values: \"" RBAC_GROUP "\"");
	} else {
		k8c_groups_err(errs, K8C_FIELD_NOT_SUPPORTED, kp, k8c_go_quote(kind),
		               "supported values: \"ServiceAccount\", \"User\", \"Group\"");
	}
}

static char *go_role_ref(const cJSON *ref)
{
	_cleanup_free_ char *g = k8c_go_quote(k8c_jstr(ref, "apiGroup") ? k8c_jstr(ref, "apiGroup") : "");
	_cleanup_free_ char *k = k8c_go_quote(k8c_jstr(ref, "kind") ? k8c_jstr(ref, "kind") : "");
	_cleanup_free_ char *n = k8c_go_quote(k8c_jstr(ref, "name") ? k8c_jstr(ref, "name") : "");

	return k8c_xasprintf("rbac.RoleRef{APIGroup:%s, Kind:%s, Name:%s}", g, k, n);
}

static int same_str(const cJSON *a, const cJSON *b, const char *key)
{
	const char *x = k8c_jstr(a, key), *y = k8c_jstr(b, key);

	return strcmp(x ? x : "", y ? y : "") == 0;
}

static void validate_binding(k8c_field_errors_t *errs, int op, const cJSON *obj,
                             const cJSON *old, int namespaced)
{
	const cJSON *ref = k8c_jget(obj, "roleRef"), *oref = k8c_jget(old, "roleRef"), *s;
	const char *group = k8c_jstr(ref, "apiGroup"), *kind = k8c_jstr(ref, "kind");
	const char *name = k8c_jstr(ref, "name");
	int i = 0;

	group = group ? group : "";
	kind = kind ? kind : "";
	if (strcmp(group, RBAC_GROUP) != 0)
		k8c_groups_err(errs, K8C_FIELD_NOT_SUPPORTED, "roleRef.apiGroup", k8c_go_quote(group),
		               "supported values: \"" RBAC_GROUP "\"");
	if (namespaced ? strcmp(kind, "Role") != 0 && strcmp(kind, "ClusterRole") != 0
	               : strcmp(kind, "ClusterRole") != 0)
		k8c_groups_err(errs, K8C_FIELD_NOT_SUPPORTED, "roleRef.kind", k8c_go_quote(kind),
		               namespaced ? "supported values: \"Role\", \"ClusterRole\""
		                          : "supported values: \"ClusterRole\"");
	if (name == NULL || name[0] == '\0')
		k8c_groups_err(errs, K8C_FIELD_REQUIRED, "roleRef.name", NULL, NULL);
	else
		k8c_groups_name_errs(errs, "roleRef.name", name, path_segment_check);
	cJSON_ArrayForEach(s, k8c_jget(obj, "subjects"))
		validate_subject(errs, s, i++, namespaced);
	if (op == K8C_OP_UPDATE && !(same_str(ref, oref, "apiGroup") && same_str(ref, oref, "kind") &&
	                             same_str(ref, oref, "name")))
		k8c_groups_err(errs, K8C_FIELD_INVALID, "roleRef", go_role_ref(ref), "cannot change roleRef");
}

static void rolebinding_validate(int op, const cJSON *obj, const cJSON *old,
                                 k8c_field_errors_t *errs)
{
	validate_binding(errs, op, obj, old, 1);
}

static void clusterrolebinding_validate(int op, const cJSON *obj, const cJSON *old,
                                        k8c_field_errors_t *errs)
{
	validate_binding(errs, op, obj, old, 0);
}

/* SubjectsStrings: users, groups and namespace/name of service accounts. */
static void subject_cells(cJSON *cells, const cJSON *obj)
{
	static const char *const kinds[] = {"User", "Group", "ServiceAccount"};
	const cJSON *s;

	for (size_t k = 0; k < 3; k++) {
		k8c_sbuf_t b = {0};
		int n = 0;
		cJSON_ArrayForEach(s, k8c_jget(obj, "subjects")) {
			const char *kind = k8c_jstr(s, "kind"), *name = k8c_jstr(s, "name");
			const char *ns = k8c_jstr(s, "namespace");
			if (kind == NULL || strcmp(kind, kinds[k]) != 0)
				continue;
			if (k == 2)
				k8c_sbuf_add(&b, "%s%s/%s", n++ ? ", " : "", ns ? ns : "", name ? name : "");
			else
				k8c_sbuf_add(&b, "%s%s", n++ ? ", " : "", name ? name : "");
		}
		k8c_cell_own(cells, k8c_sbuf_take(&b));
	}
}

static void binding_row(const cJSON *obj, cJSON *cells, long long now_s)
{
	const char *kind = k8c_jstr(obj, "roleRef.kind"), *name = k8c_jstr(obj, "roleRef.name");

	k8c_cell_name(cells, obj);
	k8c_cell_own(cells, k8c_xasprintf("%s/%s", kind ? kind : "", name ? name : ""));
	k8c_cell_age(cells, obj, now_s);
	subject_cells(cells, obj);
}

#define BINDING_COLUMNS(what, ref_doc)                                                     \
	{                                                                                  \
		K8C_COL_NAME,                                                              \
		{"Role", "string", "", "RoleRef can " ref_doc " If the RoleRef cannot be "  \
		 "resolved, the Authorizer must return an error.", 0},                     \
		K8C_COL_AGE,                                                               \
		{"Users", "string", "", "Users in the " what, 1},                          \
		{"Groups", "string", "", "Groups in the " what, 1},                        \
		{"ServiceAccounts", "string", "", "ServiceAccounts in the " what, 1},      \
	}

static const k8c_table_column_t rolebinding_columns[] = BINDING_COLUMNS(
	"roleBinding", "reference a Role in the current namespace or a ClusterRole in the global namespace.");
static const k8c_table_column_t clusterrolebinding_columns[] = BINDING_COLUMNS(
	"clusterRoleBinding", "only reference a ClusterRole in the global namespace.");

const k8c_kind_t k8c_kind_rolebindings = {
	.group = RBAC_GROUP,
	.version = "v1",
	.resource = "rolebindings",
	.singular = "rolebinding",
	.kind = "RoleBinding",
	.namespaced = 1,
	.verbs = K8C_VERBS_ALL,
	.schema_type = "io.k8s.api.rbac.v1.RoleBinding",
	.defaults = binding_defaults,
	.validate = rolebinding_validate,
	.columns = rolebinding_columns,
	.n_columns = sizeof(rolebinding_columns) / sizeof(rolebinding_columns[0]),
	.row = binding_row,
	.name_valid = k8c_rbac_name_valid,
};

const k8c_kind_t k8c_kind_clusterrolebindings = {
	.group = RBAC_GROUP,
	.version = "v1",
	.resource = "clusterrolebindings",
	.singular = "clusterrolebinding",
	.kind = "ClusterRoleBinding",
	.namespaced = 0,
	.verbs = K8C_VERBS_ALL,
	.schema_type = "io.k8s.api.rbac.v1.ClusterRoleBinding",
	.defaults = binding_defaults,
	.validate = clusterrolebinding_validate,
	.columns = clusterrolebinding_columns,
	.n_columns = sizeof(clusterrolebinding_columns) / sizeof(clusterrolebinding_columns[0]),
	.row = binding_row,
	.name_valid = k8c_rbac_name_valid,
};
