/* What reconcile returns to be called again after a delay.  The host's
 * work queue keeps one delayed add per key, at the earliest due time
 * (core/common/workqueue.c), so a reconcile simply returns the delay it
 * wants: no bookkeeping of requeues already pending. */
#ifndef K8C_NODE_LIFECYCLE_DELAY_H
#define K8C_NODE_LIFECYCLE_DELAY_H

#include <limits.h>
#include <stdint.h>

/* ms as reconcile's return: at least 1, at most INT_MAX (about 24 days;
 * a longer wait is a pass sooner, which finds nothing due). */
static inline int nl_reconcile_after_ms(int64_t ms)
{
	if (ms < 1)
		return 1;
	if (ms > INT_MAX)
		return INT_MAX;
	return (int)ms;
}

/* Seconds (or any double) times scale, to int64_t without overflow:
 * NaN and what does not fit become INT64_MAX, negatives 0. */
static inline int64_t nl_scale_to_i64(double x, double scale)
{
	double v = x * scale;

	if (!(v >= 0))
		return v < 0 ? 0 : INT64_MAX;
	if (v >= 9223372036854775807.0) /* 2^63: the first double past INT64_MAX */
		return INT64_MAX;
	return (int64_t)v;
}

#endif
