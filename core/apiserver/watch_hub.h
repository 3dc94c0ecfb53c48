/* The watch hub: one store watch per resource, shared by every HTTP
 * watcher of that resource.  The store's writer thread only copies each
 * event into the hub's queue; the hub's own thread decodes it once,
 * serialises the object once, keeps it in a ring of recent events, and
 * hands it to each subscribed sink whose scope matches.  A watcher from a
 * revision the ring still covers is replayed from the ring; older ones use
 * a store watch of their own (the store replays from its log or answers
 * 410). */
#ifndef K8C_APISERVER_WATCH_HUB_H
#define K8C_APISERVER_WATCH_HUB_H

#include <stdint.h>

#include "apiserver/internal.h"

struct cJSON;

typedef struct k8c_hub_sink k8c_hub_sink_t;
struct k8c_hub_sink {
	/* An event for this sink: type "ADDED"/"MODIFIED"/"DELETED", the
	 * object as JSON text (resourceVersion set) and parsed (borrowed for
	 * the call).  Called on the hub thread, or in k8c_hub_subscribe()
	 * for replayed events; must not block. */
	void (*deliver)(void *ctx, const char *type, const char *json, const struct cJSON *obj);
	/* Is obj in the sink's scope (namespace, selectors)? */
	int (*match)(void *ctx, const struct cJSON *obj);
	/* The hub ended (server stopping or store failure): no more events. */
	void (*end)(void *ctx);
	void *ctx;
	/* private to the hub */
	int64_t min_rev;
	k8c_hub_sink_t *next;
};

/* Subscribe sink to kind's events with revision >= start.  Returns 0 when
 * the hub serves it (events between start and now were replayed already),
 * 1 when start is older than the hub remembers (use a store watch), < 0 on
 * error. */
int k8c_hub_subscribe(k8c_apiserver_t *srv, const k8c_kind_t *kind, k8c_hub_sink_t *sink,
                      int64_t start, k8c_error_t *err);
/* After it returns no callback of sink runs any more. */
void k8c_hub_unsubscribe(k8c_apiserver_t *srv, const k8c_kind_t *kind, k8c_hub_sink_t *sink);
/* Stop every hub (server shutdown); sinks get end(). */
void k8c_hubs_stop(k8c_apiserver_t *srv);

#endif
