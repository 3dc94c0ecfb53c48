/* The Deployment controller's writes: ReplicaSet updates and scaling (with
 * the ScalingReplicaSet event), the Deployment's status. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/json_path.h"
#include "common/mem.h"
#include "dep.h"
#include "dep_util.h"

void dep_rsv_push(dep_rsv_t *l, cJSON *rs)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = k8c_xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = rs;
}

void dep_rsv_free(dep_rsv_t *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/* Give dst the content of src (src is emptied and freed): pointers to dst
 * held elsewhere stay valid. */
static void take_content(cJSON *dst, cJSON *src)
{
	cJSON *child = dst->child;

	dst->child = src->child;
	src->child = child;
	cJSON_Delete(src);
}

static const k8c_client_api_t *client(dep_sync_t *s)
{
	return s->ctl->host->client;
}

int dep_rs_update(dep_sync_t *s, cJSON *rs, k8c_error_t *err)
{
	_cleanup_free_ char *path = k8c_xasprintf("/apis/apps/v1/namespaces/%s/replicasets/%s", s->ns,
	                                          k8c_jstr(rs, "metadata.name"));
	cJSON *out = NULL;
	int ret;

	ret = client(s)->request(s->ctl->host->client_ctx, "PUT", path, rs, NULL, &out, err);
	if (ret < 0)
		return ret;
	if (cJSON_IsObject(out))
		take_content(rs, out);
	else
		cJSON_Delete(out);
	return 0;
}

int dep_status_update(dep_sync_t *s, k8c_error_t *err)
{
	_cleanup_free_ char *path = k8c_xasprintf("/apis/apps/v1/namespaces/%s/deployments/%s/status",
	                                          s->ns, s->name);
	cJSON *out = NULL;
	int ret;

	ret = client(s)->request(s->ctl->host->client_ctx, "PUT", path, s->d, NULL, &out, err);
	if (ret < 0)
		return ret;
	if (cJSON_IsObject(out))
		take_content(s->d, out);
	else
		cJSON_Delete(out);
	return 0;
}

static int set_annotation(cJSON *obj, const char *key, const char *value)
{
	cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	cJSON *a = cJSON_GetObjectItemCaseSensitive(md, "annotations");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(a, key);

	if (cJSON_IsString(v) && strcmp(v->valuestring, value) == 0)
		return 0;
	if (!cJSON_IsObject(a)) {
		cJSON_DeleteItemFromObjectCaseSensitive(md, "annotations");
		a = cJSON_AddObjectToObject(md, "annotations");
	}
	cJSON_DeleteItemFromObjectCaseSensitive(a, key);
	cJSON_AddStringToObject(a, key, value);
	return 1;
}

int dep_set_replicas_annotations(cJSON *rs, long desired, long max)
{
	char b[32];
	int changed;

	snprintf(b, sizeof(b), "%ld", desired);
	changed = set_annotation(rs, DEP_ANN_DESIRED, b);
	snprintf(b, sizeof(b), "%ld", max);
	changed |= set_annotation(rs, DEP_ANN_MAX, b);
	return changed;
}

int dep_scale_rs(dep_sync_t *s, cJSON *rs, long n, const char *op, int *scaled, k8c_error_t *err)
{
	long old = dep_replicas(rs), desired = dep_replicas(s->d);
	long max = desired + dep_max_surge(s->d);
	_cleanup_json_ cJSON *copy = NULL;
	int ret;

	*scaled = 0;
	copy = cJSON_Duplicate(rs, 1);
	if (!dep_set_replicas_annotations(copy, desired, max) && old == n)
		return 0;
	cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(copy, "spec"),
	                                        "replicas");
	cJSON_AddNumberToObject(cJSON_GetObjectItemCaseSensitive(copy, "spec"), "replicas", (double)n);
	if ((ret = dep_rs_update(s, copy, err)) < 0)
		return ret;
	take_content(rs, K8C_STEAL(copy));
	if (old != n) {
		*scaled = 1;
		s->ctl->ch->event(s->ctl->ch->ctx, W_DEPLOY, s->d, "Normal", "ScalingReplicaSet",
		                  "Scaled %s replica set %s from %ld to %ld", op,
		                  k8c_jstr(rs, "metadata.name"), old, n);
	}
	return 0;
}

int dep_scale_rs_event(dep_sync_t *s, cJSON *rs, long n, int *scaled, k8c_error_t *err)
{
	long cur = dep_replicas(rs);

	*scaled = 0;
	if (cur == n)
		return 0;
	return dep_scale_rs(s, rs, n, cur < n ? "up" : "down", scaled, err);
}
