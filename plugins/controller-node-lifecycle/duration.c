/* Go duration strings (duration.h), parsed as time.ParseDuration does:
 * the integer and fraction of each number are scaled by the unit
 * separately so that "1.5h" and "0.000000001s" come out exact. */
#include "config.h"

#include <string.h>

#include "duration.h"

struct unit {
	const char *name;
	int64_t ns;
};

static const struct unit units[] = {
	{"ns", 1},
	{"us", 1000},
	{"\xc2\xb5s", 1000}, /* U+00B5 micro sign */
	{"\xce\xbcs", 1000}, /* U+03BC Greek mu */
	{"ms", 1000000},
	{"s", 1000000000},
	{"m", INT64_C(60) * 1000000000},
	{"h", INT64_C(3600) * 1000000000},
};

/* The unit at p (longest match: "ms" before "m"); NULL when none. */
static const struct unit *unit_at(const char *p, size_t *len)
{
	const struct unit *best = NULL;
	size_t best_len = 0;

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t n = strlen(units[i].name);

		if (n > best_len && strncmp(p, units[i].name, n) == 0) {
			best = &units[i];
			best_len = n;
		}
	}
	*len = best_len;
	return best;
}

static int invalid(k8c_error_t *err, const char *s)
{
	return k8c_error_make(err, K8C_EINVAL, "time: invalid duration \"%s\"", s);
}

int nl_duration_parse(const char *s, int64_t *ns, k8c_error_t *err)
{
	const char *p = s;
	uint64_t total = 0;
	int neg = 0;

	if (s == NULL)
		return invalid(err, "");
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (strcmp(p, "0") == 0) {
		*ns = 0;
		return 0;
	}
	if (*p == '\0')
		return invalid(err, s);
	while (*p != '\0') {
		uint64_t whole = 0, frac = 0, scale = 1, v;
		int digits = 0;
		const struct unit *u;
		size_t ulen;

		for (; *p >= '0' && *p <= '9'; p++, digits++) {
			if (whole > (UINT64_C(1) << 63) / 10)
				return k8c_error_make(err, K8C_EINVAL, "time: invalid duration \"%s\"", s);
			whole = whole * 10 + (uint64_t)(*p - '0');
		}
		if (*p == '.') {
			for (p++; *p >= '0' && *p <= '9'; p++, digits++) {
				if (scale > UINT64_C(1) << 50)
					continue; /* beyond precision: dropped, as Go does */
				frac = frac * 10 + (uint64_t)(*p - '0');
				scale *= 10;
			}
		}
		if (digits == 0)
			return invalid(err, s);
		u = unit_at(p, &ulen);
		if (u == NULL) {
			if (*p == '\0')
				return k8c_error_make(err, K8C_EINVAL,
				                      "time: missing unit in duration \"%s\"", s);
			return k8c_error_make(err, K8C_EINVAL,
			                      "time: unknown unit \"%.*s\" in duration \"%s\"",
			                      (int)strcspn(p, "0123456789."), p, s);
		}
		p += ulen;
		if (whole > (UINT64_C(1) << 63) / (uint64_t)u->ns)
			return invalid(err, s);
		v = whole * (uint64_t)u->ns;
		/* frac/scale of the unit, without overflow: unit ns <= 3.6e12
		 * and scale <= 2^50 * 10, so split the multiplication */
		if (frac > 0)
			v += (uint64_t)((double)frac * (double)u->ns / (double)scale);
		total += v;
		if (total > (UINT64_C(1) << 63) - (neg ? 0 : 1))
			return invalid(err, s);
	}
	if (total == 0)
		*ns = 0;
	else
		*ns = neg ? -(int64_t)(total - 1) - 1 : (int64_t)total;
	return 0;
}
