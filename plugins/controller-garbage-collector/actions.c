/* The garbage collector's writes: deletes with preconditions, owner
 * references removed or unblocked, finalizers removed. */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/client.h>

#include "common/json_path.h"
#include "common/mem.h"
#include "gc.h"

#define FINALIZER_RETRIES 4

int gc_delete(gc_ctl_t *c, size_t w, const cJSON *obj, const char *policy, k8c_error_t *err)
{
	const char *ns = k8c_jstr(obj, "metadata.namespace"), *name = k8c_jstr(obj, "metadata.name");
	const char *uid = k8c_jstr(obj, "metadata.uid"), *rv = k8c_jstr(obj, "metadata.resourceVersion");
	_cleanup_free_ char *path = gc_object_path(c, w, ns, name);
	_cleanup_json_ cJSON *opts = cJSON_CreateObject(), *live = NULL;
	cJSON *pre;
	int ret;

	cJSON_AddStringToObject(opts, "kind", "DeleteOptions");
	cJSON_AddStringToObject(opts, "apiVersion", "v1");
	cJSON_AddStringToObject(opts, "propagationPolicy", policy);
	pre = cJSON_AddObjectToObject(opts, "preconditions");
	cJSON_AddStringToObject(pre, "uid", uid ? uid : "");
	if (rv != NULL)
		cJSON_AddStringToObject(pre, "resourceVersion", rv);
	ret = gc_request(c, "DELETE", path, opts, NULL, NULL, err);
	if (ret < 0 && err->code == K8C_ENOTFOUND)
		return 0;
	if (ret == 0 || err->code != K8C_ECONFLICT || rv == NULL)
		return ret;
	/* the object changed since the cache saw it: delete it anyway when
	 * its owners are still the ones we judged */
	if (gc_request(c, "GET", path, NULL, NULL, &live, err) < 0)
		return err->code == K8C_ENOTFOUND ? 0 : -1;
	if (strcmp(k8c_jstr(live, "metadata.uid") ?: "", uid ? uid : "") != 0)
		return 0;
	if (!cJSON_Compare(k8c_jget(live, "metadata.ownerReferences"),
	                   k8c_jget(obj, "metadata.ownerReferences"), 1))
		return k8c_error_make(err, K8C_ECONFLICT, "the owner references of %s changed", path);
	cJSON_DeleteItemFromObjectCaseSensitive(pre, "resourceVersion");
	ret = gc_request(c, "DELETE", path, opts, NULL, NULL, err);
	if (ret < 0 && err->code == K8C_ENOTFOUND)
		return 0;
	return ret;
}

static int in_list(const char *uid, const char *const *uids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(uid, uids[i]) == 0)
			return 1;
	return 0;
}

static cJSON *test_op(const char *path, const char *value)
{
	cJSON *op = cJSON_CreateObject();

	cJSON_AddStringToObject(op, "op", "test");
	cJSON_AddStringToObject(op, "path", path);
	cJSON_AddStringToObject(op, "value", value);
	return op;
}

/* A JSON patch that tests obj's uid and, for each reference to one of
 * uids, its uid at its place, then (remove) removes it, or sets its
 * blockOwnerDeletion to false. */
static cJSON *refs_patch(const cJSON *obj, const char *const *uids, size_t n, int remove)
{
	cJSON *patch = cJSON_CreateArray();
	const cJSON *refs = k8c_jget(obj, "metadata.ownerReferences"), *ref;
	int i = cJSON_GetArraySize(refs) - 1;

	cJSON_AddItemToArray(patch, test_op("/metadata/uid", k8c_jstr(obj, "metadata.uid") ?: ""));
	/* from the end, so that removals do not move the places still to come */
	for (; i >= 0; i--) {
		const char *uid;
		_cleanup_free_ char *at = k8c_xasprintf("/metadata/ownerReferences/%d", i);
		_cleanup_free_ char *at_uid = k8c_xasprintf("%s/uid", at);
		cJSON *op;
		ref = cJSON_GetArrayItem(refs, i);
		uid = k8c_jstr(ref, "uid");
		if (uid == NULL || !in_list(uid, uids, n))
			continue;
		cJSON_AddItemToArray(patch, test_op(at_uid, uid));
		op = cJSON_CreateObject();
		if (remove) {
			cJSON_AddStringToObject(op, "op", "remove");
			cJSON_AddStringToObject(op, "path", at);
		} else {
			_cleanup_free_ char *at_block = k8c_xasprintf("%s/blockOwnerDeletion", at);
			cJSON_AddStringToObject(op, "op", "add");
			cJSON_AddStringToObject(op, "path", at_block);
			cJSON_AddFalseToObject(op, "value");
		}
		cJSON_AddItemToArray(patch, op);
	}
	return patch;
}

static int patch_refs(gc_ctl_t *c, size_t w, const cJSON *obj, const char *const *uids, size_t n,
                      int remove, k8c_error_t *err)
{
	_cleanup_free_ char *path = gc_object_path(c, w, k8c_jstr(obj, "metadata.namespace"),
	                                           k8c_jstr(obj, "metadata.name"));
	_cleanup_json_ cJSON *patch = refs_patch(obj, uids, n, remove);
	int ret;

	if (cJSON_GetArraySize(patch) <= 1)
		return 0;
	ret = gc_request(c, "PATCH", path, patch, K8C_PATCH_JSON, NULL, err);
	if (ret < 0 && err->code == K8C_ENOTFOUND)
		return 0;
	return ret;
}

int gc_remove_refs(gc_ctl_t *c, size_t w, const cJSON *obj, const char *const *uids, size_t n,
                   k8c_error_t *err)
{
	return patch_refs(c, w, obj, uids, n, 1, err);
}

int gc_unblock_refs(gc_ctl_t *c, size_t w, const cJSON *obj, const char *const *uids, size_t n,
                    k8c_error_t *err)
{
	return patch_refs(c, w, obj, uids, n, 0, err);
}

int gc_remove_finalizer(gc_ctl_t *c, size_t w, const cJSON *obj, const char *finalizer,
                        k8c_error_t *err)
{
	_cleanup_free_ char *path = gc_object_path(c, w, k8c_jstr(obj, "metadata.namespace"),
	                                           k8c_jstr(obj, "metadata.name"));
	int ret = 0;

	for (int attempt = 0; attempt < FINALIZER_RETRIES; attempt++) {
		_cleanup_json_ cJSON *live = NULL, *patch = NULL;
		cJSON *md, *list;
		const cJSON *f;
		int found = 0;

		if (gc_request(c, "GET", path, NULL, NULL, &live, err) < 0)
			return err->code == K8C_ENOTFOUND ? 0 : -1;
		if (strcmp(k8c_jstr(live, "metadata.uid") ?: "", k8c_jstr(obj, "metadata.uid") ?: "") != 0)
			return 0;
		patch = cJSON_CreateObject();
		md = cJSON_AddObjectToObject(patch, "metadata");
		cJSON_AddStringToObject(md, "resourceVersion", k8c_jstr(live, "metadata.resourceVersion") ?: "");
		list = cJSON_CreateArray();
		cJSON_ArrayForEach(f, k8c_jget(live, "metadata.finalizers")) {
			if (cJSON_IsString(f) && strcmp(f->valuestring, finalizer) == 0)
				found = 1;
			else
				cJSON_AddItemToArray(list, cJSON_Duplicate(f, 1));
		}
		if (!found) {
			cJSON_Delete(list);
			return 0;
		}
		if (cJSON_GetArraySize(list) == 0) {
			cJSON_Delete(list);
			cJSON_AddNullToObject(md, "finalizers");
		} else {
			cJSON_AddItemToObject(md, "finalizers", list);
		}
		ret = gc_request(c, "PATCH", path, patch, K8C_PATCH_MERGE, NULL, err);
		if (ret == 0 || err->code == K8C_ENOTFOUND)
			return 0;
		if (err->code != K8C_ECONFLICT)
			return ret;
	}
	return ret;
}
