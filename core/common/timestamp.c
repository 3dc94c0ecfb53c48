/* RFC 3339 timestamps as Kubernetes reads and writes them.
 *
 * Civil dates are converted with plain proleptic-Gregorian arithmetic
 * (days since 1970-01-01, eras of 400 years), never through mktime() or
 * gmtime(), so nothing depends on TZ or on the C library's time range.
 * Times are int64 nanoseconds since the epoch: 1677-09-21T00:12:43Z to
 * 2262-04-11T23:47:16Z. */
#include "config.h"

#include <stdio.h>
#include <time.h>

#include "common/timestamp.h"

#define NS_PER_SEC 1000000000LL

/* Days from 1970-01-01 to y-m-d (m 1-12). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;                                   /* [0, 399] */
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
	return era * 146097 + doe - 719468;
}

/* The inverse: y-m-d of a day number. */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* n decimal digits at s into *out; -1 if any is not a digit. */
static int digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int bad(k8c_error_t *err, const char *s, const char *why)
{
	return k8c_error_make(err, K8C_EINVAL, "invalid RFC 3339 time \"%.64s\": %s", s, why);
}

int k8c_time_parse(const char *s, int64_t *ns, k8c_error_t *err)
{
	int year, mon, day, hour, min, sec, oh = 0, om = 0;
	int64_t frac = 0;
	const char *p;

	if (s == NULL)
		return k8c_error_make(err, K8C_EINVAL, "time is missing");
	/* The fixed part: "2006-01-02T15:04:05", checked a character at a
	 * time so that a short string never reads past its NUL. */
	if (digits(s, 4, &year) < 0 || s[4] != '-' || digits(s + 5, 2, &mon) < 0 || s[7] != '-' ||
	    digits(s + 8, 2, &day) < 0)
		return bad(err, s, "want YYYY-MM-DD");
	if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
		return bad(err, s, "want 'T' between date and time");
	if (digits(s + 11, 2, &hour) < 0 || s[13] != ':' || digits(s + 14, 2, &min) < 0 ||
	    s[16] != ':' || digits(s + 17, 2, &sec) < 0)
		return bad(err, s, "want hh:mm:ss");
	if (mon < 1 || mon > 12)
		return bad(err, s, "month out of range");
	if (day < 1 || day > days_in_month(year, mon))
		return bad(err, s, "day out of range");
	if (hour > 23)
		return bad(err, s, "hour out of range");
	if (min > 59)
		return bad(err, s, "minute out of range");
	if (sec > 60)
		return bad(err, s, "second out of range");

	p = s + 19;
	if (*p == '.') {
		int n = 0;
		for (p++; *p >= '0' && *p <= '9'; p++, n++) {
			if (n == 9)
				return bad(err, s, "more than 9 fractional digits");
			frac = frac * 10 + (*p - '0');
		}
		if (n == 0)
			return bad(err, s, "no digits after '.'");
		for (; n < 9; n++)
			frac *= 10;
	}

	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1;
		if (digits(p + 1, 2, &oh) < 0 || p[3] != ':' || digits(p + 4, 2, &om) < 0)
			return bad(err, s, "want a +hh:mm or -hh:mm offset");
		if (oh > 23 || om > 59)
			return bad(err, s, "offset out of range");
		oh *= sign;
		om *= sign;
		p += 6;
	} else {
		return bad(err, s, "want 'Z' or a +hh:mm offset");
	}
	if (*p != '\0')
		return bad(err, s, "trailing characters");

	/* Local time minus the offset is UTC; a leap second 60 counts as the
	 * first second of the next minute. */
	int64_t secs = days_from_civil(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec -
	               (oh * 3600 + om * 60);
	int64_t t;
	if (secs < 0 && frac > 0) { /* keep secs * 1e9 in range near INT64_MIN */
		secs++;
		frac -= NS_PER_SEC;
	}
	if (__builtin_mul_overflow(secs, NS_PER_SEC, &t) || __builtin_add_overflow(t, frac, &t))
		return k8c_error_make(err, K8C_ETOOLARGE,
		                      "time \"%.64s\" is outside the range of int64 "
		                      "nanoseconds (1677-09-21 to 2262-04-11)",
		                      s);
	*ns = t;
	return 0;
}

/* Floor division, so that times before 1970 print the right second. */
static void split(int64_t ns, int64_t *secs, int64_t *sub)
{
	*secs = ns / NS_PER_SEC;
	*sub = ns % NS_PER_SEC;
	if (*sub < 0) {
		*sub += NS_PER_SEC;
		(*secs)--;
	}
}

static int format_date_time(int64_t secs, char buf[K8C_TIME_STRLEN])
{
	int64_t days = secs / 86400, rem = secs % 86400, y;
	int m, d;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	return snprintf(buf, K8C_TIME_STRLEN, "%04lld-%02d-%02dT%02d:%02d:%02d", (long long)y, m, d,
	                (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
}

char *k8c_time_format(int64_t ns, char buf[K8C_TIME_STRLEN])
{
	int64_t secs, sub;

	split(ns, &secs, &sub);
	int n = format_date_time(secs, buf);
	snprintf(buf + n, (size_t)(K8C_TIME_STRLEN - n), "Z");
	return buf;
}

char *k8c_time_format_micro(int64_t ns, char buf[K8C_TIME_STRLEN])
{
	int64_t secs, sub;

	split(ns, &secs, &sub);
	int n = format_date_time(secs, buf);
	snprintf(buf + n, (size_t)(K8C_TIME_STRLEN - n), ".%06lldZ", (long long)(sub / 1000));
	return buf;
}

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

int64_t k8c_time_now_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

int64_t k8c_time_monotonic_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

struct timespec k8c_timespec_in(clockid_t clock, int64_t ns)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	ts.tv_sec += (time_t)(ns / 1000000000);
	ts.tv_nsec += (long)(ns % 1000000000);
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return ts;
}

int k8c_duration_parse(const char *s, int64_t *seconds, k8c_error_t *err)
{
	const char *p = s;
	int64_t total = 0;
	int units = 0;

	if (s == NULL || *s == '\0')
		return k8c_error_make(err, K8C_EINVAL, "empty duration");
	while (*p != '\0') {
		int64_t n = 0, mult;
		const char *digits = p;
		while (*p >= '0' && *p <= '9') {
			if (n > INT64_C(1) << 40)
				return k8c_error_make(err, K8C_EINVAL, "duration \"%s\" is too long", s);
			n = n * 10 + (*p++ - '0');
		}
		if (p == digits)
			return k8c_error_make(err, K8C_EINVAL,
			                      "duration \"%s\": expected a number before \"%s\" (e.g. 1h30m, 90s)", s, p);
		switch (*p) {
		case 'h': mult = 3600; p++; break;
		case 'm': mult = 60; p++; break;
		case 's': mult = 1; p++; break;
		case '\0':
			if (units > 0)
				return k8c_error_make(err, K8C_EINVAL, "duration \"%s\": a unit (h, m, s) is missing at the end", s);
			mult = 1; /* plain seconds */
			break;
		default:
			return k8c_error_make(err, K8C_EINVAL,
			                      "duration \"%s\": unknown unit \"%c\" (use h, m or s)", s, *p);
		}
		total += n * mult;
		units++;
	}
	*seconds = total;
	return 0;
}
