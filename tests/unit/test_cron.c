/* The CronJob controller's cron schedules and time zones
 * (plugins/controller-cronjob/cron.c, cron_zone.c): robfig/cron's parser
 * and Next, DST in America/New_York, the southern hemisphere, Feb 29, the
 * day-of-month/day-of-week OR rule. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/timestamp.h"
#include "cron.h"
#include "tap.h"

static int64_t ts(const char *s)
{
	int64_t ns = 0;
	k8c_error_t err;

	if (k8c_time_parse(s, &ns, &err) < 0)
		abort();
	return ns / 1000000000LL;
}

static char *fmt(int64_t t, char *buf)
{
	if (t == 0)
		return strcpy(buf, "none");
	return k8c_time_format(t * 1000000000LL, buf);
}

/* next(spec in zone, after) as UTC text */
static void next_is(const char *zone, const char *spec, const char *after, const char *want)
{
	cron_zone_t *z = NULL;
	cron_schedule_t *s = NULL;
	char *err = NULL, buf[K8C_TIME_STRLEN];

	if (cron_zone_load(zone, &z, &err) < 0 || cron_schedule_parse(spec, z, &s, &err) < 0) {
		ok(0, "%s [%s]: %s", spec, zone, err);
		free(err);
		cron_zone_free(z);
		return;
	}
	is_str(fmt(cron_schedule_next(s, ts(after)), buf), want, "%s [%s] after %s", spec,
	       zone[0] ? zone : "UTC", after);
	cron_schedule_free(s);
	cron_zone_free(z);
}

static void bad(const char *spec, const char *want)
{
	cron_schedule_t *s = NULL;
	char *err = NULL;
	int ret = cron_schedule_parse(spec, NULL, &s, &err);

	ok(ret < 0 && s == NULL && err != NULL && strstr(err, want) != NULL, "\"%s\" refused: %s",
	   spec, err ? err : "(accepted)");
	free(err);
	cron_schedule_free(s);
}

static void offset_is(const char *zone, const char *at, int want)
{
	cron_zone_t *z = NULL;
	char *err = NULL;

	if (cron_zone_load(zone, &z, &err) < 0) {
		ok(0, "%s: %s", zone, err);
		free(err);
		return;
	}
	is_int(cron_zone_offset(z, ts(at), NULL, NULL), want, "%s at %s", zone, at);
	cron_zone_free(z);
}

int main(void)
{
	char buf[64];
	cron_zone_t *ny = NULL;
	char *err = NULL;

	/* every minute, steps, lists, ranges */
	next_is("", "* * * * *", "2024-01-01T00:00:30Z", "2024-01-01T00:01:00Z");
	next_is("", "* * * * *", "2024-01-01T00:01:00Z", "2024-01-01T00:02:00Z");
	next_is("", "*/15 * * * *", "2024-01-01T00:14:59Z", "2024-01-01T00:15:00Z");
	next_is("", "5/20 * * * *", "2024-01-01T00:26:00Z", "2024-01-01T00:45:00Z");
	next_is("", "0,30 9-17/4 * * *", "2024-01-01T13:31:00Z", "2024-01-01T17:00:00Z");
	next_is("", "59 23 31 12 *", "2024-06-01T00:00:00Z", "2024-12-31T23:59:00Z");
	next_is("", "0 0 1 */3 *", "2024-02-10T00:00:00Z", "2024-04-01T00:00:00Z");
	/* names, any case */
	next_is("", "0 12 * jan-mar mon-fri", "2024-03-29T12:00:00Z", "2025-01-01T12:00:00Z");
	next_is("", "0 0 * * SUN", "2024-09-04T10:00:00Z", "2024-09-08T00:00:00Z");
	next_is("", "0 0 * Feb,aug *", "2024-03-01T00:00:00Z", "2024-08-01T00:00:00Z");
	next_is("", "0 0 ? * ?", "2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z");
	/* descriptors */
	next_is("", "@hourly", "2024-01-01T10:20:00Z", "2024-01-01T11:00:00Z");
	next_is("", "@daily", "2024-01-01T10:20:00Z", "2024-01-02T00:00:00Z");
	next_is("", "@midnight", "2024-01-01T10:20:00Z", "2024-01-02T00:00:00Z");
	next_is("", "@weekly", "2024-01-01T10:20:00Z", "2024-01-07T00:00:00Z");
	next_is("", "@monthly", "2024-01-01T10:20:00Z", "2024-02-01T00:00:00Z");
	next_is("", "@yearly", "2024-01-01T10:20:00Z", "2025-01-01T00:00:00Z");
	next_is("", "@annually", "2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z");
	next_is("", "@every 90s", "2024-01-01T00:00:00Z", "2024-01-01T00:01:30Z");
	next_is("", "@every 1h30m", "2024-01-01T00:00:00Z", "2024-01-01T01:30:00Z");
	/* Feb 29 */
	next_is("", "0 0 29 2 *", "2024-03-01T00:00:00Z", "2028-02-29T00:00:00Z");
	next_is("", "0 0 29 2 *", "2023-06-01T00:00:00Z", "2024-02-29T00:00:00Z");
	next_is("", "0 0 30 2 *", "2024-01-01T00:00:00Z", "none");
	next_is("", "0 0 31 4 *", "2024-01-01T00:00:00Z", "none");
	/* day of month OR day of week when neither is '*' */
	next_is("", "0 0 13 * 5", "2024-09-01T00:00:00Z", "2024-09-06T00:00:00Z");
	next_is("", "0 0 13 * 5", "2024-09-12T00:00:00Z", "2024-09-13T00:00:00Z");
	next_is("", "0 0 13 * *", "2024-09-01T00:00:00Z", "2024-09-13T00:00:00Z");
	next_is("", "0 0 1-7 * 1", "2024-09-08T00:00:00Z", "2024-09-09T00:00:00Z");
	next_is("", "0 0 */1 * 1", "2024-09-08T00:00:00Z", "2024-09-09T00:00:00Z");
	/* a '*' in one of them: AND */
	next_is("", "0 0 * 9 1", "2024-09-03T00:00:00Z", "2024-09-09T00:00:00Z");
	/* a step over '*' is no longer a star: OR */
	next_is("", "0 0 */2 * 1", "2024-09-01T00:00:01Z", "2024-09-02T00:00:00Z");

	/* time zones */
	next_is("America/New_York", "0 9 * * *", "2024-01-15T00:00:00Z", "2024-01-15T14:00:00Z");
	next_is("America/New_York", "0 9 * * *", "2024-07-15T00:00:00Z", "2024-07-15T13:00:00Z");
	next_is("", "TZ=America/New_York 0 9 * * *", "2024-07-15T00:00:00Z", "2024-07-15T13:00:00Z");
	next_is("", "CRON_TZ=Asia/Tokyo 0 9 * * *", "2024-07-15T00:00:00Z", "2024-07-16T00:00:00Z");
	next_is("Asia/Kolkata", "30 0 * * *", "2024-07-15T00:00:00Z", "2024-07-15T19:00:00Z");
	/* spring forward (2024-03-10 02:00 EST -> 03:00 EDT): 02:30 does not
	 * exist that day and is skipped, as robfig/cron does */
	next_is("America/New_York", "30 2 * * *", "2024-03-09T12:00:00Z", "2024-03-11T06:30:00Z");
	next_is("America/New_York", "30 3 * * *", "2024-03-09T12:00:00Z", "2024-03-10T07:30:00Z");
	next_is("America/New_York", "0 * * * *", "2024-03-10T06:30:00Z", "2024-03-10T07:00:00Z");
	next_is("America/New_York", "0 0 * * *", "2024-03-10T04:00:00Z", "2024-03-10T05:00:00Z");
	next_is("America/New_York", "0 0 * * *", "2024-03-10T05:00:00Z", "2024-03-11T04:00:00Z");
	/* fall back (2024-11-03 02:00 EDT -> 01:00 EST): 01:30 happens twice */
	next_is("America/New_York", "30 1 * * *", "2024-11-03T04:00:00Z", "2024-11-03T05:30:00Z");
	next_is("America/New_York", "30 1 * * *", "2024-11-03T05:30:00Z", "2024-11-03T06:30:00Z");
	next_is("America/New_York", "30 1 * * *", "2024-11-03T06:30:00Z", "2024-11-04T06:30:00Z");
	/* beyond the file's transitions: the footer's POSIX rule */
	next_is("America/New_York", "0 9 1 7 *", "2090-01-01T00:00:00Z", "2090-07-01T13:00:00Z");
	next_is("Australia/Sydney", "0 9 1 1 *", "2089-06-01T00:00:00Z", "2089-12-31T22:00:00Z");
	offset_is("America/New_York", "2024-07-01T00:00:00Z", -14400);
	offset_is("America/New_York", "2024-01-01T00:00:00Z", -18000);
	offset_is("America/New_York", "2100-07-01T00:00:00Z", -14400);
	offset_is("America/New_York", "2100-12-01T00:00:00Z", -18000);
	offset_is("America/New_York", "2024-03-10T06:59:59Z", -18000);
	offset_is("America/New_York", "2024-03-10T07:00:00Z", -14400);
	offset_is("Australia/Sydney", "2024-01-01T00:00:00Z", 39600);
	offset_is("Australia/Sydney", "2024-07-01T00:00:00Z", 36000);
	offset_is("Australia/Sydney", "2090-01-01T00:00:00Z", 39600);
	offset_is("Australia/Sydney", "2090-07-01T00:00:00Z", 36000);
	offset_is("UTC", "2024-07-01T00:00:00Z", 0);
	offset_is("Asia/Kolkata", "2024-07-01T00:00:00Z", 19800);

	ok(cron_zone_load("America/New_York", &ny, &err) == 0, "load America/New_York");
	is_str(cron_zone_format(ny, ts("2024-03-10T06:30:00Z"), buf, sizeof(buf)),
	       "2024-03-10T01:30:00-05:00", "RFC 3339 in the zone (EST)");
	is_str(cron_zone_format(ny, ts("2024-07-10T06:30:00Z"), buf, sizeof(buf)),
	       "2024-07-10T02:30:00-04:00", "RFC 3339 in the zone (EDT)");
	is_int(cron_zone_date(ny, 2024, 13, 1, 0, 0, 0), ts("2025-01-01T05:00:00Z"),
	       "Date normalises month 13");
	is_int(cron_zone_date(ny, 2024, 11, 3, 1, 30, 0), ts("2024-11-03T05:30:00Z"),
	       "an ambiguous wall time resolves to the first (EDT)");
	cron_zone_free(ny);
	ok(cron_zone_load("Nowhere/Land", &ny, &err) < 0 && strstr(err, "unknown time zone"),
	   "an unknown zone is refused: %s", err);
	free(err);
	err = NULL;
	ok(cron_zone_load("../etc/passwd", &ny, &err) < 0, "a path is no zone name");
	free(err);

	/* syntax errors */
	bad("* * * *", "expected exactly 5 fields");
	bad("* * * * * *", "expected exactly 5 fields");
	bad("", "empty spec string");
	bad("60 * * * *", "invalid range");
	bad("* 24 * * *", "invalid range");
	bad("* * 0 * *", "invalid range");
	bad("* * * 13 *", "invalid range");
	bad("* * * * 7", "invalid range");
	bad("5-1 * * * *", "invalid range");
	bad("*/0 * * * *", "invalid range");
	bad("a * * * *", "failed to parse int");
	bad("1-2-3 * * * *", "too many hyphens");
	bad("1/2/3 * * * *", "too many slashes");
	bad("* * * foo *", "failed to parse int");
	bad("@fortnightly", "unrecognized descriptor");
	bad("@every x", "failed to parse duration");
	bad("TZ=Nowhere/Land * * * * *", "provided bad location");
	bad("TZ=UTC", "missing schedule");
	return done_testing();
}
