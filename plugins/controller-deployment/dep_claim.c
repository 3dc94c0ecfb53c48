/* Which ReplicaSets a Deployment controls (ClaimReplicaSets): its own that
 * its selector still matches, plus orphans it matches, adopted with a
 * controller ownerReference; its own that stopped matching are released.
 * Both are strategic merge patches with the ReplicaSet's uid as a
 * precondition, as kube's ReplicaSetControllerRefManager sends them. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/json_path.h"
#include "common/mem.h"
#include "common/selector.h"
#include "dep.h"
#include "dep_util.h"

typedef struct claim_arg {
	const char *uid;                 /* the Deployment's */
	const k8c_label_selector_t *sel; /* its selector */
	cJSON *found;                    /* copies of the candidates */
} claim_arg_t;

/* Under the cache's lock: copy what is ours or could be. */
static int candidate(void *arg, const cJSON *rs)
{
	claim_arg_t *a = arg;
	const char *uid = dep_controller_uid(rs, NULL, NULL);

	if (uid != NULL ? strcmp(uid, a->uid) == 0
	                : k8c_jget(rs, "metadata.deletionTimestamp") == NULL &&
	                          k8c_label_selector_matches(a->sel, k8c_jget(rs, "metadata.labels")))
		cJSON_AddItemToArray(a->found, cJSON_Duplicate(rs, 1));
	return 0;
}

static int patch_rs(dep_sync_t *s, const cJSON *rs, cJSON *ref, cJSON **out, k8c_error_t *err)
{
	_cleanup_json_ cJSON *p = cJSON_CreateObject();
	_cleanup_free_ char *path = k8c_xasprintf("/apis/apps/v1/namespaces/%s/replicasets/%s", s->ns,
	                                          k8c_jstr(rs, "metadata.name"));
	cJSON *md = cJSON_AddObjectToObject(p, "metadata");

	cJSON_AddItemToArray(cJSON_AddArrayToObject(md, "ownerReferences"), ref);
	cJSON_AddStringToObject(md, "uid", k8c_jstr(rs, "metadata.uid"));
	return s->ctl->host->client->request(s->ctl->host->client_ctx, "PATCH", path, p,
	                                     K8C_PATCH_STRATEGIC, out, err);
}

static int adopt(dep_sync_t *s, const cJSON *rs, cJSON **out, k8c_error_t *err)
{
	cJSON *ref = cJSON_CreateObject();

	cJSON_AddStringToObject(ref, "apiVersion", "apps/v1");
	cJSON_AddStringToObject(ref, "kind", "Deployment");
	cJSON_AddStringToObject(ref, "name", s->name);
	cJSON_AddStringToObject(ref, "uid", k8c_jstr(s->d, "metadata.uid"));
	cJSON_AddBoolToObject(ref, "controller", 1);
	cJSON_AddBoolToObject(ref, "blockOwnerDeletion", 1);
	return patch_rs(s, rs, ref, out, err);
}

static int release(dep_sync_t *s, const cJSON *rs, k8c_error_t *err)
{
	cJSON *ref = cJSON_CreateObject();
	int ret;

	cJSON_AddStringToObject(ref, "$patch", "delete");
	cJSON_AddStringToObject(ref, "uid", k8c_jstr(s->d, "metadata.uid"));
	ret = patch_rs(s, rs, ref, NULL, err);
	/* gone, or no longer ours: nothing to release */
	if (ret < 0 && (err->code == K8C_ENOTFOUND || err->code == K8C_EINVAL))
		return 0;
	return ret;
}

/* RecheckDeletionTimestamp: the Deployment as the API server has it now
 * must be the one we saw and not being deleted. */
static int can_adopt(dep_sync_t *s, k8c_error_t *err)
{
	_cleanup_free_ char *path = k8c_xasprintf("/apis/apps/v1/namespaces/%s/deployments/%s", s->ns,
	                                          s->name);
	_cleanup_json_ cJSON *fresh = NULL;
	const char *uid;
	int ret;

	ret = s->ctl->host->client->request(s->ctl->host->client_ctx, "GET", path, NULL, NULL, &fresh,
	                                    err);
	if (ret < 0)
		return ret;
	uid = k8c_jstr(fresh, "metadata.uid");
	if (uid == NULL || strcmp(uid, k8c_jstr(s->d, "metadata.uid")) != 0)
		return k8c_error_make(err, K8C_ECONFLICT, "original Deployment %s/%s is gone: got uid %s, wanted %s",
		                      s->ns, s->name, uid ? uid : "", k8c_jstr(s->d, "metadata.uid"));
	if (k8c_jget(fresh, "metadata.deletionTimestamp") != NULL)
		return k8c_error_make(err, K8C_ECONFLICT, "%s/%s has just been deleted at %s", s->ns,
		                      s->name, k8c_jstr(fresh, "metadata.deletionTimestamp"));
	return 0;
}

int dep_claim(dep_sync_t *s, k8c_error_t *err)
{
	_cleanup_json_ cJSON *found = cJSON_CreateArray();
	k8c_label_selector_t *sel = NULL;
	int deleting = k8c_jget(s->d, "metadata.deletionTimestamp") != NULL;
	int checked = 0, ret;
	claim_arg_t a;
	cJSON *rs, *next;

	if ((ret = k8c_label_selector_from_json(k8c_jget(s->d, "spec.selector"), &sel, err)) < 0)
		return ret;
	a = (claim_arg_t){k8c_jstr(s->d, "metadata.uid"), sel, found};
	s->ctl->ch->list(s->ctl->ch->ctx, W_RS, s->ns, NULL, candidate, &a);
	ret = 0;
	for (rs = found->child; rs != NULL && ret == 0; rs = next) {
		int matches = k8c_label_selector_matches(sel, k8c_jget(rs, "metadata.labels"));
		cJSON *adopted = NULL;
		next = rs->next;
		if (dep_controller_uid(rs, NULL, NULL) != NULL) {
			if (matches)
				dep_rsv_push(&s->rs, cJSON_DetachItemViaPointer(found, rs));
			else if (!deleting)
				ret = release(s, rs, err);
			continue;
		}
		if (deleting)
			continue;
		if (!checked && (ret = can_adopt(s, err)) < 0)
			break;
		checked = 1;
		ret = adopt(s, rs, &adopted, err);
		if (ret == 0 && cJSON_IsObject(adopted)) {
			dep_rsv_push(&s->rs, adopted);
			continue;
		}
		cJSON_Delete(adopted);
		if (ret < 0 && err->code == K8C_ENOTFOUND)
			ret = 0;
	}
	k8c_label_selector_free(sel);
	return ret;
}
