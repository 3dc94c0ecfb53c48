/* PodAffinityTerms as kube-scheduler's framework.AffinityTerm sees them:
 * parsing (labelSelector, namespaces, namespaceSelector, topologyKey,
 * weight), the merge of matchLabelKeys / mismatchLabelKeys, matching a
 * pod, and resolving namespaceSelectors against the namespace list.
 *
 * matchLabelKeys and mismatchLabelKeys: in Kubernetes 1.32 the API server
 * merges them into the labelSelector when the pod is created (as
 * "key in (value)" / "key notin (value)" with the value of the pod's own
 * label; keys the pod lacks are ignored; nothing is merged into an absent
 * labelSelector) and kube-scheduler only sees the merged selector.  k8c's
 * API server stores them unmerged, so the merge is done here, with the
 * pod's current labels.  A key the labelSelector already constrains is
 * left alone: either an API server merged it already, or Kubernetes' API
 * validation (key in both) would have refused the pod.
 *
 * Malformed terms (a wrong JSON type, a bad selector, an empty
 * topologyKey, a weight outside 1..100): the pod being scheduled fails
 * to parse with the field path (the caller makes it UNRESOLVABLE, as
 * kube-scheduler's PreFilter does with "parsing pod"); an existing pod
 * loses the group holding the bad term, as kube-scheduler's PodInfo. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/mem.h"
#include "common/names.h"
#include "inter_pod_affinity.h"

#define PATH_LEN 320
#define WEIGHT_MIN 1
#define WEIGHT_MAX 100

/* Member name of obj, with JSON null taken as absent. */
static const cJSON *member(const cJSON *obj, const char *name)
{
	const cJSON *m;

	if (!cJSON_IsObject(obj))
		return NULL;
	m = cJSON_GetObjectItemCaseSensitive(obj, name);
	return cJSON_IsNull(m) ? NULL : m;
}

__attribute__((format(printf, 2, 3)))
static void fmt_path(char p[PATH_LEN], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p, PATH_LEN, fmt, ap);
	va_end(ap);
}

void ipa_pod_view(const cJSON *pod, ipa_pod_view_t *v)
{
	const cJSON *meta = member(pod, "metadata");
	const cJSON *ns = member(meta, "namespace"), *labels = member(meta, "labels");

	v->ns = cJSON_IsString(ns) ? ns->valuestring : "";
	v->labels = cJSON_IsObject(labels) ? labels : NULL;
}

/* --- freeing ------------------------------------------------------------- */

static void term_free(ipa_term_t *t)
{
	k8c_label_selector_free(t->sel);
	k8c_label_selector_free(t->ns_sel);
	for (size_t i = 0; i < t->n_ns; i++)
		free(t->ns[i]);
	free(t->ns);
	free(t->topology_key);
	memset(t, 0, sizeof(*t));
}

static void terms_free(ipa_terms_t *ts)
{
	for (size_t i = 0; i < ts->n; i++)
		term_free(&ts->v[i]);
	free(ts->v);
	memset(ts, 0, sizeof(*ts));
}

void ipa_pod_terms_free(ipa_pod_terms_t *pt)
{
	if (pt == NULL)
		return;
	for (int g = 0; g < IPA_N_GROUPS; g++)
		terms_free(&pt->g[g]);
	pt->ns_sel_mask = 0;
}

static void term_add_ns(ipa_term_t *t, const char *name)
{
	if (t->n_ns == t->cap_ns) {
		t->cap_ns = t->cap_ns ? t->cap_ns * 2 : 2;
		t->ns = k8c_xrealloc(t->ns, t->cap_ns * sizeof(char *));
	}
	t->ns[t->n_ns++] = k8c_xstrdup(name);
}

/* --- parsing ---------------------------------------------------------------- */

/* Does the LabelSelector JSON constrain key already (matchLabels or a
 * matchExpressions entry)? */
static int selector_has_key(const cJSON *sel, const char *key)
{
	const cJSON *ml = member(sel, "matchLabels"), *me = member(sel, "matchExpressions");
	const cJSON *it, *k;

	if (cJSON_IsObject(ml) && cJSON_GetObjectItemCaseSensitive(ml, key) != NULL)
		return 1;
	if (!cJSON_IsArray(me))
		return 0;
	cJSON_ArrayForEach(it, me) {
		k = member(it, "key");
		if (cJSON_IsString(k) && strcmp(k->valuestring, key) == 0)
			return 1;
	}
	return 0;
}

/* Merge matchLabelKeys (op In) or mismatchLabelKeys (op NotIn) into t->sel
 * with the values of the pod's own labels. */
static int merge_label_keys(ipa_term_t *t, const cJSON *term, const char *field,
                            int op, const cJSON *sel_js,
                            const ipa_pod_view_t *pod, const char *path,
                            k8c_error_t *err)
{
	const cJSON *keys = member(term, field), *it, *val;
	char msg[K8C_NAME_MSG_MAX];
	k8c_error_t inner;
	int i = 0;

	if (keys == NULL)
		return 0;
	if (!cJSON_IsArray(keys))
		return k8c_error_make(err, K8C_EINVAL, "%s.%s: must be an array of strings",
		                      path, field);
	cJSON_ArrayForEach(it, keys) {
		const char *v;

		if (!cJSON_IsString(it))
			return k8c_error_make(err, K8C_EINVAL, "%s.%s[%d]: must be a string",
			                      path, field, i);
		if (!k8c_is_qualified_name(it->valuestring, msg, sizeof(msg)))
			return k8c_error_make(err, K8C_EINVAL,
			                      "%s.%s[%d]: Invalid value: \"%s\": %s", path,
			                      field, i, it->valuestring, msg);
		i++;
		/* An absent labelSelector matches nothing: nothing to merge. */
		if (sel_js == NULL || selector_has_key(sel_js, it->valuestring))
			continue;
		val = pod->labels != NULL
			? cJSON_GetObjectItemCaseSensitive(pod->labels, it->valuestring)
			: NULL;
		if (!cJSON_IsString(val))
			continue;
		v = val->valuestring;
		if (k8c_label_selector_add(t->sel, it->valuestring, op, &v, 1, &inner) < 0)
			return k8c_error_make(err, K8C_EINVAL, "%s.%s[%d]: %s", path, field,
			                      i - 1, inner.message);
	}
	return 0;
}

static int parse_namespaces(ipa_term_t *t, const cJSON *term, const char *path,
                            k8c_error_t *err)
{
	const cJSON *list = member(term, "namespaces"), *it;
	int i = 0;

	if (list == NULL)
		return 0;
	if (!cJSON_IsArray(list))
		return k8c_error_make(err, K8C_EINVAL,
		                      "%s.namespaces: must be an array of strings", path);
	cJSON_ArrayForEach(it, list) {
		if (!cJSON_IsString(it))
			return k8c_error_make(err, K8C_EINVAL,
			                      "%s.namespaces[%d]: must be a string", path, i);
		term_add_ns(t, it->valuestring);
		i++;
	}
	return 0;
}

/* One PodAffinityTerm into *t (freed here on error). */
static int parse_term(const cJSON *js, const char *path, const ipa_pod_view_t *pod,
                      ipa_term_t *t, int *ns_sel, k8c_error_t *err)
{
	const cJSON *sel_js, *nss_js, *tk;
	k8c_error_t inner;
	int ret;

	memset(t, 0, sizeof(*t));
	if (!cJSON_IsObject(js))
		return k8c_error_make(err, K8C_EINVAL, "%s: must be an object", path);
	sel_js = member(js, "labelSelector");
	if (k8c_label_selector_from_json(sel_js, &t->sel, &inner) < 0)
		return k8c_error_make(err, K8C_EINVAL, "%s.labelSelector: %s", path,
		                      inner.message);
	ret = merge_label_keys(t, js, "matchLabelKeys", K8C_SEL_IN, sel_js, pod,
	                       path, err);
	if (ret >= 0)
		ret = merge_label_keys(t, js, "mismatchLabelKeys", K8C_SEL_NOT_IN,
		                       sel_js, pod, path, err);
	if (ret >= 0)
		ret = parse_namespaces(t, js, path, err);
	if (ret < 0)
		goto fail;
	nss_js = member(js, "namespaceSelector");
	if (nss_js != NULL) {
		if (k8c_label_selector_from_json(nss_js, &t->ns_sel, &inner) < 0) {
			ret = k8c_error_make(err, K8C_EINVAL, "%s.namespaceSelector: %s",
			                     path, inner.message);
			goto fail;
		}
		t->ns_kind = IPA_NS_SOME;
		if (k8c_label_selector_is_everything(t->ns_sel)) {
			k8c_label_selector_free(t->ns_sel);
			t->ns_sel = NULL;
			t->ns_kind = IPA_NS_ALL;
		} else {
			*ns_sel = 1;
		}
	}
	/* No namespaces and no namespaceSelector: the pod's own namespace. */
	if (t->n_ns == 0 && nss_js == NULL)
		term_add_ns(t, pod->ns);
	tk = member(js, "topologyKey");
	if (tk != NULL && !cJSON_IsString(tk)) {
		ret = k8c_error_make(err, K8C_EINVAL, "%s.topologyKey: must be a string",
		                     path);
		goto fail;
	}
	if (tk == NULL || tk->valuestring[0] == '\0') {
		ret = k8c_error_make(err, K8C_EINVAL,
		                     "%s.topologyKey: Required value: can not be empty",
		                     path);
		goto fail;
	}
	t->topology_key = k8c_xstrdup(tk->valuestring);
	return 0;
fail:
	term_free(t);
	return ret;
}

/* A required (weighted == 0) or preferred list of terms into ts. */
static int parse_group(const cJSON *list, int weighted, const char *path,
                       const ipa_pod_view_t *pod, ipa_terms_t *ts, int *ns_sel,
                       k8c_error_t *err)
{
	char p[PATH_LEN];
	const cJSON *it, *w, *term;
	int i = 0, ret;

	if (list == NULL)
		return 0;
	if (!cJSON_IsArray(list))
		return k8c_error_make(err, K8C_EINVAL, "%s: must be an array", path);
	ts->v = k8c_xcalloc((size_t)cJSON_GetArraySize(list) + 1, sizeof(ipa_term_t));
	cJSON_ArrayForEach(it, list) {
		ipa_term_t *t = &ts->v[ts->n];
		int64_t weight = 0;

		fmt_path(p, "%s[%d]", path, i++);
		term = it;
		if (weighted) {
			if (!cJSON_IsObject(it))
				return k8c_error_make(err, K8C_EINVAL, "%s: must be an object", p);
			w = member(it, "weight");
			if (!cJSON_IsNumber(w) || !(w->valuedouble >= WEIGHT_MIN &&
			                             w->valuedouble <= WEIGHT_MAX) ||
			    w->valuedouble != (double)(int64_t)w->valuedouble)
				return k8c_error_make(err, K8C_EINVAL,
				                      "%s.weight: Invalid value: must be an "
				                      "integer in the range 1-100", p);
			weight = (int64_t)w->valuedouble;
			fmt_path(p, "%s[%d].podAffinityTerm", path, i - 1);
			term = member(it, "podAffinityTerm");
		}
		ret = parse_term(term, p, pod, t, ns_sel, err);
		if (ret < 0)
			return ret;
		t->weight = weight;
		ts->n++;
	}
	return 0;
}

int ipa_pod_terms_parse(const cJSON *pod, int strict, ipa_pod_terms_t *out,
                        k8c_error_t *err)
{
	static const struct {
		int aff; /* podAffinity, else podAntiAffinity */
		int weighted;
		const char *field;
	} groups[IPA_N_GROUPS] = {
		[IPA_REQ_AFF] = {1, 0, "requiredDuringSchedulingIgnoredDuringExecution"},
		[IPA_REQ_ANTI] = {0, 0, "requiredDuringSchedulingIgnoredDuringExecution"},
		[IPA_PREF_AFF] = {1, 1, "preferredDuringSchedulingIgnoredDuringExecution"},
		[IPA_PREF_ANTI] = {0, 1, "preferredDuringSchedulingIgnoredDuringExecution"},
	};
	const cJSON *spec = member(pod, "spec"), *aff, *pa, *paa;
	ipa_pod_view_t view;
	char p[PATH_LEN];
	k8c_error_t local;
	int ret;

	memset(out, 0, sizeof(*out));
	if (err == NULL)
		err = &local;
	if (spec != NULL && !cJSON_IsObject(spec))
		return strict ? k8c_error_make(err, K8C_EINVAL, "spec: must be an object") : 0;
	aff = member(spec, "affinity");
	if (aff != NULL && !cJSON_IsObject(aff))
		return strict ? k8c_error_make(err, K8C_EINVAL,
		                               "spec.affinity: must be an object") : 0;
	pa = member(aff, "podAffinity");
	paa = member(aff, "podAntiAffinity");
	if (pa == NULL && paa == NULL)
		return 0; /* the common case: nothing more to look at */
	if ((pa != NULL && !cJSON_IsObject(pa)) || (paa != NULL && !cJSON_IsObject(paa)))
		return strict ? k8c_error_make(err, K8C_EINVAL,
		                               "spec.affinity.%s: must be an object",
		                               pa != NULL && !cJSON_IsObject(pa)
		                               ? "podAffinity" : "podAntiAffinity") : 0;
	ipa_pod_view(pod, &view);
	for (int g = 0; g < IPA_N_GROUPS; g++) {
		const cJSON *from = groups[g].aff ? pa : paa;
		int ns_sel = 0;

		fmt_path(p, "spec.affinity.%s.%s",
		         groups[g].aff ? "podAffinity" : "podAntiAffinity", groups[g].field);
		ret = parse_group(member(from, groups[g].field), groups[g].weighted, p,
		                  &view, &out->g[g], &ns_sel, err);
		if (ret < 0) {
			terms_free(&out->g[g]);
			if (strict)
				return ret;
			continue;
		}
		if (ns_sel)
			out->ns_sel_mask |= 1u << g;
	}
	return 0;
}

/* --- matching ------------------------------------------------------------------- */

int ipa_term_matches(const ipa_term_t *t, const ipa_pod_view_t *pod,
                     const cJSON *ns_labels, int ns_known)
{
	int ns_ok = 0;

	for (size_t i = 0; i < t->n_ns && !ns_ok; i++)
		ns_ok = strcmp(t->ns[i], pod->ns) == 0;
	if (!ns_ok) {
		if (t->ns_kind == IPA_NS_ALL)
			ns_ok = 1;
		else if (t->ns_kind == IPA_NS_SOME && ns_known)
			ns_ok = k8c_label_selector_matches(t->ns_sel, ns_labels);
	}
	return ns_ok && k8c_label_selector_matches(t->sel, pod->labels);
}

int ipa_terms_match_all(const ipa_terms_t *ts, const ipa_pod_view_t *pod)
{
	if (ts->n == 0)
		return 0;
	for (size_t i = 0; i < ts->n; i++)
		if (!ipa_term_matches(&ts->v[i], pod, NULL, 0))
			return 0;
	return 1;
}

/* --- namespaces ------------------------------------------------------------------- */

static const char *item_name(const cJSON *item, const cJSON **labels)
{
	const cJSON *meta = member(item, "metadata"), *name = member(meta, "name");
	const cJSON *l = member(meta, "labels");

	*labels = cJSON_IsObject(l) ? l : NULL;
	return cJSON_IsString(name) ? name->valuestring : NULL;
}

const cJSON *ipa_namespace_labels(const ipa_namespaces_t *nss, const char *name)
{
	const cJSON *it, *labels;
	const char *n;

	if (!nss->known)
		return NULL;
	cJSON_ArrayForEach(it, member(nss->list, "items")) {
		n = item_name(it, &labels);
		if (n != NULL && strcmp(n, name) == 0)
			return labels;
	}
	return NULL;
}

void ipa_terms_resolve_namespaces(ipa_terms_t *ts, const ipa_namespaces_t *nss)
{
	const cJSON *it, *labels;
	const char *n;

	for (size_t i = 0; i < ts->n; i++) {
		ipa_term_t *t = &ts->v[i];

		if (t->ns_kind != IPA_NS_SOME)
			continue;
		if (nss->known) {
			cJSON_ArrayForEach(it, member(nss->list, "items")) {
				n = item_name(it, &labels);
				if (n != NULL && k8c_label_selector_matches(t->ns_sel, labels))
					term_add_ns(t, n);
			}
		}
		k8c_label_selector_free(t->ns_sel);
		t->ns_sel = NULL;
		t->ns_kind = IPA_NS_NONE;
	}
}
