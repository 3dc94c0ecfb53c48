/* Informers: a local copy of one collection (a LIST, then a WATCH from
 * its resourceVersion), kept current on a thread of its own and resumed
 * as client-go's reflector does: a watch that ends is started again from
 * the last resourceVersion seen, one that expired (410 Gone) lists again
 * and reports what changed meanwhile.  The kubelet, the scheduler and the
 * controllers read their world through informers.  Objects are kept
 * without metadata.managedFields (no component needs them). */
#ifndef K8C_CLIENT_INFORMER_H
#define K8C_CLIENT_INFORMER_H

#include <stdint.h>

#include "client/client.h"

struct cJSON;

typedef struct k8c_informer k8c_informer_t;

/* A change of the copy, called on the informer's threads, one at a time,
 * in order.  type is K8C_WATCH_ADDED, K8C_WATCH_MODIFIED or
 * K8C_WATCH_DELETED; obj is the new object (the last known one for
 * DELETED), old the one it replaces (NULL for ADDED and DELETED).  Both
 * are borrowed.  The informer owns the objects of its copy: obj of ADDED
 * or MODIFIED stays valid until the handler is called for the next change
 * of the same key (or the informer is freed), so a handler may keep it
 * instead of copying it, if whoever reads it synchronises with the
 * handler (the scheduler's cache does).  The handler may call
 * k8c_informer_get. */
typedef void (*k8c_informer_fn)(void *udata, int type, const struct cJSON *obj,
                                const struct cJSON *old);

/* An informer of the collection at path (a REST collection path, with an
 * optional query such as "?fieldSelector=spec.nodeName%3Dn1").  c and
 * udata are borrowed until k8c_informer_free.  Nothing runs before
 * k8c_informer_start. */
k8c_informer_t *k8c_informer_new(k8c_client_t *c, const char *path, k8c_informer_fn fn,
                                 void *udata);
/* The same, but shared with the other components of this process that
 * watch path on the same server: one LIST+WATCH and one copy of the
 * objects for all (the scheduler and the controller manager in `k8c
 * server` both watch every pod).  The handle behaves as an informer of its
 * own: its handler is called for every change after start, beginning with
 * an ADDED for each object already there, and not after free.  The
 * objects are shared: a handler may keep them as above, never change
 * them. */
k8c_informer_t *k8c_informer_shared(k8c_client_t *c, const char *path, k8c_informer_fn fn,
                                    void *udata);
void k8c_informer_start(k8c_informer_t *inf);
/* Wait until the first LIST was applied, at most timeout_ms.  Returns 1
 * when synced. */
int k8c_informer_wait_synced(k8c_informer_t *inf, int64_t timeout_ms);
/* A copy of the object with key "namespace/name" ("name" when cluster
 * scoped), owned by the caller, or NULL. */
struct cJSON *k8c_informer_get(k8c_informer_t *inf, const char *key);
/* Number of objects in the copy. */
size_t k8c_informer_count(k8c_informer_t *inf);
/* Stop the thread and the watch (no callback runs after), then free. */
void k8c_informer_free(k8c_informer_t *inf);

/* The cache key of an object: "namespace/name" or "name" (caller frees). */
char *k8c_object_key(const struct cJSON *obj);

#endif
