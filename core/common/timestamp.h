/* RFC 3339 times as Kubernetes writes them: metav1.Time is
 * "2006-01-02T15:04:05Z" (seconds, UTC), metav1.MicroTime is
 * "2006-01-02T15:04:05.000000Z".  Times are int64 nanoseconds since the
 * Unix epoch. */
#ifndef K8C_COMMON_TIMESTAMP_H
#define K8C_COMMON_TIMESTAMP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <k8c/error.h>

#define K8C_TIME_STRLEN 40

/* Parse RFC 3339: date 'T' (or 't' or ' ') time, optional fraction of up to
 * 9 digits, then 'Z'/'z' or +hh:mm/-hh:mm.  Field ranges are checked (month
 * 1-12, day within the month incl. leap years, hour 0-23, minute 0-59,
 * second 0-60).  *ns receives UTC nanoseconds. */
int k8c_time_parse(const char *s, int64_t *ns, k8c_error_t *err);
/* Format UTC seconds ("...T15:04:05Z"); returns buf. */
char *k8c_time_format(int64_t ns, char buf[K8C_TIME_STRLEN]);
/* Format UTC microseconds ("...T15:04:05.000000Z"); returns buf. */
char *k8c_time_format_micro(int64_t ns, char buf[K8C_TIME_STRLEN]);
/* Parse a Go duration of whole seconds as flags take it: "1h", "30m",
 * "1h30m", "90s", "0", or a plain number of seconds.  *seconds >= 0. */
int k8c_duration_parse(const char *s, int64_t *seconds, k8c_error_t *err);
int64_t k8c_time_now_ns(void);       /* CLOCK_REALTIME */
int64_t k8c_time_monotonic_ns(void); /* CLOCK_MONOTONIC */
/* The time ns nanoseconds from now on clock, for pthread_cond_timedwait
 * (CLOCK_REALTIME unless the condition variable was set to another). */
struct timespec k8c_timespec_in(clockid_t clock, int64_t ns);

#endif
