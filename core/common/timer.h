/* Timers: fn(arg) runs on one shared timer thread (started on first use)
 * at a monotonic time.  The callbacks must be short and must not block:
 * they hand work on (complete a completion, resume a connection). */
#ifndef K8C_COMMON_TIMER_H
#define K8C_COMMON_TIMER_H

#include <stdint.h>

typedef struct k8c_timer {
	int64_t at_ns;                  /* CLOCK_MONOTONIC */
	void (*fn)(void *arg);
	void *arg;
	struct k8c_timer *next;         /* owned by the timer thread's list */
	int pending;
} k8c_timer_t;

/* Run fn(arg) at monotonic at_ns (at once when past).  t (caller-owned)
 * must stay valid until fn has run or k8c_timer_cancel returned. */
void k8c_timer_start(k8c_timer_t *t, int64_t at_ns, void (*fn)(void *arg), void *arg);
/* Cancel t.  When it returns, fn is not running and will not run. */
void k8c_timer_cancel(k8c_timer_t *t);
/* Now on CLOCK_MONOTONIC, in nanoseconds. */
int64_t k8c_timer_now_ns(void);
/* Stop the timer thread; pending timers fire now, on the caller's thread. */
void k8c_timers_stop(void);

#endif
