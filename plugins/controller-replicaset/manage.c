/* Scaling a ReplicaSet's pods: create what is missing from the template,
 * in batches of 1, 2, 4, ... (kube's slowStartBatch: a template the API
 * server refuses fails once, not 500 times), or delete the surplus, least
 * valuable first.  Calls within a batch run on up to 64 threads.  Every
 * create and delete is announced to the host's expectations first. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/json_path.h"
#include "common/mem.h"
#include "replicaset.h"

#define MAX_PARALLEL 64

/* --- a batch of calls on a few threads -------------------------------------- */

typedef struct batch {
	sync_ctx_t *s;
	int (*one)(sync_ctx_t *s, size_t i, k8c_error_t *err); /* call number i */
	size_t first, end;          /* calls [first, end) */
	pthread_mutex_t mu;
	size_t next;                /* next call to take */
	size_t failed;
	k8c_error_t first_err;      /* the first failure */
} batch_t;

static void *batch_main(void *arg)
{
	batch_t *b = arg;

	for (;;) {
		k8c_error_t err = {0};
		size_t i;
		pthread_mutex_lock(&b->mu);
		i = b->next++;
		pthread_mutex_unlock(&b->mu);
		if (i >= b->end)
			return NULL;
		if (b->one(b->s, i, &err) < 0) {
			pthread_mutex_lock(&b->mu);
			if (b->failed++ == 0)
				b->first_err = err;
			pthread_mutex_unlock(&b->mu);
		}
	}
}

/* Run calls [first, end); returns how many failed, the first error in err. */
static size_t run_batch(sync_ctx_t *s, int (*one)(sync_ctx_t *, size_t, k8c_error_t *),
                        size_t first, size_t end, k8c_error_t *err)
{
	batch_t b = {.s = s, .one = one, .first = first, .end = end, .next = first};
	size_t n = end - first, n_threads = n < MAX_PARALLEL ? n : MAX_PARALLEL;
	pthread_t th[MAX_PARALLEL];
	size_t started = 0;

	pthread_mutex_init(&b.mu, NULL);
	for (size_t t = 1; t < n_threads; t++) {
		if (pthread_create(&th[started], NULL, batch_main, &b) == 0)
			started++;
	}
	batch_main(&b);
	for (size_t t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	pthread_mutex_destroy(&b.mu);
	if (b.failed > 0)
		*err = b.first_err;
	return b.failed;
}

/* --- create ------------------------------------------------------------------ */

static cJSON *pod_from_template(const sync_ctx_t *s)
{
	const cJSON *t = k8c_jget(s->rs, "spec.template");
	const cJSON *tmd = cJSON_GetObjectItemCaseSensitive(t, "metadata");
	cJSON *pod = cJSON_CreateObject(), *md, *refs;
	char prefix[64];

	cJSON_AddStringToObject(pod, "apiVersion", "v1");
	cJSON_AddStringToObject(pod, "kind", "Pod");
	md = cJSON_AddObjectToObject(pod, "metadata");
	/* the name prefix is cut so that the random suffix fits (kube: 58) */
	snprintf(prefix, sizeof(prefix), "%.57s-", s->name);
	cJSON_AddStringToObject(md, "generateName", prefix);
	cJSON_AddStringToObject(md, "namespace", s->ns);
	for (const char *const *f = (const char *const[]){"labels", "annotations", "finalizers", NULL};
	     *f != NULL; f++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(tmd, *f);
		if (v != NULL)
			cJSON_AddItemToObject(md, *f, cJSON_Duplicate(v, 1));
	}
	refs = cJSON_AddArrayToObject(md, "ownerReferences");
	cJSON_AddItemToArray(refs, rs_owner_ref(s));
	cJSON_AddItemToObject(pod, "spec",
	                      cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(t, "spec"), 1) ?: cJSON_CreateObject());
	return pod;
}

static int create_one(sync_ctx_t *s, size_t i, k8c_error_t *err)
{
	_cleanup_json_ cJSON *pod = pod_from_template(s), *out = NULL;
	_cleanup_free_ char *path = k8c_xasprintf("/api/v1/namespaces/%s/pods", s->ns);
	const k8c_controller_host_t *ch = s->c->ch;

	(void)i;
	if (rs_request(s->c, "POST", path, pod, NULL, &out, err) < 0) {
		ch->creation_observed(ch->ctx, s->key); /* will not come */
		/* a namespace being deleted refuses new pods: not worth an event */
		if (!(err->code == K8C_EPERM && strstr(err->message, "being terminated") != NULL))
			ch->event(ch->ctx, RS_WATCH_SETS, s->rs, "Warning", "FailedCreate",
			          "Error creating: %s", err->message);
		return -1;
	}
	ch->event(ch->ctx, RS_WATCH_SETS, s->rs, "Normal", "SuccessfulCreate", "Created pod: %s",
	          k8c_jstr(out, "metadata.name") ?: "");
	return 0;
}

static int create_pods(sync_ctx_t *s, size_t n, k8c_error_t *err)
{
	const k8c_controller_host_t *ch = s->c->ch;
	size_t done = 0, batch = 1;

	ch->expect_creations(ch->ctx, s->key, (int)n);
	while (done < n) {
		size_t end = done + batch > n ? n : done + batch;
		size_t failed = run_batch(s, create_one, done, end, err);
		done = end;
		if (failed > 0) {
			/* the rest will not be created now: nor observed */
			for (size_t i = done; i < n; i++)
				ch->creation_observed(ch->ctx, s->key);
			snprintf(s->failure, sizeof(s->failure), "%s", err->message);
			s->failure_reason = "FailedCreate";
			return -1;
		}
		batch *= 2;
	}
	return 0;
}

/* --- delete ------------------------------------------------------------------ */


static int delete_one(sync_ctx_t *s, size_t i, k8c_error_t *err)
{
	const char *name = s->victims[i].name;
	_cleanup_free_ char *path = k8c_xasprintf("/api/v1/namespaces/%s/pods/%s", s->ns, name);
	_cleanup_free_ char *pod_key = k8c_xasprintf("%s/%s", s->ns, name);
	const k8c_controller_host_t *ch = s->c->ch;

	if (rs_request(s->c, "DELETE", path, NULL, NULL, NULL, err) < 0) {
		ch->deletion_observed(ch->ctx, s->key, pod_key); /* will not come */
		if (err->code == K8C_ENOTFOUND)
			return 0;
		ch->event(ch->ctx, RS_WATCH_SETS, s->rs, "Warning", "FailedDelete",
		          "Error deleting: %s", err->message);
		return -1;
	}
	ch->event(ch->ctx, RS_WATCH_SETS, s->rs, "Normal", "SuccessfulDelete", "Deleted pod: %s", name);
	return 0;
}

/* Delete n of the active pods, the least valuable first. */
static int delete_pods(sync_ctx_t *s, size_t n, k8c_error_t *err)
{
	const k8c_controller_host_t *ch = s->c->ch;
	rs_pod_rank_t *ranks = k8c_xcalloc(s->n_pods ? s->n_pods : 1, sizeof(*ranks));
	k8c_strmap_t per_node;
	size_t count = 0;
	int ret = 0;

	/* pods doubled up on a node go first */
	k8c_strmap_init(&per_node);
	for (size_t i = 0; i < s->n_pods; i++) {
		const char *node = s->pods[i].node;
		if (s->pods[i].active && node != NULL)
			k8c_strmap_put(&per_node, node,
			               (void *)((uintptr_t)k8c_strmap_get(&per_node, node) + 1));
	}
	for (size_t i = 0; i < s->n_pods; i++) {
		const char *node = s->pods[i].node;
		if (!s->pods[i].active)
			continue;
		ranks[count] = s->pods[i].rank;
		ranks[count].colocated = node ? (int64_t)(uintptr_t)k8c_strmap_get(&per_node, node) : 0;
		count++;
	}
	k8c_strmap_free(&per_node);
	rs_pod_rank_sort(ranks, count);
	if (n > count)
		n = count;
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *pod_key = k8c_xasprintf("%s/%s", s->ns, ranks[i].name);
		ch->expect_deletion(ch->ctx, s->key, pod_key);
	}
	s->victims = ranks;
	if (n > 0 && run_batch(s, delete_one, 0, n, err) > 0) {
		snprintf(s->failure, sizeof(s->failure), "%s", err->message);
		s->failure_reason = "FailedDelete";
		ret = -1;
	}
	s->victims = NULL;
	free(ranks);
	return ret;
}

int rs_manage_replicas(sync_ctx_t *s, k8c_error_t *err)
{
	const cJSON *r = k8c_jget(s->rs, "spec.replicas");
	int64_t want = cJSON_IsNumber(r) ? (int64_t)r->valuedouble : 1, active = 0, diff;

	for (size_t i = 0; i < s->n_pods; i++)
		active += s->pods[i].active;
	diff = active - want;
	if (diff < 0)
		return create_pods(s, (size_t)(-diff > s->c->burst ? s->c->burst : -diff), err);
	if (diff > 0)
		return delete_pods(s, (size_t)(diff > s->c->burst ? s->c->burst : diff), err);
	return 0;
}
