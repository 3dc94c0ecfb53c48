/* One pod's sync, run by a worker holding the pod's key: read the
 * containers' states from the runtime, then do the next steps towards the
 * spec — sandbox, init containers in order, containers, restarts per
 * restartPolicy with CrashLoopBackOff (10 s doubling to 5 min, reset after
 * 10 min of running), kills asked for by failed probes, graceful
 * termination and the final delete — and write the status.  Waits (a
 * backoff, a failed create) come back as delayed work-queue adds. */
#define K8C_LOG_COMPONENT "kubelet"
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/dirs.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/timestamp.h"
#include "kubelet/internal.h"

#define SEC 1000000000LL
#define BACKOFF_INITIAL_NS (10 * SEC)
#define BACKOFF_MAX_NS (300 * SEC)
#define BACKOFF_RESET_NS (600 * SEC)
#define RETRY_NS (10 * SEC)

#define RT(kl) ((kl)->cfg.runtime)
#define CK(kl) ((kl)->cfg.runtime_cookie)

static int64_t grace_of(const cJSON *pod)
{
	const cJSON *g = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(pod, "metadata"), "deletionGracePeriodSeconds");

	if (!cJSON_IsNumber(g))
		g = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(pod, "spec"),
		                                     "terminationGracePeriodSeconds");
	return cJSON_IsNumber(g) ? (int64_t)g->valuedouble : 30;
}

static char *field_path(const kcontainer_t *kc)
{
	return k8c_xasprintf("spec.%s{%s}", kc->is_init ? "initContainers" : "containers", kc->name);
}

static void set_waiting(k8c_kubelet_t *kl, kcontainer_t *kc, const char *reason, const char *message)
{
	pthread_mutex_lock(&kl->lock); /* the log server reads the reason */
	snprintf(kc->waiting_reason, sizeof(kc->waiting_reason), "%s", reason ? reason : "");
	snprintf(kc->waiting_message, sizeof(kc->waiting_message), "%.255s", message ? message : "");
	pthread_mutex_unlock(&kl->lock);
}

static void set_pod_ip(k8c_kubelet_t *kl, kpod_t *kp, const char *ip)
{
	pthread_mutex_lock(&kl->lock); /* probes read it */
	snprintf(kp->pod_ip, sizeof(kp->pod_ip), "%s", ip);
	pthread_mutex_unlock(&kl->lock);
}

/* Probes run only while this says the container runs. */
static void set_running(k8c_kubelet_t *kl, kcontainer_t *kc)
{
	pthread_mutex_lock(&kl->lock);
	kc->running = kc->id[0] && kc->have_st && kc->st.state == K8C_CONTAINER_RUNNING;
	pthread_mutex_unlock(&kl->lock);
}

/* Read the container's state from the runtime. */
static void refresh(k8c_kubelet_t *kl, kcontainer_t *kc)
{
	k8c_error_t err;

	if (!kc->id[0])
		return;
	memset(&kc->st, 0, sizeof(kc->st));
	if (RT(kl)->container_status(CK(kl), kc->id, &kc->st, &err) == 0) {
		kc->have_st = 1;
		set_running(kl, kc);
		return;
	}
	/* the runtime lost it: report it as Kubernetes does */
	kc->have_st = 1;
	kc->st.state = K8C_CONTAINER_EXITED;
	kc->st.exit_code = 137;
	kc->st.finished_ns = k8c_time_now_ns();
	snprintf(kc->st.reason, sizeof(kc->st.reason), "ContainerStatusUnknown");
	snprintf(kc->st.message, sizeof(kc->st.message),
	         "The container could not be located when the pod was terminated");
	set_running(kl, kc);
}

/* Remove the container (its log file stays for --previous). */
static void remove_container(k8c_kubelet_t *kl, kcontainer_t *kc)
{
	k8c_error_t err;

	if (!kc->id[0])
		return;
	if (RT(kl)->remove_container(CK(kl), kc->id, &err) < 0 && err.code != K8C_ENOTFOUND)
		K8C_WARN("remove container %s: %s", kc->id, err.message);
	pthread_mutex_lock(&kl->lock); /* probes read id */
	snprintf(kc->prev_id, sizeof(kc->prev_id), "%s", kc->id);
	kc->id[0] = '\0';
	kc->running = 0;
	pthread_mutex_unlock(&kl->lock);
}

/* Stop a running container: preStop hook, then SIGTERM and SIGKILL after
 * the rest of grace_s.  A stop from elsewhere than a deletion says why in
 * reason (e.g. a failed liveness probe). */
static void kill_container(k8c_kubelet_t *kl, kpod_t *kp, const cJSON *pod, kcontainer_t *kc,
                           int64_t grace_s, const char *why)
{
	const cJSON *spec = kl_container_spec(pod, kc->name, NULL);
	const cJSON *hook = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(spec, "lifecycle"),
		                                 "preStop"), "exec");
	const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(hook, "command");
	_cleanup_free_ char *fp = field_path(kc);
	int64_t t0 = k8c_time_monotonic_ns(), left;
	k8c_error_t err;

	if (!kc->id[0] || !kc->have_st || kc->st.state == K8C_CONTAINER_EXITED)
		return;
	kl_event(kl, kp, fp, "Normal", "Killing", "%s", why);
	if (cJSON_IsArray(cmd) && cJSON_GetArraySize(cmd) > 0 && RT(kl)->exec != NULL &&
	    kc->st.state == K8C_CONTAINER_RUNNING) {
		int n = cJSON_GetArraySize(cmd), code = 0, i = 0;
		const char **argv = k8c_xcalloc((size_t)n + 1, sizeof(*argv));
		const cJSON *a;
		cJSON_ArrayForEach(a, cmd)
			argv[i++] = cJSON_GetStringValue(a) ? cJSON_GetStringValue(a) : "";
		if (RT(kl)->exec(CK(kl), kc->id, argv, grace_s > 0 ? grace_s : 1, &code, NULL, &err) < 0 ||
		    code != 0)
			kl_event(kl, kp, fp, "Warning", "FailedPreStopHook",
			         "PreStopHook failed: %s", code ? "exit code not 0" : err.message);
		free(argv);
	}
	left = grace_s - (k8c_time_monotonic_ns() - t0) / SEC;
	if (left < 0)
		left = 0;
	if (RT(kl)->stop_container(CK(kl), kc->id, left, &err) < 0 && err.code != K8C_ENOTFOUND)
		K8C_WARN("stop container %s: %s", kc->id, err.message);
	refresh(kl, kc);
}

typedef struct stopper {
	k8c_kubelet_t *kl;
	kpod_t *kp;
	const cJSON *pod;
	kcontainer_t *kc;
	int64_t grace;
	pthread_t t;
} stopper_t;

static void *stop_one(void *arg)
{
	stopper_t *s = arg;
	_cleanup_free_ char *why = k8c_xasprintf("Stopping container %s", s->kc->name);

	kill_container(s->kl, s->kp, s->pod, s->kc, s->grace, why);
	return NULL;
}

/* Stop every container at once (each gets the whole grace period), then
 * the sandbox. */
static void stop_pod(k8c_kubelet_t *kl, kpod_t *kp, const cJSON *pod, int64_t grace)
{
	stopper_t *s = k8c_xcalloc(kp->n_containers ? kp->n_containers : 1, sizeof(*s));
	k8c_error_t err;
	size_t n = 0;

	for (size_t i = 0; i < kp->n_containers; i++) {
		kcontainer_t *kc = &kp->containers[i];
		if (!kc->id[0] || !kc->have_st || kc->st.state == K8C_CONTAINER_EXITED)
			continue;
		s[n] = (stopper_t){kl, kp, pod, kc, grace, 0};
		if (kl->hollow || pthread_create(&s[n].t, NULL, stop_one, &s[n]) != 0)
			stop_one(&s[n]);
		else
			n++;
	}
	for (size_t i = 0; i < n; i++)
		pthread_join(s[i].t, NULL);
	free(s);
	if (kp->sandbox_id[0] && RT(kl)->stop_sandbox(CK(kl), kp->sandbox_id, &err) < 0 &&
	    err.code != K8C_ENOTFOUND)
		K8C_WARN("stop sandbox %s: %s", kp->sandbox_id, err.message);
}

/* Remove what the runtime has of the pod, and its directory. */
static void remove_pod(k8c_kubelet_t *kl, kpod_t *kp)
{
	_cleanup_free_ char *dir = kl_pod_dir(kl, kp->uid);
	k8c_error_t err;

	for (size_t i = 0; i < kp->n_containers; i++)
		remove_container(kl, &kp->containers[i]);
	if (kp->sandbox_id[0] && RT(kl)->remove_sandbox(CK(kl), kp->sandbox_id, &err) < 0 &&
	    err.code != K8C_ENOTFOUND)
		K8C_WARN("remove sandbox %s: %s", kp->sandbox_id, err.message);
	pthread_mutex_lock(&kl->lock);
	kp->sandbox_id[0] = '\0';
	pthread_mutex_unlock(&kl->lock);
	if (!kl->hollow && k8c_remove_tree(dir, &err) < 0)
		K8C_WARN("pod %s/%s: %s", kp->ns, kp->name, err.message);
}

/* Create and start a new attempt of kc.  Returns 0 when it started. */
static int start_container(k8c_kubelet_t *kl, kpod_t *kp, const cJSON *pod, kcontainer_t *kc)
{
	const cJSON *spec = kl_container_spec(pod, kc->name, NULL);
	_cleanup_free_ char *fp = field_path(kc);
	kl_container_config_t cfg;
	char reason[64] = "", id[K8C_RUNTIME_ID_MAX] = "";
	k8c_error_t err;
	const char *image = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(spec, "image"));

	if (kl_container_config(kl, kp, pod, spec, kc, &cfg, reason, &err) < 0) {
		/* a volume that cannot be set up leaves the container creating */
		const char *waiting = strcmp(reason, "FailedMount") == 0 ? "ContainerCreating" : reason;
		if (strcmp(kc->waiting_reason, waiting) != 0 || strcmp(kc->waiting_message, err.message) != 0)
			kl_event(kl, kp, strcmp(reason, "FailedMount") == 0 ? NULL : fp, "Warning", reason,
			         "%s", err.message);
		set_waiting(kl, kc, waiting, err.message);
		k8c_workqueue_add_after(kl->queue, kp->uid, RETRY_NS);
		return -1;
	}
	if (!kl->hollow && kc->restart_count == 0 && !kc->prev_id[0])
		kl_event(kl, kp, fp, "Normal", "Pulled",
		         "Container image \"%s\" already present on machine", image ? image : "");
	if (RT(kl)->create_container(CK(kl), kp->sandbox_id, &cfg.rt, id, &err) < 0) {
		kl_container_config_free(&cfg);
		kl_event(kl, kp, fp, "Warning", "Failed", "Error: %s", err.message);
		set_waiting(kl, kc, "CreateContainerError", err.message);
		k8c_workqueue_add_after(kl->queue, kp->uid, RETRY_NS);
		return -1;
	}
	kl_container_config_free(&cfg);
	if (kc->id[0]) {
		/* the run before becomes lastState */
		kc->last = kc->st;
		kc->have_last = 1;
		remove_container(kl, kc);
	}
	pthread_mutex_lock(&kl->lock);
	snprintf(kc->id, sizeof(kc->id), "%s", id);
	if (kc->log_attempt >= 0)
		kc->log_prev_attempt = kc->log_attempt;
	kc->log_attempt = kc->restart_count;
	pthread_mutex_unlock(&kl->lock);
	set_waiting(kl, kc, NULL, NULL);
	kl_event(kl, kp, fp, "Normal", "Created", "Created container %s", kc->name);
	kc->last_start_mono = k8c_time_monotonic_ns();
	pthread_mutex_lock(&kl->lock);
	kl_probes_reset(kc);
	pthread_mutex_unlock(&kl->lock);
	if (RT(kl)->start_container(CK(kl), id, &err) < 0) {
		kl_event(kl, kp, fp, "Warning", "Failed", "Error: %s", err.message);
		refresh(kl, kc);
		if (kc->st.state != K8C_CONTAINER_EXITED) {
			kc->st.state = K8C_CONTAINER_EXITED;
			kc->st.exit_code = 128;
			kc->st.finished_ns = k8c_time_now_ns();
		}
		snprintf(kc->st.reason, sizeof(kc->st.reason), "StartError");
		snprintf(kc->st.message, sizeof(kc->st.message), "%.255s", err.message);
		return -1;
	}
	refresh(kl, kc);
	kl_event(kl, kp, fp, "Normal", "Started", "Started container %s", kc->name);
	pthread_mutex_lock(&kl->lock);
	kl_probes_arm(kl, kp, kc, spec);
	pthread_mutex_unlock(&kl->lock);
	return 0;
}

static int should_restart(const cJSON *pod, const kcontainer_t *kc)
{
	const char *policy = k8c_jstr(pod, "spec.restartPolicy");

	if (policy == NULL || strcmp(policy, "Always") == 0)
		return 1;
	if (strcmp(policy, "OnFailure") == 0)
		return kc->st.exit_code != 0;
	return 0;
}

/* An exited container that should run again: now, or after its backoff. */
static void restart_container(k8c_kubelet_t *kl, kpod_t *kp, const cJSON *pod, kcontainer_t *kc)
{
	int64_t now = k8c_time_now_ns();
	/* the delay counts from when the container ended, as in the kubelet */
	int64_t since = kc->st.finished_ns > 0 ? kc->st.finished_ns : now;
	int64_t old_backoff = kc->backoff_ns;
	char old_id[K8C_RUNTIME_ID_MAX];

	if (kc->st.started_ns > 0 && kc->st.finished_ns - kc->st.started_ns >= BACKOFF_RESET_NS)
		kc->backoff_ns = 0; /* it ran long enough: start over at 10 s */
	if (kc->backoff_ns > 0 && now < since + kc->backoff_ns) {
		_cleanup_free_ char *fp = field_path(kc);
		char msg[256];

		snprintf(msg, sizeof(msg), "back-off %llds restarting failed container=%s pod=%s_%s(%s)",
		         (long long)(kc->backoff_ns / SEC), kc->name, kp->name, kp->ns, kp->uid);
		if (strcmp(kc->waiting_reason, "CrashLoopBackOff") != 0)
			kl_event(kl, kp, fp, "Warning", "BackOff",
			         "Back-off restarting failed container %s in pod %s_%s(%s)", kc->name,
			         kp->name, kp->ns, kp->uid);
		set_waiting(kl, kc, "CrashLoopBackOff", msg);
		k8c_workqueue_add_after(kl->queue, kp->uid, since + kc->backoff_ns - now);
		return;
	}
	kc->backoff_ns = kc->backoff_ns ? kc->backoff_ns * 2 : BACKOFF_INITIAL_NS;
	if (kc->backoff_ns > BACKOFF_MAX_NS)
		kc->backoff_ns = BACKOFF_MAX_NS;
	kc->restart_count++;
	memcpy(old_id, kc->id, sizeof(old_id));
	if (start_container(kl, kp, pod, kc) < 0 && strcmp(old_id, kc->id) == 0) {
		/* no new attempt was made (a config or create error) */
		kc->restart_count--;
		kc->backoff_ns = old_backoff;
	}
}

/* Make sure the sandbox exists and is ready.  Returns 0 when it is. */
static int ensure_sandbox(k8c_kubelet_t *kl, kpod_t *kp, const cJSON *pod)
{
	k8c_runtime_sandbox_status_t sst;
	k8c_error_t err;

	if (kp->sandbox_id[0]) {
		memset(&sst, 0, sizeof(sst));
		if (RT(kl)->sandbox_status(CK(kl), kp->sandbox_id, &sst, &err) == 0 && sst.ready) {
			set_pod_ip(kl, kp, sst.ip);
			return 0;
		}
		/* a restartPolicy Never pod whose containers ran gets no new
		 * sandbox (kube's computePodActions): what ran keeps its final
		 * state (a pod whose sandbox an OOM kill took, too) */
		if (strcmp(k8c_jstr(pod, "spec.restartPolicy") ?: "", "Never") == 0) {
			int ran = 0;
			for (size_t i = 0; i < kp->n_containers; i++) {
				ran |= kp->containers[i].id[0] || kp->containers[i].have_last;
				refresh(kl, &kp->containers[i]);
			}
			if (ran)
				return -1;
		}
		kl_event(kl, kp, NULL, "Normal", "SandboxChanged",
		         "Pod sandbox changed, it will be killed and re-created.");
		stop_pod(kl, kp, pod, 0);
		for (size_t i = 0; i < kp->n_containers; i++) {
			kcontainer_t *kc = &kp->containers[i];
			refresh(kl, kc);
			if (kc->id[0]) {
				kc->last = kc->st;
				kc->have_last = 1;
			}
			remove_container(kl, kc);
			kc->have_st = 0;
		}
		if (RT(kl)->remove_sandbox(CK(kl), kp->sandbox_id, &err) < 0 && err.code != K8C_ENOTFOUND)
			K8C_WARN("remove sandbox %s: %s", kp->sandbox_id, err.message);
		pthread_mutex_lock(&kl->lock);
		kp->sandbox_id[0] = '\0';
		pthread_mutex_unlock(&kl->lock);
	}
	{
		char id[K8C_RUNTIME_ID_MAX] = "";
		int ret = RT(kl)->run_sandbox(CK(kl), pod, id, &err);
		pthread_mutex_lock(&kl->lock);
		snprintf(kp->sandbox_id, sizeof(kp->sandbox_id), "%s", ret < 0 ? "" : id);
		pthread_mutex_unlock(&kl->lock);
		if (ret == 0)
			goto created;
	}
	{
		kl_event(kl, kp, NULL, "Warning", "FailedCreatePodSandBox",
		         "Failed to create pod sandbox: %s", err.message);
		k8c_workqueue_add_after(kl->queue, kp->uid, RETRY_NS);
		return -1;
	}
created:
	memset(&sst, 0, sizeof(sst));
	if (RT(kl)->sandbox_status(CK(kl), kp->sandbox_id, &sst, &err) == 0)
		set_pod_ip(kl, kp, sst.ip);
	if (!kp->pod_ip[0] && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
		                      cJSON_GetObjectItemCaseSensitive(pod, "spec"), "hostNetwork")))
		set_pod_ip(kl, kp, kl_node_ip(kl));
	return 0;
}

/* Init containers in order; returns 1 when all completed. */
static int sync_init(k8c_kubelet_t *kl, kpod_t *kp, const cJSON *pod)
{
	for (size_t i = 0; i < kp->n_init; i++) {
		kcontainer_t *kc = &kp->containers[i];

		if (!kc->id[0]) {
			if (!kc->have_last)
				start_container(kl, kp, pod, kc);
			else
				restart_container(kl, kp, pod, kc);
			return 0;
		}
		if (kc->st.state != K8C_CONTAINER_EXITED)
			return 0;
		if (kc->st.exit_code == 0)
			continue;
		/* a failed init container: the pod fails (Never) or it runs again */
		{
			const char *policy = k8c_jstr(pod, "spec.restartPolicy");
			if (policy == NULL || strcmp(policy, "Never") != 0)
				restart_container(kl, kp, pod, kc);
		}
		return 0;
	}
	return 1;
}

static void sync_containers(k8c_kubelet_t *kl, kpod_t *kp, const cJSON *pod)
{
	for (size_t i = kp->n_init; i < kp->n_containers; i++) {
		kcontainer_t *kc = &kp->containers[i];
		char why[sizeof(kc->kill_reason)];
		int kill;

		pthread_mutex_lock(&kl->lock);
		kill = kc->kill_requested;
		kc->kill_requested = 0;
		memcpy(why, kc->kill_reason, sizeof(why));
		pthread_mutex_unlock(&kl->lock);
		if (kill && kc->id[0] && kc->st.state == K8C_CONTAINER_RUNNING)
			kill_container(kl, kp, pod, kc, grace_of(pod), why);
		if (!kc->id[0]) {
			if (!kc->have_last)
				start_container(kl, kp, pod, kc);
			else if (should_restart(pod, kc))
				restart_container(kl, kp, pod, kc);
		} else if (kc->st.state == K8C_CONTAINER_EXITED && should_restart(pod, kc)) {
			restart_container(kl, kp, pod, kc);
		} else if (kc->st.state == K8C_CONTAINER_CREATED) {
			k8c_error_t err;
			if (RT(kl)->start_container(CK(kl), kc->id, &err) < 0)
				K8C_WARN("start container %s: %s", kc->id, err.message);
			refresh(kl, kc);
		}
	}
}

/* The pod is being deleted: stop it within its grace period, report, and
 * delete the API object for good. */
static void sync_deleting(k8c_kubelet_t *kl, kpod_t *kp, const cJSON *pod)
{
	_cleanup_free_ char *ns = k8c_client_escape(kp->ns), *name = k8c_client_escape(kp->name);
	_cleanup_free_ char *path = k8c_xasprintf("/api/v1/namespaces/%s/pods/%s", ns, name);
	_cleanup_json_ cJSON *opts = cJSON_CreateObject();
	k8c_error_t err;
	int ret;

	if (!kp->terminated) {
		stop_pod(kl, kp, pod, grace_of(pod));
		kp->terminated = 1;
	}
	kl_write_status(kl, kp, pod);
	if (kp->final_deleted)
		return;
	cJSON_AddStringToObject(opts, "kind", "DeleteOptions");
	cJSON_AddStringToObject(opts, "apiVersion", "v1");
	cJSON_AddNumberToObject(opts, "gracePeriodSeconds", 0);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(opts, "preconditions"), "uid", kp->uid);
	ret = k8c_client_request(kl->cfg.client, "DELETE", path, opts, NULL, NULL, &err);
	if (ret < 0 && ret != -K8C_ENOTFOUND && ret != -K8C_ECONFLICT) {
		K8C_WARN("pod %s/%s: delete: %s", kp->ns, kp->name, err.message);
		k8c_workqueue_add_after(kl->queue, kp->uid, SEC);
		return;
	}
	kp->final_deleted = 1;
}

void kl_sync_pod(k8c_kubelet_t *kl, const char *uid)
{
	_cleanup_json_ cJSON *pod = NULL;
	kpod_t *kp;
	int gone;

	pthread_mutex_lock(&kl->lock);
	kp = k8c_strmap_get(&kl->pods, uid);
	if (kp == NULL) {
		pthread_mutex_unlock(&kl->lock);
		return;
	}
	pod = cJSON_Duplicate(kp->pod, 1);
	gone = kp->gone;
	pthread_mutex_unlock(&kl->lock);

	for (size_t i = 0; i < kp->n_containers; i++)
		refresh(kl, &kp->containers[i]);
	if (gone) {
		if (!kp->terminated)
			stop_pod(kl, kp, pod, 1);
		remove_pod(kl, kp);
		pthread_mutex_lock(&kl->lock);
		k8c_strmap_remove(&kl->pods, uid);
		pthread_mutex_unlock(&kl->lock);
		kl_pod_free(kp);
		return;
	}
	if (kp->start_time_ns == 0) {
		const char *t = k8c_jstr(pod, "status.startTime");
		k8c_error_t err;
		if (t == NULL || k8c_time_parse(t, &kp->start_time_ns, &err) < 0)
			kp->start_time_ns = k8c_time_now_ns();
	}
	if (k8c_jstr(pod, "metadata.deletionTimestamp") != NULL) {
		sync_deleting(kl, kp, pod);
		return;
	}
	if (!kp->terminal && !kp->synced_once) {
		/* a pod that finished before this agent started, and whose
		 * containers are gone: it stays finished, its status as it is */
		const char *api_phase = k8c_jstr(pod, "status.phase");
		int any = kp->sandbox_id[0] != '\0';
		for (size_t i = 0; i < kp->n_containers; i++)
			any |= kp->containers[i].id[0] != '\0';
		if (!any && api_phase != NULL &&
		    (strcmp(api_phase, "Succeeded") == 0 || strcmp(api_phase, "Failed") == 0))
			kp->terminal = kp->status_frozen = 1;
	}
	kp->synced_once = 1;
	if (kp->status_frozen)
		return;
	if (!kp->terminal && ensure_sandbox(kl, kp, pod) == 0 && sync_init(kl, kp, pod))
		sync_containers(kl, kp, pod);
	if (!kp->terminal) {
		const char *phase = kl_pod_phase(kp, pod);
		if (strcmp(phase, "Succeeded") == 0 || strcmp(phase, "Failed") == 0) {
			k8c_error_t err;
			kp->terminal = 1;
			/* the containers stay (for their logs) until the pod is deleted */
			if (kp->sandbox_id[0] && RT(kl)->stop_sandbox(CK(kl), kp->sandbox_id, &err) < 0)
				K8C_WARN("stop sandbox %s: %s", kp->sandbox_id, err.message);
		}
	}
	kl_write_status(kl, kp, pod);
}
