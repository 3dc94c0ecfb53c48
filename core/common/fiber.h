/* Fibers: a function run on its own stack that can stop part-way
 * (k8c_fiber_yield) and be continued later (k8c_fiber_resume) on the same
 * thread.  The HTTP front end runs each request on one, so that a request
 * waiting for its durable write gives its thread to other requests instead
 * of sleeping on it.
 *
 * A fiber is resumed and yields on one thread only (its driver's).  Code on
 * a fiber must not hold a pthread mutex across a yield that another fiber
 * of the same thread may want: that thread would block and the holder could
 * never run again (use k8c_lock_t of completion.h for such locks). */
#ifndef K8C_COMMON_FIBER_H
#define K8C_COMMON_FIBER_H

#include <stddef.h>

typedef struct k8c_fiber k8c_fiber_t;

/* A fiber that will run fn(arg) when first resumed (stacks are pooled).
 * Never NULL: aborts when out of memory, as k8c_xmalloc. */
k8c_fiber_t *k8c_fiber_new(void (*fn)(void *arg), void *arg);

/* Run f until it yields or returns.  Returns what it yielded, or NULL when
 * fn returned (f is then done: k8c_fiber_free it). */
void *k8c_fiber_resume(k8c_fiber_t *f);

/* From a fiber: stop here, make k8c_fiber_resume return what (not NULL);
 * returns when the fiber is resumed again. */
void k8c_fiber_yield(void *what);

/* The fiber running on this thread, or NULL on a thread's own stack. */
k8c_fiber_t *k8c_fiber_current(void);

/* Give a finished (or never resumed) fiber's stack back to the pool. */
void k8c_fiber_free(k8c_fiber_t *f);

/* Unmap the pooled stacks (at shutdown; later fibers map new ones). */
void k8c_fiber_pool_drain(void);

#endif
