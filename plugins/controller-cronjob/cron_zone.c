/* Time zones as Go's time.Location: TZif files (RFC 8536, versions 1-4;
 * the 64-bit block when there is one) and the POSIX TZ rule of the footer
 * for times after the last transition.  See cron.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "cron.h"

#define ZONEINFO_DIR "/usr/share/zoneinfo"
#define MAX_TZIF (1 << 20)
#define NEVER_LO INT64_MIN
#define NEVER_HI INT64_MAX
#define DAY 86400

typedef struct rule_date {
	int kind;     /* 'J' (1-365, no Feb 29), 'N' (0-365), 'M' (Mm.w.d) */
	int day, week, mon;
	int64_t time; /* seconds after local midnight */
} rule_date_t;

typedef struct posix_rule {
	int64_t std_off, dst_off; /* UTC offsets (east positive) */
	int has_dst;
	rule_date_t start, end;
} posix_rule_t;

typedef struct tx {
	int64_t when;
	int32_t off;
	int dst;
} tx_t;

struct cron_zone {
	tx_t *tx;        /* owned; ascending */
	size_t n_tx;
	int32_t first_off; /* before the first transition */
	int has_rule;
	posix_rule_t rule;
};

/* --- calendar ------------------------------------------------------------ */

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp, yy;

	z += 719468;
	era = floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*m <= 2));
}

static int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* --- POSIX TZ rules ------------------------------------------------------- */

static const char *parse_name(const char *s)
{
	if (*s == '<') {
		const char *e = strchr(s, '>');
		return e ? e + 1 : NULL;
	}
	const char *p = s;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
		p++;
	return p - s >= 3 ? p : NULL;
}

/* [+-]hh[:mm[:ss]] into seconds; NULL on a syntax error. */
static const char *parse_hms(const char *s, int64_t *out)
{
	int64_t sign = 1, v[3] = {0, 0, 0};
	int i = 0;

	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	for (;;) {
		if (*s < '0' || *s > '9')
			return NULL;
		while (*s >= '0' && *s <= '9')
			v[i] = v[i] * 10 + (*s++ - '0');
		if (*s != ':' || i == 2)
			break;
		s++;
		i++;
	}
	*out = sign * (v[0] * 3600 + v[1] * 60 + v[2]);
	return s;
}

static const char *parse_num(const char *s, int *out)
{
	int v = 0;

	if (*s < '0' || *s > '9')
		return NULL;
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (*s++ - '0');
	*out = v;
	return s;
}

static const char *parse_date(const char *s, rule_date_t *d)
{
	d->time = 2 * 3600;
	if (*s == 'J') {
		d->kind = 'J';
		s = parse_num(s + 1, &d->day);
	} else if (*s == 'M') {
		d->kind = 'M';
		if ((s = parse_num(s + 1, &d->mon)) == NULL || *s++ != '.' ||
		    (s = parse_num(s, &d->week)) == NULL || *s++ != '.' ||
		    (s = parse_num(s, &d->day)) == NULL)
			return NULL;
	} else {
		d->kind = 'N';
		s = parse_num(s, &d->day);
	}
	if (s != NULL && *s == '/')
		s = parse_hms(s + 1, &d->time);
	return s;
}

static int parse_rule(const char *s, posix_rule_t *r)
{
	int64_t off;

	memset(r, 0, sizeof(*r));
	if ((s = parse_name(s)) == NULL || (s = parse_hms(s, &off)) == NULL)
		return -1;
	r->std_off = -off;
	if (*s == '\0')
		return 0;
	if ((s = parse_name(s)) == NULL)
		return -1;
	r->has_dst = 1;
	r->dst_off = r->std_off + 3600;
	if (*s != ',' && *s != '\0') {
		if ((s = parse_hms(s, &off)) == NULL)
			return -1;
		r->dst_off = -off;
	}
	if (*s == '\0') { /* Go's default: the US rules */
		s = ",M3.2.0,M11.1.0";
	}
	if (*s++ != ',' || (s = parse_date(s, &r->start)) == NULL || *s++ != ',' ||
	    (s = parse_date(s, &r->end)) == NULL)
		return -1;
	return *s == '\0' ? 0 : -1;
}

/* Seconds from the start of year y to the rule's local time. */
static int64_t rule_secs(const rule_date_t *d, int y)
{
	int64_t day;

	if (d->kind == 'J') {
		day = d->day - 1;
		if (is_leap(y) && d->day >= 60)
			day++;
	} else if (d->kind == 'N') {
		day = d->day;
	} else {
		static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
		int64_t first = days_from_civil(y, d->mon, 1);
		int wd0 = (int)(((first + 4) % 7 + 7) % 7); /* weekday of the 1st */
		int dim = mdays[(d->mon - 1) % 12] + (d->mon == 2 && is_leap(y));
		int64_t dd = (d->day - wd0 + 7) % 7 + (int64_t)(d->week - 1) * 7;
		while (dd >= dim)
			dd -= 7;
		day = first - days_from_civil(y, 1, 1) + dd;
	}
	return day * DAY + d->time;
}

/* The offset the rule gives at t and the interval it holds in. */
static int32_t rule_lookup(const posix_rule_t *r, int64_t t, int64_t *start, int64_t *end)
{
	tx_t pts[6];
	int y, m, d, n = 0;
	int32_t off;

	if (!r->has_dst) {
		*start = NEVER_LO;
		*end = NEVER_HI;
		return (int32_t)r->std_off;
	}
	civil_from_days(floor_div(t + r->std_off, DAY), &y, &m, &d);
	for (int yy = y - 1; yy <= y + 1; yy++) {
		int64_t base = days_from_civil(yy, 1, 1) * DAY;
		pts[n++] = (tx_t){base + rule_secs(&r->start, yy) - r->std_off, (int32_t)r->dst_off, 1};
		pts[n++] = (tx_t){base + rule_secs(&r->end, yy) - r->dst_off, (int32_t)r->std_off, 0};
	}
	for (int i = 1; i < n; i++) /* insertion sort of six */
		for (int j = i; j > 0 && pts[j].when < pts[j - 1].when; j--) {
			tx_t x = pts[j];
			pts[j] = pts[j - 1];
			pts[j - 1] = x;
		}
	off = pts[0].dst ? (int32_t)r->std_off : (int32_t)r->dst_off;
	*start = NEVER_LO;
	*end = pts[0].when;
	for (int i = 0; i < n && pts[i].when <= t; i++) {
		off = pts[i].off;
		*start = pts[i].when;
		*end = i + 1 < n ? pts[i + 1].when : NEVER_HI;
	}
	return off;
}

/* --- TZif --------------------------------------------------------------- */

static int64_t be(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = (v << 8) | p[i];
	if (n == 4)
		return (int32_t)(uint32_t)v;
	return (int64_t)v;
}

/* One data block: counts from the header at p; returns the block's size
 * or 0 when the file is too short. */
static size_t block_size(const unsigned char *p, size_t len, int tsize, uint32_t c[6])
{
	size_t need;

	if (len < 44)
		return 0;
	for (int i = 0; i < 6; i++)
		c[i] = (uint32_t)be(p + 20 + 4 * i, 4);
	/* isutcnt isstdcnt leapcnt timecnt typecnt charcnt */
	need = 44 + (size_t)c[3] * (size_t)tsize + c[3] + (size_t)c[4] * 6 + c[5] +
	       (size_t)c[2] * (size_t)(tsize + 4) + c[1] + c[0];
	return need <= len ? need : 0;
}

static int parse_tzif(cron_zone_t *z, const unsigned char *buf, size_t len)
{
	uint32_t c[6];
	size_t sz = block_size(buf, len, 4, c);
	const unsigned char *p = buf, *times, *idx, *types;
	int tsize = 4, first_used = 0;

	if (sz == 0 || memcmp(buf, "TZif", 4) != 0)
		return -1;
	if (buf[4] >= '2') {
		p = buf + sz;
		tsize = 8;
		if ((sz = block_size(p, len - (size_t)(p - buf), 8, c)) == 0 || memcmp(p, "TZif", 4) != 0)
			return -1;
	}
	if (c[4] == 0)
		return -1;
	times = p + 44;
	idx = times + (size_t)c[3] * (size_t)tsize;
	types = idx + c[3];
	z->n_tx = c[3];
	z->tx = k8c_xcalloc(c[3] + 1, sizeof(tx_t));
	for (uint32_t i = 0; i < c[3]; i++) {
		unsigned t = idx[i];
		if (t >= c[4])
			return -1;
		first_used |= t == 0;
		z->tx[i].when = be(times + (size_t)i * (size_t)tsize, tsize);
		z->tx[i].off = (int32_t)be(types + 6 * t, 4);
		z->tx[i].dst = types[6 * t + 4];
	}
	/* Go's lookupFirstZone, simplified: type 0 unless transitions use it
	 * and a standard type exists. */
	z->first_off = (int32_t)be(types, 4);
	if (first_used)
		for (uint32_t t = 0; t < c[4]; t++)
			if (!types[6 * t + 4]) {
				z->first_off = (int32_t)be(types + 6 * t, 4);
				break;
			}
	if (tsize == 8) { /* footer: \nTZ\n */
		const char *f = (const char *)p + sz, *e = (const char *)buf + len;
		if (f < e && *f == '\n') {
			const char *nl = memchr(f + 1, '\n', (size_t)(e - f - 1));
			if (nl != NULL && nl > f + 1) {
				_cleanup_free_ char *rule = k8c_xstrndup(f + 1, (size_t)(nl - f - 1));
				z->has_rule = parse_rule(rule, &z->rule) == 0;
			}
		}
	}
	return 0;
}

static int load_file(const char *path, cron_zone_t **out)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	size_t n;
	cron_zone_t *z;

	if (f == NULL)
		return -1;
	buf = k8c_xmalloc(MAX_TZIF);
	n = fread(buf, 1, MAX_TZIF, f);
	fclose(f);
	z = k8c_xcalloc(1, sizeof(*z));
	if (parse_tzif(z, buf, n) < 0) {
		free(buf);
		cron_zone_free(z);
		return -1;
	}
	free(buf);
	*out = z;
	return 0;
}

int cron_zone_load(const char *name, cron_zone_t **out, char **err)
{
	_cleanup_free_ char *path = NULL;

	*out = NULL;
	*err = NULL;
	if (name == NULL || strcmp(name, "Local") == 0) {
		const char *tz = getenv("TZ");
		if (tz == NULL)
			return load_file("/etc/localtime", out) == 0 ? 0 : cron_zone_load("UTC", out, err);
		name = tz[0] == ':' ? tz + 1 : tz;
	}
	if (name[0] == '\0' || strcmp(name, "UTC") == 0) {
		*out = k8c_xcalloc(1, sizeof(**out));
		return 0;
	}
	if (strstr(name, "..") != NULL || name[0] == '/' || name[0] == '\\') {
		*err = k8c_xstrdup("time: invalid location name");
		return -1;
	}
	path = k8c_xasprintf("%s/%s", ZONEINFO_DIR, name);
	if (load_file(path, out) == 0)
		return 0;
	*err = k8c_xasprintf("unknown time zone %s", name);
	return -1;
}

void cron_zone_free(cron_zone_t *z)
{
	if (z == NULL)
		return;
	free(z->tx);
	free(z);
}

int cron_zone_offset(const cron_zone_t *z, int64_t t, int64_t *start, int64_t *end)
{
	int64_t s = NEVER_LO, e = NEVER_HI;
	int32_t off = z->first_off;
	size_t lo = 0, hi = z->n_tx;

	if (z->n_tx > 0 && t < z->tx[0].when) {
		e = z->tx[0].when;
	} else if (z->n_tx > 0) {
		while (hi - lo > 1) { /* the last transition <= t */
			size_t mid = lo + (hi - lo) / 2;
			if (z->tx[mid].when <= t)
				lo = mid;
			else
				hi = mid;
		}
		off = z->tx[lo].off;
		s = z->tx[lo].when;
		if (lo + 1 < z->n_tx)
			e = z->tx[lo + 1].when;
		else if (z->has_rule) {
			off = rule_lookup(&z->rule, t, &s, &e);
			if (s < z->tx[lo].when)
				s = z->tx[lo].when;
		}
	} else if (z->has_rule) {
		off = rule_lookup(&z->rule, t, &s, &e);
	}
	if (start)
		*start = s;
	if (end)
		*end = e;
	return off;
}

void cron_zone_fields(const cron_zone_t *z, int64_t t, cron_tm_t *tm)
{
	int64_t local = t + cron_zone_offset(z, t, NULL, NULL);
	int64_t days = floor_div(local, DAY), secs = local - days * DAY;

	civil_from_days(days, &tm->year, &tm->month, &tm->day);
	tm->hour = (int)(secs / 3600);
	tm->min = (int)(secs / 60 % 60);
	tm->sec = (int)(secs % 60);
	tm->wday = (int)(((days + 4) % 7 + 7) % 7);
}

int64_t cron_zone_date(const cron_zone_t *z, int64_t year, int64_t month, int64_t day,
                       int64_t hour, int64_t min, int64_t sec)
{
	int64_t m0 = month - 1, lt, start, end, off, utc;

	year += floor_div(m0, 12);
	m0 -= floor_div(m0, 12) * 12;
	lt = (days_from_civil(year, m0 + 1, 1) + day - 1) * DAY + hour * 3600 + min * 60 + sec;
	/* As Go: guess with the offset at the wall time read as UTC, then
	 * correct when the result falls outside that offset's interval. */
	off = cron_zone_offset(z, lt, &start, &end);
	if (off != 0) {
		utc = lt - off;
		if (utc < start || utc >= end)
			off = cron_zone_offset(z, utc, NULL, NULL);
		lt -= off;
	}
	return lt;
}

char *cron_zone_format(const cron_zone_t *z, int64_t t, char *buf, unsigned len)
{
	cron_tm_t tm;
	int off = cron_zone_offset(z, t, NULL, NULL);

	cron_zone_fields(z, t, &tm);
	if (off == 0) {
		snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.year, tm.month, tm.day, tm.hour,
		         tm.min, tm.sec);
	} else {
		int a = off < 0 ? -off : off;
		snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", tm.year, tm.month, tm.day,
		         tm.hour, tm.min, tm.sec, off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
	}
	return buf;
}
