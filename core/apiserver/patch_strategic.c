/* Strategic merge patch, application/strategic-merge-patch+json: the
 * entry point and the map side (Go's mergeMap with its directives $patch,
 * $retainKeys, $setElementOrder/FIELD and $deleteFromPrimitiveList/FIELD).
 * Lists are in patch_strategic_list.c.
 *
 * The algorithm follows the one in k8s.io/apimachinery's strategicpatch
 * package as the API server runs it (MergeParallelList and
 * IgnoreUnmatchedNulls on), step for step where the order of steps shows
 * (which error comes first, the order of list items).  Where Go leaves
 * directives in the result (a value the target did not have is taken as
 * the patch has it), the directives are applied to nothing instead, so
 * that no directive ends up in a stored object. */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#define K8C_PATCH_INTERNAL
#include "apiserver/patch.h"
#include "apiserver/schema.h"
#include "common/mem.h"

#define DIRECTIVE "$patch"
#define RETAIN_KEYS "$retainKeys"
#define SET_ORDER "$setElementOrder"
#define DELETE_FROM "$deleteFromPrimitiveList"

/* Room for values printed into error messages. */
#define FMT_MAX 400

const void *k8c_smp_field(const k8c_smp_t *c, const void *node, const char *name)
{
	if (node == NULL || c->schema == NULL || c->schema->field == NULL)
		return NULL;
	return c->schema->field(node, name);
}

const void *k8c_smp_items(const k8c_smp_t *c, const void *node)
{
	if (node == NULL || c->schema == NULL || c->schema->items == NULL)
		return NULL;
	return c->schema->items(node);
}

const char *k8c_smp_merge_key(const k8c_smp_t *c, const void *node)
{
	if (node == NULL || c->schema == NULL || c->schema->merge_key == NULL)
		return NULL;
	return c->schema->merge_key(node);
}

unsigned k8c_smp_strategy(const k8c_smp_t *c, const void *node)
{
	if (node == NULL || c->schema == NULL || c->schema->strategy == NULL)
		return K8C_PATCH_STRATEGY_REPLACE;
	return c->schema->strategy(node);
}

int k8c_smp_kind(const cJSON *v)
{
	switch (v == NULL ? cJSON_NULL : v->type & 0xFF) {
	case cJSON_False:
	case cJSON_True:
		return K8C_SMP_BOOL;
	case cJSON_Number:
		return K8C_SMP_NUMBER;
	case cJSON_String:
	case cJSON_Raw:
		return K8C_SMP_STRING;
	case cJSON_Array:
		return K8C_SMP_SLICE;
	case cJSON_Object:
		return K8C_SMP_MAP;
	default:
		return K8C_SMP_NIL;
	}
}

int k8c_smp_err_no_merge_key(k8c_smp_t *c, const cJSON *m, const char *key)
{
	_cleanup_free_ char *s = k8c_patch_gofmt(m, FMT_MAX);

	return k8c_error_make(c->err, K8C_EINVAL, "map: %s does not contain declared merge key: %s",
	                      s, key);
}

int k8c_smp_err_bad_arg(k8c_smp_t *c, const char *expected, const cJSON *got)
{
	return k8c_error_make(c->err, K8C_EINVAL, "expected a %s, but received a %s", expected,
	                      k8c_patch_gotype(got));
}

int k8c_smp_err_bad_patch_type(k8c_smp_t *c, const cJSON *directive, const cJSON *m)
{
	_cleanup_free_ char *d = k8c_patch_gofmt_s(directive, FMT_MAX);
	_cleanup_free_ char *s = k8c_patch_gofmt(m, FMT_MAX);

	return k8c_error_make(c->err, K8C_EINVAL, "unknown patch type: %s in map: %s", d, s);
}

static int is_string(const cJSON *v, const char *s)
{
	return cJSON_IsString(v) && strcmp(v->valuestring, s) == 0;
}

static int has_prefix(const char *s, const char *prefix)
{
	return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* "PREFIX/FIELD" -> FIELD, or NULL when the key is not of that form. */
static const char *directive_field(const char *key, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncmp(key, prefix, n) != 0 || key[n] != '/')
		return NULL;
	return key + n + 1;
}

static void clear_object(cJSON *obj)
{
	cJSON *m;

	while ((m = obj->child) != NULL)
		cJSON_Delete(cJSON_DetachItemViaPointer(obj, m));
}

static cJSON *detach(cJSON *parent, cJSON *item)
{
	cJSON_DetachItemViaPointer(parent, item);
	return item;
}

static cJSON *new_object(void)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		k8c_die("out of memory");
	return o;
}

/* Puts v (taken) at key of obj, replacing cur if there is one. */
static void put(cJSON *obj, const char *key, cJSON *cur, cJSON *v)
{
	if (cur != NULL)
		k8c_patch_replace_member(obj, cur, v);
	else
		k8c_patch_add_member(obj, key, v);
}

/* A list with the merge strategy that the target does not have: the patch
 * list as it is, less its directive items (there is nothing to delete
 * from, and it replaces anyway) and with the directives of its items
 * applied to nothing.  No merge key is required (Go takes the list as it
 * is). */
static int fresh_list(k8c_smp_t *c, cJSON *v, const void *node, int merge, cJSON **out)
{
	const void *items = k8c_smp_items(c, node);
	cJSON *list = cJSON_CreateArray(), *e, *r;
	int ret;

	if (list == NULL)
		k8c_die("out of memory");
	while ((e = v->child) != NULL) {
		detach(v, e);
		if (merge && cJSON_IsObject(e) && k8c_patch_get(e, DIRECTIVE) != NULL) {
			cJSON_Delete(e);
			continue;
		}
		if ((ret = k8c_smp_fresh(c, e, items, &r)) < 0) {
			cJSON_Delete(list);
			cJSON_Delete(v);
			return ret;
		}
		if (!cJSON_AddItemToArray(list, r))
			k8c_die("out of memory");
	}
	cJSON_Delete(v);
	*out = list;
	return 0;
}

int k8c_smp_fresh(k8c_smp_t *c, cJSON *v, const void *node, cJSON **out)
{
	cJSON *obj;
	int ret;

	switch (k8c_smp_kind(v)) {
	case K8C_SMP_MAP:
		obj = new_object();
		ret = k8c_smp_merge_map(c, obj, v, node);
		cJSON_Delete(v);
		if (ret < 0) {
			cJSON_Delete(obj);
			return ret;
		}
		*out = obj;
		return 0;
	case K8C_SMP_SLICE:
		return fresh_list(c, v, node,
		                  (k8c_smp_strategy(c, node) & K8C_PATCH_STRATEGY_MERGE) != 0, out);
	default:
		*out = v;
		return 0;
	}
}

static int in_list(const cJSON *list, const char *s)
{
	for (const cJSON *e = list->child; e != NULL; e = e->next)
		if (is_string(e, s))
			return 1;
	return 0;
}

/* $retainKeys: the patch may only set listed fields; the target keeps only
 * listed fields. */
static int retain_keys(k8c_smp_t *c, cJSON *obj, cJSON *p)
{
	_cleanup_json_ cJSON *keys = k8c_patch_get(p, RETAIN_KEYS);
	cJSON *m, *next;

	if (keys == NULL)
		return 0;
	detach(p, keys);
	if (!cJSON_IsArray(keys))
		return k8c_error_make(c->err, K8C_EINVAL, "invalid patch format of retainKeys");
	for (m = p->child; m != NULL; m = m->next) {
		if (cJSON_IsNull(m) || has_prefix(m->string, DELETE_FROM) ||
		    has_prefix(m->string, SET_ORDER))
			continue;
		if (!in_list(keys, m->string))
			return k8c_error_make(c->err, K8C_EINVAL,
			                      "invalid patch format of retainKeys");
	}
	for (m = obj->child; m != NULL; m = next) {
		next = m->next;
		if (!in_list(keys, m->string))
			cJSON_Delete(detach(obj, m));
	}
	return 0;
}

/* One $setElementOrder/FIELD directive (Go's mergePatchIntoOriginal): the
 * list FIELD is merged here, then ordered by the directive. */
static int set_element_order(k8c_smp_t *c, cJSON *obj, cJSON *p, cJSON *d, const void *node)
{
	const char *name = directive_field(d->string, SET_ORDER);
	cJSON *ol, *pl, *list;
	const void *fnode;
	const char *mk;
	k8c_error_t kerr = {0};
	k8c_smp_t kc = {c->schema, &kerr};
	k8c_smp_view_t view = {0};
	int kind = K8C_SMP_NIL, kret, ret = 0;

	/* A field named like a directive would end up in the object (Go
	 * leaves it to the decoder to drop): refused instead. */
	if (name == NULL || has_prefix(name, SET_ORDER) || has_prefix(name, DELETE_FROM) ||
	    strcmp(name, DIRECTIVE) == 0 || strcmp(name, RETAIN_KEYS) == 0)
		return k8c_error_make(c->err, K8C_EINVAL,
		                      "invalid patch format of setElementOrder list");
	if (!cJSON_IsArray(d))
		return k8c_smp_err_bad_arg(c, "[]interface {}", d);
	ol = k8c_patch_get(obj, name);
	pl = k8c_patch_get(p, name);
	if (ol != NULL && !cJSON_IsArray(ol))
		return k8c_smp_err_bad_arg(c, "[]interface {}", ol);
	if (pl != NULL && !cJSON_IsArray(pl))
		return k8c_smp_err_bad_arg(c, "[]interface {}", pl);
	if (ol == NULL && pl == NULL) {
		/* Go leaves the directive for the decoder to drop. */
		cJSON_Delete(detach(p, d));
		return 0;
	}
	fnode = k8c_smp_field(c, node, name);
	mk = k8c_smp_merge_key(c, fnode);

	/* Go finds the element type after the merge, from the original
	 * list and the patch list as sent; the merge consumes the patch list,
	 * so look now and report in Go's place. */
	kret = k8c_smp_element_kind(&kc, ol, pl, &kind);

	if (ol == NULL) {
		if ((ret = k8c_smp_fresh(c, detach(p, pl), fnode, &list)) < 0)
			return ret;
		k8c_patch_add_member(obj, name, list);
	} else if (pl == NULL) {
		list = ol;
		k8c_smp_view_init(&view, ol);
	} else if (k8c_smp_strategy(c, fnode) & K8C_PATCH_STRATEGY_MERGE) {
		list = ol;
		ret = k8c_smp_merge_slice(c, ol, pl, fnode, name, 0, &view);
		cJSON_Delete(detach(p, pl));
	} else {
		/* Replaced: the old list still orders the items the new one
		 * does not name. */
		k8c_smp_view_init(&view, ol);
		view.graveyard = detach(obj, ol);
		if ((ret = k8c_smp_fresh(c, detach(p, pl), fnode, &list)) < 0)
			goto out;
		k8c_patch_add_member(obj, name, list);
	}
	if (ret < 0)
		goto out;
	ret = k8c_smp_set_order(c, list, d, view.v, view.n, mk, kind, kret < 0 ? &kerr : NULL);
out:
	k8c_smp_view_free(&view);
	if (ret == 0)
		cJSON_Delete(detach(p, d));
	return ret;
}

static int set_element_orders(k8c_smp_t *c, cJSON *obj, cJSON *p, const void *node)
{
	char **keys = NULL;
	size_t n = 0, i;
	int ret = 0;

	/* Collect the keys first: handling one directive removes members of
	 * p, another directive even ("$setElementOrder/$setElementOrder/x");
	 * one removed before its turn is skipped, as Go's range skips it. */
	for (cJSON *m = p->child; m != NULL; m = m->next)
		if (has_prefix(m->string, SET_ORDER)) {
			keys = k8c_xrealloc(keys, (n + 1) * sizeof(*keys));
			keys[n++] = k8c_xstrdup(m->string);
		}
	for (i = 0; i < n && ret == 0; i++) {
		cJSON *d = k8c_patch_get(p, keys[i]);
		if (d != NULL)
			ret = set_element_order(c, obj, p, d, node);
	}
	for (i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	return ret;
}

static int merge_member(k8c_smp_t *c, cJSON *obj, cJSON *p, cJSON *m, const void *node)
{
	/* A copy: m may be freed before the key is last used. */
	_cleanup_free_ char *name = k8c_xstrdup(m->string);
	const char *key = name;
	const void *fnode;
	cJSON *cur, *v;
	int del = 0, ret;

	if (has_prefix(key, DELETE_FROM)) {
		key = directive_field(key, DELETE_FROM);
		if (key == NULL)
			return k8c_error_make(c->err, K8C_EINVAL,
			                      "invalid patch format of primitive list");
		if (*key == '\0')
			return 0; /* Go keeps the whole key then, which no target has */
		del = 1;
	}
	cur = k8c_patch_get(obj, key);
	if (cJSON_IsNull(m)) {
		/* null deletes, also with $deleteFromPrimitiveList/ (as in Go). */
		if (cur != NULL)
			cJSON_Delete(detach(obj, cur));
		return 0;
	}
	fnode = k8c_smp_field(c, node, key);
	if (cur == NULL || k8c_smp_kind(cur) != k8c_smp_kind(m)) {
		if (del)
			return 0;
		if ((ret = k8c_smp_fresh(c, detach(p, m), fnode, &v)) < 0)
			return ret;
		put(obj, key, cur, v);
		return 0;
	}
	switch (k8c_smp_kind(cur)) {
	case K8C_SMP_MAP:
		/* Maps always merge: no patchStrategy replaces a map. */
		return k8c_smp_merge_map(c, cur, m, fnode);
	case K8C_SMP_SLICE:
		if (k8c_smp_strategy(c, fnode) & K8C_PATCH_STRATEGY_MERGE)
			return k8c_smp_merge_slice(c, cur, m, fnode, key, del, NULL);
		if ((ret = k8c_smp_fresh(c, detach(p, m), fnode, &v)) < 0)
			return ret;
		put(obj, key, cur, v);
		return 0;
	default:
		/* A scalar replaces, even one under $deleteFromPrimitiveList/. */
		put(obj, key, cur, detach(p, m));
		return 0;
	}
}

int k8c_smp_merge_map(k8c_smp_t *c, cJSON *obj, cJSON *p, const void *node)
{
	cJSON *d = k8c_patch_get(p, DIRECTIVE), *m, *next;
	int ret;

	if (d != NULL) {
		if (is_string(d, "replace")) {
			/* The patch as it is, less the directive. */
			cJSON_Delete(detach(p, d));
			clear_object(obj);
			return k8c_smp_merge_map(c, obj, p, node);
		}
		if (is_string(d, "delete")) {
			clear_object(obj);
			return 0;
		}
		return k8c_smp_err_bad_patch_type(c, d, p);
	}
	if ((ret = retain_keys(c, obj, p)) < 0)
		return ret;
	if ((ret = set_element_orders(c, obj, p, node)) < 0)
		return ret;
	for (m = p->child; m != NULL; m = next) {
		next = m->next;
		if ((ret = merge_member(c, obj, p, m, node)) < 0)
			return ret;
	}
	return 0;
}

static const char *json_type_word(const cJSON *v)
{
	switch (k8c_smp_kind(v)) {
	case K8C_SMP_SLICE:
		return "array";
	case K8C_SMP_STRING:
		return "string";
	case K8C_SMP_NUMBER:
		return "number";
	case K8C_SMP_BOOL:
		return "bool";
	default:
		return "value";
	}
}

int k8c_strategic_merge_patch(cJSON **target, const cJSON *patch,
                              const k8c_patch_schema_t *schema, const void *root,
                              k8c_error_t *err)
{
	k8c_smp_t c = {schema, err};
	_cleanup_json_ cJSON *p = NULL;
	cJSON *work;
	int ret;

	if (target == NULL || patch == NULL)
		return k8c_error_make(err, K8C_EINVAL, "strategic merge patch: no target or no patch");
	if (cJSON_IsNull(patch))
		return 0; /* Go decodes null into a nil map: nothing to do */
	if (!cJSON_IsObject(patch))
		return k8c_error_make(err, K8C_EINVAL,
		                      "json: cannot unmarshal %s into Go value of type "
		                      "map[string]interface {}",
		                      json_type_word(patch));
	if (*target != NULL && !cJSON_IsObject(*target))
		return k8c_error_make(err, K8C_EINVAL, "invalid JSON document");

	/* Both are copied: the patch is consumed as it is applied (as Go's
	 * is), the target is only replaced when all of the patch applied. */
	work = *target != NULL ? k8c_patch_copy(*target) : new_object();
	p = k8c_patch_copy(patch);
	ret = k8c_smp_merge_map(&c, work, p, root);
	if (ret < 0) {
		cJSON_Delete(work);
		return ret;
	}
	k8c_patch_set_root(target, work);
	return 0;
}
