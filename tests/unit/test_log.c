/* Logging: levels, line format, truncation. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define K8C_LOG_COMPONENT "testcomp"
#include "common/log.h"
#include "tap.h"

/* Run fn with stderr captured into buf. */
static void capture(void (*fn)(void), char *buf, size_t len)
{
	FILE *tmp = tmpfile();
	int saved = dup(2);
	size_t n;

	dup2(fileno(tmp), 2);
	fn();
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(buf, 1, len - 1, tmp);
	buf[n] = '\0';
	fclose(tmp);
}

static void log_some(void)
{
	K8C_ERROR("disk %s is full", "/var");
	K8C_INFO("hello %d", 42);
	K8C_DEBUG("hidden at info");
}

static void log_long(void)
{
	char big[10000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	K8C_WARN("%s", big);
}

int main(void)
{
	char buf[16384];

	is_int(k8c_log_level_parse("error"), K8C_LOG_ERROR, "parse error");
	is_int(k8c_log_level_parse("WARN"), K8C_LOG_WARN, "parse is case-insensitive");
	is_int(k8c_log_level_parse("debug"), K8C_LOG_DEBUG, "parse debug");
	is_int(k8c_log_level_parse("3"), K8C_LOG_DEBUG, "parse a number");
	is_int(k8c_log_level_parse("loud"), -1, "reject an unknown level");
	is_int(k8c_log_level_parse("5"), -1, "reject an out-of-range number");
	is_int(k8c_log_get_level(), K8C_LOG_INFO, "default level is info");

	capture(log_some, buf, sizeof(buf));
	ok(strstr(buf, "ERROR testcomp: disk /var is full\n") != NULL, "error line with component");
	ok(strstr(buf, "INFO  testcomp: hello 42\n") != NULL, "info line");
	ok(strstr(buf, "hidden") == NULL, "debug hidden at info");
	ok(buf[4] == '-' && buf[10] == 'T' && strstr(buf, "Z ERROR") != NULL, "lines start with an RFC 3339 UTC time");

	k8c_log_set_level(K8C_LOG_DEBUG);
	capture(log_some, buf, sizeof(buf));
	ok(strstr(buf, "DEBUG testcomp: hidden at info\n") != NULL, "debug shown at debug");
	k8c_log_set_level(K8C_LOG_ERROR);
	capture(log_some, buf, sizeof(buf));
	ok(strstr(buf, "hello") == NULL && strstr(buf, "full") != NULL, "error level shows errors only");
	k8c_log_set_level(99);
	is_int(k8c_log_get_level(), K8C_LOG_TRACE, "levels clamp");

	capture(log_long, buf, sizeof(buf));
	ok(strlen(buf) <= 4096 && strstr(buf, "...\n") != NULL, "long lines are truncated with ... (%zu bytes)", strlen(buf));
	return done_testing();
}
