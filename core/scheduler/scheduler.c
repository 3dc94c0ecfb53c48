/* The scheduler's life: profiles and their plugins, the node and pod
 * informers feeding the cache and the queue, one scheduling thread, and
 * binder threads that bind assumed pods and report pods that fit nowhere
 * (PodScheduled=False, reason Unschedulable, and a FailedScheduling event)
 * so that the scheduling thread never waits for the API server. */
#define K8C_LOG_COMPONENT "scheduler"
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "client/leader.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/timestamp.h"
#include "scheduler/internal.h"

#define SYNC_TIMEOUT_MS 60000
#define EXPIRE_EVERY_NS (5LL * 1000000000LL)

typedef struct bind_job {
	struct bind_job *next;
	cJSON *pod;               /* owned */
	sched_profile_t *profile; /* borrowed */
	char node[256];           /* bind there; "" for a failure report */
	sched_result_t res;       /* the failure */
} bind_job_t;

/* --- informer handlers ------------------------------------------------------- */

/* Did what scheduling looks at change (labels, taints, unschedulable,
 * allocatable)? */
static int node_changed(const cJSON *a, const cJSON *b)
{
	static const char *const parts[][2] = {
		{"metadata", "labels"}, {"spec", NULL}, {"status", "allocatable"}};

	for (size_t i = 0; i < 3; i++) {
		const cJSON *x = cJSON_GetObjectItemCaseSensitive(a, parts[i][0]);
		const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, parts[i][0]);
		if (parts[i][1] != NULL) {
			x = cJSON_GetObjectItemCaseSensitive(x, parts[i][1]);
			y = cJSON_GetObjectItemCaseSensitive(y, parts[i][1]);
		}
		if (!cJSON_Compare(x, y, 1))
			return 1;
	}
	return 0;
}

static void on_node(void *udata, int type, const cJSON *obj, const cJSON *old)
{
	k8c_scheduler_t *s = udata;
	const char *name = k8c_jstr(obj, "metadata.name");

	if (name == NULL)
		return;
	if (type == K8C_WATCH_DELETED) {
		cache_node_delete(&s->cache, name);
		return;
	}
	cache_node_set(&s->cache, obj);
	if (old == NULL || node_changed(obj, old))
		queue_move_all(s->queue); /* a new or changed node may fit waiting pods */
}

static void on_pod(void *udata, int type, const cJSON *obj, const cJSON *old)
{
	k8c_scheduler_t *s = udata;
	const char *uid = k8c_jstr(obj, "metadata.uid"), *node = k8c_jstr(obj, "spec.nodeName");
	int bound = node != NULL && *node;

	if (uid == NULL)
		return;
	if (type == K8C_WATCH_DELETED) {
		cache_pod_delete(&s->cache, uid);
		queue_delete(s->queue, uid);
		if (bound)
			queue_move_all(s->queue); /* room freed */
		return;
	}
	if (bound) {
		cache_pod_set(&s->cache, obj);
		queue_delete(s->queue, uid);
		if (old != NULL && pod_finished(obj) && !pod_finished(old))
			queue_move_all(s->queue);
		return;
	}
	if (!pod_finished(obj) && k8c_jstr(obj, "metadata.deletionTimestamp") == NULL &&
	    profile_for(s, k8c_jstr(obj, "spec.schedulerName")) != NULL)
		queue_add(s->queue, obj);
	else
		queue_delete(s->queue, uid);
}

/* --- reporting --------------------------------------------------------------------- */

static void pod_event(k8c_scheduler_t *s, const cJSON *pod, const char *type, const char *reason,
                      const char *msg)
{
	k8c_event_ref_t ref = {.kind = "Pod", .ns = k8c_jstr(pod, "metadata.namespace"),
	                       .name = k8c_jstr(pod, "metadata.name"),
	                       .uid = k8c_jstr(pod, "metadata.uid")};

	if (ref.name != NULL)
		k8c_recorder_event(s->events, &ref, type, reason, "%s", msg);
}

static char *pod_path(const cJSON *pod, const char *sub)
{
	_cleanup_free_ char *ns = k8c_client_escape(k8c_jstr(pod, "metadata.namespace")
	                                                  ? k8c_jstr(pod, "metadata.namespace")
	                                                  : "default");
	_cleanup_free_ char *name = k8c_client_escape(k8c_jstr(pod, "metadata.name"));

	return k8c_xasprintf("/api/v1/namespaces/%s/pods/%s%s", ns, name, sub);
}

/* PodScheduled=False, reason Unschedulable (or SchedulerError when a
 * plugin failed), with the message (written only when it changes), and
 * nominatedNodeName when preemption made room. */
static void report_unschedulable(k8c_scheduler_t *s, const cJSON *pod, const sched_result_t *res)
{
	const cJSON *c;
	cJSON *patch, *st, *conds, *cond;
	char now[K8C_TIME_STRLEN];
	_cleanup_free_ char *path = pod_path(pod, "/status");
	k8c_error_t err;
	int same = 0;

	pod_event(s, pod, "Warning", "FailedScheduling", res->message);
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(pod, "status"), "conditions")) {
		const char *t = k8c_jstr(c, "type"), *status = k8c_jstr(c, "status");
		const char *msg = k8c_jstr(c, "message");
		if (t != NULL && strcmp(t, "PodScheduled") == 0 && status != NULL &&
		    strcmp(status, "False") == 0 && msg != NULL && strcmp(msg, res->message) == 0)
			same = 1;
	}
	if (same && !res->nominated[0])
		return;
	k8c_time_format(k8c_time_now_ns(), now);
	patch = cJSON_CreateObject();
	st = cJSON_AddObjectToObject(patch, "status");
	conds = cJSON_AddArrayToObject(st, "conditions");
	cond = cJSON_CreateObject();
	cJSON_AddStringToObject(cond, "type", "PodScheduled");
	cJSON_AddStringToObject(cond, "status", "False");
	cJSON_AddNullToObject(cond, "lastProbeTime");
	cJSON_AddStringToObject(cond, "lastTransitionTime", now);
	cJSON_AddStringToObject(cond, "reason", res->unschedulable ? "Unschedulable" : "SchedulerError");
	cJSON_AddStringToObject(cond, "message", res->message);
	cJSON_AddItemToArray(conds, cond);
	if (res->nominated[0])
		cJSON_AddStringToObject(st, "nominatedNodeName", res->nominated);
	if (k8c_client_request(s->cfg.client, "PATCH", path, patch, K8C_PATCH_STRATEGIC, NULL, &err) < 0 &&
	    err.code != K8C_ENOTFOUND)
		K8C_WARN("pod %s/%s: status: %s", k8c_jstr(pod, "metadata.namespace"),
		         k8c_jstr(pod, "metadata.name"), err.message);
	cJSON_Delete(patch);
}

/* --- binders ----------------------------------------------------------------------- */

static void run_job(k8c_scheduler_t *s, bind_job_t *j)
{
	const char *uid = k8c_jstr(j->pod, "metadata.uid");
	k8c_error_t err = {0};

	if (!j->node[0]) {
		report_unschedulable(s, j->pod, &j->res);
		return;
	}
	if (framework_bind(s, j->profile, j->pod, j->node, &err) == 0) {
		char msg[600];
		cache_finish_binding(&s->cache, uid);
		queue_done(s->queue, uid);
		__atomic_add_fetch(&s->scheduled, 1, __ATOMIC_RELAXED);
		snprintf(msg, sizeof(msg), "Successfully assigned %s/%s to %s",
		         k8c_jstr(j->pod, "metadata.namespace"), k8c_jstr(j->pod, "metadata.name"), j->node);
		pod_event(s, j->pod, "Normal", "Scheduled", msg);
		return;
	}
	framework_unreserve(s, j->profile, j->pod, j->node);
	cache_forget(&s->cache, uid);
	if (err.code == K8C_ENOTFOUND) { /* deleted meanwhile */
		queue_done(s->queue, uid);
		return;
	}
	K8C_WARN("pod %s/%s: binding to %s: %s", k8c_jstr(j->pod, "metadata.namespace"),
	         k8c_jstr(j->pod, "metadata.name"), j->node, err.message);
	{
		char msg[K8C_ERROR_MESSAGE_MAX + 32];
		snprintf(msg, sizeof(msg), "Binding rejected: %s", err.message);
		pod_event(s, j->pod, "Warning", "FailedScheduling", msg);
	}
	queue_requeue(s->queue, uid, 0);
}

static void *binder_main(void *arg)
{
	k8c_scheduler_t *s = arg;
	int64_t next_expire = k8c_time_monotonic_ns() + EXPIRE_EVERY_NS;

	pthread_setname_np(pthread_self(), "k8c-sched-bind");
	for (;;) {
		bind_job_t *j;
		pthread_mutex_lock(&s->bind_lock);
		while (s->bind_head == NULL && !s->stop) {
			struct timespec ts = k8c_timespec_in(CLOCK_REALTIME, EXPIRE_EVERY_NS);
			pthread_cond_timedwait(&s->bind_cond, &s->bind_lock, &ts);
			if (k8c_time_monotonic_ns() >= next_expire)
				break;
		}
		j = s->bind_head;
		if (j != NULL) {
			s->bind_head = j->next;
			if (s->bind_head == NULL)
				s->bind_tail = NULL;
		}
		pthread_mutex_unlock(&s->bind_lock);
		if (k8c_time_monotonic_ns() >= next_expire) {
			cache_expire(&s->cache);
			next_expire = k8c_time_monotonic_ns() + EXPIRE_EVERY_NS;
		}
		if (j == NULL) {
			if (__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE))
				return NULL; /* the queue is drained */
			continue;
		}
		run_job(s, j);
		cJSON_Delete(j->pod);
		free(j);
	}
}

static void submit(k8c_scheduler_t *s, bind_job_t *j)
{
	pthread_mutex_lock(&s->bind_lock);
	if (s->bind_tail != NULL)
		s->bind_tail->next = j;
	else
		s->bind_head = j;
	s->bind_tail = j;
	pthread_cond_signal(&s->bind_cond);
	pthread_mutex_unlock(&s->bind_lock);
}

/* --- the scheduling loop ------------------------------------------------------------ */

static void schedule_one(k8c_scheduler_t *s, const char *uid, const char *key)
{
	cJSON *pod = k8c_informer_get(s->pod_informer, key);
	const char *node;
	sched_profile_t *p;
	bind_job_t *j;

	node = pod ? k8c_jstr(pod, "spec.nodeName") : NULL;
	if (pod == NULL || k8c_jstr(pod, "metadata.uid") == NULL ||
	    strcmp(k8c_jstr(pod, "metadata.uid"), uid) != 0 || (node != NULL && *node) ||
	    k8c_jstr(pod, "metadata.deletionTimestamp") != NULL ||
	    (p = profile_for(s, k8c_jstr(pod, "spec.schedulerName"))) == NULL) {
		queue_done(s->queue, uid); /* gone, bound or not ours any more */
		cJSON_Delete(pod);
		return;
	}
	__atomic_add_fetch(&s->attempts, 1, __ATOMIC_RELAXED);
	j = k8c_xcalloc(1, sizeof(*j));
	j->profile = p;
	pthread_rwlock_rdlock(&s->cache.lock);
	framework_schedule(s, p, pod, &j->res);
	pthread_rwlock_unlock(&s->cache.lock);
	j->pod = pod;
	if (j->res.node[0]) {
		snprintf(j->node, sizeof(j->node), "%s", j->res.node);
		cache_assume(&s->cache, pod, j->node);
		submit(s, j); /* stays in flight in the queue until bound */
		return;
	}
	__atomic_add_fetch(&s->failed, 1, __ATOMIC_RELAXED);
	K8C_DEBUG("pod %s/%s: %s", k8c_jstr(pod, "metadata.namespace"), k8c_jstr(pod, "metadata.name"),
	          j->res.message);
	queue_requeue(s->queue, uid, j->res.unschedulable);
	if (!j->res.unschedulable)
		K8C_WARN("pod %s/%s: %s (retrying)", k8c_jstr(pod, "metadata.namespace"),
		         k8c_jstr(pod, "metadata.name"), j->res.message);
	submit(s, j); /* the report */
}

/* 1 while this scheduler may schedule (it leads, or does not elect);
 * waits while it does not; 0 when stopping. */
static int wait_leading(k8c_scheduler_t *s)
{
	int go;

	pthread_mutex_lock(&s->lead_lock);
	while (!s->leading && !s->loop_stop)
		pthread_cond_wait(&s->lead_cond, &s->lead_lock);
	go = !s->loop_stop;
	pthread_mutex_unlock(&s->lead_lock);
	return go;
}

static void set_leading(k8c_scheduler_t *s, int leading)
{
	pthread_mutex_lock(&s->lead_lock);
	s->leading = leading;
	pthread_cond_broadcast(&s->lead_cond);
	pthread_mutex_unlock(&s->lead_lock);
}

static void lead_started(void *arg)
{
	set_leading(arg, 1);
}

static void lead_stopped(void *arg)
{
	set_leading(arg, 0);
}

static void *loop_main(void *arg)
{
	k8c_scheduler_t *s = arg;

	pthread_setname_np(pthread_self(), "k8c-scheduler");
	while (wait_leading(s)) {
		char *key = NULL, *uid = queue_pop(s->queue, &key);
		int leading;
		if (uid == NULL)
			break;
		pthread_mutex_lock(&s->lead_lock);
		leading = s->leading;
		pthread_mutex_unlock(&s->lead_lock);
		if (leading)
			schedule_one(s, uid, key);
		else /* lost the lease while waiting: the pod waits for the next leader */
			queue_requeue(s->queue, uid, 0);
		free(uid);
		free(key);
	}
	return NULL;
}

/* --- start and stop ---------------------------------------------------------------- */

int k8c_scheduler_start(const k8c_scheduler_config_t *cfg, k8c_scheduler_t **out,
                        k8c_error_t *err)
{
	k8c_scheduler_t *s = k8c_xcalloc(1, sizeof(*s));

	s->cfg = *cfg;
	s->cfg.config = NULL; /* borrowed for start only */
	s->cfg.plugin_config = cfg->plugin_config;
	cache_init(&s->cache);
	s->queue = queue_new();
	pthread_mutex_init(&s->bind_lock, NULL);
	pthread_cond_init(&s->bind_cond, NULL);
	pthread_mutex_init(&s->lead_lock, NULL);
	pthread_cond_init(&s->lead_cond, NULL);
	s->leading = !cfg->leader_elect;
	if (profiles_load(s, cfg->config, err) < 0) {
		s->cfg.plugin_config = NULL;
		k8c_scheduler_stop(s);
		return -1;
	}
	s->cfg.plugin_config = NULL;
	s->events = k8c_recorder_new(cfg->client, "default-scheduler");
	s->node_informer = k8c_informer_shared(cfg->client, "/api/v1/nodes", on_node, s);
	s->pod_informer = k8c_informer_shared(cfg->client, "/api/v1/pods", on_pod, s);
	k8c_informer_start(s->node_informer);
	k8c_informer_start(s->pod_informer);
	if (!k8c_informer_wait_synced(s->node_informer, SYNC_TIMEOUT_MS) ||
	    !k8c_informer_wait_synced(s->pod_informer, SYNC_TIMEOUT_MS)) {
		k8c_error_make(err, K8C_EUNAVAIL, "the scheduler could not list nodes and pods in %d s",
		               SYNC_TIMEOUT_MS / 1000);
		k8c_scheduler_stop(s);
		return -1;
	}
	s->n_binders = cfg->binders > 0 ? cfg->binders : 8;
	s->binders = k8c_xcalloc((size_t)s->n_binders, sizeof(*s->binders));
	for (int i = 0; i < s->n_binders; i++)
		pthread_create(&s->binders[i], NULL, binder_main, s);
	pthread_create(&s->loop, NULL, loop_main, s);
	s->loop_started = 1;
	if (cfg->leader_elect) {
		k8c_leader_config_t lc = {.client = cfg->client, .ns = "kube-system",
		                          .name = "kube-scheduler", .started = lead_started,
		                          .stopped = lead_stopped, .arg = s};
		s->leader = k8c_leader_start(&lc);
		K8C_INFO("scheduler %s: waiting to lead (Lease kube-system/kube-scheduler)",
		         k8c_leader_identity(s->leader));
	}
	K8C_INFO("scheduler running: %zu profile%s, %zu nodes, %zu pods waiting", s->n_profiles,
	         s->n_profiles == 1 ? "" : "s", s->cache.n_list, queue_pending(s->queue));
	*out = s;
	return 0;
}

void k8c_scheduler_stop(k8c_scheduler_t *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lead_lock);
	s->loop_stop = 1;
	pthread_cond_broadcast(&s->lead_cond);
	pthread_mutex_unlock(&s->lead_lock);
	queue_close(s->queue);
	if (s->loop_started)
		pthread_join(s->loop, NULL);
	/* binders finish what is queued, then end */
	pthread_mutex_lock(&s->bind_lock);
	__atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&s->bind_cond);
	pthread_mutex_unlock(&s->bind_lock);
	for (int i = 0; i < s->n_binders; i++)
		pthread_join(s->binders[i], NULL);
	free(s->binders);
	k8c_leader_stop(s->leader); /* gives the Lease up: another scheduler takes over at once */
	/* no handler runs after this: then the cache's borrowed objects go */
	k8c_informer_free(s->pod_informer);
	k8c_informer_free(s->node_informer);
	k8c_recorder_free(s->events);
	profiles_free(s);
	queue_free(s->queue);
	cache_free(&s->cache);
	free(s->codes);
	pthread_cond_destroy(&s->bind_cond);
	pthread_mutex_destroy(&s->bind_lock);
	pthread_cond_destroy(&s->lead_cond);
	pthread_mutex_destroy(&s->lead_lock);
	K8C_INFO("scheduler stopped: %llu pods scheduled, %llu attempts failed",
	         (unsigned long long)s->scheduled, (unsigned long long)s->failed);
	free(s);
}
