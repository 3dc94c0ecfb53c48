/* Logging: timestamped, levelled lines on stderr, written with one write()
 * so lines from several threads never interleave. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"

static int log_level = K8C_LOG_INFO;

static const char *const level_names[] = {"error", "warn", "info", "debug", "trace"};
static const char *const level_tags[] = {"ERROR", "WARN ", "INFO ", "DEBUG", "TRACE"};

void k8c_log_set_level(int level)
{
	if (level < K8C_LOG_ERROR)
		level = K8C_LOG_ERROR;
	if (level > K8C_LOG_TRACE)
		level = K8C_LOG_TRACE;
	__atomic_store_n(&log_level, level, __ATOMIC_RELAXED);
}

int k8c_log_get_level(void)
{
	return __atomic_load_n(&log_level, __ATOMIC_RELAXED);
}

int k8c_log_level_parse(const char *s)
{
	for (int i = 0; i <= K8C_LOG_TRACE; i++)
		if (strcasecmp(s, level_names[i]) == 0)
			return i;
	if (s[0] >= '0' && s[0] <= '4' && s[1] == '\0')
		return s[0] - '0';
	return -1;
}

void k8c_vlog(int level, const char *component, const char *fmt, va_list ap)
{
	char line[4096];
	struct timespec ts;
	struct tm tm;
	size_t n;
	int r;

	if (level > k8c_log_get_level())
		return;
	if (level < K8C_LOG_ERROR)
		level = K8C_LOG_ERROR;
	if (level > K8C_LOG_TRACE)
		level = K8C_LOG_TRACE;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
	r = snprintf(line + n, sizeof(line) - n, ".%03ldZ %s %s: ",
	             ts.tv_nsec / 1000000, level_tags[level], component);
	n += r > 0 ? (size_t)r : 0;
	r = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (r < 0)
		r = 0;
	n += (size_t)r;
	if (n > sizeof(line) - 2) {
		n = sizeof(line) - 5;
		memcpy(line + n, "...", 3);
		n += 3;
	}
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, n) < 0) {
		/* nowhere left to report it */
	}
}

void k8c_log(int level, const char *component, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	k8c_vlog(level, component, fmt, ap);
	va_end(ap);
}
