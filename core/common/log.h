/* Logging for the core.  One line per event on stderr:
 *
 *   2026-11-27T10:32:08.123Z INFO  loader: loaded scheduler/node-name from /x.so
 *
 * A file sets K8C_LOG_COMPONENT before including this header to name its
 * component; plugins log through k8c_host_t.log, which adds the plugin's
 * kind and name.  Levels are enum k8c_log_level from <k8c/plugin.h>. */
#ifndef K8C_COMMON_LOG_H
#define K8C_COMMON_LOG_H

#include <stdarg.h>

#include <k8c/plugin.h>

#ifndef K8C_LOG_COMPONENT
#define K8C_LOG_COMPONENT "k8c"
#endif

/* Only lines at or below this level are written.  Default K8C_LOG_INFO. */
void k8c_log_set_level(int level);
int k8c_log_get_level(void);
/* Parse "error", "warn", "info", "debug", "trace" or 0..4; -1 if neither. */
int k8c_log_level_parse(const char *s);

void k8c_log(int level, const char *component, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void k8c_vlog(int level, const char *component, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

#define K8C_LOG_ENABLED(level) ((level) <= k8c_log_get_level())
#define K8C_ERROR(...) k8c_log(K8C_LOG_ERROR, K8C_LOG_COMPONENT, __VA_ARGS__)
#define K8C_WARN(...) k8c_log(K8C_LOG_WARN, K8C_LOG_COMPONENT, __VA_ARGS__)
#define K8C_INFO(...) k8c_log(K8C_LOG_INFO, K8C_LOG_COMPONENT, __VA_ARGS__)
#define K8C_DEBUG(...)                                                  \
	do {                                                            \
		if (K8C_LOG_ENABLED(K8C_LOG_DEBUG))                     \
			k8c_log(K8C_LOG_DEBUG, K8C_LOG_COMPONENT, __VA_ARGS__); \
	} while (0)

#endif
