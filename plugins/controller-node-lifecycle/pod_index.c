/* Node -> pods index (pod_index.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/client.h>

#include "common/json_path.h"
#include "common/mem.h"
#include "pod_index.h"

struct nl_pod_seen {
	int64_t seen_ns;
};

void nl_pod_index_init(nl_pod_index_t *idx)
{
	pthread_mutex_init(&idx->lock, NULL);
	k8c_strmap_init(&idx->by_node);
	k8c_strmap_init(&idx->node_of);
}

static void free_pods(k8c_strmap_t *pods)
{
	size_t i;

	for (k8c_strmap_entry_t *e = k8c_strmap_first(pods, &i); e; e = k8c_strmap_next(pods, e, &i))
		free(e->value);
	k8c_strmap_free(pods);
	free(pods);
}

void nl_pod_index_fini(nl_pod_index_t *idx)
{
	size_t i;

	for (k8c_strmap_entry_t *e = k8c_strmap_first(&idx->by_node, &i); e;
	     e = k8c_strmap_next(&idx->by_node, e, &i))
		free_pods(e->value);
	k8c_strmap_free(&idx->by_node);
	for (k8c_strmap_entry_t *e = k8c_strmap_first(&idx->node_of, &i); e;
	     e = k8c_strmap_next(&idx->node_of, e, &i))
		free(e->value);
	k8c_strmap_free(&idx->node_of);
	pthread_mutex_destroy(&idx->lock);
}

const char *nl_pod_key(const cJSON *pod, char *buf, size_t n)
{
	const char *ns = k8c_jstr(pod, "metadata.namespace"), *name = k8c_jstr(pod, "metadata.name");

	if (name == NULL || name[0] == '\0')
		return NULL;
	snprintf(buf, n, "%s/%s", ns != NULL ? ns : "", name);
	return buf;
}

/* Take key off node (locked). */
static void drop(nl_pod_index_t *idx, const char *node, const char *key)
{
	k8c_strmap_t *pods = k8c_strmap_get(&idx->by_node, node);

	if (pods == NULL)
		return;
	free(k8c_strmap_remove(pods, key));
	if (pods->count == 0)
		free_pods(k8c_strmap_remove(&idx->by_node, node));
}

const char *nl_pod_index_change(nl_pod_index_t *idx, int type, const cJSON *obj, int64_t now_ns,
                                char *node, size_t n, int *moved)
{
	char key[512];
	const char *now_on = NULL, *was_on;
	const char *result = NULL;

	*moved = 0;
	if (nl_pod_key(obj, key, sizeof(key)) == NULL)
		return NULL;
	if (type != K8C_WATCH_DELETED) {
		now_on = k8c_jstr(obj, "spec.nodeName");
		if (now_on != NULL && now_on[0] == '\0')
			now_on = NULL;
	}
	pthread_mutex_lock(&idx->lock);
	was_on = k8c_strmap_get(&idx->node_of, key);
	if (was_on != NULL && (now_on == NULL || strcmp(was_on, now_on) != 0)) {
		drop(idx, was_on, key);
		free(k8c_strmap_remove(&idx->node_of, key));
		was_on = NULL;
	}
	if (now_on != NULL) {
		if (was_on == NULL) {
			k8c_strmap_t *pods = k8c_strmap_get(&idx->by_node, now_on);
			struct nl_pod_seen *seen = k8c_xmalloc(sizeof(*seen));

			if (pods == NULL) {
				pods = k8c_xmalloc(sizeof(*pods));
				k8c_strmap_init(pods);
				k8c_strmap_put(&idx->by_node, now_on, pods);
			}
			seen->seen_ns = now_ns;
			free(k8c_strmap_put(pods, key, seen));
			k8c_strmap_put(&idx->node_of, key, k8c_xstrdup(now_on));
			*moved = 1;
		}
		snprintf(node, n, "%s", now_on);
		result = node;
	}
	pthread_mutex_unlock(&idx->lock);
	return result;
}

void nl_pod_index_on_node(nl_pod_index_t *idx, const char *node, nl_pod_ref_t **out, size_t *n)
{
	k8c_strmap_t *pods;
	size_t i, k = 0;

	*out = NULL;
	*n = 0;
	pthread_mutex_lock(&idx->lock);
	pods = k8c_strmap_get(&idx->by_node, node);
	if (pods != NULL && pods->count > 0) {
		*out = k8c_xcalloc(pods->count, sizeof(**out));
		for (k8c_strmap_entry_t *e = k8c_strmap_first(pods, &i); e; e = k8c_strmap_next(pods, e, &i)) {
			(*out)[k].key = k8c_xstrdup(e->key);
			(*out)[k].seen_ns = ((struct nl_pod_seen *)e->value)->seen_ns;
			k++;
		}
		*n = k;
	}
	pthread_mutex_unlock(&idx->lock);
}

void nl_pod_refs_free(nl_pod_ref_t *refs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(refs[i].key);
	free(refs);
}
