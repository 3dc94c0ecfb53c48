/* The Deployment controller's steps after the new ReplicaSet is known, as
 * kube-controller-manager's rolling.go, recreate.go and sync.go:
 * proportional scaling (paused or resized deployments), the rolling update
 * within maxSurge/maxUnavailable, Recreate (old pods gone before new ones
 * start), revisionHistoryLimit cleanup, the status and its conditions. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/json_path.h"
#include "common/mem.h"
#include "dep.h"
#include "dep_status.h"
#include "dep_util.h"

static long sum_of(const dep_rsv_t *l, const char *path)
{
	long n = 0;

	for (size_t i = 0; i < l->n; i++)
		n += dep_jlong(l->v[i], path, 0);
	return n;
}

/* The available pods a rolling update may count on in rs: its status, but
 * never more than it is scaled to.  Right after a scale-down the status
 * still counts the pods the ReplicaSet is about to delete; counting them
 * (as kube does) let a second sync scale an old set down past
 * maxUnavailable (seen under load: 2 available of 4 with maxUnavailable
 * 1). */
static long usable_available(const cJSON *rs)
{
	long avail = dep_jlong(rs, "status.availableReplicas", 0), want = dep_replicas(rs);

	return avail < want ? avail : want;
}

static long sum_usable_available(const dep_rsv_t *l)
{
	long n = 0;

	for (size_t i = 0; i < l->n; i++)
		n += usable_available(l->v[i]);
	return n;
}

/* FilterActiveReplicaSets: the ones with replicas > 0. */
static void active_of(const dep_rsv_t *in, cJSON *also, dep_rsv_t *out)
{
	out->n = 0;
	for (size_t i = 0; i < in->n; i++)
		if (dep_replicas(in->v[i]) > 0)
			dep_rsv_push(out, in->v[i]);
	if (also != NULL && dep_replicas(also) > 0)
		dep_rsv_push(out, also);
}

static void all_of(const dep_rsv_t *old, cJSON *new_rs, dep_rsv_t *out)
{
	out->n = 0;
	for (size_t i = 0; i < old->n; i++)
		dep_rsv_push(out, old->v[i]);
	if (new_rs != NULL)
		dep_rsv_push(out, new_rs);
}

static void set_status(dep_sync_t *s, cJSON *st)
{
	cJSON_DeleteItemFromObjectCaseSensitive(s->d, "status");
	cJSON_AddItemToObject(s->d, "status", st);
}

/* syncDeploymentStatus: the counts, without touching Progressing. */
static int sync_status(dep_sync_t *s, const dep_rsv_t *all, cJSON *new_rs, k8c_error_t *err)
{
	cJSON *st = dep_status_calculate(s->d, all->v, all->n, new_rs, s->now_ns);

	if (dep_semantic_equal(st, k8c_jget(s->d, "status"))) {
		cJSON_Delete(st);
		return 0;
	}
	set_status(s, st);
	return dep_status_update(s, err);
}

/* syncRolloutStatus: the counts and the Progressing condition; when
 * nothing changed, come back when the progress deadline passes. */
static int rollout_status(dep_sync_t *s, const dep_rsv_t *all, cJSON *new_rs, k8c_error_t *err)
{
	cJSON *st = dep_status_calculate(s->d, all->v, all->n, new_rs, s->now_ns);

	dep_rollout_conditions(s->d, st, all->v, all->n, new_rs, s->now_ns);
	if (dep_semantic_equal(st, k8c_jget(s->d, "status"))) {
		int64_t after = dep_stuck_requeue_ms(s->d, st, s->now_ns);
		if (after > 0 && (s->requeue_ms <= 0 || after < s->requeue_ms))
			s->requeue_ms = after;
		cJSON_Delete(st);
		return 0;
	}
	set_status(s, st);
	return dep_status_update(s, err);
}

/* cleanupDeployment: keep revisionHistoryLimit old ReplicaSets, deleting
 * the oldest revisions that have no pods left. */
static int cleanup(dep_sync_t *s, const dep_rsv_t *old, k8c_error_t *err)
{
	const cJSON *lim = k8c_jget(s->d, "spec.revisionHistoryLimit");
	dep_rsv_t alive = {0};
	long diff;
	int ret = 0;

	if (!cJSON_IsNumber(lim))
		return 0;
	for (size_t i = 0; i < old->n; i++)
		if (k8c_jget(old->v[i], "metadata.deletionTimestamp") == NULL)
			dep_rsv_push(&alive, old->v[i]);
	diff = (long)alive.n - (long)lim->valuedouble;
	if (diff > 0)
		qsort(alive.v, alive.n, sizeof(*alive.v), dep_cmp_revision);
	for (long i = 0; i < diff && ret == 0; i++) {
		cJSON *rs = alive.v[i];
		_cleanup_free_ char *path = NULL;
		if (dep_jlong(rs, "status.replicas", 0) != 0 || dep_replicas(rs) != 0 ||
		    dep_jlong(rs, "metadata.generation", 0) > dep_jlong(rs, "status.observedGeneration", 0))
			continue;
		path = k8c_xasprintf("/apis/apps/v1/namespaces/%s/replicasets/%s", s->ns,
		                     k8c_jstr(rs, "metadata.name"));
		DLOG(s, K8C_LOG_DEBUG, "deployment %s/%s: deleting old replica set %s", s->ns, s->name,
		     k8c_jstr(rs, "metadata.name"));
		ret = s->ctl->host->client->request(s->ctl->host->client_ctx, "DELETE", path, NULL, NULL,
		                                    NULL, err);
		if (ret < 0 && err->code == K8C_ENOTFOUND)
			ret = 0;
	}
	dep_rsv_free(&alive);
	return ret;
}

/* FindActiveOrLatest: the one active ReplicaSet, the newest when none is
 * active, NULL when several are. */
static cJSON *active_or_latest(cJSON *new_rs, const dep_rsv_t *old)
{
	dep_rsv_t act = {0};
	cJSON *r = NULL;

	if (new_rs == NULL && old->n == 0)
		return NULL;
	active_of(old, new_rs, &act);
	if (act.n == 1) {
		r = act.v[0];
	} else if (act.n == 0 && (r = new_rs) == NULL) {
		for (size_t i = 0; i < old->n; i++) /* the newest old one */
			if (r == NULL || dep_cmp_created(&old->v[i], &r) > 0)
				r = old->v[i];
	}
	dep_rsv_free(&act);
	return r;
}

static int saturated(const cJSON *d, const cJSON *rs)
{
	const char *a;
	char *end;
	long want = dep_replicas(d), desired;

	if (rs == NULL || (a = dep_annotation(rs, DEP_ANN_DESIRED)) == NULL)
		return 0;
	desired = strtol(a, &end, 10);
	if (*a == '\0' || *end != '\0')
		return 0;
	return dep_replicas(rs) == want && desired == want &&
	       dep_jlong(rs, "status.availableReplicas", 0) == want;
}

/* scale(): a Deployment resized while paused or mid-rollout. */
static int scale(dep_sync_t *s, cJSON *new_rs, const dep_rsv_t *old, k8c_error_t *err)
{
	long want = dep_replicas(s->d), to_add;
	cJSON *one = active_or_latest(new_rs, old);
	dep_rsv_t act = {0};
	dep_prop_t *p;
	const char *op = "";
	int scaled, ret = 0;

	if (one != NULL)
		return dep_replicas(one) == want ? 0 : dep_scale_rs_event(s, one, want, &scaled, err);
	if (saturated(s->d, new_rs)) {
		active_of(old, NULL, &act);
		for (size_t i = 0; i < act.n && ret == 0; i++)
			ret = dep_scale_rs_event(s, act.v[i], 0, &scaled, err);
		dep_rsv_free(&act);
		return ret;
	}
	if (!dep_is_rolling(s->d))
		return 0;
	active_of(old, new_rs, &act);
	to_add = (want > 0 ? want + dep_max_surge(s->d) : 0) - dep_sum_replicas(&act);
	if (to_add > 0) {
		qsort(act.v, act.n, sizeof(*act.v), dep_cmp_size_newer);
		op = "up";
	} else if (to_add < 0) {
		if (act.n > 1)
			qsort(act.v, act.n, sizeof(*act.v), dep_cmp_size_older);
		op = "down";
	}
	p = k8c_xcalloc(act.n + 1, sizeof(*p));
	for (size_t i = 0; i < act.n; i++) {
		p[i].replicas = dep_replicas(act.v[i]);
		p[i].annotated_max = dep_annotated_max(act.v[i]);
	}
	dep_proportional(p, act.n, to_add, want, dep_max_surge(s->d),
	                 dep_jlong(s->d, "status.replicas", 0));
	for (size_t i = 0; i < act.n && ret == 0; i++)
		ret = dep_scale_rs(s, act.v[i], p[i].size, op, &scaled, err);
	free(p);
	dep_rsv_free(&act);
	return ret;
}

/* sync() with scaling, syncStatusOnly() without. */
static int sync_with(dep_sync_t *s, int scaling, k8c_error_t *err)
{
	dep_rsv_t old = {0}, all = {0};
	cJSON *new_rs;
	int ret;

	if ((ret = dep_new_and_old(s, 0, &new_rs, &old, err)) == 0 &&
	    (!scaling || (ret = scale(s, new_rs, &old, err)) == 0) &&
	    (!scaling || !cJSON_IsTrue(k8c_jget(s->d, "spec.paused")) ||
	     (ret = cleanup(s, &old, err)) == 0)) {
		all_of(&old, new_rs, &all);
		ret = sync_status(s, &all, new_rs, err);
	}
	dep_rsv_free(&old);
	dep_rsv_free(&all);
	return ret;
}

int dep_sync_scale(dep_sync_t *s, k8c_error_t *err)
{
	return sync_with(s, 1, err);
}

int dep_sync_status_only(dep_sync_t *s, k8c_error_t *err)
{
	return sync_with(s, 0, err);
}

int dep_scaling_event(dep_sync_t *s, int *yes, k8c_error_t *err)
{
	dep_rsv_t old = {0}, act = {0};
	cJSON *new_rs;
	int ret;

	*yes = 0;
	if ((ret = dep_new_and_old(s, 0, &new_rs, &old, err)) == 0) {
		active_of(&old, new_rs, &act);
		for (size_t i = 0; i < act.n && !*yes; i++) {
			const char *a = dep_annotation(act.v[i], DEP_ANN_DESIRED);
			char *end;
			long v;
			if (a == NULL || *a == '\0')
				continue;
			v = strtol(a, &end, 10);
			if (*end == '\0' && v != dep_replicas(s->d))
				*yes = 1;
		}
	}
	dep_rsv_free(&old);
	dep_rsv_free(&act);
	return ret;
}

/* --- RollingUpdate ------------------------------------------------------- */

/* Scale old ReplicaSets down, oldest first, by want in all: each gives
 * all its replicas, or with unhealthy only its unavailable ones
 * (cleanupUnhealthyReplicas, then scaleDownOldReplicaSetsForRollingUpdate). */
static int scale_down_oldest(dep_sync_t *s, dep_rsv_t *old, long want, int unhealthy,
                             long *done, k8c_error_t *err)
{
	int scaled, ret;

	*done = 0;
	if (old->n > 1)
		qsort(old->v, old->n, sizeof(*old->v), dep_cmp_created);
	for (size_t i = 0; i < old->n && *done < want; i++) {
		long r = dep_replicas(old->v[i]), down = r;
		if (unhealthy)
			down -= usable_available(old->v[i]);
		if (r == 0 || down <= 0)
			continue;
		if (down > want - *done)
			down = want - *done;
		if ((ret = dep_scale_rs_event(s, old->v[i], r - down, &scaled, err)) < 0)
			return ret;
		*done += down;
	}
	return 0;
}

/* reconcileOldReplicaSets */
static int reconcile_old(dep_sync_t *s, const dep_rsv_t *all_in, dep_rsv_t *old, cJSON *new_rs,
                         int *scaled, k8c_error_t *err)
{
	long min_avail = dep_replicas(s->d) - dep_max_unavailable(s->d);
	long new_unavail = dep_replicas(new_rs) - usable_available(new_rs);
	long max_down, cleaned = 0, down = 0, avail;
	dep_rsv_t all = {0};
	int ret;

	*scaled = 0;
	if (dep_sum_replicas(old) == 0)
		return 0;
	max_down = dep_sum_replicas(all_in) - min_avail - new_unavail;
	if (max_down <= 0)
		return 0;
	/* unavailable pods of old sets first, then as availability allows */
	if ((ret = scale_down_oldest(s, old, max_down, 1, &cleaned, err)) < 0)
		return ret;
	all_of(old, new_rs, &all);
	avail = sum_usable_available(&all);
	if (avail > min_avail)
		ret = scale_down_oldest(s, old, avail - min_avail, 0, &down, err);
	dep_rsv_free(&all);
	*scaled = cleaned + down > 0;
	return ret;
}

/* reconcileNewReplicaSet: scale the new one up within maxSurge. */
static int reconcile_new(dep_sync_t *s, const dep_rsv_t *all, cJSON *new_rs, int *scaled,
                         k8c_error_t *err)
{
	long want = dep_replicas(s->d), cur = dep_replicas(new_rs), surge, total, n;

	*scaled = 0;
	if (cur == want)
		return 0;
	if (cur > want)
		return dep_scale_rs_event(s, new_rs, want, scaled, err);
	if (dep_scaled_value(k8c_jget(s->d, "spec.strategy.rollingUpdate.maxSurge"), want, 1,
	                     &surge) < 0)
		surge = 0;
	total = dep_sum_replicas(all);
	n = cur;
	if (total < want + surge) {
		n = cur + (want + surge - total);
		if (n > want)
			n = want;
	}
	return dep_scale_rs_event(s, new_rs, n, scaled, err);
}

/* The end of a rollout: old revisions cleaned up once the last sync saw
 * it complete, then the status. */
static int finish(dep_sync_t *s, const dep_rsv_t *old, const dep_rsv_t *all, cJSON *new_rs,
                  int may_clean, k8c_error_t *err)
{
	int ret;

	if (may_clean && dep_complete(s->d, k8c_jget(s->d, "status")) &&
	    (ret = cleanup(s, old, err)) < 0)
		return ret;
	return rollout_status(s, all, new_rs, err);
}

int dep_rollout_rolling(dep_sync_t *s, k8c_error_t *err)
{
	dep_rsv_t old = {0}, all = {0}, act = {0};
	cJSON *new_rs;
	int ret, scaled = 0;

	if ((ret = dep_new_and_old(s, 1, &new_rs, &old, err)) < 0)
		goto out;
	all_of(&old, new_rs, &all);
	if ((ret = reconcile_new(s, &all, new_rs, &scaled, err)) < 0)
		goto out;
	if (!scaled) {
		active_of(&old, NULL, &act);
		if ((ret = reconcile_old(s, &all, &act, new_rs, &scaled, err)) < 0)
			goto out;
	}
	ret = finish(s, &old, &all, new_rs, !scaled, err);
out:
	dep_rsv_free(&old);
	dep_rsv_free(&all);
	dep_rsv_free(&act);
	return ret;
}

/* --- Recreate ------------------------------------------------------------ */

typedef struct pods_arg {
	const char *rs_uid;
	int running;
} pods_arg_t;

static int count_running(void *arg, const cJSON *pod)
{
	pods_arg_t *a = arg;
	const char *uid = dep_controller_uid(pod, NULL, NULL), *phase;

	if (uid == NULL || strcmp(uid, a->rs_uid) != 0)
		return 0;
	phase = k8c_jstr(pod, "status.phase");
	if (phase != NULL && (strcmp(phase, "Succeeded") == 0 || strcmp(phase, "Failed") == 0))
		return 0;
	a->running = 1;
	return 1;
}

/* oldPodsRunning: any pod of an old ReplicaSet not yet finished (or gone). */
static int old_pods_running(dep_sync_t *s, const cJSON *new_rs, const dep_rsv_t *old)
{
	if (sum_of(old, "status.replicas") > 0)
		return 1;
	for (size_t i = 0; i < s->rs.n; i++) {
		pods_arg_t a = {k8c_jstr(s->rs.v[i], "metadata.uid"), 0};
		if (s->rs.v[i] == new_rs || a.rs_uid == NULL)
			continue;
		s->ctl->ch->list(s->ctl->ch->ctx, W_POD, s->ns, a.rs_uid, count_running, &a);
		if (a.running)
			return 1;
	}
	return 0;
}

int dep_rollout_recreate(dep_sync_t *s, k8c_error_t *err)
{
	dep_rsv_t old = {0}, all = {0}, act = {0};
	cJSON *new_rs;
	int ret, scaled, any = 0;

	if ((ret = dep_new_and_old(s, 0, &new_rs, &old, err)) < 0)
		goto out;
	all_of(&old, new_rs, &all);
	active_of(&old, NULL, &act);
	for (size_t i = 0; i < act.n; i++) {
		if ((ret = dep_scale_rs_event(s, act.v[i], 0, &scaled, err)) < 0)
			goto out;
		any |= scaled;
	}
	if (any || old_pods_running(s, new_rs, &old)) {
		ret = rollout_status(s, &all, new_rs, err);
		goto out;
	}
	if (new_rs == NULL) {
		if ((ret = dep_new_and_old(s, 1, &new_rs, &old, err)) < 0)
			goto out;
		all_of(&old, new_rs, &all);
	}
	if ((ret = dep_scale_rs_event(s, new_rs, dep_replicas(s->d), &scaled, err)) < 0)
		goto out;
	ret = finish(s, &old, &all, new_rs, 1, err);
out:
	dep_rsv_free(&old);
	dep_rsv_free(&all);
	dep_rsv_free(&act);
	return ret;
}

/* --- paused -------------------------------------------------------------- */

int dep_check_paused(dep_sync_t *s, k8c_error_t *err)
{
	const cJSON *cond = dep_condition(k8c_jget(s->d, "status"), "Progressing");
	const char *reason = k8c_jstr(cond, "reason");
	int paused = cJSON_IsTrue(k8c_jget(s->d, "spec.paused"));
	int was = reason != NULL && strcmp(reason, DEP_R_PAUSED) == 0;
	cJSON *st;

	if (!dep_has_progress_deadline(s->d) || (reason && strcmp(reason, DEP_R_TIMED_OUT) == 0))
		return 0;
	if (paused == was)
		return 0;
	st = cJSON_GetObjectItemCaseSensitive(s->d, "status");
	if (!cJSON_IsObject(st)) {
		cJSON_DeleteItemFromObjectCaseSensitive(s->d, "status");
		st = cJSON_AddObjectToObject(s->d, "status");
	}
	dep_condition_set(st, paused ? dep_condition_new("Progressing", "Unknown", DEP_R_PAUSED,
	                                                 "Deployment is paused", s->now_ns)
	                             : dep_condition_new("Progressing", "Unknown", DEP_R_RESUMED,
	                                                 "Deployment is resumed", s->now_ns));
	return dep_status_update(s, err);
}
