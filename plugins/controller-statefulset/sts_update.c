/* The StatefulSet update algorithm (Kubernetes 1.32's updateStatefulSet):
 * the pods of ordinals [start, start + replicas) are kept, the others
 * condemned; missing pods are created (OrderedReady: one at a time, each
 * only once its predecessors are Running and Ready; Parallel: all at once),
 * failed pods recreated, condemned pods deleted from the highest ordinal,
 * then RollingUpdate deletes the highest pod not at the update revision
 * down to the partition, one at a time, waiting for each to be healthy. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/json_path.h"
#include "common/mem.h"
#include "sts.h"

typedef struct plan {
	sts_ctl_t *c;
	const char *key;
	const cJSON *set;
	const sts_history_t *h;
	int monotonic, start, n_rep;
	int64_t min_ready, now_ns;
	cJSON **rep;  /* n_rep, borrowed from pods or from made */
	cJSON **cond; /* n_cond, borrowed from pods, highest ordinal first */
	size_t n_cond;
	cJSON **made; /* pods built here (owned) */
	size_t n_made;
	cJSON *first_unhealthy;
	int counted; /* the rolling update counted (and adjusted) the status */
} plan_t;

static int desc_ordinal(const void *a, const void *b)
{
	int oa = sts_ordinal(k8c_jstr(*(cJSON *const *)a, "metadata.name"), NULL);
	int ob = sts_ordinal(k8c_jstr(*(cJSON *const *)b, "metadata.name"), NULL);

	return oa > ob ? -1 : oa < ob;
}

static const char *strategy(const cJSON *set)
{
	return k8c_jstr(set, "spec.updateStrategy.type") ?: "RollingUpdate";
}

/* newVersionedStatefulSetPod: below the partition a new pod is made at the
 * current revision, else at the update revision. */
static cJSON *versioned_pod(plan_t *p, int ordinal)
{
	const cJSON *ru = k8c_jget(p->set, "spec.updateStrategy.rollingUpdate");
	const cJSON *rev = p->h->update;
	const cJSON *tmpl;
	cJSON *pod;
	int current = 0;

	if (cJSON_IsObject(ru))
		current = ordinal < p->start + (int)sts_jint(ru, "partition", 0);
	else if (strcmp(strategy(p->set), "RollingUpdate") == 0)
		current = ordinal < p->start + (int)sts_jint(p->set, "status.currentReplicas", 0);
	if (current)
		rev = p->h->current;
	tmpl = sts_revision_template(rev);
	pod = sts_new_pod(p->set, tmpl ? tmpl : k8c_jget(p->set, "spec.template"), ordinal,
	                  k8c_jstr(rev, "metadata.name"));
	p->made = k8c_xrealloc(p->made, (p->n_made + 1) * sizeof(*p->made));
	p->made[p->n_made++] = pod;
	return pod;
}

/* processReplica: 1 to stop this pass, 0 to go on, < 0 error. */
static int process_replica(plan_t *p, int i, k8c_error_t *err)
{
	const cJSON *set = p->set;
	const char *ns = k8c_jstr(set, "metadata.namespace") ?: "default";
	const char *sn = k8c_jstr(set, "metadata.name") ?: "";
	int has_claims = cJSON_GetArraySize(k8c_jget(set, "spec.volumeClaimTemplates")) > 0;
	int ret;

	if (sts_pod_failed(p->rep[i]) || sts_pod_succeeded(p->rep[i])) {
		const char *pn = k8c_jstr(p->rep[i], "metadata.name") ?: "";
		if (sts_pod_failed(p->rep[i]))
			p->c->ch->event(
			    p->c->ch->ctx, STS_W_SETS, set, "Warning", "RecreatingFailedPod",
			    "StatefulSet %s/%s is recreating failed Pod %s", ns, sn, pn);
		else
			p->c->ch->event(
			    p->c->ch->ctx, STS_W_SETS, set, "Normal", "RecreatingTerminatedPod",
			    "StatefulSet %s/%s is recreating terminated Pod %s", ns, sn, pn);
		if ((ret = sts_delete_pod(p->c, p->key, set, p->rep[i], err)) < 0)
			return ret;
		p->rep[i] = versioned_pod(p, i + p->start);
	}
	if (!sts_pod_created(p->rep[i])) {
		if (has_claims && sts_claims_stale(p->c, set, p->rep[i]))
			return 1; /* wait for the old claims to go */
		if ((ret = sts_create_pod(p->c, p->key, set, p->rep[i], err)) < 0)
			return ret;
		return p->monotonic;
	}
	if (has_claims && sts_pod_pending(p->rep[i]) &&
	    (ret = sts_create_claims(p->c, set, p->rep[i], err)) < 0)
		return ret;
	if (sts_is_terminating(p->rep[i]) && p->monotonic)
		return 1;
	if (!sts_pod_available(p->rep[i], p->min_ready, p->now_ns) && p->monotonic)
		return 1;
	if (has_claims && (ret = sts_fix_claim_owners(p->c, set, p->rep[i], err)) < 0)
		return ret;
	if (!sts_identity_matches(set, p->rep[i]) || !sts_storage_matches(set, p->rep[i]))
		if ((ret = sts_update_pod_identity(p->c, set, p->rep[i], err)) < 0)
			return ret;
	return 0;
}

/* processCondemned */
static int process_condemned(plan_t *p, size_t i, k8c_error_t *err)
{
	int ret;

	if (sts_is_terminating(p->cond[i]))
		return p->monotonic;
	if (!sts_pod_available(p->cond[i], p->min_ready, p->now_ns) && p->monotonic &&
	    p->cond[i] != p->first_unhealthy)
		return 1;
	if ((ret = sts_delete_pod(p->c, p->key, p->set, p->cond[i], err)) < 0)
		return ret;
	return p->monotonic;
}

static int rolling_update(plan_t *p, sts_status_t *st, k8c_error_t *err)
{
	const cJSON *ru = k8c_jget(p->set, "spec.updateStrategy.rollingUpdate");
	const char *upd = k8c_jstr(p->h->update, "metadata.name") ?: "";
	int min = cJSON_IsObject(ru) ? (int)sts_jint(ru, "partition", 0) : 0, ret;

	for (int t = p->n_rep - 1; t >= min && t >= 0; t--) {
		if (strcmp(sts_pod_revision(p->rep[t]), upd) != 0 &&
		    !sts_is_terminating(p->rep[t])) {
			ret = sts_delete_pod(p->c, p->key, p->set, p->rep[t], err);
			if (ret < 0 && err->code != K8C_ENOTFOUND)
				return ret;
			st->current--;
			return 0;
		}
		if (!sts_pod_healthy(p->rep[t]))
			return 0;
	}
	return 0;
}

static void count(plan_t *p, sts_status_t *st)
{
	size_t n = (size_t)p->n_rep + p->n_cond;
	cJSON **all = k8c_xcalloc(n + 1, sizeof(*all));

	if (p->n_rep)
		memcpy(all, p->rep, (size_t)p->n_rep * sizeof(*all));
	if (p->n_cond)
		memcpy(all + p->n_rep, p->cond, p->n_cond * sizeof(*all));
	sts_status_count(st, all, n, p->min_ready, p->now_ns);
	free(all);
}

static int run(plan_t *p, sts_status_t *st, k8c_error_t *err)
{
	int ret;

	if (sts_is_terminating(p->set))
		return 0;
	for (int i = 0; i < p->n_rep; i++)
		if ((ret = process_replica(p, i, err)) != 0)
			return ret < 0 ? ret : 0;
	if (cJSON_GetArraySize(k8c_jget(p->set, "spec.volumeClaimTemplates")) > 0)
		for (size_t i = 0; i < p->n_cond; i++)
			if ((ret = sts_fix_claim_owners(p->c, p->set, p->cond[i], err)) < 0)
				return ret;
	for (size_t i = 0; i < p->n_cond; i++)
		if ((ret = process_condemned(p, i, err)) != 0)
			return ret < 0 ? ret : 0;
	if (strcmp(strategy(p->set), "OnDelete") == 0)
		return 0;
	count(p, st);
	p->counted = 1;
	return rolling_update(p, st, err);
}

int sts_update(sts_ctl_t *c, const char *key, const cJSON *set, const sts_history_t *h,
               cJSON **pods, size_t n_pods, sts_status_t *st, k8c_error_t *err)
{
	plan_t p = {.c = c, .key = key, .set = set, .h = h};
	int ret;

	p.monotonic = strcmp(k8c_jstr(set, "spec.podManagementPolicy") ?: "", "Parallel") != 0;
	p.start = sts_start_ordinal(set);
	p.n_rep = sts_replicas(set);
	p.min_ready = sts_jint(set, "spec.minReadySeconds", 0);
	p.now_ns = c->host->now_ns(c->host->ctx);
	p.rep = k8c_xcalloc((size_t)p.n_rep + 1, sizeof(*p.rep));
	p.cond = k8c_xcalloc(n_pods + 1, sizeof(*p.cond));
	for (size_t i = 0; i < n_pods; i++) {
		int ord = sts_ordinal(k8c_jstr(pods[i], "metadata.name"), NULL);
		if (sts_in_range(set, ord))
			p.rep[ord - p.start] = pods[i];
		else if (ord >= 0)
			p.cond[p.n_cond++] = pods[i];
	}
	for (int i = 0; i < p.n_rep; i++)
		if (p.rep[i] == NULL)
			p.rep[i] = versioned_pod(&p, i + p.start);
	if (p.n_cond > 1)
		qsort(p.cond, p.n_cond, sizeof(*p.cond), desc_ordinal);
	for (int i = 0; i < p.n_rep && p.first_unhealthy == NULL; i++)
		if (!sts_pod_healthy(p.rep[i]))
			p.first_unhealthy = p.rep[i];
	for (size_t i = p.n_cond; i-- > 0 && p.first_unhealthy == NULL;)
		if (!sts_pod_healthy(p.cond[i]))
			p.first_unhealthy = p.cond[i];

	st->observed_generation = sts_jint(set, "metadata.generation", 0);
	st->current_revision = k8c_jstr(h->current, "metadata.name");
	st->update_revision = k8c_jstr(h->update, "metadata.name");
	st->collision = h->collision;
	ret = run(&p, st, err);
	if (!p.counted)
		count(&p, st);
	for (size_t i = 0; i < p.n_made; i++)
		cJSON_Delete(p.made[i]);
	free(p.made);
	free(p.rep);
	free(p.cond);
	return ret;
}
