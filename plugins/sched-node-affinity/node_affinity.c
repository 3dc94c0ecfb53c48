/* Scheduler policy "node-affinity": kube-scheduler's NodeAffinity plugin.
 *
 *   pre_filter       parse spec.nodeSelector and spec.affinity.nodeAffinity
 *                    into the cycle state; SKIP when there is nothing to
 *                    check; UNRESOLVABLE when the affinity is malformed or
 *                    its metadata.name pins cannot all hold
 *   filter           the node must match the plugin's addedAffinity, the
 *                    pod's nodeSelector and one of its required terms
 *   pre_score/score  sum of the weights of the preferred terms the node
 *                    matches (the pod's and addedAffinity's)
 *   normalize_score  scale so that the best node gets 100
 *
 * Config: {"addedAffinity": <NodeAffinity>}, applied to every pod as in
 * kube-scheduler's NodeAffinityArgs.
 *
 * Departure from kube-scheduler: a pod whose affinity does not parse (an
 * unknown operator, Gt with a non-integer, a bad key...) is UNRESOLVABLE
 * with the reason, where kube-scheduler silently never matches the term;
 * the API server normally refuses such pods before they get here. */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/scheduler.h>

#include "common/mem.h"
#include "common/selector.h"

#define REASON_POD "node(s) didn't match Pod's node affinity/selector"
#define REASON_ENFORCED "node(s) didn't match scheduler-enforced node affinity"
#define REASON_CONFLICT "pod affinity terms conflict"

#define PATH_MAX_LEN 320
#define WEIGHT_MIN 1
#define WEIGHT_MAX 100

/* A matchFields requirement: metadata.name In / NotIn one name. */
typedef struct name_req {
	int negate;
	char *name;
} name_req_t;

/* One NodeSelectorTerm: its requirements are ANDed. */
typedef struct term {
	k8c_label_selector_t *exprs; /* NULL when there are no matchExpressions */
	size_t n_names;
	name_req_t *names;
	int64_t weight;              /* preferred terms only */
} term_t;

typedef struct terms {
	size_t n;
	term_t *v;
} terms_t;

/* A parsed NodeAffinity. */
typedef struct affinity {
	int has_required;   /* requiredDuring... given: one term must match */
	terms_t required;   /* empty terms left out: they match nothing */
	terms_t preferred;
	int names_conflict; /* each required term pins metadata.name to a set,
	                       and all those sets are empty */
} affinity_t;

/* The cycle state: the pod's parsed constraints. */
typedef struct pod_state {
	int has_node_selector; /* spec.nodeSelector given, even empty */
	size_t n_sel;
	char **sel_keys, **sel_values;
	affinity_t aff;
} pod_state_t;

/* The cookie. */
typedef struct instance {
	const k8c_host_t *host; /* borrowed until fini */
	int has_added_required;
	affinity_t added;
} instance_t;

#define LOG(inst, level, ...)                                               \
	do {                                                                \
		if ((inst)->host != NULL && (inst)->host->log != NULL)      \
			(inst)->host->log((inst)->host->ctx, level, __VA_ARGS__); \
	} while (0)

/* --- freeing -------------------------------------------------------------- */

static void term_free(term_t *t)
{
	k8c_label_selector_free(t->exprs);
	for (size_t i = 0; i < t->n_names; i++)
		free(t->names[i].name);
	free(t->names);
}

static void terms_free(terms_t *ts)
{
	for (size_t i = 0; i < ts->n; i++)
		term_free(&ts->v[i]);
	free(ts->v);
	memset(ts, 0, sizeof(*ts));
}

static void affinity_free(affinity_t *a)
{
	terms_free(&a->required);
	terms_free(&a->preferred);
}

static void pod_state_free(pod_state_t *st)
{
	if (st == NULL)
		return;
	for (size_t i = 0; i < st->n_sel; i++) {
		free(st->sel_keys[i]);
		free(st->sel_values[i]);
	}
	free(st->sel_keys);
	free(st->sel_values);
	affinity_free(&st->aff);
	free(st);
}

/* --- parsing -------------------------------------------------------------- */

/* Print a field path into a PATH_MAX_LEN buffer; a path too long is cut
 * (it only ever ends up in a message). */
__attribute__((format(printf, 2, 3)))
static void fmt_path(char p[PATH_MAX_LEN], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p, PATH_MAX_LEN, fmt, ap);
	va_end(ap);
}

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

static term_t *terms_add(terms_t *ts)
{
	ts->v = k8c_xrealloc(ts->v, (ts->n + 1) * sizeof(term_t));
	memset(&ts->v[ts->n], 0, sizeof(term_t));
	return &ts->v[ts->n++];
}

static int label_op(const char *s)
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

/* One NodeSelectorRequirement of matchExpressions (fields == 0) or
 * matchFields (fields == 1), added to t. */
static int parse_requirement(const cJSON *req, const char *path, int fields,
                             term_t *t, k8c_error_t *err)
{
	const cJSON *key, *op, *values, *v;
	_cleanup_free_ const char **vals = NULL;
	const char *k, *o;
	size_t n = 0;
	k8c_error_t inner;
	int code;

	if (!cJSON_IsObject(req))
		return k8c_error_make(err, K8C_EINVAL, "%s: must be an object", path);
	key = member(req, "key");
	op = member(req, "operator");
	values = member(req, "values");
	if ((key != NULL && !cJSON_IsString(key)) ||
	    (op != NULL && !cJSON_IsString(op)))
		return k8c_error_make(err, K8C_EINVAL,
		                      "%s: key and operator must be strings", path);
	if (values != NULL && !cJSON_IsArray(values))
		return k8c_error_make(err, K8C_EINVAL,
		                      "%s.values: must be an array of strings", path);
	k = key != NULL ? key->valuestring : "";
	o = op != NULL ? op->valuestring : "";
	vals = k8c_xcalloc((size_t)cJSON_GetArraySize(values) + 1, sizeof(char *));
	cJSON_ArrayForEach(v, values) {
		if (!cJSON_IsString(v))
			return k8c_error_make(err, K8C_EINVAL,
			                      "%s.values[%zu]: must be a string", path, n);
		vals[n++] = v->valuestring;
	}

	if (fields) {
		name_req_t *nr;

		if (strcmp(k, "metadata.name") != 0)
			return k8c_error_make(err, K8C_EINVAL,
			                      "%s.key: Unsupported value: \"%s\": "
			                      "supported values: \"metadata.name\"",
			                      path, k);
		if (strcmp(o, "In") != 0 && strcmp(o, "NotIn") != 0)
			return k8c_error_make(err, K8C_EINVAL,
			                      "%s.operator: Unsupported value: \"%s\": "
			                      "supported values: \"In\", \"NotIn\"",
			                      path, o);
		if (n != 1)
			return k8c_error_make(err, K8C_EINVAL,
			                      "%s.values: Invalid value: %zu values: must "
			                      "have one element", path, n);
		t->names = k8c_xrealloc(t->names,
		                        (t->n_names + 1) * sizeof(name_req_t));
		nr = &t->names[t->n_names++];
		nr->negate = strcmp(o, "NotIn") == 0;
		nr->name = k8c_xstrdup(vals[0]);
		return 0;
	}

	code = label_op(o);
	if (code == 0)
		return k8c_error_make(err, K8C_EINVAL,
		                      "%s.operator: Unsupported value: \"%s\": "
		                      "supported values: \"In\", \"NotIn\", "
		                      "\"Exists\", \"DoesNotExist\", \"Gt\", \"Lt\"",
		                      path, o);
	if (t->exprs == NULL)
		t->exprs = k8c_label_selector_new();
	if (k8c_label_selector_add(t->exprs, k, code, vals, n, &inner) < 0)
		return k8c_error_make(err, K8C_EINVAL, "%s.%s", path, inner.message);
	return 0;
}

/* The requirements of matchExpressions or matchFields; *count gets their
 * number. */
static int parse_requirements(const cJSON *term, const char *name,
                              const char *path, int fields, term_t *t,
                              int *count, k8c_error_t *err)
{
	const cJSON *list = member(term, name), *req;
	char p[PATH_MAX_LEN];
	int i = 0, ret;

	*count = 0;
	if (list == NULL)
		return 0;
	if (!cJSON_IsArray(list))
		return k8c_error_make(err, K8C_EINVAL, "%s.%s: must be an array",
		                      path, name);
	cJSON_ArrayForEach(req, list) {
		fmt_path(p, "%s.%s[%d]", path, name, i++);
		ret = parse_requirement(req, p, fields, t, err);
		if (ret < 0)
			return ret;
	}
	*count = i;
	return 0;
}

/* A NodeSelectorTerm into a new entry of ts, unless it is empty (it then
 * matches nothing and is left out: *empty is set). */
static int parse_term(const cJSON *js, const char *path, terms_t *ts,
                      int64_t weight, int *empty, k8c_error_t *err)
{
	term_t t = {0};
	int n_exprs = 0, n_fields = 0, ret;

	*empty = 1;
	if (js == NULL || cJSON_IsNull(js))
		return 0; /* a null term is an empty one */
	if (!cJSON_IsObject(js))
		return k8c_error_make(err, K8C_EINVAL, "%s: must be an object", path);
	ret = parse_requirements(js, "matchExpressions", path, 0, &t, &n_exprs,
	                         err);
	if (ret >= 0)
		ret = parse_requirements(js, "matchFields", path, 1, &t, &n_fields,
		                         err);
	if (ret < 0 || n_exprs + n_fields == 0) {
		term_free(&t);
		return ret;
	}
	*empty = 0;
	t.weight = weight;
	*terms_add(ts) = t;
	return 0;
}

/* In-name pins of a raw required term: 0 when it has none, 1 when they
 * agree on one name, -1 when they cannot all hold. */
static int term_pins(const term_t *t)
{
	const char *pinned = NULL;

	for (size_t i = 0; i < t->n_names; i++) {
		if (t->names[i].negate)
			continue;
		if (pinned != NULL && strcmp(pinned, t->names[i].name) != 0)
			return -1;
		pinned = t->names[i].name;
	}
	return pinned != NULL ? 1 : 0;
}

/* A NodeSelector {nodeSelectorTerms: [...]}: the terms are ORed. */
static int parse_node_selector(const cJSON *js, const char *path,
                               int require_terms, affinity_t *a,
                               k8c_error_t *err)
{
	const cJSON *list, *it;
	char p[PATH_MAX_LEN];
	int i = 0, unpinned = 0, satisfiable = 0, empty, ret;

	if (!cJSON_IsObject(js))
		return k8c_error_make(err, K8C_EINVAL, "%s: must be an object", path);
	list = member(js, "nodeSelectorTerms");
	if (list != NULL && !cJSON_IsArray(list))
		return k8c_error_make(err, K8C_EINVAL,
		                      "%s.nodeSelectorTerms: must be an array", path);
	if (require_terms && cJSON_GetArraySize(list) == 0)
		return k8c_error_make(err, K8C_EINVAL,
		                      "%s.nodeSelectorTerms: Required value: must have "
		                      "at least one node selector term", path);
	cJSON_ArrayForEach(it, list) {
		fmt_path(p, "%s.nodeSelectorTerms[%d]", path, i++);
		ret = parse_term(it, p, &a->required, 0, &empty, err);
		if (ret < 0)
			return ret;
		if (empty) {
			unpinned = 1;
			continue;
		}
		switch (term_pins(&a->required.v[a->required.n - 1])) {
		case 0: unpinned = 1; break;
		case 1: satisfiable = 1; break;
		}
	}
	/* kube-scheduler's PreFilter: when every term pins metadata.name and
	 * no name satisfies any term, no node can match. */
	a->names_conflict = i > 0 && !unpinned && !satisfiable;
	a->has_required = 1;
	return 0;
}

static int parse_preferred(const cJSON *list, const char *path, affinity_t *a,
                           k8c_error_t *err)
{
	const cJSON *it, *w;
	char p[PATH_MAX_LEN];
	int i = 0, empty, ret;

	if (list == NULL)
		return 0;
	if (!cJSON_IsArray(list))
		return k8c_error_make(err, K8C_EINVAL, "%s: must be an array", path);
	cJSON_ArrayForEach(it, list) {
		fmt_path(p, "%s[%d]", path, i++);
		if (!cJSON_IsObject(it))
			return k8c_error_make(err, K8C_EINVAL, "%s: must be an object", p);
		w = member(it, "weight");
		if (!cJSON_IsNumber(w) || !(w->valuedouble >= WEIGHT_MIN &&
		                             w->valuedouble <= WEIGHT_MAX) ||
		    w->valuedouble != (double)(int64_t)w->valuedouble)
			return k8c_error_make(err, K8C_EINVAL,
			                      "%s.weight: Invalid value: must be an integer "
			                      "in the range 1-100", p);
		fmt_path(p, "%s[%d].preference", path, i - 1);
		ret = parse_term(member(it, "preference"), p, &a->preferred,
		                 (int64_t)w->valuedouble, &empty, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* A NodeAffinity object (NULL: none). */
static int parse_affinity(const cJSON *js, const char *path, int added,
                          affinity_t *a, k8c_error_t *err)
{
	char p[PATH_MAX_LEN];
	const cJSON *req;
	int ret;

	if (js == NULL)
		return 0;
	if (!cJSON_IsObject(js))
		return k8c_error_make(err, K8C_EINVAL, "%s: must be an object", path);
	req = member(js, "requiredDuringSchedulingIgnoredDuringExecution");
	if (req != NULL) {
		fmt_path(p, "%s.requiredDuringSchedulingIgnoredDuringExecution", path);
		ret = parse_node_selector(req, p, added, a, err);
		if (ret < 0)
			return ret;
	}
	fmt_path(p, "%s.preferredDuringSchedulingIgnoredDuringExecution",
	         path);
	return parse_preferred(
		member(js, "preferredDuringSchedulingIgnoredDuringExecution"), p, a,
		err);
}

static int parse_node_selector_map(const cJSON *ns, pod_state_t *st,
                                   k8c_error_t *err)
{
	const cJSON *it;
	size_t n;

	if (ns == NULL)
		return 0;
	if (!cJSON_IsObject(ns))
		return k8c_error_make(err, K8C_EINVAL,
		                      "spec.nodeSelector: must be an object of strings");
	st->has_node_selector = 1;
	n = (size_t)cJSON_GetArraySize(ns);
	st->sel_keys = k8c_xcalloc(n + 1, sizeof(char *));
	st->sel_values = k8c_xcalloc(n + 1, sizeof(char *));
	cJSON_ArrayForEach(it, ns) {
		if (!cJSON_IsString(it))
			return k8c_error_make(err, K8C_EINVAL,
			                      "spec.nodeSelector[%s]: must be a string",
			                      it->string);
		st->sel_keys[st->n_sel] = k8c_xstrdup(it->string);
		st->sel_values[st->n_sel++] = k8c_xstrdup(it->valuestring);
	}
	return 0;
}

/* The pod's constraints; *out owned by the caller (pod_state_free). */
static int parse_pod(const cJSON *pod, pod_state_t **out, k8c_error_t *err)
{
	pod_state_t *st = k8c_xcalloc(1, sizeof(*st));
	const cJSON *spec = member(pod, "spec"), *aff = NULL;
	int ret = 0;

	*out = NULL;
	if (spec != NULL && !cJSON_IsObject(spec))
		ret = k8c_error_make(err, K8C_EINVAL, "spec: must be an object");
	if (ret >= 0)
		ret = parse_node_selector_map(member(spec, "nodeSelector"), st, err);
	if (ret >= 0) {
		aff = member(spec, "affinity");
		if (aff != NULL && !cJSON_IsObject(aff))
			ret = k8c_error_make(err, K8C_EINVAL,
			                     "spec.affinity: must be an object");
	}
	if (ret >= 0)
		ret = parse_affinity(member(aff, "nodeAffinity"),
		                     "spec.affinity.nodeAffinity", 0, &st->aff, err);
	if (ret < 0) {
		pod_state_free(st);
		return ret;
	}
	*out = st;
	return 0;
}

/* --- matching ------------------------------------------------------------- */

static const cJSON *node_labels(const instance_t *inst, const k8c_sched_node_t *node)
{
	/* since ABI 1.4 the host has looked them up */
	const cJSON *labels = inst->host->abi_minor >= 4 ? node->labels
	                                                 : member(member(node->node, "metadata"), "labels");

	return cJSON_IsObject(labels) ? labels : NULL;
}

static const char *node_name(const k8c_sched_node_t *node)
{
	const cJSON *name;

	if (node->name != NULL)
		return node->name;
	name = member(member(node->node, "metadata"), "name");
	return cJSON_IsString(name) ? name->valuestring : "";
}

static int term_matches(const term_t *t, const cJSON *labels, const char *name)
{
	if (t->exprs != NULL && !k8c_label_selector_matches(t->exprs, labels))
		return 0;
	/* As kube-scheduler: a node without a name has no fields to check. */
	if (name[0] == '\0')
		return 1;
	for (size_t i = 0; i < t->n_names; i++)
		if ((strcmp(name, t->names[i].name) == 0) == t->names[i].negate)
			return 0;
	return 1;
}

static int terms_any(const terms_t *ts, const cJSON *labels, const char *name)
{
	for (size_t i = 0; i < ts->n; i++)
		if (term_matches(&ts->v[i], labels, name))
			return 1;
	return 0;
}

static int64_t terms_score(const terms_t *ts, const cJSON *labels,
                           const char *name)
{
	int64_t sum = 0;

	for (size_t i = 0; i < ts->n; i++)
		if (term_matches(&ts->v[i], labels, name))
			sum += ts->v[i].weight;
	return sum;
}

static int pod_requirements_match(const pod_state_t *st, const cJSON *labels,
                                  const char *name)
{
	for (size_t i = 0; i < st->n_sel; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(labels,
		                                                  st->sel_keys[i]);
		if (!cJSON_IsString(v) || strcmp(v->valuestring, st->sel_values[i]) != 0)
			return 0;
	}
	return !st->aff.has_required || terms_any(&st->aff.required, labels, name);
}

/* --- reasons and logging ------------------------------------------------- */

/* Fill the reason buffer; long reasons are cut to fit. */
__attribute__((format(printf, 2, 3)))
static void set_reason(char reason[K8C_SCHED_REASON_MAX], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, K8C_SCHED_REASON_MAX, fmt, ap);
	va_end(ap);
}

static void pod_key(const cJSON *pod, char *buf, size_t len)
{
	const cJSON *meta = member(pod, "metadata");
	const cJSON *ns = member(meta, "namespace"), *name = member(meta, "name");

	snprintf(buf, len, "%s/%s", cJSON_IsString(ns) ? ns->valuestring : "",
	         cJSON_IsString(name) ? name->valuestring : "?");
}

static void log_invalid(instance_t *inst, const cJSON *pod, const char *msg)
{
	char key[256];

	pod_key(pod, key, sizeof(key));
	LOG(inst, K8C_LOG_WARN, "pod %s: invalid node affinity: %s", key, msg);
}

/* --- extension points ----------------------------------------------------- */

static int na_pre_filter(void *cookie, k8c_sched_cycle_t *cycle,
                         char reason[K8C_SCHED_REASON_MAX])
{
	instance_t *inst = cookie;
	pod_state_t *st;
	k8c_error_t err;

	/* A new cycle: cycle->state is NULL here. */
	cycle->state = NULL;
	if (parse_pod(cycle->pod, &st, &err) < 0) {
		set_reason(reason, "invalid node affinity: %s", err.message);
		log_invalid(inst, cycle->pod, err.message);
		return K8C_SCHED_UNRESOLVABLE;
	}
	if (!st->has_node_selector && !st->aff.has_required &&
	    !inst->has_added_required) {
		pod_state_free(st);
		return K8C_SCHED_SKIP;
	}
	if (st->aff.names_conflict) {
		pod_state_free(st);
		set_reason(reason, "%s", REASON_CONFLICT);
		return K8C_SCHED_UNRESOLVABLE;
	}
	cycle->state = st;
	return K8C_SCHED_SUCCESS;
}

static int na_filter(void *cookie, const k8c_sched_cycle_t *cycle,
                     const k8c_sched_node_t *node,
                     char reason[K8C_SCHED_REASON_MAX])
{
	instance_t *inst = cookie;
	const cJSON *labels = node_labels(inst, node);
	const char *name = node_name(node);
	pod_state_t *tmp = NULL;
	const pod_state_t *st = cycle->state;
	k8c_error_t err;
	int match;

	if (inst->has_added_required &&
	    !terms_any(&inst->added.required, labels, name)) {
		set_reason(reason, "%s", REASON_ENFORCED);
		return K8C_SCHED_UNRESOLVABLE;
	}
	if (st == NULL) {
		/* pre_filter did not run: work from the pod directly. */
		if (parse_pod(cycle->pod, &tmp, &err) < 0) {
			set_reason(reason, "invalid node affinity: %s", err.message);
			return K8C_SCHED_UNRESOLVABLE;
		}
		st = tmp;
	}
	match = pod_requirements_match(st, labels, name);
	pod_state_free(tmp);
	if (!match) {
		set_reason(reason, "%s", REASON_POD);
		return K8C_SCHED_UNRESOLVABLE;
	}
	return K8C_SCHED_SUCCESS;
}

static int na_pre_score(void *cookie, k8c_sched_cycle_t *cycle,
                        const k8c_sched_node_t *const *nodes, size_t n_nodes)
{
	instance_t *inst = cookie;
	pod_state_t *st;
	k8c_error_t err;

	if (cycle->state == NULL) {
		if (parse_pod(cycle->pod, &st, &err) < 0) {
			log_invalid(inst, cycle->pod, err.message);
			return K8C_SCHED_ERROR;
		}
		cycle->state = st;
	}
	st = cycle->state;
	/* nothing preferred: no score to give (kube-scheduler skips too) */
	if (inst->added.preferred.n == 0 && st->aff.preferred.n == 0)
		return K8C_SCHED_SKIP;
	return K8C_SCHED_SUCCESS;
}

static int na_score(void *cookie, const k8c_sched_cycle_t *cycle,
                    const k8c_sched_node_t *node, int64_t *score)
{
	instance_t *inst = cookie;
	const cJSON *labels = node_labels(inst, node);
	const char *name = node_name(node);
	pod_state_t *tmp = NULL;
	const pod_state_t *st = cycle->state;
	k8c_error_t err;

	*score = terms_score(&inst->added.preferred, labels, name);
	if (st == NULL) {
		if (parse_pod(cycle->pod, &tmp, &err) < 0)
			return K8C_SCHED_ERROR;
		st = tmp;
	}
	*score += terms_score(&st->aff.preferred, labels, name);
	pod_state_free(tmp);
	return K8C_SCHED_SUCCESS;
}

/* helper.DefaultNormalizeScore: the best node gets 100, the others in
 * proportion; all zero stays zero. */
static int na_normalize_score(void *cookie, const k8c_sched_cycle_t *cycle,
                              k8c_sched_node_score_t *scores, size_t n)
{
	int64_t max = 0;

	for (size_t i = 0; i < n; i++)
		if (scores[i].score > max)
			max = scores[i].score;
	if (max == 0)
		return K8C_SCHED_SUCCESS;
	for (size_t i = 0; i < n; i++) {
		int64_t s = scores[i].score > 0 ? scores[i].score : 0;
		scores[i].score = (int64_t)((__int128)K8C_SCHED_MAX_SCORE * s / max);
	}
	return K8C_SCHED_SUCCESS;
}

static void na_state_free(void *cookie, void *state)
{
	pod_state_free(state);
}

/* --- instance ------------------------------------------------------------- */

static int na_init(const k8c_host_t *host, const struct cJSON *config,
                   void **cookie, k8c_error_t *err)
{
	instance_t *inst = k8c_xcalloc(1, sizeof(*inst));
	const cJSON *added, *it;
	int ret;

	inst->host = host;
	if (config != NULL && !cJSON_IsObject(config)) {
		free(inst);
		return k8c_error_make(err, K8C_EINVAL, "config must be an object");
	}
	cJSON_ArrayForEach(it, config)
		if (strcmp(it->string, "addedAffinity") != 0)
			LOG(inst, K8C_LOG_WARN, "config: unknown field \"%s\" ignored",
			    it->string);
	added = member(config, "addedAffinity");
	ret = parse_affinity(added, "addedAffinity", 1, &inst->added, err);
	if (ret < 0) {
		affinity_free(&inst->added);
		free(inst);
		return ret;
	}
	inst->has_added_required = inst->added.has_required;
	if (added != NULL)
		LOG(inst, K8C_LOG_INFO,
		    "addedAffinity: %zu required and %zu preferred terms for every pod",
		    inst->added.required.n, inst->added.preferred.n);
	*cookie = inst;
	return 0;
}

static void na_fini(void *cookie)
{
	instance_t *inst = cookie;

	if (inst == NULL)
		return;
	affinity_free(&inst->added);
	free(inst);
}

static const k8c_sched_policy_ops_t ops = {
	.struct_size = sizeof(k8c_sched_policy_ops_t),
	.pre_filter = na_pre_filter,
	.filter = na_filter,
	.pre_score = na_pre_score,
	.score = na_score,
	.normalize_score = na_normalize_score,
	.state_free = na_state_free,
};

K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
	K8C_PLUGIN_HEADER(K8C_PLUGIN_SCHEDULER),
	.name = "node-affinity",
	.version = PACKAGE_VERSION,
	.description = "nodeSelector and node affinity, as kube-scheduler's "
	               "NodeAffinity",
	.init = na_init,
	.fini = na_fini,
	.ops = &ops,
};
