/* The Job controller, as kube-controller-manager 1.32's syncJob:
 *
 *   - pods are counted through the batch.kubernetes.io/job-tracking
 *     finalizer (job_status.c): succeeded, failed, uncountedTerminatedPods,
 *     completedIndexes, failedIndexes;
 *   - a failing Job first gets FailureTarget (BackoffLimitExceeded,
 *     DeadlineExceeded, PodFailurePolicy, FailedIndexes,
 *     MaxFailedIndexesExceeded), its active pods are deleted, and Failed
 *     follows once none is left; a succeeding one gets SuccessCriteriaMet
 *     (CompletionsReached), then Complete with completionTime;
 *   - manageJob (job_pods.c) creates pods toward parallelism and
 *     completions after the pod-failure backoff, or deletes them when
 *     suspended (condition Suspended, events Suspended/Resumed);
 *   - activeDeadlineSeconds requeues the Job at its deadline;
 *   - ttlSecondsAfterFinished: the finished Job is deleted (Foreground,
 *     uid precondition) once the TTL after its Complete/Failed condition
 *     has passed, as kube's ttl-after-finished controller does;
 *   - the finalizer is taken off the pods of deleted and finished Jobs.
 * Pods are not adopted: the Job's generated selector only matches its own. */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/client.h>
#include <k8c/controller.h>
#include <k8c/plugin.h>

#include "common/json_path.h"
#include "common/mem.h"
#include "common/timestamp.h"
#include "job.h"

#define CONTROLLER_NAME "kubernetes.io/job-controller"

static const k8c_controller_watch_t job_watches[] = {
	[JOB_WATCH_JOBS] = {"batch", "v1", "jobs", "Job", K8C_MAP_SELF, NULL},
	[JOB_WATCH_PODS] = {"", "v1", "pods", "Pod", K8C_MAP_OWNER, "Job"},
};

int job_request(job_ctl_t *c, const char *method, const char *path, const cJSON *body,
                const char *ctype, cJSON **out, k8c_error_t *err)
{
	return c->host->client->request(c->host->client_ctx, method, path, body, ctype, out, err);
}

static int str_is(const cJSON *obj, const char *path, const char *want)
{
	const char *v = k8c_jstr(obj, path);

	return v != NULL && strcmp(v, want) == 0;
}

static int64_t num(const cJSON *obj, const char *path, int64_t dflt)
{
	const cJSON *v = k8c_jget(obj, path);

	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : dflt;
}

/* The controlling ownerReference's uid is ours. */
static int controlled_by(const cJSON *obj, const char *uid)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, k8c_jget(obj, "metadata.ownerReferences"))
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "controller")))
			return str_is(r, "uid", uid);
	return 0;
}

typedef struct collect {
	job_sync_t *s;
	const char *uid; /* for orphans: the gone Job's uid */
} collect_t;

static int copy_controlled(void *arg, const cJSON *pod)
{
	collect_t *c = arg;

	if (controlled_by(pod, c->s->uid))
		cJSON_AddItemToArray(c->s->pods, cJSON_Duplicate(pod, 1));
	return 0;
}

/* Pods controlled by the gone Job, with our finalizer. */
static int copy_orphans(void *arg, const cJSON *pod)
{
	collect_t *c = arg;

	if (job_pod_has_finalizer(pod) && controlled_by(pod, c->uid))
		cJSON_AddItemToArray(c->s->pods, cJSON_Duplicate(pod, 1));
	return 0;
}

/* The pods of a Job that is gone keep no finalizer (syncOrphanPod).  The
 * Job's uid comes from its DELETED event (or from its pods' changes, for
 * a Job deleted while the controller was down), so the pods are found
 * through the owner index instead of a walk of the namespace. */
static int release_orphans(job_sync_t *s, const char *key, k8c_error_t *err)
{
	const char *slash = strchr(key, '/');
	_cleanup_free_ char *ns = slash ? k8c_xstrndup(key, (size_t)(slash - key)) : NULL;
	_cleanup_free_ char *uid = NULL;
	collect_t arg = {s, NULL};
	const cJSON *pod;
	int ret = 0;

	pthread_mutex_lock(&s->c->mu);
	uid = k8c_strmap_remove(&s->c->gone_uid, key);
	pthread_mutex_unlock(&s->c->mu);
	if (ns == NULL || uid == NULL)
		return 0;
	arg.uid = uid;
	s->pods = cJSON_CreateArray();
	s->c->ch->list(s->c->ch->ctx, JOB_WATCH_PODS, ns, uid, copy_orphans, &arg);
	cJSON_ArrayForEach(pod, s->pods)
		if (job_remove_finalizer(s->c, pod, err) < 0)
			ret = -1;
	if (ret < 0) { /* retried: keep the uid */
		pthread_mutex_lock(&s->c->mu);
		free(k8c_strmap_put(&s->c->gone_uid, key, uid));
		uid = NULL;
		pthread_mutex_unlock(&s->c->mu);
	}
	return ret;
}

static const cJSON *finished_condition(const cJSON *job)
{
	const cJSON *c = job_condition_true(job, "Complete");

	return c ? c : job_condition_true(job, "Failed");
}

/* A finished Job: strip finalizers left on its pods, then its TTL.
 * Returns ms until the TTL expires (0: nothing to wait for). */
static int64_t finished_job(job_sync_t *s, const cJSON *cond, k8c_error_t *err)
{
	collect_t arg = {s, NULL};
	const cJSON *pod, *ttl = k8c_jget(s->job, "spec.ttlSecondsAfterFinished");
	int64_t done_ns;

	s->pods = cJSON_CreateArray();
	s->c->ch->list(s->c->ch->ctx, JOB_WATCH_PODS, s->ns, s->uid, copy_controlled, &arg);
	cJSON_ArrayForEach(pod, s->pods)
		if (job_pod_has_finalizer(pod) && job_remove_finalizer(s->c, pod, err) < 0)
			return -1;
	if (!cJSON_IsNumber(ttl) || k8c_jget(s->job, "metadata.deletionTimestamp") != NULL ||
	    k8c_time_parse(k8c_jstr(cond, "lastTransitionTime") ?: "", &done_ns, NULL) < 0)
		return 0;
	/* ttlSecondsAfterFinished is an int32: no overflow in ns */
	done_ns += (int64_t)ttl->valuedouble * 1000000000LL;
	if (s->now_ns < done_ns)
		return (done_ns - s->now_ns) / 1000000 + 1;
	{
		_cleanup_free_ char *path = k8c_xasprintf("/apis/batch/v1/namespaces/%s/jobs/%s", s->ns,
		                                          s->name);
		_cleanup_json_ cJSON *opts = cJSON_CreateObject();
		cJSON_AddStringToObject(opts, "kind", "DeleteOptions");
		cJSON_AddStringToObject(opts, "apiVersion", "v1");
		cJSON_AddStringToObject(opts, "propagationPolicy", "Foreground");
		cJSON_AddStringToObject(cJSON_AddObjectToObject(opts, "preconditions"), "uid", s->uid);
		if (job_request(s->c, "DELETE", path, opts, NULL, NULL, err) < 0 &&
		    err->code != K8C_ENOTFOUND && err->code != K8C_ECONFLICT)
			return -1;
	}
	return 0;
}

/* pastBackoffLimitOnFailure: restartPolicy OnFailure restarts count. */
static int past_backoff_on_failure(const job_sync_t *s, int64_t limit)
{
	static const char *const lists[] = {"status.containerStatuses", "status.initContainerStatuses"};
	const cJSON *pod, *cs;
	int64_t restarts = 0;

	if (!str_is(s->job, "spec.template.spec.restartPolicy", "OnFailure"))
		return 0;
	cJSON_ArrayForEach(pod, s->pods) {
		if (!job_pod_phase_is(pod, "Running") && !job_pod_phase_is(pod, "Pending"))
			continue;
		for (int l = 0; l < 2; l++)
			cJSON_ArrayForEach(cs, k8c_jget(pod, lists[l]))
				restarts += num(cs, "restartCount", 0);
	}
	return limit == 0 ? restarts > 0 : restarts >= limit;
}

static void finish(job_sync_t *s, const char *type, const char *reason, const char *message)
{
	s->has_finished = 1;
	s->finished.type = type;
	snprintf(s->finished.reason, sizeof(s->finished.reason), "%s", reason ? reason : "");
	snprintf(s->finished.message, sizeof(s->finished.message), "%s", message ? message : "");
}

static int in_uncounted(const job_sync_t *s, const char *which, const char *uid)
{
	const cJSON *u;

	cJSON_ArrayForEach(u, k8c_jget(k8c_jget(s->job, "status.uncountedTerminatedPods"), which))
		if (cJSON_IsString(u) && strcmp(u->valuestring, uid) == 0)
			return 1;
	return 0;
}

/* Counters, the pods' states and the indexes. */
static void count_pods(job_sync_t *s)
{
	const cJSON *pod, *st = k8c_jget(s->job, "status");
	job_ctl_t *c = s->c;
	int64_t new_ok = 0, new_failed = 0;

	size_t n_ok = 0, n_fi = 0, np = (size_t)cJSON_GetArraySize(s->pods) + 1;
	_cleanup_free_ int64_t *ok_ix = k8c_xcalloc(np, sizeof(*ok_ix));
	_cleanup_free_ int64_t *fail_ix = k8c_xcalloc(np, sizeof(*fail_ix));

	job_ranges_parse(&s->done_prev, k8c_jstr(st, "completedIndexes"));
	job_ranges_parse(&s->done, k8c_jstr(st, "completedIndexes"));
	job_ranges_parse(&s->failed_idx, k8c_jstr(st, "failedIndexes"));
	cJSON_ArrayForEach(pod, s->pods) {
		const char *uid = k8c_jstr(pod, "metadata.uid") ?: "";
		int64_t ix = job_pod_index(pod);
		int valid = !s->indexed || (ix >= 0 && ix < s->completions), expected;
		pthread_mutex_lock(&c->mu);
		expected = k8c_strmap_get(&c->rm_expected, uid) != NULL;
		if (expected && !job_pod_has_finalizer(pod))
			k8c_strmap_remove(&c->rm_expected, uid); /* seen without it */
		pthread_mutex_unlock(&c->mu);
		if (job_pod_active(pod)) {
			s->active++;
			s->ready += job_pod_ready(pod);
		} else if (k8c_jget(pod, "metadata.deletionTimestamp") != NULL && !job_pod_terminal(pod)) {
			s->terminating++;
		}
		if (!job_pod_has_finalizer(pod) || expected || !valid)
			continue;
		if (job_pod_phase_is(pod, "Succeeded")) {
			new_ok += !in_uncounted(s, "succeeded", uid);
			if (s->indexed)
				ok_ix[n_ok++] = ix;
		} else if (job_pod_failed(s, pod)) {
			char msg[512];
			int count;
			job_pod_failure_policy(s, pod, &count, msg);
			if (!in_uncounted(s, "failed", uid))
				new_failed += count;
			/* isIndexFailed: FailIndex, or the failure count the pod
			 * was created with (job-index-failure-count) reached
			 * backoffLimitPerIndex */
			if (s->per_index && job_pod_index_failed(s, pod))
				fail_ix[n_fi++] = ix;
		}
	}
	job_ranges_add_many(&s->done, ok_ix, n_ok);
	job_ranges_add_many(&s->failed_idx, fail_ix, n_fi);
	s->succeeded = num(st, "succeeded", 0) + new_ok +
	               cJSON_GetArraySize(k8c_jget(st, "uncountedTerminatedPods.succeeded"));
	s->failed = num(st, "failed", 0) + new_failed +
	            cJSON_GetArraySize(k8c_jget(st, "uncountedTerminatedPods.failed"));
	if (s->indexed)
		s->succeeded = job_ranges_total(&s->done);
}

/* The finished condition the Job is heading for, if any. */
static void decide_finished(job_sync_t *s)
{
	const cJSON *spec = k8c_jget(s->job, "spec"), *c, *pod, *start_s;
	int suspended = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(spec, "suspend"));
	int64_t start = 0, deadline = num(spec, "activeDeadlineSeconds", -1);
	char msg[512];

	if ((c = job_condition_true(s->job, "SuccessCriteriaMet")) != NULL) {
		finish(s, "SuccessCriteriaMet", k8c_jstr(c, "reason"), k8c_jstr(c, "message"));
		return;
	}
	if ((c = job_condition_true(s->job, "FailureTarget")) != NULL) {
		finish(s, "Failed", k8c_jstr(c, "reason"), k8c_jstr(c, "message"));
		return;
	}
	cJSON_ArrayForEach(pod, s->pods) {
		int count;
		const char *a;
		if (!job_pod_failed(s, pod))
			continue;
		a = job_pod_failure_policy(s, pod, &count, msg);
		if (a != NULL && strcmp(a, "FailJob") == 0) {
			finish(s, "FailureTarget", "PodFailurePolicy", msg);
			return;
		}
	}
	start_s = k8c_jget(s->job, "status.startTime");
	if (cJSON_IsString(start_s))
		k8c_time_parse(start_s->valuestring, &start, NULL);
	if (s->failed > num(spec, "backoffLimit", 6) || past_backoff_on_failure(s, num(spec, "backoffLimit", 6))) {
		finish(s, "FailureTarget", "BackoffLimitExceeded", "Job has reached the specified backoff limit");
	} else if (deadline >= 0 && start > 0 && !suspended &&
	           (s->now_ns - start) / 1000000000LL >= deadline) {
		finish(s, "FailureTarget", "DeadlineExceeded", "Job was active longer than specified deadline");
	} else if (deadline >= 0 && start > 0 && !suspended) {
		/* in ms, saturated: a deadline of years would overflow ns */
		int64_t left_ms = deadline > INT64_MAX / 1000 - (start - s->now_ns) / 1000000 - 1
		                          ? INT64_MAX
		                          : deadline * 1000 + (start - s->now_ns) / 1000000 + 1;
		s->requeue_ms = left_ms > INT_MAX ? INT_MAX : left_ms;
	}
	if (s->has_finished || !s->per_index)
		return;
	if (k8c_jget(spec, "maxFailedIndexes") != NULL &&
	    job_ranges_total(&s->failed_idx) > num(spec, "maxFailedIndexes", 0))
		finish(s, "FailureTarget", "MaxFailedIndexesExceeded",
		       "Job has exceeded the specified maximal number of failed indexes");
	else if (job_ranges_total(&s->failed_idx) > 0 &&
	         job_ranges_total(&s->failed_idx) + job_ranges_total(&s->done) >= s->completions)
		finish(s, "FailureTarget", "FailedIndexes", "Job has failed indexes");
}

/* Suspended/Resumed after manageJob; returns 1 when the status changed. */
static int suspend_conditions(job_sync_t *s)
{
	const k8c_controller_host_t *ch = s->c->ch;
	char now[K8C_TIME_STRLEN];

	if (cJSON_IsTrue(k8c_jget(s->job, "spec.suspend"))) {
		if (!job_set_condition(s, "Suspended", "True", "JobSuspended", "Job suspended"))
			return 0;
		ch->event(ch->ctx, JOB_WATCH_JOBS, s->job, "Normal", "Suspended", "Job suspended");
		return 1;
	}
	if (!job_set_condition(s, "Suspended", "False", "JobResumed", "Job resumed"))
		return 0;
	ch->event(ch->ctx, JOB_WATCH_JOBS, s->job, "Normal", "Resumed", "Job resumed");
	/* activeDeadlineSeconds counts from the resume */
	cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(s->job, "status"), "startTime");
	cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(s->job, "status"), "startTime",
	                        k8c_time_format(s->now_ns, now));
	return 1;
}

static void set_num(cJSON *obj, const char *key, int64_t v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	cJSON_AddNumberToObject(obj, key, (double)v);
}

static int sync_job(job_sync_t *s, k8c_error_t *err)
{
	const k8c_controller_host_t *ch = s->c->ch;
	const cJSON *spec = k8c_jget(s->job, "spec"), *st;
	collect_t arg = {s, NULL};
	int satisfied, needs = 0, ret = 0;
	cJSON *status;

	s->indexed = str_is(spec, "completionMode", "Indexed");
	s->per_index = s->indexed && cJSON_IsNumber(k8c_jget(spec, "backoffLimitPerIndex"));
	s->completions = num(spec, "completions", -1);
	if (s->indexed && s->completions < 0)
		return 0;
	/* expectations first, then the cache: what was seen is at least what they count */
	satisfied = ch->satisfied(ch->ctx, s->key);
	s->pods = cJSON_CreateArray();
	ch->list(ch->ctx, JOB_WATCH_PODS, s->ns, s->uid, copy_controlled, &arg);
	count_pods(s);
	if (!cJSON_IsObject(k8c_jget(s->job, "status"))) {
		cJSON_DeleteItemFromObjectCaseSensitive(s->job, "status");
		cJSON_AddObjectToObject(s->job, "status");
	}
	status = cJSON_GetObjectItemCaseSensitive(s->job, "status");
	if (k8c_jget(status, "startTime") == NULL && !cJSON_IsTrue(k8c_jget(spec, "suspend"))) {
		char now[K8C_TIME_STRLEN];
		cJSON_AddStringToObject(status, "startTime", k8c_time_format(s->now_ns, now));
		needs = 1;
	}
	decide_finished(s);
	if (s->has_finished) {
		int64_t active = s->active, deleted = job_delete_active(s, err);
		if (deleted != (active > JOB_MAX_CREATE_DELETE ? JOB_MAX_CREATE_DELETE : active))
			ret = -1;
		if (deleted != active)
			s->has_finished = 0; /* failed, or more to delete next sync */
		if (!satisfied)
			s->has_finished = 0;
		s->active -= deleted;
		s->terminating += deleted;
	} else {
		int manage_called = 0, complete;
		if (satisfied && k8c_jget(s->job, "metadata.deletionTimestamp") == NULL) {
			if (job_manage(s, err) < 0)
				ret = -1;
			manage_called = 1;
		}
		if (s->completions < 0)
			complete = s->succeeded > 0 && s->active == 0;
		else
			complete = s->succeeded >= s->completions && s->active == 0;
		if (complete)
			finish(s, "SuccessCriteriaMet", "CompletionsReached",
			       "Reached expected number of succeeded pods");
		else if (manage_called)
			needs |= suspend_conditions(s);
	}
	status = cJSON_GetObjectItemCaseSensitive(s->job, "status");
	st = status;
	needs |= s->active != num(st, "active", 0) || s->ready != num(st, "ready", -1) ||
	         s->terminating != num(st, "terminating", -1);
	set_num(status, "active", s->active);
	set_num(status, "ready", s->ready);
	set_num(status, "terminating", s->terminating);
	if (job_track_status(s, needs, err) < 0)
		return -1;
	return ret;
}

static int job_reconcile(void *cookie, const char *key, k8c_error_t *err)
{
	job_ctl_t *c = cookie;
	const k8c_controller_host_t *ch = c->ch;
	job_sync_t s = {.c = c, .key = key};
	const cJSON *done;
	const char *mode, *mb;
	int ret = 0;

	s.now_ns = c->host->now_ns(c->host->ctx);
	s.job = ch->get(ch->ctx, JOB_WATCH_JOBS, key);
	if (s.job == NULL) {
		ch->forget(ch->ctx, key);
		ret = release_orphans(&s, key, err);
		goto out;
	}
	s.ns = k8c_jstr(s.job, "metadata.namespace");
	s.name = k8c_jstr(s.job, "metadata.name");
	s.uid = k8c_jstr(s.job, "metadata.uid");
	mb = k8c_jstr(s.job, "spec.managedBy");
	if (s.ns == NULL || s.name == NULL || s.uid == NULL ||
	    (mb != NULL && strcmp(mb, CONTROLLER_NAME) != 0))
		goto out;
	if ((done = finished_condition(s.job)) != NULL) {
		int64_t ms = finished_job(&s, done, err);
		ret = ms < 0 ? -1 : (int)(ms > INT_MAX ? INT_MAX : ms);
		goto out;
	}
	mode = k8c_jstr(s.job, "spec.completionMode");
	if (mode != NULL && strcmp(mode, "NonIndexed") != 0 && strcmp(mode, "Indexed") != 0) {
		ch->event(ch->ctx, JOB_WATCH_JOBS, s.job, "Warning", "UnknownCompletionMode",
		          "Skipped Job sync because completion mode is unknown");
		goto out;
	}
	if (sync_job(&s, err) < 0)
		ret = -1;
	else if (s.requeue_ms > 0)
		ret = (int)(s.requeue_ms > INT_MAX ? INT_MAX : s.requeue_ms);
out:
	cJSON_Delete(s.job);
	cJSON_Delete(s.pods);
	job_ranges_free(&s.done_prev);
	job_ranges_free(&s.done);
	job_ranges_free(&s.failed_idx);
	free(s.last_fail);
	return ret;
}

/* Remember key -> uid (for release_orphans); replace: the newest wins. */
static void remember_uid(job_ctl_t *c, const char *ns, const char *name, const char *uid, int replace)
{
	_cleanup_free_ char *key = k8c_xasprintf("%s/%s", ns, name);
	const char *cur;

	pthread_mutex_lock(&c->mu);
	cur = k8c_strmap_get(&c->gone_uid, key);
	if (cur == NULL || (replace && strcmp(cur, uid) != 0))
		free(k8c_strmap_put(&c->gone_uid, key, k8c_xstrdup(uid)));
	pthread_mutex_unlock(&c->mu);
}

/* A Job is deleted: its uid is kept for the orphans of its key.  A pod
 * with our finalizer: its Job's uid too (when the key has none yet: the
 * Job may have gone while nobody watched).  A pod is gone: no finalizer
 * removal of it is awaited any more. */
static void job_on_change(void *cookie, size_t watch, int type, const cJSON *obj, const cJSON *old)
{
	job_ctl_t *c = cookie;
	const char *uid = k8c_jstr(obj, "metadata.uid"), *ns = k8c_jstr(obj, "metadata.namespace");

	(void)old;
	if (watch == JOB_WATCH_JOBS) {
		if (type == K8C_WATCH_DELETED && uid != NULL && ns != NULL &&
		    k8c_jstr(obj, "metadata.name") != NULL)
			remember_uid(c, ns, k8c_jstr(obj, "metadata.name"), uid, 1);
		return;
	}
	if (type != K8C_WATCH_DELETED && ns != NULL && job_pod_has_finalizer(obj)) {
		const cJSON *r;
		cJSON_ArrayForEach(r, k8c_jget(obj, "metadata.ownerReferences"))
			if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "controller"))) {
				if (str_is(r, "kind", "Job") && k8c_jstr(r, "name") && k8c_jstr(r, "uid"))
					remember_uid(c, ns, k8c_jstr(r, "name"), k8c_jstr(r, "uid"), 0);
				break;
			}
	}
	if (watch != JOB_WATCH_PODS || uid == NULL ||
	    (type != K8C_WATCH_DELETED && job_pod_has_finalizer(obj)))
		return;
	pthread_mutex_lock(&c->mu);
	k8c_strmap_remove(&c->rm_expected, uid);
	pthread_mutex_unlock(&c->mu);
}

static int job_init(const k8c_host_t *host, const cJSON *config, void **cookie, k8c_error_t *err)
{
	job_ctl_t *c;

	(void)config;
	if (!K8C_HAS_MEMBER(host->struct_size, k8c_host_t, controller) || host->controller == NULL ||
	    host->client == NULL)
		return k8c_error_make(err, K8C_EINVAL, "the job controller runs in the controller manager");
	c = k8c_xcalloc(1, sizeof(*c));
	c->host = host;
	c->ch = host->controller;
	pthread_mutex_init(&c->mu, NULL);
	k8c_strmap_init(&c->rm_expected);
	k8c_strmap_init(&c->gone_uid);
	*cookie = c;
	return 0;
}

static void job_fini(void *cookie)
{
	job_ctl_t *c = cookie;

	k8c_strmap_entry_t *e;
	size_t i;

	for (e = k8c_strmap_first(&c->gone_uid, &i); e != NULL; e = k8c_strmap_next(&c->gone_uid, e, &i))
		free(e->value);
	k8c_strmap_free(&c->gone_uid);
	k8c_strmap_free(&c->rm_expected);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

static const k8c_controller_ops_t job_ops = {
	.struct_size = sizeof(k8c_controller_ops_t),
	.watches = job_watches,
	.n_watches = sizeof(job_watches) / sizeof(job_watches[0]),
	.workers = 5, /* kube's --concurrent-job-syncs */
	.event_component = "job-controller",
	.reconcile = job_reconcile,
	.on_change = job_on_change,
};

K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
	K8C_PLUGIN_HEADER(K8C_PLUGIN_CONTROLLER),
	.name = "job",
	.version = PACKAGE_VERSION,
	.description = "Job controller: runs pods to completion (and deletes finished Jobs after their TTL)",
	.init = job_init,
	.fini = job_fini,
	.ops = &job_ops,
};
