/* pod-topology-spread: constraints as kube-scheduler 1.32 reads them, the
 * node inclusion policies and the counting of matching pods.
 *
 * Malformed constraints (a maxSkew that is no positive integer, a missing
 * or invalid topologyKey, an unknown whenUnsatisfiable or inclusion
 * policy, a selector that does not parse, a repeated {topologyKey,
 * whenUnsatisfiable} pair, minDomains that is no positive integer or is
 * set on a ScheduleAnyway constraint) are errors that the caller turns into
 * an UNRESOLVABLE pod with the message: the API server's validation refuses
 * all of them, so only a pod that went around it gets here, and it could
 * never be scheduled as its author meant.  kube-scheduler reports the
 * selector errors as an internal error and uses the other values as they
 * are.  The other rules of that validation (matchLabelKeys only with a
 * labelSelector and not repeating its keys) are not checked: such pods
 * are handled as kube-scheduler handles them.
 *
 * The pod's required node affinity, used by nodeAffinityPolicy Honor, is
 * read as kube-scheduler reads it there: a term that does not parse is
 * left out (matches no node), without an error. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/mem.h"
#include "common/names.h"
#include "spread.h"

/* Member name of obj, with JSON null taken as absent; NULL when obj is no
 * object. */
static const cJSON *member(const cJSON *obj, const char *name)
{
	const cJSON *m;

	if (!cJSON_IsObject(obj))
		return NULL;
	m = cJSON_GetObjectItemCaseSensitive(obj, name);
	return cJSON_IsNull(m) ? NULL : m;
}

const char *label_value(const cJSON *labels, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(labels, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

const cJSON *node_labels(const k8c_sched_node_t *node)
{
	const cJSON *l = member(member(node->node, "metadata"), "labels");

	return cJSON_IsObject(l) ? l : NULL;
}

const char *pod_namespace(const cJSON *pod)
{
	const cJSON *ns = member(member(pod, "metadata"), "namespace");

	return cJSON_IsString(ns) ? ns->valuestring : "";
}

const cJSON *pod_labels(const cJSON *pod)
{
	const cJSON *l = member(member(pod, "metadata"), "labels");

	return cJSON_IsObject(l) ? l : NULL;
}

/* --- constraints ---------------------------------------------------------- */

void constraint_free(constraint_t *c)
{
	free(c->key);
	if (c->own_sel)
		k8c_label_selector_free(c->sel);
	memset(c, 0, sizeof(*c));
}

void clist_free(clist_t *l)
{
	for (size_t i = 0; i < l->n; i++)
		constraint_free(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* A JSON number that is an integer in int32's range. */
static int get_int32(const cJSON *m, int32_t *out)
{
	double d;

	if (!cJSON_IsNumber(m))
		return 0;
	d = m->valuedouble;
	if (!(d >= INT32_MIN && d <= INT32_MAX) || d != floor(d))
		return 0;
	*out = (int32_t)d;
	return 1;
}

/* nodeAffinityPolicy / nodeTaintsPolicy: *honor keeps its default when
 * the field is absent. */
static int parse_policy(const cJSON *js, const char *name, const char *path,
                        int *honor, k8c_error_t *err)
{
	const cJSON *m = member(js, name);

	if (m == NULL)
		return 0;
	if (cJSON_IsString(m) && strcmp(m->valuestring, "Honor") == 0)
		*honor = 1;
	else if (cJSON_IsString(m) && strcmp(m->valuestring, "Ignore") == 0)
		*honor = 0;
	else
		return k8c_error_make(err, K8C_EINVAL,
		                      "%s.%s: Unsupported value: \"%s\": supported "
		                      "values: \"Honor\", \"Ignore\"", path, name,
		                      cJSON_IsString(m) ? m->valuestring : "?");
	return 0;
}

/* The selector with the pod's values of matchLabelKeys merged in, as
 * kube-scheduler 1.32 does (mergeLabelSetWithSelector): each key the pod
 * has a label for adds key=value; keys it lacks are left out.  When the
 * constraint has no labelSelector (API validation refuses matchLabelKeys
 * then) the keys alone make the selector, as in Kubernetes. */
static int merge_match_label_keys(const cJSON *keys, const char *path,
                                  const cJSON *pod_labels, int template_,
                                  constraint_t *c, k8c_error_t *err)
{
	const cJSON *k;
	int i = 0;
	k8c_error_t inner;

	if (keys == NULL)
		return 0;
	if (!cJSON_IsArray(keys))
		return k8c_error_make(err, K8C_EINVAL,
		                      "%s.matchLabelKeys: must be an array of strings",
		                      path);
	cJSON_ArrayForEach(k, keys) {
		const char *v;

		if (!cJSON_IsString(k))
			return k8c_error_make(err, K8C_EINVAL,
			                      "%s.matchLabelKeys[%d]: must be a string",
			                      path, i);
		i++;
		/* Default constraints get the deduced selector instead. */
		if (template_)
			continue;
		v = label_value(pod_labels, k->valuestring);
		if (v == NULL)
			continue;
		if (k8c_label_selector_is_nothing(c->sel)) {
			k8c_label_selector_free(c->sel);
			c->sel = k8c_label_selector_new();
		}
		if (k8c_label_selector_add(c->sel, k->valuestring, K8C_SEL_EQUALS,
		                           &v, 1, &inner) < 0)
			return k8c_error_make(err, K8C_EINVAL,
			                      "%s.matchLabelKeys[%d]: %s", path, i - 1,
			                      inner.message);
	}
	return 0;
}

static int parse_when(const cJSON *js, const char *path, constraint_t *c,
                      k8c_error_t *err)
{
	const cJSON *m = member(js, "whenUnsatisfiable");
	const char *s = cJSON_IsString(m) ? m->valuestring : "";

	if (strcmp(s, "DoNotSchedule") == 0)
		c->when = WHEN_DO_NOT_SCHEDULE;
	else if (strcmp(s, "ScheduleAnyway") == 0)
		c->when = WHEN_SCHEDULE_ANYWAY;
	else
		return k8c_error_make(err, K8C_EINVAL,
		                      "%s.whenUnsatisfiable: Unsupported value: \"%s\": "
		                      "supported values: \"DoNotSchedule\", "
		                      "\"ScheduleAnyway\"", path, s);
	return 0;
}

static int parse_numbers(const cJSON *js, const char *path, constraint_t *c,
                         k8c_error_t *err)
{
	const cJSON *m = member(js, "maxSkew");

	if (m == NULL || !get_int32(m, &c->max_skew))
		return k8c_error_make(err, K8C_EINVAL,
		                      "%s.maxSkew: Invalid value: must be an integer "
		                      "greater than zero", path);
	if (c->max_skew <= 0)
		return k8c_error_make(err, K8C_EINVAL,
		                      "%s.maxSkew: Invalid value: %d: must be greater "
		                      "than zero", path, (int)c->max_skew);
	c->min_domains = 1; /* kube-scheduler: nil minDomains is 1 */
	m = member(js, "minDomains");
	if (m == NULL)
		return 0;
	if (!get_int32(m, &c->min_domains) || c->min_domains <= 0)
		return k8c_error_make(err, K8C_EINVAL,
		                      "%s.minDomains: Invalid value: must be greater "
		                      "than zero", path);
	if (c->when != WHEN_DO_NOT_SCHEDULE)
		return k8c_error_make(err, K8C_EINVAL,
		                      "%s.minDomains: Invalid value: %d: can only use "
		                      "minDomains if whenUnsatisfiable=DoNotSchedule, "
		                      "not ScheduleAnyway", path, (int)c->min_domains);
	return 0;
}

int constraint_parse(const cJSON *js, const char *path, int template_,
                     const cJSON *pod_labels, constraint_t *c,
                     k8c_error_t *err)
{
	const cJSON *key, *sel;
	char msg[K8C_NAME_MSG_MAX];
	k8c_error_t inner;
	int ret;

	memset(c, 0, sizeof(*c));
	c->affinity_honor = 1; /* nil nodeAffinityPolicy is Honor */
	if (!cJSON_IsObject(js))
		return k8c_error_make(err, K8C_EINVAL, "%s: must be an object", path);
	key = member(js, "topologyKey");
	if (key != NULL && !cJSON_IsString(key))
		return k8c_error_make(err, K8C_EINVAL,
		                      "%s.topologyKey: must be a string", path);
	if (key == NULL || key->valuestring[0] == '\0')
		return k8c_error_make(err, K8C_EINVAL,
		                      "%s.topologyKey: Required value: can not be empty",
		                      path);
	if (!k8c_is_qualified_name(key->valuestring, msg, sizeof(msg)))
		return k8c_error_make(err, K8C_EINVAL,
		                      "%s.topologyKey: Invalid value: \"%s\": %s", path,
		                      key->valuestring, msg);
	c->key = k8c_xstrdup(key->valuestring);
	c->is_hostname = strcmp(c->key, LABEL_HOSTNAME) == 0;
	ret = parse_when(js, path, c, err);
	if (ret >= 0)
		ret = parse_numbers(js, path, c, err);
	if (ret >= 0)
		ret = parse_policy(js, "nodeAffinityPolicy", path, &c->affinity_honor,
		                   err);
	if (ret >= 0)
		ret = parse_policy(js, "nodeTaintsPolicy", path, &c->taints_honor, err);
	if (ret < 0)
		return ret;
	sel = member(js, "labelSelector");
	if (template_ && sel != NULL)
		return k8c_error_make(err, K8C_EINVAL,
		                      "%s.labelSelector: Forbidden: constraint must not "
		                      "define a selector, as they deduced for each pod",
		                      path);
	if (!template_) {
		/* metav1.LabelSelectorAsSelector: absent matches nothing. */
		if (k8c_label_selector_from_json(sel, &c->sel, &inner) < 0)
			return k8c_error_make(err, K8C_EINVAL,
			                      "%s.labelSelector: %s", path, inner.message);
		c->own_sel = 1;
	}
	return merge_match_label_keys(member(js, "matchLabelKeys"), path,
	                              pod_labels, template_, c, err);
}

int clist_add_unique(clist_t *l, constraint_t *c, const char *path,
                     k8c_error_t *err)
{
	for (size_t i = 0; i < l->n; i++) {
		int ret;

		if (l->v[i].when != c->when || strcmp(l->v[i].key, c->key) != 0)
			continue;
		ret = k8c_error_make(err, K8C_EINVAL,
		                     "%s: Duplicate value: \"{%s, %s}\"", path, c->key,
		                     c->when == WHEN_DO_NOT_SCHEDULE ? "DoNotSchedule"
		                                                     : "ScheduleAnyway");
		constraint_free(c);
		return ret;
	}
	l->v = k8c_xrealloc(l->v, (l->n + 1) * sizeof(constraint_t));
	l->v[l->n++] = *c;
	memset(c, 0, sizeof(*c));
	return 0;
}

int pod_constraints_parse(const cJSON *pod, clist_t *hard, clist_t *soft,
                          size_t *n_own, k8c_error_t *err)
{
	const cJSON *spec = member(pod, "spec"), *list, *it;
	const cJSON *labels = pod_labels(pod);
	char path[SPREAD_PATH_MAX];
	size_t i = 0;
	int ret = 0;

	*n_own = 0;
	if (spec != NULL && !cJSON_IsObject(spec))
		return k8c_error_make(err, K8C_EINVAL, "spec: must be an object");
	list = member(spec, "topologySpreadConstraints");
	if (list == NULL)
		return 0;
	if (!cJSON_IsArray(list))
		return k8c_error_make(err, K8C_EINVAL,
		                      "spec.topologySpreadConstraints: must be an array");
	cJSON_ArrayForEach(it, list) {
		constraint_t c;

		snprintf(path, sizeof(path), "spec.topologySpreadConstraints[%zu]", i++);
		ret = constraint_parse(it, path, 0, labels, &c, err);
		if (ret < 0) {
			constraint_free(&c);
			break;
		}
		ret = clist_add_unique(c.when == WHEN_DO_NOT_SCHEDULE ? hard : soft,
		                       &c, path, err);
		if (ret < 0)
			break;
	}
	if (ret < 0) {
		clist_free(hard);
		clist_free(soft);
		return ret;
	}
	*n_own = i;
	return 0;
}

/* --- the pod's required node affinity ------------------------------------ */

static int selector_op(const char *s)
{
	static const struct { const char *name; int op; } ops[] = {
		{"In", K8C_SEL_IN}, {"NotIn", K8C_SEL_NOT_IN},
		{"Exists", K8C_SEL_EXISTS}, {"DoesNotExist", K8C_SEL_DOES_NOT_EXIST},
		{"Gt", K8C_SEL_GREATER_THAN}, {"Lt", K8C_SEL_LESS_THAN},
	};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(s, ops[i].name) == 0)
			return ops[i].op;
	return 0;
}

static void aff_term_free(aff_term_t *t)
{
	k8c_label_selector_free(t->exprs);
	for (size_t i = 0; i < t->n_names; i++)
		free(t->names[i].name);
	free(t->names);
	memset(t, 0, sizeof(*t));
}

/* One NodeSelectorRequirement into t; 0 when it does not parse. */
static int parse_requirement(const cJSON *req, int fields, aff_term_t *t)
{
	const cJSON *key = member(req, "key"), *op = member(req, "operator");
	const cJSON *values = member(req, "values"), *v;
	_cleanup_free_ const char **vals = NULL;
	size_t n = 0;
	k8c_error_t err;
	int code;

	if (!cJSON_IsString(key) || !cJSON_IsString(op) ||
	    (values != NULL && !cJSON_IsArray(values)))
		return 0;
	vals = k8c_xcalloc((size_t)cJSON_GetArraySize(values) + 1, sizeof(char *));
	cJSON_ArrayForEach(v, values) {
		if (!cJSON_IsString(v))
			return 0;
		vals[n++] = v->valuestring;
	}
	if (fields) {
		/* Only metadata.name with In/NotIn and one value parses. */
		if (strcmp(key->valuestring, "metadata.name") != 0 || n != 1 ||
		    (strcmp(op->valuestring, "In") != 0 &&
		     strcmp(op->valuestring, "NotIn") != 0))
			return 0;
		t->names = k8c_xrealloc(t->names, (t->n_names + 1) * sizeof(name_req_t));
		t->names[t->n_names].negate = strcmp(op->valuestring, "NotIn") == 0;
		t->names[t->n_names++].name = k8c_xstrdup(vals[0]);
		return 1;
	}
	code = selector_op(op->valuestring);
	if (code == 0)
		return 0;
	if (t->exprs == NULL)
		t->exprs = k8c_label_selector_new();
	return k8c_label_selector_add(t->exprs, key->valuestring, code, vals, n,
	                              &err) >= 0;
}

/* A NodeSelectorTerm; 0 when it is empty or does not parse (it then
 * matches nothing). */
static int parse_term(const cJSON *js, aff_term_t *t)
{
	static const char *const lists[] = {"matchExpressions", "matchFields"};
	int n = 0;

	memset(t, 0, sizeof(*t));
	for (int f = 0; f < 2; f++) {
		const cJSON *list = member(js, lists[f]), *req;

		if (list != NULL && !cJSON_IsArray(list))
			return 0;
		cJSON_ArrayForEach(req, list) {
			if (!parse_requirement(req, f, t))
				return 0;
			n++;
		}
	}
	return n > 0;
}

void node_req_parse(const cJSON *pod, node_req_t *out)
{
	const cJSON *spec = member(pod, "spec"), *ns, *req, *terms, *it;

	memset(out, 0, sizeof(*out));
	ns = member(spec, "nodeSelector");
	if (cJSON_IsObject(ns) && ns->child != NULL)
		out->node_selector = ns;
	req = member(member(member(spec, "affinity"), "nodeAffinity"),
	             "requiredDuringSchedulingIgnoredDuringExecution");
	if (req == NULL)
		return;
	out->has_terms = 1;
	terms = member(req, "nodeSelectorTerms");
	if (!cJSON_IsArray(terms))
		return;
	out->terms = k8c_xcalloc((size_t)cJSON_GetArraySize(terms) + 1,
	                         sizeof(aff_term_t));
	cJSON_ArrayForEach(it, terms) {
		aff_term_t *t = &out->terms[out->n_terms];

		if (parse_term(it, t))
			out->n_terms++;
		else
			aff_term_free(t);
	}
}

void node_req_free(node_req_t *r)
{
	for (size_t i = 0; i < r->n_terms; i++)
		aff_term_free(&r->terms[i]);
	free(r->terms);
	memset(r, 0, sizeof(*r));
}

int node_req_empty(const node_req_t *r)
{
	return r->node_selector == NULL && !r->has_terms;
}

static const char *node_name(const k8c_sched_node_t *node)
{
	const cJSON *name;

	if (node->name != NULL)
		return node->name;
	name = member(member(node->node, "metadata"), "name");
	return cJSON_IsString(name) ? name->valuestring : "";
}

static int term_matches(const aff_term_t *t, const cJSON *labels,
                        const char *name)
{
	if (t->exprs != NULL && !k8c_label_selector_matches(t->exprs, labels))
		return 0;
	/* As Kubernetes: a node without a name has no fields to check. */
	if (name[0] == '\0')
		return 1;
	for (size_t i = 0; i < t->n_names; i++)
		if ((strcmp(name, t->names[i].name) == 0) == t->names[i].negate)
			return 0;
	return 1;
}

int node_req_matches(const node_req_t *r, const k8c_sched_node_t *node)
{
	const cJSON *labels = node_labels(node), *it;

	cJSON_ArrayForEach(it, r->node_selector) {
		const char *v = label_value(labels, it->string);

		if (!cJSON_IsString(it) || v == NULL || strcmp(v, it->valuestring) != 0)
			return 0;
	}
	if (!r->has_terms)
		return 1;
	for (size_t i = 0; i < r->n_terms; i++)
		if (term_matches(&r->terms[i], labels, node_name(node)))
			return 1;
	return 0;
}

/* --- taints ------------------------------------------------------------------ */

/* A string member ("" when absent); 0 when present with another type. */
static int str_field(const cJSON *obj, const char *name, const char **out)
{
	const cJSON *m = member(obj, name);

	*out = "";
	if (m == NULL)
		return 1;
	if (!cJSON_IsString(m))
		return 0;
	*out = m->valuestring;
	return 1;
}

/* core/v1 Toleration.ToleratesTaint; a malformed toleration tolerates
 * nothing (as in the taint-toleration policy). */
static int tolerates(const cJSON *tol, const char *key, const char *value,
                     const char *effect)
{
	const char *tkey, *tval, *teff, *top;

	if (!cJSON_IsObject(tol) || !str_field(tol, "key", &tkey) ||
	    !str_field(tol, "value", &tval) || !str_field(tol, "effect", &teff) ||
	    !str_field(tol, "operator", &top))
		return 0;
	if (teff[0] != '\0' && strcmp(teff, effect) != 0)
		return 0;
	if (tkey[0] != '\0' && strcmp(tkey, key) != 0)
		return 0;
	if (top[0] == '\0' || strcmp(top, "Equal") == 0)
		return strcmp(tval, value) == 0;
	return strcmp(top, "Exists") == 0;
}

int node_has_untolerated_taint(const cJSON *tolerations,
                               const k8c_sched_node_t *node)
{
	const cJSON *taints = member(member(node->node, "spec"), "taints"), *t;

	if (!cJSON_IsArray(taints))
		return 0;
	cJSON_ArrayForEach(t, taints) {
		const char *key, *value, *effect;
		const cJSON *tol;
		int ok = 0;

		/* A malformed taint restricts nothing. */
		if (!cJSON_IsObject(t) || !str_field(t, "key", &key) ||
		    !str_field(t, "value", &value) || !str_field(t, "effect", &effect))
			continue;
		if (strcmp(effect, "NoSchedule") != 0 &&
		    strcmp(effect, "NoExecute") != 0)
			continue;
		if (cJSON_IsArray(tolerations))
			cJSON_ArrayForEach(tol, tolerations)
				if ((ok = tolerates(tol, key, value, effect)))
					break;
		if (!ok)
			return 1;
	}
	return 0;
}

/* --- counting -------------------------------------------------------------- */

/* The members of a pod's metadata that counting needs, in one pass. */
static const cJSON *pod_meta(const cJSON *pod, const char **ns, int *deleting)
{
	const cJSON *meta = NULL, *it, *labels = NULL;

	for (it = cJSON_IsObject(pod) ? pod->child : NULL; it; it = it->next)
		if (it->string != NULL && strcmp(it->string, "metadata") == 0) {
			meta = it;
			break;
		}
	*ns = "";
	*deleting = 0;
	for (it = cJSON_IsObject(meta) ? meta->child : NULL; it; it = it->next) {
		const char *k = it->string;

		if (k == NULL)
			continue;
		if (k[0] == 'n' && strcmp(k, "namespace") == 0)
			*ns = cJSON_IsString(it) ? it->valuestring : "";
		else if (k[0] == 'l' && strcmp(k, "labels") == 0)
			labels = cJSON_IsObject(it) ? it : NULL;
		else if (k[0] == 'd' && strcmp(k, "deletionTimestamp") == 0)
			*deleting = !cJSON_IsNull(it);
	}
	return labels;
}

void count_matching_pods(const k8c_sched_node_t *node, const char *ns,
                         const constraint_t *cs, size_t n,
                         const unsigned char *want, int64_t *counts)
{
	for (size_t i = 0; i < n; i++)
		counts[i] = 0;
	for (size_t p = 0; p < node->n_pods; p++) {
		const char *pns;
		int deleting;
		const cJSON *labels = pod_meta(node->pods[p], &pns, &deleting);

		/* Terminating pods do not count (kubernetes#87621), nor pods
		 * of other namespaces. */
		if (deleting || strcmp(pns, ns) != 0)
			continue;
		for (size_t i = 0; i < n; i++)
			if ((want == NULL || want[i]) &&
			    k8c_label_selector_matches(cs[i].sel, labels))
				counts[i]++;
	}
}

/* --- PodTopologySpreadArgs.defaultConstraints ------------------------------ */

static void add_system_default(clist_t *l, const char *key, int32_t max_skew)
{
	constraint_t c = {
		.max_skew = max_skew, .min_domains = 1,
		.when = WHEN_SCHEDULE_ANYWAY, .affinity_honor = 1,
		.is_hostname = strcmp(key, LABEL_HOSTNAME) == 0,
		.key = k8c_xstrdup(key),
	};

	l->v = k8c_xrealloc(l->v, (l->n + 1) * sizeof(constraint_t));
	l->v[l->n++] = c;
}

int defaults_parse(const cJSON *list, int system, clist_t *out,
                   k8c_error_t *err)
{
	char path[SPREAD_PATH_MAX];
	const cJSON *it;
	int i = 0, ret;

	if (list != NULL && !cJSON_IsArray(list))
		return k8c_error_make(err, K8C_EINVAL,
		                      "defaultConstraints: must be an array");
	cJSON_ArrayForEach(it, list) {
		constraint_t c;

		snprintf(path, sizeof(path), "defaultConstraints[%d]", i++);
		ret = constraint_parse(it, path, 1, NULL, &c, err);
		if (ret < 0) {
			constraint_free(&c);
			return ret;
		}
		ret = clist_add_unique(out, &c, path, err);
		if (ret < 0)
			return ret;
	}
	/* ValidatePodTopologySpreadArgs */
	if (system && out->n > 0)
		return k8c_error_make(err, K8C_EINVAL,
		                      "defaultingType: Invalid value: \"System\": when "
		                      ".defaultConstraints are not empty");
	if (system) {
		/* kube-scheduler's systemDefaultConstraints */
		add_system_default(out, LABEL_HOSTNAME, 3);
		add_system_default(out, LABEL_ZONE, 5);
	}
	return 0;
}
