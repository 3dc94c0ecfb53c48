/* Helpers shared by the three patch kinds: copies, equality, keeping the
 * root node when a patch replaces the document, and the Go formatting the
 * strategic merge patch errors need to read as Kubernetes' do. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#define K8C_PATCH_INTERNAL
#include "apiserver/patch.h"
#include "common/mem.h"

static cJSON *checked(cJSON *v)
{
	if (v == NULL)
		k8c_die("out of memory building JSON");
	return v;
}

int k8c_patch_shadowed(const cJSON *m)
{
	if (m->string == NULL)
		return 0;
	for (const cJSON *o = m->next; o != NULL; o = o->next)
		if (o->string != NULL && strcmp(o->string, m->string) == 0)
			return 1;
	return 0;
}

cJSON *k8c_patch_get(const cJSON *obj, const char *key)
{
	cJSON *found = NULL;

	if (!cJSON_IsObject(obj))
		return NULL;
	for (cJSON *m = obj->child; m != NULL; m = m->next)
		if (m->string != NULL && strcmp(m->string, key) == 0)
			found = m;
	return found;
}

struct kp_entry {
	cJSON *m;
	size_t pos;
};

static int cmp_kp(const void *x, const void *y)
{
	const struct kp_entry *a = x, *b = y;
	int c = strcmp(a->m->string, b->m->string);

	return c != 0 ? c : (a->pos < b->pos ? -1 : a->pos > b->pos);
}

/* Sorting (by key, then position) finds the duplicates in O(k log k):
 * big ConfigMaps get patched too.  Of each key, the last member stays. */
static void dedupe_members(cJSON *obj)
{
	size_t n = 0, i = 0;
	struct kp_entry *kp;

	for (cJSON *m = obj->child; m != NULL; m = m->next) {
		if (m->string == NULL)
			return; /* not an object the parser made: leave it */
		n++;
	}
	if (n < 2)
		return;
	kp = k8c_xcalloc(n, sizeof(*kp));
	for (cJSON *m = obj->child; m != NULL; m = m->next, i++)
		kp[i] = (struct kp_entry){m, i};
	qsort(kp, n, sizeof(*kp), cmp_kp);
	for (i = 0; i + 1 < n; i++)
		if (strcmp(kp[i].m->string, kp[i + 1].m->string) == 0)
			cJSON_Delete(cJSON_DetachItemViaPointer(obj, kp[i].m));
	free(kp);
}

void k8c_patch_dedupe(cJSON *v)
{
	if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
		return;
	if (cJSON_IsObject(v))
		dedupe_members(v);
	for (cJSON *m = v->child; m != NULL; m = m->next)
		k8c_patch_dedupe(m);
}

cJSON *k8c_patch_copy(const cJSON *v)
{
	cJSON *c = checked(cJSON_Duplicate(v, 1));

	k8c_patch_dedupe(c);
	return c;
}

void k8c_patch_replace_member(cJSON *obj, cJSON *old, cJSON *v)
{
	if (v->string != NULL && !(v->type & cJSON_StringIsConst))
		free(v->string);
	v->type &= ~cJSON_StringIsConst;
	v->string = k8c_xstrdup(old->string);
	if (!cJSON_ReplaceItemViaPointer(obj, old, v))
		k8c_die("cJSON_ReplaceItemViaPointer failed");
}

void k8c_patch_add_member(cJSON *obj, const char *key, cJSON *v)
{
	if (!cJSON_AddItemToObject(obj, key, v))
		k8c_die("out of memory adding \"%s\"", key);
}

static int kind_of(const cJSON *v)
{
	if (v == NULL)
		return 0;
	switch (v->type & 0xFF) {
	case cJSON_False:
	case cJSON_True:
		return cJSON_True;
	default:
		return v->type & 0xFF;
	}
}

int k8c_patch_equal(const cJSON *a, const cJSON *b)
{
	size_t na = 0, nb = 0;

	if (a == NULL || b == NULL)
		return a == b;
	if (kind_of(a) != kind_of(b))
		return 0;
	switch (a->type & 0xFF) {
	case cJSON_NULL:
		return 1;
	case cJSON_False:
	case cJSON_True:
		return (a->type & 0xFF) == (b->type & 0xFF);
	case cJSON_Number:
		return a->valuedouble == b->valuedouble;
	case cJSON_String:
	case cJSON_Raw:
		return a->valuestring != NULL && b->valuestring != NULL &&
		       strcmp(a->valuestring, b->valuestring) == 0;
	case cJSON_Array: {
		const cJSON *x = a->child, *y = b->child;
		for (; x != NULL && y != NULL; x = x->next, y = y->next)
			if (!k8c_patch_equal(x, y))
				return 0;
		return x == NULL && y == NULL;
	}
	case cJSON_Object:
		for (const cJSON *m = a->child; m != NULL; m = m->next) {
			if (k8c_patch_shadowed(m))
				continue;
			na++;
			if (!k8c_patch_equal(m, k8c_patch_get(b, m->string)))
				return 0;
		}
		for (const cJSON *m = b->child; m != NULL; m = m->next)
			nb += !k8c_patch_shadowed(m);
		return na == nb;
	default:
		return 0;
	}
}

size_t k8c_patch_depth(const cJSON *v)
{
	size_t max = 0;

	if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
		return 0;
	for (const cJSON *m = v->child; m != NULL; m = m->next) {
		size_t d = k8c_patch_depth(m);
		if (d > max)
			max = d;
	}
	return max + 1;
}

size_t k8c_patch_count(const cJSON *v)
{
	size_t n = 1;

	if (cJSON_IsObject(v) || cJSON_IsArray(v))
		for (const cJSON *m = v->child; m != NULL; m = m->next)
			n += k8c_patch_count(m);
	return n;
}

void k8c_patch_set_root(cJSON **target, cJSON *result)
{
	cJSON *t = *target, *old;

	if (t == NULL || t == result) {
		*target = result;
		return;
	}
	/* Hand t's old payload to a scratch node that cJSON_Delete frees the
	 * usual way (it honours cJSON_IsReference), then move result's
	 * payload into t. */
	old = checked(cJSON_CreateNull());
	old->type = t->type & ~cJSON_StringIsConst;
	old->child = t->child;
	old->valuestring = t->valuestring;
	cJSON_Delete(old);

	t->type = (result->type & ~(cJSON_StringIsConst | cJSON_IsReference)) |
	          (t->type & cJSON_StringIsConst);
	t->child = result->child;
	t->valuestring = result->valuestring;
	t->valueint = result->valueint;
	t->valuedouble = result->valuedouble;
	result->child = NULL;
	result->valuestring = NULL;
	result->type = cJSON_NULL;
	cJSON_Delete(result);
}

/* --- Go formatting --------------------------------------------------- */

struct sbuf {
	char *s;
	size_t n, cap, max;
};

static void sb_putn(struct sbuf *b, const char *s, size_t n)
{
	if (b->n >= b->max)
		return;
	if (n > b->max - b->n)
		n = b->max - b->n;
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->s = k8c_xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
}

static void sb_puts(struct sbuf *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

static int is_int64(double d)
{
	return d >= -9223372036854775808.0 && d < 9223372036854775808.0 && d == (double)(long long)d;
}

/* Go's strconv 'g' with the shortest precision, as %v prints a float64:
 * the shortest digits that read back the same, in exponent form when the
 * decimal exponent is < -4 or >= 6 (fmt's rule; encoding/json's 21 is
 * another one). */
static void put_float(struct sbuf *b, double d)
{
	char buf[64], digits[32];
	int p, exp, nd = 0;
	const char *s, *e;

	for (p = 0; p < 17; p++) {
		snprintf(buf, sizeof(buf), "%.*e", p, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	s = buf;
	if (*s == '-') {
		sb_putn(b, "-", 1);
		s++;
	}
	e = strchr(s, 'e');
	if (e == NULL) { /* inf/nan cannot come from JSON */
		sb_puts(b, s);
		return;
	}
	exp = atoi(e + 1);
	for (; s < e && nd < (int)sizeof(digits) - 1; s++)
		if (*s >= '0' && *s <= '9')
			digits[nd++] = *s;
	digits[nd] = '\0';
	if (exp < -4 || exp >= 6) {
		sb_putn(b, digits, 1);
		if (nd > 1) {
			sb_putn(b, ".", 1);
			sb_putn(b, digits + 1, (size_t)nd - 1);
		}
		snprintf(buf, sizeof(buf), "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
		sb_puts(b, buf);
	} else if (exp < 0) {
		sb_puts(b, "0.");
		for (int i = 0; i < -exp - 1; i++)
			sb_putn(b, "0", 1);
		sb_puts(b, digits);
	} else {
		for (int i = 0; i <= exp; i++)
			sb_putn(b, i < nd ? digits + i : "0", 1);
		if (nd > exp + 1) {
			sb_putn(b, ".", 1);
			sb_puts(b, digits + exp + 1);
		}
	}
}

static void put_number(struct sbuf *b, double d)
{
	char buf[32];

	if (is_int64(d)) {
		snprintf(buf, sizeof(buf), "%lld", (long long)d);
		sb_puts(b, buf);
	} else {
		put_float(b, d);
	}
}

static int cmp_member(const void *x, const void *y)
{
	const cJSON *a = *(const cJSON *const *)x, *b = *(const cJSON *const *)y;

	return strcmp(a->string, b->string);
}

static void put_v(struct sbuf *b, const cJSON *v)
{
	size_t n = 0, i;
	const cJSON **ms;

	if (b->n >= b->max)
		return;
	switch (v == NULL ? cJSON_NULL : v->type & 0xFF) {
	case cJSON_NULL:
		sb_puts(b, "<nil>");
		break;
	case cJSON_False:
		sb_puts(b, "false");
		break;
	case cJSON_True:
		sb_puts(b, "true");
		break;
	case cJSON_Number:
		put_number(b, v->valuedouble);
		break;
	case cJSON_String:
	case cJSON_Raw:
		sb_puts(b, v->valuestring ? v->valuestring : "");
		break;
	case cJSON_Array:
		sb_puts(b, "[");
		for (const cJSON *m = v->child; m != NULL; m = m->next) {
			if (m != v->child)
				sb_puts(b, " ");
			put_v(b, m);
		}
		sb_puts(b, "]");
		break;
	case cJSON_Object:
		/* Go prints a map's keys sorted. */
		for (const cJSON *m = v->child; m != NULL; m = m->next)
			n += !k8c_patch_shadowed(m);
		ms = k8c_xcalloc(n ? n : 1, sizeof(*ms));
		i = 0;
		for (const cJSON *m = v->child; m != NULL; m = m->next)
			if (!k8c_patch_shadowed(m))
				ms[i++] = m;
		qsort(ms, n, sizeof(*ms), cmp_member);
		sb_puts(b, "map[");
		for (i = 0; i < n; i++) {
			if (i > 0)
				sb_puts(b, " ");
			sb_puts(b, ms[i]->string);
			sb_puts(b, ":");
			put_v(b, ms[i]);
		}
		sb_puts(b, "]");
		free(ms);
		break;
	default:
		break;
	}
}

char *k8c_patch_gofmt(const cJSON *v, size_t max)
{
	struct sbuf b = {.max = max};

	sb_putn(&b, "", 0);
	if (b.s == NULL)
		b.s = k8c_xstrdup("");
	put_v(&b, v);
	return b.s;
}

const char *k8c_patch_gotype(const cJSON *v)
{
	switch (v == NULL ? cJSON_NULL : v->type & 0xFF) {
	case cJSON_False:
	case cJSON_True:
		return "bool";
	case cJSON_Number:
		return is_int64(v->valuedouble) ? "int64" : "float64";
	case cJSON_String:
		return "string";
	case cJSON_Array:
		return "[]interface {}";
	case cJSON_Object:
		return "map[string]interface {}";
	default:
		return "%!s(<nil>)";
	}
}

char *k8c_patch_gofmt_s(const cJSON *v, size_t max)
{
	_cleanup_free_ char *s = NULL;

	if (cJSON_IsString(v))
		return k8c_patch_gofmt(v, max);
	if (v == NULL || cJSON_IsNull(v))
		return k8c_xstrdup("%!s(<nil>)");
	s = k8c_patch_gofmt(v, max);
	if (cJSON_IsObject(v) || cJSON_IsArray(v))
		return K8C_STEAL(s);
	return k8c_xasprintf("%%!s(%s=%s)", k8c_patch_gotype(v), s);
}
