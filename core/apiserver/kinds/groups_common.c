/* Helpers shared by the non-core kinds: see groups_common.h. */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/kinds/core.h"
#include "apiserver/kinds/groups.h"
#include "apiserver/kinds/groups_common.h"
#include "apiserver/kinds/util.h"
#include "common/mem.h"
#include "common/names.h"
#include "common/timestamp.h"

/* --- growing strings ---------------------------------------------------- */

void k8c_sbuf_add(k8c_sbuf_t *b, const char *fmt, ...)
{
	va_list ap;
	char *piece;
	size_t n;

	va_start(ap, fmt);
	piece = k8c_xvasprintf(fmt, ap);
	va_end(ap);
	n = strlen(piece);
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = k8c_xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, piece, n + 1);
	b->len += n;
	free(piece);
}

char *k8c_sbuf_take(k8c_sbuf_t *b)
{
	char *s = b->s != NULL ? b->s : k8c_xstrdup("");

	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

/* --- JSON --------------------------------------------------------------- */

int k8c_groups_set(const cJSON *v)
{
	return v != NULL && !cJSON_IsNull(v);
}

const char *k8c_groups_member(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int k8c_groups_len(const cJSON *v)
{
	return cJSON_IsArray(v) ? cJSON_GetArraySize(v) : 0;
}

static int is_zero(const cJSON *v)
{
	if (!k8c_groups_set(v) || cJSON_IsFalse(v))
		return 1;
	if (cJSON_IsNumber(v))
		return v->valuedouble == 0;
	if (cJSON_IsString(v))
		return v->valuestring[0] == '\0';
	if (cJSON_IsArray(v) || cJSON_IsObject(v))
		return v->child == NULL;
	return 0;
}

int k8c_groups_equal(const cJSON *a, const cJSON *b)
{
	const cJSON *x, *y;

	if (is_zero(a) || is_zero(b))
		return is_zero(a) && is_zero(b);
	if ((a->type & 0xff) != (b->type & 0xff))
		return 0;
	if (cJSON_IsNumber(a))
		return a->valuedouble == b->valuedouble;
	if (cJSON_IsString(a))
		return strcmp(a->valuestring, b->valuestring) == 0;
	if (cJSON_IsArray(a)) {
		if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
			return 0;
		for (x = a->child, y = b->child; x != NULL; x = x->next, y = y->next)
			if (!k8c_groups_equal(x, y))
				return 0;
		return 1;
	}
	if (cJSON_IsObject(a)) {
		cJSON_ArrayForEach(x, a)
			if (!k8c_groups_equal(x, cJSON_GetObjectItemCaseSensitive(b, x->string)))
				return 0;
		cJSON_ArrayForEach(y, b)
			if (cJSON_GetObjectItemCaseSensitive(a, y->string) == NULL && !is_zero(y))
				return 0;
		return 1;
	}
	return 1; /* true == true */
}

void k8c_groups_reset_status(cJSON *obj)
{
	if (!cJSON_IsObject(obj))
		return;
	cJSON_DeleteItemFromObjectCaseSensitive(obj, "status");
	cJSON_AddObjectToObject(obj, "status");
}

int k8c_groups_time(const char *ts, long long *out)
{
	int64_t ns;

	*out = 0;
	if (ts == NULL)
		return 0;
	if (k8c_time_parse(ts, &ns, NULL) < 0)
		return -1;
	*out = ns / 1000000000LL;
	return 1;
}

/* --- Go renderings ------------------------------------------------------ */

char *k8c_go_quote(const char *s)
{
	k8c_sbuf_t b = {0};

	k8c_sbuf_add(&b, "\"");
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '"': k8c_sbuf_add(&b, "\\\""); break;
		case '\\': k8c_sbuf_add(&b, "\\\\"); break;
		case '\a': k8c_sbuf_add(&b, "\\a"); break;
		case '\b': k8c_sbuf_add(&b, "\\b"); break;
		case '\f': k8c_sbuf_add(&b, "\\f"); break;
		case '\n': k8c_sbuf_add(&b, "\\n"); break;
		case '\r': k8c_sbuf_add(&b, "\\r"); break;
		case '\t': k8c_sbuf_add(&b, "\\t"); break;
		case '\v': k8c_sbuf_add(&b, "\\v"); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				k8c_sbuf_add(&b, "\\x%02x", *p);
			else
				k8c_sbuf_add(&b, "%c", *p);
		}
	}
	k8c_sbuf_add(&b, "\"");
	return k8c_sbuf_take(&b);
}

static int cmp_member(const void *a, const void *b)
{
	return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

/* The members of an object sorted by key (Go prints maps that way). */
static const cJSON **sorted_members(const cJSON *m, size_t *n)
{
	const cJSON **v = k8c_xcalloc((size_t)cJSON_GetArraySize(m) + 1, sizeof(*v));
	const cJSON *it;

	*n = 0;
	cJSON_ArrayForEach(it, m)
		v[(*n)++] = it;
	qsort(v, *n, sizeof(*v), cmp_member);
	return v;
}

static void add_go_value(k8c_sbuf_t *b, const cJSON *v)
{
	_cleanup_free_ char *s = cJSON_IsString(v) ? k8c_go_quote(v->valuestring) : k8c_go_json(v);

	k8c_sbuf_add(b, "%s", s);
}

char *k8c_go_string_map(const cJSON *m)
{
	k8c_sbuf_t b = {0};
	_cleanup_free_ const cJSON **v = NULL;
	size_t n;

	if (!cJSON_IsObject(m))
		return k8c_xstrdup("map[string]string(nil)");
	v = sorted_members(m, &n);
	k8c_sbuf_add(&b, "map[string]string{");
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *k = k8c_go_quote(v[i]->string);
		k8c_sbuf_add(&b, "%s%s:", i ? ", " : "", k);
		add_go_value(&b, v[i]);
	}
	k8c_sbuf_add(&b, "}");
	return k8c_sbuf_take(&b);
}

char *k8c_go_string_slice(const cJSON *a)
{
	k8c_sbuf_t b = {0};
	const cJSON *it;
	int i = 0;

	if (!cJSON_IsArray(a))
		return k8c_xstrdup("[]string(nil)");
	k8c_sbuf_add(&b, "[]string{");
	cJSON_ArrayForEach(it, a) {
		k8c_sbuf_add(&b, "%s", i++ ? ", " : "");
		add_go_value(&b, it);
	}
	k8c_sbuf_add(&b, "}");
	return k8c_sbuf_take(&b);
}

char *k8c_go_label_selector(const cJSON *sel)
{
	const cJSON *me, *e;
	k8c_sbuf_t b = {0};
	_cleanup_free_ char *ml = NULL;
	int i = 0;

	if (!cJSON_IsObject(sel))
		return k8c_xstrdup("null");
	ml = k8c_go_string_map(cJSON_GetObjectItemCaseSensitive(sel, "matchLabels"));
	me = cJSON_GetObjectItemCaseSensitive(sel, "matchExpressions");
	k8c_sbuf_add(&b, "v1.LabelSelector{MatchLabels:%s, MatchExpressions:", ml);
	if (!cJSON_IsArray(me)) {
		k8c_sbuf_add(&b, "[]v1.LabelSelectorRequirement(nil)}");
		return k8c_sbuf_take(&b);
	}
	k8c_sbuf_add(&b, "[]v1.LabelSelectorRequirement{");
	cJSON_ArrayForEach(e, me) {
		_cleanup_free_ char *key = k8c_go_quote(k8c_jstr(e, "key"));
		_cleanup_free_ char *op = k8c_go_quote(k8c_jstr(e, "operator"));
		_cleanup_free_ char *vals = k8c_go_string_slice(k8c_jget(e, "values"));
		k8c_sbuf_add(&b, "%sv1.LabelSelectorRequirement{Key:%s, Operator:%s, Values:%s}",
		             i++ ? ", " : "", key, op, vals);
	}
	k8c_sbuf_add(&b, "}}");
	return k8c_sbuf_take(&b);
}

char *k8c_go_int_or_string(const cJSON *v)
{
	_cleanup_free_ char *q = NULL;

	if (cJSON_IsString(v)) {
		q = k8c_go_quote(v->valuestring);
		return k8c_xasprintf("intstr.IntOrString{Type:1, IntVal:0, StrVal:%s}", q);
	}
	return k8c_xasprintf("intstr.IntOrString{Type:0, IntVal:%lld, StrVal:\"\"}",
	                     cJSON_IsNumber(v) ? (long long)v->valuedouble : 0LL);
}

char *k8c_go_json(const cJSON *v)
{
	if (!k8c_groups_set(v))
		return k8c_xstrdup("null");
	if (cJSON_IsNumber(v) && v->valuedouble == (double)(long long)v->valuedouble)
		return k8c_xasprintf("%lld", (long long)v->valuedouble);
	return cJSON_PrintUnformatted(v);
}

/* --- errors ------------------------------------------------------------- */

void k8c_groups_err(k8c_field_errors_t *errs, int type, const char *field, char *value,
                    const char *fmt, ...)
{
	va_list ap;
	_cleanup_free_ char *detail = NULL;

	if (fmt != NULL) {
		va_start(ap, fmt);
		detail = k8c_xvasprintf(fmt, ap);
		va_end(ap);
	}
	if (detail != NULL)
		k8c_field_error_add_raw(errs, type, field, value, "%s", detail);
	else
		k8c_field_error_add_raw(errs, type, field, value, NULL);
	free(value);
}

void k8c_groups_nonneg(k8c_field_errors_t *errs, const char *field, const cJSON *v)
{
	if (cJSON_IsNumber(v) && v->valuedouble < 0)
		k8c_groups_err(errs, K8C_FIELD_INVALID, field,
		               k8c_xasprintf("%lld", (long long)v->valuedouble), K8C_NONNEG_MSG);
}

void k8c_groups_immutable(k8c_field_errors_t *errs, const char *field, const cJSON *now,
                          const cJSON *before, char *value)
{
	if (k8c_groups_equal(now, before)) {
		free(value);
		return;
	}
	k8c_groups_err(errs, K8C_FIELD_INVALID, field, value, K8C_IMMUTABLE_MSG);
}

/* --- generic validators ------------------------------------------------- */

void k8c_groups_name_errs(k8c_field_errors_t *errs, const char *field, const char *value,
                          int (*check)(const char *, char *, size_t))
{
	char msg[2048];
	char *p = msg;

	if (check(value, msg, sizeof(msg)))
		return;
	while (p != NULL) {
		char *sep = strstr(p, "; ");
		if (sep != NULL)
			*sep = '\0';
		k8c_groups_err(errs, K8C_FIELD_INVALID, field, k8c_go_quote(value), "%s", p);
		p = sep != NULL ? sep + 2 : NULL;
	}
}

void k8c_groups_labels(k8c_field_errors_t *errs, const cJSON *labels, const char *field)
{
	const cJSON *it;

	if (!cJSON_IsObject(labels))
		return;
	cJSON_ArrayForEach(it, labels) {
		k8c_groups_name_errs(errs, field, it->string, k8c_is_qualified_name);
		if (cJSON_IsString(it))
			k8c_groups_name_errs(errs, field, it->valuestring, k8c_is_label_value);
	}
}

void k8c_groups_annotations(k8c_field_errors_t *errs, const cJSON *ann, const char *field)
{
	const cJSON *it;
	size_t total = 0;

	if (!cJSON_IsObject(ann))
		return;
	cJSON_ArrayForEach(it, ann) {
		_cleanup_free_ char *lower = k8c_xstrdup(it->string);
		char msg[2048];
		for (char *c = lower; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		if (!k8c_is_qualified_name(lower, msg, sizeof(msg))) {
			char *p = msg;
			while (p != NULL) {
				char *sep = strstr(p, "; ");
				if (sep != NULL)
					*sep = '\0';
				k8c_groups_err(errs, K8C_FIELD_INVALID, field, k8c_go_quote(it->string),
				               "%s", p);
				p = sep != NULL ? sep + 2 : NULL;
			}
		}
		total += strlen(it->string) + (cJSON_IsString(it) ? strlen(it->valuestring) : 0);
	}
	if (total > K8C_ANNOTATIONS_SIZE_MAX)
		k8c_groups_err(errs, K8C_FIELD_TOO_LONG, field, NULL, "may not be more than %d bytes",
		               K8C_ANNOTATIONS_SIZE_MAX);
}

static void selector_requirement(k8c_field_errors_t *errs, const cJSON *e, const char *base)
{
	const char *op = k8c_jstr(e, "operator");
	const cJSON *values = k8c_jget(e, "values"), *v;
	_cleanup_free_ char *vpath = k8c_xasprintf("%s.values", base);
	_cleanup_free_ char *kpath = k8c_xasprintf("%s.key", base);
	int n = k8c_groups_len(values), j = 0;

	if (op != NULL && (strcmp(op, "In") == 0 || strcmp(op, "NotIn") == 0)) {
		if (n == 0)
			k8c_groups_err(errs, K8C_FIELD_REQUIRED, vpath, NULL,
			               "must be specified when `operator` is 'In' or 'NotIn'");
	} else if (op != NULL && (strcmp(op, "Exists") == 0 || strcmp(op, "DoesNotExist") == 0)) {
		if (n > 0)
			k8c_groups_err(errs, K8C_FIELD_FORBIDDEN, vpath, NULL,
			               "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
	} else {
		_cleanup_free_ char *opath = k8c_xasprintf("%s.operator", base);
		k8c_groups_err(errs, K8C_FIELD_INVALID, opath, k8c_go_quote(op ? op : ""),
		               "not a valid selector operator");
	}
	k8c_groups_name_errs(errs, kpath, k8c_jstr(e, "key") ? k8c_jstr(e, "key") : "",
	                     k8c_is_qualified_name);
	cJSON_ArrayForEach(v, values) {
		_cleanup_free_ char *p = k8c_xasprintf("%s[%d]", vpath, j++);
		if (cJSON_IsString(v))
			k8c_groups_name_errs(errs, p, v->valuestring, k8c_is_label_value);
	}
}

void k8c_groups_label_selector(k8c_field_errors_t *errs, const cJSON *sel, const char *field)
{
	_cleanup_free_ char *ml = k8c_xasprintf("%s.matchLabels", field);
	const cJSON *e;
	int i = 0;

	if (!cJSON_IsObject(sel))
		return;
	k8c_groups_labels(errs, k8c_jget(sel, "matchLabels"), ml);
	cJSON_ArrayForEach(e, k8c_jget(sel, "matchExpressions")) {
		_cleanup_free_ char *p = k8c_xasprintf("%s.matchExpressions[%d]", field, i++);
		selector_requirement(errs, e, p);
	}
}

k8c_label_selector_t *k8c_groups_selector(const cJSON *sel)
{
	k8c_label_selector_t *out = NULL;

	if (k8c_label_selector_from_json(sel, &out, NULL) < 0)
		return NULL;
	return out;
}

void k8c_groups_selector_immutable(k8c_field_errors_t *errs, const cJSON *obj, const cJSON *old)
{
	const cJSON *now = k8c_jget(obj, "spec.selector");

	k8c_groups_immutable(errs, "spec.selector", now, k8c_jget(old, "spec.selector"),
	                     k8c_go_label_selector(now));
}

/* --- int or percent ----------------------------------------------------- */

#define PERCENT_ERR                                                              \
	"a valid percent string must be a numeric string followed by an ending "  \
	"'%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"

/* IsValidPercent; *pct receives the number. */
static int percent(const cJSON *v, long long *pct)
{
	const char *s = cJSON_IsString(v) ? v->valuestring : NULL;
	size_t n = s ? strlen(s) : 0, i;

	if (n < 2 || s[n - 1] != '%')
		return 0;
	for (i = 0; i + 1 < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	*pct = strtoll(s, NULL, 10);
	return 1;
}

void k8c_groups_int_or_percent(k8c_field_errors_t *errs, const cJSON *v, const char *field)
{
	long long p;

	if (cJSON_IsString(v) && !percent(v, &p))
		k8c_groups_err(errs, K8C_FIELD_INVALID, field, k8c_go_int_or_string(v), "%s", PERCENT_ERR);
	else if (cJSON_IsNumber(v))
		k8c_groups_nonneg(errs, field, v);
}

void k8c_groups_max_100_percent(k8c_field_errors_t *errs, const cJSON *v, const char *field)
{
	long long p;

	if (percent(v, &p) && p > 100)
		k8c_groups_err(errs, K8C_FIELD_INVALID, field, k8c_go_int_or_string(v),
		               "must not be greater than 100%%");
}

long long k8c_groups_int_or_percent_value(const cJSON *v)
{
	long long p;
	char *end;

	if (percent(v, &p))
		return p;
	if (cJSON_IsString(v)) { /* intstr's IntValue: Atoi, 0 when it fails */
		p = strtoll(v->valuestring, &end, 10);
		return *v->valuestring != '\0' && *end == '\0' ? p : 0;
	}
	return cJSON_IsNumber(v) ? (long long)v->valuedouble : 0;
}

/* --- the pod template --------------------------------------------------- */

void k8c_groups_pod_template_defaults(cJSON *tmpl)
{
	cJSON *spec = cJSON_IsObject(tmpl) ? cJSON_GetObjectItemCaseSensitive(tmpl, "spec") : NULL;

	if (cJSON_IsObject(spec))
		k8c_core_podspec_defaults(spec);
}

void k8c_groups_pod_template_validate(k8c_field_errors_t *errs, const cJSON *tmpl,
                                      const char *path)
{
	/* labels, the pod spec and no ephemeral containers: the core kinds' */
	k8c_core_pod_template_validate(tmpl, path, errs);
}

const char *k8c_groups_restart_policy(const cJSON *tmpl)
{
	const char *rp = k8c_jstr(tmpl, "spec.restartPolicy");

	return rp != NULL && rp[0] != '\0' ? rp : "Always";
}

void k8c_groups_template_matches(k8c_field_errors_t *errs, const k8c_label_selector_t *sel,
                                 const cJSON *tmpl, const char *path)
{
	const cJSON *labels = k8c_jget(tmpl, "metadata.labels");
	_cleanup_free_ char *p = NULL;

	if (k8c_label_selector_is_everything(sel) || k8c_label_selector_matches(sel, labels))
		return;
	p = k8c_xasprintf("%s.metadata.labels", path);
	k8c_groups_err(errs, K8C_FIELD_INVALID, p, k8c_go_string_map(labels),
	               "`selector` does not match template `labels`");
}

/* --- status ------------------------------------------------------------- */

void k8c_groups_status_nonneg(k8c_field_errors_t *errs, const cJSON *status,
                              const char *const *names)
{
	for (; *names != NULL; names++) {
		_cleanup_free_ char *p = k8c_xasprintf("status.%s", *names);
		k8c_groups_nonneg(errs, p, k8c_jget(status, *names));
	}
}

void k8c_groups_status_le(k8c_field_errors_t *errs, const cJSON *status, const char *name,
                          const char *limit, const char *msg)
{
	long long v = k8c_jint(status, name, 0), max = k8c_jint(status, limit, 0);
	_cleanup_free_ char *p = NULL;

	if (v <= max)
		return;
	p = k8c_xasprintf("status.%s", name);
	k8c_groups_err(errs, K8C_FIELD_INVALID, p, k8c_xasprintf("%lld", v), "%s", msg);
}

void k8c_groups_collision_count(k8c_field_errors_t *errs, const cJSON *obj, const cJSON *old)
{
	const cJSON *now = k8c_jget(obj, "status.collisionCount");
	const cJSON *before = k8c_jget(old, "status.collisionCount");
	int dec;

	if (!cJSON_IsNumber(before))
		return;
	dec = !cJSON_IsNumber(now) || now->valuedouble < before->valuedouble;
	if (dec)
		k8c_groups_err(errs, K8C_FIELD_INVALID, "status.collisionCount",
		               k8c_xasprintf("%lld", cJSON_IsNumber(now) ? (long long)now->valuedouble : 0LL),
		               "cannot be decremented");
}

/* --- Table cells -------------------------------------------------------- */

void k8c_cell_str(cJSON *cells, const char *s)
{
	cJSON_AddItemToArray(cells, cJSON_CreateString(s ? s : ""));
}

void k8c_cell_own(cJSON *cells, char *s)
{
	k8c_cell_str(cells, s);
	free(s);
}

void k8c_cell_int(cJSON *cells, long long v)
{
	cJSON_AddItemToArray(cells, cJSON_CreateNumber((double)v));
}

void k8c_cell_name(cJSON *cells, const cJSON *obj)
{
	k8c_cell_str(cells, k8c_jstr(obj, "metadata.name"));
}

void k8c_cell_age(cJSON *cells, const cJSON *obj, long long now_s)
{
	char buf[K8C_DURATION_STRLEN];

	k8c_cell_str(cells, k8c_age(obj, now_s, buf));
}

void k8c_cell_containers(cJSON *cells, const cJSON *podspec)
{
	k8c_sbuf_t names = {0}, images = {0};
	const cJSON *c;
	int i = 0;

	cJSON_ArrayForEach(c, k8c_jget(podspec, "containers")) {
		const char *n = k8c_jstr(c, "name"), *im = k8c_jstr(c, "image");
		k8c_sbuf_add(&names, "%s%s", i ? "," : "", n ? n : "");
		k8c_sbuf_add(&images, "%s%s", i ? "," : "", im ? im : "");
		i++;
	}
	k8c_cell_own(cells, k8c_sbuf_take(&names));
	k8c_cell_own(cells, k8c_sbuf_take(&images));
}

char *k8c_groups_format_selector(const cJSON *sel)
{
	k8c_label_selector_t *s = k8c_groups_selector(sel);
	char *str;

	if (s == NULL)
		return k8c_xstrdup("<error>");
	str = k8c_label_selector_string(s);
	k8c_label_selector_free(s);
	if (str[0] == '\0') {
		free(str);
		return k8c_xstrdup("<none>");
	}
	return str;
}

char *k8c_groups_format_labels(const cJSON *map)
{
	k8c_sbuf_t b = {0};
	_cleanup_free_ const cJSON **v = NULL;
	size_t n = 0;

	if (cJSON_IsObject(map))
		v = sorted_members(map, &n);
	if (n == 0)
		return k8c_xstrdup("<none>");
	for (size_t i = 0; i < n; i++)
		k8c_sbuf_add(&b, "%s%s=%s", i ? "," : "", v[i]->string,
		             cJSON_IsString(v[i]) ? v[i]->valuestring : "");
	return k8c_sbuf_take(&b);
}

/* --- RBAC names (here so that the core can call it without rbac.c) ------ */

int k8c_rbac_name_valid(const char *name, char *msg, size_t msglen)
{
	k8c_sbuf_t b = {0};
	_cleanup_free_ char *s = NULL;
	int ok = 1;

	if (name == NULL)
		name = "";
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		k8c_sbuf_add(&b, "may not be '%s'", name);
		ok = 0;
	} else {
		if (strchr(name, '/') != NULL) {
			k8c_sbuf_add(&b, "may not contain '/'");
			ok = 0;
		}
		if (strchr(name, '%') != NULL) {
			k8c_sbuf_add(&b, "%smay not contain '%%'", ok ? "" : "; ");
			ok = 0;
		}
	}
	s = k8c_sbuf_take(&b);
	if (msg != NULL && msglen > 0)
		snprintf(msg, msglen, "%s", s);
	return ok;
}

void k8c_groups_sort_object(cJSON *obj)
{
	_cleanup_free_ const cJSON **v = NULL;
	size_t n;

	if (!cJSON_IsObject(obj) || obj->child == NULL)
		return;
	v = sorted_members(obj, &n);
	for (size_t i = 0; i < n; i++) {
		cJSON *it = (cJSON *)v[i];
		it->prev = i > 0 ? (cJSON *)v[i - 1] : (cJSON *)v[n - 1]; /* cJSON: head->prev is the tail */
		it->next = i + 1 < n ? (cJSON *)v[i + 1] : NULL;
	}
	obj->child = (cJSON *)v[0];
}
