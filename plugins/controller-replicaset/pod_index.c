/* The pods each ReplicaSet controls, kept as small records from the pod
 * changes (on_change runs before the host hands the set's key to a
 * worker), so that a sync reads them without walking every pod's JSON: a
 * 10,000-pod set is synced many times a second while its pods start, and
 * walking the JSON took a core.  Records are indexed by the uid of the
 * pod's controller (a ReplicaSet). */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "common/json_path.h"
#include "common/mem.h"
#include "replicaset.h"

typedef struct podrec {
	rs_pod_t pod;     /* name and node owned; matches/labeled/available unset */
	cJSON *labels;    /* owned copy, or NULL */
} podrec_t;

static void podrec_free(podrec_t *r)
{
	if (r == NULL)
		return;
	free(r->pod.name);
	free(r->pod.node);
	cJSON_Delete(r->labels);
	free(r);
}

/* The uid of obj's controller when it is a ReplicaSet, and its index. */
static const char *rs_controller_uid(const cJSON *obj, int *index)
{
	const cJSON *ref = rs_controller_ref(obj, index);
	const char *kind = k8c_jstr(ref, "kind");

	return kind != NULL && strcmp(kind, "ReplicaSet") == 0 ? k8c_jstr(ref, "uid") : NULL;
}

void rs_pod_fill(rs_pod_t *p, const cJSON *pod, int ref_index)
{
	const char *node = k8c_jstr(pod, "spec.nodeName");

	memset(p, 0, sizeof(*p));
	p->name = k8c_xstrdup(k8c_jstr(pod, "metadata.name") ?: "");
	p->node = node ? k8c_xstrdup(node) : NULL;
	p->ref_index = ref_index;
	p->active = rs_pod_active(pod);
	p->ready = rs_pod_ready(pod);
	p->rank.name = p->name;
	rs_pod_rank_fill(&p->rank, pod);
}

void rs_pod_judge(rs_pod_t *p, const cJSON *labels, const sync_ctx_t *s)
{
	const cJSON *l;

	p->matches = k8c_label_selector_matches(s->sel, labels);
	p->labeled = 1;
	cJSON_ArrayForEach(l, s->template_labels) {
		const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(labels, l->string));
		if (v == NULL || !cJSON_IsString(l) || strcmp(v, l->valuestring) != 0)
			p->labeled = 0;
	}
	p->available = rs_ready_long_enough(p->ready, p->rank.ready_since_ns, s->min_ready, s->now_ns);
}

static void index_remove(rs_ctl_t *c, const char *uid, const char *key)
{
	k8c_strmap_t *set = k8c_strmap_get(&c->by_owner, uid);

	if (set == NULL)
		return;
	podrec_free(k8c_strmap_remove(set, key));
	if (set->count == 0) {
		k8c_strmap_remove(&c->by_owner, uid);
		k8c_strmap_free(set);
		free(set);
	}
}

void rs_index_update(rs_ctl_t *c, int type, const cJSON *obj, const cJSON *old, const char *key)
{
	int index = 0;
	const char *uid = type == K8C_WATCH_DELETED ? NULL : rs_controller_uid(obj, &index);
	const char *was = old ? rs_controller_uid(old, NULL) : NULL;
	podrec_t *r = NULL;
	k8c_strmap_t *set;

	if (type == K8C_WATCH_DELETED)
		was = rs_controller_uid(obj, NULL);
	if (uid != NULL) {
		const cJSON *labels = k8c_jget(obj, "metadata.labels");
		r = k8c_xcalloc(1, sizeof(*r));
		rs_pod_fill(&r->pod, obj, index);
		r->labels = labels ? cJSON_Duplicate(labels, 1) : NULL;
	}
	pthread_mutex_lock(&c->pods_mu);
	if (was != NULL && (uid == NULL || strcmp(was, uid) != 0))
		index_remove(c, was, key);
	if (r != NULL) {
		set = k8c_strmap_get(&c->by_owner, uid);
		if (set == NULL) {
			set = k8c_xcalloc(1, sizeof(*set));
			k8c_strmap_init(set);
			k8c_strmap_put(&c->by_owner, uid, set);
		}
		podrec_free(k8c_strmap_put(set, key, r));
	}
	pthread_mutex_unlock(&c->pods_mu);
}

void rs_index_collect(rs_ctl_t *c, sync_ctx_t *s)
{
	k8c_strmap_t *set;
	k8c_strmap_entry_t *e;
	size_t i;

	pthread_mutex_lock(&c->pods_mu);
	set = k8c_strmap_get(&c->by_owner, s->uid);
	if (set != NULL && set->count > 0) {
		s->pods = k8c_xrealloc(s->pods, (s->n_pods + set->count) * sizeof(*s->pods));
		for (e = k8c_strmap_first(set, &i); e != NULL; e = k8c_strmap_next(set, e, &i)) {
			const podrec_t *r = e->value;
			rs_pod_t *p = &s->pods[s->n_pods++];
			*p = r->pod;
			p->name = k8c_xstrdup(r->pod.name);
			p->node = r->pod.node ? k8c_xstrdup(r->pod.node) : NULL;
			p->rank.name = p->name;
			rs_pod_judge(p, r->labels, s);
		}
	}
	pthread_mutex_unlock(&c->pods_mu);
}

void rs_index_free(rs_ctl_t *c)
{
	k8c_strmap_entry_t *e, *f;
	size_t i, j;

	for (e = k8c_strmap_first(&c->by_owner, &i); e != NULL; e = k8c_strmap_next(&c->by_owner, e, &i)) {
		k8c_strmap_t *set = e->value;
		for (f = k8c_strmap_first(set, &j); f != NULL; f = k8c_strmap_next(set, f, &j))
			podrec_free(f->value);
		k8c_strmap_free(set);
		free(set);
	}
	k8c_strmap_free(&c->by_owner);
}
