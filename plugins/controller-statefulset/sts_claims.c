/* volumeClaimTemplates: the PersistentVolumeClaim <template>-<set>-<ordinal>
 * of each pod, and the ownerReferences that carry the set's
 * persistentVolumeClaimRetentionPolicy (whenDeleted: the set owns the
 * claims; whenScaled: a condemned pod owns its claims), which the garbage
 * collector acts on, as Kubernetes 1.32's StatefulSetAutoDeletePVC. */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "common/json_path.h"
#include "common/mem.h"
#include "sts.h"

char *sts_claim_name(const cJSON *set, const char *tmpl_name, int ordinal)
{
	return k8c_xasprintf("%s-%s-%d", tmpl_name, k8c_jstr(set, "metadata.name") ?: "", ordinal);
}

cJSON *sts_claims(const cJSON *set, int ordinal)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *t, *kv;
	static const char *const drop[] = {"creationTimestamp", "uid",           "resourceVersion",
	                                   "generation",        "managedFields", "selfLink"};

	cJSON_ArrayForEach(t, k8c_jget(set, "spec.volumeClaimTemplates"))
	{
		const char *tn = k8c_jstr(t, "metadata.name");
		if (tn == NULL)
			continue;
		cJSON *claim = cJSON_Duplicate(t, 1), *md = sts_jobj(claim, "metadata"), *labels;
		_cleanup_free_ char *name = sts_claim_name(set, tn, ordinal);
		cJSON_DeleteItemFromObjectCaseSensitive(claim, "status");
		sts_jset(claim, "apiVersion", cJSON_CreateString("v1"));
		sts_jset(claim, "kind", cJSON_CreateString("PersistentVolumeClaim"));
		for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++)
			cJSON_DeleteItemFromObjectCaseSensitive(md, drop[i]);
		sts_jset(md, "name", cJSON_CreateString(name));
		sts_jset(md, "namespace",
		         cJSON_CreateString(k8c_jstr(set, "metadata.namespace") ?: "default"));
		labels = sts_jobj(md, "labels");
		cJSON_ArrayForEach(
		    kv, k8c_jget(set, "spec.selector.matchLabels")) if (cJSON_IsString(kv))
		    sts_jset(labels, kv->string, cJSON_CreateString(kv->valuestring));
		cJSON_AddItemToArray(out, claim);
	}
	return out;
}

int sts_in_range(const cJSON *set, int ordinal)
{
	int start = sts_start_ordinal(set);

	return ordinal >= start && ordinal < start + sts_replicas(set);
}

static int has_ref(const cJSON *claim, const char *uid)
{
	const cJSON *ref;

	cJSON_ArrayForEach(ref, k8c_jget(claim, "metadata.ownerReferences"))
	{
		const char *u = k8c_jstr(ref, "uid");
		if (u != NULL && uid != NULL && strcmp(u, uid) == 0)
			return 1;
	}
	return 0;
}

/* setOwnerRef: a plain (non-controller) reference to owner. */
static int set_ref(cJSON *claim, const cJSON *owner, const char *api_version, const char *kind)
{
	const char *uid = k8c_jstr(owner, "metadata.uid");
	cJSON *refs, *ref;

	if (uid == NULL || uid[0] == '\0' || has_ref(claim, uid))
		return 0;
	refs = cJSON_GetObjectItemCaseSensitive(sts_jobj(claim, "metadata"), "ownerReferences");
	if (!cJSON_IsArray(refs)) {
		refs = cJSON_CreateArray();
		sts_jset(sts_jobj(claim, "metadata"), "ownerReferences", refs);
	}
	ref = cJSON_CreateObject();
	cJSON_AddStringToObject(ref, "apiVersion", api_version);
	cJSON_AddStringToObject(ref, "kind", kind);
	cJSON_AddStringToObject(ref, "name", k8c_jstr(owner, "metadata.name") ?: "");
	cJSON_AddStringToObject(ref, "uid", uid);
	cJSON_AddItemToArray(refs, ref);
	return 1;
}

/* removeOwnerRef: the references to owner's uid, or with no uid (a pod not
 * yet created), to any pod of owner's name. */
static int remove_ref(cJSON *claim, const cJSON *owner, const char *kind)
{
	cJSON *refs = (cJSON *)k8c_jget(claim, "metadata.ownerReferences");
	const char *uid = k8c_jstr(owner, "metadata.uid"), *name = k8c_jstr(owner, "metadata.name");
	int changed = 0;

	for (int i = cJSON_GetArraySize(refs) - 1; i >= 0; i--) {
		const cJSON *ref = cJSON_GetArrayItem(refs, i);
		const char *ru = k8c_jstr(ref, "uid"), *rk = k8c_jstr(ref, "kind");
		const char *rn = k8c_jstr(ref, "name");
		int match = uid != NULL && uid[0] != '\0'
		                ? ru != NULL && strcmp(ru, uid) == 0
		                : rk != NULL && strcmp(rk, kind) == 0 && rn != NULL &&
		                      name != NULL && strcmp(rn, name) == 0;
		if (match) {
			cJSON_DeleteItemFromArray(refs, i);
			changed = 1;
		}
	}
	return changed;
}

static int is_delete(const cJSON *set, const char *which)
{
	const char *v =
	    k8c_jget(set, "spec.persistentVolumeClaimRetentionPolicy") == NULL
	        ? NULL
	        : k8c_jstr(k8c_jget(set, "spec.persistentVolumeClaimRetentionPolicy"), which);

	return v != NULL && strcmp(v, "Delete") == 0;
}

int sts_claim_apply_policy(cJSON *claim, const cJSON *set, const cJSON *pod)
{
	int when_deleted = is_delete(set, "whenDeleted"),
	    when_scaled = is_delete(set, "whenScaled");
	int scaled_down = !sts_in_range(set, sts_ordinal(k8c_jstr(pod, "metadata.name"), NULL));
	int changed = 0;

	if (!when_scaled && !when_deleted) {
		changed |= remove_ref(claim, set, "StatefulSet");
		changed |= remove_ref(claim, pod, "Pod");
	} else if (!when_scaled && when_deleted) {
		changed |= set_ref(claim, set, "apps/v1", "StatefulSet");
		changed |= remove_ref(claim, pod, "Pod");
	} else if (when_scaled && !when_deleted) {
		changed |= remove_ref(claim, set, "StatefulSet");
		changed |=
		    scaled_down ? set_ref(claim, pod, "v1", "Pod") : remove_ref(claim, pod, "Pod");
	} else if (scaled_down) {
		changed |= remove_ref(claim, set, "StatefulSet");
		changed |= set_ref(claim, pod, "v1", "Pod");
	} else {
		changed |= set_ref(claim, set, "apps/v1", "StatefulSet");
		changed |= remove_ref(claim, pod, "Pod");
	}
	return changed;
}
