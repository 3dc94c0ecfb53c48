/* Field selectors, parsed and matched as apimachinery's pkg/fields does
 * (same escaping, same error wording). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/mem.h"
#include "common/selector.h"
#include "common/selector_internal.h"

typedef struct field_term {
	char *field;
	int op;       /* K8C_SEL_EQUALS or K8C_SEL_NOT_EQUALS */
	char *value;  /* unescaped */
	char *text;   /* canonical: field, "=" or "!=", escaped value */
} field_term_t;

struct k8c_field_selector {
	size_t n;
	field_term_t *terms; /* sorted by text */
};

void k8c_field_selector_free(k8c_field_selector_t *sel)
{
	if (sel == NULL)
		return;
	for (size_t i = 0; i < sel->n; i++) {
		free(sel->terms[i].field);
		free(sel->terms[i].value);
		free(sel->terms[i].text);
	}
	free(sel->terms);
	free(sel);
}

/* fields.UnescapeValue: "\\", "\," and "\=" stand for themselves; any
 * other escape, a trailing '\' and a bare ',' or '=' are errors. */
static int unescape_value(const char *s, char **out, k8c_error_t *err)
{
	char *v = k8c_xmalloc(strlen(s) + 1), *o = v;

	for (; *s != '\0'; s++) {
		if (*s == '\\') {
			s++;
			if (*s != '\\' && *s != ',' && *s != '=') {
				int n = 1;
				/* Name the whole character, as Go prints a rune. */
				while ((*s & 0x80) && n < 4 && (s[n] & 0xc0) == 0x80)
					n++;
				free(v);
				return k8c_error_make(err, K8C_EINVAL,
				                      "invalid field selector: invalid escape "
				                      "sequence: \\%.*s", *s ? n : 0, s);
			}
		} else if (*s == ',' || *s == '=') {
			free(v);
			return k8c_error_make(err, K8C_EINVAL,
			                      "invalid field selector: unescaped "
			                      "character in value: '%c'", *s);
		}
		*o++ = *s;
	}
	*o = '\0';
	*out = v;
	return 0;
}

/* fields.EscapeValue */
static void escape_value(strbuf_t *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == ',' || *s == '=')
			sb_addn(b, "\\", 1);
		sb_addn(b, s, 1);
	}
}

/* Split term at the first "!=", "==" or "=" (tried in that order at each
 * position): the field has no escaping. */
static int split_term(const char *term, size_t *lhs_len, int *op,
                      const char **rhs)
{
	for (size_t i = 0; term[i] != '\0'; i++) {
		if (strncmp(term + i, "!=", 2) == 0) {
			*op = K8C_SEL_NOT_EQUALS;
			*rhs = term + i + 2;
		} else if (strncmp(term + i, "==", 2) == 0) {
			*op = K8C_SEL_EQUALS;
			*rhs = term + i + 2;
		} else if (term[i] == '=') {
			*op = K8C_SEL_EQUALS;
			*rhs = term + i + 1;
		} else {
			continue;
		}
		*lhs_len = i;
		return 0;
	}
	return -1;
}

static int parse_term(k8c_field_selector_t *sel, const char *whole,
                      const char *part, k8c_error_t *err)
{
	field_term_t *t;
	const char *rhs = NULL;
	size_t lhs_len = 0;
	int op = 0, ret;
	char *value = NULL;
	strbuf_t b = {0};

	if (split_term(part, &lhs_len, &op, &rhs) < 0)
		return k8c_error_make(err, K8C_EINVAL,
		                      "invalid selector: '%s'; can't understand '%s'",
		                      whole, part);
	if (lhs_len == 0)
		return k8c_error_make(err, K8C_EINVAL,
		                      "invalid selector: '%s'; no field name in '%s'",
		                      whole, part);
	ret = unescape_value(rhs, &value, err);
	if (ret < 0)
		return ret;
	t = &sel->terms[sel->n++];
	t->field = k8c_xstrndup(part, lhs_len);
	t->op = op;
	t->value = value;
	sb_add(&b, t->field);
	sb_add(&b, op == K8C_SEL_EQUALS ? "=" : "!=");
	escape_value(&b, value);
	t->text = sb_take(&b);
	return 0;
}

static int cmp_term(const void *a, const void *b)
{
	return strcmp(((const field_term_t *)a)->text,
	              ((const field_term_t *)b)->text);
}

/* Terms split at commas not escaped by '\', kept with their escapes. */
static char **split_terms(const char *s, size_t *count)
{
	size_t n = 1, start = 0, k = 0;
	char **parts;
	int slash = 0;

	for (size_t i = 0; s[i] != '\0'; i++)
		n += s[i] == ',';
	parts = k8c_xcalloc(n, sizeof(char *));
	for (size_t i = 0;; i++) {
		if (s[i] == '\0' || (!slash && s[i] == ',')) {
			parts[k++] = k8c_xstrndup(s + start, i - start);
			start = i + 1;
			if (s[i] == '\0')
				break;
			continue;
		}
		slash = !slash && s[i] == '\\';
	}
	*count = k;
	return parts;
}

int k8c_field_selector_parse(const char *s, k8c_field_selector_t **out,
                             k8c_error_t *err)
{
	k8c_field_selector_t *sel = k8c_xcalloc(1, sizeof(*sel));
	char **parts = NULL;
	size_t n = 0;
	int ret = 0;

	*out = NULL;
	if (s == NULL)
		s = "";
	if (s[0] != '\0')
		parts = split_terms(s, &n);
	/* Parsed in sorted order, as ParseSelector does, so that the first
	 * bad term it would name is the one named here. */
	if (n > 0)
		qsort(parts, n, sizeof(char *), cmp_strp);
	sel->terms = k8c_xcalloc(n + 1, sizeof(field_term_t));
	for (size_t i = 0; i < n && ret >= 0; i++)
		if (parts[i][0] != '\0')
			ret = parse_term(sel, s, parts[i], err);
	for (size_t i = 0; i < n; i++)
		free(parts[i]);
	free(parts);
	if (ret < 0) {
		k8c_field_selector_free(sel);
		return ret;
	}
	/* Kubernetes prints terms in the order of their raw text; sorting by
	 * the canonical text instead makes String() a fixed point. */
	if (sel->n > 0)
		qsort(sel->terms, sel->n, sizeof(field_term_t), cmp_term);
	*out = sel;
	return 0;
}

size_t k8c_field_selector_count(const k8c_field_selector_t *sel)
{
	return sel != NULL ? sel->n : 0;
}

void k8c_field_selector_term(const k8c_field_selector_t *sel, size_t i,
                             const char **field, int *op, const char **value)
{
	const field_term_t *t = sel != NULL && i < sel->n ? &sel->terms[i] : NULL;

	if (field != NULL)
		*field = t != NULL ? t->field : NULL;
	if (op != NULL)
		*op = t != NULL ? t->op : 0;
	if (value != NULL)
		*value = t != NULL ? t->value : NULL;
}

static int term_holds(const field_term_t *t, const char *have)
{
	int eq = strcmp(have != NULL ? have : "", t->value) == 0;

	return t->op == K8C_SEL_EQUALS ? eq : !eq;
}

int k8c_field_selector_matches(const k8c_field_selector_t *sel,
                               k8c_field_get_fn get, void *udata)
{
	for (size_t i = 0; sel != NULL && i < sel->n; i++)
		if (!term_holds(&sel->terms[i], get(udata, sel->terms[i].field)))
			return 0;
	return 1;
}

/* The text of the field at a dotted path, or NULL when there is none or it
 * is null, an object or an array.  The caller frees it. */
static char *json_field_text(const cJSON *obj, const char *path)
{
	_cleanup_free_ char *copy = k8c_xstrdup(path);
	char *seg = copy, *dot;
	const cJSON *cur = obj;

	for (;;) {
		dot = strchr(seg, '.');
		if (dot != NULL)
			*dot = '\0';
		if (!cJSON_IsObject(cur) || seg[0] == '\0')
			return NULL;
		cur = cJSON_GetObjectItemCaseSensitive(cur, seg);
		if (dot == NULL)
			break;
		seg = dot + 1;
	}
	if (cJSON_IsString(cur))
		return k8c_xstrdup(cur->valuestring);
	if (cJSON_IsNumber(cur) || cJSON_IsBool(cur)) {
		char *s = cJSON_PrintUnformatted(cur);
		if (s == NULL)
			k8c_die("out of memory printing JSON");
		return s;
	}
	return NULL;
}

int k8c_field_selector_matches_json(const k8c_field_selector_t *sel,
                                    const struct cJSON *obj)
{
	for (size_t i = 0; sel != NULL && i < sel->n; i++) {
		_cleanup_free_ char *have = json_field_text(obj, sel->terms[i].field);
		if (!term_holds(&sel->terms[i], have))
			return 0;
	}
	return 1;
}

int k8c_field_selector_is_everything(const k8c_field_selector_t *sel)
{
	return sel == NULL || sel->n == 0;
}

char *k8c_field_selector_string(const k8c_field_selector_t *sel)
{
	strbuf_t b = {0};

	for (size_t i = 0; sel != NULL && i < sel->n; i++) {
		if (i > 0)
			sb_add(&b, ",");
		sb_add(&b, sel->terms[i].text);
	}
	return sb_take(&b);
}
