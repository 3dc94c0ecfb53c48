/* Go's time.ParseDuration, as kube-controller-manager reads its duration
 * flags ("40s", "1m30s", "500ms", "1.5h", "-2s", "0"), to nanoseconds.
 * core/common/timestamp.h's k8c_duration_parse takes whole seconds only. */
#ifndef K8C_NODE_LIFECYCLE_DURATION_H
#define K8C_NODE_LIFECYCLE_DURATION_H

#include <stdint.h>

#include <k8c/error.h>

/* Units ns, us (µs, μs), ms, s, m, h; each number may have a fraction;
 * a leading sign; "0" alone needs no unit.  *ns on success; an error
 * naming s otherwise (also when it overflows int64 nanoseconds). */
int nl_duration_parse(const char *s, int64_t *ns, k8c_error_t *err);

#endif
