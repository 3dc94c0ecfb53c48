/* At most one pending delayed requeue per key.  The host's delayed queue
 * keeps every requeue it is given (reconcile returning > 0), so a key
 * reconciled for events between its periodic passes would gain another
 * everlasting chain of passes each time.  Thread-safe. */
#ifndef K8C_NODE_LIFECYCLE_REQUEUE_H
#define K8C_NODE_LIFECYCLE_REQUEUE_H

#include <pthread.h>
#include <stdint.h>

#include "common/strmap.h"

typedef struct nl_requeue {
	pthread_mutex_t lock;
	k8c_strmap_t due; /* key -> int64_t * monotonic due time, owned */
} nl_requeue_t;

void nl_requeue_init(nl_requeue_t *r);
void nl_requeue_fini(nl_requeue_t *r);

/* What reconcile returns to be called again for key after ms (> 0) at
 * the latest, now being the monotonic time: ms when no requeue of key is
 * pending that early, else K8C_RECONCILE_DONE (the pending one comes). */
int nl_requeue_after(nl_requeue_t *r, const char *key, int64_t now_ns, int64_t ms);

/* The key is gone. */
void nl_requeue_forget(nl_requeue_t *r, const char *key);

#endif
