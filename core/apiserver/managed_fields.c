/* metadata.managedFields bookkeeping (see managed_fields.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/apply.h"
#include "apiserver/kinds/util.h"
#include "apiserver/managed_fields.h"
#include "apiserver/schema.h"
#include "common/mem.h"
#include "common/timestamp.h"

const char *k8c_field_manager(const char *field_manager, const char *user_agent, char *buf,
                              size_t len)
{
	size_t n;

	if (field_manager != NULL && field_manager[0] != '\0')
		return field_manager;
	if (user_agent == NULL || user_agent[0] == '\0')
		return "unknown";
	n = strcspn(user_agent, "/");
	if (n >= len)
		n = len - 1;
	memcpy(buf, user_agent, n);
	buf[n] = '\0';
	return buf;
}

cJSON *k8c_managed_fields_entry(const k8c_kind_t *kind, const char *manager, const char *op,
                                const char *subresource, cJSON *fields)
{
	cJSON *e = cJSON_CreateObject();
	char ts[K8C_TIME_STRLEN];

	cJSON_AddStringToObject(e, "manager", manager);
	cJSON_AddStringToObject(e, "operation", op);
	if (kind->group[0]) {
		_cleanup_free_ char *av = k8c_xasprintf("%s/%s", kind->group, kind->version);
		cJSON_AddStringToObject(e, "apiVersion", av);
	} else {
		cJSON_AddStringToObject(e, "apiVersion", kind->version);
	}
	cJSON_AddStringToObject(e, "time", k8c_time_format(k8c_time_now_ns(), ts));
	cJSON_AddStringToObject(e, "fieldsType", "FieldsV1");
	cJSON_AddItemToObject(e, "fieldsV1", fields);
	if (subresource != NULL)
		cJSON_AddStringToObject(e, "subresource", subresource);
	return e;
}

/* Metadata no manager owns: the object's identity (name, namespace) and
 * what the server sets.  Status is nobody's either. */
static const char *const unmanaged_metadata[] = {"name", "namespace", "uid", "resourceVersion",
                                                 "creationTimestamp", "generation", "managedFields",
                                                 "deletionTimestamp", "deletionGracePeriodSeconds",
                                                 "selfLink", NULL};

cJSON *k8c_managed_fields_of(const k8c_kind_t *kind, const cJSON *config)
{
	const k8c_schema_node_t *type = kind->schema_type ? k8c_schema_type(kind->schema_type) : NULL;
	cJSON *set = k8c_fields_v1(config, type);
	cJSON *md = cJSON_GetObjectItemCaseSensitive(set, "f:metadata");

	for (const char *const *f = unmanaged_metadata; *f != NULL; f++) {
		char key[64];
		snprintf(key, sizeof(key), "f:%s", *f);
		cJSON_DeleteItemFromObjectCaseSensitive(md, key);
	}
	if (md != NULL && md->child == NULL)
		cJSON_DeleteItemFromObjectCaseSensitive(set, "f:metadata");
	cJSON_DeleteItemFromObjectCaseSensitive(set, "f:status");
	return set;
}

/* The set of a new object as text: what k8c_managed_fields_of gives,
 * printed, in one walk (creates are the hot path).  The raw node is for
 * printing only: an object that holds one is stored, never passed back as
 * `old` (read the stored object instead), whose fieldsV1 are trees. */
static cJSON *created_set(const k8c_kind_t *kind, const cJSON *obj)
{
	static const char *const top[] = {"apiVersion", "kind", "status", NULL};
	const k8c_schema_node_t *type = kind->schema_type ? k8c_schema_type(kind->schema_type) : NULL;
	_cleanup_free_ char *text = k8c_fields_v1_text(obj, type, top, unmanaged_metadata);

	return cJSON_CreateRaw(text);
}

/* The value a set path points at in obj (NULL when absent). */
static const cJSON *at(const cJSON *obj, const char *key)
{
	if (strncmp(key, "f:", 2) == 0)
		return cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key + 2) : NULL;
	if (strncmp(key, "k:", 2) == 0 && cJSON_IsArray(obj)) {
		_cleanup_json_ cJSON *k = cJSON_Parse(key + 2);
		const cJSON *item;
		if (k == NULL || k->child == NULL)
			return NULL;
		cJSON_ArrayForEach(item, obj) {
			const cJSON *c;
			int all = 1;
			cJSON_ArrayForEach(c, k)
				all &= cJSON_Compare(cJSON_GetObjectItemCaseSensitive(item, c->string), c, 1);
			if (all)
				return item;
		}
	}
	return NULL;
}

static int is_leaf(const cJSON *node)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, node)
		if (strcmp(c->string, ".") != 0)
			return 0;
	return 1;
}

/* Leaves of set whose value differs between a and b (a may be NULL). */
static void changed(const cJSON *set, const cJSON *a, const cJSON *b, cJSON *out)
{
	const cJSON *f;

	cJSON_ArrayForEach(f, set) {
		const cJSON *va, *vb;
		if (strcmp(f->string, ".") == 0)
			continue;
		va = a ? at(a, f->string) : NULL;
		vb = at(b, f->string);
		if (is_leaf(f)) {
			if (va == NULL || !cJSON_Compare(va, vb, 1))
				cJSON_AddItemToObject(out, f->string, cJSON_Duplicate(f, 1));
		} else {
			cJSON *sub = cJSON_CreateObject();
			changed(f, va, vb, sub);
			if (va == NULL && cJSON_GetObjectItemCaseSensitive(f, ".") != NULL)
				cJSON_AddItemToObject(sub, ".", cJSON_CreateObject());
			if (sub->child != NULL)
				cJSON_AddItemToObject(out, f->string, sub);
			else
				cJSON_Delete(sub);
		}
	}
}

/* a := a ∪ b */
static void set_union(cJSON *a, const cJSON *b)
{
	const cJSON *f;

	cJSON_ArrayForEach(f, b) {
		cJSON *x = cJSON_GetObjectItemCaseSensitive(a, f->string);
		if (x == NULL)
			cJSON_AddItemToObject(a, f->string, cJSON_Duplicate(f, 1));
		else
			set_union(x, f);
	}
}

/* a := a \ leaves(b); returns 1 when a became empty */
static int set_remove(cJSON *a, const cJSON *b)
{
	const cJSON *f;

	cJSON_ArrayForEach(f, b) {
		cJSON *x = cJSON_GetObjectItemCaseSensitive(a, f->string);
		if (x == NULL)
			continue;
		if (is_leaf(f) || set_remove(x, f))
			cJSON_DeleteItemFromObjectCaseSensitive(a, f->string);
	}
	return a->child == NULL;
}

static int same_entry(const cJSON *e, const char *manager, const char *op, const char *sub)
{
	const char *s = k8c_jstr(e, "subresource");

	return strcmp(k8c_jstr(e, "manager") ?: "", manager) == 0 &&
	       strcmp(k8c_jstr(e, "operation") ?: "", op) == 0 &&
	       strcmp(s ? s : "", sub ? sub : "") == 0;
}

/* Remove fields from every entry but (manager, op, sub); drop emptied ones. */
static void take_from_others(cJSON *mf, const cJSON *fields, const char *manager, const char *op,
                             const char *sub)
{
	cJSON *e = mf->child, *next;

	for (; e != NULL; e = next) {
		cJSON *set = cJSON_GetObjectItemCaseSensitive(e, "fieldsV1");
		next = e->next;
		if (same_entry(e, manager, op, sub) || set == NULL)
			continue;
		if (set_remove(set, fields))
			cJSON_Delete(cJSON_DetachItemViaPointer(mf, e));
	}
}

void k8c_managed_fields_update(const k8c_kind_t *kind, cJSON *obj, const cJSON *old, const char *manager,
                               const char *subresource)
{
	_cleanup_json_ cJSON *set = NULL, *diff = cJSON_CreateObject();
	cJSON *mf, *e, *mine = NULL;
	char ts[K8C_TIME_STRLEN];

	if (old == NULL && subresource == NULL) {
		/* a create: one entry owning every field set, stored as text */
		cJSON *md = k8c_jobject(obj, "metadata");
		mf = cJSON_CreateArray();
		cJSON_AddItemToArray(mf, k8c_managed_fields_entry(kind, manager, "Update", NULL,
		                                                  created_set(kind, obj)));
		cJSON_DeleteItemFromObjectCaseSensitive(md, "managedFields");
		cJSON_AddItemToObject(md, "managedFields", mf);
		return;
	}
	if (subresource != NULL && strcmp(subresource, "status") == 0) {
		const k8c_schema_node_t *type = kind->schema_type ? k8c_schema_type(kind->schema_type) : NULL;
		cJSON *only = cJSON_CreateObject();
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(obj, "status");
		if (st != NULL)
			cJSON_AddItemToObject(only, "status", cJSON_Duplicate(st, 1));
		set = k8c_fields_v1(only, type);
		cJSON_Delete(only);
	} else {
		set = k8c_managed_fields_of(kind, obj);
	}
	if (old == NULL) {
		/* a create changes every field it sets: the diff is the set */
		cJSON_Delete(diff);
		diff = set;
		set = NULL;
	} else {
		changed(set, old, obj, diff);
	}
	/* ownership is the server's record: start from the stored entries */
	{
		cJSON *md = k8c_jobject(obj, "metadata");
		const cJSON *oldmf = old ? k8c_jget(old, "metadata.managedFields") : NULL;
		cJSON_DeleteItemFromObjectCaseSensitive(md, "managedFields");
		mf = cJSON_IsArray(oldmf) ? cJSON_Duplicate(oldmf, 1) : cJSON_CreateArray();
		cJSON_AddItemToObject(md, "managedFields", mf);
	}
	if (diff->child == NULL && old != NULL)
		return; /* nothing changed: no ownership moves */
	take_from_others(mf, diff, manager, "Update", subresource);
	cJSON_ArrayForEach(e, mf)
		if (same_entry(e, manager, "Update", subresource))
			mine = e;
	if (mine == NULL) {
		/* diff moved in: nothing to merge into */
		cJSON_AddItemToArray(mf, k8c_managed_fields_entry(kind, manager, "Update", subresource,
		                                                  K8C_STEAL(diff)));
		return;
	}
	set_union(cJSON_GetObjectItemCaseSensitive(mine, "fieldsV1"), diff);
	cJSON_ReplaceItemInObjectCaseSensitive(mine, "time",
	                                       cJSON_CreateString(k8c_time_format(k8c_time_now_ns(), ts)));
}

/* Collect conflicts of the leaves of applied against one entry's set. */
static void find_conflicts(const cJSON *applied, const cJSON *owned, const cJSON *live,
                           const cJSON *config, const char *path, const char *manager, cJSON *out,
                           cJSON *taken)
{
	const cJSON *f;

	cJSON_ArrayForEach(f, applied) {
		const cJSON *o = cJSON_GetObjectItemCaseSensitive(owned, f->string);
		const cJSON *lv, *cv;
		_cleanup_free_ char *p = NULL;
		if (o == NULL || strcmp(f->string, ".") == 0)
			continue;
		lv = at(live, f->string);
		cv = at(config, f->string);
		if (strncmp(f->string, "k:", 2) == 0) {
			_cleanup_json_ cJSON *k = cJSON_Parse(f->string + 2);
			_cleanup_free_ char *v = k && k->child ? cJSON_PrintUnformatted(k->child) : NULL;
			p = k8c_xasprintf("%s[%s=%s]", path, k && k->child ? k->child->string : "?", v ? v : "?");
		} else {
			p = k8c_xasprintf("%s.%s", path, f->string + 2);
		}
		if (is_leaf(f) || is_leaf(o)) {
			if (lv != NULL && !cJSON_Compare(lv, cv, 1)) {
				cJSON *c = cJSON_CreateObject();
				cJSON_AddStringToObject(c, "manager", manager);
				cJSON_AddStringToObject(c, "field", p);
				cJSON_AddItemToArray(out, c);
				cJSON_AddItemToObject(taken, f->string, cJSON_CreateObject());
			}
		} else {
			cJSON *sub = cJSON_CreateObject();
			find_conflicts(f, o, lv, cv, p, manager, out, sub);
			if (sub->child != NULL)
				cJSON_AddItemToObject(taken, f->string, sub);
			else
				cJSON_Delete(sub);
		}
	}
}

cJSON *k8c_managed_fields_conflicts(const k8c_kind_t *kind, cJSON *live, const cJSON *config,
                                    const cJSON *applied, const char *manager, int force)
{
	cJSON *mf = cJSON_GetObjectItemCaseSensitive(k8c_jobject(live, "metadata"), "managedFields");
	cJSON *out = cJSON_CreateArray(), *e, *next;

	for (e = cJSON_IsArray(mf) ? mf->child : NULL; e != NULL; e = next) {
		cJSON *owned = cJSON_GetObjectItemCaseSensitive(e, "fieldsV1");
		_cleanup_json_ cJSON *taken = cJSON_CreateObject();
		const char *who = k8c_jstr(e, "manager") ?: "";
		next = e->next;
		if (owned == NULL || (strcmp(who, manager) == 0 &&
		                      strcmp(k8c_jstr(e, "operation") ?: "", "Apply") == 0))
			continue;
		find_conflicts(applied, owned, live, config, "", who, out, taken);
		if (force && taken->child != NULL && set_remove(owned, taken))
			cJSON_Delete(cJSON_DetachItemViaPointer(mf, e));
	}
	if (force || cJSON_GetArraySize(out) == 0) {
		cJSON_Delete(out);
		return NULL;
	}
	return out;
}
