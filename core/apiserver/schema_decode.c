/* Decoding a JSON object against the schema the way the Kubernetes API
 * server's decoder (Go's encoding/json, case-sensitive, strict) sees it:
 *   - unknown fields are dropped and their paths recorded
 *     ("spec.containers[0].imagePullPolcy");
 *   - a field given twice keeps its last value and is recorded;
 *   - null means absent: null fields are removed, null list items and map
 *     values become the zero value of their type;
 *   - the first value of the wrong JSON type is reported in Go's words:
 *     "json: cannot unmarshal string into Go struct field
 *     PodSpec.spec.containers of type []v1.Container".  Types with their own
 *     UnmarshalJSON in Kubernetes (IntOrString, Quantity, Time) stop the
 *     decoding at their first error, as there. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/schema/internal.h"
#include "common/mem.h"
#include "common/quantity.h"

#define MAX_REPORTED 100 /* as Kubernetes: at most 100 strict errors */

struct buf {
	char *s;
	size_t len, cap;
};

struct dec {
	k8c_schema_report_t *rep;
	struct buf path;     /* strict path, with indices: "spec.containers[0].name" */
	struct buf gopath;   /* Go's field stack: "spec.containers.name" */
	const char *gostruct; /* the struct whose field is being decoded */
	int stop;            /* an UnmarshalJSON error ends decoding */
	int fatal;           /* the reported error is such an error */
};

static void buf_push(struct buf *b, const char *sep, const char *s, size_t n)
{
	size_t need = b->len + strlen(sep) + n + 1;

	if (need > b->cap) {
		b->cap = need * 2 > 256 ? need * 2 : 256;
		b->s = k8c_xrealloc(b->s, b->cap);
	}
	if (b->len > 0 || sep[0] == '[') {
		memcpy(b->s + b->len, sep, strlen(sep));
		b->len += strlen(sep);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void buf_set_len(struct buf *b, size_t len)
{
	b->len = len;
	if (b->s != NULL)
		b->s[len] = '\0';
}

static const char *buf_str(const struct buf *b)
{
	return b->s != NULL ? b->s : "";
}

static void record(char ***list, size_t *n, const struct buf *path, const char *key)
{
	struct buf b = { 0 };

	if (*n >= MAX_REPORTED)
		return;
	buf_push(&b, "", buf_str(path), path->len);
	buf_push(&b, ".", key, strlen(key));
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*list)[i], b.s) == 0) {
			free(b.s);
			return;
		}
	*list = k8c_xrealloc(*list, (*n + 1) * sizeof(**list));
	(*list)[(*n)++] = b.s;
}

/* --- errors ------------------------------------------------------------------ */

static void set_error(struct dec *d, int fatal, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Go keeps the first error it saves, but an error returned by an
 * UnmarshalJSON ends decoding and wins over a saved one. */
static void set_error(struct dec *d, int fatal, const char *fmt, ...)
{
	va_list ap;

	if (d->rep->type_error != NULL && (!fatal || d->fatal))
		return;
	free(d->rep->type_error);
	va_start(ap, fmt);
	d->rep->type_error = k8c_xvasprintf(fmt, ap);
	va_end(ap);
	if (fatal) {
		d->fatal = 1;
		d->stop = 1;
	}
}

static void type_error(struct dec *d, const char *value, const char *gotype, int fatal)
{
	if (d->gostruct != NULL)
		set_error(d, fatal, "json: cannot unmarshal %s into Go struct field %s.%s of type %s",
		          value, d->gostruct, buf_str(&d->gopath), gotype);
	else
		set_error(d, fatal, "json: cannot unmarshal %s into Go value of type %s", value,
		          gotype);
}

/* A number: cJSON's, or a raw literal (the YAML reader keeps integers of
 * 16 digits and more that way). */
static int is_number(const cJSON *v)
{
	return cJSON_IsNumber(v) || (cJSON_IsRaw(v) && v->valuestring != NULL);
}

static void node_type_error(struct dec *d, const cJSON *v, const k8c_schema_node_t *node)
{
	char gotype[300];
	const char *what = cJSON_IsString(v)   ? "string"
	                   : is_number(v)      ? "number"
	                   : cJSON_IsBool(v)   ? "bool"
	                   : cJSON_IsArray(v)  ? "array"
	                                       : "object";

	k8c_schema_go_type(node, gotype, sizeof(gotype));
	type_error(d, what, gotype, 0);
}

/* The literal a number was probably written as ("3", "1.5"). */
static void number_literal(double x, char *out, size_t len)
{
	if (x == floor(x) && fabs(x) < 1e21) {
		snprintf(out, len, "%.0f", x);
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(out, len, "%.*g", prec, x);
		if (strtod(out, NULL) == x)
			return;
	}
}

/* The number as written, for error messages. */
static void literal_of(const cJSON *v, char *lit, size_t len)
{
	if (cJSON_IsRaw(v))
		snprintf(lit, len, "%s", v->valuestring);
	else
		number_literal(v->valuedouble, lit, len);
}

/* Whether a JSON number fits an integer field (Go's ParseInt + overflow). */
static int integer_ok(const cJSON *v, int fmt)
{
	double x;

	if (cJSON_IsRaw(v)) {
		const char *s = v->valuestring;
		char *end;
		long long n;

		errno = 0;
		n = strtoll(s, &end, 10);
		if (errno != 0 || end == s || *end != '\0')
			return 0;
		return fmt != FMT_INT32 || (n >= INT32_MIN && n <= INT32_MAX);
	}
	x = v->valuedouble;
	if (x != floor(x) || isinf(x))
		return 0;
	if (fmt == FMT_INT32)
		return x >= -2147483648.0 && x <= 2147483647.0;
	return x >= -9223372036854775808.0 && x < 9223372036854775808.0;
}

/* --- values with their own UnmarshalJSON in Kubernetes ------------------------- */

static void quote(const char *s, char *out, size_t len)
{
	size_t o = 0;

	if (len < 3)
		return;
	out[o++] = '"';
	for (; *s != '\0' && o + 3 < len; s++) {
		if (*s == '"' || *s == '\\')
			out[o++] = '\\';
		out[o++] = *s;
	}
	out[o++] = '"';
	out[o] = '\0';
}

static int ndigits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int num(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static int days_in(int month, int year)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

/* time.Parse(time.RFC3339, s) as Go reports it: 0, or -1 with msg. */
static int check_rfc3339(const char *s, char *msg, size_t len)
{
	static const char layout[] = "2006-01-02T15:04:05Z07:00";
	static const struct {
		const char *elem; /* layout element */
		int digits;       /* 0: literal; >0 fixed digits; -1 one or two digits */
		int max;          /* range check, with its name */
		const char *range;
	} steps[] = {
		{ "2006", 4, 9999, NULL }, { "-", 0, 0, NULL },   { "01", 2, 12, "month" },
		{ "-", 0, 0, NULL },       { "02", 2, 31, "day" }, { "T", 0, 0, NULL },
		{ "15", -1, 23, "hour" },  { ":", 0, 0, NULL },    { "04", 2, 59, "minute" },
		{ ":", 0, 0, NULL },       { "05", 2, 59, "second" },
	};
	char qs[200], qv[200];
	const char *v = s;
	int val[11] = { 0 };

	quote(s, qs, sizeof(qs));
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		int n = steps[i].digits;

		if (n == 0) {
			if (strncmp(v, steps[i].elem, strlen(steps[i].elem)) != 0)
				goto bad;
			v += strlen(steps[i].elem);
			continue;
		}
		if (n < 0)
			n = isdigit((unsigned char)v[0]) && isdigit((unsigned char)v[1]) ? 2 : 1;
		if ((int)strnlen(v, (size_t)n) < n || !ndigits(v, n))
			goto bad;
		val[i] = num(v, n);
		if (val[i] > steps[i].max || (steps[i].digits == 2 && i == 2 && val[i] < 1)) {
			snprintf(msg, len, "parsing time %s: %s out of range", qs, steps[i].range);
			return -1;
		}
		v += n;
		continue;
	bad:
		quote(v, qv, sizeof(qv));
		snprintf(msg, len, "parsing time %s as \"%s\": cannot parse %s as \"%s\"", qs, layout,
		         qv, steps[i].elem);
		return -1;
	}
	/* A fraction of a second is accepted without being in the layout. */
	if ((v[0] == '.' || v[0] == ',') && isdigit((unsigned char)v[1]))
		for (v++; isdigit((unsigned char)*v); v++)
			;
	if (*v == 'Z') {
		v++;
	} else if ((v[0] == '+' || v[0] == '-') && strlen(v) >= 6 && v[3] == ':' &&
	           ndigits(v + 1, 2) && ndigits(v + 4, 2)) {
		if (num(v + 1, 2) > 24 || num(v + 4, 2) > 60) {
			snprintf(msg, len, "parsing time %s: time zone offset %s out of range", qs,
			         num(v + 1, 2) > 24 ? "hour" : "minute");
			return -1;
		}
		v += 6;
	} else {
		quote(v, qv, sizeof(qv));
		snprintf(msg, len, "parsing time %s as \"%s\": cannot parse %s as \"Z07:00\"", qs,
		         layout, qv);
		return -1;
	}
	if (*v != '\0') {
		quote(v, qv, sizeof(qv));
		snprintf(msg, len, "parsing time %s: extra text: %s", qs, qv);
		return -1;
	}
	if (val[4] < 1 || val[4] > days_in(val[2], val[0])) {
		snprintf(msg, len, "parsing time %s: day out of range", qs);
		return -1;
	}
	return 0;
}

static int b64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' || c == '/' ? 62 : -1;
}

/* base64.StdEncoding.Decode (line breaks ignored): -1 when fine, else the
 * offset of the first bad byte (of the input without line breaks). */
static long check_base64(const char *s)
{
	size_t len = strlen(s), n = 0;
	char *t = k8c_xmalloc(len + 1);
	long bad = -1;

	for (size_t i = 0; i < len; i++)
		if (s[i] != '\r' && s[i] != '\n')
			t[n++] = s[i];
	for (size_t i = 0; i < n && bad < 0; i++) {
		if (b64_value((unsigned char)t[i]) >= 0)
			continue;
		/* Padding ends the input: "xx==" or "xxx=". */
		if (t[i] == '=' && ((i % 4 == 3 && i + 1 == n) ||
		                    (i % 4 == 2 && i + 2 == n && t[i + 1] == '=')))
			break;
		bad = (long)i;
	}
	if (bad < 0 && n % 4 != 0)
		bad = (long)n;
	free(t);
	return bad;
}

/* --- the walk ---------------------------------------------------------------------- */

static void decode_value(struct dec *d, const k8c_schema_node_t *node, cJSON *v);

/* The zero value Go would store for a null list item or map value. */
static cJSON *zero_value(const k8c_schema_node_t *node)
{
	switch (node->kind) {
	case K8C_SCHEMA_OBJECT:
		return cJSON_CreateObject();
	case K8C_SCHEMA_STRING:
		return cJSON_CreateString("");
	case K8C_SCHEMA_INTEGER:
	case K8C_SCHEMA_NUMBER:
	case K8C_SCHEMA_INT_OR_STRING:
		return cJSON_CreateNumber(0);
	case K8C_SCHEMA_BOOLEAN:
		return cJSON_CreateFalse();
	case K8C_SCHEMA_QUANTITY:
		return cJSON_CreateString("0");
	default:
		return NULL;
	}
}

/* Remove all but the last of members sharing a key; record them. */
static void drop_duplicates(struct dec *d, cJSON *obj)
{
	cJSON *c = obj->child;

	while (c != NULL) {
		cJSON *next = c->next;

		for (cJSON *o = next; o != NULL; o = o->next)
			if (o->string != NULL && c->string != NULL && strcmp(o->string, c->string) == 0) {
				record(&d->rep->duplicate, &d->rep->n_duplicate, &d->path, c->string);
				cJSON_Delete(cJSON_DetachItemViaPointer(obj, c));
				break;
			}
		c = next;
	}
}

static void decode_object(struct dec *d, const struct schema_type *t, cJSON *obj)
{
	const char *saved_struct = d->gostruct;
	size_t plen = d->path.len, glen = d->gopath.len;
	cJSON *c, *next;

	drop_duplicates(d, obj);
	for (c = obj->child; c != NULL && !d->stop; c = next) {
		const k8c_schema_node_t *fnode = NULL;
		const struct schema_field *f = NULL;
		size_t lo = 0, hi = t->n_fields;

		next = c->next;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			int cmp = strcmp(c->string, t->by_name[mid]->name);

			if (cmp == 0) {
				f = t->by_name[mid];
				break;
			}
			if (cmp < 0)
				hi = mid;
			else
				lo = mid + 1;
		}
		if (f == NULL) {
			record(&d->rep->unknown, &d->rep->n_unknown, &d->path, c->string);
			cJSON_Delete(cJSON_DetachItemViaPointer(obj, c));
			continue;
		}
		if (cJSON_IsNull(c)) {
			cJSON_Delete(cJSON_DetachItemViaPointer(obj, c));
			continue;
		}
		fnode = f->node;
		buf_push(&d->path, ".", c->string, strlen(c->string));
		if (f->via != NULL)
			buf_push(&d->gopath, ".", f->via, strlen(f->via));
		buf_push(&d->gopath, ".", c->string, strlen(c->string));
		d->gostruct = t->short_name;
		decode_value(d, fnode, c);
		if (d->stop)
			return; /* Go returns with the context of the error */
		d->gostruct = saved_struct;
		buf_set_len(&d->path, plen);
		buf_set_len(&d->gopath, glen);
	}
}

static void decode_items(struct dec *d, const k8c_schema_node_t *node, cJSON *v)
{
	size_t plen = d->path.len;
	cJSON *c, *next;
	long i = 0;

	if (node->kind == K8C_SCHEMA_MAP)
		drop_duplicates(d, v);
	for (c = v->child; c != NULL && !d->stop; c = next, i++) {
		next = c->next;
		if (node->kind == K8C_SCHEMA_MAP) {
			buf_push(&d->path, ".", c->string, strlen(c->string));
		} else {
			char idx[24], *p = idx + sizeof(idx);
			unsigned long u = (unsigned long)i;

			*--p = ']';
			do
				*--p = (char)('0' + u % 10);
			while ((u /= 10) != 0);
			buf_push(&d->path, "[", p, (size_t)(idx + sizeof(idx) - p));
		}
		if (cJSON_IsNull(c)) {
			cJSON *z = zero_value(node->items);

			if (z != NULL && node->kind == K8C_SCHEMA_MAP)
				cJSON_ReplaceItemInObjectCaseSensitive(v, c->string, z);
			else if (z != NULL)
				cJSON_ReplaceItemViaPointer(v, c, z);
		} else {
			decode_value(d, node->items, c);
		}
		if (d->stop)
			return;
		buf_set_len(&d->path, plen);
	}
}

static void decode_value(struct dec *d, const k8c_schema_node_t *node, cJSON *v)
{
	char lit[64], msg[512];

	switch (node->kind) {
	case K8C_SCHEMA_STRING:
		if (!cJSON_IsString(v)) {
			node_type_error(d, v, node);
		} else if (node->fmt == FMT_BYTES) {
			long at = check_base64(v->valuestring);

			if (at >= 0)
				set_error(d, 0, "illegal base64 data at input byte %ld", at);
		}
		return;
	case K8C_SCHEMA_INTEGER:
		if (!is_number(v)) {
			node_type_error(d, v, node);
		} else if (!integer_ok(v, node->fmt)) {
			char what[96], gotype[300];

			literal_of(v, lit, sizeof(lit));
			snprintf(what, sizeof(what), "number %s", lit);
			k8c_schema_go_type(node, gotype, sizeof(gotype));
			type_error(d, what, gotype, 0);
		}
		return;
	case K8C_SCHEMA_NUMBER:
		if (!is_number(v))
			node_type_error(d, v, node);
		return;
	case K8C_SCHEMA_BOOLEAN:
		if (!cJSON_IsBool(v))
			node_type_error(d, v, node);
		return;
	case K8C_SCHEMA_OBJECT:
		if (!cJSON_IsObject(v))
			node_type_error(d, v, node);
		else
			decode_object(d, node->type, v);
		return;
	case K8C_SCHEMA_ARRAY:
		if (!cJSON_IsArray(v))
			node_type_error(d, v, node);
		else
			decode_items(d, node, v);
		return;
	case K8C_SCHEMA_MAP:
		if (!cJSON_IsObject(v))
			node_type_error(d, v, node);
		else
			decode_items(d, node, v);
		return;
	case K8C_SCHEMA_INT_OR_STRING:
		/* Not a string: decoded into its int32. */
		if (cJSON_IsString(v))
			return;
		if (is_number(v) && integer_ok(v, FMT_INT32))
			return;
		if (is_number(v)) {
			char what[96];

			literal_of(v, lit, sizeof(lit));
			snprintf(what, sizeof(what), "number %s", lit);
			type_error(d, what, "int32", 1);
			return;
		}
		type_error(d, cJSON_IsBool(v) ? "bool" : cJSON_IsArray(v) ? "array" : "object", "int32",
		           1);
		return;
	case K8C_SCHEMA_QUANTITY: {
		k8c_quantity_t q;
		int bad = !is_number(v) && !cJSON_IsString(v);

		if (cJSON_IsString(v)) {
			const char *s = v->valuestring;
			size_t n;
			char *trimmed;

			while (isspace((unsigned char)*s))
				s++;
			n = strlen(s);
			while (n > 0 && isspace((unsigned char)s[n - 1]))
				n--;
			trimmed = k8c_xstrndup(s, n);
			bad = k8c_quantity_parse(trimmed, &q, NULL) < 0;
			free(trimmed);
		}
		if (bad)
			set_error(d, 1, "quantities must match the regular expression "
			                "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
		return;
	}
	case K8C_SCHEMA_TIME:
		if (!cJSON_IsString(v)) {
			type_error(d, is_number(v)       ? "number"
			              : cJSON_IsBool(v)  ? "bool"
			              : cJSON_IsArray(v) ? "array"
			                                 : "object",
			           "string", 1);
		} else if (check_rfc3339(v->valuestring, msg, sizeof(msg)) < 0) {
			set_error(d, 1, "%s", msg);
		}
		return;
	default: /* ANY */
		return;
	}
}

int k8c_schema_decode(const k8c_schema_node_t *type, cJSON *obj, k8c_schema_report_t *rep)
{
	struct dec d = { .rep = rep };

	if (type == NULL || obj == NULL || cJSON_IsNull(obj))
		return 0;
	decode_value(&d, type, obj);
	free(d.path.s);
	free(d.gopath.s);
	return rep->type_error != NULL ? -K8C_EINVAL : 0;
}

void k8c_schema_report_free(k8c_schema_report_t *rep)
{
	if (rep == NULL)
		return;
	for (size_t i = 0; i < rep->n_unknown; i++)
		free(rep->unknown[i]);
	free(rep->unknown);
	for (size_t i = 0; i < rep->n_duplicate; i++)
		free(rep->duplicate[i]);
	free(rep->duplicate);
	free(rep->type_error);
	memset(rep, 0, sizeof(*rep));
}
