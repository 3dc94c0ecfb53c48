/* A Job's status: completion index sets ("0-2,4"), conditions, and
 * trackJobStatusAndRemoveFinalizers, the way kube 1.32 counts finished
 * pods through the batch.kubernetes.io/job-tracking finalizer:
 *
 *   1. finished pods still carrying the finalizer go to
 *      status.uncountedTerminatedPods (and the interim FailureTarget or
 *      SuccessCriteriaMet condition is added), written first;
 *   2. their finalizers are removed;
 *   3. the pods whose finalizer is gone move from the uncounted lists to
 *      succeeded/failed;
 *   4. once nothing is uncounted nor terminating, Complete or Failed. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/json_path.h"
#include "common/mem.h"
#include "common/timestamp.h"
#include "job.h"

/* --- index sets -------------------------------------------------------------- */

static void ranges_reserve(job_ranges_t *s, size_t n)
{
	if (n <= s->cap)
		return;
	while (s->cap < n)
		s->cap = s->cap ? 2 * s->cap : 8;
	s->r = k8c_xrealloc(s->r, s->cap * sizeof(s->r[0]));
}

/* The first range whose end is >= i (s->n when none): binary search. */
static size_t ranges_lower(const job_ranges_t *s, int64_t i)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->r[mid][1] < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void job_ranges_add_range(job_ranges_t *s, int64_t a, int64_t b)
{
	size_t k, j;

	if (b < a)
		return;
	/* the common case: appending in order */
	if (s->n == 0 || a > s->r[s->n - 1][1] + 1) {
		ranges_reserve(s, s->n + 1);
		s->r[s->n][0] = a;
		s->r[s->n][1] = b;
		s->n++;
		return;
	}
	/* ranges k..j-1 touch [a, b]: merge them into k */
	k = ranges_lower(s, a - 1);
	if (k < s->n && s->r[k][0] <= a && s->r[k][1] >= b)
		return; /* already in */
	j = k;
	while (j < s->n && s->r[j][0] <= b + 1)
		j++;
	if (j == k) { /* none: insert at k */
		ranges_reserve(s, s->n + 1);
		memmove(&s->r[k + 1], &s->r[k], (s->n - k) * sizeof(s->r[0]));
		s->r[k][0] = a;
		s->r[k][1] = b;
		s->n++;
		return;
	}
	if (a < s->r[k][0])
		s->r[k][0] = a;
	s->r[k][1] = b > s->r[j - 1][1] ? b : s->r[j - 1][1];
	if (j > k + 1) {
		memmove(&s->r[k + 1], &s->r[j], (s->n - j) * sizeof(s->r[0]));
		s->n -= j - k - 1;
	}
}

void job_ranges_add(job_ranges_t *s, int64_t i)
{
	job_ranges_add_range(s, i, i);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

void job_ranges_add_many(job_ranges_t *s, int64_t *v, size_t n)
{
	job_ranges_t add = {0}, out = {0};
	size_t i = 0, j = 0;

	if (n == 0)
		return;
	qsort(v, n, sizeof(*v), cmp_i64);
	for (size_t k = 0; k < n; k++)
		job_ranges_add_range(&add, v[k], v[k]); /* in order: appends or extends */
	/* one merged walk of both sorted lists */
	ranges_reserve(&out, s->n + add.n);
	while (i < s->n || j < add.n) {
		const int64_t *r = j >= add.n || (i < s->n && s->r[i][0] <= add.r[j][0]) ? s->r[i++] : add.r[j++];
		if (out.n > 0 && r[0] <= out.r[out.n - 1][1] + 1) {
			if (r[1] > out.r[out.n - 1][1])
				out.r[out.n - 1][1] = r[1];
		} else {
			out.r[out.n][0] = r[0];
			out.r[out.n][1] = r[1];
			out.n++;
		}
	}
	job_ranges_free(&add);
	job_ranges_free(s);
	*s = out;
}

void job_ranges_parse(job_ranges_t *s, const char *text)
{
	const char *p = text;

	while (p != NULL && *p) {
		char *end;
		long long a = strtoll(p, &end, 10), b = a;
		if (end == p || a < 0)
			return;
		p = end;
		if (*p == '-') {
			b = strtoll(p + 1, &end, 10);
			if (end == p + 1 || b < a)
				return;
			p = end;
		}
		job_ranges_add_range(s, a, b); /* sorted input: an append */
		if (*p == ',')
			p++;
		else if (*p)
			return;
	}
}

int job_ranges_has(const job_ranges_t *s, int64_t i)
{
	size_t k = ranges_lower(s, i);

	return k < s->n && s->r[k][0] <= i;
}

int64_t job_ranges_total(const job_ranges_t *s)
{
	int64_t t = 0;

	for (size_t k = 0; k < s->n; k++)
		t += s->r[k][1] - s->r[k][0] + 1;
	return t;
}

char *job_ranges_format(const job_ranges_t *s)
{
	size_t len = 1, off = 0;
	char *out;

	for (size_t k = 0; k < s->n; k++)
		len += 44;
	out = k8c_xmalloc(len);
	out[0] = '\0';
	for (size_t k = 0; k < s->n; k++) {
		if (s->r[k][0] == s->r[k][1])
			off += (size_t)snprintf(out + off, len - off, "%s%lld", k ? "," : "", (long long)s->r[k][0]);
		else
			off += (size_t)snprintf(out + off, len - off, "%s%lld-%lld", k ? "," : "",
			                        (long long)s->r[k][0], (long long)s->r[k][1]);
	}
	return out;
}

void job_ranges_free(job_ranges_t *s)
{
	free(s->r);
	memset(s, 0, sizeof(*s));
}

/* --- conditions ---------------------------------------------------------------- */

static int str_is(const cJSON *obj, const char *path, const char *want)
{
	const char *v = k8c_jstr(obj, path);

	return v != NULL && strcmp(v, want) == 0;
}

const cJSON *job_condition_true(const cJSON *job, const char *type)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, k8c_jget(job, "status.conditions"))
		if (str_is(c, "type", type) && str_is(c, "status", "True"))
			return c;
	return NULL;
}

static cJSON *status_of(cJSON *job)
{
	cJSON *st = cJSON_GetObjectItemCaseSensitive(job, "status");

	if (!cJSON_IsObject(st)) {
		cJSON_DeleteItemFromObjectCaseSensitive(job, "status");
		st = cJSON_AddObjectToObject(job, "status");
	}
	return st;
}

static cJSON *new_condition(const job_sync_t *s, const char *type, const char *status,
                            const char *reason, const char *message)
{
	cJSON *c = cJSON_CreateObject();
	char now[K8C_TIME_STRLEN];

	k8c_time_format(s->now_ns, now);
	cJSON_AddStringToObject(c, "type", type);
	cJSON_AddStringToObject(c, "status", status);
	cJSON_AddStringToObject(c, "lastProbeTime", now);
	cJSON_AddStringToObject(c, "lastTransitionTime", now);
	if (reason != NULL && reason[0])
		cJSON_AddStringToObject(c, "reason", reason);
	if (message != NULL && message[0])
		cJSON_AddStringToObject(c, "message", message);
	return c;
}

int job_set_condition(job_sync_t *s, const char *type, const char *status, const char *reason,
                      const char *message)
{
	cJSON *st = status_of(s->job), *list = cJSON_GetObjectItemCaseSensitive(st, "conditions"), *c;
	int i = 0;

	if (!cJSON_IsArray(list)) {
		cJSON_DeleteItemFromObjectCaseSensitive(st, "conditions");
		list = cJSON_AddArrayToObject(st, "conditions");
	}
	cJSON_ArrayForEach(c, list) {
		if (str_is(c, "type", type)) {
			const char *r = k8c_jstr(c, "reason") ?: "", *m = k8c_jstr(c, "message") ?: "";
			if (str_is(c, "status", status) && strcmp(r, reason ?: "") == 0 &&
			    strcmp(m, message ?: "") == 0)
				return 0;
			cJSON_ReplaceItemInArray(list, i, new_condition(s, type, status, reason, message));
			return 1;
		}
		i++;
	}
	if (strcmp(status, "False") == 0)
		return 0;
	cJSON_AddItemToArray(list, new_condition(s, type, status, reason, message));
	return 1;
}

/* --- writing ------------------------------------------------------------------- */

int job_flush_status(job_sync_t *s, k8c_error_t *err)
{
	_cleanup_free_ char *path = k8c_xasprintf("/apis/batch/v1/namespaces/%s/jobs/%s/status",
	                                          s->ns, s->name);
	cJSON *out = NULL;

	if (job_request(s->c, "PUT", path, s->job, NULL, &out, err) < 0)
		return -1;
	cJSON_Delete(s->job);
	s->job = out;
	s->ns = k8c_jstr(out, "metadata.namespace");
	s->name = k8c_jstr(out, "metadata.name");
	s->uid = k8c_jstr(out, "metadata.uid");
	if (s->ns == NULL || s->name == NULL || s->uid == NULL)
		return k8c_error_make(err, K8C_EINTERNAL, "status update answered without metadata");
	return 0;
}

static void set_num(cJSON *obj, const char *key, int64_t v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	cJSON_AddNumberToObject(obj, key, (double)v);
}

static int uid_in(const cJSON *list, const char *uid)
{
	const cJSON *u;

	cJSON_ArrayForEach(u, list)
		if (cJSON_IsString(u) && strcmp(u->valuestring, uid) == 0)
			return 1;
	return 0;
}

/* The uncounted lists (created empty when absent). */
static cJSON *uncounted(job_sync_t *s, const char *which)
{
	cJSON *st = status_of(s->job), *u = cJSON_GetObjectItemCaseSensitive(st, "uncountedTerminatedPods");
	cJSON *l;

	if (!cJSON_IsObject(u)) {
		cJSON_DeleteItemFromObjectCaseSensitive(st, "uncountedTerminatedPods");
		u = cJSON_AddObjectToObject(st, "uncountedTerminatedPods");
	}
	l = cJSON_GetObjectItemCaseSensitive(u, which);
	if (!cJSON_IsArray(l)) {
		cJSON_DeleteItemFromObjectCaseSensitive(u, which);
		l = cJSON_AddArrayToObject(u, which);
	}
	return l;
}

/* cleanUncountedPodsWithoutFinalizers: uids no longer held by a finalizer
 * move to the counters.  with_fin: pod uid -> 1 for pods still holding it. */
static int clean_uncounted(job_sync_t *s, const k8c_strmap_t *with_fin)
{
	static const char *const which[] = {"succeeded", "failed"};
	int changed = 0;

	for (int w = 0; w < 2; w++) {
		cJSON *l = uncounted(s, which[w]);
		int64_t moved = 0;
		for (int i = cJSON_GetArraySize(l) - 1; i >= 0; i--) {
			cJSON *u = cJSON_GetArrayItem(l, i);
			if (!cJSON_IsString(u) || k8c_strmap_get(with_fin, u->valuestring) == NULL) {
				cJSON_DeleteItemFromArray(l, i);
				moved++;
			}
		}
		if (moved > 0) {
			cJSON *st = status_of(s->job);
			changed = 1;
			const cJSON *cur = cJSON_GetObjectItemCaseSensitive(st, which[w]);
			int64_t was = cJSON_IsNumber(cur) ? (int64_t)cur->valuedouble : 0;
			if (!(s->indexed && w == 0)) /* Indexed Jobs count succeeded by indexes */
				set_num(st, which[w], was + moved);
		}
	}
	return changed;
}

static int rm_expected(job_ctl_t *c, const char *uid)
{
	int has;

	pthread_mutex_lock(&c->mu);
	has = k8c_strmap_get(&c->rm_expected, uid) != NULL;
	pthread_mutex_unlock(&c->mu);
	return has;
}

static void expect_rm(job_ctl_t *c, const char *uid, int on)
{
	pthread_mutex_lock(&c->mu);
	if (on)
		k8c_strmap_put(&c->rm_expected, uid, (void *)1);
	else
		k8c_strmap_remove(&c->rm_expected, uid);
	pthread_mutex_unlock(&c->mu);
}

static void record_finished(job_sync_t *s)
{
	const k8c_controller_host_t *ch = s->c->ch;

	if (strcmp(s->finished.type, "Complete") == 0) {
		if (s->completions >= 0 && s->succeeded > s->completions)
			ch->event(ch->ctx, JOB_WATCH_JOBS, s->job, "Warning", "TooManySucceededPods",
			          "Too many succeeded pods running after completion count reached");
		ch->event(ch->ctx, JOB_WATCH_JOBS, s->job, "Normal", "Completed", "Job completed");
	} else {
		ch->event(ch->ctx, JOB_WATCH_JOBS, s->job, "Warning", s->finished.reason, "%s",
		          s->finished.message);
	}
}

int job_track_status(job_sync_t *s, int needs_flush, k8c_error_t *err)
{
	_cleanup_free_ const cJSON **to_rm = NULL;
	k8c_strmap_t with_fin;
	size_t n_rm = 0;
	const cJSON *pod;
	cJSON *st;
	int ret = 0, finished_now = 0;

	k8c_strmap_init(&with_fin);
	to_rm = k8c_xcalloc((size_t)cJSON_GetArraySize(s->pods) + 1, sizeof(*to_rm));
	cJSON_ArrayForEach(pod, s->pods) {
		const char *uid = k8c_jstr(pod, "metadata.uid");
		if (uid != NULL && job_pod_has_finalizer(pod) && !rm_expected(s->c, uid))
			k8c_strmap_put(&with_fin, uid, (void *)1);
	}
	needs_flush |= clean_uncounted(s, &with_fin);
	cJSON_ArrayForEach(pod, s->pods) {
		const char *uid = k8c_jstr(pod, "metadata.uid");
		int failed, deleting = k8c_jget(s->job, "metadata.deletionTimestamp") != NULL;
		int64_t ix = job_pod_index(pod);
		int valid_ix = !s->indexed || (ix >= 0 && ix < s->completions);
		if (uid == NULL || k8c_strmap_get(&with_fin, uid) == NULL)
			continue;
		failed = job_pod_failed(s, pod);
		if (!(deleting || s->has_finished || job_pod_phase_is(pod, "Succeeded") || failed))
			continue;
		to_rm[n_rm++] = pod;
		if (job_pod_phase_is(pod, "Succeeded") && !uid_in(uncounted(s, "failed"), uid)) {
			if (s->indexed) {
				if (valid_ix && !job_ranges_has(&s->done_prev, ix)) {
					job_ranges_add(&s->done, ix);
					needs_flush = 1;
				}
			} else if (!uid_in(uncounted(s, "succeeded"), uid)) {
				cJSON_AddItemToArray(uncounted(s, "succeeded"), cJSON_CreateString(uid));
				needs_flush = 1;
			}
		} else if (failed || (s->has_finished && strcmp(s->finished.type, "SuccessCriteriaMet") != 0)) {
			char msg[512];
			int count = 1;
			if (uid_in(uncounted(s, "failed"), uid) || !valid_ix)
				continue;
			job_pod_failure_policy(s, pod, &count, msg);
			if (count) {
				cJSON_AddItemToArray(uncounted(s, "failed"), cJSON_CreateString(uid));
				needs_flush = 1;
			}
		}
	}
	st = status_of(s->job);
	if (s->indexed) {
		_cleanup_free_ char *done = job_ranges_format(&s->done);
		if (!str_is(st, "completedIndexes", done))
			needs_flush = 1;
		cJSON_DeleteItemFromObjectCaseSensitive(st, "completedIndexes");
		cJSON_AddStringToObject(st, "completedIndexes", done);
		set_num(st, "succeeded", job_ranges_total(&s->done));
		if (s->per_index) {
			_cleanup_free_ char *fi = job_ranges_format(&s->failed_idx);
			if (!str_is(st, "failedIndexes", fi)) {
				cJSON_DeleteItemFromObjectCaseSensitive(st, "failedIndexes");
				cJSON_AddStringToObject(st, "failedIndexes", fi);
				needs_flush = 1;
			}
		}
	}
	if (s->has_finished && strcmp(s->finished.type, "FailureTarget") == 0) {
		job_set_condition(s, "FailureTarget", "True", s->finished.reason, s->finished.message);
		needs_flush = 1;
		s->finished.type = "Failed";
	}
	if (s->has_finished && strcmp(s->finished.type, "SuccessCriteriaMet") == 0) {
		if (job_condition_true(s->job, "SuccessCriteriaMet") == NULL) {
			job_set_condition(s, "SuccessCriteriaMet", "True", s->finished.reason, s->finished.message);
			needs_flush = 1;
		}
		s->finished.type = "Complete";
	}
	if (needs_flush) {
		if (job_flush_status(s, err) < 0)
			goto out_err;
		needs_flush = 0;
	}
	for (size_t i = 0; i < n_rm; i++) {
		const char *uid = k8c_jstr(to_rm[i], "metadata.uid");
		expect_rm(s->c, uid, 1);
		if (job_remove_finalizer(s->c, to_rm[i], err) < 0) {
			expect_rm(s->c, uid, 0);
			ret = -1;
			continue;
		}
		k8c_strmap_remove(&with_fin, uid);
	}
	needs_flush |= clean_uncounted(s, &with_fin);
	if (ret < 0) {
		k8c_error_t e2;
		if (needs_flush)
			job_flush_status(s, &e2);
		goto out_err;
	}
	if (s->has_finished && cJSON_GetArraySize(uncounted(s, "succeeded")) == 0 &&
	    cJSON_GetArraySize(uncounted(s, "failed")) == 0 && s->terminating == 0) {
		job_set_condition(s, s->finished.type, "True", s->finished.reason, s->finished.message);
		if (strcmp(s->finished.type, "Complete") == 0) {
			char now[K8C_TIME_STRLEN];
			cJSON_DeleteItemFromObjectCaseSensitive(status_of(s->job), "completionTime");
			cJSON_AddStringToObject(status_of(s->job), "completionTime", k8c_time_format(s->now_ns, now));
		}
		finished_now = needs_flush = 1;
	}
	if (needs_flush) {
		if (job_flush_status(s, err) < 0)
			goto out_err;
		if (finished_now)
			record_finished(s);
	}
	k8c_strmap_free(&with_fin);
	return 0;
out_err:
	k8c_strmap_free(&with_fin);
	return -1;
}
