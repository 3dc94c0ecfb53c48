/* Label selectors, parsed and matched as apimachinery's pkg/labels does
 * (same grammar, same error wording), and the LabelSelector object form
 * (metav1.LabelSelectorAsSelector). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/mem.h"
#include "common/names.h"
#include "common/selector.h"
#include "common/selector_internal.h"

/* strconv.ParseInt(s, 10, 64): optional sign, decimal digits, no
 * overflow. */
static int parse_int64(const char *s, int64_t *out)
{
	uint64_t v = 0, limit = INT64_MAX;
	int neg = 0;

	if (*s == '+' || *s == '-') {
		neg = *s == '-';
		limit = (uint64_t)INT64_MAX + 1;
		s++;
	}
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		unsigned d = (unsigned char)*s - '0';
		if (d > 9 || v > (limit - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

typedef struct label_req {
	char *key;
	int op;          /* enum k8c_selector_op */
	int double_eq;   /* written "==", which String() keeps */
	size_t n_values;
	char **values;   /* in the order given; String() sorts them */
} label_req_t;

struct k8c_label_selector {
	int nothing;     /* from an absent LabelSelector: matches nothing */
	size_t n, cap;
	label_req_t *reqs; /* sorted by key, stable */
};

k8c_label_selector_t *k8c_label_selector_new(void)
{
	return k8c_xcalloc(1, sizeof(k8c_label_selector_t));
}

void k8c_label_selector_free(k8c_label_selector_t *sel)
{
	if (sel == NULL)
		return;
	for (size_t i = 0; i < sel->n; i++) {
		for (size_t j = 0; j < sel->reqs[i].n_values; j++)
			free(sel->reqs[i].values[j]);
		free(sel->reqs[i].values);
		free(sel->reqs[i].key);
	}
	free(sel->reqs);
	free(sel);
}

/* The checks of labels.NewRequirement, in its order; messages carry the
 * field path as Kubernetes' field errors do. */
static int validate_req(const char *key, int op, const char *const *values,
                        size_t n, k8c_error_t *err)
{
	char msg[K8C_NAME_MSG_MAX];
	int64_t dummy;

	if (!k8c_is_qualified_name(key, msg, sizeof(msg)))
		return k8c_error_make(err, K8C_EINVAL,
		                      "key: Invalid value: \"%s\": %s", key, msg);
	switch (op) {
	case K8C_SEL_IN:
	case K8C_SEL_NOT_IN:
		if (n == 0)
			return k8c_error_make(err, K8C_EINVAL,
			                      "values: Invalid value: []: for 'in', "
			                      "'notin' operators, values set can't be empty");
		break;
	case K8C_SEL_EQUALS:
	case K8C_SEL_NOT_EQUALS:
		if (n != 1)
			return k8c_error_make(err, K8C_EINVAL,
			                      "values: Invalid value: %zu values: "
			                      "exact-match compatibility requires one "
			                      "single value", n);
		break;
	case K8C_SEL_EXISTS:
	case K8C_SEL_DOES_NOT_EXIST:
		if (n != 0)
			return k8c_error_make(err, K8C_EINVAL,
			                      "values: Invalid value: %zu values: values "
			                      "set must be empty for exists and does not "
			                      "exist", n);
		break;
	case K8C_SEL_GREATER_THAN:
	case K8C_SEL_LESS_THAN:
		if (n != 1)
			return k8c_error_make(err, K8C_EINVAL,
			                      "values: Invalid value: %zu values: for "
			                      "'Gt', 'Lt' operators, exactly one value is "
			                      "required", n);
		if (parse_int64(values[0], &dummy) < 0)
			return k8c_error_make(err, K8C_EINVAL,
			                      "values[0]: Invalid value: \"%s\": for "
			                      "'Gt', 'Lt' operators, the value must be an "
			                      "integer", values[0]);
		break;
	default:
		return k8c_error_make(err, K8C_EINVAL,
		                      "operator: Unsupported value: %d: supported "
		                      "values: in, notin, =, ==, !=, gt, lt, exists, "
		                      "!", op);
	}
	for (size_t i = 0; i < n; i++)
		if (!k8c_is_label_value(values[i], msg, sizeof(msg)))
			return k8c_error_make(err, K8C_EINVAL,
			                      "values[%zu][%s]: Invalid value: \"%s\": %s",
			                      i, key, values[i], msg);
	return 0;
}

/* Insert after the last requirement whose key sorts <= key, which keeps the
 * requirements sorted by key and stable for equal keys. */
static label_req_t *insert_req(k8c_label_selector_t *sel, const char *key)
{
	size_t at = sel->n;

	while (at > 0 && strcmp(sel->reqs[at - 1].key, key) > 0)
		at--;
	if (sel->n == sel->cap) {
		sel->cap = sel->cap ? sel->cap * 2 : 4;
		sel->reqs = k8c_xrealloc(sel->reqs, sel->cap * sizeof(label_req_t));
	}
	memmove(&sel->reqs[at + 1], &sel->reqs[at],
	        (sel->n - at) * sizeof(label_req_t));
	sel->n++;
	memset(&sel->reqs[at], 0, sizeof(label_req_t));
	return &sel->reqs[at];
}

static int add_req(k8c_label_selector_t *sel, const char *key, int op,
                   int double_eq, const char *const *values, size_t n,
                   k8c_error_t *err)
{
	label_req_t *r;
	int ret;

	ret = validate_req(key, op, values, n, err);
	if (ret < 0)
		return ret;
	r = insert_req(sel, key);
	r->key = k8c_xstrdup(key);
	r->op = op;
	r->double_eq = double_eq && op == K8C_SEL_EQUALS;
	r->n_values = n;
	r->values = k8c_xcalloc(n ? n : 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		r->values[i] = k8c_xstrdup(values[i]);
	return 0;
}

int k8c_label_selector_add(k8c_label_selector_t *sel, const char *key,
                           int op, const char *const *values, size_t n_values,
                           k8c_error_t *err)
{
	if (sel == NULL || key == NULL || (n_values > 0 && values == NULL))
		return k8c_error_make(err, K8C_EINVAL, "no selector, key or values");
	for (size_t i = 0; i < n_values; i++)
		if (values[i] == NULL)
			return k8c_error_make(err, K8C_EINVAL,
			                      "values[%zu]: Required value", i);
	return add_req(sel, key, op, 0, values, n_values, err);
}

/* --- the selector string grammar (labels.Parse) ------------------------ */

enum token {
	T_EOS, T_CLOSE, T_COMMA, T_NOT, T_DEQ, T_EQ, T_GT, T_IDENT, T_IN,
	T_LT, T_NEQ, T_NOTIN, T_OPEN,
};

typedef struct token_s {
	int tok;
	const char *lit; /* into the input; "" at the end */
	int len;
} token_t;

typedef struct parser {
	token_t *toks;
	size_t n, cap, pos;
} parser_t;

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_special(char c)
{
	return c != '\0' && strchr("=!(),><", c) != NULL;
}

/* One token from s at *pos.  Operators are the longest of "==" and "!=",
 * else one character: what the Go lexer's longest-match loop gives. */
static token_t lex(const char *s, size_t *pos)
{
	static const char singles[] = "=!(),><";
	static const int single_toks[] = {
		T_EQ, T_NOT, T_OPEN, T_CLOSE, T_COMMA, T_GT, T_LT,
	};
	token_t t = {T_EOS, "", 0};
	size_t p = *pos, start;

	while (is_ws(s[p]))
		p++;
	start = p;
	if (s[p] == '\0') {
		*pos = p;
		return t;
	}
	t.lit = s + p;
	if ((s[p] == '=' || s[p] == '!') && s[p + 1] == '=') {
		t.tok = s[p] == '=' ? T_DEQ : T_NEQ;
		p += 2;
	} else if (is_special(s[p])) {
		t.tok = single_toks[strchr(singles, s[p]) - singles];
		p++;
	} else {
		while (s[p] != '\0' && !is_special(s[p]) && !is_ws(s[p]))
			p++;
		t.tok = T_IDENT;
		if (p - start == 2 && memcmp(t.lit, "in", 2) == 0)
			t.tok = T_IN;
		else if (p - start == 5 && memcmp(t.lit, "notin", 5) == 0)
			t.tok = T_NOTIN;
	}
	t.len = (int)(p - start);
	*pos = p;
	return t;
}

static void scan(parser_t *ps, const char *s)
{
	size_t pos = 0;

	for (;;) {
		token_t t = lex(s, &pos);
		if (ps->n == ps->cap) {
			ps->cap = ps->cap ? ps->cap * 2 : 16;
			ps->toks = k8c_xrealloc(ps->toks, ps->cap * sizeof(token_t));
		}
		ps->toks[ps->n++] = t;
		if (t.tok == T_EOS)
			break;
	}
}

/* In the values context "in" and "notin" are plain identifiers. */
enum { CTX_KEY_OP, CTX_VALUES };

static token_t lookahead(const parser_t *ps, int ctx)
{
	token_t t = ps->toks[ps->pos];

	if (ctx == CTX_VALUES && (t.tok == T_IN || t.tok == T_NOTIN))
		t.tok = T_IDENT;
	return t;
}

static token_t consume(parser_t *ps, int ctx)
{
	token_t t = lookahead(ps, ctx);

	if (ps->pos + 1 < ps->n)
		ps->pos++;
	return t;
}

/* A sorted set of values (sets.String.List()), borrowed from the input
 * only while parsing: strings are copied. */
typedef struct valset {
	char **v;
	size_t n, cap;
} valset_t;

static void valset_add(valset_t *vs, const char *s, int len)
{
	if (vs->n == vs->cap) {
		vs->cap = vs->cap ? vs->cap * 2 : 4;
		vs->v = k8c_xrealloc(vs->v, vs->cap * sizeof(char *));
	}
	vs->v[vs->n++] = k8c_xstrndup(s, (size_t)len);
}

static void valset_finish(valset_t *vs)
{
	size_t out = 0;

	if (vs->n == 0)
		return;
	qsort(vs->v, vs->n, sizeof(char *), cmp_strp);
	for (size_t i = 0; i < vs->n; i++) {
		if (out > 0 && strcmp(vs->v[out - 1], vs->v[i]) == 0)
			free(vs->v[i]);
		else
			vs->v[out++] = vs->v[i];
	}
	vs->n = out;
}

static void valset_free(valset_t *vs)
{
	for (size_t i = 0; i < vs->n; i++)
		free(vs->v[i]);
	free(vs->v);
}

#define FOUND(err, t, what)                                                 \
	k8c_error_make(err, K8C_EINVAL, "found '%.*s', expected: " what,    \
	               (t).len, (t).lit)

/* ( v1, v2, ... ): the parser's parseValues and parseIdentifiersList. */
static int parse_values(parser_t *ps, valset_t *vs, k8c_error_t *err)
{
	token_t t = consume(ps, CTX_VALUES);

	if (t.tok != T_OPEN)
		return k8c_error_make(err, K8C_EINVAL, "found '%.*s' expected: '('",
		                      t.len, t.lit);
	t = lookahead(ps, CTX_VALUES);
	if (t.tok == T_CLOSE) {
		consume(ps, CTX_VALUES);
		valset_add(vs, "", 0); /* "()" is the set {""} */
		return 0;
	}
	if (t.tok != T_IDENT && t.tok != T_COMMA)
		return FOUND(err, t, "',', ')' or identifier");
	for (;;) {
		token_t t2;

		t = consume(ps, CTX_VALUES);
		if (t.tok == T_IDENT) {
			valset_add(vs, t.lit, t.len);
			t2 = lookahead(ps, CTX_VALUES);
			if (t2.tok == T_COMMA)
				continue;
			if (t2.tok == T_CLOSE)
				break;
			return FOUND(err, t2, "',' or ')'");
		} else if (t.tok == T_COMMA) {
			/* An empty value before, between or after commas. */
			if (vs->n == 0)
				valset_add(vs, "", 0);
			t2 = lookahead(ps, CTX_VALUES);
			if (t2.tok == T_CLOSE) {
				valset_add(vs, "", 0);
				break;
			}
			if (t2.tok == T_COMMA)
				valset_add(vs, "", 0);
		} else {
			return FOUND(err, t, "',', or identifier");
		}
	}
	consume(ps, CTX_VALUES); /* the ')' seen above */
	return 0;
}

/* The single value of =, ==, !=, > and <; empty when none is written. */
static int parse_exact_value(parser_t *ps, valset_t *vs, k8c_error_t *err)
{
	token_t t = lookahead(ps, CTX_VALUES);

	if (t.tok == T_EOS || t.tok == T_COMMA) {
		valset_add(vs, "", 0);
		return 0;
	}
	t = consume(ps, CTX_VALUES);
	if (t.tok != T_IDENT)
		return FOUND(err, t, "identifier");
	valset_add(vs, t.lit, t.len);
	return 0;
}

static int parse_requirement(parser_t *ps, k8c_label_selector_t *sel,
                             k8c_error_t *err)
{
	_cleanup_free_ char *key = NULL;
	valset_t vs = {0};
	int op = 0, double_eq = 0, ret;
	token_t t = consume(ps, CTX_VALUES);
	char msg[K8C_NAME_MSG_MAX];

	if (t.tok == T_NOT) {
		op = K8C_SEL_DOES_NOT_EXIST;
		t = consume(ps, CTX_VALUES);
	}
	if (t.tok != T_IDENT)
		return FOUND(err, t, "identifier");
	key = k8c_xstrndup(t.lit, (size_t)t.len);
	if (!k8c_is_qualified_name(key, msg, sizeof(msg)))
		return k8c_error_make(err, K8C_EINVAL,
		                      "key: Invalid value: \"%s\": %s", key, msg);
	t = lookahead(ps, CTX_VALUES);
	if (op == 0 && (t.tok == T_EOS || t.tok == T_COMMA))
		op = K8C_SEL_EXISTS;
	if (op == K8C_SEL_EXISTS || op == K8C_SEL_DOES_NOT_EXIST)
		return add_req(sel, key, op, 0, NULL, 0, err);

	t = consume(ps, CTX_KEY_OP);
	switch (t.tok) {
	case T_IN: op = K8C_SEL_IN; break;
	case T_NOTIN: op = K8C_SEL_NOT_IN; break;
	case T_EQ: op = K8C_SEL_EQUALS; break;
	case T_DEQ: op = K8C_SEL_EQUALS; double_eq = 1; break;
	case T_NEQ: op = K8C_SEL_NOT_EQUALS; break;
	case T_GT: op = K8C_SEL_GREATER_THAN; break;
	case T_LT: op = K8C_SEL_LESS_THAN; break;
	default:
		return FOUND(err, t, "in, notin, =, ==, !=, gt, lt");
	}
	if (op == K8C_SEL_IN || op == K8C_SEL_NOT_IN)
		ret = parse_values(ps, &vs, err);
	else
		ret = parse_exact_value(ps, &vs, err);
	if (ret >= 0) {
		valset_finish(&vs);
		ret = add_req(sel, key, op, double_eq,
		              (const char *const *)vs.v, vs.n, err);
	}
	valset_free(&vs);
	return ret;
}

static int parse_selector(parser_t *ps, k8c_label_selector_t *sel,
                          k8c_error_t *err)
{
	for (;;) {
		token_t t = lookahead(ps, CTX_VALUES);
		k8c_error_t inner;

		if (t.tok == T_EOS)
			return 0;
		if (t.tok != T_IDENT && t.tok != T_NOT)
			return FOUND(err, t, "!, identifier, or 'end of string'");
		if (parse_requirement(ps, sel, &inner) < 0)
			return k8c_error_make(err, K8C_EINVAL,
			                      "unable to parse requirement: %s",
			                      inner.message);
		t = consume(ps, CTX_VALUES);
		if (t.tok == T_EOS)
			return 0;
		if (t.tok != T_COMMA)
			return FOUND(err, t, "',' or 'end of string'");
		t = lookahead(ps, CTX_VALUES);
		if (t.tok != T_IDENT && t.tok != T_NOT)
			return FOUND(err, t, "identifier after ','");
	}
}

int k8c_label_selector_parse(const char *s, k8c_label_selector_t **out,
                             k8c_error_t *err)
{
	k8c_label_selector_t *sel = k8c_label_selector_new();
	parser_t ps = {0};
	int ret;

	*out = NULL;
	scan(&ps, s != NULL ? s : "");
	ret = parse_selector(&ps, sel, err);
	free(ps.toks);
	if (ret < 0) {
		k8c_label_selector_free(sel);
		return ret;
	}
	*out = sel;
	return 0;
}

/* --- the LabelSelector object (metav1.LabelSelectorAsSelector) -------- */

static int expr_from_json(k8c_label_selector_t *sel, const cJSON *expr,
                          int i, k8c_error_t *err)
{
	static const struct { const char *name; int op; } ops[] = {
		{"In", K8C_SEL_IN}, {"NotIn", K8C_SEL_NOT_IN},
		{"Exists", K8C_SEL_EXISTS}, {"DoesNotExist", K8C_SEL_DOES_NOT_EXIST},
	};
	const cJSON *key, *op, *values, *v;
	_cleanup_free_ const char **vals = NULL;
	size_t n = 0;
	int code = 0, ret;
	k8c_error_t inner;

	if (!cJSON_IsObject(expr))
		return k8c_error_make(err, K8C_EINVAL,
		                      "matchExpressions[%d]: must be an object", i);
	key = cJSON_GetObjectItemCaseSensitive(expr, "key");
	op = cJSON_GetObjectItemCaseSensitive(expr, "operator");
	values = cJSON_GetObjectItemCaseSensitive(expr, "values");
	if (!cJSON_IsString(key))
		return k8c_error_make(err, K8C_EINVAL,
		                      "matchExpressions[%d].key: Required value: "
		                      "must be a string", i);
	if (!cJSON_IsString(op))
		return k8c_error_make(err, K8C_EINVAL,
		                      "matchExpressions[%d].operator: Required value: "
		                      "must be a string", i);
	for (size_t j = 0; j < sizeof(ops) / sizeof(ops[0]); j++)
		if (strcmp(op->valuestring, ops[j].name) == 0)
			code = ops[j].op;
	if (code == 0)
		return k8c_error_make(err, K8C_EINVAL,
		                      "\"%s\" is not a valid label selector operator",
		                      op->valuestring);
	if (values != NULL && !cJSON_IsNull(values) && !cJSON_IsArray(values))
		return k8c_error_make(err, K8C_EINVAL,
		                      "matchExpressions[%d].values: must be an array "
		                      "of strings", i);
	vals = k8c_xcalloc((size_t)cJSON_GetArraySize(values) + 1, sizeof(char *));
	cJSON_ArrayForEach(v, values) {
		if (!cJSON_IsString(v))
			return k8c_error_make(err, K8C_EINVAL,
			                      "matchExpressions[%d].values[%zu]: must be "
			                      "a string", i, n);
		vals[n++] = v->valuestring;
	}
	ret = add_req(sel, key->valuestring, code, 0, vals, n, &inner);
	if (ret < 0)
		return k8c_error_make(err, K8C_EINVAL, "matchExpressions[%d].%s",
		                      i, inner.message);
	return 0;
}

static int from_json(k8c_label_selector_t *sel, const cJSON *js,
                     k8c_error_t *err)
{
	const cJSON *ml = cJSON_GetObjectItemCaseSensitive(js, "matchLabels");
	const cJSON *me = cJSON_GetObjectItemCaseSensitive(js, "matchExpressions");
	const cJSON *it;
	int i = 0, ret;

	if (cJSON_IsNull(ml))
		ml = NULL;
	if (cJSON_IsNull(me))
		me = NULL;
	if (ml != NULL && !cJSON_IsObject(ml))
		return k8c_error_make(err, K8C_EINVAL,
		                      "matchLabels: must be an object of strings");
	if (me != NULL && !cJSON_IsArray(me))
		return k8c_error_make(err, K8C_EINVAL,
		                      "matchExpressions: must be an array");
	cJSON_ArrayForEach(it, ml) {
		const char *v;

		if (!cJSON_IsString(it))
			return k8c_error_make(err, K8C_EINVAL,
			                      "matchLabels[%s]: must be a string",
			                      it->string);
		v = it->valuestring;
		ret = add_req(sel, it->string, K8C_SEL_EQUALS, 0, &v, 1, err);
		if (ret < 0)
			return ret;
	}
	cJSON_ArrayForEach(it, me) {
		ret = expr_from_json(sel, it, i++, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int k8c_label_selector_from_json(const struct cJSON *js,
                                 k8c_label_selector_t **out, k8c_error_t *err)
{
	k8c_label_selector_t *sel = k8c_label_selector_new();
	int ret;

	*out = NULL;
	if (js == NULL || cJSON_IsNull(js)) {
		sel->nothing = 1;
		*out = sel;
		return 0;
	}
	if (!cJSON_IsObject(js)) {
		k8c_label_selector_free(sel);
		return k8c_error_make(err, K8C_EINVAL,
		                      "label selector must be an object");
	}
	ret = from_json(sel, js, err);
	if (ret < 0) {
		k8c_label_selector_free(sel);
		return ret;
	}
	*out = sel;
	return 0;
}

/* --- matching and printing --------------------------------------------- */

static int has_value(const label_req_t *r, const char *v)
{
	for (size_t i = 0; i < r->n_values; i++)
		if (strcmp(r->values[i], v) == 0)
			return 1;
	return 0;
}

/* labels.Requirement.Matches.  A label whose value is not a JSON string
 * counts as absent. */
static int req_matches(const label_req_t *r, const cJSON *labels)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(labels, r->key);
	const char *val = cJSON_IsString(item) ? item->valuestring : NULL;
	int64_t have, want;

	switch (r->op) {
	case K8C_SEL_EQUALS:
	case K8C_SEL_IN:
		return val != NULL && has_value(r, val);
	case K8C_SEL_NOT_EQUALS:
	case K8C_SEL_NOT_IN:
		return val == NULL || !has_value(r, val);
	case K8C_SEL_EXISTS:
		return val != NULL;
	case K8C_SEL_DOES_NOT_EXIST:
		return val == NULL;
	case K8C_SEL_GREATER_THAN:
	case K8C_SEL_LESS_THAN:
		if (val == NULL || r->n_values != 1 || parse_int64(val, &have) < 0 ||
		    parse_int64(r->values[0], &want) < 0)
			return 0;
		return r->op == K8C_SEL_GREATER_THAN ? have > want : have < want;
	default:
		return 0;
	}
}

int k8c_label_selector_matches(const k8c_label_selector_t *sel,
                               const struct cJSON *labels)
{
	if (sel == NULL || sel->nothing)
		return 0;
	if (!cJSON_IsObject(labels))
		labels = NULL;
	for (size_t i = 0; i < sel->n; i++)
		if (!req_matches(&sel->reqs[i], labels))
			return 0;
	return 1;
}

int k8c_label_selector_is_everything(const k8c_label_selector_t *sel)
{
	return sel != NULL && !sel->nothing && sel->n == 0;
}

int k8c_label_selector_is_nothing(const k8c_label_selector_t *sel)
{
	return sel == NULL || sel->nothing;
}

size_t k8c_label_selector_count(const k8c_label_selector_t *sel)
{
	return sel != NULL ? sel->n : 0;
}

static void req_string(strbuf_t *b, const label_req_t *r)
{
	static const char *const opstr[] = {
		[K8C_SEL_EQUALS] = "=", [K8C_SEL_NOT_EQUALS] = "!=",
		[K8C_SEL_IN] = " in ", [K8C_SEL_NOT_IN] = " notin ",
		[K8C_SEL_GREATER_THAN] = ">", [K8C_SEL_LESS_THAN] = "<",
	};
	int set = r->op == K8C_SEL_IN || r->op == K8C_SEL_NOT_IN;
	_cleanup_free_ char **sorted = NULL;

	if (r->op == K8C_SEL_DOES_NOT_EXIST)
		sb_add(b, "!");
	sb_add(b, r->key);
	if (r->op == K8C_SEL_EXISTS || r->op == K8C_SEL_DOES_NOT_EXIST)
		return;
	sb_add(b, r->double_eq ? "==" : opstr[r->op]);
	if (set)
		sb_add(b, "(");
	sorted = k8c_xcalloc(r->n_values + 1, sizeof(char *));
	if (r->n_values > 0) {
		memcpy(sorted, r->values, r->n_values * sizeof(char *));
		qsort(sorted, r->n_values, sizeof(char *), cmp_strp);
	}
	for (size_t i = 0; i < r->n_values; i++) {
		if (i > 0)
			sb_add(b, ",");
		sb_add(b, sorted[i]);
	}
	if (set)
		sb_add(b, ")");
}

char *k8c_label_selector_string(const k8c_label_selector_t *sel)
{
	strbuf_t b = {0};

	for (size_t i = 0; sel != NULL && !sel->nothing && i < sel->n; i++) {
		if (i > 0)
			sb_add(&b, ",");
		req_string(&b, &sel->reqs[i]);
	}
	return sb_take(&b);
}
