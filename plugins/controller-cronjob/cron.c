/* Cron schedules as robfig/cron/v3's standard parser and SpecSchedule.Next
 * (what kube-controller-manager's CronJob controller uses).  See cron.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/mem.h"
#include "cron.h"

#define STAR_BIT (1ULL << 63)

struct cron_schedule {
	uint64_t minute, hour, dom, month, dow; /* bit n: value n matches */
	int64_t every;                           /* @every: seconds (> 0), else 0 */
	const cron_zone_t *zone;                 /* borrowed, or owned_zone */
	cron_zone_t *owned_zone;                 /* from a TZ= prefix */
};

typedef struct bounds {
	unsigned min, max;
	const char *const *names;
} bounds_t;

static const char *const month_names[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul",
                                          "aug", "sep", "oct", "nov", "dec", NULL};
static const char *const dow_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL};
static const bounds_t b_min = {0, 59, NULL}, b_hour = {0, 23, NULL}, b_dom = {1, 31, NULL},
		      b_month = {1, 12, month_names}, b_dow = {0, 6, dow_names};

static int parse_uint(const char *s, size_t n, unsigned *out, char **err)
{
	unsigned long v = 0;

	if (n == 0 || n > 9)
		goto bad;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			goto bad;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	*out = (unsigned)v;
	return 0;
bad:
	*err = k8c_xasprintf("failed to parse int from %.*s", (int)n, s);
	return -1;
}

static int parse_value(const char *s, size_t n, const bounds_t *b, unsigned *out, char **err)
{
	for (unsigned i = 0; b->names != NULL && b->names[i] != NULL; i++)
		if (strlen(b->names[i]) == n && strncasecmp(s, b->names[i], n) == 0) {
			*out = b->min + i;
			return 0;
		}
	return parse_uint(s, n, out, err);
}

/* getRange: "*", "?", "a", "a-b", each with an optional "/step". */
static int get_range(const char *r, size_t n, const bounds_t *b, uint64_t *bits, char **err)
{
	const char *slash = memchr(r, '/', n), *dash;
	size_t rn = slash ? (size_t)(slash - r) : n;
	unsigned start, end, step = 1;
	uint64_t extra = 0;
	int single = 0;

	if ((rn == 1 && (r[0] == '*' || r[0] == '?'))) {
		start = b->min;
		end = b->max;
		extra = STAR_BIT;
	} else {
		dash = memchr(r, '-', rn);
		if (dash != NULL && memchr(dash + 1, '-', rn - (size_t)(dash + 1 - r)) != NULL) {
			*err = k8c_xasprintf("too many hyphens: %.*s", (int)n, r);
			return -1;
		}
		if (parse_value(r, dash ? (size_t)(dash - r) : rn, b, &start, err) < 0)
			return -1;
		if (dash == NULL) {
			end = start;
			single = 1;
		} else if (parse_value(dash + 1, rn - (size_t)(dash + 1 - r), b, &end, err) < 0) {
			return -1;
		}
	}
	if (slash != NULL) {
		if (memchr(slash + 1, '/', n - rn - 1) != NULL) {
			*err = k8c_xasprintf("too many slashes: %.*s", (int)n, r);
			return -1;
		}
		if (parse_uint(slash + 1, n - rn - 1, &step, err) < 0)
			return -1;
		if (single)
			end = b->max;
		if (step > 1)
			extra = 0;
	}
	if (start < b->min || end > b->max || start > end || step == 0) {
		*err = k8c_xasprintf("invalid range %.*s (values %u-%u)", (int)n, r, b->min, b->max);
		return -1;
	}
	for (unsigned v = start; v <= end; v += step)
		*bits |= 1ULL << v;
	*bits |= extra;
	return 0;
}

static int get_field(const char *f, size_t n, const bounds_t *b, uint64_t *bits, char **err)
{
	const char *end = f + n;

	*bits = 0;
	while (f < end) {
		const char *comma = memchr(f, ',', (size_t)(end - f));
		size_t len = comma ? (size_t)(comma - f) : (size_t)(end - f);
		if (len > 0 && get_range(f, len, b, bits, err) < 0)
			return -1;
		f += len + 1;
	}
	return 0;
}

static uint64_t all(const bounds_t *b)
{
	uint64_t v = 0;

	for (unsigned i = b->min; i <= b->max; i++)
		v |= 1ULL << i;
	return v | STAR_BIT;
}

/* time.ParseDuration, to whole seconds (cron rounds @every down to a
 * second, at least one). */
static int parse_every(const char *s, int64_t *out, char **err)
{
	double total = 0;

	if (strcmp(s, "0") == 0)
		goto done;
	while (*s) {
		char *end;
		double v = strtod(s, &end);
		double unit;
		if (end == s || *s == '-' || *s == '+')
			goto bad;
		s = end;
		if (strncmp(s, "ns", 2) == 0) unit = 1e-9, s += 2;
		else if (strncmp(s, "us", 2) == 0) unit = 1e-6, s += 2;
		else if (strncmp(s, "ms", 2) == 0) unit = 1e-3, s += 2;
		else if (*s == 's') unit = 1, s++;
		else if (*s == 'm') unit = 60, s++;
		else if (*s == 'h') unit = 3600, s++;
		else goto bad;
		total += v * unit;
	}
done:
	*out = total < 1 ? 1 : (int64_t)total;
	return 0;
bad:
	*err = k8c_xstrdup("failed to parse duration");
	return -1;
}

static int parse_descriptor(cron_schedule_t *s, const char *d, char **err)
{
	s->minute = 1;
	s->hour = 1;
	s->dom = all(&b_dom);
	s->month = all(&b_month);
	s->dow = all(&b_dow);
	if (strcmp(d, "@yearly") == 0 || strcmp(d, "@annually") == 0) {
		s->dom = 1ULL << 1;
		s->month = 1ULL << 1;
	} else if (strcmp(d, "@monthly") == 0) {
		s->dom = 1ULL << 1;
	} else if (strcmp(d, "@weekly") == 0) {
		s->dow = 1;
	} else if (strcmp(d, "@daily") == 0 || strcmp(d, "@midnight") == 0) {
	} else if (strcmp(d, "@hourly") == 0) {
		s->hour = all(&b_hour);
	} else if (strncmp(d, "@every ", 7) == 0) {
		if (parse_every(d + 7, &s->every, err) < 0) {
			char *inner = *err;
			*err = k8c_xasprintf("%s %s", inner, d);
			free(inner);
			return -1;
		}
	} else {
		*err = k8c_xasprintf("unrecognized descriptor: %s", d);
		return -1;
	}
	return 0;
}

static int parse_fields(cron_schedule_t *s, const char *spec, char **err)
{
	static const bounds_t *const b[5] = {&b_min, &b_hour, &b_dom, &b_month, &b_dow};
	uint64_t *dst[5] = {&s->minute, &s->hour, &s->dom, &s->month, &s->dow};
	const char *f[6];
	size_t len[6], n = 0;

	for (const char *p = spec; *p;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\v' || *p == '\f')
			p++;
		if (*p == '\0')
			break;
		if (n < 6)
			f[n] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' && *p != '\v' && *p != '\f')
			p++;
		if (n < 6)
			len[n] = (size_t)(p - f[n]);
		n++;
	}
	if (n != 5) {
		*err = k8c_xasprintf("expected exactly 5 fields, found %zu: %s", n, spec);
		return -1;
	}
	for (int i = 0; i < 5; i++)
		if (get_field(f[i], len[i], b[i], dst[i], err) < 0)
			return -1;
	return 0;
}

int cron_schedule_parse(const char *spec, const cron_zone_t *zone, cron_schedule_t **out,
                        char **err)
{
	cron_schedule_t *s = k8c_xcalloc(1, sizeof(*s));
	const char *p = spec;
	int ret;

	*out = NULL;
	*err = NULL;
	s->zone = zone;
	if (strncmp(p, "TZ=", 3) == 0 || strncmp(p, "CRON_TZ=", 8) == 0) {
		const char *eq = strchr(p, '='), *sp = strchr(p, ' ');
		_cleanup_free_ char *name = NULL;
		char *inner = NULL;
		if (sp == NULL) {
			*err = k8c_xasprintf("provided bad location %s: missing schedule", eq + 1);
			free(s);
			return -1;
		}
		name = k8c_xstrndup(eq + 1, (size_t)(sp - eq - 1));
		if (cron_zone_load(name, &s->owned_zone, &inner) < 0) {
			*err = k8c_xasprintf("provided bad location %s: %s", name, inner);
			free(inner);
			free(s);
			return -1;
		}
		s->zone = s->owned_zone;
		p = sp;
		while (*p == ' ')
			p++;
	}
	if (*p == '\0')
		ret = (*err = k8c_xstrdup("empty spec string"), -1);
	else if (*p == '@')
		ret = parse_descriptor(s, p, err);
	else
		ret = parse_fields(s, p, err);
	if (ret < 0) {
		cron_schedule_free(s);
		return -1;
	}
	if (s->zone == NULL) {
		char *ignored = NULL;
		cron_zone_load("UTC", &s->owned_zone, &ignored);
		s->zone = s->owned_zone;
	}
	*out = s;
	return 0;
}

void cron_schedule_free(cron_schedule_t *s)
{
	if (s == NULL)
		return;
	cron_zone_free(s->owned_zone);
	free(s);
}

const cron_zone_t *cron_schedule_zone(const cron_schedule_t *s)
{
	return s->zone;
}

/* dayMatches: with a "*" in either day field both must match, else either. */
static int day_matches(const cron_schedule_t *s, const cron_tm_t *tm)
{
	int dom = (s->dom >> tm->day) & 1, dow = (s->dow >> tm->wday) & 1;

	if ((s->dom & STAR_BIT) || (s->dow & STAR_BIT))
		return dom && dow;
	return dom || dow;
}

/* SpecSchedule.Next, step by step on the wall clock of the zone. */
int64_t cron_schedule_next(const cron_schedule_t *s, int64_t t)
{
	const cron_zone_t *z = s->zone;
	cron_tm_t tm;
	int added = 0, year_limit;

	if (s->every > 0)
		return t + s->every;
	t++;
	cron_zone_fields(z, t, &tm);
	year_limit = tm.year + 5;
wrap:
	cron_zone_fields(z, t, &tm);
	if (tm.year > year_limit)
		return 0;
	while (!((s->month >> tm.month) & 1)) {
		if (!added) {
			added = 1;
			t = cron_zone_date(z, tm.year, tm.month, 1, 0, 0, 0);
			cron_zone_fields(z, t, &tm);
		}
		t = cron_zone_date(z, tm.year, tm.month + 1, tm.day, tm.hour, tm.min, tm.sec);
		cron_zone_fields(z, t, &tm);
		if (tm.month == 1)
			goto wrap;
	}
	while (!day_matches(s, &tm)) {
		if (!added) {
			added = 1;
			t = cron_zone_date(z, tm.year, tm.month, tm.day, 0, 0, 0);
			cron_zone_fields(z, t, &tm);
		}
		t = cron_zone_date(z, tm.year, tm.month, tm.day + 1, tm.hour, tm.min, tm.sec);
		cron_zone_fields(z, t, &tm);
		/* midnight may have moved by DST: back to it */
		if (tm.hour != 0) {
			t += tm.hour > 12 ? (int64_t)(24 - tm.hour) * 3600 : -(int64_t)tm.hour * 3600;
			cron_zone_fields(z, t, &tm);
		}
		if (tm.day == 1)
			goto wrap;
	}
	while (!((s->hour >> tm.hour) & 1)) {
		if (!added) {
			added = 1;
			t = cron_zone_date(z, tm.year, tm.month, tm.day, tm.hour, 0, 0);
		}
		t += 3600;
		cron_zone_fields(z, t, &tm);
		if (tm.hour == 0)
			goto wrap;
	}
	while (!((s->minute >> tm.min) & 1)) {
		if (!added) {
			added = 1;
			t -= ((t % 60) + 60) % 60;
		}
		t += 60;
		cron_zone_fields(z, t, &tm);
		if (tm.min == 0)
			goto wrap;
	}
	if (tm.sec != 0) { /* the standard spec's seconds field is 0 */
		t += 60 - tm.sec;
		added = 1;
		goto wrap;
	}
	return t;
}
