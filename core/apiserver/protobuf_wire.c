/* The protobuf wire format, read defensively: every length is checked
 * against the bytes left, varints stop at ten bytes, groups of unknown
 * fields nest at most K8C_PROTOBUF_MAX_DEPTH deep.  Also the two value
 * conversions Go's JSON encoder does for us: UTF-8 repair and RFC 3339. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apiserver/protobuf.h"
#include "apiserver/protobuf_internal.h"
#include "apiserver/schema.h"
#include "common/mem.h"

int k8c_pb_fail(k8c_pb_ctx_t *c, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->path_len == 0)
		return k8c_error_make(c->err, K8C_EINVAL, "invalid protobuf body: %s", msg);
	return k8c_error_make(c->err, K8C_EINVAL, "invalid protobuf body at %s: %s", c->path, msg);
}

static size_t path_append(k8c_pb_ctx_t *c, const char *s)
{
	size_t old = c->path_len, room = sizeof(c->path) - old;
	int n = snprintf(c->path + old, room, "%s", s);

	c->path_len = n < 0 || (size_t)n >= room ? sizeof(c->path) - 1 : old + (size_t)n;
	return old;
}

size_t k8c_pb_path_push(k8c_pb_ctx_t *c, const char *name)
{
	size_t old = c->path_len;

	if (old > 0)
		path_append(c, ".");
	path_append(c, name);
	return old;
}

size_t k8c_pb_path_push_index(k8c_pb_ctx_t *c, size_t i)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "[%zu]", i);
	return path_append(c, buf);
}

void k8c_pb_path_pop(k8c_pb_ctx_t *c, size_t len)
{
	c->path_len = len;
	c->path[len] = '\0';
}

int k8c_pb_varint(k8c_pb_ctx_t *c, k8c_pb_buf_t *b, uint64_t *v)
{
	uint64_t x = 0;

	for (unsigned shift = 0; shift < 64; shift += 7) {
		uint8_t byte;

		if (b->p >= b->end)
			return k8c_pb_fail(c, "truncated varint");
		byte = *b->p++;
		x |= (uint64_t)(byte & 0x7f) << shift;
		if (byte < 0x80) {
			*v = x;
			return 0;
		}
	}
	return k8c_pb_fail(c, "varint longer than ten bytes");
}

int k8c_pb_key(k8c_pb_ctx_t *c, k8c_pb_buf_t *b, unsigned *num, unsigned *wire)
{
	uint64_t key;
	int ret = k8c_pb_varint(c, b, &key);

	if (ret < 0)
		return ret;
	if ((key >> 3) == 0 || (key >> 3) > K8C_SCHEMA_PB_MAX)
		return k8c_pb_fail(c, "bad field number %llu", (unsigned long long)(key >> 3));
	*num = (unsigned)(key >> 3);
	*wire = (unsigned)(key & 7);
	return 0;
}

int k8c_pb_bytes(k8c_pb_ctx_t *c, k8c_pb_buf_t *b, k8c_pb_buf_t *sub)
{
	uint64_t len;
	int ret = k8c_pb_varint(c, b, &len);

	if (ret < 0)
		return ret;
	if (len > (uint64_t)(b->end - b->p))
		return k8c_pb_fail(c, "length %llu exceeds the %zu bytes left",
		                   (unsigned long long)len, (size_t)(b->end - b->p));
	sub->p = b->p;
	sub->end = b->p + len;
	b->p += len;
	return 0;
}

int k8c_pb_fixed64(k8c_pb_ctx_t *c, k8c_pb_buf_t *b, uint64_t *v)
{
	uint64_t x = 0;

	if (b->end - b->p < 8)
		return k8c_pb_fail(c, "truncated fixed64");
	for (int i = 7; i >= 0; i--)
		x = x << 8 | b->p[i];
	b->p += 8;
	*v = x;
	return 0;
}

static const char *wire_name(unsigned wire)
{
	static const char *const names[] = { "varint", "fixed64", "length-delimited", "group start",
	                                     "group end", "fixed32" };

	return wire < sizeof(names) / sizeof(names[0]) ? names[wire] : "invalid";
}

int k8c_pb_want(k8c_pb_ctx_t *c, unsigned num, unsigned wire, unsigned want)
{
	if (wire == want)
		return 0;
	return k8c_pb_fail(c, "field %u has wire type %u (%s), want %u (%s)", num, wire,
	                   wire_name(wire), want, wire_name(want));
}

static int skip_value(k8c_pb_ctx_t *c, k8c_pb_buf_t *b, unsigned num, unsigned wire, int depth)
{
	k8c_pb_buf_t sub;
	uint64_t v;

	switch (wire) {
	case PB_VARINT:
		return k8c_pb_varint(c, b, &v);
	case PB_FIXED64:
		return k8c_pb_fixed64(c, b, &v);
	case PB_BYTES:
		return k8c_pb_bytes(c, b, &sub);
	case PB_FIXED32:
		if (b->end - b->p < 4)
			return k8c_pb_fail(c, "truncated fixed32");
		b->p += 4;
		return 0;
	case PB_GROUP_START:
		if (depth >= K8C_PROTOBUF_MAX_DEPTH)
			return k8c_pb_fail(c, "groups nested too deep");
		for (;;) {
			unsigned n = 0, w = 0;
			int ret;

			if (b->p >= b->end)
				return k8c_pb_fail(c, "group %u is not closed", num);
			if ((ret = k8c_pb_key(c, b, &n, &w)) < 0)
				return ret;
			if (w == PB_GROUP_END) {
				if (n != num)
					return k8c_pb_fail(c, "group %u closed as %u", num, n);
				return 0;
			}
			if ((ret = skip_value(c, b, n, w, depth + 1)) < 0)
				return ret;
		}
	case PB_GROUP_END:
		return k8c_pb_fail(c, "field %u: end of a group that was not started", num);
	default:
		return k8c_pb_fail(c, "field %u has the invalid wire type %u", num, wire);
	}
}

int k8c_pb_skip(k8c_pb_ctx_t *c, k8c_pb_buf_t *b, unsigned num, unsigned wire)
{
	return skip_value(c, b, num, wire, c->depth);
}

/* --- UTF-8 ------------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s (Go's rules: shortest form, no
 * surrogates, at most U+10FFFF), 0 when invalid. */
static size_t utf8_seq(const uint8_t *s, size_t left)
{
	uint8_t b0 = s[0];

	if (b0 < 0x80)
		return 1;
	if (b0 >= 0xc2 && b0 <= 0xdf)
		return left >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (b0 >= 0xe0 && b0 <= 0xef) {
		uint8_t lo = b0 == 0xe0 ? 0xa0 : 0x80, hi = b0 == 0xed ? 0x9f : 0xbf;

		return left >= 3 && s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (b0 >= 0xf0 && b0 <= 0xf4) {
		uint8_t lo = b0 == 0xf0 ? 0x90 : 0x80, hi = b0 == 0xf4 ? 0x8f : 0xbf;

		return left >= 4 && s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 &&
		               (s[3] & 0xc0) == 0x80
		               ? 4
		               : 0;
	}
	return 0;
}

int k8c_pb_utf8(k8c_pb_ctx_t *c, const uint8_t *s, size_t len, char **out)
{
	/* At worst every byte becomes the three bytes of U+FFFD. */
	char *buf = k8c_xmalloc(len * 3 + 1), *o = buf;
	size_t i = 0;

	while (i < len) {
		size_t n;

		if (s[i] == 0) {
			free(buf);
			return k8c_pb_fail(c, "string holds a NUL byte at offset %zu", i);
		}
		n = utf8_seq(s + i, len - i);
		if (n == 0) {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(o, s + i, n);
		o += n;
		i += n;
	}
	*o = '\0';
	*out = buf;
	return 0;
}

/* --- RFC 3339 ------------------------------------------------------------------ */

/* Civil date of a day count since 1970-01-01 (proleptic Gregorian). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	yoe = z - era * 146097;
	yoe = (yoe - yoe / 1460 + yoe / 36524 - yoe / 146096) / 365;
	doy = z - era * 146097 - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* Seconds of 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z. */
#define MIN_SECONDS (-62167219200LL)
#define MAX_SECONDS 253402300799LL

int k8c_pb_format_time(k8c_pb_ctx_t *c, int64_t seconds, int64_t nanos, int micro, char *buf,
                       size_t len)
{
	int64_t days, rem, year;
	unsigned month, day;

	/* time.Unix normalizes nanoseconds outside [0, 1e9). */
	if (nanos < 0 || nanos >= 1000000000) {
		int64_t carry = nanos / 1000000000;

		nanos -= carry * 1000000000;
		if (nanos < 0) {
			nanos += 1000000000;
			carry--;
		}
		if ((carry > 0 && seconds > INT64_MAX - carry) ||
		    (carry < 0 && seconds < INT64_MIN - carry))
			return k8c_pb_fail(c, "time out of range");
		seconds += carry;
	}
	if (seconds < MIN_SECONDS || seconds > MAX_SECONDS)
		return k8c_pb_fail(c, "time %lld s is outside the years 0000-9999",
		                   (long long)seconds);
	days = seconds / 86400;
	rem = seconds % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	civil_from_days(days, &year, &month, &day);
	if (micro)
		snprintf(buf, len, "%04lld-%02u-%02uT%02d:%02d:%02d.%06dZ", (long long)year, month, day,
		         (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60), (int)(nanos / 1000));
	else
		snprintf(buf, len, "%04lld-%02u-%02uT%02d:%02d:%02dZ", (long long)year, month, day,
		         (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
	return 0;
}
