/* Waiting that works on fibers and on plain threads alike.
 *
 * A completion is a one-shot event: k8c_completion_done (any thread, once)
 * lets k8c_completion_wait return, whether it came before or after the
 * wait.  On a plain thread the wait blocks the thread; on a fiber it yields
 * the completion to the fiber's driver, which parks the fiber's work
 * (k8c_completion_arm) and continues it once done has been called — the
 * thread meanwhile serves other fibers.
 *
 * k8c_lock_t is a mutex that may be held across such a wait: a fiber that
 * finds it taken waits on a completion instead of blocking its thread. */
#ifndef K8C_COMMON_COMPLETION_H
#define K8C_COMMON_COMPLETION_H

#include <pthread.h>
#include <stdint.h>

typedef struct k8c_completion {
	pthread_mutex_t mu;
	pthread_cond_t cond;
	int done;
	void (*wake)(void *arg); /* set by k8c_completion_arm */
	void *wake_arg;
} k8c_completion_t;

void k8c_completion_init(k8c_completion_t *c);
void k8c_completion_destroy(k8c_completion_t *c);
/* Return once done was called (on a fiber: by yielding c). */
void k8c_completion_wait(k8c_completion_t *c);
/* Mark c done and wake its waiter.  Call once; after it returns c may
 * already be destroyed by the waiter. */
void k8c_completion_done(k8c_completion_t *c);

/* For the driver that got c from k8c_fiber_resume: returns 1 when c is
 * done already (resume the fiber now).  Otherwise calls park(arg) with c's
 * lock held, so that done cannot come between, arranges for done to call
 * wake(arg), and returns 0. */
int k8c_completion_arm(k8c_completion_t *c, void (*park)(void *arg),
                       void (*wake)(void *arg), void *arg);

typedef struct k8c_lock_waiter k8c_lock_waiter_t;
typedef struct k8c_lock {
	pthread_mutex_t mu;
	int held;
	k8c_lock_waiter_t *head, *tail; /* FIFO of waiters, on their stacks */
} k8c_lock_t;

void k8c_lock_init(k8c_lock_t *l);
void k8c_lock_destroy(k8c_lock_t *l);
void k8c_lock(k8c_lock_t *l);
/* Hand the lock to the oldest waiter, or free it. */
void k8c_unlock(k8c_lock_t *l);

/* Sleep ns nanoseconds: on a fiber without holding its thread. */
void k8c_sleep_ns(int64_t ns);

#endif
