/* The kubelet's events about pods, through the client's event recorder
 * (client/recorder.h), as component "kubelet" with the node as host. */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>

#include "client/recorder.h"
#include "common/mem.h"
#include "kubelet/internal.h"

void kl_events_start(k8c_kubelet_t *kl)
{
	kl->events = k8c_recorder_new(kl->cfg.client, "kubelet");
}

void kl_events_stop(k8c_kubelet_t *kl)
{
	k8c_recorder_free(kl->events);
	kl->events = NULL;
}

void kl_event_ref(k8c_kubelet_t *kl, const kl_pod_ref_t *pod, const char *field_path,
                  const char *type, const char *reason, const char *message)
{
	k8c_event_ref_t ref = {.kind = "Pod", .ns = pod->ns, .name = pod->name, .uid = pod->uid,
	                       .field_path = field_path, .host = pod->node};

	k8c_recorder_event(kl->events, &ref, type, reason, "%s", message);
}

void kl_event(k8c_kubelet_t *kl, kpod_t *kp, const char *field_path, const char *type,
              const char *reason, const char *fmt, ...)
{
	kl_pod_ref_t ref = {kp->ns, kp->name, kp->uid, kp->node->name};
	_cleanup_free_ char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = k8c_xvasprintf(fmt, ap);
	va_end(ap);
	kl_event_ref(kl, &ref, field_path, type, reason, msg);
}
