/* Which nodes a DaemonSet's pod belongs on, as kube's
 * NodeShouldRunDaemonPod: the template's spec.nodeName, nodeSelector and
 * required node affinity must match the node, and its tolerations (with
 * the DaemonSet default tolerations added) must tolerate the node's
 * NoSchedule and NoExecute taints.  A pod that tolerates the NoExecute
 * taints only may keep running where it is (should_continue).
 *
 * Malformed terms match nothing and malformed tolerations tolerate
 * nothing (kube ignores the parse errors likewise); the API server keeps
 * them out. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/json_path.h"
#include "common/mem.h"

#include "ds.h"

/* v when it is an array, else NULL (nothing to walk). */
static const cJSON *arr(const cJSON *v)
{
	return cJSON_IsArray(v) ? v : NULL;
}

/* --- node affinity -------------------------------------------------------- */

static int label_op(const char *s)
{
	static const struct { const char *name; int op; } ops[] = {
		{"In", K8C_SEL_IN}, {"NotIn", K8C_SEL_NOT_IN},
		{"Exists", K8C_SEL_EXISTS}, {"DoesNotExist", K8C_SEL_DOES_NOT_EXIST},
		{"Gt", K8C_SEL_GREATER_THAN}, {"Lt", K8C_SEL_LESS_THAN},
	};

	for (size_t i = 0; s != NULL && i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(s, ops[i].name) == 0)
			return ops[i].op;
	return 0;
}

/* The string values of a requirement; NULL when one is not a string.
 * Caller frees the array (the strings are borrowed). */
static const char **req_values(const cJSON *req, size_t *n)
{
	const cJSON *values = cJSON_GetObjectItemCaseSensitive(req, "values"), *v;
	const char **vals = k8c_xcalloc((size_t)cJSON_GetArraySize(values) + 1, sizeof(char *));

	*n = 0;
	cJSON_ArrayForEach(v, arr(values)) {
		if (!cJSON_IsString(v)) {
			free(vals);
			return NULL;
		}
		vals[(*n)++] = v->valuestring;
	}
	return vals;
}

static int parse_expr(const cJSON *req, ds_term_t *t)
{
	k8c_error_t err;
	size_t n;
	const char **vals = req_values(req, &n);
	const char *key = k8c_jstr(req, "key");
	int op = label_op(k8c_jstr(req, "operator")), ret;

	if (vals == NULL || key == NULL || op == 0) {
		free(vals);
		return -1;
	}
	if (t->exprs == NULL)
		t->exprs = k8c_label_selector_new();
	ret = k8c_label_selector_add(t->exprs, key, op, vals, n, &err);
	free(vals);
	return ret;
}

/* matchFields: metadata.name In/NotIn exactly one name (kube's field
 * selector for nodes). */
static int parse_field(const cJSON *req, ds_term_t *t)
{
	size_t n;
	const char **vals = req_values(req, &n);
	const char *key = k8c_jstr(req, "key"), *op = k8c_jstr(req, "operator");
	int negate;

	if (vals == NULL || key == NULL || op == NULL || n != 1 ||
	    strcmp(key, "metadata.name") != 0 ||
	    (strcmp(op, "In") != 0 && strcmp(op, "NotIn") != 0)) {
		free(vals);
		return -1;
	}
	negate = strcmp(op, "NotIn") == 0;
	t->names = k8c_xrealloc(t->names, (t->n_names + 1) * sizeof(char *));
	t->negate = k8c_xrealloc(t->negate, (t->n_names + 1) * sizeof(int));
	t->names[t->n_names] = k8c_xstrdup(vals[0]);
	t->negate[t->n_names++] = negate;
	free(vals);
	return 0;
}

static void parse_term(const cJSON *js, ds_term_t *t)
{
	const cJSON *exprs = k8c_jget(js, "matchExpressions");
	const cJSON *fields = k8c_jget(js, "matchFields"), *r;
	int n = 0;

	memset(t, 0, sizeof(*t));
	cJSON_ArrayForEach(r, arr(exprs)) {
		if (parse_expr(r, t) < 0)
			return;
		n++;
	}
	cJSON_ArrayForEach(r, arr(fields)) {
		if (parse_field(r, t) < 0)
			return;
		n++;
	}
	t->valid = n > 0; /* an empty term matches nothing */
}

static void term_free(ds_term_t *t)
{
	k8c_label_selector_free(t->exprs);
	for (size_t i = 0; i < t->n_names; i++)
		free(t->names[i]);
	free(t->names);
	free(t->negate);
}

static int term_matches(const ds_term_t *t, const ds_node_t *node)
{
	if (!t->valid)
		return 0;
	if (t->exprs != NULL && !k8c_label_selector_matches(t->exprs, node->labels))
		return 0;
	for (size_t i = 0; i < t->n_names; i++)
		if ((strcmp(node->name, t->names[i]) == 0) == t->negate[i])
			return 0;
	return 1;
}

static int affinity_matches(const ds_sched_t *s, const ds_node_t *node)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, s->node_selector) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(node->labels, it->string);

		if (!cJSON_IsString(it) || !cJSON_IsString(v) ||
		    strcmp(v->valuestring, it->valuestring) != 0)
			return 0;
	}
	if (!s->has_required)
		return 1;
	for (size_t i = 0; i < s->n_terms; i++)
		if (term_matches(&s->terms[i], node))
			return 1;
	return 0;
}

/* --- taints and tolerations ----------------------------------------------- */

static const char *field(const cJSON *obj, const char *name)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(m) ? m->valuestring : "";
}

/* core/v1 Toleration.ToleratesTaint. */
static int toleration_tolerates(const cJSON *tol, const cJSON *taint)
{
	const char *effect = field(tol, "effect"), *key = field(tol, "key");
	const char *op = field(tol, "operator");

	if (!cJSON_IsObject(tol))
		return 0;
	if (effect[0] != '\0' && strcmp(effect, field(taint, "effect")) != 0)
		return 0;
	if (key[0] != '\0' && strcmp(key, field(taint, "key")) != 0)
		return 0;
	if (op[0] == '\0' || strcmp(op, "Equal") == 0)
		return strcmp(field(tol, "value"), field(taint, "value")) == 0;
	return strcmp(op, "Exists") == 0;
}

int ds_tolerates(const cJSON *tolerations, const cJSON *taint)
{
	const cJSON *t;

	cJSON_ArrayForEach(t, arr(tolerations))
		if (toleration_tolerates(t, taint))
			return 1;
	return 0;
}

/* An untolerated taint whose effect is NoExecute, or (no_schedule_too)
 * NoSchedule. */
static int untolerated(const cJSON *taints, const cJSON *tolerations, int no_schedule_too)
{
	const cJSON *t;

	cJSON_ArrayForEach(t, arr(taints)) {
		const char *effect = field(t, "effect");

		if (strcmp(effect, "NoExecute") != 0 &&
		    !(no_schedule_too && strcmp(effect, "NoSchedule") == 0))
			continue;
		if (!ds_tolerates(tolerations, t))
			return 1;
	}
	return 0;
}

/* v1helper.AddOrUpdateTolerationInPodSpec: an equal toleration (key,
 * operator, value, effect) is replaced by this one, else it is added. */
static void add_or_update(cJSON *spec, const char *key, const char *effect)
{
	cJSON *tols = cJSON_GetObjectItemCaseSensitive(spec, "tolerations"), *t, *tol;
	int updated = 0;

	if (!cJSON_IsArray(tols)) {
		cJSON_DeleteItemFromObjectCaseSensitive(spec, "tolerations");
		tols = cJSON_AddArrayToObject(spec, "tolerations");
	}
	tol = cJSON_CreateObject();
	cJSON_AddStringToObject(tol, "key", key);
	cJSON_AddStringToObject(tol, "operator", "Exists");
	cJSON_AddStringToObject(tol, "effect", effect);
	for (int i = 0; i < cJSON_GetArraySize(tols); i++) {
		t = cJSON_GetArrayItem(tols, i);
		if (strcmp(field(t, "key"), key) != 0 || strcmp(field(t, "operator"), "Exists") != 0 ||
		    field(t, "value")[0] != '\0' || strcmp(field(t, "effect"), effect) != 0)
			continue;
		if (cJSON_GetObjectItemCaseSensitive(t, "tolerationSeconds") == NULL) {
			cJSON_Delete(tol);
			return; /* already there as it should be */
		}
		cJSON_ReplaceItemInArray(tols, i, cJSON_Duplicate(tol, 1));
		updated = 1;
	}
	if (!updated)
		cJSON_AddItemToArray(tols, tol);
	else
		cJSON_Delete(tol);
}

/* util.AddOrUpdateDaemonPodTolerations. */
void ds_add_default_tolerations(cJSON *spec)
{
	add_or_update(spec, "node.kubernetes.io/not-ready", "NoExecute");
	add_or_update(spec, "node.kubernetes.io/unreachable", "NoExecute");
	add_or_update(spec, "node.kubernetes.io/disk-pressure", "NoSchedule");
	add_or_update(spec, "node.kubernetes.io/memory-pressure", "NoSchedule");
	add_or_update(spec, "node.kubernetes.io/pid-pressure", "NoSchedule");
	add_or_update(spec, "node.kubernetes.io/unschedulable", "NoSchedule");
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(spec, "hostNetwork")))
		add_or_update(spec, "node.kubernetes.io/network-unavailable", "NoSchedule");
}

/* --- the parsed template -------------------------------------------------- */

int ds_sched_parse(const cJSON *tmpl_spec, ds_sched_t *out, k8c_error_t *err)
{
	const cJSON *ns = k8c_jget(tmpl_spec, "nodeSelector");
	const cJSON *req = k8c_jget(tmpl_spec,
	                            "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution");
	const cJSON *terms, *t;
	const char *nn = k8c_jstr(tmpl_spec, "nodeName");
	cJSON *spec_copy;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(tmpl_spec))
		return k8c_error_make(err, K8C_EINVAL, "spec.template.spec: must be an object");
	if (nn != NULL && nn[0] != '\0')
		out->node_name = k8c_xstrdup(nn);
	if (cJSON_IsObject(ns))
		out->node_selector = cJSON_Duplicate(ns, 1);
	if (req != NULL && !cJSON_IsNull(req)) {
		out->has_required = 1;
		terms = k8c_jget(req, "nodeSelectorTerms");
		out->terms = k8c_xcalloc((size_t)cJSON_GetArraySize(terms) + 1, sizeof(ds_term_t));
		cJSON_ArrayForEach(t, arr(terms))
			parse_term(t, &out->terms[out->n_terms++]);
	}
	/* the tolerations the created pods will have */
	spec_copy = cJSON_CreateObject();
	t = cJSON_GetObjectItemCaseSensitive(tmpl_spec, "tolerations");
	if (cJSON_IsArray(t))
		cJSON_AddItemToObject(spec_copy, "tolerations", cJSON_Duplicate(t, 1));
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(tmpl_spec, "hostNetwork")))
		cJSON_AddTrueToObject(spec_copy, "hostNetwork");
	ds_add_default_tolerations(spec_copy);
	out->tolerations = cJSON_DetachItemFromObjectCaseSensitive(spec_copy, "tolerations");
	cJSON_Delete(spec_copy);
	return 0;
}

void ds_sched_free(ds_sched_t *s)
{
	if (s == NULL)
		return;
	free(s->node_name);
	cJSON_Delete(s->node_selector);
	for (size_t i = 0; i < s->n_terms; i++)
		term_free(&s->terms[i]);
	free(s->terms);
	cJSON_Delete(s->tolerations);
	memset(s, 0, sizeof(*s));
}

int ds_node_from_json(const cJSON *obj, ds_node_t *out)
{
	const cJSON *labels = k8c_jget(obj, "metadata.labels");
	const cJSON *taints = k8c_jget(obj, "spec.taints");

	out->name = k8c_jstr(obj, "metadata.name");
	out->labels = cJSON_IsObject(labels) ? labels : NULL;
	out->taints = cJSON_IsArray(taints) ? taints : NULL;
	return out->name != NULL;
}

void ds_node_should_run(const ds_sched_t *s, const ds_node_t *node,
                        int *should_run, int *should_continue)
{
	*should_run = *should_continue = 0;
	if (s->node_name != NULL && strcmp(s->node_name, node->name) != 0)
		return;
	if (!affinity_matches(s, node))
		return;
	if (untolerated(node->taints, s->tolerations, 1)) {
		/* scheduled daemon pods keep running if they tolerate the
		 * NoExecute taints */
		*should_continue = !untolerated(node->taints, s->tolerations, 0);
		return;
	}
	*should_run = *should_continue = 1;
}

/* --- the pod's node ------------------------------------------------------- */

/* util.ReplaceDaemonSetPodNodeNameNodeAffinity: the required terms become
 * the one term matchFields metadata.name In [node]; the rest of the
 * affinity stays. */
void ds_replace_node_affinity(cJSON *spec, const char *node)
{
	cJSON *aff = cJSON_GetObjectItemCaseSensitive(spec, "affinity");
	cJSON *na, *req, *terms, *term, *fields, *r, *vals;

	if (!cJSON_IsObject(aff)) {
		cJSON_DeleteItemFromObjectCaseSensitive(spec, "affinity");
		aff = cJSON_AddObjectToObject(spec, "affinity");
	}
	na = cJSON_GetObjectItemCaseSensitive(aff, "nodeAffinity");
	if (!cJSON_IsObject(na)) {
		cJSON_DeleteItemFromObjectCaseSensitive(aff, "nodeAffinity");
		na = cJSON_AddObjectToObject(aff, "nodeAffinity");
	}
	req = cJSON_GetObjectItemCaseSensitive(na, "requiredDuringSchedulingIgnoredDuringExecution");
	if (!cJSON_IsObject(req)) {
		cJSON_DeleteItemFromObjectCaseSensitive(na, "requiredDuringSchedulingIgnoredDuringExecution");
		req = cJSON_AddObjectToObject(na, "requiredDuringSchedulingIgnoredDuringExecution");
	}
	cJSON_DeleteItemFromObjectCaseSensitive(req, "nodeSelectorTerms");
	terms = cJSON_AddArrayToObject(req, "nodeSelectorTerms");
	term = cJSON_CreateObject();
	cJSON_AddItemToArray(terms, term);
	fields = cJSON_AddArrayToObject(term, "matchFields");
	r = cJSON_CreateObject();
	cJSON_AddItemToArray(fields, r);
	cJSON_AddStringToObject(r, "key", "metadata.name");
	cJSON_AddStringToObject(r, "operator", "In");
	vals = cJSON_AddArrayToObject(r, "values");
	cJSON_AddItemToArray(vals, cJSON_CreateString(node));
}

/* util.GetTargetNodeName: spec.nodeName, else the first required term's
 * matchFields metadata.name In with one value; NULL when neither. */
const char *ds_target_node(const cJSON *pod)
{
	const char *nn = k8c_jstr(pod, "spec.nodeName");
	const cJSON *terms, *term, *r, *vals;

	if (nn != NULL && nn[0] != '\0')
		return nn;
	terms = k8c_jget(pod, "spec.affinity.nodeAffinity."
	                      "requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms");
	cJSON_ArrayForEach(term, arr(terms)) {
		const cJSON *fields = k8c_jget(term, "matchFields");

		cJSON_ArrayForEach(r, arr(fields)) {
			const char *key = k8c_jstr(r, "key"), *op = k8c_jstr(r, "operator");

			if (key == NULL || op == NULL || strcmp(key, "metadata.name") != 0 ||
			    strcmp(op, "In") != 0)
				continue;
			vals = k8c_jget(r, "values");
			if (cJSON_GetArraySize(vals) != 1 ||
			    !cJSON_IsString(cJSON_GetArrayItem(vals, 0)))
				return NULL;
			return cJSON_GetArrayItem(vals, 0)->valuestring;
		}
	}
	return NULL;
}
