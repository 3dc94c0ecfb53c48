/* The StatefulSet controller's writes through the API, each with the event
 * Kubernetes 1.32's StatefulPodControl records ("create Pod web-0 in
 * StatefulSet web successful", "create Claim data-web-0 Pod web-0 in
 * StatefulSet web success", ...). */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>
#include <k8c/client.h>

#include "common/json_path.h"
#include "common/mem.h"
#include "sts.h"

static const char *ns_of(const cJSON *obj)
{
	return k8c_jstr(obj, "metadata.namespace") ?: "default";
}

static const char *name_of(const cJSON *obj)
{
	return k8c_jstr(obj, "metadata.name") ?: "";
}

static int api(sts_ctl_t *c, const char *method, const char *path, const cJSON *body,
               const char *ctype, cJSON **out, k8c_error_t *err)
{
	if (c->host->client == NULL)
		return k8c_error_make(err, K8C_EUNAVAIL, "no API client");
	return c->host->client->request(c->host->client_ctx, method, path, body, ctype, out, err);
}

int sts_create_claims(sts_ctl_t *c, const cJSON *set, const cJSON *pod, k8c_error_t *err)
{
	int ord = sts_ordinal(name_of(pod), NULL), ret = 0;
	_cleanup_json_ cJSON *claims = sts_claims(set, ord);
	_cleanup_free_ char *path =
	    k8c_xasprintf("/api/v1/namespaces/%s/persistentvolumeclaims", ns_of(set));
	const cJSON *claim;

	cJSON_ArrayForEach(claim, claims)
	{
		_cleanup_free_ char *key = k8c_xasprintf("%s/%s", ns_of(claim), name_of(claim));
		_cleanup_json_ cJSON *have = c->ch->get(c->ch->ctx, STS_W_PVCS, key);
		k8c_error_t e;
		int r;

		if (have != NULL) {
			if (sts_is_terminating(have))
				ret = k8c_error_make(err, K8C_ECONFLICT, "pvc %s is being deleted",
				                     name_of(claim));
			continue;
		}
		r = api(c, "POST", path, claim, NULL, NULL, &e);
		if (r < 0 && e.code == K8C_EEXIST)
			continue; /* the cache is behind */
		if (r < 0) {
			c->ch->event(
			    c->ch->ctx, STS_W_SETS, set, "Warning", "FailedCreate",
			    "create Claim %s for Pod %s in StatefulSet %s failed error: %s",
			    name_of(claim), name_of(pod), name_of(set), e.message);
			ret = k8c_error_make(err, e.code, "failed to create PVC %s: %s",
			                     name_of(claim), e.message);
			continue;
		}
		c->ch->event(c->ch->ctx, STS_W_SETS, set, "Normal", "SuccessfulCreate",
		             "create Claim %s Pod %s in StatefulSet %s success", name_of(claim),
		             name_of(pod), name_of(set));
	}
	return ret;
}

int sts_fix_claim_owners(sts_ctl_t *c, const cJSON *set, const cJSON *pod, k8c_error_t *err)
{
	int ord = sts_ordinal(name_of(pod), NULL), ret = 0;
	_cleanup_json_ cJSON *claims = sts_claims(set, ord);
	const cJSON *claim;

	cJSON_ArrayForEach(claim, claims)
	{
		_cleanup_free_ char *key = k8c_xasprintf("%s/%s", ns_of(claim), name_of(claim));
		_cleanup_json_ cJSON *have = c->ch->get(c->ch->ctx, STS_W_PVCS, key);
		_cleanup_free_ char *path = NULL;
		k8c_error_t e;

		if (have == NULL || !sts_claim_apply_policy(have, set, pod))
			continue;
		path = k8c_xasprintf("/api/v1/namespaces/%s/persistentvolumeclaims/%s",
		                     ns_of(claim), name_of(claim));
		sts_jset(have, "apiVersion", cJSON_CreateString("v1"));
		sts_jset(have, "kind", cJSON_CreateString("PersistentVolumeClaim"));
		if (api(c, "PUT", path, have, NULL, NULL, &e) < 0 && e.code != K8C_ENOTFOUND) {
			c->ch->event(c->ch->ctx, STS_W_SETS, set, "Warning", "FailedUpdate",
			             "update Pod %s in StatefulSet %s failed error: %s",
			             name_of(pod), name_of(set), e.message);
			ret = k8c_error_make(err, e.code, "update PVC %s: %s", name_of(claim),
			                     e.message);
		}
	}
	return ret;
}

int sts_claims_stale(sts_ctl_t *c, const cJSON *set, const cJSON *pod)
{
	const char *ws = k8c_jstr(set, "spec.persistentVolumeClaimRetentionPolicy.whenScaled");
	const char *uid = k8c_jstr(pod, "metadata.uid") ?: "";
	_cleanup_json_ cJSON *claims = NULL;
	const cJSON *claim, *ref;
	int stale = 0;

	if (ws == NULL || strcmp(ws, "Delete") != 0)
		return 0; /* retained claims are meant to be reused */
	claims = sts_claims(set, sts_ordinal(name_of(pod), NULL));
	cJSON_ArrayForEach(claim, claims)
	{
		_cleanup_free_ char *key = k8c_xasprintf("%s/%s", ns_of(claim), name_of(claim));
		_cleanup_json_ cJSON *have = c->ch->get(c->ch->ctx, STS_W_PVCS, key);
		cJSON_ArrayForEach(ref, k8c_jget(have, "metadata.ownerReferences"))
		{
			const char *k = k8c_jstr(ref, "kind"), *n = k8c_jstr(ref, "name");
			const char *u = k8c_jstr(ref, "uid");
			if (k && n && u && strcmp(k, "Pod") == 0 && strcmp(n, name_of(pod)) == 0 &&
			    strcmp(u, uid) != 0)
				stale = 1;
		}
	}
	return stale;
}

int sts_create_pod(sts_ctl_t *c, const char *key, const cJSON *set, cJSON *pod, k8c_error_t *err)
{
	_cleanup_free_ char *path = k8c_xasprintf("/api/v1/namespaces/%s/pods", ns_of(set));
	_cleanup_json_ cJSON *created = NULL;
	k8c_error_t e;
	int ret;

	if ((ret = sts_create_claims(c, set, pod, &e)) < 0) {
		c->ch->event(c->ch->ctx, STS_W_SETS, set, "Warning", "FailedCreate",
		             "create Pod %s in StatefulSet %s failed error: %s", name_of(pod),
		             name_of(set), e.message);
		return k8c_error_make(err, e.code, "%s", e.message);
	}
	c->ch->expect_creations(c->ch->ctx, key, 1);
	if ((ret = api(c, "POST", path, pod, NULL, &created, &e)) < 0) {
		c->ch->creation_observed(c->ch->ctx, key);
		if (e.code != K8C_EEXIST)
			c->ch->event(c->ch->ctx, STS_W_SETS, set, "Warning", "FailedCreate",
			             "create Pod %s in StatefulSet %s failed error: %s",
			             name_of(pod), name_of(set), e.message);
		return k8c_error_make(err, e.code, "create pod %s: %s", name_of(pod), e.message);
	}
	if (sts_fix_claim_owners(c, set, created, &e) < 0) {
		c->ch->event(c->ch->ctx, STS_W_SETS, set, "Warning", "FailedUpdate",
		             "update Pod %s in StatefulSet %s failed error: %s", name_of(pod),
		             name_of(set), e.message);
		return k8c_error_make(err, e.code, "%s", e.message);
	}
	c->ch->event(c->ch->ctx, STS_W_SETS, set, "Normal", "SuccessfulCreate",
	             "create Pod %s in StatefulSet %s successful", name_of(pod), name_of(set));
	return 0;
}

int sts_delete_pod(sts_ctl_t *c, const char *key, const cJSON *set, const cJSON *pod,
                   k8c_error_t *err)
{
	_cleanup_free_ char *path =
	    k8c_xasprintf("/api/v1/namespaces/%s/pods/%s", ns_of(pod), name_of(pod));
	_cleanup_free_ char *pkey = k8c_xasprintf("%s/%s", ns_of(pod), name_of(pod));
	k8c_error_t e;

	c->ch->expect_deletion(c->ch->ctx, key, pkey);
	if (api(c, "DELETE", path, NULL, NULL, NULL, &e) < 0) {
		c->ch->deletion_observed(c->ch->ctx, key, pkey);
		c->ch->event(c->ch->ctx, STS_W_SETS, set, "Warning", "FailedDelete",
		             "delete Pod %s in StatefulSet %s failed error: %s", name_of(pod),
		             name_of(set), e.message);
		return k8c_error_make(err, e.code, "delete pod %s: %s", name_of(pod), e.message);
	}
	c->ch->event(c->ch->ctx, STS_W_SETS, set, "Normal", "SuccessfulDelete",
	             "delete Pod %s in StatefulSet %s successful", name_of(pod), name_of(set));
	return 0;
}

int sts_update_pod_identity(sts_ctl_t *c, const cJSON *set, const cJSON *pod, k8c_error_t *err)
{
	_cleanup_free_ char *path =
	    k8c_xasprintf("/api/v1/namespaces/%s/pods/%s", ns_of(pod), name_of(pod));
	_cleanup_json_ cJSON *patch = cJSON_CreateObject();
	cJSON *md = cJSON_AddObjectToObject(patch, "metadata"), *labels;
	char idx[16];
	k8c_error_t e;

	labels = cJSON_AddObjectToObject(md, "labels");
	cJSON_AddStringToObject(labels, STS_LABEL_POD_NAME, name_of(pod));
	snprintf(idx, sizeof(idx), "%d", sts_ordinal(name_of(pod), NULL));
	cJSON_AddStringToObject(labels, STS_LABEL_POD_INDEX, idx);
	if (k8c_jstr(pod, "metadata.resourceVersion") != NULL)
		cJSON_AddStringToObject(md, "resourceVersion",
		                        k8c_jstr(pod, "metadata.resourceVersion"));
	if (!sts_storage_matches(set, pod) && sts_create_claims(c, set, pod, &e) < 0)
		return k8c_error_make(err, e.code, "%s", e.message);
	if (api(c, "PATCH", path, patch, K8C_PATCH_MERGE, NULL, &e) < 0) {
		c->ch->event(c->ch->ctx, STS_W_SETS, set, "Warning", "FailedUpdate",
		             "update Pod %s in StatefulSet %s failed error: %s", name_of(pod),
		             name_of(set), e.message);
		return k8c_error_make(err, e.code, "update pod %s: %s", name_of(pod), e.message);
	}
	c->ch->event(c->ch->ctx, STS_W_SETS, set, "Normal", "SuccessfulUpdate",
	             "update Pod %s in StatefulSet %s successful", name_of(pod), name_of(set));
	return 0;
}

int sts_put_status(sts_ctl_t *c, const cJSON *set, const sts_status_t *st, k8c_error_t *err)
{
	_cleanup_free_ char *path = k8c_xasprintf(
	    "/apis/apps/v1/namespaces/%s/statefulsets/%s/status", ns_of(set), name_of(set));
	_cleanup_json_ cJSON *body = cJSON_Duplicate(set, 1);
	int ret = 0;

	for (int attempt = 0; attempt < 5; attempt++) {
		k8c_error_t e;
		sts_jset(body, "apiVersion", cJSON_CreateString("apps/v1"));
		sts_jset(body, "kind", cJSON_CreateString("StatefulSet"));
		sts_jset(body, "status", sts_status_json(st, k8c_jget(body, "status")));
		if ((ret = api(c, "PUT", path, body, NULL, NULL, &e)) >= 0)
			return 0;
		if (e.code != K8C_ECONFLICT)
			return k8c_error_make(err, e.code, "update status of %s/%s: %s", ns_of(set),
			                      name_of(set), e.message);
		/* a newer set: write the status on it (the status updater's retry) */
		cJSON_Delete(body);
		body = NULL;
		_cleanup_free_ char *get = k8c_xasprintf(
		    "/apis/apps/v1/namespaces/%s/statefulsets/%s", ns_of(set), name_of(set));
		if ((ret = api(c, "GET", get, NULL, NULL, &body, &e)) < 0)
			return k8c_error_make(err, e.code, "get %s/%s: %s", ns_of(set),
			                      name_of(set), e.message);
	}
	return k8c_error_make(err, K8C_ECONFLICT, "update status of %s/%s: conflicts", ns_of(set),
	                      name_of(set));
}
