/* Event recorder: a component's core/v1 Events about objects, posted in
 * order by a thread of the recorder's own (the caller never waits), with
 * client-go's correlation: the same event again (same object, field path,
 * type, reason, message) patches the first one's count and lastTimestamp,
 * which `kubectl describe` shows as "(x5 over 2m)". */
#ifndef K8C_CLIENT_RECORDER_H
#define K8C_CLIENT_RECORDER_H

#include "client/client.h"

typedef struct k8c_recorder k8c_recorder_t;

/* The object an event is about, and who reports it.  All borrowed for
 * the call. */
typedef struct k8c_event_ref {
	const char *api_version;   /* NULL: "v1" */
	const char *kind;          /* "Pod" */
	const char *ns;            /* NULL or "" for cluster-scoped objects (the event goes to default) */
	const char *name;
	const char *uid;           /* may be NULL */
	const char *field_path;    /* "spec.containers{web}", or NULL */
	const char *host;          /* source.host / reportingInstance: the node, or NULL */
} k8c_event_ref_t;

/* A recorder posting through client (borrowed until k8c_recorder_free) as
 * component ("kubelet", "default-scheduler"). */
k8c_recorder_t *k8c_recorder_new(k8c_client_t *client, const char *component);
/* Post what is queued (for at most 5 s), then free. */
void k8c_recorder_free(k8c_recorder_t *r);
/* Queue an event; type "Normal" or "Warning". */
void k8c_recorder_event(k8c_recorder_t *r, const k8c_event_ref_t *ref, const char *type,
                        const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#endif
