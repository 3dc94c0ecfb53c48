/* ControllerRevisions of a StatefulSet, the pure part: the revision data
 * (a strategic merge patch that replaces spec.template, as kubectl's
 * rollout undo applies it), its hash and the revision object, as
 * Kubernetes' controller/history and statefulset newRevision make them. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/json_path.h"
#include "common/mem.h"
#include "sts.h"

char *sts_patch(const cJSON *set)
{
	const cJSON *t = k8c_jget(set, "spec.template");
	cJSON *root = cJSON_CreateObject(), *spec = cJSON_AddObjectToObject(root, "spec");
	cJSON *tmpl = cJSON_IsObject(t) ? cJSON_Duplicate(t, 1) : cJSON_CreateObject(), *md;
	char *out;

	/* Go writes the template's zero creationTimestamp as null: so do we,
	 * for the data to be byte for byte what kubectl computes from the set
	 * (rollout undo skips a revision that matches) */
	md = sts_jobj(tmpl, "metadata");
	if (cJSON_GetObjectItemCaseSensitive(md, "creationTimestamp") == NULL)
		cJSON_AddNullToObject(md, "creationTimestamp");
	sts_jset(tmpl, "$patch", cJSON_CreateString("replace"));
	cJSON_AddItemToObject(spec, "template", tmpl);
	out = sts_canonical_json(root);
	cJSON_Delete(root);
	return out;
}

char *sts_hash(const char *data, const int32_t *collision_count)
{
	static const char alphanums[] = "bcdfghjklmnpqrstvwxz2456789";
	uint32_t h = 2166136261u;
	char num[16], *out;

	for (const unsigned char *p = (const unsigned char *)data; p && *p; p++)
		h = (h * 16777619u) ^ *p;
	if (collision_count != NULL) {
		snprintf(num, sizeof(num), "%d", *collision_count);
		for (const char *p = num; *p; p++)
			h = (h * 16777619u) ^ (unsigned char)*p;
	}
	snprintf(num, sizeof(num), "%u", h);
	out = k8c_xstrdup(num);
	for (char *p = out; *p; p++)
		*p = alphanums[(unsigned char)*p % (sizeof(alphanums) - 1)];
	return out;
}

cJSON *sts_revision_new(const cJSON *set, long long revision, int32_t collision)
{
	_cleanup_free_ char *data = sts_patch(set);
	_cleanup_free_ char *hash = sts_hash(data, &collision);
	const char *set_name = k8c_jstr(set, "metadata.name") ?: "";
	const cJSON *kv;
	cJSON *rev = cJSON_CreateObject(), *md = cJSON_AddObjectToObject(rev, "metadata"), *labels;
	cJSON *ann, *refs;
	_cleanup_free_ char *name = NULL;

	/* ControllerRevisionName: the prefix is cut to 223 characters */
	name = k8c_xasprintf("%.*s-%s", (int)(strlen(set_name) > 223 ? 223 : strlen(set_name)),
	                     set_name, hash);
	cJSON_AddStringToObject(rev, "apiVersion", "apps/v1");
	cJSON_AddStringToObject(rev, "kind", "ControllerRevision");
	cJSON_AddStringToObject(md, "name", name);
	cJSON_AddStringToObject(md, "namespace", k8c_jstr(set, "metadata.namespace") ?: "default");
	labels = cJSON_AddObjectToObject(md, "labels");
	cJSON_ArrayForEach(kv,
	                   k8c_jget(set, "spec.template.metadata.labels")) if (cJSON_IsString(kv))
	    cJSON_AddStringToObject(labels, kv->string, kv->valuestring);
	sts_jset(labels, STS_LABEL_HASH, cJSON_CreateString(hash));
	if (cJSON_IsObject(k8c_jget(set, "metadata.annotations"))) {
		ann = cJSON_AddObjectToObject(md, "annotations");
		cJSON_ArrayForEach(kv,
		                   k8c_jget(set, "metadata.annotations")) if (cJSON_IsString(kv))
		    cJSON_AddStringToObject(ann, kv->string, kv->valuestring);
	}
	refs = cJSON_AddArrayToObject(md, "ownerReferences");
	cJSON_AddItemToArray(refs, sts_controller_ref(set));
	cJSON_AddItemToObject(rev, "data", cJSON_Parse(data));
	cJSON_AddNumberToObject(rev, "revision", (double)revision);
	return rev;
}

int sts_revision_equal(const cJSON *a, const cJSON *b)
{
	const char *ha = sts_label(a, STS_LABEL_HASH);
	const char *hb = sts_label(b, STS_LABEL_HASH);
	_cleanup_free_ char *da = NULL, *db = NULL;

	if (ha != NULL && hb != NULL && strcmp(ha, hb) != 0)
		return 0;
	da = sts_canonical_json(k8c_jget(a, "data"));
	db = sts_canonical_json(k8c_jget(b, "data"));
	return strcmp(da, db) == 0;
}

static int rev_cmp(const void *pa, const void *pb)
{
	const cJSON *a = *(const cJSON *const *)pa, *b = *(const cJSON *const *)pb;
	long long ra = sts_jint(a, "revision", 0), rb = sts_jint(b, "revision", 0);
	const char *ta = k8c_jstr(a, "metadata.creationTimestamp") ?: "";
	const char *tb = k8c_jstr(b, "metadata.creationTimestamp") ?: "";
	int c;

	if (ra != rb)
		return ra < rb ? -1 : 1;
	if ((c = strcmp(ta, tb)) != 0)
		return c;
	return strcmp(k8c_jstr(a, "metadata.name") ?: "", k8c_jstr(b, "metadata.name") ?: "");
}

void sts_revisions_sort(cJSON **revs, size_t n)
{
	if (n > 1)
		qsort(revs, n, sizeof(*revs), rev_cmp);
}

const cJSON *sts_revision_template(const cJSON *rev)
{
	const cJSON *t = k8c_jget(rev, "data.spec.template");

	return cJSON_IsObject(t) ? t : NULL;
}
