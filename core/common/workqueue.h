/* Work queues keyed by strings, as client-go's: a key added while queued
 * is queued once; a key added while a worker processes it is processed
 * again after k8c_workqueue_done; so no two workers ever hold one key.
 * Keys can also be added after a delay (backoff, periodic checks).  The
 * kubelet's pod workers and (later) the controllers run on these. */
#ifndef K8C_COMMON_WORKQUEUE_H
#define K8C_COMMON_WORKQUEUE_H

#include <stddef.h>
#include <stdint.h>

typedef struct k8c_workqueue k8c_workqueue_t;

k8c_workqueue_t *k8c_workqueue_new(void);
/* Free after every worker returned from k8c_workqueue_get. */
void k8c_workqueue_free(k8c_workqueue_t *q);

void k8c_workqueue_add(k8c_workqueue_t *q, const char *key);
/* Add key once delay_ns (monotonic) have passed; a key already queued
 * stays where it is, and a key already waiting waits once, for the
 * earlier of its due times (client-go's delaying queue). */
void k8c_workqueue_add_after(k8c_workqueue_t *q, const char *key, int64_t delay_ns);

/* Wait for a key; *key (caller frees) is held until k8c_workqueue_done.
 * Returns 0 once the queue is shut down (then *key is NULL). */
int k8c_workqueue_get(k8c_workqueue_t *q, char **key);
void k8c_workqueue_done(k8c_workqueue_t *q, const char *key);

/* Wake every worker; get returns 0 from now on.  Delayed keys are
 * dropped. */
void k8c_workqueue_shutdown(k8c_workqueue_t *q);
/* Keys queued now (not counting delayed or in-process ones). */
size_t k8c_workqueue_len(k8c_workqueue_t *q);

#endif
