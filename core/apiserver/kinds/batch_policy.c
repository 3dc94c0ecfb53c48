/* The Job spec's pod failure policy and success policy, validated as
 * Kubernetes 1.32 does (batch validation's validatePodFailurePolicy and
 * validateSuccessPolicy), including the completed-index interval syntax. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/kinds/groups_common.h"
#include "apiserver/kinds/util.h"
#include "common/mem.h"
#include "common/names.h"

#define MAX_POLICY_RULES 20
#define MAX_EXIT_CODES 255
#define MAX_CONDITION_PATTERNS 20
#define MAX_SUCCESS_RULES 20
#define MAX_SUCCEEDED_INDEXES (64 * 1024)

static int in_list(const char *v, const char *const *list)
{
	for (; v != NULL && *list != NULL; list++)
		if (strcmp(v, *list) == 0)
			return 1;
	return 0;
}

/* `supported values: "A", "B"` */
static char *supported(const char *const *list)
{
	k8c_sbuf_t b = {0};

	k8c_sbuf_add(&b, "supported values: ");
	for (int i = 0; list[i] != NULL; i++)
		k8c_sbuf_add(&b, "%s\"%s\"", i ? ", " : "", list[i]);
	return k8c_sbuf_take(&b);
}

/* `valid values: ["A" "B"]` (Go's %q of a []string) */
static char *valid_values(const char *const *list)
{
	k8c_sbuf_t b = {0};

	k8c_sbuf_add(&b, "valid values: [");
	for (int i = 0; list[i] != NULL; i++)
		k8c_sbuf_add(&b, "%s\"%s\"", i ? " " : "", list[i]);
	k8c_sbuf_add(&b, "]");
	return k8c_sbuf_take(&b);
}

/* A string field that must be one of list: Required when empty. */
static void enum_field(k8c_field_errors_t *errs, const char *path, const char *v,
                       const char *const *list)
{
	_cleanup_free_ char *msg = NULL;

	if (v == NULL || v[0] == '\0') {
		msg = valid_values(list);
		k8c_groups_err(errs, K8C_FIELD_REQUIRED, path, NULL, "%s", msg);
	} else if (!in_list(v, list)) {
		msg = supported(list);
		k8c_groups_err(errs, K8C_FIELD_NOT_SUPPORTED, path, k8c_go_quote(v), "%s", msg);
	}
}

static char *go_int32_slice(const cJSON *a)
{
	k8c_sbuf_t b = {0};
	const cJSON *it;
	int i = 0;

	if (!cJSON_IsArray(a))
		return k8c_xstrdup("[]int32(nil)");
	k8c_sbuf_add(&b, "[]int32{");
	cJSON_ArrayForEach(it, a)
		k8c_sbuf_add(&b, "%s%lld", i++ ? ", " : "", (long long)it->valuedouble);
	k8c_sbuf_add(&b, "}");
	return k8c_sbuf_take(&b);
}

static int has_container(const cJSON *podspec, const char *name)
{
	static const char *const lists[] = {"containers", "initContainers"};
	const cJSON *c;

	for (size_t i = 0; i < 2; i++)
		cJSON_ArrayForEach(c, k8c_jget(podspec, lists[i])) {
			const char *n = k8c_jstr(c, "name");
			if (n != NULL && strcmp(n, name) == 0)
				return 1;
		}
	return 0;
}

static void on_exit_codes(k8c_field_errors_t *errs, const cJSON *oec, const char *base,
                          const cJSON *podspec)
{
	static const char *const ops[] = {"In", "NotIn", NULL};
	const char *op = k8c_jstr(oec, "operator"), *cn = k8c_jstr(oec, "containerName");
	const cJSON *values = k8c_jget(oec, "values"), *v;
	_cleanup_free_ char *opp = k8c_xasprintf("%s.operator", base);
	_cleanup_free_ char *cnp = k8c_xasprintf("%s.containerName", base);
	_cleanup_free_ char *vp = k8c_xasprintf("%s.values", base);
	int n = k8c_groups_len(values), j = 0, ordered = 1;
	double prev = 0;

	enum_field(errs, opp, op, ops);
	if (cn != NULL && !has_container(podspec, cn))
		k8c_groups_err(errs, K8C_FIELD_INVALID, cnp, k8c_go_quote(cn),
		               "must be one of the container or initContainer names in the pod template");
	if (n == 0)
		k8c_groups_err(errs, K8C_FIELD_INVALID, vp, go_int32_slice(values),
		               "at least one value is required");
	else if (n > MAX_EXIT_CODES)
		k8c_groups_err(errs, K8C_FIELD_TOO_MANY, vp, k8c_xasprintf("%d", n),
		               "must have at most %d items", MAX_EXIT_CODES);
	cJSON_ArrayForEach(v, values) {
		_cleanup_free_ char *p = k8c_xasprintf("%s[%d]", vp, j);
		long long x = (long long)v->valuedouble;
		int dup = 0;
		for (const cJSON *w = values->child; w != v; w = w->next)
			dup |= w->valuedouble == v->valuedouble;
		if (op != NULL && strcmp(op, "In") == 0 && x == 0)
			k8c_groups_err(errs, K8C_FIELD_INVALID, p, k8c_xstrdup("0"),
			               "must not be 0 for the In operator");
		if (dup)
			k8c_groups_err(errs, K8C_FIELD_DUPLICATE, p, k8c_xasprintf("%lld", x), NULL);
		if (j > 0 && prev > v->valuedouble)
			ordered = 0;
		prev = v->valuedouble;
		j++;
	}
	if (!ordered)
		k8c_groups_err(errs, K8C_FIELD_INVALID, vp, go_int32_slice(values), "must be ordered");
}

static void on_pod_conditions(k8c_field_errors_t *errs, const cJSON *conds, const char *base)
{
	static const char *const statuses[] = {"False", "True", "Unknown", NULL};
	const cJSON *c;
	int n = k8c_groups_len(conds), j = 0;

	if (n > MAX_CONDITION_PATTERNS)
		k8c_groups_err(errs, K8C_FIELD_TOO_MANY, base, k8c_xasprintf("%d", n),
		               "must have at most %d items", MAX_CONDITION_PATTERNS);
	cJSON_ArrayForEach(c, conds) {
		_cleanup_free_ char *tp = k8c_xasprintf("%s[%d].type", base, j);
		_cleanup_free_ char *sp = k8c_xasprintf("%s[%d].status", base, j);
		const char *type = k8c_jstr(c, "type");
		k8c_groups_name_errs(errs, tp, type ? type : "", k8c_is_qualified_name);
		enum_field(errs, sp, k8c_jstr(c, "status"), statuses);
		j++;
	}
}

static void policy_rule(k8c_field_errors_t *errs, const cJSON *spec, const cJSON *rule,
                        const char *base)
{
	static const char *const actions[] = {"Count", "FailIndex", "FailJob", "Ignore", NULL};
	const char *action = k8c_jstr(rule, "action");
	const cJSON *oec = k8c_jget(rule, "onExitCodes"), *opc = k8c_jget(rule, "onPodConditions");
	_cleanup_free_ char *ap = k8c_xasprintf("%s.action", base);
	_cleanup_free_ char *oecp = k8c_xasprintf("%s.onExitCodes", base);
	_cleanup_free_ char *opcp = k8c_xasprintf("%s.onPodConditions", base);
	int has_oec = k8c_groups_set(oec), has_opc = k8c_groups_len(opc) > 0;

	if (action != NULL && strcmp(action, "FailIndex") == 0) {
		if (!k8c_groups_set(k8c_jget(spec, "backoffLimitPerIndex")))
			k8c_groups_err(errs, K8C_FIELD_INVALID, ap, k8c_go_quote(action),
			               "requires the backoffLimitPerIndex to be set");
	} else {
		enum_field(errs, ap, action, actions);
	}
	if (has_oec)
		on_exit_codes(errs, oec, oecp, k8c_jget(spec, "template.spec"));
	if (has_opc)
		on_pod_conditions(errs, opc, opcp);
	if (has_oec && has_opc)
		k8c_groups_err(errs, K8C_FIELD_INVALID, base, NULL,
		               "specifying both OnExitCodes and OnPodConditions is not supported");
	if (!has_oec && !has_opc)
		k8c_groups_err(errs, K8C_FIELD_INVALID, base, NULL,
		               "specifying one of OnExitCodes and OnPodConditions is required");
}

void k8c_batch_pod_failure_policy(k8c_field_errors_t *errs, const cJSON *spec, const char *base)
{
	const cJSON *rules = k8c_jget(spec, "podFailurePolicy.rules"), *r;
	_cleanup_free_ char *rp = k8c_xasprintf("%s.podFailurePolicy.rules", base);
	int n = k8c_groups_len(rules), i = 0;

	if (n > MAX_POLICY_RULES)
		k8c_groups_err(errs, K8C_FIELD_TOO_MANY, rp, k8c_xasprintf("%d", n),
		               "must have at most %d items", MAX_POLICY_RULES);
	cJSON_ArrayForEach(r, rules) {
		_cleanup_free_ char *p = k8c_xasprintf("%s[%d]", rp, i++);
		policy_rule(errs, spec, r, p);
	}
}

/* --- success policy ------------------------------------------------------ */

/* strconv.Atoi over s[0..n) (the '-' never reaches here: it splits). */
static int index_int(const char *s, size_t n, long long *out)
{
	_cleanup_free_ char *d = k8c_xstrndup(s, n);
	const char *p = d[0] == '+' ? d + 1 : d;

	if (*p == '\0' || strlen(p) > 18 || strspn(p, "0123456789") != strlen(p))
		return -1;
	*out = strtoll(p, NULL, 10);
	return 0;
}

/* parseIndexInterval */
static char *index_interval(const char *s, size_t n, long long completions, long long *x,
                            long long *y)
{
	const char *dash = memchr(s, '-', n);
	_cleanup_free_ char *frag = k8c_xstrndup(s, n);

	if (dash != NULL && memchr(dash + 1, '-', n - (size_t)(dash + 1 - s)) != NULL) {
		_cleanup_free_ char *q = k8c_go_quote(frag);
		return k8c_xasprintf("the fragment %s violates the requirement that an index "
		                     "interval can have at most two parts separated by '-'", q);
	}
	for (int part = 0; part < (dash ? 2 : 1); part++) {
		const char *p = part ? dash + 1 : s;
		size_t len = part ? n - (size_t)(dash + 1 - s) : (dash ? (size_t)(dash - s) : n);
		long long *v = part ? y : x;
		_cleanup_free_ char *txt = k8c_xstrndup(p, len);
		_cleanup_free_ char *q = k8c_go_quote(txt);
		if (index_int(p, len, v) < 0)
			return k8c_xasprintf("cannot convert string to integer for index: %s", q);
		if (*v >= completions)
			return k8c_xasprintf("too large index: %s", q);
	}
	if (dash == NULL)
		*y = *x;
	else if (*x >= *y)
		return k8c_xasprintf("non-increasing order, previous: %lld, current: %lld", *x, *y);
	return NULL;
}

/* validateIndexesFormat: NULL, or the error (caller frees); *total the
 * number of indexes. */
static char *indexes_format(const char *s, long long completions, long long *total)
{
	long long last = 0, x, y;
	int have_last = 0;

	*total = 0;
	if (s[0] == '\0')
		return NULL;
	for (const char *p = s;; ) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		char *err = index_interval(p, n, completions, &x, &y);
		if (err != NULL)
			return err;
		if (have_last && last >= x)
			return k8c_xasprintf("non-increasing order, previous: %lld, current: %lld", last, x);
		*total += y - x + 1;
		last = y;
		have_last = 1;
		if (comma == NULL)
			return NULL;
		p = comma + 1;
	}
}

static void success_rule(k8c_field_errors_t *errs, const cJSON *rule, const char *base,
                         long long completions)
{
	const cJSON *count = k8c_jget(rule, "succeededCount");
	const char *idx = k8c_jstr(rule, "succeededIndexes");
	_cleanup_free_ char *ip = k8c_xasprintf("%s.succeededIndexes", base);
	_cleanup_free_ char *cp = k8c_xasprintf("%s.succeededCount", base);
	long long total = 0;

	if (!k8c_groups_set(count) && idx == NULL)
		k8c_groups_err(errs, K8C_FIELD_REQUIRED, base, NULL,
		               "at least one of succeededCount or succeededIndexes must be specified");
	if (idx != NULL) {
		_cleanup_free_ char *err = NULL;
		if (strlen(idx) > MAX_SUCCEEDED_INDEXES)
			k8c_groups_err(errs, K8C_FIELD_TOO_LONG, ip, NULL, "may not be more than %d bytes",
			               MAX_SUCCEEDED_INDEXES);
		if ((err = indexes_format(idx, completions, &total)) != NULL) {
			total = 0;
			k8c_groups_err(errs, K8C_FIELD_INVALID, ip, k8c_go_quote(idx),
			               "error parsing succeededIndexes: %s", err);
		}
	}
	if (cJSON_IsNumber(count)) {
		long long c = (long long)count->valuedouble;
		k8c_groups_nonneg(errs, cp, count);
		if (c > completions)
			k8c_groups_err(errs, K8C_FIELD_INVALID, cp, k8c_xasprintf("%lld", c),
			               "must be less than or equal to %lld (the number of specified "
			               "completions)", completions);
		if (idx != NULL && c > total)
			k8c_groups_err(errs, K8C_FIELD_INVALID, cp, k8c_xasprintf("%lld", c),
			               "must be less than or equal to %lld (the number of indexes in "
			               "the specified succeededIndexes field)", total);
	}
}

void k8c_batch_success_policy(k8c_field_errors_t *errs, const cJSON *spec, const char *base)
{
	const cJSON *rules = k8c_jget(spec, "successPolicy.rules"), *r;
	_cleanup_free_ char *rp = k8c_xasprintf("%s.successPolicy.rules", base);
	long long completions = k8c_jint(spec, "completions", 0);
	int n = k8c_groups_len(rules), i = 0;

	if (n == 0)
		k8c_groups_err(errs, K8C_FIELD_REQUIRED, rp, NULL,
		               "at least one rules must be specified when the successPolicy is specified");
	if (n > MAX_SUCCESS_RULES)
		k8c_groups_err(errs, K8C_FIELD_TOO_MANY, rp, k8c_xasprintf("%d", n),
		               "must have at most %d items", MAX_SUCCESS_RULES);
	cJSON_ArrayForEach(r, rules) {
		_cleanup_free_ char *p = k8c_xasprintf("%s[%d]", rp, i++);
		success_rule(errs, r, p, completions);
	}
}
