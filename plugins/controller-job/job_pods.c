/* A Job's pods: what they are (active, failed, which index), the pod
 * failure policy, and manageJob: creating pods from the template (with the
 * tracking finalizer, and for Indexed Jobs the completion index as
 * annotation, label, JOB_COMPLETION_INDEX and hostname) in slow-start
 * batches, after the pod-failure backoff (10 s doubling to 6 min), or
 * deleting the surplus. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/json_path.h"
#include "common/mem.h"
#include "common/timestamp.h"
#include "job.h"

#define BACKOFF_BASE_MS 10000LL
#define BACKOFF_MAX_MS 360000LL
#define MAX_CREATE_DELETE JOB_MAX_CREATE_DELETE
#define DELETED_MARK "k8c-job-deleted" /* on our copy of a pod deleted in this sync */

static int str_is(const cJSON *obj, const char *path, const char *want)
{
	const char *v = k8c_jstr(obj, path);

	return v != NULL && strcmp(v, want) == 0;
}

int job_pod_phase_is(const cJSON *pod, const char *phase)
{
	return str_is(pod, "status.phase", phase);
}

int job_pod_terminal(const cJSON *pod)
{
	return job_pod_phase_is(pod, "Succeeded") || job_pod_phase_is(pod, "Failed");
}

int job_pod_active(const cJSON *pod)
{
	return !job_pod_terminal(pod) && k8c_jget(pod, "metadata.deletionTimestamp") == NULL;
}

int job_pod_ready(const cJSON *pod)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, k8c_jget(pod, "status.conditions"))
		if (str_is(c, "type", "Ready"))
			return str_is(c, "status", "True");
	return 0;
}

int job_pod_has_finalizer(const cJSON *pod)
{
	const cJSON *f;

	cJSON_ArrayForEach(f, k8c_jget(pod, "metadata.finalizers"))
		if (cJSON_IsString(f) && strcmp(f->valuestring, JOB_TRACKING_FINALIZER) == 0)
			return 1;
	return 0;
}

int64_t job_pod_index(const cJSON *pod)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(k8c_jget(pod, "metadata.annotations"),
	                                                  JOB_INDEX_ANNOTATION);
	const char *v = cJSON_GetStringValue(a);
	char *end;
	long long i;

	if (v == NULL || v[0] < '0' || v[0] > '9')
		return -1;
	i = strtoll(v, &end, 10);
	return *end == '\0' && i >= 0 ? i : -1;
}

int job_pod_failed(const job_sync_t *s, const cJSON *pod)
{
	const cJSON *spec = k8c_jget(s->job, "spec");

	if (job_pod_phase_is(pod, "Failed"))
		return 1;
	if (k8c_jget(spec, "podFailurePolicy") != NULL || str_is(spec, "podReplacementPolicy", "Failed"))
		return 0;
	/* deleted pods count as failed: orphans never reach Failed */
	return k8c_jget(pod, "metadata.deletionTimestamp") != NULL &&
	       !job_pod_phase_is(pod, "Succeeded");
}

int64_t job_pod_finish_ns(const job_sync_t *s, const cJSON *pod)
{
	static const char *const lists[] = {"status.containerStatuses", "status.initContainerStatuses"};
	int64_t best = 0, t;
	const cJSON *cs;
	const char *del;

	for (int l = 0; l < 2; l++)
		cJSON_ArrayForEach(cs, k8c_jget(pod, lists[l])) {
			const char *f = k8c_jstr(cs, "state.terminated.finishedAt");
			if (f != NULL && k8c_time_parse(f, &t, NULL) == 0 && t > best)
				best = t;
		}
	if (best > 0)
		return best;
	del = k8c_jstr(pod, "metadata.deletionTimestamp");
	if (del != NULL && k8c_time_parse(del, &t, NULL) == 0)
		return t;
	return s->now_ns;
}

/* --- pod failure policy -------------------------------------------------------- */

static int code_in(const cJSON *values, double code)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, values)
		if (cJSON_IsNumber(v) && v->valuedouble == code)
			return 1;
	return 0;
}

/* The first container (app, then init) whose exit matches the rule. */
static const cJSON *exit_match(const cJSON *pod, const cJSON *req)
{
	static const char *const lists[] = {"status.containerStatuses", "status.initContainerStatuses"};
	const char *cname = k8c_jstr(req, "containerName"), *op = k8c_jstr(req, "operator");
	const cJSON *values = cJSON_GetObjectItemCaseSensitive(req, "values"), *cs;

	for (int l = 0; l < 2; l++)
		cJSON_ArrayForEach(cs, k8c_jget(pod, lists[l])) {
			const cJSON *code = k8c_jget(cs, "state.terminated.exitCode");
			if (!cJSON_IsNumber(code) || code->valuedouble == 0)
				continue;
			if (cname != NULL && !str_is(cs, "name", cname))
				continue;
			if (op != NULL && strcmp(op, "In") == 0 && code_in(values, code->valuedouble))
				return cs;
			if (op != NULL && strcmp(op, "NotIn") == 0 && !code_in(values, code->valuedouble))
				return cs;
		}
	return NULL;
}

static const cJSON *condition_match(const cJSON *pod, const cJSON *patterns)
{
	const cJSON *p, *c;

	cJSON_ArrayForEach(p, patterns) {
		const char *type = k8c_jstr(p, "type"), *status = k8c_jstr(p, "status");
		cJSON_ArrayForEach(c, k8c_jget(pod, "status.conditions"))
			if (type != NULL && str_is(c, "type", type) && str_is(c, "status", status ? status : "True"))
				return c;
	}
	return NULL;
}

const char *job_pod_failure_policy(const job_sync_t *s, const cJSON *pod, int *count, char *msg)
{
	const cJSON *rule;
	int i = 0;

	*count = 1;
	msg[0] = '\0';
	cJSON_ArrayForEach(rule, k8c_jget(s->job, "spec.podFailurePolicy.rules")) {
		const char *action = k8c_jstr(rule, "action");
		const cJSON *req = cJSON_GetObjectItemCaseSensitive(rule, "onExitCodes");
		const cJSON *hit = NULL, *cond = NULL;
		int idx = i++;
		if (action == NULL)
			continue;
		if (req != NULL)
			hit = exit_match(pod, req);
		else
			cond = condition_match(pod, cJSON_GetObjectItemCaseSensitive(rule, "onPodConditions"));
		if (hit == NULL && cond == NULL)
			continue;
		if (strcmp(action, "Ignore") == 0) {
			*count = 0;
		} else if (strcmp(action, "FailIndex") == 0) {
			if (!s->per_index)
				continue;
		} else if (strcmp(action, "FailJob") == 0) {
			if (hit != NULL)
				snprintf(msg, 512, "Container %s for pod %s/%s failed with exit code %d "
				         "matching %s rule at index %d", k8c_jstr(hit, "name") ?: "",
				         s->ns, k8c_jstr(pod, "metadata.name") ?: "",
				         (int)k8c_jget(hit, "state.terminated.exitCode")->valuedouble, action, idx);
			else
				snprintf(msg, 512, "Pod %s/%s has condition %s matching %s rule at index %d",
				         s->ns, k8c_jstr(pod, "metadata.name") ?: "",
				         k8c_jstr(cond, "type") ?: "", action, idx);
		} else if (strcmp(action, "Count") != 0) {
			continue;
		}
		return action;
	}
	return NULL;
}

/* --- API calls on pods ------------------------------------------------------- */

static cJSON *owner_ref(const job_sync_t *s)
{
	cJSON *ref = cJSON_CreateObject();

	cJSON_AddStringToObject(ref, "apiVersion", "batch/v1");
	cJSON_AddStringToObject(ref, "kind", "Job");
	cJSON_AddStringToObject(ref, "name", s->name);
	cJSON_AddStringToObject(ref, "uid", s->uid);
	cJSON_AddBoolToObject(ref, "controller", 1);
	cJSON_AddBoolToObject(ref, "blockOwnerDeletion", 1);
	return ref;
}

/* addCompletionIndexEnvVariables: JOB_COMPLETION_INDEX from the
 * annotation, in every container that does not set it. */
static void add_index_env(cJSON *spec)
{
	static const char *const lists[] = {"containers", "initContainers"};
	cJSON *c;

	for (int l = 0; l < 2; l++)
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(spec, lists[l])) {
			cJSON *env = cJSON_GetObjectItemCaseSensitive(c, "env"), *e, *v;
			int has = 0;
			cJSON_ArrayForEach(e, env)
				has |= str_is(e, "name", "JOB_COMPLETION_INDEX");
			if (has)
				continue;
			if (!cJSON_IsArray(env)) {
				cJSON_DeleteItemFromObjectCaseSensitive(c, "env");
				env = cJSON_AddArrayToObject(c, "env");
			}
			e = cJSON_CreateObject();
			cJSON_AddStringToObject(e, "name", "JOB_COMPLETION_INDEX");
			v = cJSON_AddObjectToObject(cJSON_AddObjectToObject(e, "valueFrom"), "fieldRef");
			cJSON_AddStringToObject(v, "fieldPath",
			                        "metadata.annotations['" JOB_INDEX_ANNOTATION "']");
			cJSON_AddItemToArray(env, e);
		}
}

static void set_str(cJSON *obj, const char *key, const char *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	cJSON_AddStringToObject(obj, key, v);
}

int64_t job_pod_count_annotation(const cJSON *pod, const char *name)
{
	const char *v = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(k8c_jget(pod, "metadata.annotations"), name));
	char *end;
	long long n;

	if (v == NULL || v[0] < '0' || v[0] > '9')
		return 0;
	n = strtoll(v, &end, 10);
	return *end == '\0' && n >= 0 ? n : 0;
}

static int cmp_last_fail(const void *a, const void *b)
{
	const job_last_fail_t *x = a, *y = b;

	if (x->ix != y->ix)
		return x->ix < y->ix ? -1 : 1;
	return x->finish_ns < y->finish_ns ? -1 : x->finish_ns > y->finish_ns;
}

void job_index_last_failures(job_sync_t *s)
{
	const cJSON *pod;
	size_t n = 0, m = 0;

	free(s->last_fail);
	s->last_fail = k8c_xcalloc((size_t)cJSON_GetArraySize(s->pods) + 1, sizeof(*s->last_fail));
	cJSON_ArrayForEach(pod, s->pods) {
		int64_t ix = job_pod_index(pod);
		if (ix < 0 || ix >= s->completions || !job_pod_failed(s, pod))
			continue;
		s->last_fail[n].ix = ix;
		s->last_fail[n].finish_ns = job_pod_finish_ns(s, pod);
		s->last_fail[n].pod = pod;
		n++;
	}
	if (n > 1)
		qsort(s->last_fail, n, sizeof(*s->last_fail), cmp_last_fail);
	/* keep the last of each index */
	for (size_t i = 0; i < n; i++)
		if (i + 1 == n || s->last_fail[i + 1].ix != s->last_fail[i].ix)
			s->last_fail[m++] = s->last_fail[i];
	s->n_last_fail = m;
}

static const cJSON *last_failed_pod(const job_sync_t *s, int64_t ix)
{
	size_t lo = 0, hi = s->n_last_fail;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->last_fail[mid].ix < ix)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n_last_fail && s->last_fail[lo].ix == ix ? s->last_fail[lo].pod : NULL;
}

/* The failure counts toward the limit (matchPodFailurePolicy's countFailed). */
static int failure_counts(const job_sync_t *s, const cJSON *pod)
{
	char msg[512];
	int count = 1;

	if (k8c_jget(s->job, "spec.podFailurePolicy") != NULL)
		job_pod_failure_policy(s, pod, &count, msg);
	return count;
}

void job_index_failure_counts(const job_sync_t *s, int64_t ix, int64_t *failures, int64_t *ignored)
{
	const cJSON *last = last_failed_pod(s, ix);

	*failures = *ignored = 0;
	if (last == NULL)
		return;
	*failures = job_pod_count_annotation(last, JOB_INDEX_FAILURES_ANNOTATION);
	*ignored = job_pod_count_annotation(last, JOB_INDEX_IGNORED_ANNOTATION);
	if (failure_counts(s, last))
		++*failures;
	else
		++*ignored;
}

int job_pod_index_failed(const job_sync_t *s, const cJSON *pod)
{
	const cJSON *limit = k8c_jget(s->job, "spec.backoffLimitPerIndex");
	char msg[512];
	int count = 1;

	if (!cJSON_IsNumber(limit) || !job_pod_failed(s, pod))
		return 0;
	if (k8c_jget(s->job, "spec.podFailurePolicy") != NULL) {
		const char *action = job_pod_failure_policy(s, pod, &count, msg);
		if (action != NULL && strcmp(action, "FailIndex") == 0)
			return 1;
	}
	return count && job_pod_count_annotation(pod, JOB_INDEX_FAILURES_ANNOTATION) >=
	                (int64_t)limit->valuedouble;
}

/* getRemainingTimeForFailuresCount */
static int64_t backoff_left_ms(const job_sync_t *s, int64_t fails, int64_t last_fail_ns)
{
	int64_t delay = BACKOFF_BASE_MS;

	if (fails <= 0)
		return 0;
	for (int64_t i = 1; i < fails && delay < BACKOFF_MAX_MS; i++)
		delay *= 2;
	if (delay > BACKOFF_MAX_MS)
		delay = BACKOFF_MAX_MS;
	delay -= (s->now_ns - last_fail_ns) / 1000000;
	return delay > 0 ? delay : 0;
}

int64_t job_index_backoff_ms(const job_sync_t *s, int64_t ix)
{
	const cJSON *last = last_failed_pod(s, ix);

	if (last == NULL)
		return 0;
	/* getIndexAbsoluteFailureCount + 1 */
	return backoff_left_ms(s, job_pod_count_annotation(last, JOB_INDEX_FAILURES_ANNOTATION) +
	                       job_pod_count_annotation(last, JOB_INDEX_IGNORED_ANNOTATION) + 1,
	                       job_pod_finish_ns(s, last));
}

static cJSON *pod_from_template(const job_sync_t *s, int64_t index)
{
	const cJSON *t = k8c_jget(s->job, "spec.template");
	const cJSON *tmd = cJSON_GetObjectItemCaseSensitive(t, "metadata");
	cJSON *pod = cJSON_CreateObject(), *md, *spec, *fin, *f;
	char prefix[80], num[32];
	int has_fin = 0;

	cJSON_AddStringToObject(pod, "apiVersion", "v1");
	cJSON_AddStringToObject(pod, "kind", "Pod");
	md = cJSON_AddObjectToObject(pod, "metadata");
	/* podGenerateNameWithIndex: the name is cut so that "-<index>-" and
	 * the random suffix fit (58 before the suffix) */
	if (index >= 0) {
		int n = snprintf(num, sizeof(num), "-%lld-", (long long)index);
		snprintf(prefix, sizeof(prefix), "%.*s%s", 58 - n, s->name, num);
	} else {
		snprintf(prefix, sizeof(prefix), "%.57s-", s->name);
	}
	cJSON_AddStringToObject(md, "generateName", prefix);
	cJSON_AddStringToObject(md, "namespace", s->ns);
	for (const char *const *k = (const char *const[]){"labels", "annotations", "finalizers", NULL};
	     *k != NULL; k++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(tmd, *k);
		cJSON_AddItemToObject(md, *k, cJSON_IsObject(v) || cJSON_IsArray(v) ? cJSON_Duplicate(v, 1)
		                      : strcmp(*k, "finalizers") == 0 ? cJSON_CreateArray() : cJSON_CreateObject());
	}
	fin = cJSON_GetObjectItemCaseSensitive(md, "finalizers");
	cJSON_ArrayForEach(f, fin)
		has_fin |= cJSON_IsString(f) && strcmp(f->valuestring, JOB_TRACKING_FINALIZER) == 0;
	if (!has_fin)
		cJSON_AddItemToArray(fin, cJSON_CreateString(JOB_TRACKING_FINALIZER));
	cJSON_AddItemToArray(cJSON_AddArrayToObject(md, "ownerReferences"), owner_ref(s));
	spec = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(t, "spec"), 1);
	if (spec == NULL)
		spec = cJSON_CreateObject();
	cJSON_AddItemToObject(pod, "spec", spec);
	if (index >= 0) {
		cJSON *ann = cJSON_GetObjectItemCaseSensitive(md, "annotations");
		snprintf(num, sizeof(num), "%lld", (long long)index);
		add_index_env(spec);
		set_str(ann, JOB_INDEX_ANNOTATION, num);
		set_str(cJSON_GetObjectItemCaseSensitive(md, "labels"), JOB_INDEX_ANNOTATION, num);
		snprintf(prefix, sizeof(prefix), "%s-%lld", s->name, (long long)index);
		set_str(spec, "hostname", prefix);
		if (s->per_index) {
			int64_t failures, ignored;
			job_index_failure_counts(s, index, &failures, &ignored);
			snprintf(num, sizeof(num), "%lld", (long long)failures);
			set_str(ann, JOB_INDEX_FAILURES_ANNOTATION, num);
			if (ignored > 0) {
				snprintf(num, sizeof(num), "%lld", (long long)ignored);
				set_str(ann, JOB_INDEX_IGNORED_ANNOTATION, num);
			}
		}
	}
	return pod;
}

static int create_pod(job_sync_t *s, int64_t index, k8c_error_t *err)
{
	const k8c_controller_host_t *ch = s->c->ch;
	_cleanup_json_ cJSON *pod = pod_from_template(s, index), *out = NULL;
	_cleanup_free_ char *path = k8c_xasprintf("/api/v1/namespaces/%s/pods", s->ns);

	if (job_request(s->c, "POST", path, pod, NULL, &out, err) < 0) {
		ch->creation_observed(ch->ctx, s->key);
		if (!(err->code == K8C_EPERM && strstr(err->message, "being terminated") != NULL))
			ch->event(ch->ctx, JOB_WATCH_JOBS, s->job, "Warning", "FailedCreate",
			          "Error creating: %s", err->message);
		return -1;
	}
	ch->event(ch->ctx, JOB_WATCH_JOBS, s->job, "Normal", "SuccessfulCreate", "Created pod: %s",
	          k8c_jstr(out, "metadata.name") ?: "");
	return 0;
}

int job_remove_finalizer(job_ctl_t *c, const cJSON *pod, k8c_error_t *err)
{
	_cleanup_json_ cJSON *patch = cJSON_CreateObject();
	_cleanup_free_ char *path = k8c_xasprintf("/api/v1/namespaces/%s/pods/%s",
	                                          k8c_jstr(pod, "metadata.namespace") ?: "",
	                                          k8c_jstr(pod, "metadata.name") ?: "");
	cJSON *list = cJSON_AddArrayToObject(cJSON_AddObjectToObject(patch, "metadata"),
	                                     "$deleteFromPrimitiveList/finalizers");

	cJSON_AddItemToArray(list, cJSON_CreateString(JOB_TRACKING_FINALIZER));
	if (job_request(c, "PATCH", path, patch, K8C_PATCH_STRATEGIC, NULL, err) < 0)
		return err->code == K8C_ENOTFOUND ? 0 : -1;
	return 0;
}

static int delete_pod(job_sync_t *s, const cJSON *pod, int remove_finalizer, k8c_error_t *err)
{
	const k8c_controller_host_t *ch = s->c->ch;
	const char *name = k8c_jstr(pod, "metadata.name") ?: "";
	_cleanup_free_ char *pkey = k8c_xasprintf("%s/%s", s->ns, name);
	_cleanup_free_ char *path = k8c_xasprintf("/api/v1/namespaces/%s/pods/%s", s->ns, name);

	ch->expect_deletion(ch->ctx, s->key, pkey);
	if ((remove_finalizer && job_pod_has_finalizer(pod) && job_remove_finalizer(s->c, pod, err) < 0) ||
	    job_request(s->c, "DELETE", path, NULL, NULL, NULL, err) < 0) {
		ch->deletion_observed(ch->ctx, s->key, pkey);
		if (err->code == K8C_ENOTFOUND)
			return 0;
		ch->event(ch->ctx, JOB_WATCH_JOBS, s->job, "Warning", "FailedDelete",
		          "Error deleting: %s", err->message);
		return -1;
	}
	ch->event(ch->ctx, JOB_WATCH_JOBS, s->job, "Normal", "SuccessfulDelete", "Deleted pod: %s", name);
	return 1;
}

int64_t job_delete_active(job_sync_t *s, k8c_error_t *err)
{
	const cJSON *pod;
	int64_t n = 0, tried = 0;

	cJSON_ArrayForEach(pod, s->pods)
		if (job_pod_active(pod)) {
			int ret;
			if (tried++ >= MAX_CREATE_DELETE) {
				s->requeue_ms = 1; /* the rest in the next sync */
				break;
			}
			ret = delete_pod(s, pod, 0, err);
			if (ret >= 0) {
				n++;
				s->ready -= job_pod_ready(pod);
			}
		}
	return n;
}

/* Delete pod (active, counted in s->active) and mark our copy. */
static int delete_one(job_sync_t *s, cJSON *pod, k8c_error_t *err)
{
	if (delete_pod(s, pod, 1, err) < 0)
		return -1;
	s->active--;
	s->terminating++;
	s->ready -= job_pod_ready(pod);
	/* its finalizer is gone (nothing to count), and later passes must skip it */
	cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(pod, "metadata"),
	                                        "finalizers");
	cJSON_AddTrueToObject(pod, DELETED_MARK);
	return 0;
}

static int deletable(const cJSON *pod)
{
	return job_pod_active(pod) && cJSON_GetObjectItemCaseSensitive(pod, DELETED_MARK) == NULL;
}

/* Delete n active pods, at most *budget: not-ready and newer ones first
 * (kube's activePodsForRemoval ranks; here: unready first, then the
 * newest).  The list is walked backwards by pointer (cJSON keeps the
 * last item in child->prev). */
static int delete_some(job_sync_t *s, int64_t n, int64_t *budget, k8c_error_t *err)
{
	cJSON *first = s->pods ? s->pods->child : NULL;
	int ret = 0;

	for (int pass = 0; pass < 2 && n > 0 && *budget > 0 && first != NULL; pass++) {
		cJSON *pod = first->prev;
		for (;;) {
			cJSON *prev = pod == first ? NULL : pod->prev;
			if (n <= 0 || *budget <= 0)
				break;
			if (deletable(pod) && !(pass == 0 && job_pod_ready(pod))) {
				--*budget;
				if (delete_one(s, pod, err) < 0)
					ret = -1;
				else
					n--;
			}
			if (prev == NULL)
				break;
			pod = prev;
		}
	}
	if (n > 0 && *budget <= 0)
		s->requeue_ms = 1; /* more to delete: next sync */
	return ret;
}

/* How active a pod is (controller.ActivePods, reversed): the one of an
 * index to keep is the highest. */
static int activity(const cJSON *pod)
{
	return (job_pod_ready(pod) ? 4 : 0) + (job_pod_phase_is(pod, "Running") ? 2 : 0) +
	       (k8c_jstr(pod, "spec.nodeName") != NULL ? 1 : 0);
}

typedef struct ix_pod {
	int64_t ix;
	int rank;
	const char *created;
	cJSON *pod;
} ix_pod_t;

static int cmp_ix_pod(const void *a, const void *b)
{
	const ix_pod_t *x = a, *y = b;
	int c;

	if (x->ix != y->ix)
		return x->ix < y->ix ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	/* newer first: the oldest is kept */
	c = strcmp(y->created ? y->created : "", x->created ? x->created : "");
	return c;
}

/* appendDuplicatedIndexPodsForRemoval: active pods without a valid index
 * or with an index >= completions, and all but the most active pod of
 * each index.  Returns how many it deleted (or tried to, at most *budget). */
static int delete_bad_indexes(job_sync_t *s, int64_t *budget, int *ret, k8c_error_t *err)
{
	ix_pod_t *v = k8c_xcalloc((size_t)cJSON_GetArraySize(s->pods) + 1, sizeof(*v));
	size_t n = 0;
	int deleted = 0;
	cJSON *pod;

	cJSON_ArrayForEach(pod, s->pods)
		if (deletable(pod)) {
			int64_t ix = job_pod_index(pod);
			v[n].ix = ix < 0 || ix >= s->completions ? -1 : ix;
			v[n].rank = activity(pod);
			v[n].created = k8c_jstr(pod, "metadata.creationTimestamp");
			v[n].pod = pod;
			n++;
		}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_ix_pod);
	for (size_t i = 0; i < n && *budget > 0; i++) {
		if (v[i].ix >= 0 && (i + 1 == n || v[i + 1].ix != v[i].ix))
			continue; /* the one kept for its index */
		--*budget;
		deleted++;
		if (delete_one(s, v[i].pod, err) < 0)
			*ret = -1;
	}
	free(v);
	return deleted;
}

/* The pod-failure backoff: 10 s doubling per failure since the last
 * success, at most 6 min, from the last failure.  Returns ms to wait. */
static int64_t backoff_remaining(const job_sync_t *s)
{
	const cJSON *pod;
	int64_t last_ok = 0, last_fail = 0, fails = 0;

	cJSON_ArrayForEach(pod, s->pods)
		if (job_pod_phase_is(pod, "Succeeded")) {
			int64_t t = job_pod_finish_ns(s, pod);
			if (t > last_ok)
				last_ok = t;
		}
	cJSON_ArrayForEach(pod, s->pods) {
		int64_t t;
		if (!job_pod_failed(s, pod))
			continue;
		t = job_pod_finish_ns(s, pod);
		if (t < last_ok)
			continue;
		fails++;
		if (t > last_fail)
			last_fail = t;
	}
	return backoff_left_ms(s, fails, last_fail);
}

/* firstPendingIndexes: the lowest indexes neither succeeded, failed nor
 * held by an active pod, in one walk over the three sorted sets; with
 * backoffLimitPerIndex, indexes still in their backoff wait (the sync is
 * requeued for the first of them to end). */
static size_t pending_indexes(job_sync_t *s, int64_t *out, size_t want)
{
	job_ranges_t busy = {0};
	const job_ranges_t *sets[3];
	size_t cur[3] = {0, 0, 0}, n = 0, nb = 0;
	int64_t *held = k8c_xcalloc((size_t)cJSON_GetArraySize(s->pods) + 1, sizeof(*held)), i = 0;
	const cJSON *pod;

	cJSON_ArrayForEach(pod, s->pods)
		if (job_pod_active(pod) || (k8c_jget(pod, "metadata.deletionTimestamp") != NULL &&
		                            !job_pod_terminal(pod) &&
		                            str_is(s->job, "spec.podReplacementPolicy", "Failed"))) {
			int64_t ix = job_pod_index(pod);
			if (ix >= 0)
				held[nb++] = ix;
		}
	job_ranges_add_many(&busy, held, nb);
	free(held);
	sets[0] = &s->done;
	sets[1] = &busy;
	sets[2] = &s->failed_idx;
	while (i < s->completions && n < want) {
		int skipped = 0;
		for (int k = 0; k < 3; k++) {
			const job_ranges_t *r = sets[k];
			while (cur[k] < r->n && r->r[cur[k]][1] < i)
				cur[k]++;
			if (cur[k] < r->n && r->r[cur[k]][0] <= i) {
				i = r->r[cur[k]][1] + 1;
				skipped = 1;
			}
		}
		if (skipped)
			continue;
		if (s->per_index) {
			int64_t wait = job_index_backoff_ms(s, i);
			if (wait > 0) {
				if (s->requeue_ms <= 0 || wait < s->requeue_ms)
					s->requeue_ms = wait;
				i++;
				continue;
			}
		}
		out[n++] = i++;
	}
	job_ranges_free(&busy);
	return n;
}

int job_manage(job_sync_t *s, k8c_error_t *err)
{
	const k8c_controller_host_t *ch = s->c->ch;
	const cJSON *spec = k8c_jget(s->job, "spec");
	const cJSON *par = cJSON_GetObjectItemCaseSensitive(spec, "parallelism");
	int64_t parallelism = cJSON_IsNumber(par) ? (int64_t)par->valuedouble : 1;
	int64_t want, diff, wait_ms, *indexes = NULL, done = 0, batch = 1, budget = MAX_CREATE_DELETE;
	int ret = 0;

	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(spec, "suspend")))
		return delete_some(s, s->active, &budget, err);
	if (s->completions < 0)
		want = s->succeeded > 0 ? s->active : parallelism;
	else {
		want = s->completions - s->succeeded;
		if (want > parallelism)
			want = parallelism;
		if (want < 0)
			want = 0;
	}
	/* Indexed: out-of-range and duplicate indexes go first, and then
	 * nothing is created in this sync (as kube's manageJob) */
	if (s->indexed && delete_bad_indexes(s, &budget, &ret, err) > 0) {
		if (s->active > want && delete_some(s, s->active - want, &budget, err) < 0)
			ret = -1;
		return ret;
	}
	if (s->active > want)
		return delete_some(s, s->active - want, &budget, err);
	diff = want - s->active;
	if (str_is(spec, "podReplacementPolicy", "Failed"))
		diff -= s->terminating;
	if (diff <= 0)
		return 0;
	if (!s->per_index && (wait_ms = backoff_remaining(s)) > 0) {
		s->requeue_ms = wait_ms;
		return 0;
	}
	if (diff > MAX_CREATE_DELETE)
		diff = MAX_CREATE_DELETE;
	if (s->indexed) {
		if (s->per_index)
			job_index_last_failures(s);
		indexes = k8c_xcalloc((size_t)diff, sizeof(*indexes));
		diff = (int64_t)pending_indexes(s, indexes, (size_t)diff);
	}
	ch->expect_creations(ch->ctx, s->key, (int)diff);
	/* slow start: 1, 2, 4, ... stop at the first failing batch */
	while (done < diff) {
		int64_t end = done + batch > diff ? diff : done + batch, failed = 0;
		for (; done < end; done++) {
			if (create_pod(s, indexes ? indexes[done] : -1, err) < 0)
				failed++;
			else
				s->active++;
		}
		if (failed > 0) {
			for (int64_t i = done; i < diff; i++)
				ch->creation_observed(ch->ctx, s->key);
			ret = -1;
			break;
		}
		batch *= 2;
	}
	free(indexes);
	return ret;
}
