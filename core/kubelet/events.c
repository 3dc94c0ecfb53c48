/* The kubelet's Events (core/v1), posted in order by a thread of their
 * own so that pod workers never wait for them.  Named as Kubernetes names
 * them (POD.<hex nanoseconds>), with source kubelet/NODE.  When the API
 * server falls far behind, events beyond a bounded queue are dropped and
 * counted in the log, as the kubelet's event broadcaster drops them. */
#define K8C_LOG_COMPONENT "kubelet"
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/log.h"
#include "common/mem.h"
#include "common/timestamp.h"
#include "kubelet/internal.h"

#define MAX_QUEUED 10000

typedef struct kevent {
	cJSON *obj;   /* owned */
	char *path;   /* owned: the events collection of its namespace */
	struct kevent *next;
} kevent_t;

struct kevents {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	kevent_t *head, *tail;
	size_t n;
	uint64_t dropped;
	int stop;
	int64_t stop_deadline; /* monotonic */
	pthread_t thread;
};

static void *events_thread(void *arg)
{
	k8c_kubelet_t *kl = arg;
	struct kevents *ev = kl->events;

	for (;;) {
		kevent_t *e;
		k8c_error_t err;

		pthread_mutex_lock(&ev->lock);
		while (ev->head == NULL && !ev->stop)
			pthread_cond_wait(&ev->cond, &ev->lock);
		e = ev->head;
		/* at stop, what is queued gets 5 s to go out */
		if (e != NULL && ev->stop && k8c_time_monotonic_ns() > ev->stop_deadline) {
			ev->dropped += ev->n;
			while (ev->head != NULL) {
				e = ev->head;
				ev->head = e->next;
				cJSON_Delete(e->obj);
				free(e->path);
				free(e);
			}
			ev->tail = NULL;
			ev->n = 0;
			e = NULL;
		}
		if (e == NULL) {
			pthread_mutex_unlock(&ev->lock);
			return NULL;
		}
		ev->head = e->next;
		if (ev->head == NULL)
			ev->tail = NULL;
		ev->n--;
		pthread_mutex_unlock(&ev->lock);
		if (k8c_client_request(kl->cfg.client, "POST", e->path, e->obj, NULL, NULL, &err) < 0 &&
		    err.code != K8C_ENOTFOUND)
			K8C_DEBUG("event: %s", err.message);
		cJSON_Delete(e->obj);
		free(e->path);
		free(e);
	}
}

void kl_events_start(k8c_kubelet_t *kl)
{
	struct kevents *ev = k8c_xcalloc(1, sizeof(*ev));

	pthread_mutex_init(&ev->lock, NULL);
	pthread_cond_init(&ev->cond, NULL);
	kl->events = ev;
	pthread_create(&ev->thread, NULL, events_thread, kl);
}

/* Post what is queued, then stop. */
void kl_events_stop(k8c_kubelet_t *kl)
{
	struct kevents *ev = kl->events;

	if (ev == NULL)
		return;
	pthread_mutex_lock(&ev->lock);
	ev->stop = 1;
	ev->stop_deadline = k8c_time_monotonic_ns() + 5000000000LL;
	pthread_cond_broadcast(&ev->cond);
	pthread_mutex_unlock(&ev->lock);
	pthread_join(ev->thread, NULL);
	if (ev->dropped > 0)
		K8C_WARN("%llu events were dropped: the API server fell behind",
		         (unsigned long long)ev->dropped);
	pthread_cond_destroy(&ev->cond);
	pthread_mutex_destroy(&ev->lock);
	free(ev);
	kl->events = NULL;
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

void kl_event_ref(k8c_kubelet_t *kl, const kl_pod_ref_t *kp, const char *field_path,
                  const char *type, const char *reason, const char *msg)
{
	struct kevents *ev = kl->events;
	cJSON *o, *md, *io, *src;
	char now[K8C_TIME_STRLEN], micro[K8C_TIME_STRLEN];
	int64_t t = k8c_time_now_ns();
	_cleanup_free_ char *name = k8c_xasprintf("%s.%llx", kp->name, (unsigned long long)t);
	_cleanup_free_ char *ns = k8c_client_escape(kp->ns);
	kevent_t *e;

	if (ev == NULL)
		return;
	K8C_DEBUG("pod %s/%s: %s %s: %s", kp->ns, kp->name, type, reason, msg);
	k8c_time_format(t, now);
	k8c_time_format_micro(t, micro);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "apiVersion", "v1");
	cJSON_AddStringToObject(o, "kind", "Event");
	md = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(md, "name", name);
	cJSON_AddStringToObject(md, "namespace", kp->ns);
	io = cJSON_AddObjectToObject(o, "involvedObject");
	cJSON_AddStringToObject(io, "apiVersion", "v1");
	cJSON_AddStringToObject(io, "kind", "Pod");
	cJSON_AddStringToObject(io, "namespace", kp->ns);
	cJSON_AddStringToObject(io, "name", kp->name);
	cJSON_AddStringToObject(io, "uid", kp->uid);
	if (field_path != NULL)
		cJSON_AddStringToObject(io, "fieldPath", field_path);
	cJSON_AddStringToObject(o, "reason", reason);
	cJSON_AddStringToObject(o, "message", msg);
	cJSON_AddStringToObject(o, "type", type);
	src = cJSON_AddObjectToObject(o, "source");
	cJSON_AddStringToObject(src, "component", "kubelet");
	cJSON_AddStringToObject(src, "host", kp->node);
	cJSON_AddStringToObject(o, "firstTimestamp", now);
	cJSON_AddStringToObject(o, "lastTimestamp", now);
	cJSON_AddNumberToObject(o, "count", 1);
	cJSON_AddStringToObject(o, "reportingComponent", "kubelet");
	cJSON_AddStringToObject(o, "reportingInstance", kp->node);

	e = k8c_xcalloc(1, sizeof(*e));
	e->obj = o;
	e->path = k8c_xasprintf("/api/v1/namespaces/%s/events", ns);
	pthread_mutex_lock(&ev->lock);
	if (ev->n >= MAX_QUEUED || ev->stop) {
		ev->dropped++;
		pthread_mutex_unlock(&ev->lock);
		cJSON_Delete(e->obj);
		free(e->path);
		free(e);
		return;
	}
	if (ev->tail != NULL)
		ev->tail->next = e;
	else
		ev->head = e;
	ev->tail = e;
	ev->n++;
	pthread_cond_signal(&ev->cond);
	pthread_mutex_unlock(&ev->lock);
}
