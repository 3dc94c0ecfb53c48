/* A pod's status as the kubelet reports it: phase (Kubernetes' getPhase),
 * conditions with stable transition times, pod and host IPs, and a
 * containerStatus per container (state, lastState, ready, started,
 * restartCount).  Written with a merge patch of pods/status, only when it
 * changed. */
#define K8C_LOG_COMPONENT "kubelet"
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/log.h"
#include "common/mem.h"
#include "common/timestamp.h"
#include "kubelet/internal.h"

static const char *restart_policy(const cJSON *pod)
{
	const char *p = k8c_jstr(pod, "spec.restartPolicy");
	return p ? p : "Always";
}

static int exited(const kcontainer_t *kc)
{
	return kc->id[0] && kc->have_st && kc->st.state == K8C_CONTAINER_EXITED;
}

static int running(const kcontainer_t *kc)
{
	return kc->id[0] && kc->have_st && kc->st.state == K8C_CONTAINER_RUNNING;
}

const char *kl_pod_phase(kpod_t *kp, const cJSON *pod)
{
	const char *policy = restart_policy(pod);
	int pending_init = 0, failed_init = 0, run = 0, waiting = 0, stopped = 0, succeeded = 0;

	for (size_t i = 0; i < kp->n_init; i++) {
		const kcontainer_t *kc = &kp->containers[i];
		if (exited(kc) && kc->st.exit_code == 0)
			continue;
		if (exited(kc) || (!kc->id[0] && kc->have_last && kc->last.exit_code != 0))
			failed_init++;
		else
			pending_init++;
	}
	for (size_t i = kp->n_init; i < kp->n_containers; i++) {
		const kcontainer_t *kc = &kp->containers[i];
		if (running(kc)) {
			run++;
		} else if (exited(kc)) {
			stopped++;
			succeeded += kc->st.exit_code == 0;
		} else if (kc->have_last) {
			stopped++; /* waiting to restart */
		} else {
			waiting++;
		}
	}
	if (failed_init > 0 && strcmp(policy, "Never") == 0)
		return "Failed";
	if (pending_init > 0 || failed_init > 0)
		return "Pending";
	if (waiting > 0)
		return "Pending";
	if (run > 0)
		return "Running";
	if (stopped > 0) {
		if (strcmp(policy, "Always") == 0)
			return "Running";
		if (stopped == succeeded)
			return "Succeeded";
		if (strcmp(policy, "Never") == 0)
			return "Failed";
		return "Running";
	}
	return "Pending";
}

static void add_time(cJSON *o, const char *name, int64_t ns)
{
	char buf[K8C_TIME_STRLEN];

	if (ns > 0)
		cJSON_AddStringToObject(o, name, k8c_time_format(ns, buf));
}

static cJSON *terminated(const kcontainer_t *kc, const k8c_runtime_container_status_t *st,
                         const char *id)
{
	cJSON *t = cJSON_CreateObject();
	_cleanup_free_ char *cid = NULL;

	cJSON_AddNumberToObject(t, "exitCode", st->exit_code);
	if (st->reason[0])
		cJSON_AddStringToObject(t, "reason", st->reason);
	if (st->message[0])
		cJSON_AddStringToObject(t, "message", st->message);
	add_time(t, "startedAt", st->started_ns ? st->started_ns : st->created_ns);
	add_time(t, "finishedAt", st->finished_ns);
	if (id != NULL && *id) {
		cid = k8c_xasprintf("k8c://%s", id);
		cJSON_AddStringToObject(t, "containerID", cid);
	}
	(void)kc;
	return t;
}

static cJSON *container_status(k8c_kubelet_t *kl, kpod_t *kp, const cJSON *pod, kcontainer_t *kc,
                               int init_done)
{
	const cJSON *spec = kl_container_spec(pod, kc->name, NULL);
	const char *image = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(spec, "image"));
	cJSON *cs = cJSON_CreateObject(), *state = cJSON_CreateObject(), *last = cJSON_CreateObject();
	int ready, started;

	pthread_mutex_lock(&kl->lock);
	ready = kc->ready && running(kc);
	started = kc->started && running(kc);
	pthread_mutex_unlock(&kl->lock);
	cJSON_AddStringToObject(cs, "name", kc->name);
	int exited_waiting = kc->waiting_reason[0] && kc->id[0] && kc->have_st &&
	                     kc->st.state == K8C_CONTAINER_EXITED;

	if (kc->waiting_reason[0] || !kc->id[0] || !kc->have_st ||
	    kc->st.state == K8C_CONTAINER_CREATED) {
		cJSON *w = cJSON_AddObjectToObject(state, "waiting");
		const char *reason = kc->waiting_reason[0] ? kc->waiting_reason
		                     : (!kc->is_init && !init_done) ? "PodInitializing"
		                                                    : "ContainerCreating";
		cJSON_AddStringToObject(w, "reason", reason);
		if (kc->waiting_message[0])
			cJSON_AddStringToObject(w, "message", kc->waiting_message);
	} else if (kc->st.state == K8C_CONTAINER_RUNNING) {
		add_time(cJSON_AddObjectToObject(state, "running"), "startedAt", kc->st.started_ns);
	} else {
		cJSON_AddItemToObject(state, "terminated", terminated(kc, &kc->st, kc->id));
	}
	/* waiting to restart (CrashLoopBackOff): the run that just ended is
	 * lastState, as in Kubernetes */
	if (exited_waiting)
		cJSON_AddItemToObject(last, "terminated", terminated(kc, &kc->st, kc->id));
	else if (kc->have_last)
		cJSON_AddItemToObject(last, "terminated", terminated(kc, &kc->last, kc->prev_id));
	cJSON_AddItemToObject(cs, "state", state);
	cJSON_AddItemToObject(cs, "lastState", last);
	cJSON_AddBoolToObject(cs, "ready", ready);
	cJSON_AddNumberToObject(cs, "restartCount", kc->restart_count);
	cJSON_AddStringToObject(cs, "image", image ? image : "");
	cJSON_AddStringToObject(cs, "imageID", image ? image : "");
	if (kc->id[0]) {
		_cleanup_free_ char *cid = k8c_xasprintf("k8c://%s", kc->id);
		cJSON_AddStringToObject(cs, "containerID", cid);
	}
	cJSON_AddBoolToObject(cs, "started", started);
	(void)kp;
	return cs;
}

/* A condition; its lastTransitionTime stays what the pod's status said
 * while its status is unchanged. */
static void add_condition(cJSON *conds, const cJSON *old_conds, const char *type, int status,
                          const char *reason, const char *message)
{
	cJSON *c = cJSON_CreateObject(), *o;
	const char *st = status ? "True" : "False";
	char now[K8C_TIME_STRLEN];
	const char *since = NULL;

	cJSON_ArrayForEach(o, old_conds) {
		const char *t = k8c_jstr(o, "type"), *s = k8c_jstr(o, "status");
		if (t && s && strcmp(t, type) == 0 && strcmp(s, st) == 0)
			since = k8c_jstr(o, "lastTransitionTime");
	}
	cJSON_AddStringToObject(c, "type", type);
	cJSON_AddStringToObject(c, "status", st);
	cJSON_AddNullToObject(c, "lastProbeTime");
	cJSON_AddStringToObject(c, "lastTransitionTime",
	                        since ? since : k8c_time_format(k8c_time_now_ns(), now));
	if (reason != NULL)
		cJSON_AddStringToObject(c, "reason", reason);
	if (message != NULL)
		cJSON_AddStringToObject(c, "message", message);
	cJSON_AddItemToArray(conds, c);
}

/* "containers with unready status: [a b]" */
static char *names_message(const char *what, kpod_t *kp, size_t from, size_t to, int want_init,
                           k8c_kubelet_t *kl)
{
	char buf[512] = "";
	size_t n = 0;

	for (size_t i = from; i < to; i++) {
		kcontainer_t *kc = &kp->containers[i];
		int bad;
		if (want_init) {
			bad = !(exited(kc) && kc->st.exit_code == 0);
		} else {
			pthread_mutex_lock(&kl->lock);
			bad = !(kc->ready && running(kc));
			pthread_mutex_unlock(&kl->lock);
		}
		if (bad && n + strlen(kc->name) + 2 < sizeof(buf))
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? " " : "", kc->name);
	}
	return n ? k8c_xasprintf("%s: [%s]", what, buf) : NULL;
}

static cJSON *pod_status(k8c_kubelet_t *kl, kpod_t *kp, const cJSON *pod)
{
	cJSON *st = cJSON_CreateObject(), *conds, *arr, *ip;
	/* what we wrote last, else what the API says (after a restart) */
	const cJSON *old_conds = kp->conditions ? kp->conditions
	                                        : cJSON_GetObjectItemCaseSensitive(
	                                              cJSON_GetObjectItemCaseSensitive(pod, "status"),
	                                              "conditions");
	const char *phase = kl_pod_phase(kp, pod);
	const char *host_ip = kl_node_ip(kl);
	const char *pod_ip = kp->pod_ip[0] ? kp->pod_ip : NULL;
	_cleanup_free_ char *not_init = names_message("containers with incomplete status", kp, 0,
	                                              kp->n_init, 1, kl);
	_cleanup_free_ char *not_ready = names_message("containers with unready status", kp,
	                                               kp->n_init, kp->n_containers, 0, kl);
	int init_done = not_init == NULL, completed = strcmp(phase, "Succeeded") == 0;

	cJSON_AddStringToObject(st, "phase", phase);
	conds = cJSON_AddArrayToObject(st, "conditions");
	add_condition(conds, old_conds, "PodReadyToStartContainers",
	              kp->sandbox_id[0] && !kp->terminated && !kp->terminal, NULL, NULL);
	add_condition(conds, old_conds, "Initialized", init_done || completed,
	              init_done || completed ? NULL : "ContainersNotInitialized", not_init);
	add_condition(conds, old_conds, "Ready", !not_ready && !completed,
	              completed ? "PodCompleted" : not_ready ? "ContainersNotReady" : NULL,
	              completed ? NULL : not_ready);
	add_condition(conds, old_conds, "ContainersReady", !not_ready && !completed,
	              completed ? "PodCompleted" : not_ready ? "ContainersNotReady" : NULL,
	              completed ? NULL : not_ready);
	add_condition(conds, old_conds, "PodScheduled", 1, NULL, NULL);
	cJSON_AddStringToObject(st, "hostIP", host_ip);
	ip = cJSON_CreateObject();
	cJSON_AddStringToObject(ip, "ip", host_ip);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(st, "hostIPs"), ip);
	if (pod_ip != NULL) {
		cJSON_AddStringToObject(st, "podIP", pod_ip);
		ip = cJSON_CreateObject();
		cJSON_AddStringToObject(ip, "ip", pod_ip);
		cJSON_AddItemToArray(cJSON_AddArrayToObject(st, "podIPs"), ip);
	}
	add_time(st, "startTime", kp->start_time_ns);
	if (kp->n_init > 0) {
		arr = cJSON_AddArrayToObject(st, "initContainerStatuses");
		for (size_t i = 0; i < kp->n_init; i++)
			cJSON_AddItemToArray(arr, container_status(kl, kp, pod, &kp->containers[i], 1));
	}
	arr = cJSON_AddArrayToObject(st, "containerStatuses");
	for (size_t i = kp->n_init; i < kp->n_containers; i++)
		cJSON_AddItemToArray(arr, container_status(kl, kp, pod, &kp->containers[i], init_done));
	return st;
}

void kl_write_status(k8c_kubelet_t *kl, kpod_t *kp, const cJSON *pod)
{
	_cleanup_json_ cJSON *patch = cJSON_CreateObject();
	_cleanup_free_ char *text = NULL, *path = NULL;
	_cleanup_free_ char *ns = k8c_client_escape(kp->ns), *name = k8c_client_escape(kp->name);
	k8c_error_t err;
	int ret;

	cJSON_AddItemToObject(patch, "status", pod_status(kl, kp, pod));
	text = cJSON_PrintUnformatted(patch);
	if (kp->last_status != NULL && strcmp(kp->last_status, text) == 0)
		return;
	path = k8c_xasprintf("/api/v1/namespaces/%s/pods/%s/status", ns, name);
	ret = k8c_client_request(kl->cfg.client, "PATCH", path, patch, K8C_PATCH_MERGE, NULL, &err);
	if (ret < 0) {
		if (ret != -K8C_ENOTFOUND)
			K8C_WARN("pod %s/%s: status: %s", kp->ns, kp->name, err.message);
		k8c_workqueue_add_after(kl->queue, kp->uid, 1000000000LL);
		return;
	}
	free(kp->last_status);
	kp->last_status = k8c_xstrdup(text);
	cJSON_Delete(kp->conditions);
	kp->conditions = cJSON_DetachItemFromObject(cJSON_GetObjectItem(patch, "status"), "conditions");
}
