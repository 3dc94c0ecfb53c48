/* The garbage collector (plugins/controller-garbage-collector): shared
 * between its files. */
#ifndef K8C_CONTROLLER_GC_H
#define K8C_CONTROLLER_GC_H

#include <pthread.h>
#include <stddef.h>

#include <k8c/client.h>
#include <k8c/controller.h>

#include "common/strmap.h"

struct cJSON;

/* Owners whose absence was confirmed by the API server, by uid (a uid
 * never comes back), so that the dependents of a big owner do not each
 * ask again; cleared when it grows past this. */
#define GC_ABSENT_MAX 10000

typedef struct gc_ctl {
	const k8c_host_t *host;          /* borrowed until fini */
	const k8c_controller_host_t *ch; /* host->controller */
	const k8c_controller_watch_t *watches; /* the static table (gc.c) */
	size_t n_watches;
	pthread_mutex_t mu;              /* guards absent */
	k8c_strmap_t absent;             /* uid -> (void *)1 */
} gc_ctl_t;

/* The watch whose kind an ownerReference names (apiVersion's group and
 * kind), or -1 for a kind the collector does not know. */
int gc_watch_of(const gc_ctl_t *c, const char *api_version, const char *kind);
/* The REST path of an object of watches[w] (caller frees). */
char *gc_object_path(const gc_ctl_t *c, size_t w, const char *ns, const char *name);
/* The queue key of an object of watches[w]: "W:ns/name" or "W:name"
 * (caller frees). */
char *gc_queue_key(size_t w, const char *ns, const char *name);

/* One dependent found through the owner-uid index (copies, owned). */
typedef struct gc_dep {
	size_t watch;
	struct cJSON *obj;
} gc_dep_t;
/* The cached objects with an ownerReference to uid, in every watch;
 * caller frees with gc_deps_free. */
gc_dep_t *gc_dependents(gc_ctl_t *c, const char *uid, size_t *n);
void gc_deps_free(gc_dep_t *deps, size_t n);

int gc_request(gc_ctl_t *c, const char *method, const char *path, const struct cJSON *body,
               const char *ctype, struct cJSON **out, k8c_error_t *err);

/* actions.c: the API writes. */
/* DELETE obj (watches[w]) with the propagation policy and uid and
 * resourceVersion preconditions; on a conflict, again without the
 * resourceVersion if its ownerReferences did not change (kube's
 * deleteObject).  Gone already is success. */
int gc_delete(gc_ctl_t *c, size_t w, const struct cJSON *obj, const char *policy, k8c_error_t *err);
/* Remove the ownerReferences with these uids from obj (JSON patch that
 * tests the object's uid and each reference's place).  Gone is success. */
int gc_remove_refs(gc_ctl_t *c, size_t w, const struct cJSON *obj, const char *const *uids, size_t n,
                   k8c_error_t *err);
/* Set blockOwnerDeletion false on obj's references to these uids. */
int gc_unblock_refs(gc_ctl_t *c, size_t w, const struct cJSON *obj, const char *const *uids, size_t n,
                    k8c_error_t *err);
/* Remove finalizer from the live object (merge patch with its
 * resourceVersion, retried on conflicts as kube's removeFinalizer). */
int gc_remove_finalizer(gc_ctl_t *c, size_t w, const struct cJSON *obj, const char *finalizer,
                        k8c_error_t *err);

#endif
