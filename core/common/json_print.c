/* Compact JSON printing of cJSON trees (see json_print.h).
 *
 * cJSON_PrintUnformatted formats every number with sprintf and checks it
 * with sscanf, and grows its buffer by reallocating from 256 bytes; on a
 * pod that was most of the stored-value encoding in tests/bench/bench_api
 * profiles.  Strings are escaped exactly as cJSON does: the two JSON
 * specials, the short escapes, \u00XX for other control characters, and
 * every other byte as is (UTF-8 passes through). */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/json_print.h"
#include "common/mem.h"


static void grow(k8c_json_out_t *o, size_t n)
{
	while (o->len + n + 1 > o->cap)
		o->cap *= 2;
	o->buf = k8c_xrealloc(o->buf, o->cap);
}

static inline void put(k8c_json_out_t *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap)
		grow(o, n);
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static inline void put_char(k8c_json_out_t *o, char c)
{
	if (o->len + 2 > o->cap)
		grow(o, 1);
	o->buf[o->len++] = c;
}

/* Bytes that need an escape: control characters (NUL ends the string),
 * the quote and the backslash. */
static const unsigned char escaped[256] = {
	[0 ... 31] = 1, ['"'] = 1, ['\\'] = 1,
};

static void put_string(k8c_json_out_t *o, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	put_char(o, '"');
	for (;;) {
		const unsigned char *run = p;
		char esc[6];
		size_t n = 2;
		while (!escaped[*p])
			p++;
		put(o, (const char *)run, (size_t)(p - run));
		if (*p == '\0')
			break;
		esc[0] = '\\';
		switch (*p) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[*p >> 4];
			esc[5] = hex[*p & 15];
			n = 6;
		}
		put(o, esc, n);
		p++;
	}
	put_char(o, '"');
}

static void put_number(k8c_json_out_t *o, double d)
{
	char tmp[32];
	int n;

	if (isnan(d) || isinf(d)) {
		put(o, "null", 4);
		return;
	}
	if (d == floor(d) && fabs(d) < 9223372036854775808.0) {
		/* a whole number an int64 holds: digits, never an exponent (Go
		 * cannot decode 1e+16 into an int64 field); exact below 2^53 */
		int64_t v = (int64_t)d;
		uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
		char *p = tmp + sizeof(tmp);
		do
			*--p = (char)('0' + u % 10);
		while ((u /= 10) != 0);
		if (v < 0)
			*--p = '-';
		put(o, p, (size_t)(tmp + sizeof(tmp) - p));
		return;
	}
	/* the shortest of 15 or 17 significant digits that reads back */
	n = snprintf(tmp, sizeof(tmp), "%1.15g", d);
	if (strtod(tmp, NULL) != d)
		n = snprintf(tmp, sizeof(tmp), "%1.17g", d);
	put(o, tmp, (size_t)n);
}

static void put_item(k8c_json_out_t *o, const cJSON *item)
{
	const cJSON *c;

	if (item == NULL) {
		put(o, "null", 4);
		return;
	}
	switch (item->type & 0xff) {
	case cJSON_False: put(o, "false", 5); break;
	case cJSON_True: put(o, "true", 4); break;
	case cJSON_NULL: put(o, "null", 4); break;
	case cJSON_Number: put_number(o, item->valuedouble); break;
	case cJSON_String: put_string(o, item->valuestring); break;
	case cJSON_Raw:
		if (item->valuestring != NULL && item->valuestring[0] != '\0')
			put(o, item->valuestring, strlen(item->valuestring));
		else
			put(o, "null", 4); /* empty raw text would be no JSON at all */
		break;
	case cJSON_Array:
		put_char(o, '[');
		for (c = item->child; c != NULL; c = c->next) {
			if (c != item->child)
				put_char(o, ',');
			put_item(o, c);
		}
		put_char(o, ']');
		break;
	case cJSON_Object:
		put_char(o, '{');
		for (c = item->child; c != NULL; c = c->next) {
			if (c != item->child)
				put_char(o, ',');
			put_string(o, c->string);
			put_char(o, ':');
			put_item(o, c);
		}
		put_char(o, '}');
		break;
	default:
		put(o, "null", 4);
	}
}

void k8c_json_out_init(k8c_json_out_t *o)
{
	o->cap = 1024;
	o->len = 0;
	o->buf = k8c_xmalloc(o->cap);
}

void k8c_json_out_raw(k8c_json_out_t *o, const char *s, size_t n)
{
	put(o, s, n);
}

void k8c_json_out_string(k8c_json_out_t *o, const char *s)
{
	put_string(o, s);
}

void k8c_json_out_item(k8c_json_out_t *o, const cJSON *item)
{
	put_item(o, item);
}

char *k8c_json_out_finish(k8c_json_out_t *o, size_t *len)
{
	char *s = o->buf;

	s[o->len] = '\0';
	if (len != NULL)
		*len = o->len;
	o->buf = NULL;
	o->len = o->cap = 0;
	return s;
}

char *k8c_json_print(const cJSON *item, size_t *len)
{
	k8c_json_out_t o;

	k8c_json_out_init(&o);
	put_item(&o, item);
	return k8c_json_out_finish(&o, len);
}
