/* The namespaces and serviceaccounts resources.
 *
 * Namespaces: the kubernetes.io/metadata.name label and the Active phase
 * (SetDefaults_Namespace*), the "kubernetes" finalizer added on create and
 * kept on update (the namespace strategy), name and finalizer validation,
 * the phase rules of namespaces/status, and namespaces/finalize, the only
 * way to change spec.finalizers (the namespace controller removes
 * "kubernetes" there once the namespace is empty). */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/kind.h"
#include "apiserver/kinds/core.h"
#include "apiserver/kinds/core_internal.h"
#include "apiserver/kinds/util.h"
#include "common/mem.h"

#define NAME_LABEL "kubernetes.io/metadata.name"

static void name_label(cJSON *ns)
{
	const char *name = k8c_jstr(ns, "metadata.name");
	cJSON *labels;

	if (name == NULL || name[0] == '\0')
		return;
	labels = k8c_jobject(ns, "metadata.labels");
	if (labels != NULL)
		k8c_core_set(labels, NAME_LABEL, cJSON_CreateString(name));
}

static void namespace_defaults(cJSON *ns)
{
	cJSON *st;

	if (!cJSON_IsObject(ns))
		return;
	name_label(ns);
	st = k8c_jobject(ns, "status");
	if (st != NULL && k8c_core_strz(st, "phase")[0] == '\0')
		k8c_core_set(st, "phase", cJSON_CreateString("Active"));
}

static void namespace_prepare(int op, cJSON *ns, const cJSON *old)
{
	cJSON *spec, *fins, *it;
	int has = 0;

	if (!cJSON_IsObject(ns))
		return;
	name_label(ns); /* the namespace strategy's Canonicalize */
	if (op == K8C_OP_CREATE) {
		cJSON *st = cJSON_CreateObject();
		cJSON_AddStringToObject(st, "phase", "Active");
		k8c_core_set(ns, "status", st);
		spec = k8c_jobject(ns, "spec");
		if (spec == NULL)
			return;
		fins = cJSON_GetObjectItemCaseSensitive(spec, "finalizers");
		if (!cJSON_IsArray(fins)) {
			fins = cJSON_CreateArray();
			k8c_core_set(spec, "finalizers", fins);
		}
		cJSON_ArrayForEach(it, fins) has |=
		    cJSON_IsString(it) && strcmp(it->valuestring, "kubernetes") == 0;
		if (!has)
			cJSON_AddItemToArray(fins, cJSON_CreateString("kubernetes"));
	} else if (op == K8C_OP_UPDATE && old != NULL) {
		const cJSON *of = k8c_core_member(k8c_core_object(old, "spec"), "finalizers");
		spec = k8c_jobject(ns, "spec");
		if (spec == NULL)
			return;
		cJSON_DeleteItemFromObjectCaseSensitive(spec, "finalizers");
		if (of != NULL)
			cJSON_AddItemToObject(spec, "finalizers", cJSON_Duplicate(of, 1));
	}
}

/* validateFinalizerName: a qualified name, and a standard one unless it
 * has a domain */
static void finalizer_name(k8c_field_errors_t *e, const char *path, const char *name)
{
	static const char *const standard[] = {"kubernetes", "orphan", "foregroundDeletion", NULL};

	k8c_core_qualified_name(e, path, name);
	if (strchr(name, '/') == NULL && !k8c_core_in(name, standard))
		k8c_core_invalid_str(
		    e, path, name,
		    "name is neither a standard finalizer name nor is it fully qualified");
}

static void namespace_validate(int op, const cJSON *ns, const cJSON *old, k8c_field_errors_t *e)
{
	const cJSON *it;

	if (op == K8C_OP_STATUS_UPDATE) {
		const char *phase = k8c_core_strz(k8c_core_object(ns, "status"), "phase");
		if (!k8c_core_has(k8c_core_object(ns, "metadata"), "deletionTimestamp")) {
			if (strcmp(phase, "Active") != 0)
				k8c_core_invalid_str(
				    e, "status.Phase", phase,
				    "may only be 'Active' if `deletionTimestamp` is empty");
		} else if (strcmp(phase, "Terminating") != 0) {
			k8c_core_invalid_str(
			    e, "status.Phase", phase,
			    "may only be 'Terminating' if `deletionTimestamp` is not empty");
		}
		return;
	}
	if (op == K8C_OP_FINALIZE) {
		cJSON_ArrayForEach(it, k8c_core_array(k8c_core_object(ns, "spec"), "finalizers"))
		    finalizer_name(e, "spec.finalizers", cJSON_IsString(it) ? it->valuestring : "");
		return;
	}
	if (op != K8C_OP_CREATE)
		return;
	k8c_core_dns_label(e, "metadata.name",
	                   k8c_core_strz(k8c_core_object(ns, "metadata"), "name"));
	cJSON_ArrayForEach(it, k8c_core_array(k8c_core_object(ns, "spec"), "finalizers"))
	    finalizer_name(e, "spec.finalizers", cJSON_IsString(it) ? it->valuestring : "");
}

static const k8c_table_column_t namespace_columns[] = {
    {"Name", "string", "name", "Name of the namespace.", 0},
    {"Status", "string", "", "The phase of the namespace.", 0},
    {"Age", "string", "", "Time since the namespace was created.", 0},
};

static void namespace_row(const cJSON *ns, cJSON *cells, long long now_s)
{
	k8c_core_cell_str(cells, k8c_jstr(ns, "metadata.name"));
	k8c_core_cell_str(cells, k8c_jstr(ns, "status.phase"));
	k8c_core_cell_age(cells, ns, now_s);
}

/* "name" is a legacy alias of metadata.name */
static const char *const namespace_fields[] = {"status.phase", "name", NULL};

static const char *name_or_path(const cJSON *obj, const char *field, char *buf, size_t buflen)
{
	(void)buf;
	(void)buflen;
	return k8c_jstr(obj, strcmp(field, "name") == 0 ? "metadata.name" : field);
}

static const char *const namespace_short[] = {"ns", NULL};

const k8c_kind_t k8c_kind_namespaces = {
    .group = "",
    .version = "v1",
    .resource = "namespaces",
    .singular = "namespace",
    .kind = "Namespace",
    .namespaced = 0,
    .short_names = namespace_short,
    .categories = NULL,
    .verbs = K8C_VERB_GET | K8C_VERB_LIST | K8C_VERB_WATCH | K8C_VERB_CREATE | K8C_VERB_UPDATE |
             K8C_VERB_PATCH | K8C_VERB_DELETE,
    .subresources = K8C_SUB_STATUS | K8C_SUB_FINALIZE,
    .schema_type = "io.k8s.api.core.v1.Namespace",
    .has_status = 1,
    .has_generation = 0,
    .defaults = namespace_defaults,
    .prepare = namespace_prepare,
    .validate = namespace_validate,
    .columns = namespace_columns,
    .n_columns = sizeof(namespace_columns) / sizeof(namespace_columns[0]),
    .row = namespace_row,
    .field_selectors = namespace_fields,
    .field_value = name_or_path,
	.validates_name = 1,
};

/* --- serviceaccounts ------------------------------------------------------------------------ */

static const k8c_table_column_t serviceaccount_columns[] = {
    {"Name", "string", "name", "Name of the service account, unique within its namespace.", 0},
    {"Secrets", "string", "", "Number of secrets listed by the service account.", 0},
    {"Age", "string", "", "Time since the service account was created.", 0},
};

static void serviceaccount_row(const cJSON *sa, cJSON *cells, long long now_s)
{
	k8c_core_cell_str(cells, k8c_jstr(sa, "metadata.name"));
	k8c_core_cell_int(cells, k8c_core_count(sa, "secrets"));
	k8c_core_cell_age(cells, sa, now_s);
}

static const char *const serviceaccount_short[] = {"sa", NULL};

const k8c_kind_t k8c_kind_serviceaccounts = {
    .group = "",
    .version = "v1",
    .resource = "serviceaccounts",
    .singular = "serviceaccount",
    .kind = "ServiceAccount",
    .namespaced = 1,
    .short_names = serviceaccount_short,
    .verbs = K8C_VERBS_ALL,
    .subresources = 0,
    .schema_type = "io.k8s.api.core.v1.ServiceAccount",
    .has_status = 0,
    .has_generation = 0,
    .columns = serviceaccount_columns,
    .n_columns = sizeof(serviceaccount_columns) / sizeof(serviceaccount_columns[0]),
    .row = serviceaccount_row,
};
