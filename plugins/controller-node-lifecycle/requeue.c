/* One pending requeue per key (requeue.h). */
#include "config.h"

#include <stdlib.h>

#include <k8c/controller.h>

#include "common/mem.h"
#include "requeue.h"

void nl_requeue_init(nl_requeue_t *r)
{
	pthread_mutex_init(&r->lock, NULL);
	k8c_strmap_init(&r->due);
}

void nl_requeue_fini(nl_requeue_t *r)
{
	size_t i;

	for (k8c_strmap_entry_t *e = k8c_strmap_first(&r->due, &i); e;
	     e = k8c_strmap_next(&r->due, e, &i))
		free(e->value);
	k8c_strmap_free(&r->due);
	pthread_mutex_destroy(&r->lock);
}

int nl_requeue_after(nl_requeue_t *r, const char *key, int64_t now_ns, int64_t ms)
{
	int64_t *due, at;

	if (ms <= 0)
		ms = 1;
	if (ms > 3600 * 1000)
		ms = 3600 * 1000;
	at = now_ns + ms * INT64_C(1000000);
	pthread_mutex_lock(&r->lock);
	due = k8c_strmap_get(&r->due, key);
	if (due != NULL && *due > now_ns && *due <= at) {
		pthread_mutex_unlock(&r->lock);
		return K8C_RECONCILE_DONE;
	}
	if (due == NULL) {
		due = k8c_xmalloc(sizeof(*due));
		k8c_strmap_put(&r->due, key, due);
	}
	*due = at;
	pthread_mutex_unlock(&r->lock);
	return (int)ms;
}

void nl_requeue_forget(nl_requeue_t *r, const char *key)
{
	pthread_mutex_lock(&r->lock);
	free(k8c_strmap_remove(&r->due, key));
	pthread_mutex_unlock(&r->lock);
}
