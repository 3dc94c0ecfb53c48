/* CronJob schedules as Kubernetes checks them: the standard parser of
 * github.com/robfig/cron/v3 (five fields, names, ranges, steps, "?", the
 * @yearly... descriptors, "@every <Go duration>", a TZ=/CRON_TZ= prefix),
 * with that parser's error wording; and Go's time.LoadLocation for
 * spec.timeZone. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "apiserver/kinds/groups_common.h"
#include "common/mem.h"

#define ZONEINFO_DIR "/usr/share/zoneinfo"

int k8c_time_zone_load(const char *name, char **err)
{
	_cleanup_free_ char *path = NULL;
	struct stat st;
	char magic[4];
	FILE *f;
	int ok = 0;

	*err = NULL;
	if (name[0] == '\0' || strcmp(name, "UTC") == 0 || strcmp(name, "Local") == 0)
		return 0;
	if (strstr(name, "..") != NULL || name[0] == '/' || name[0] == '\\') {
		*err = k8c_xstrdup("time: invalid location name");
		return -1;
	}
	path = k8c_xasprintf("%s/%s", ZONEINFO_DIR, name);
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && (f = fopen(path, "rb")) != NULL) {
		ok = fread(magic, 1, 4, f) == 4 && memcmp(magic, "TZif", 4) == 0;
		fclose(f);
	}
	if (ok)
		return 0;
	*err = k8c_xasprintf("unknown time zone %s", name);
	return -1;
}

/* --- strconv.Atoi --------------------------------------------------------- */

static int atoi_go(const char *s, long long *out, char **err)
{
	const char *p = s;
	unsigned long long v = 0;
	int neg = 0, range = 0;
	_cleanup_free_ char *q = k8c_go_quote(s);

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (*p == '\0')
		goto syntax;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			goto syntax;
		if (v > (9223372036854775807ULL + (unsigned)neg - (unsigned)(*p - '0')) / 10)
			range = 1;
		else
			v = v * 10 + (unsigned)(*p - '0');
	}
	if (range) {
		*err = k8c_xasprintf("strconv.Atoi: parsing %s: value out of range", q);
		return -1;
	}
	*out = neg ? (long long)(0 - v) : (long long)v;
	return 0;
syntax:
	*err = k8c_xasprintf("strconv.Atoi: parsing %s: invalid syntax", q);
	return -1;
}

/* mustParseInt */
static int parse_uint(const char *expr, unsigned long long *out, char **err)
{
	long long v;
	char *inner = NULL;

	if (atoi_go(expr, &v, &inner) < 0) {
		*err = k8c_xasprintf("failed to parse int from %s: %s", expr, inner);
		free(inner);
		return -1;
	}
	if (v < 0) {
		*err = k8c_xasprintf("negative number (%lld) not allowed: %s", v, expr);
		return -1;
	}
	*out = (unsigned long long)v;
	return 0;
}

/* --- fields ----------------------------------------------------------------- */

typedef struct bounds {
	unsigned long long min, max;
	const char *const *names; /* names[i] stands for min + i */
} bounds_t;

static const char *const month_names[] = {
	"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", NULL,
};
static const char *const dow_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL};

static const bounds_t field_bounds[6] = {
	{0, 59, NULL}, {0, 59, NULL}, {0, 23, NULL}, {1, 31, NULL}, {1, 12, month_names},
	{0, 6, dow_names},
};

static int parse_int_or_name(const char *expr, const bounds_t *b, unsigned long long *out,
                             char **err)
{
	for (size_t i = 0; b->names != NULL && b->names[i] != NULL; i++)
		if (strcasecmp(expr, b->names[i]) == 0) {
			*out = b->min + i;
			return 0;
		}
	return parse_uint(expr, out, err);
}

/* strings.Split(s, sep) into at most 8 pieces (the count is still right). */
static size_t split(char *s, char sep, char **parts)
{
	size_t n = 0;

	for (;;) {
		char *at = strchr(s, sep);
		if (n < 8)
			parts[n] = s;
		n++;
		if (at == NULL)
			return n;
		*at = '\0';
		s = at + 1;
	}
}

/* getRange */
static int get_range(const char *expr_in, const bounds_t *b, char **err)
{
	_cleanup_free_ char *expr = k8c_xstrdup(expr_in), *low = NULL;
	char *rs[8], *lh[8];
	size_t nrs = split(expr, '/', rs), nlh;
	unsigned long long start, end, step = 1;

	low = k8c_xstrdup(rs[0]);
	nlh = split(low, '-', lh);
	if (strcmp(lh[0], "*") == 0 || strcmp(lh[0], "?") == 0) {
		start = b->min;
		end = b->max;
	} else {
		if (parse_int_or_name(lh[0], b, &start, err) < 0)
			return -1;
		if (nlh == 1)
			end = start;
		else if (nlh == 2) {
			if (parse_int_or_name(lh[1], b, &end, err) < 0)
				return -1;
		} else {
			*err = k8c_xasprintf("too many hyphens: %s", expr_in);
			return -1;
		}
	}
	if (nrs == 2) {
		if (parse_uint(rs[1], &step, err) < 0)
			return -1;
		if (nlh == 1) /* "N/step" means "N-max/step" */
			end = b->max;
	} else if (nrs > 2) {
		*err = k8c_xasprintf("too many slashes: %s", expr_in);
		return -1;
	}
	if (start < b->min)
		*err = k8c_xasprintf("beginning of range (%llu) below minimum (%llu): %s", start,
		                     b->min, expr_in);
	else if (end > b->max)
		*err = k8c_xasprintf("end of range (%llu) above maximum (%llu): %s", end, b->max,
		                     expr_in);
	else if (start > end)
		*err = k8c_xasprintf("beginning of range (%llu) beyond end of range (%llu): %s", start,
		                     end, expr_in);
	else if (step == 0)
		*err = k8c_xasprintf("step of range should be a positive number: %s", expr_in);
	return *err != NULL ? -1 : 0;
}

/* getField: comma-separated ranges, empty pieces skipped. */
static int get_field(const char *field, const bounds_t *b, char **err)
{
	_cleanup_free_ char *copy = k8c_xstrdup(field);
	char *save = NULL;

	for (char *r = strtok_r(copy, ",", &save); r != NULL; r = strtok_r(NULL, ",", &save))
		if (get_range(r, b, err) < 0)
			return -1;
	return 0;
}

/* --- descriptors ------------------------------------------------------------ */

/* time.ParseDuration's syntax check. */
static int go_duration(const char *orig, char **err)
{
	static const char *const units[] = {"ns", "us", "\xc2\xb5s", "\xce\xbcs", "ms", "s", "m", "h", NULL};
	const char *s = orig;
	_cleanup_free_ char *q = k8c_go_quote(orig);

	if (*s == '-' || *s == '+')
		s++;
	if (strcmp(s, "0") == 0)
		return 0;
	if (*s == '\0')
		goto invalid;
	while (*s != '\0') {
		const char *start = s, *u;
		int pre, post = 0, known = 0;
		size_t n;
		if (!(*s == '.' || (*s >= '0' && *s <= '9')))
			goto invalid;
		while (*s >= '0' && *s <= '9')
			s++;
		pre = s != start;
		if (*s == '.') {
			const char *f = ++s;
			while (*s >= '0' && *s <= '9')
				s++;
			post = s != f;
		}
		if (!pre && !post)
			goto invalid;
		for (u = s; *s != '\0' && *s != '.' && (*s < '0' || *s > '9'); s++)
			;
		n = (size_t)(s - u);
		if (n == 0) {
			*err = k8c_xasprintf("time: missing unit in duration %s", q);
			return -1;
		}
		for (size_t i = 0; units[i] != NULL; i++)
			known |= strlen(units[i]) == n && strncmp(units[i], u, n) == 0;
		if (!known) {
			_cleanup_free_ char *un = k8c_xstrndup(u, n);
			_cleanup_free_ char *uq = k8c_go_quote(un);
			*err = k8c_xasprintf("time: unknown unit %s in duration %s", uq, q);
			return -1;
		}
	}
	return 0;
invalid:
	*err = k8c_xasprintf("time: invalid duration %s", q);
	return -1;
}

static int parse_descriptor(const char *d, char **err)
{
	static const char *const named[] = {
		"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly", NULL,
	};
	char *inner = NULL;

	for (size_t i = 0; named[i] != NULL; i++)
		if (strcmp(d, named[i]) == 0)
			return 0;
	if (strncmp(d, "@every ", 7) == 0) {
		if (go_duration(d + 7, &inner) == 0)
			return 0;
		*err = k8c_xasprintf("failed to parse duration %s: %s", d, inner);
		free(inner);
		return -1;
	}
	*err = k8c_xasprintf("unrecognized descriptor: %s", d);
	return -1;
}

/* --- ParseStandard ---------------------------------------------------------- */

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* TZ=zone or CRON_TZ=zone before the schedule: *spec moves past it and
 * the rest is trimmed (strings.TrimSpace) in place. */
static int strip_zone(char **spec, char **err)
{
	char *s = *spec, *eq, *sp, *end;
	_cleanup_free_ char *zone = NULL;
	char *inner = NULL;

	if (strncmp(s, "TZ=", 3) != 0 && strncmp(s, "CRON_TZ=", 8) != 0)
		return 0;
	eq = strchr(s, '=');
	sp = strchr(s, ' ');
	zone = sp ? k8c_xstrndup(eq + 1, (size_t)(sp - eq - 1)) : k8c_xstrdup(eq + 1);
	if (sp == NULL || k8c_time_zone_load(zone, &inner) < 0) {
		*err = k8c_xasprintf("provided bad location %s: %s", zone,
		                     inner ? inner : "missing schedule");
		free(inner);
		return -1;
	}
	while (is_space(*sp))
		sp++;
	end = sp + strlen(sp);
	while (end > sp && is_space(end[-1]))
		*--end = '\0';
	*spec = sp;
	return 0;
}

int k8c_cron_parse(const char *spec_in, char **err)
{
	_cleanup_free_ char *copy = k8c_xstrdup(spec_in);
	_cleanup_free_ char **fields = NULL;
	char *spec = copy;
	size_t n = 0;
	k8c_sbuf_t list = {0};

	*err = NULL;
	if (spec[0] == '\0') {
		*err = k8c_xstrdup("empty spec string");
		return -1;
	}
	if (strip_zone(&spec, err) < 0)
		return -1;
	if (spec[0] == '@')
		return parse_descriptor(spec, err);
	/* strings.Fields, after the seconds field the standard spec omits */
	fields = k8c_xcalloc(strlen(spec) + 2, sizeof(char *));
	fields[n++] = (char *)"0";
	for (char *p = spec; *p;) {
		while (is_space(*p))
			*p++ = '\0';
		if (*p == '\0')
			break;
		fields[n++] = p;
		while (*p && !is_space(*p))
			p++;
	}
	if (n != 6) {
		_cleanup_free_ char *l = NULL;
		for (size_t i = 1; i < n; i++)
			k8c_sbuf_add(&list, "%s%s", i > 1 ? " " : "", fields[i]);
		l = k8c_sbuf_take(&list);
		*err = k8c_xasprintf("expected exactly 5 fields, found %zu: [%s]", n - 1, l);
		return -1;
	}
	for (size_t i = 0; i < 6; i++)
		if (get_field(fields[i], &field_bounds[i], err) < 0)
			return -1;
	return 0;
}
