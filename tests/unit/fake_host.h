/* A fake host table for testing a plugin without the core (collectd-style):
 * log lines become TAP diagnostics and are counted, clocks are settable.
 *
 *   fake_host_t fh;
 *   fake_host_init(&fh);
 *   void *cookie;
 *   k8c_plugin.init(&fh.host, config, &cookie, &err);
 */
#ifndef K8C_TESTS_FAKE_HOST_H
#define K8C_TESTS_FAKE_HOST_H

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <k8c/plugin.h>

typedef struct fake_host {
	k8c_host_t host;
	int lines[K8C_LOG_TRACE + 1]; /* log lines seen per level */
	char last[1024];              /* the last line logged */
	int64_t now_ns;               /* what now_ns() and monotonic_ns() answer */
	pthread_mutex_t lock;         /* plugins may log from their own threads */
} fake_host_t;

__attribute__((format(printf, 3, 4)))
static void fake_host_log(void *ctx, int level, const char *fmt, ...)
{
	fake_host_t *fh = ctx;
	va_list ap;

	pthread_mutex_lock(&fh->lock);
	va_start(ap, fmt);
	vsnprintf(fh->last, sizeof(fh->last), fmt, ap);
	va_end(ap);
	if (level >= 0 && level <= K8C_LOG_TRACE)
		fh->lines[level]++;
	printf("# [plugin log %d] %s\n", level, fh->last);
	fflush(stdout);
	pthread_mutex_unlock(&fh->lock);
}

static int fake_host_log_enabled(void *ctx, int level)
{
	return 1;
}

static int64_t fake_host_now(void *ctx)
{
	return ((fake_host_t *)ctx)->now_ns;
}

__attribute__((unused))
static void fake_host_init(fake_host_t *fh)
{
	memset(fh, 0, sizeof(*fh));
	pthread_mutex_init(&fh->lock, NULL);
	fh->host.struct_size = sizeof(k8c_host_t);
	fh->host.abi_major = K8C_ABI_MAJOR;
	fh->host.abi_minor = K8C_ABI_MINOR;
	fh->host.core_version = "test";
	fh->host.ctx = fh;
	fh->host.log = fake_host_log;
	fh->host.log_enabled = fake_host_log_enabled;
	fh->host.now_ns = fake_host_now;
	fh->host.monotonic_ns = fake_host_now;
	fh->host.data_dir = "/tmp";
	fh->now_ns = 1700000000LL * 1000000000LL;
}

#endif
