/* Kubernetes resource quantities, as apimachinery's resource.Quantity
 * parses, compares, adds and prints them.
 *
 * A quantity is value * 10^scale.  Parsing normalises the value (no
 * trailing decimal zeros) so that the int64 goes as far as possible; the
 * arithmetic is exact, with 128-bit intermediates, and refuses results that
 * do not fit (K8C_ETOOLARGE) instead of switching to arbitrary precision as
 * Kubernetes does.
 *
 * Deliberate differences from Kubernetes, all at the edges:
 *   - decimal values that need more than an int64 of digits ("2^63",
 *     "1.0000000000000000001") are refused with K8C_ETOOLARGE;
 *   - binary values above 2^63-1 ("8Ei") are refused with K8C_ETOOLARGE
 *     where Kubernetes silently caps them at 2^63-1;
 *   - strings without a digit (".", "-", "Ki") are refused, as the
 *     documented grammar says, where Kubernetes' scanner reads them as 0;
 *   - formatting is always the canonical form; Kubernetes hands back the
 *     input string when it guesses it was canonical ("+1" stays "+1").
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/quantity.h"

#define MIN_SCALE (-9)
#define MAX_SCALE INT32_MAX
/* Exponents are accumulated up to this and then saturate: anything beyond
 * is too large (or rounds to 1n) whatever the digits. */
#define EXP_SATURATE 1000000000000000LL
/* Decimal digits of the binary-suffix working number: 19 integer digits,
 * 9 + 60 fraction digits that can still matter, 19 more after * 2^60. */
#define BN_CAP 128

typedef __int128 i128;
typedef unsigned __int128 u128;
#define I128_MAX ((i128)(((u128)1 << 127) - 1))

static const int64_t pow10_tab[19] = {
    1LL,
    10LL,
    100LL,
    1000LL,
    10000LL,
    100000LL,
    1000000LL,
    10000000LL,
    100000000LL,
    1000000000LL,
    10000000000LL,
    100000000000LL,
    1000000000000LL,
    10000000000000LL,
    100000000000000LL,
    1000000000000000LL,
    10000000000000000LL,
    100000000000000000LL,
    1000000000000000000LL,
};

/* The digits of the number as written: integer part then fraction part,
 * without the '.'. */
typedef struct digits {
	const char *ip;
	size_t ni;
	const char *fp;
	size_t nf;
} digits_t;

static int digit_at(const digits_t *d, size_t i)
{
	return i < d->ni ? d->ip[i] - '0' : d->fp[i - d->ni] - '0';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int too_large(k8c_error_t *err, const char *s, size_t len)
{
	return k8c_error_make(err, K8C_ETOOLARGE, "quantity \"%.*s\" is too large to represent",
	                      (int)(len > 64 ? 64 : len), s);
}

/* ------------------------------------------------------------------------
 * Suffixes
 */

struct suffix {
	const char *name;
	int format;
	int exp; /* power of 10, or of 2 for binary */
};

static const struct suffix suffixes[] = {
    {"n", K8C_QUANTITY_DECIMAL_SI, -9}, {"u", K8C_QUANTITY_DECIMAL_SI, -6},
    {"m", K8C_QUANTITY_DECIMAL_SI, -3}, {"k", K8C_QUANTITY_DECIMAL_SI, 3},
    {"M", K8C_QUANTITY_DECIMAL_SI, 6},  {"G", K8C_QUANTITY_DECIMAL_SI, 9},
    {"T", K8C_QUANTITY_DECIMAL_SI, 12}, {"P", K8C_QUANTITY_DECIMAL_SI, 15},
    {"E", K8C_QUANTITY_DECIMAL_SI, 18}, {"Ki", K8C_QUANTITY_BINARY_SI, 10},
    {"Mi", K8C_QUANTITY_BINARY_SI, 20}, {"Gi", K8C_QUANTITY_BINARY_SI, 30},
    {"Ti", K8C_QUANTITY_BINARY_SI, 40}, {"Pi", K8C_QUANTITY_BINARY_SI, 50},
    {"Ei", K8C_QUANTITY_BINARY_SI, 60},
};

/* Read the suffix s[0..len): fills *format and *exp (saturated at
 * +-EXP_SATURATE for decimal exponents).  0, or -1 when it is not one. */
static int read_suffix(const char *s, size_t len, int *format, int64_t *exp)
{
	size_t i;

	*format = K8C_QUANTITY_DECIMAL_SI;
	*exp = 0;
	if (len == 0)
		return 0;
	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		if (strlen(suffixes[i].name) == len && memcmp(suffixes[i].name, s, len) == 0) {
			*format = suffixes[i].format;
			*exp = suffixes[i].exp;
			return 0;
		}
	}
	/* "e" or "E" then a signed integer; a lone "E" is exa, above. */
	if (s[0] != 'e' && s[0] != 'E')
		return -1;
	i = 1;
	int neg = 0;
	if (i < len && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	if (i == len)
		return -1;
	int64_t e = 0;
	for (; i < len; i++) {
		if (!is_digit(s[i]))
			return -1;
		if (e < EXP_SATURATE)
			e = e * 10 + (s[i] - '0');
	}
	if (e > EXP_SATURATE)
		e = EXP_SATURATE;
	*format = K8C_QUANTITY_DECIMAL_EXPONENT;
	*exp = neg ? -e : e;
	return 0;
}

/* ------------------------------------------------------------------------
 * Decimal values: D * 10^s, rounded up to a whole number of nanos.
 */

/* d holds the significant digits D = d[f .. f+n) (first and last non-zero),
 * value D * 10^s.  Result in *v (>= 1) and *scale. */
static int decimal_value(const digits_t *d, size_t f, size_t n, int64_t s, uint64_t *v,
                         int64_t *scale)
{
	if (s >= MIN_SCALE) {
		uint64_t acc = 0;
		if (n > 19)
			return -1;
		for (size_t i = 0; i < n; i++)
			acc = acc * 10 + (uint64_t)digit_at(d, f + i);
		if (acc > INT64_MAX)
			return -1;
		*v = acc;
		*scale = s;
		return 0;
	}

	/* Finer than a nano: keep the digits down to 10^-9 and round up.
	 * The last digit is non-zero, so something is always dropped. */
	int64_t drop = MIN_SCALE - s;
	if ((uint64_t)drop >= n) {
		*v = 1;
		*scale = MIN_SCALE;
		return 0;
	}
	size_t kept = n - (size_t)drop, nines = 0;
	while (nines < kept && digit_at(d, f + kept - 1 - nines) == 9)
		nines++;
	if (nines == kept) { /* 99.99|5 -> 100 */
		*v = 1;
		*scale = MIN_SCALE + (int64_t)kept;
		return 0;
	}
	size_t m = kept - nines;
	uint64_t acc = 0;
	if (m > 19)
		return -1;
	for (size_t i = 0; i < m; i++)
		acc = acc * 10 + (uint64_t)digit_at(d, f + i);
	acc++; /* the last kept digit was not a 9: no carry, no new zero */
	if (acc > INT64_MAX)
		return -1;
	*v = acc;
	*scale = MIN_SCALE + (int64_t)nines;
	return 0;
}

/* ------------------------------------------------------------------------
 * Binary values: D * 10^s * 2^e.  A small decimal big number, little
 * endian, is enough: only 9 + e fraction digits can reach the nano after
 * the multiplication, the rest only decides whether to round up.
 */

typedef struct bignum {
	uint8_t d[BN_CAP];
	size_t len;
} bignum_t;

static void bn_mul_pow2(bignum_t *b, int e)
{
	while (e > 0) {
		int step = e > 10 ? 10 : e;
		uint32_t carry = 0;
		for (size_t i = 0; i < b->len; i++) {
			uint32_t x = ((uint32_t)b->d[i] << step) + carry;
			b->d[i] = (uint8_t)(x % 10);
			carry = x / 10;
		}
		while (carry != 0) {
			b->d[b->len++] = (uint8_t)(carry % 10);
			carry /= 10;
		}
		e -= step;
	}
}

/* Drop the k lowest digits; 1 if any of them was non-zero. */
static int bn_drop(bignum_t *b, size_t k)
{
	int nonzero = 0;

	if (k > b->len)
		k = b->len;
	for (size_t i = 0; i < k; i++)
		nonzero |= b->d[i] != 0;
	memmove(b->d, b->d + k, b->len - k);
	b->len -= k;
	return nonzero;
}

static void bn_inc(bignum_t *b)
{
	size_t i = 0;

	while (i < b->len && b->d[i] == 9)
		b->d[i++] = 0;
	if (i == b->len)
		b->d[b->len++] = 1;
	else
		b->d[i]++;
}

/* The value as an int64 after moving trailing zeros into *scale. */
static int bn_to_value(bignum_t *b, uint64_t *v, int64_t *scale)
{
	size_t z = 0;
	uint64_t acc = 0;

	while (z < b->len && b->d[z] == 0)
		z++;
	bn_drop(b, z);
	*scale += (int64_t)z;
	if (b->len > 19)
		return -1;
	for (size_t i = b->len; i-- > 0;)
		acc = acc * 10 + b->d[i];
	if (acc > INT64_MAX)
		return -1;
	*v = acc;
	return 0;
}

static int binary_value(const digits_t *d, size_t f, size_t n, int64_t s, int e, uint64_t *v,
                        int64_t *scale)
{
	bignum_t b;
	size_t kept, frac;
	int sticky;

	/* At least 10^(n+s-1) before the multiplication: too large. */
	if ((int64_t)n + s > 19)
		return -1;
	if (s >= 0) {
		kept = n;
		frac = 0;
		sticky = 0;
	} else {
		int64_t u = -s, want = (int64_t)n - u + 9 + e;
		if (want <= 0) { /* below 10^-(9+e) before * 2^e */
			*v = 1;
			*scale = MIN_SCALE;
			return 0;
		}
		kept = want < (int64_t)n ? (size_t)want : n;
		frac = (size_t)(u - (int64_t)(n - kept));
		sticky = kept < n;
	}

	memset(&b, 0, sizeof(b));
	size_t zeros = s > 0 ? (size_t)s : 0;
	for (size_t i = 0; i < zeros; i++)
		b.d[b.len++] = 0;
	for (size_t i = kept; i-- > 0;)
		b.d[b.len++] = (uint8_t)digit_at(d, f + i);
	bn_mul_pow2(&b, e);

	*scale = -(int64_t)frac;
	if (frac > 9) {
		int up = bn_drop(&b, frac - 9) | sticky;
		if (up)
			bn_inc(&b);
		*scale = MIN_SCALE;
	}
	return bn_to_value(&b, v, scale);
}

/* |v| * 10^scale <= INT64_MAX? */
static int fits_int64(uint64_t v, int64_t scale)
{
	if (scale <= 0)
		return 1;
	if (scale > 18)
		return 0;
	return v <= (uint64_t)INT64_MAX / (uint64_t)pow10_tab[scale];
}

/* ------------------------------------------------------------------------
 * Parsing
 */

static int parse_n(const char *s, size_t len, k8c_quantity_t *q, k8c_error_t *err)
{
	size_t pos = 0;
	int neg = 0, format;
	int64_t exp;
	digits_t d;

	if (len == 0)
		return k8c_error_make(err, K8C_EINVAL, "quantity is empty");
	if (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-';
		pos++;
	}
	d.ip = s + pos;
	while (pos < len && is_digit(s[pos]))
		pos++;
	d.ni = (size_t)(s + pos - d.ip);
	d.fp = s + pos;
	d.nf = 0;
	if (pos < len && s[pos] == '.') {
		d.fp = s + ++pos;
		while (pos < len && is_digit(s[pos]))
			pos++;
		d.nf = (size_t)(s + pos - d.fp);
	}
	if (d.ni + d.nf == 0)
		return k8c_error_make(err, K8C_EINVAL, "quantity \"%.*s\" has no digits",
		                      (int)(len > 64 ? 64 : len), s);
	if (read_suffix(s + pos, len - pos, &format, &exp) < 0)
		return k8c_error_make(err, K8C_EINVAL,
		                      "quantity \"%.*s\": invalid suffix \"%.*s\" "
		                      "(want n, u, m, k, M, G, T, P, E, Ki, Mi, "
		                      "Gi, Ti, Pi, Ei or e<exponent>)",
		                      (int)(len > 64 ? 64 : len), s,
		                      (int)(len - pos > 32 ? 32 : len - pos), s + pos);

	/* Significant digits: first and last non-zero. */
	size_t all = d.ni + d.nf, f = 0, l = all;
	while (f < all && digit_at(&d, f) == 0)
		f++;
	if (f == all) {
		q->value = 0;
		q->scale = 0;
		q->format = format;
		return 0;
	}
	while (digit_at(&d, l - 1) == 0)
		l--;
	size_t n = l - f;
	int64_t s10 =
	    (format == K8C_QUANTITY_BINARY_SI ? 0 : exp) - (int64_t)d.nf + (int64_t)(all - l);

	uint64_t v;
	int64_t scale;
	int ret;
	if (format == K8C_QUANTITY_BINARY_SI) {
		ret = binary_value(&d, f, n, s10, (int)exp, &v, &scale);
		if (ret == 0 && !fits_int64(v, scale))
			ret = -1; /* Kubernetes caps binary values at 2^63-1 */
	} else {
		ret = decimal_value(&d, f, n, s10, &v, &scale);
	}
	if (ret < 0 || scale > MAX_SCALE)
		return too_large(err, s, len);

	q->value = neg ? -(int64_t)v : (int64_t)v;
	q->scale = (int32_t)scale;
	q->format = format;
	/* A binary amount strictly between -1 and 1 is shown in decimal. */
	if (format == K8C_QUANTITY_BINARY_SI && scale < 0 && v < (uint64_t)pow10_tab[-scale])
		q->format = K8C_QUANTITY_DECIMAL_SI;
	return 0;
}

int k8c_quantity_parse(const char *s, k8c_quantity_t *q, k8c_error_t *err)
{
	if (s == NULL)
		return k8c_error_make(err, K8C_EINVAL, "quantity is missing");
	return parse_n(s, strlen(s), q, err);
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int k8c_quantity_from_json(const struct cJSON *j, k8c_quantity_t *q, k8c_error_t *err)
{
	if (cJSON_IsString(j) && j->valuestring != NULL) {
		/* Kubernetes' UnmarshalJSON trims white space first. */
		const char *s = j->valuestring;
		size_t len = strlen(s);
		while (len > 0 && is_space(s[0])) {
			s++;
			len--;
		}
		while (len > 0 && is_space(s[len - 1]))
			len--;
		return parse_n(s, len, q, err);
	}
	if (cJSON_IsNumber(j)) {
		char buf[40];
		double x = j->valuedouble;
		if (!isfinite(x))
			return k8c_error_make(err, K8C_EINVAL, "quantity is not a finite number");
		/* cJSON keeps only the double: print its shortest exact form
		 * so that 0.1 is "0.1", not 0.1000000000000000055... */
		for (int prec = 15; prec <= 17; prec++) {
			snprintf(buf, sizeof(buf), "%.*g", prec, x);
			if (strtod(buf, NULL) == x)
				break;
		}
		return parse_n(buf, strlen(buf), q, err);
	}
	if (cJSON_IsNull(j)) {
		*q = k8c_quantity_from_int(0, K8C_QUANTITY_DECIMAL_SI);
		return 0;
	}
	return k8c_error_make(err, K8C_EINVAL, "%s",
	                      j == NULL ? "quantity is missing"
	                                : "quantity must be a string or a number");
}

/* ------------------------------------------------------------------------
 * Comparison and arithmetic
 */

static uint64_t magnitude(int64_t v)
{
	return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

/* Compare ma * 10^ka with mb * 10^kb, both magnitudes non-zero. */
static int cmp_magnitude(uint64_t ma, int64_t ka, uint64_t mb, int64_t kb)
{
	if (ka < kb)
		return -cmp_magnitude(mb, kb, ma, ka);
	u128 x = ma;
	for (int64_t i = 0; i < ka - kb; i++) {
		if (x > mb)
			return 1; /* and stays so: avoids overflow */
		x *= 10;
	}
	return x < mb ? -1 : x > mb;
}

int k8c_quantity_cmp(const k8c_quantity_t *a, const k8c_quantity_t *b)
{
	int sa = (a->value > 0) - (a->value < 0);
	int sb = (b->value > 0) - (b->value < 0);

	if (sa != sb)
		return sa < sb ? -1 : 1;
	if (sa == 0)
		return 0;
	int c = cmp_magnitude(magnitude(a->value), a->scale, magnitude(b->value), b->scale);
	return sa > 0 ? c : -c;
}

/* *a + sign * b.  Kubernetes: a zero receiver takes b's format. */
static int add_signed(k8c_quantity_t *a, const k8c_quantity_t *b, int sign, k8c_error_t *err)
{
	k8c_quantity_t r = *a;
	i128 x, y, sum;
	int64_t scale;

	if (a->value == 0)
		r.format = b->format;
	if (b->value == 0) {
		*a = r;
		return 0;
	}
	x = a->value;
	y = sign < 0 ? -(i128)b->value : (i128)b->value;
	if (a->value == 0) {
		sum = y;
		scale = b->scale;
	} else {
		/* Align on the smaller scale. */
		int64_t ka = a->scale, kb = b->scale;
		i128 *big = ka > kb ? &x : &y;
		int64_t diff = ka > kb ? ka - kb : kb - ka;
		scale = ka < kb ? ka : kb;
		if (diff > 38)
			goto overflow;
		/* By hand: clang lowers 128-bit overflow builtins to
		 * compiler-rt calls that libgcc lacks. */
		for (int64_t i = 0; i < diff; i++) {
			if (*big > I128_MAX / 10 || *big < -(I128_MAX / 10))
				goto overflow;
			*big *= 10;
		}
		if ((x > 0 && y > I128_MAX - x) || (x < 0 && y < -I128_MAX - x))
			goto overflow;
		sum = x + y;
	}
	if (sum == 0) {
		r.value = 0;
		r.scale = 0;
		*a = r;
		return 0;
	}
	while (sum % 10 == 0) {
		sum /= 10;
		scale++;
	}
	if (sum > INT64_MAX || sum < -(i128)INT64_MAX || scale > MAX_SCALE || scale < INT32_MIN)
		goto overflow;
	r.value = (int64_t)sum;
	r.scale = (int32_t)scale;
	*a = r;
	return 0;

overflow:
	return k8c_error_make(err, K8C_ETOOLARGE, "quantity %s overflows",
	                      sign < 0 ? "subtraction" : "addition");
}

int k8c_quantity_add(k8c_quantity_t *a, const k8c_quantity_t *b, k8c_error_t *err)
{
	return add_signed(a, b, 1, err);
}

int k8c_quantity_sub(k8c_quantity_t *a, const k8c_quantity_t *b, k8c_error_t *err)
{
	return add_signed(a, b, -1, err);
}

/* ceil(q / 10^target), saturating. */
static int64_t scaled_value(const k8c_quantity_t *q, int target)
{
	int64_t v = q->value, k = (int64_t)q->scale - target;

	if (v == 0)
		return 0;
	if (k >= 0) {
		if (k > 18)
			return v > 0 ? INT64_MAX : INT64_MIN;
		i128 x = (i128)v * pow10_tab[k];
		if (x > INT64_MAX)
			return INT64_MAX;
		if (x < INT64_MIN)
			return INT64_MIN;
		return (int64_t)x;
	}
	if (-k > 18) /* |v| < 10^19 <= 10^-k */
		return v > 0 ? 1 : 0;
	int64_t p = pow10_tab[-k], r = v % p;
	return v / p + (r > 0);
}

int64_t k8c_quantity_value(const k8c_quantity_t *q)
{
	return scaled_value(q, 0);
}

int64_t k8c_quantity_milli(const k8c_quantity_t *q)
{
	return scaled_value(q, -3);
}

k8c_quantity_t k8c_quantity_from_int(int64_t value, int format)
{
	k8c_quantity_t q = {.value = value, .scale = 0, .format = format};
	return q;
}

k8c_quantity_t k8c_quantity_from_milli(int64_t milli, int format)
{
	k8c_quantity_t q = {.value = milli, .scale = -3, .format = format};
	return q;
}

int k8c_quantity_is_zero(const k8c_quantity_t *q)
{
	return q->value == 0;
}

/* ------------------------------------------------------------------------
 * Canonical form (apimachinery's CanonicalizeBytes)
 */

static char *u128_str(u128 x, char *end)
{
	*--end = '\0';
	do {
		*--end = (char)('0' + (int)(x % 10));
		x /= 10;
	} while (x != 0);
	return end;
}

/* |q| as a whole number when it is one and fits 128 bits. */
static int whole_magnitude(uint64_t mag, int64_t scale, u128 *out)
{
	if (scale < 0) {
		if (scale < -18 || mag % (uint64_t)pow10_tab[-scale] != 0)
			return 0;
		*out = mag / (uint64_t)pow10_tab[-scale];
		return 1;
	}
	u128 x = mag;
	for (int64_t i = 0; i < scale; i++) {
		if (x > ((u128)-1) / 10)
			return 0;
		x *= 10;
	}
	*out = x;
	return 1;
}

static void format_binary(const char *sign, u128 whole, char *out, size_t len)
{
	static const char *const bin[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
	char digits[48];
	int e = 0;

	/* Kubernetes has no suffix above Ei: stop there. */
	while (e < 6 && whole >= 1024 && whole % 1024 == 0) {
		whole /= 1024;
		e++;
	}
	snprintf(out, len, "%s%s%s", sign, u128_str(whole, digits + sizeof(digits)), bin[e]);
}

static void format_decimal(const char *sign, uint64_t mag, int64_t exp, int format, char *out,
                           size_t len)
{
	static const char *const dec[] = {"n", "u", "m", "", "k", "M", "G", "T", "P", "E"};
	char suffix[24];

	while (mag % 10 == 0) {
		mag /= 10;
		exp++;
	}
	/* Lower the exponent to a multiple of 3, padding with zeros. */
	int pad = (int)(((exp % 3) + 3) % 3);
	exp -= pad;
	if (format == K8C_QUANTITY_DECIMAL_SI && exp >= -9 && exp <= 18)
		snprintf(suffix, sizeof(suffix), "%s", dec[(exp + 9) / 3]);
	else if (exp == 0)
		suffix[0] = '\0';
	else /* exponent form, also DecimalSI's fallback above "E" */
		snprintf(suffix, sizeof(suffix), "e%lld", (long long)exp);
	snprintf(out, len, "%s%llu%.*s%s", sign, (unsigned long long)mag, pad, "00", suffix);
}

char *k8c_quantity_format(const k8c_quantity_t *q, char *buf, size_t len)
{
	char out[K8C_QUANTITY_STRLEN];
	int format = q->format;

	if (len == 0)
		return buf;
	if (q->value == 0) {
		snprintf(buf, len, "0");
		return buf;
	}
	const char *sign = q->value < 0 ? "-" : "";
	uint64_t mag = magnitude(q->value);
	if (format != K8C_QUANTITY_DECIMAL_SI && format != K8C_QUANTITY_BINARY_SI)
		format = K8C_QUANTITY_DECIMAL_EXPONENT;
	if (format == K8C_QUANTITY_BINARY_SI) {
		u128 whole;
		k8c_quantity_t k1024 = k8c_quantity_from_int(1024, format);
		k8c_quantity_t m = *q;
		m.value = (int64_t)(mag > INT64_MAX ? INT64_MAX : mag);
		/* Below 1024 or not whole: decimal, as Kubernetes does. */
		if (k8c_quantity_cmp(&m, &k1024) < 0 || !whole_magnitude(mag, q->scale, &whole))
			format = K8C_QUANTITY_DECIMAL_SI;
		else {
			format_binary(sign, whole, out, sizeof(out));
			snprintf(buf, len, "%s", out);
			return buf;
		}
	}
	format_decimal(sign, mag, q->scale, format, out, sizeof(out));
	snprintf(buf, len, "%s", out);
	return buf;
}
