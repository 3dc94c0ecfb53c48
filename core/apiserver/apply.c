/* Server-side apply.
 *
 * What is implemented: create-on-apply, the applied configuration merged
 * into the live object with the strategic-merge rules of the schema (list
 * items by merge key), fieldManager required, a managedFields entry per
 * manager (operation Apply, fieldsV1 computed from the configuration), and
 * the manager's previously applied fields that the new configuration no
 * longer names removed from the object.  Not yet: conflict detection
 * between managers (409 unless force=true). */
#define K8C_LOG_COMPONENT "apiserver"
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/apply.h"
#include "apiserver/kinds/util.h"
#include "apiserver/managed_fields.h"
#include "apiserver/patch.h"
#include "apiserver/schema.h"
#include "common/json_print.h"
#include "common/mem.h"
#include "common/timestamp.h"

#define APPLY_RETRIES 5

static const k8c_schema_node_t *child(const k8c_schema_node_t *node, const char *name)
{
	if (node == NULL)
		return NULL;
	if (k8c_schema_kind(node) == K8C_SCHEMA_OBJECT)
		return k8c_schema_field(node, name);
	if (k8c_schema_kind(node) == K8C_SCHEMA_MAP)
		return k8c_schema_items(node);
	return NULL;
}

/* Add item to obj under "PREFIX:NAME" (built once, owned by the item: one
 * allocation instead of a formatted copy that cJSON copies again). */
static void add_prefixed(cJSON *obj, char prefix, const char *name, cJSON *item)
{
	size_t n = strlen(name);
	char *key = k8c_xmalloc(n + 3);

	key[0] = prefix;
	key[1] = ':';
	memcpy(key + 2, name, n + 1);
	item->string = key;
	cJSON_AddItemToArray(obj, item); /* an object is an array of named items */
}

static cJSON *fields_of(const cJSON *v, const k8c_schema_node_t *node)
{
	cJSON *set = cJSON_CreateObject();
	const cJSON *c;

	if (cJSON_IsObject(v)) {
		cJSON_ArrayForEach(c, v)
			add_prefixed(set, 'f', c->string, fields_of(c, child(node, c->string)));
	} else if (cJSON_IsArray(v) && node != NULL && k8c_schema_merge_key(node) != NULL) {
		const char *mk = k8c_schema_merge_key(node);
		const k8c_schema_node_t *items = k8c_schema_items(node);
		cJSON_ArrayForEach(c, v) {
			const cJSON *key = cJSON_GetObjectItemCaseSensitive(c, mk);
			cJSON *kobj, *sub;
			_cleanup_free_ char *ks = NULL;
			if (key == NULL)
				continue;
			kobj = cJSON_CreateObject();
			cJSON_AddItemToObject(kobj, mk, cJSON_Duplicate(key, 1));
			ks = cJSON_PrintUnformatted(kobj);
			cJSON_Delete(kobj);
			sub = fields_of(c, items);
			cJSON_AddItemToObject(sub, ".", cJSON_CreateObject());
			add_prefixed(set, 'k', ks, sub);
		}
	}
	return set;
}

cJSON *k8c_fields_v1(const cJSON *config, const void *schema_node)
{
	cJSON *set = fields_of(config, schema_node);

	/* apiVersion and kind are not managed fields */
	cJSON_DeleteItemFromObjectCaseSensitive(set, "f:apiVersion");
	cJSON_DeleteItemFromObjectCaseSensitive(set, "f:kind");
	{
		cJSON *md = cJSON_GetObjectItemCaseSensitive(set, "f:metadata");
		cJSON_DeleteItemFromObjectCaseSensitive(md, "f:name");
		cJSON_DeleteItemFromObjectCaseSensitive(md, "f:namespace");
		if (md != NULL && md->child == NULL)
			cJSON_DeleteItemFromObjectCaseSensitive(set, "f:metadata");
	}
	return set;
}

static int named_in(const char *name, const char *const *names)
{
	for (; names != NULL && *names != NULL; names++)
		if (strcmp(name, *names) == 0)
			return 1;
	return 0;
}

/* "PREFIX:NAME" as a JSON string */
static void out_key(k8c_json_out_t *o, char prefix, const char *name)
{
	char small[128], *key = small;
	size_t n = strlen(name);

	if (n + 3 > sizeof(small))
		key = k8c_xmalloc(n + 3);
	key[0] = prefix;
	key[1] = ':';
	memcpy(key + 2, name, n + 1);
	k8c_json_out_string(o, key);
	if (key != small)
		free(key);
}

/* The text of fields_of(v, node) with "." last when dot; returns the
 * number of members written (the dot aside). */
static size_t out_set(k8c_json_out_t *o, const cJSON *v, const k8c_schema_node_t *node, int dot,
                      const char *const *skip, const char *const *skip_meta)
{
	const cJSON *c;
	size_t n = 0;

	k8c_json_out_raw(o, "{", 1);
	if (cJSON_IsObject(v)) {
		cJSON_ArrayForEach(c, v) {
			int meta = skip_meta != NULL && strcmp(c->string, "metadata") == 0;
			size_t mark = o->len;
			if (named_in(c->string, skip))
				continue;
			if (n > 0)
				k8c_json_out_raw(o, ",", 1);
			out_key(o, 'f', c->string);
			k8c_json_out_raw(o, ":", 1);
			if (out_set(o, c, child(node, c->string), 0, meta ? skip_meta : NULL, NULL) == 0 &&
			    meta) {
				o->len = mark; /* nothing of metadata is anybody's */
				continue;
			}
			n++;
		}
	} else if (cJSON_IsArray(v) && node != NULL && k8c_schema_merge_key(node) != NULL) {
		const char *mk = k8c_schema_merge_key(node);
		const k8c_schema_node_t *items = k8c_schema_items(node);
		cJSON_ArrayForEach(c, v) {
			const cJSON *key = cJSON_GetObjectItemCaseSensitive(c, mk);
			k8c_json_out_t kt;
			_cleanup_free_ char *ks = NULL;
			if (key == NULL)
				continue;
			k8c_json_out_init(&kt);
			k8c_json_out_raw(&kt, "{", 1);
			k8c_json_out_string(&kt, mk);
			k8c_json_out_raw(&kt, ":", 1);
			k8c_json_out_item(&kt, key);
			k8c_json_out_raw(&kt, "}", 1);
			ks = k8c_json_out_finish(&kt, NULL);
			if (n > 0)
				k8c_json_out_raw(o, ",", 1);
			out_key(o, 'k', ks);
			k8c_json_out_raw(o, ":", 1);
			out_set(o, c, items, 1, NULL, NULL);
			n++;
		}
	}
	if (dot)
		k8c_json_out_raw(o, n > 0 ? ",\".\":{}" : "\".\":{}", n > 0 ? 7 : 6);
	k8c_json_out_raw(o, "}", 1);
	return n;
}

char *k8c_fields_v1_text(const cJSON *config, const void *schema_node, const char *const *skip_top,
                         const char *const *skip_meta)
{
	k8c_json_out_t o;

	k8c_json_out_init(&o);
	out_set(&o, config, schema_node, 0, skip_top, skip_meta);
	return k8c_json_out_finish(&o, NULL);
}

/* Remove from obj the fields in old_set that new_set no longer has. */
static void remove_dropped(cJSON *obj, const cJSON *old_set, const cJSON *new_set,
                           const k8c_schema_node_t *node)
{
	const cJSON *f;

	cJSON_ArrayForEach(f, old_set) {
		const cJSON *nf = cJSON_GetObjectItemCaseSensitive(new_set, f->string);
		if (strncmp(f->string, "f:", 2) == 0 && cJSON_IsObject(obj)) {
			const char *name = f->string + 2;
			cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
			if (nf == NULL)
				cJSON_DeleteItemFromObjectCaseSensitive(obj, name);
			else if (v != NULL)
				remove_dropped(v, f, nf, child(node, name));
		} else if (strncmp(f->string, "k:", 2) == 0 && cJSON_IsArray(obj)) {
			_cleanup_json_ cJSON *key = cJSON_Parse(f->string + 2);
			cJSON *item = obj->child, *next;
			for (; item != NULL; item = next) {
				int match = key != NULL && key->child != NULL &&
				            cJSON_Compare(cJSON_GetObjectItemCaseSensitive(item, key->child->string),
				                          key->child, 1);
				next = item->next;
				if (!match)
					continue;
				if (nf == NULL)
					cJSON_Delete(cJSON_DetachItemViaPointer(obj, item));
				else
					remove_dropped(item, f, nf, node ? k8c_schema_items(node) : NULL);
			}
		}
	}
}

static const void *ps_field(const void *node, const char *name)
{
	return child(node, name);
}

static const void *ps_items(const void *node)
{
	return node && k8c_schema_kind(node) == K8C_SCHEMA_ARRAY ? k8c_schema_items(node) : NULL;
}

static const char *ps_merge_key(const void *node)
{
	return node ? k8c_schema_merge_key(node) : NULL;
}

static unsigned ps_strategy(const void *node)
{
	return node ? k8c_schema_patch_strategy(node) : 0;
}

/* The schema as the patch library sees it (shared with handlers.c). */
const k8c_patch_schema_t k8c_schema_patch_view = {ps_field, ps_items, ps_merge_key, ps_strategy};

/* Replace manager's Apply entry in obj's managedFields. */
static void record_manager(cJSON *obj, const k8c_kind_t *kind, const char *manager, cJSON *set)
{
	cJSON *md = k8c_jobject(obj, "metadata"), *mf, *e, *next;

	mf = cJSON_GetObjectItemCaseSensitive(md, "managedFields");
	if (!cJSON_IsArray(mf)) {
		cJSON_DeleteItemFromObjectCaseSensitive(md, "managedFields");
		mf = cJSON_AddArrayToObject(md, "managedFields");
	}
	for (e = mf->child; e != NULL; e = next) {
		next = e->next;
		if (strcmp(k8c_jstr(e, "manager") ? k8c_jstr(e, "manager") : "", manager) == 0 &&
		    strcmp(k8c_jstr(e, "operation") ? k8c_jstr(e, "operation") : "", "Apply") == 0)
			cJSON_Delete(cJSON_DetachItemViaPointer(mf, e));
	}
	cJSON_AddItemToArray(mf, k8c_managed_fields_entry(kind, manager, "Apply", NULL, set));
}

static cJSON *previous_set(const cJSON *obj, const char *manager)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, k8c_jget(obj, "metadata.managedFields")) {
		if (strcmp(k8c_jstr(e, "manager") ? k8c_jstr(e, "manager") : "", manager) == 0 &&
		    strcmp(k8c_jstr(e, "operation") ? k8c_jstr(e, "operation") : "", "Apply") == 0)
			return cJSON_GetObjectItemCaseSensitive((cJSON *)e, "fieldsV1");
	}
	return NULL;
}

/* 409 with Kubernetes' wording for apply conflicts. */
static void respond_conflicts(const k8c_kind_t *kind, const char *name, const cJSON *conflicts,
                              k8c_api_response_t *resp)
{
	_cleanup_free_ char *av = kind->group[0] ? k8c_xasprintf("%s/%s", kind->group, kind->version)
	                                         : k8c_xstrdup(kind->version);
	size_t n = (size_t)cJSON_GetArraySize(conflicts), len = 0;
	_cleanup_free_ char *list = k8c_xstrdup("");
	cJSON *details = cJSON_CreateObject(), *causes;
	const cJSON *c;

	cJSON_AddStringToObject(details, "name", name);
	if (kind->group[0])
		cJSON_AddStringToObject(details, "group", kind->group);
	cJSON_AddStringToObject(details, "kind", kind->resource);
	causes = cJSON_AddArrayToObject(details, "causes");
	cJSON_ArrayForEach(c, conflicts) {
		_cleanup_free_ char *line = k8c_xasprintf("%sconflict with \"%s\" using %s: %s",
		                                          len ? "\n- " : (n > 1 ? "\n- " : ""),
		                                          k8c_jstr(c, "manager"), av, k8c_jstr(c, "field"));
		cJSON *cause = cJSON_CreateObject();
		list = k8c_xrealloc(list, len + strlen(line) + 1);
		strcpy(list + len, line);
		len += strlen(line);
		cJSON_AddStringToObject(cause, "reason", "FieldManagerConflict");
		{
			_cleanup_free_ char *m = k8c_xasprintf("conflict with \"%s\" using %s", k8c_jstr(c, "manager"), av);
			cJSON_AddStringToObject(cause, "message", m);
		}
		cJSON_AddStringToObject(cause, "field", k8c_jstr(c, "field"));
		cJSON_AddItemToArray(causes, cause);
	}
	k8c_api_respond_status(resp, 409, "Conflict", details, "Apply failed with %zu conflict%s: %s", n,
	                       n == 1 ? "" : "s", list);
}

void k8c_apply(k8c_apiserver_t *srv, const k8c_api_request_t *req, const k8c_route_t *r,
               const cJSON *applied, const k8c_write_opts_t *o_in, k8c_api_response_t *resp)
{
	k8c_write_opts_t opts = *o_in, *o = &opts;
	const k8c_schema_node_t *type = r->kind->schema_type ? k8c_schema_type(r->kind->schema_type) : NULL;
	const char *manager = o->field_manager;
	const char *name = k8c_jstr(applied, "metadata.name");

	if (manager == NULL || manager[0] == '\0') {
		k8c_field_errors_t errs = K8C_FIELD_ERRORS_INIT;
		k8c_field_error_add(&errs, K8C_FIELD_REQUIRED, "fieldManager", NULL,
		                    "is required for apply patch");
		k8c_api_respond_json(resp, 422, k8c_field_errors_status(&errs, r->kind->group,
		                                                        r->kind->kind, r->name));
		k8c_field_errors_free(&errs);
		return;
	}
	if (!cJSON_IsObject(applied) || (name != NULL && strcmp(name, r->name) != 0)) {
		k8c_api_respond_status(resp, 400, "BadRequest", NULL,
		                       "the name of the object (%s) does not match the name on the URL (%s)",
		                       name ? name : "", r->name);
		return;
	}
	o->applying = 1;
	for (int attempt = 0; attempt < APPLY_RETRIES; attempt++) {
		_cleanup_json_ cJSON *old = NULL, *obj = NULL;
		cJSON *set = k8c_managed_fields_of(r->kind, applied);
		k8c_error_t err;
		int ret = k8c_storage_get(srv, r->kind, r->ns, r->name, &old, &err);

		if (ret == -K8C_ENOTFOUND) {
			obj = cJSON_Duplicate(applied, 1);
			cJSON_AddStringToObject(k8c_jobject(obj, "metadata"), "name", r->name);
			cJSON_DeleteItemFromObjectCaseSensitive(k8c_jobject(obj, "metadata"), "managedFields");
			record_manager(obj, r->kind, manager, set);
			if (k8c_object_create_opts(srv, r->kind, r->ns, obj, o, resp) == 0) {
				if (o->stored_json != NULL)
					k8c_api_respond_raw(resp, 201, "application/json",
					                    K8C_STEAL(o->stored_json), o->stored_len);
				else
					k8c_api_respond_json(resp, 201, K8C_STEAL(obj));
			}
			free(o->stored_json);
			o->stored_json = NULL;
			return;
		}
		if (ret < 0) {
			cJSON_Delete(set);
			k8c_respond_error(resp, r->kind, r->name, ret, &err);
			return;
		}
		obj = cJSON_Duplicate(old, 1);
		{
			cJSON *conflicts = k8c_managed_fields_conflicts(r->kind, obj, applied, set, manager,
			                                                k8c_api_param_bool(req, "force"));
			if (conflicts != NULL) {
				respond_conflicts(r->kind, r->name, conflicts, resp);
				cJSON_Delete(conflicts);
				cJSON_Delete(set);
				return;
			}
		}
		{
			const cJSON *prev = previous_set(old, manager);
			if (prev != NULL)
				remove_dropped(obj, prev, set, type);
		}
		{
			_cleanup_json_ cJSON *patch = cJSON_Duplicate(applied, 1);
			cJSON_DeleteItemFromObjectCaseSensitive(k8c_jobject(patch, "metadata"), "managedFields");
			cJSON_DeleteItemFromObjectCaseSensitive(k8c_jobject(patch, "metadata"), "resourceVersion");
			if (k8c_strategic_merge_patch(&obj, patch, &k8c_schema_patch_view, type, &err) < 0) {
				cJSON_Delete(set);
				k8c_api_respond_status(resp, 422, "Invalid", NULL, "%s", err.message);
				return;
			}
		}
		record_manager(obj, r->kind, manager, set);
		ret = k8c_object_update(srv, r->kind, obj, old, 1, o, resp);
		if (ret == 0) {
			k8c_api_respond_json(resp, 200, K8C_STEAL(obj));
			return;
		}
		if (ret != -K8C_ECONFLICT)
			return;
		k8c_api_response_free(resp);
	}
}
