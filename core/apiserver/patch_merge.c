/* JSON merge patch (RFC 7386), application/merge-patch+json. */
#include "config.h"

#include <cjson/cJSON.h>

#define K8C_PATCH_INTERNAL
#include "apiserver/patch.h"
#include "common/mem.h"

static void merge_into(cJSON *target, const cJSON *patch);

/* What patch value v becomes where the target has nothing to merge it
 * into: objects lose their null members (recursively, objects only),
 * anything else is taken as it is. */
static cJSON *fresh(const cJSON *v)
{
	cJSON *obj;

	if (!cJSON_IsObject(v))
		return k8c_patch_copy(v);
	obj = cJSON_CreateObject();
	if (obj == NULL)
		k8c_die("out of memory");
	merge_into(obj, v);
	return obj;
}

static void delete_all(cJSON *obj, const char *key)
{
	cJSON *m;

	while ((m = k8c_patch_get(obj, key)) != NULL)
		cJSON_Delete(cJSON_DetachItemViaPointer(obj, m));
}

/* target and patch are objects; target is changed in place. */
static void merge_into(cJSON *target, const cJSON *patch)
{
	for (const cJSON *m = patch->child; m != NULL; m = m->next) {
		cJSON *cur;

		if (cJSON_IsNull(m)) {
			delete_all(target, m->string);
			continue;
		}
		cur = k8c_patch_get(target, m->string);
		if (cur != NULL && cJSON_IsObject(cur) && cJSON_IsObject(m))
			merge_into(cur, m);
		else if (cur != NULL)
			k8c_patch_replace_member(target, cur, fresh(m));
		else
			k8c_patch_add_member(target, m->string, fresh(m));
	}
}

int k8c_merge_patch(cJSON **target, const cJSON *patch, k8c_error_t *err)
{
	_cleanup_json_ cJSON *p = NULL;

	if (target == NULL || patch == NULL)
		return k8c_error_make(err, K8C_EINVAL, "merge patch: no target or no patch");
	/* Of duplicate keys, in the patch or in the target, the last counts
	 * (Go's decoder): dedupe a copy of the patch, and the target. */
	p = k8c_patch_copy(patch);
	if (!cJSON_IsObject(p)) {
		k8c_patch_set_root(target, K8C_STEAL(p));
		return 0;
	}
	if (*target == NULL || !cJSON_IsObject(*target)) {
		k8c_patch_set_root(target, fresh(p));
		return 0;
	}
	/* Nothing below can fail, so the target is patched in place. */
	k8c_patch_dedupe(*target);
	merge_into(*target, p);
	return 0;
}
