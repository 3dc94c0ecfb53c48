/* Cron schedules and time zones for the CronJob controller, as
 * kube-controller-manager computes them: github.com/robfig/cron/v3's
 * standard parser and SpecSchedule.Next, over Go's time.Location (IANA
 * zones read from /usr/share/zoneinfo TZif files, with the POSIX TZ rule of
 * the footer for times past the last transition).  Nothing here touches
 * process-global state (no setenv("TZ")/localtime): zones and schedules are
 * immutable values, safe to use from any number of threads.  Times are
 * Unix seconds. */
#ifndef K8C_CONTROLLER_CRONJOB_CRON_H
#define K8C_CONTROLLER_CRONJOB_CRON_H

#include <stdint.h>

typedef struct cron_zone cron_zone_t;

/* Load an IANA zone by name ("America/New_York"); "" and "UTC" are UTC,
 * "Local" (or NULL) is the process's zone as Go's time.Local finds it ($TZ,
 * else /etc/localtime).  *out is owned by the caller (cron_zone_free).  On
 * failure *err gets a message (caller frees) such as "unknown time zone X". */
int cron_zone_load(const char *name, cron_zone_t **out, char **err);
void cron_zone_free(cron_zone_t *z);

/* UTC offset in seconds in force at t; start/end (may be NULL) receive the
 * interval [start, end) in which that offset holds. */
int cron_zone_offset(const cron_zone_t *z, int64_t t, int64_t *start, int64_t *end);

typedef struct cron_tm {
	int year, month, day; /* month 1-12, day 1-31 */
	int hour, min, sec;
	int wday;             /* 0 = Sunday */
} cron_tm_t;

/* The wall clock of t in z. */
void cron_zone_fields(const cron_zone_t *z, int64_t t, cron_tm_t *tm);
/* Go's time.Date(year, month, day, hour, min, sec, 0, z): fields may be out
 * of range and are normalised; a wall time that does not exist or exists
 * twice (DST) resolves as Go resolves it. */
int64_t cron_zone_date(const cron_zone_t *z, int64_t year, int64_t month, int64_t day,
                       int64_t hour, int64_t min, int64_t sec);
/* RFC 3339 with the zone's offset ("2024-03-10T01:30:00-05:00", "...Z" at
 * offset 0), as Go's Format(time.RFC3339).  buf of at least 32 bytes. */
char *cron_zone_format(const cron_zone_t *z, int64_t t, char *buf, unsigned len);

typedef struct cron_schedule cron_schedule_t;

/* Parse a standard 5-field spec, a descriptor (@yearly, @annually,
 * @monthly, @weekly, @daily, @midnight, @hourly, @every <duration>) and an
 * optional "TZ=zone " / "CRON_TZ=zone " prefix, as cron.ParseStandard.
 * zone is the schedule's location when there is no prefix (borrowed: it
 * must outlive the schedule; NULL: UTC).  *out owned by the caller
 * (cron_schedule_free); on failure *err (caller frees) says why. */
int cron_schedule_parse(const char *spec, const cron_zone_t *zone, cron_schedule_t **out,
                        char **err);
void cron_schedule_free(cron_schedule_t *s);
/* The first activation strictly after t (SpecSchedule.Next), or 0 when
 * there is none within five years (e.g. "0 0 30 2 *"). */
int64_t cron_schedule_next(const cron_schedule_t *s, int64_t t);
/* The schedule's zone (borrowed). */
const cron_zone_t *cron_schedule_zone(const cron_schedule_t *s);

#endif
