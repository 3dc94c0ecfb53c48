/* The CronJob controller, as kube-controller-manager 1.32's ControllerV2:
 * reconcile(key) reconciles status.active with the Jobs the CronJob
 * controls (SawCompletedJob, MissingJob, UnexpectedJob,
 * lastSuccessfulTime), then, unless suspended, creates the Job of the most
 * recent unmet schedule time (<name>-<minutes since the epoch>, annotation
 * batch.kubernetes.io/cronjob-scheduled-timestamp) within
 * startingDeadlineSeconds (else MissSchedule) and as concurrencyPolicy
 * allows (Forbid: JobAlreadyActive; Replace: the active ones are deleted),
 * deletes finished Jobs beyond the history limits, writes the status, and
 * asks to be called again at the next schedule time (+100 ms).  Schedules
 * and zones: cron.c, cron_zone.c. */
#include "config.h"

#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include <k8c/client.h>
#include <k8c/controller.h>
#include <k8c/plugin.h>

#include "common/json_path.h"
#include "common/mem.h"
#include "common/timestamp.h"
#include "cron.h"

#define WATCH_CRONJOBS 0
#define WATCH_JOBS 1
#define SCHEDULED_ANNOTATION "batch.kubernetes.io/cronjob-scheduled-timestamp"
#define NEXT_DELTA_MS 100
#define MANY_MISSED 100

static const k8c_controller_watch_t cj_watches[] = {
	[WATCH_CRONJOBS] = {"batch", "v1", "cronjobs", "CronJob", K8C_MAP_SELF, NULL},
	[WATCH_JOBS] = {"batch", "v1", "jobs", "Job", K8C_MAP_OWNER, "CronJob"},
};

typedef struct cj_ctl {
	const k8c_host_t *host;          /* borrowed until fini */
	const k8c_controller_host_t *ch; /* host->controller */
} cj_ctl_t;

typedef struct cj_sync {
	cj_ctl_t *c;
	cJSON *cj;                   /* copy (owned); status edited in place */
	const char *ns, *name, *uid; /* inside cj */
	cJSON *jobs;                 /* copies of the Jobs it controls (owned) */
	int64_t now_ns;
	int update;                  /* status changed */
} cj_sync_t;

static int request(cj_ctl_t *c, const char *method, const char *path, const cJSON *body,
                   cJSON **out, k8c_error_t *err)
{
	return c->host->client->request(c->host->client_ctx, method, path, body, NULL, out, err);
}

static int str_is(const cJSON *obj, const char *path, const char *want)
{
	const char *v = k8c_jstr(obj, path);

	return v != NULL && strcmp(v, want) == 0;
}

static void event(cj_sync_t *s, const char *type, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void event(cj_sync_t *s, const char *type, const char *reason, const char *fmt, ...)
{
	va_list ap;
	_cleanup_free_ char *msg = NULL;

	va_start(ap, fmt);
	msg = k8c_xvasprintf(fmt, ap);
	va_end(ap);
	s->c->ch->event(s->c->ch->ctx, WATCH_CRONJOBS, s->cj, type, reason, "%s", msg);
}

/* The Job's Complete or Failed condition type, or NULL. */
static const char *finished_type(const cJSON *job)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, k8c_jget(job, "status.conditions"))
		if ((str_is(c, "type", "Complete") || str_is(c, "type", "Failed")) && str_is(c, "status", "True"))
			return k8c_jstr(c, "type");
	return NULL;
}

static cJSON *status_list(cj_sync_t *s, const char *key)
{
	cJSON *st = cJSON_GetObjectItemCaseSensitive(s->cj, "status"), *l;

	if (!cJSON_IsObject(st)) {
		cJSON_DeleteItemFromObjectCaseSensitive(s->cj, "status");
		st = cJSON_AddObjectToObject(s->cj, "status");
	}
	l = cJSON_GetObjectItemCaseSensitive(st, key);
	if (key[0] == 'a' && !cJSON_IsArray(l)) {
		cJSON_DeleteItemFromObjectCaseSensitive(st, key);
		l = cJSON_AddArrayToObject(st, key);
	}
	return key[0] == 'a' ? l : st;
}

static int active_index(cj_sync_t *s, const char *field, const char *v)
{
	const cJSON *r;
	int i = 0;

	cJSON_ArrayForEach(r, k8c_jget(s->cj, "status.active")) {
		if (v != NULL && str_is(r, field, v))
			return i;
		i++;
	}
	return -1;
}

static void active_remove(cj_sync_t *s, const char *uid)
{
	int i = active_index(s, "uid", uid);

	if (i >= 0) {
		cJSON_DeleteItemFromArray(status_list(s, "active"), i);
		s->update = 1;
	}
}

static void set_time(cj_sync_t *s, const char *key, const char *v)
{
	cJSON *st = status_list(s, "status");

	cJSON_DeleteItemFromObjectCaseSensitive(st, key);
	cJSON_AddStringToObject(st, key, v);
	s->update = 1;
}

static int copy_controlled(void *arg, const cJSON *job)
{
	cj_sync_t *s = arg;
	const cJSON *r;

	cJSON_ArrayForEach(r, k8c_jget(job, "metadata.ownerReferences"))
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "controller"))) {
			if (str_is(r, "uid", s->uid))
				cJSON_AddItemToArray(s->jobs, cJSON_Duplicate(job, 1));
			break;
		}
	return 0;
}

static char *job_path(cj_sync_t *s, const char *name)
{
	return k8c_xasprintf("/apis/batch/v1/namespaces/%s/jobs%s%s", s->ns, name ? "/" : "", name ? name : "");
}

/* deleteJob: Background, as kube's jobControl. */
static int delete_job(cj_sync_t *s, const cJSON *job, k8c_error_t *err)
{
	const char *name = k8c_jstr(job, "metadata.name") ?: "";
	_cleanup_free_ char *path = job_path(s, name);
	_cleanup_json_ cJSON *opts = cJSON_CreateObject();

	cJSON_AddStringToObject(opts, "propagationPolicy", "Background");
	if (request(s->c, "DELETE", path, opts, NULL, err) < 0 && err->code != K8C_ENOTFOUND) {
		event(s, "Warning", "FailedDelete", "Deleted job: %s", err->message);
		return -1;
	}
	active_remove(s, k8c_jstr(job, "metadata.uid") ?: "");
	event(s, "Normal", "SuccessfulDelete", "Deleted job %s", name);
	return 0;
}

/* Step 1: status.active against the Jobs seen. */
static int reconcile_active(cj_sync_t *s, k8c_error_t *err)
{
	const cJSON *job;
	cJSON *r;

	cJSON_ArrayForEach(job, s->jobs) {
		const char *uid = k8c_jstr(job, "metadata.uid") ?: "", *fin = finished_type(job);
		int found = active_index(s, "uid", uid) >= 0;
		if (!found && fin == NULL) {
			_cleanup_free_ char *path = k8c_xasprintf("/apis/batch/v1/namespaces/%s/cronjobs/%s",
			                                          s->ns, s->name);
			cJSON *fresh = NULL;
			if (request(s->c, "GET", path, NULL, &fresh, err) < 0)
				return -1;
			cJSON_Delete(s->cj);
			s->cj = fresh;
			s->ns = k8c_jstr(fresh, "metadata.namespace") ?: "";
			s->name = k8c_jstr(fresh, "metadata.name") ?: "";
			if (active_index(s, "uid", uid) >= 0)
				continue;
			event(s, "Warning", "UnexpectedJob",
			      "Saw a job that the controller did not create or forgot: %s",
			      k8c_jstr(job, "metadata.name") ?: "");
		} else if (found && fin != NULL) {
			active_remove(s, uid);
			event(s, "Normal", "SawCompletedJob", "Saw completed job: %s, condition: %s",
			      k8c_jstr(job, "metadata.name") ?: "", fin);
		} else if (fin != NULL && strcmp(fin, "Complete") == 0) {
			const char *ct = k8c_jstr(job, "status.completionTime");
			const char *last = k8c_jstr(s->cj, "status.lastSuccessfulTime");
			int64_t a, b;
			if (ct != NULL && (last == NULL || (k8c_time_parse(ct, &a, NULL) == 0 &&
			                                    k8c_time_parse(last, &b, NULL) == 0 && a > b)))
				set_time(s, "lastSuccessfulTime", ct);
		}
	}
	/* active Jobs that are gone */
	for (r = cJSON_GetArrayItem(k8c_jget(s->cj, "status.active"), 0); r != NULL;) {
		const char *uid = k8c_jstr(r, "uid") ?: "";
		cJSON *next = r->next;
		int seen = 0;
		cJSON_ArrayForEach(job, s->jobs)
			seen |= str_is(job, "metadata.uid", uid);
		if (!seen) {
			_cleanup_free_ char *path = job_path(s, k8c_jstr(r, "name") ?: "");
			if (request(s->c, "GET", path, NULL, NULL, err) < 0) {
				if (err->code != K8C_ENOTFOUND)
					return -1;
				event(s, "Normal", "MissingJob", "Active job went missing: %s",
				      k8c_jstr(r, "name") ?: "");
				_cleanup_free_ char *u = k8c_xstrdup(uid);
				active_remove(s, u);
			}
		}
		r = next;
	}
	return 0;
}

/* mostRecentScheduleTime: *recent the latest activation <= now after the
 * last schedule (0: none); *missed how many were missed (approximately). */
static int most_recent(cj_sync_t *s, const cron_schedule_t *sched, int with_deadline,
                       int64_t *earliest, int64_t *recent, int64_t *missed, char **err)
{
	const cJSON *sds = k8c_jget(s->cj, "spec.startingDeadlineSeconds");
	const char *last = k8c_jstr(s->cj, "status.lastScheduleTime");
	int64_t now = s->now_ns / 1000000000LL, t1, t2, ns = 0, diff, n, from;

	*recent = 0;
	*missed = 0;
	k8c_time_parse(last ? last : k8c_jstr(s->cj, "metadata.creationTimestamp") ?: "", &ns, NULL);
	*earliest = ns / 1000000000LL;
	if (with_deadline && cJSON_IsNumber(sds) && now - (int64_t)sds->valuedouble > *earliest)
		*earliest = now - (int64_t)sds->valuedouble;
	t1 = cron_schedule_next(sched, *earliest);
	t2 = t1 ? cron_schedule_next(sched, t1) : 0;
	if (t1 == 0 || s->now_ns < t1 * 1000000000LL)
		return 0;
	if (t2 == 0 || s->now_ns < t2 * 1000000000LL) {
		*recent = t1;
		return 0;
	}
	diff = t2 - t1;
	if (diff < 1) {
		*err = k8c_xstrdup("time difference between two schedules is less than 1 second");
		return -1;
	}
	n = (now - t1) / diff + 1;
	*missed = n;
	/* the latest activation: from kube's potentialEarliest, t1 + (n-2)
	 * intervals (one more back for schedules of uneven intervals), which
	 * keeps @every on its own grid; else from t1 */
	from = t1 + (n - 2) * diff;
	for (int pass = 0; pass < 2 && *recent == 0; pass++) {
		int64_t t = pass == 0 ? cron_schedule_next(sched, from) : t1;
		for (; t != 0 && t <= now; t = cron_schedule_next(sched, t))
			*recent = t;
	}
	return 0;
}

/* nextScheduleTimeDuration, in ms (0: never). */
static int64_t next_delay(cj_sync_t *s, const cron_schedule_t *sched)
{
	int64_t earliest, recent, missed, next, base, now = s->now_ns / 1000000000LL;
	char *err = NULL;

	if (most_recent(s, sched, 0, &earliest, &recent, &missed, &err) < 0) {
		free(err);
		base = now;
	} else if (recent == 0) {
		base = missed == 0 ? earliest : now;
	} else {
		base = recent;
	}
	next = cron_schedule_next(sched, base);
	if (next == 0)
		return 0;
	next = next * 1000 + NEXT_DELTA_MS - s->now_ns / 1000000;
	return next > 0 ? next : 1;
}

static cJSON *job_from_template(cj_sync_t *s, const cron_zone_t *zone, int64_t at)
{
	const cJSON *t = k8c_jget(s->cj, "spec.jobTemplate");
	cJSON *job = cJSON_CreateObject(), *md, *ann, *ref;
	char when[40];
	_cleanup_free_ char *name = k8c_xasprintf("%s-%lld", s->name, (long long)(at / 60));

	cJSON_AddStringToObject(job, "apiVersion", "batch/v1");
	cJSON_AddStringToObject(job, "kind", "Job");
	md = cJSON_AddObjectToObject(job, "metadata");
	cJSON_AddStringToObject(md, "name", name);
	cJSON_AddStringToObject(md, "namespace", s->ns);
	if (cJSON_IsObject(k8c_jget(t, "metadata.labels")))
		cJSON_AddItemToObject(md, "labels", cJSON_Duplicate(k8c_jget(t, "metadata.labels"), 1));
	ann = cJSON_IsObject(k8c_jget(t, "metadata.annotations"))
		      ? cJSON_Duplicate(k8c_jget(t, "metadata.annotations"), 1)
		      : cJSON_CreateObject();
	cJSON_DeleteItemFromObjectCaseSensitive(ann, SCHEDULED_ANNOTATION);
	/* in spec.timeZone, else UTC (kube: time.LoadLocation("")), not the
	 * process's zone the schedule runs in */
	if (k8c_jstr(s->cj, "spec.timeZone") != NULL)
		cron_zone_format(zone, at, when, sizeof(when));
	else
		k8c_time_format(at * 1000000000LL, when);
	cJSON_AddStringToObject(ann, SCHEDULED_ANNOTATION, when);
	cJSON_AddItemToObject(md, "annotations", ann);
	ref = cJSON_CreateObject();
	cJSON_AddStringToObject(ref, "apiVersion", "batch/v1");
	cJSON_AddStringToObject(ref, "kind", "CronJob");
	cJSON_AddStringToObject(ref, "name", s->name);
	cJSON_AddStringToObject(ref, "uid", s->uid);
	cJSON_AddBoolToObject(ref, "controller", 1);
	cJSON_AddBoolToObject(ref, "blockOwnerDeletion", 1);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(md, "ownerReferences"), ref);
	cJSON_AddItemToObject(job, "spec", cJSON_IsObject(k8c_jget(t, "spec"))
	                                           ? cJSON_Duplicate(k8c_jget(t, "spec"), 1)
	                                           : cJSON_CreateObject());
	return job;
}

/* Create the Job for at and record it (steps after the checks). */
static int start_job(cj_sync_t *s, const cron_zone_t *zone, int64_t at, k8c_error_t *err)
{
	_cleanup_json_ cJSON *req = job_from_template(s, zone, at), *out = NULL;
	_cleanup_free_ char *path = job_path(s, NULL);
	const char *jname = k8c_jstr(req, "metadata.name");
	char when[K8C_TIME_STRLEN];
	cJSON *ref;

	if (request(s->c, "POST", path, req, &out, err) < 0) {
		_cleanup_free_ char *jpath = job_path(s, jname);
		const cJSON *r;
		int ours = 0;
		if (err->code != K8C_EEXIST) {
			if (!(err->code == K8C_EPERM && strstr(err->message, "being terminated")))
				event(s, "Warning", "FailedCreate", "Error creating job: %s", err->message);
			return -1;
		}
		if (request(s->c, "GET", jpath, NULL, &out, err) < 0)
			return -1;
		cJSON_ArrayForEach(r, k8c_jget(out, "metadata.ownerReferences"))
			ours |= cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "controller")) &&
			        str_is(r, "uid", s->uid);
		if (!ours || active_index(s, "uid", k8c_jstr(out, "metadata.uid")) >= 0)
			return 0;
	} else {
		event(s, "Normal", "SuccessfulCreate", "Created job %s", k8c_jstr(out, "metadata.name") ?: "");
	}
	ref = cJSON_CreateObject();
	cJSON_AddStringToObject(ref, "kind", "Job");
	cJSON_AddStringToObject(ref, "namespace", s->ns);
	cJSON_AddStringToObject(ref, "name", k8c_jstr(out, "metadata.name") ?: "");
	cJSON_AddStringToObject(ref, "uid", k8c_jstr(out, "metadata.uid") ?: "");
	cJSON_AddStringToObject(ref, "apiVersion", "batch/v1");
	cJSON_AddStringToObject(ref, "resourceVersion", k8c_jstr(out, "metadata.resourceVersion") ?: "");
	cJSON_AddItemToArray(status_list(s, "active"), ref);
	set_time(s, "lastScheduleTime", k8c_time_format(at * 1000000000LL, when));
	return 0;
}

/* Steps 2-4: the schedule.  Returns ms to the next look (0: none). */
static int64_t schedule(cj_sync_t *s, k8c_error_t *err, int *failed)
{
	const cJSON *spec = k8c_jget(s->cj, "spec");
	const char *spec_s = k8c_jstr(spec, "schedule") ?: "", *tz = k8c_jstr(spec, "timeZone");
	const cJSON *sds = k8c_jget(spec, "startingDeadlineSeconds");
	cron_zone_t *zone = NULL;
	cron_schedule_t *sched = NULL;
	char *perr = NULL;
	int64_t at, earliest, missed, delay = 0;

	if (k8c_jget(s->cj, "metadata.deletionTimestamp") != NULL)
		return 0;
	if (tz != NULL && cron_zone_load(tz, &zone, &perr) < 0) {
		event(s, "Warning", "UnknownTimeZone", "invalid timeZone: \"%s\": %s", tz, perr);
		free(perr);
		return 0;
	}
	if (cJSON_IsTrue(k8c_jget(spec, "suspend")))
		goto out;
	if (strstr(spec_s, "TZ") != NULL)
		event(s, "Warning", "UnsupportedSchedule",
		      "CRON_TZ or TZ used in schedule \"%s\" is not officially supported, see "
		      "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more "
		      "details", spec_s);
	if (zone == NULL && cron_zone_load("Local", &zone, &perr) < 0) {
		free(perr);
		perr = NULL;
		cron_zone_load("UTC", &zone, &perr);
	}
	if (cron_schedule_parse(spec_s, zone, &sched, &perr) < 0) {
		event(s, "Warning", "UnparseableSchedule", "unparseable schedule: \"%s\" : %s", spec_s, perr);
		goto out;
	}
	if (most_recent(s, sched, 1, &earliest, &at, &missed, &perr) < 0) {
		event(s, "Warning", "InvalidSchedule", "invalid schedule: %s : %s", spec_s, perr);
		goto out;
	}
	delay = next_delay(s, sched);
	if (at == 0)
		goto out;
	if (missed > MANY_MISSED)
		event(s, "Warning", "TooManyMissedTimes",
		      "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or "
		      "check clock skew");
	/* (at + sds) s < now, in seconds: sds in ns could overflow */
	if (cJSON_IsNumber(sds) && (int64_t)sds->valuedouble <= (s->now_ns - 1) / 1000000000LL - at) {
		char when[64];
		time_t tt = (time_t)at;
		struct tm tm;
		gmtime_r(&tt, &tm);
		strftime(when, sizeof(when), "%a, %d %b %Y %H:%M:%S +0000", &tm);
		event(s, "Warning", "MissSchedule", "Missed scheduled time to start a job: %s", when);
		goto out;
	}
	{
		_cleanup_free_ char *jname = k8c_xasprintf("%s-%lld", s->name, (long long)(at / 60));
		const char *last = k8c_jstr(s->cj, "status.lastScheduleTime");
		int64_t last_ns = -1;
		if (last != NULL)
			k8c_time_parse(last, &last_ns, NULL);
		if (active_index(s, "name", jname) >= 0 || last_ns == at * 1000000000LL)
			goto out;
	}
	if (str_is(spec, "concurrencyPolicy", "Forbid") &&
	    cJSON_GetArraySize(k8c_jget(s->cj, "status.active")) > 0) {
		event(s, "Normal", "JobAlreadyActive",
		      "Not starting job because prior execution is running and concurrency policy is Forbid");
		goto out;
	}
	if (str_is(spec, "concurrencyPolicy", "Replace")) {
		_cleanup_json_ cJSON *act = cJSON_Duplicate(k8c_jget(s->cj, "status.active"), 1);
		const cJSON *r;
		cJSON_ArrayForEach(r, act) {
			_cleanup_free_ char *path = job_path(s, k8c_jstr(r, "name") ?: "");
			_cleanup_json_ cJSON *job = NULL;
			if (request(s->c, "GET", path, NULL, &job, err) < 0) {
				event(s, "Warning", "FailedGet", "Get job: %s", err->message);
				*failed = 1;
				goto out;
			}
			if (delete_job(s, job, err) < 0) {
				*failed = 1;
				goto out;
			}
		}
	}
	if (start_job(s, zone, at, err) < 0)
		*failed = 1;
out:
	free(perr);
	cron_schedule_free(sched);
	cron_zone_free(zone);
	return delay;
}

/* cleanupFinishedJobs: the oldest (by startTime, then name) beyond the limits. */
static int by_start(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	const char *sx = k8c_jstr(x, "status.startTime"), *sy = k8c_jstr(y, "status.startTime");
	int c;

	if (sx == NULL || sy == NULL)
		return (sx == NULL) - (sy == NULL);
	if ((c = strcmp(sx, sy)) != 0)
		return c;
	return strcmp(k8c_jstr(x, "metadata.name") ?: "", k8c_jstr(y, "metadata.name") ?: "");
}

static int cleanup_finished(cj_sync_t *s, k8c_error_t *err)
{
	static const char *const kinds[] = {"Complete", "Failed"};
	static const char *const limits[] = {"spec.successfulJobsHistoryLimit", "spec.failedJobsHistoryLimit"};
	size_t n_jobs = (size_t)cJSON_GetArraySize(s->jobs);
	_cleanup_free_ const cJSON **list = k8c_xcalloc(n_jobs + 1, sizeof(*list));
	int ret = 0;

	for (int k = 0; k < 2; k++) {
		const cJSON *lim = k8c_jget(s->cj, limits[k]), *job;
		size_t n = 0;
		if (!cJSON_IsNumber(lim))
			continue;
		cJSON_ArrayForEach(job, s->jobs) {
			const char *f = finished_type(job);
			if (f != NULL && strcmp(f, kinds[k]) == 0)
				list[n++] = job;
		}
		if ((int64_t)n <= (int64_t)lim->valuedouble)
			continue;
		if (n > 1)
			qsort(list, n, sizeof(*list), by_start);
		for (size_t i = 0; i < n - (size_t)lim->valuedouble; i++)
			if (delete_job(s, list[i], err) < 0)
				ret = -1;
	}
	return ret;
}

static int cj_reconcile(void *cookie, const char *key, k8c_error_t *err)
{
	cj_ctl_t *c = cookie;
	const k8c_controller_host_t *ch = c->ch;
	cj_sync_t s = {.c = c};
	int failed = 0;
	int64_t delay = 0;

	s.now_ns = c->host->now_ns(c->host->ctx);
	s.cj = ch->get(ch->ctx, WATCH_CRONJOBS, key);
	if (s.cj == NULL)
		return K8C_RECONCILE_DONE;
	s.ns = k8c_jstr(s.cj, "metadata.namespace");
	s.name = k8c_jstr(s.cj, "metadata.name");
	s.uid = k8c_jstr(s.cj, "metadata.uid");
	if (s.ns == NULL || s.name == NULL || s.uid == NULL) {
		cJSON_Delete(s.cj);
		return K8C_RECONCILE_DONE;
	}
	s.uid = k8c_xstrdup(s.uid); /* s.cj may be replaced by a fresh copy */
	s.jobs = cJSON_CreateArray();
	ch->list(ch->ctx, WATCH_JOBS, s.ns, s.uid, copy_controlled, &s);
	if (reconcile_active(&s, err) < 0)
		failed = 1;
	else
		delay = schedule(&s, err, &failed);
	if (!failed && cleanup_finished(&s, err) < 0)
		failed = 1;
	if (s.update) {
		_cleanup_free_ char *path = k8c_xasprintf("/apis/batch/v1/namespaces/%s/cronjobs/%s/status",
		                                          s.ns, s.name);
		k8c_error_t e2;
		if (request(c, "PUT", path, s.cj, NULL, failed ? &e2 : err) < 0 && !failed)
			failed = 1;
	}
	cJSON_Delete(s.cj);
	cJSON_Delete(s.jobs);
	free((char *)s.uid);
	if (failed)
		return -1;
	return delay > 0 ? (int)(delay > INT_MAX ? INT_MAX : delay) : K8C_RECONCILE_DONE;
}

static int cj_init(const k8c_host_t *host, const cJSON *config, void **cookie, k8c_error_t *err)
{
	cj_ctl_t *c;

	(void)config;
	if (!K8C_HAS_MEMBER(host->struct_size, k8c_host_t, controller) || host->controller == NULL ||
	    host->client == NULL)
		return k8c_error_make(err, K8C_EINVAL, "the cronjob controller runs in the controller manager");
	c = k8c_xcalloc(1, sizeof(*c));
	c->host = host;
	c->ch = host->controller;
	*cookie = c;
	return 0;
}

static void cj_fini(void *cookie)
{
	free(cookie);
}

static const k8c_controller_ops_t cj_ops = {
	.struct_size = sizeof(k8c_controller_ops_t),
	.watches = cj_watches,
	.n_watches = sizeof(cj_watches) / sizeof(cj_watches[0]),
	.workers = 5, /* kube's --concurrent-cron-job-syncs */
	.event_component = "cronjob-controller",
	.reconcile = cj_reconcile,
};

K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
	K8C_PLUGIN_HEADER(K8C_PLUGIN_CONTROLLER),
	.name = "cronjob",
	.version = PACKAGE_VERSION,
	.description = "CronJob controller: creates Jobs on a cron schedule",
	.init = cj_init,
	.fini = cj_fini,
	.ops = &cj_ops,
};
