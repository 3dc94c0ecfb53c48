/* The Job controller (plugins/controller-job): shared between its files. */
#ifndef K8C_CONTROLLER_JOB_H
#define K8C_CONTROLLER_JOB_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <k8c/client.h>
#include <k8c/controller.h>

#include "common/strmap.h"

struct cJSON;

/* watches[] indexes */
#define JOB_WATCH_JOBS 0
#define JOB_WATCH_PODS 1

#define JOB_TRACKING_FINALIZER "batch.kubernetes.io/job-tracking"
#define JOB_INDEX_ANNOTATION "batch.kubernetes.io/job-completion-index"
#define JOB_INDEX_FAILURES_ANNOTATION "batch.kubernetes.io/job-index-failure-count"
#define JOB_INDEX_IGNORED_ANNOTATION "batch.kubernetes.io/job-index-ignored-failure-count"
#define JOB_MAX_CREATE_DELETE 500 /* kube's MaxPodCreateDeletePerSync */

typedef struct job_ctl {
	const k8c_host_t *host;          /* borrowed until fini */
	const k8c_controller_host_t *ch; /* host->controller */
	pthread_mutex_t mu;              /* guards rm_expected, gone_uid */
	k8c_strmap_t rm_expected;        /* pod uid -> (void *)1: finalizer removal sent, not yet seen */
	k8c_strmap_t gone_uid;           /* Job key -> its (last known) uid, owned: for orphan pods */
} job_ctl_t;

/* Sets of completion indexes as sorted, disjoint [first, last] intervals
 * ("1,3-5" in status.completedIndexes). */
typedef struct job_ranges {
	int64_t (*r)[2]; /* owned */
	size_t n, cap;
} job_ranges_t;

void job_ranges_parse(job_ranges_t *s, const char *text);
void job_ranges_add(job_ranges_t *s, int64_t i);
/* Add [a, b]: an append when it comes after every range (parsing sorted
 * text), else a binary search and one merge. */
void job_ranges_add_range(job_ranges_t *s, int64_t a, int64_t b);
/* Add the n indexes of v (sorted in place) with one merged walk. */
void job_ranges_add_many(job_ranges_t *s, int64_t *v, size_t n);
int job_ranges_has(const job_ranges_t *s, int64_t i); /* binary search */
int64_t job_ranges_total(const job_ranges_t *s);
char *job_ranges_format(const job_ranges_t *s); /* caller frees */
void job_ranges_free(job_ranges_t *s);

/* A condition to set: type, reason, message (static strings or owned by the sync). */
typedef struct job_cond {
	const char *type; /* static */
	char reason[64];
	char message[512];
} job_cond_t;

/* One sync of one Job (job.c, job_pods.c, job_status.c). */
typedef struct job_sync {
	job_ctl_t *c;                /* borrowed */
	const char *key;             /* borrowed */
	struct cJSON *job;           /* the cached Job (copy, owned; status is edited in place) */
	const char *ns, *name, *uid; /* inside job: refreshed after each status write */
	struct cJSON *pods;          /* copies of the pods it controls (owned) */
	int indexed, per_index;      /* Indexed mode; backoffLimitPerIndex set */
	int64_t completions;         /* -1: not set */
	int64_t now_ns;
	int64_t active, ready, terminating;
	int64_t succeeded, failed;   /* counted + uncounted + new */
	job_ranges_t done_prev, done; /* succeeded indexes in status / with the pods */
	job_ranges_t failed_idx;     /* failed indexes (backoffLimitPerIndex) */
	int has_finished;            /* finished is set */
	job_cond_t finished;         /* FailureTarget/Failed/SuccessCriteriaMet/Complete */
	int64_t requeue_ms;          /* > 0: sync again after this */
	struct job_last_fail *last_fail; /* backoffLimitPerIndex: last failed pod per index, by index (owned) */
	size_t n_last_fail;
} job_sync_t;

/* The last failed pod of an index (kube's lastFailedPod). */
typedef struct job_last_fail {
	int64_t ix, finish_ns;
	const struct cJSON *pod; /* in job_sync_t.pods */
} job_last_fail_t;

int job_request(job_ctl_t *c, const char *method, const char *path, const struct cJSON *body,
                const char *ctype, struct cJSON **out, k8c_error_t *err);

/* --- job_pods.c --------------------------------------------------------------- */

int job_pod_phase_is(const struct cJSON *pod, const char *phase);
int job_pod_terminal(const struct cJSON *pod);
int job_pod_active(const struct cJSON *pod);
int job_pod_ready(const struct cJSON *pod);
int job_pod_has_finalizer(const struct cJSON *pod);
/* The pod's completion index, or -1. */
int64_t job_pod_index(const struct cJSON *pod);
/* A numeric annotation of the pod (0 when absent or not a number). */
int64_t job_pod_count_annotation(const struct cJSON *pod, const char *name);
/* backoffLimitPerIndex: the failure counts a replacement of the index's
 * last failed pod gets (getNewIndexFailureCounts): the last one's
 * job-index-failure-count + 1 when its failure counts, else its
 * ignored-failure-count + 1.  Both 0 when the index never failed. */
void job_index_failure_counts(const job_sync_t *s, int64_t ix, int64_t *failures, int64_t *ignored);
/* isIndexFailed: pod failed with FailIndex, or its counted failure
 * reached backoffLimitPerIndex. */
int job_pod_index_failed(const job_sync_t *s, const struct cJSON *pod);
/* The ms left of an index's backoff (10 s doubling per failure of the
 * index, at most 6 min, from its last failed pod's finish); 0: none. */
int64_t job_index_backoff_ms(const job_sync_t *s, int64_t ix);
/* Fill s->last_fail from s->pods. */
void job_index_last_failures(job_sync_t *s);
/* isPodFailed: Failed, or (without podFailurePolicy and unless only
 * failed pods are replaced) being deleted without having succeeded. */
int job_pod_failed(const job_sync_t *s, const struct cJSON *pod);
/* When the pod finished (ns): its containers' finishedAt, else its
 * deletion, else now. */
int64_t job_pod_finish_ns(const job_sync_t *s, const struct cJSON *pod);

/* matchPodFailurePolicy: the matching rule's action ("FailJob", "Ignore",
 * "Count", "FailIndex") or NULL; *count whether the failure counts against
 * the backoff limit; msg (size 512) gets the FailJob message. */
const char *job_pod_failure_policy(const job_sync_t *s, const struct cJSON *pod, int *count,
                                   char *msg);

/* manageJob: create or delete pods toward parallelism/completions, or
 * delete every active pod of a suspended Job.  Returns < 0 on an API error
 * (after doing what it could). */
int job_manage(job_sync_t *s, k8c_error_t *err);
/* Delete the active pods (finished Job), keeping their finalizers.
 * Returns how many were deleted. */
int64_t job_delete_active(job_sync_t *s, k8c_error_t *err);
/* Remove our finalizer from pod; 0 also when the pod is gone. */
int job_remove_finalizer(job_ctl_t *c, const struct cJSON *pod, k8c_error_t *err);

/* --- job_status.c -------------------------------------------------------------- */

/* ensureJobConditionStatus on s->job: returns 1 when something changed. */
int job_set_condition(job_sync_t *s, const char *type, const char *status, const char *reason,
                      const char *message);
/* The condition of that type with status True, or NULL. */
const struct cJSON *job_condition_true(const struct cJSON *job, const char *type);
/* Write s->job's status (PUT .../status); s->job becomes the answer. */
int job_flush_status(job_sync_t *s, k8c_error_t *err);
/* trackJobStatusAndRemoveFinalizers. */
int job_track_status(job_sync_t *s, int needs_flush, k8c_error_t *err);

#endif
